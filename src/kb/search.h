// Knowledge-base search with Xapian: French and English analysis (case and accent folding,
// elisions, stemming, stop-words), field weights (title above summary above body), synonyms
// and the abbreviations citizens type (lexicon.h), spelling tolerance with a "did you mean",
// prefix autocomplete, audience and theme filters, and highlighted snippets.
//
// The index is derived data: the caller fills it from the articles (the database, or a file
// for evaluation) and keeps it current with Put/Remove. It lives in memory or in a folder on
// disk (reopened as it was after a restart). Thread-safe: calls are serialised internally.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "core/kb.h"
#include "kb/lexicon.h"

namespace guichet::kb {

// How documents are scored. The defaults are the tuned set-up; PlainBm25() is the baseline the
// evaluation reports next to it.
struct RankingOptions {
  // How many times each field's words count (one BM25 over the weighted fields).
  double title_weight = 4.0;
  double summary_weight = 2.0;
  double body_weight = 1.0;
  double keyword_weight = 1.0;      // themes and keywords
  double title_match_weight = 0.0;  // extra score when the title has the word
  double bm25_k1 = 1.5;
  double bm25_b = 0.5;
  double stem_weight = 0.5;        // a match on the stem only counts this much of an exact match
  bool drop_stop_words = true;     // in queries, unless the query has nothing else
  bool use_lexicon = true;         // synonyms and abbreviations
  bool spelling = true;            // unknown query words replaced by the nearest indexed word
  double type_prior_weight = 1.0;  // scales the per-document-type prior (0: off)
  // Bonus, as a share of the best BM25 score, for a title that the query covers and that
  // covers the query (squared harmonic mean of both shares): "congés payés" puts the article
  // "Congés payés" first, ahead of the many that also say it. 0: off.
  double title_cover_weight = 0.7;
  // Xapian's own analysis (TermGenerator and QueryParser, no stemming) on title and body: the
  // plain baseline. Every option above is then ignored but the BM25 parameters.
  bool plain_xapian = false;

  // Plain Xapian BM25 over title and body: no stemming, synonyms, field weights or priors.
  static RankingOptions PlainBm25();
};

struct SearchQuery {
  std::string text;
  std::string audience;  // filter, "" = any
  std::string theme;     // filter on a theme title, "" = any
  std::size_t offset = 0;
  std::size_t limit = 10;
  bool snippets = true;
  bool one_per_fiche = true;  // an id published for several audiences appears once
};

struct SearchHit {
  std::int64_t article_id = 0;
  std::string external_id;
  std::string audience;
  std::string doc_type;
  std::string title;
  std::string summary;
  std::string snippet_html;  // escaped text with <mark>…</mark> around matched words
  double score = 0;
};

struct SearchResults {
  std::vector<SearchHit> hits;
  std::size_t estimated_total = 0;
  std::string did_you_mean;  // the query as corrected, when a word was unknown; else ""
};

struct Completion {
  std::string title;
  std::int64_t article_id = 0;
  std::string external_id;
};

// Longest query read; longer text is cut at a word boundary (not an error: a pasted letter
// still finds something).
inline constexpr std::size_t kMaxQueryBytes = 2000;

class SearchIndex {
 public:
  static Result<std::unique_ptr<SearchIndex>> InMemory(RankingOptions options = {},
                                                       Lexicon lexicon = Lexicon::BuiltIn());
  // Opens the index in `folder`, creating it when missing.
  static Result<std::unique_ptr<SearchIndex>> OpenFolder(const std::string& folder,
                                                         RankingOptions options = {},
                                                         Lexicon lexicon = Lexicon::BuiltIn());
  ~SearchIndex();
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Adds or replaces the article with `article.id` (> 0). Archived and draft articles are
  // removed instead: only published ones are searchable.
  Status Put(const core::KbArticle& article);
  Status Remove(std::int64_t article_id);
  Status RemoveAll();
  // Makes changes durable (folder indexes) and rebuilds the spelling table when they changed the
  // words (a fraction of a second for the service-public.fr fiches); cheap when nothing changed.
  Status Commit();

  // A number the caller stores with the index (the last change applied from the database).
  Result<std::string> GetMetadata(const std::string& key) const;
  Status SetMetadata(const std::string& key, const std::string& value);

  std::size_t ArticleCount() const;
  Result<SearchResults> Search(const SearchQuery& query) const;
  // Titles of articles matching what is typed so far, its last word taken as a prefix.
  Result<std::vector<Completion>> Complete(std::string_view typed, std::string_view audience,
                                           std::size_t limit) const;

 private:
  struct Impl;
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace guichet::kb
