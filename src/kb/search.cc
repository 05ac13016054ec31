#include "kb/search.h"

#include <xapian.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "common/text.h"
#include "common/words.h"
#include "kb/analysis.h"
#include "kb/sanitize.h"
#include "kb/spelling.h"

namespace guichet::kb {
namespace {

// Term prefixes (Xapian's convention: upper-case letters before lower-case terms). Words of
// every field are unprefixed terms, repeated by their field's weight (so that one idf covers
// them all); titles are also kept on their own for completion and a title-match bonus.
constexpr std::string_view kTitle = "T";
constexpr std::string_view kStem = "Z";
constexpr std::string_view kArticleId = "Q";  // unique id term
constexpr std::string_view kAudience = "XA";  // boolean filters
constexpr std::string_view kTheme = "XH";

// Value slots.
constexpr Xapian::valueno kSlotFiche = 0;      // external id (or "#<id>"): one hit per fiche
constexpr Xapian::valueno kSlotDocType = 1;    // the prior's key
constexpr Xapian::valueno kSlotText = 2;       // the body as text, for snippets
constexpr Xapian::valueno kSlotTitleKeys = 3;  // the title's word stems, for the title cover
constexpr std::size_t kSnippetSourceBytes = 6000;

// Bumped whenever what is indexed changes (analysis, prefixes, slots): a folder index written
// by another version is started again from nothing rather than searched with mismatched terms.
constexpr std::string_view kIndexFormatKey = "index_format";
constexpr std::string_view kIndexFormat = "2";

// How many of the best BM25 hits the title cover may reorder.
constexpr Xapian::doccount kRerankWindow = 50;

bool IsPrefixed(const std::string& term) {
  return !term.empty() && term[0] >= 'A' && term[0] <= 'Z';
}

// How much a document type is worth before any word matches, in BM25 units: answers to one
// question first, broad pages ("Comment faire si…", dossiers) and bare forms after.
const std::map<std::string, double>& TypePriors() {
  static const std::map<std::string, double> priors = {
      {"Question-réponse", 0.6},   {"Fiche pratique", 0.5},    {"Fiche d'information", 0.5},
      {"Comment faire si…", -0.3}, {"Dossier", -0.5},          {"Thème", -0.8},
      {"Formulaire", -0.4},        {"Modèle", -0.4},           {"Téléservice", -0.2},
      {"Simulateur", -0.2},        {"Recherche guidée", -0.5}, {"Outil de recherche", -0.5}};
  return priors;
}

std::string FicheKey(const core::KbArticle& a) {
  return a.external_id.empty() ? "#" + std::to_string(a.id) : a.external_id;
}

// Cuts `text` to at most `max_bytes`, at a word boundary when there is one, on a whole
// UTF-8 character.
std::string_view CutQuery(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  const std::size_t space = text.rfind(' ', end);
  if (space != std::string_view::npos && space > max_bytes / 2) end = space;
  return text.substr(0, end);
}

// The window of about `width` words of `text` holding the most distinct query words, escaped,
// with the matches marked; the start of the text when nothing matches.
std::string Snippet(std::string_view text, const std::vector<AnalyzedWord>& query,
                    const Analyzer& analyzer, std::size_t width = 30) {
  const std::vector<WordSpan> spans = WordSpans(text, 20000);
  if (spans.empty()) return "";
  // A word matches when it is a query word, or has a query word's stem. A stem and its word
  // share their first two letters ("pai", "payés"), so only such words are stemmed.
  const auto matches = [&](const WordSpan& w) {
    for (const AnalyzedWord& q : query) {
      if (w.folded == q.term) return true;
      if (!q.stem.empty() && w.folded.compare(0, 2, q.stem, 0, 2) == 0 &&
          analyzer.Stem(text.substr(w.begin, w.end - w.begin), w.folded) == q.stem)
        return true;
    }
    return false;
  };
  std::vector<bool> hit(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) hit[i] = matches(spans[i]);
  // Slide a window of `width` words, counting the distinct matched words inside it.
  std::unordered_map<std::string_view, int> in_window;
  std::size_t best_start = 0, best_score = 0;
  for (std::size_t end = 0; end < spans.size(); ++end) {
    if (hit[end]) ++in_window[spans[end].folded];
    if (end >= width && hit[end - width] && --in_window[spans[end - width].folded] == 0)
      in_window.erase(spans[end - width].folded);
    if (in_window.size() > best_score) {
      best_score = in_window.size();
      std::size_t first = end + 1 >= width ? end + 1 - width : 0;
      while (!hit[first]) ++first;  // the passage opens just before its first match
      best_start = first >= 3 ? first - 3 : 0;
    }
  }
  const std::size_t last = std::min(spans.size(), best_start + width) - 1;
  std::string out = best_start > 0 ? "… " : "";
  std::size_t at = spans[best_start].begin;
  for (std::size_t i = best_start; i <= last; ++i) {
    out += EscapeHtml(text.substr(at, spans[i].begin - at));
    const std::string_view word = text.substr(spans[i].begin, spans[i].end - spans[i].begin);
    out += hit[i] ? "<mark>" + EscapeHtml(word) + "</mark>" : EscapeHtml(word);
    at = spans[i].end;
  }
  if (last + 1 < spans.size()) {
    out += " …";
  } else {
    out += EscapeHtml(Trim(text.substr(at)));  // the closing punctuation
  }
  // Line breaks of plain-text bodies read as spaces in a one-line snippet.
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

// What MakeDocument stored with a document; an empty object when it cannot be read (a damaged
// folder index), so that a hit shows without its text rather than failing the search.
nlohmann::json StoredData(const Xapian::Document& doc) {
  nlohmann::json data = nlohmann::json::parse(doc.get_data(), nullptr, false);
  return data.is_object() ? data : nlohmann::json::object();
}

}  // namespace

RankingOptions RankingOptions::PlainBm25() {
  RankingOptions plain;
  plain.title_weight = 1.0;
  plain.summary_weight = 0.0;
  plain.body_weight = 1.0;
  plain.keyword_weight = 0.0;
  plain.stem_weight = 0.0;
  plain.drop_stop_words = false;
  plain.use_lexicon = false;
  plain.spelling = false;
  plain.type_prior_weight = 0.0;
  plain.title_cover_weight = 0.0;
  plain.plain_xapian = true;
  plain.bm25_k1 = 1.0;  // Xapian's own BM25 defaults
  plain.bm25_b = 0.5;
  return plain;
}

struct SearchIndex::Impl {
  RankingOptions options;
  Lexicon lexicon;
  Analyzer analyzer;
  mutable std::mutex mutex;
  Xapian::WritableDatabase db;
  mutable Spelling spelling;  // rebuilt from the index after changes
  mutable bool spelling_stale = true;

  Impl(RankingOptions o, Lexicon l, Xapian::WritableDatabase d)
      : options(o), lexicon(std::move(l)), db(std::move(d)) {}

  // The words of one field, each `weight` times (0: not indexed).
  void IndexField(Xapian::Document& doc, std::string_view text, double weight,
                  Xapian::termpos& pos) const {
    const auto wdf = static_cast<Xapian::termcount>(std::lround(weight));
    if (wdf == 0) return;
    for (const AnalyzedWord& w : analyzer.Analyze(text, 100000)) {
      doc.add_posting(w.term, ++pos, wdf);
      if (!w.stem.empty()) doc.add_term(std::string(kStem) + w.stem, wdf);
    }
    pos += 10;  // no phrase runs across fields
  }

  Xapian::Document MakeDocument(const core::KbArticle& a) const {
    Xapian::Document doc;
    const std::string body = PlainBody(a);
    if (options.plain_xapian) {
      Xapian::TermGenerator generator;
      generator.set_document(doc);
      generator.index_text(a.title);
      generator.increase_termpos();
      generator.index_text(body);
    } else {
      Xapian::termpos pos = 0;
      IndexField(doc, a.title, options.title_weight, pos);
      IndexField(doc, a.summary, options.summary_weight, pos);
      IndexField(doc, body, options.body_weight, pos);
      std::string keywords;
      for (const auto* list : {&a.themes, &a.keywords})
        for (const std::string& k : *list) keywords += k + "\n";
      IndexField(doc, keywords, options.keyword_weight, pos);
    }
    for (const WordSpan& w : WordSpans(a.title, 200)) doc.add_term(std::string(kTitle) + w.folded);
    doc.add_boolean_term(std::string(kArticleId) + std::to_string(a.id));
    if (!a.audience.empty()) doc.add_boolean_term(std::string(kAudience) + Fold(a.audience));
    for (const std::string& theme : a.themes)
      doc.add_boolean_term(std::string(kTheme) + Fold(theme));
    doc.add_value(kSlotFiche, FicheKey(a));
    doc.add_value(kSlotDocType, a.doc_type);
    // Snippets come from the start of the article (its summary and first pages): folding whole
    // long bodies for ten hits would cost more than the search itself.
    doc.add_value(kSlotText, body.substr(0, kSnippetSourceBytes));
    doc.add_value(kSlotTitleKeys, TitleKeys(a.title));
    const nlohmann::json data = {{"id", a.id},
                                 {"external_id", a.external_id},
                                 {"audience", a.audience},
                                 {"doc_type", a.doc_type},
                                 {"title", a.title},
                                 {"summary", a.summary}};
    doc.set_data(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return doc;
  }

  // A word's key for the title cover: its stem (its folded form for numbers).
  static const std::string& CoverKey(const AnalyzedWord& w) {
    return w.stem.empty() ? w.term : w.stem;
  }

  // The distinct keys of the title's words but stop-words, space-separated.
  std::string TitleKeys(std::string_view title) const {
    std::set<std::string> keys;
    for (const AnalyzedWord& w : analyzer.Analyze(title, 64))
      if (!analyzer.IsStopWord(w.term)) keys.insert(CoverKey(w));
    std::string out;
    for (const std::string& k : keys) out += (out.empty() ? "" : " ") + k;
    return out;
  }

  // The lexicon groups the query's words belong to (none when the lexicon is off).
  std::vector<Lexicon::Match> LexiconMatches(const std::vector<AnalyzedWord>& words) const {
    if (!options.use_lexicon) return {};
    std::vector<std::string> folded;
    for (const AnalyzedWord& w : words) folded.push_back(w.term);
    return lexicon.Find(folded);
  }

  // Per query word, the keys that stand for it in a title: its own and those of its lexicon
  // alternatives ("cdd" is also "contrat", "duree", "determinee").
  std::vector<std::set<std::string>> QueryKeys(const std::vector<AnalyzedWord>& words,
                                               const std::vector<Lexicon::Match>& matches) const {
    std::vector<std::set<std::string>> keys(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) keys[i].insert(CoverKey(words[i]));
    for (const Lexicon::Match& m : matches)
      for (const Phrase& alt : m.alternatives)
        for (const std::string& w : alt)
          if (!analyzer.IsStopWord(w))
            for (std::size_t k = m.begin; k < m.end; ++k)
              keys[k].insert(CoverKey(analyzer.AnalyzeFolded(w)));
    return keys;
  }

  // How well the query and a title cover each other: the harmonic mean of the share of the
  // title's words the query has and the share of the query's words the title has. 1 when the
  // query is the title ("congé payé" and "Congés payés"), whatever else the article says.
  static double TitleCover(const std::vector<std::set<std::string>>& query,
                           const std::string& title_keys) {
    std::set<std::string> title;
    for (std::size_t at = 0; at < title_keys.size();) {
      const std::size_t space = std::min(title_keys.find(' ', at), title_keys.size());
      if (space > at) title.insert(title_keys.substr(at, space - at));
      at = space + 1;
    }
    if (title.empty() || query.empty()) return 0.0;
    std::size_t title_covered = 0, query_covered = 0;
    for (const std::string& t : title)
      title_covered += std::any_of(query.begin(), query.end(),
                                   [&](const std::set<std::string>& q) { return q.count(t) > 0; });
    for (const std::set<std::string>& q : query)
      query_covered +=
          std::any_of(q.begin(), q.end(), [&](const std::string& k) { return title.count(k) > 0; });
    const double p = double(title_covered) / double(title.size());
    const double r = double(query_covered) / double(query.size());
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }

  // One query word or lexicon phrase: the words, or else their stems for a part of the weight,
  // plus a bonus when the title has them.
  Xapian::Query WordQuery(const std::vector<AnalyzedWord>& phrase) const {
    std::vector<Xapian::Query> exact, title;
    for (const AnalyzedWord& w : phrase) {
      exact.emplace_back(w.term);
      title.emplace_back(std::string(kTitle) + w.term);
    }
    const auto size = static_cast<Xapian::termcount>(exact.size());
    Xapian::Query q =
        size == 1 ? exact[0]
                  : Xapian::Query(Xapian::Query::OP_PHRASE, exact.begin(), exact.end(), size);
    if (size == 1 && options.stem_weight > 0 && !phrase[0].stem.empty())
      q = Xapian::Query(
          Xapian::Query::OP_OR, q,
          Xapian::Query(options.stem_weight, Xapian::Query(std::string(kStem) + phrase[0].stem)));
    if (options.title_match_weight > 0)
      q = Xapian::Query(
          Xapian::Query::OP_OR, q,
          Xapian::Query(options.title_match_weight,
                        Xapian::Query(Xapian::Query::OP_AND, title.begin(), title.end())));
    return q;
  }

  void RefreshSpelling() const {
    if (!spelling_stale) return;
    std::vector<std::pair<std::string, std::size_t>> vocabulary;
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t)
      if (!IsPrefixed(*t)) vocabulary.emplace_back(*t, t.get_termfreq());
    spelling = Spelling(std::move(vocabulary));
    spelling_stale = false;
  }

  // The query's words, corrected when unknown; `corrected` tells whether any was.
  std::vector<AnalyzedWord> QueryWords(std::string_view text, bool& corrected) const {
    std::vector<AnalyzedWord> words = analyzer.Analyze(CutQuery(text, kMaxQueryBytes), 64);
    corrected = false;
    if (options.drop_stop_words) {
      std::vector<AnalyzedWord> kept;
      for (const AnalyzedWord& w : words)
        if (!analyzer.IsStopWord(w.term)) kept.push_back(w);
      if (!kept.empty()) words = std::move(kept);
    }
    if (options.spelling) {
      RefreshSpelling();
      for (AnalyzedWord& w : words) {
        if (spelling.Frequency(w.term) > 0 || lexicon.Find({w.term}).size() > 0) continue;
        const std::string better = spelling.Correct(w.term);
        if (better.empty()) continue;
        w = analyzer.AnalyzeFolded(better);
        corrected = true;
      }
    }
    // A word typed without accents takes the stem the articles use most among those it may
    // have meant ("payes" → "pai" as "payés", not "pay").
    for (AnalyzedWord& w : words) {
      if (w.accented || w.stem.empty()) continue;
      Xapian::doccount best = 0;
      for (const std::string& stem : analyzer.UnaccentedStems(w.term)) {
        const Xapian::doccount df = db.get_termfreq(std::string(kStem) + stem);
        if (df > best) best = df, w.stem = stem;
      }
    }
    return words;
  }

  // Documents with the rarest word of a matched phrase, as typed: a bound on the phrase's own.
  Xapian::doccount PhraseFrequency(const Lexicon::Match& m,
                                   const std::vector<AnalyzedWord>& words) const {
    Xapian::doccount df = db.get_doccount();
    for (std::size_t k = m.begin; k < m.end; ++k) df = std::min(df, db.get_termfreq(words[k].term));
    return df;
  }

  Xapian::Query BuildQuery(const std::vector<AnalyzedWord>& words,
                           const std::vector<Lexicon::Match>& matches) const {
    std::vector<Xapian::Query> parts;
    std::size_t next_match = 0;
    for (std::size_t i = 0; i < words.size();) {
      if (next_match < matches.size() && matches[next_match].begin == i) {
        // An abbreviation or a word the articles seldom use is also searched as the other
        // members of its group that they use more (as one synonym, so that the group weighs
        // as one word). Common words are left alone: their synonyms only dilute them.
        const Lexicon::Match& m = matches[next_match++];
        const Xapian::doccount typed_df = PhraseFrequency(m, words);
        std::vector<Xapian::Query> members;
        for (const Phrase& alt : m.alternatives) {
          std::vector<AnalyzedWord> analysed;
          Xapian::doccount alt_df = db.get_doccount();
          for (const std::string& w : alt) {
            analysed.push_back(analyzer.AnalyzeFolded(w));
            if (!analyzer.IsStopWord(w)) alt_df = std::min(alt_df, db.get_termfreq(w));
          }
          if (alt_df > 4 * typed_df) members.push_back(WordQuery(analysed));
        }
        if (!members.empty()) {
          for (std::size_t k = m.begin; k < m.end; ++k) members.push_back(WordQuery({words[k]}));
          parts.emplace_back(Xapian::Query::OP_SYNONYM, members.begin(), members.end());
          i = m.end;
          continue;
        }
      }
      parts.push_back(WordQuery({words[i]}));
      ++i;
    }
    Xapian::Query query(Xapian::Query::OP_OR, parts.begin(), parts.end());
    if (options.type_prior_weight > 0 && !query.empty()) {
      auto* prior = new Xapian::ValueMapPostingSource(kSlotDocType);
      for (const auto& [type, weight] : TypePriors()) {
        const double w = (weight + 1.0) * options.type_prior_weight;  // weights must be ≥ 0
        prior->add_mapping(type, w);
      }
      prior->set_default_weight(options.type_prior_weight);
      query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query, Xapian::Query(prior->release()));
    }
    return query;
  }

  // The baseline's query: Xapian's parser with its default syntax; text it cannot parse is
  // searched as plain words.
  Xapian::Query PlainQuery(std::string_view text) const {
    Xapian::QueryParser parser;
    parser.set_database(db);
    const std::string cut(CutQuery(text, kMaxQueryBytes));
    try {
      return parser.parse_query(cut);
    } catch (const Xapian::QueryParserError&) {
      return parser.parse_query(cut, 0);
    }
  }

  Xapian::BM25Weight Weight() const {
    return Xapian::BM25Weight(options.bm25_k1, 0, 1, options.bm25_b, 0.5);
  }
};

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

Result<std::unique_ptr<SearchIndex>> SearchIndex::InMemory(RankingOptions options,
                                                           Lexicon lexicon) {
  try {
    return std::unique_ptr<SearchIndex>(new SearchIndex(std::make_unique<Impl>(
        options, std::move(lexicon),
        Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY))));
  } catch (const Xapian::Error& e) {
    return Internal("cannot create the search index: " + e.get_description());
  }
}

Result<std::unique_ptr<SearchIndex>> SearchIndex::OpenFolder(const std::string& folder,
                                                             RankingOptions options,
                                                             Lexicon lexicon) {
  try {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(folder).parent_path(), ec);
    Xapian::WritableDatabase db(folder, Xapian::DB_CREATE_OR_OPEN);
    const std::string format = db.get_metadata(std::string(kIndexFormatKey));
    if (format != kIndexFormat) {
      // Written by another version (or new): started again, its metadata included, so that
      // the caller indexes everything afresh.
      if (db.get_doccount() > 0 || !format.empty()) {
        db.close();
        db = Xapian::WritableDatabase(folder, Xapian::DB_CREATE_OR_OVERWRITE);
      }
      db.set_metadata(std::string(kIndexFormatKey), std::string(kIndexFormat));
      db.commit();
    }
    return std::unique_ptr<SearchIndex>(
        new SearchIndex(std::make_unique<Impl>(options, std::move(lexicon), std::move(db))));
  } catch (const Xapian::Error& e) {
    return Unavailable("cannot open the search index in " + folder + ": " + e.get_description());
  }
}

Status SearchIndex::Put(const core::KbArticle& article) {
  if (article.id <= 0) return InvalidArgument("an indexed article needs its id");
  if (article.status != core::ArticleStatus::kPublished) return Remove(article.id);
  std::lock_guard lock(impl_->mutex);
  try {
    impl_->db.replace_document(std::string(kArticleId) + std::to_string(article.id),
                               impl_->MakeDocument(article));
    impl_->spelling_stale = true;
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("cannot index article " + std::to_string(article.id) + ": " +
                    e.get_description());
  }
}

Status SearchIndex::Remove(std::int64_t article_id) {
  std::lock_guard lock(impl_->mutex);
  try {
    impl_->db.delete_document(std::string(kArticleId) + std::to_string(article_id));
    impl_->spelling_stale = true;
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("cannot remove article " + std::to_string(article_id) +
                    " from the search index: " + e.get_description());
  }
}

Status SearchIndex::RemoveAll() {
  std::lock_guard lock(impl_->mutex);
  try {
    std::vector<Xapian::docid> ids;  // collected first: no deleting under an open iterator
    for (auto it = impl_->db.postlist_begin(""); it != impl_->db.postlist_end(""); ++it)
      ids.push_back(*it);
    for (Xapian::docid id : ids) impl_->db.delete_document(id);
    impl_->spelling_stale = true;
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("cannot empty the search index: " + e.get_description());
  }
}

Status SearchIndex::Commit() {
  std::lock_guard lock(impl_->mutex);
  try {
    impl_->db.commit();
    // The spelling table is rebuilt here, by whoever applies changes (the server's follower
    // thread), rather than by the first search after them.
    if (impl_->options.spelling) impl_->RefreshSpelling();
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("cannot commit the search index: " + e.get_description());
  }
}

Result<std::string> SearchIndex::GetMetadata(const std::string& key) const {
  std::lock_guard lock(impl_->mutex);
  try {
    return impl_->db.get_metadata(key);
  } catch (const Xapian::Error& e) {
    return Internal("cannot read the search index: " + e.get_description());
  }
}

Status SearchIndex::SetMetadata(const std::string& key, const std::string& value) {
  std::lock_guard lock(impl_->mutex);
  try {
    impl_->db.set_metadata(key, value);
    return Status::Ok();
  } catch (const Xapian::Error& e) {
    return Internal("cannot write the search index: " + e.get_description());
  }
}

std::size_t SearchIndex::ArticleCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->db.get_doccount();
}

Result<SearchResults> SearchIndex::Search(const SearchQuery& query) const {
  if (!IsValidUtf8(query.text)) return InvalidArgument("the query is not valid UTF-8");
  if (query.limit > 100) return InvalidArgument("at most 100 results per page");
  if (query.offset > 10000) return InvalidArgument("the offset is beyond the last page");
  std::lock_guard lock(impl_->mutex);
  try {
    bool corrected = false;
    const std::vector<AnalyzedWord> words = impl_->QueryWords(query.text, corrected);
    SearchResults results;
    if (words.empty() || query.limit == 0) return results;
    // Found once: the query and the title cover both use them.
    const std::vector<Lexicon::Match> matches = impl_->LexiconMatches(words);
    Xapian::Query q = impl_->options.plain_xapian ? impl_->PlainQuery(query.text)
                                                  : impl_->BuildQuery(words, matches);
    std::vector<Xapian::Query> filters;
    if (!query.audience.empty())
      filters.emplace_back(std::string(kAudience) + Fold(query.audience));
    if (!query.theme.empty()) filters.emplace_back(std::string(kTheme) + Fold(query.theme));
    if (!filters.empty())
      q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                        Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
    Xapian::Enquire enquire(impl_->db);
    enquire.set_query(q);
    enquire.set_weighting_scheme(impl_->Weight());
    if (query.one_per_fiche) enquire.set_collapse_key(kSlotFiche);
    // The title cover reorders the best BM25 hits, so it needs them from the first one.
    const bool rerank = impl_->options.title_cover_weight > 0 && !impl_->options.plain_xapian;
    const auto first = static_cast<Xapian::doccount>(rerank ? 0 : query.offset);
    const auto count = static_cast<Xapian::doccount>(
        rerank ? std::max<std::size_t>(kRerankWindow, query.offset + query.limit) : query.limit);
    const Xapian::MSet mset = enquire.get_mset(first, count);
    results.estimated_total = mset.get_matches_estimated();
    struct Ranked {
      Xapian::Document doc;
      double score;
    };
    std::vector<Ranked> ranked;
    for (auto it = mset.begin(); it != mset.end(); ++it)
      ranked.push_back({it.get_document(), it.get_weight()});
    if (rerank && !ranked.empty()) {
      // The bonus is a share of the best BM25 score, so that it weighs alike on short and
      // long queries.
      const std::vector<std::set<std::string>> keys = impl_->QueryKeys(words, matches);
      const double bonus = impl_->options.title_cover_weight * ranked.front().score;
      for (Ranked& r : ranked) {
        const double cover = Impl::TitleCover(keys, r.doc.get_value(kSlotTitleKeys));
        r.score += bonus * cover * cover;
      }
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
      ranked.erase(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(
                                                        std::min(query.offset, ranked.size())));
      if (ranked.size() > query.limit) ranked.resize(query.limit);
    }
    for (const Ranked& r : ranked) {
      const Xapian::Document& doc = r.doc;
      const nlohmann::json data = StoredData(doc);
      SearchHit hit;
      hit.article_id = data.value("id", std::int64_t{0});
      hit.external_id = data.value("external_id", "");
      hit.audience = data.value("audience", "");
      hit.doc_type = data.value("doc_type", "");
      hit.title = data.value("title", "");
      hit.summary = data.value("summary", "");
      hit.score = r.score;
      if (query.snippets) {
        hit.snippet_html =
            Snippet(hit.summary + "\n" + doc.get_value(kSlotText), words, impl_->analyzer);
      }
      results.hits.push_back(std::move(hit));
    }
    if (corrected) {
      for (const AnalyzedWord& w : words)
        results.did_you_mean += (results.did_you_mean.empty() ? "" : " ") + w.term;
    }
    return results;
  } catch (const Xapian::Error& e) {
    return Internal("search failed: " + e.get_description());
  }
}

Result<std::vector<Completion>> SearchIndex::Complete(std::string_view typed,
                                                      std::string_view audience,
                                                      std::size_t limit) const {
  if (!IsValidUtf8(typed)) return InvalidArgument("the text is not valid UTF-8");
  if (limit > 50) return InvalidArgument("at most 50 completions");
  const std::string_view text = CutQuery(typed, 200);
  const std::vector<WordSpan> spans = WordSpans(text, 12);
  std::vector<Completion> out;
  if (spans.empty() || limit == 0) return out;
  const bool last_is_prefix = spans.back().end == text.size();  // still being typed
  std::lock_guard lock(impl_->mutex);
  try {
    std::vector<Xapian::Query> parts;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const std::string term = std::string(kTitle) + spans[i].folded;
      if (i + 1 == spans.size() && last_is_prefix) {
        parts.emplace_back(Xapian::Query::OP_WILDCARD, term, 100,
                           Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
      } else if (!impl_->analyzer.IsStopWord(spans[i].folded)) {
        parts.emplace_back(term);
      }
    }
    Xapian::Query q(Xapian::Query::OP_AND, parts.begin(), parts.end());
    if (!audience.empty())
      q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                        Xapian::Query(std::string(kAudience) + Fold(audience)));
    Xapian::Enquire enquire(impl_->db);
    enquire.set_query(q);
    enquire.set_weighting_scheme(impl_->Weight());
    enquire.set_collapse_key(kSlotFiche);
    const Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit));
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const nlohmann::json data = StoredData(it.get_document());
      out.push_back({data.value("title", ""), data.value("id", std::int64_t{0}),
                     data.value("external_id", "")});
    }
    return out;
  } catch (const Xapian::Error& e) {
    return Internal("completion failed: " + e.get_description());
  }
}

}  // namespace guichet::kb
