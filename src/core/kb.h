// Knowledge-base articles: the answers citizens read before they write and agents send with a
// reply. Plain values with no SQL, HTTP or JSON; imported fiches (service-public.fr) and
// articles written in the desk have the same shape. Thread-safe as values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

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

}  // namespace guichet::core
