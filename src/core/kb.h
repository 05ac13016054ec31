// Knowledge-base articles: the answers citizens read before they write and agents send with a
// reply. Plain values with no SQL, HTTP or JSON; imported fiches (service-public.fr) and
// articles written in the desk have the same shape. Thread-safe as values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/model.h"

namespace guichet::core {

enum class ArticleStatus { kDraft, kPublished, kArchived };
enum class ArticleFormat { kHtml, kMarkdown, kText };

// A titled link: a legal reference (Légifrance), an online service, a related article.
struct ArticleLink {
  std::string id;     // the source's id ("R56080"), may be empty
  std::string title;  // readable label
  std::string url;    // may be empty when only the id is known
  std::string kind;   // "Texte de référence", "Téléservice", "Formulaire", …
};

// Where to go: an office that handles the matter ("Caisse d'allocations familiales (Caf)").
struct ArticleOffice {
  std::string id;     // source id, may be empty
  std::string title;  // readable name
  std::string
      local_code;  // normalised local-office kind ("caf", "mairie", "prefecture"), may be empty
};

struct KbArticle {
  std::int64_t id = 0;      // database id; 0 before it is stored
  std::string external_id;  // source id ("F2211") for imported articles, empty otherwise
  std::string audience;     // "particuliers", "professionnels", "associations", or empty
  std::string doc_type;     // "Question-réponse", "Fiche pratique", "Formulaire", …
  std::string title;
  std::string summary;  // one or two sentences shown in result lists
  std::string body;     // in `format`; HTML is sanitised before it is stored
  ArticleFormat format = ArticleFormat::kText;
  std::vector<std::string> themes;    // "Travail", "Logement", …
  std::vector<std::string> keywords;  // extra words citizens use for it
  std::vector<ArticleLink> legal_refs;
  std::vector<ArticleOffice> offices;
  std::vector<ArticleLink> online_services;
  std::vector<std::string> related_ids;  // external ids of related articles (questions, see also)
  std::string language = "fr";
  std::string source_url;  // the original page, for imported articles
  ArticleStatus status = ArticleStatus::kDraft;
  int version = 0;  // 1 on creation, +1 on each stored change
  Millis updated_at = 0;
};

// Wire names: "draft", "published", "archived"; "html", "markdown", "text". Each parser accepts
// exactly a wire name and returns nullopt otherwise.
std::string_view ToString(ArticleStatus v);
std::string_view ToString(ArticleFormat v);
std::optional<ArticleStatus> ParseArticleStatus(std::string_view s);
std::optional<ArticleFormat> ParseArticleFormat(std::string_view s);
std::span<const std::string_view> ArticleStatusNames();
std::span<const std::string_view> ArticleFormatNames();

// Size limits of an article, in Unicode code points unless said otherwise. The longest title of
// the service-public.fr fiches is 232 characters; a few of their descriptions run past 2,000 and
// are cut by the importer to make a summary.
inline constexpr std::size_t kMaxArticleTitle = 300;
inline constexpr std::size_t kMaxArticleSummary = 2000;
inline constexpr std::size_t kMaxArticleBodyBytes = 500 * 1024;  // bytes of UTF-8
inline constexpr std::size_t kMaxArticleExternalId = 64;         // letters, digits, '.', '-', '_'
inline constexpr std::size_t kMaxArticleLabel = 500;  // audience, doc type, link titles…
inline constexpr std::size_t kMaxArticleUrl = 2000;
inline constexpr std::size_t kMaxArticleWords = 100;  // themes, keywords: entries
inline constexpr std::size_t kMaxArticleLinks = 300;  // links, offices, related ids: entries

// Every rule an article breaks (empty when it is valid): a title is required; texts are valid
// UTF-8 without control characters (tab and line breaks allowed in the summary and body) and
// within the limits above; links are http(s) addresses or empty; the language is a language tag.
// Shared by the API, the importer and the store. The body's HTML is not judged here: callers
// sanitise it (kb/sanitize.h) before storing.
std::vector<FieldError> ValidateArticle(const KbArticle& article);

}  // namespace guichet::core
