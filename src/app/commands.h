// Private to src/app: the commands behind the CLI, each a function of already-parsed flags and
// the resolved configuration, returning the process exit code (0 ok, 1 failed). They print
// results on `out` and errors on `err` as one "guichet: error: …" line; none throws.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/store.h"

namespace guichet::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// The streams of one CLI run. `progress` is true when progress bars may be drawn on `err`.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool progress = false;
};

// Prints "guichet: error: <message>" (line breaks flattened) and returns kExitFailed.
int Fail(const Io& io, std::string_view message);

// Opens the store at `url` and applies pending migrations. For sqlite: URLs the parent folder
// of the file is created when missing. `migrated` receives the number of migrations run.
Result<std::unique_ptr<storage::Store>> OpenCliStore(const std::string& url,
                                                     const storage::StoreOptions& options = {},
                                                     int* migrated = nullptr);

int RunServe(const Config& config, const Io& io);
int RunMigrate(const Config& config, const Io& io);

struct CreateUserFlags {
  std::string email;
  std::string role;
  std::string name;
  std::vector<std::string> teams;
  bool password_stdin = false;
};
int RunCreateUser(const Config& config, const CreateUserFlags& flags, const Io& io);

struct CreateTokenFlags {
  std::string email;
  std::string name = "cli";
};
int RunCreateToken(const Config& config, const CreateTokenFlags& flags, const Io& io);

int RunAuditVerify(const Config& config, const Io& io);

struct BackupFlags {
  std::string file;
  bool force = false;  // backup: replace FILE; restore: replace a database that holds data
};
// SQLite: an online, checked copy of the database into FILE (via FILE.tmp, renamed when checked).
// PostgreSQL: exit 1 with the pg_dump route.
int RunBackup(const Config& config, const BackupFlags& flags, const Io& io);
// SQLite: checks FILE, then replaces the database's content with it. PostgreSQL: exit 1 with the
// pg_restore route.
int RunRestore(const Config& config, const BackupFlags& flags, const Io& io);

struct ImportFlags {
  std::string format;  // "jsonl" or "csv"
  std::string file;    // "-" reads stdin
  bool skip_invalid = false;
  bool dry_run = false;
  int max_errors = 100;  // report lines shown; 0 = all
};
int RunImport(const Config& config, const ImportFlags& flags, const Io& io);
// Knowledge-base fiches: `format` is "jsonl" (a file) or "vdd-json" (the npm package's folder).
int RunImportKb(const Config& config, const ImportFlags& flags, const Io& io);

struct ExportFlags {
  std::string format = "jsonl";
  std::string out;  // empty or "-" = stdout
};
int RunExport(const Config& config, const ExportFlags& flags, const Io& io);

struct DemoFlags {
  std::uint64_t seed = 42;
  int count = 2000;
  std::optional<Millis> now;  // the demo's "now"; the system clock when empty
};
int RunDemo(const Config& config, const DemoFlags& flags, const Io& io);

// guichet train triage / guichet eval triage (triage_cli.cc).
struct TriageDataFlags {
  std::string data;
  std::vector<std::string> text_columns;
  std::string label_column;
  std::string label_separator;
  std::string group_column;  // train only: examples sharing its value are held out together
};
struct TrainTriageFlags {
  TriageDataFlags data;
  std::string out;               // a folder: the model goes to OUT/triage.model
  std::string calibration_data;  // same columns as data; fits the temperature
  int epochs = 30;
  double l2 = 1e-5;
  int min_count = 1;
  int calibration_folds = 5;
  int label_name_examples = 3;
  bool no_char_ngrams = false;
  std::uint64_t seed = 1;
  bool from_db = false;                     // train on the desk's own requests
  std::string feature = "triage.category";  // from_db: the model of this AI feature
  bool activate_if_better = false;          // from_db: activate when it beats the active model
};
int RunTrainTriage(const TrainTriageFlags& flags, const Io& io);
// train triage --from-db: the new model is stored as the next version (see RunTrainTriage).
int RunTrainTriageFromDb(const Config& config, const TrainTriageFlags& flags, const Io& io);
struct EvalTriageFlags {
  TriageDataFlags data;
  std::string model;        // the folder given to train --out, or the model file itself
  std::string predictions;  // score these answers (a label per line, optionally TAB confidence)
  std::string write_predictions;  // write the model's answers there, in that same format
  bool json = false;
};
int RunEvalTriage(const EvalTriageFlags& flags, const Io& io);
struct AddAiModelFlags {
  std::string feature = "triage.category";
  std::string model;  // the folder written by train triage, or the model file
  bool activate = false;
};
int RunAddAiModel(const Config& config, const AddAiModelFlags& flags, const Io& io);

// guichet eval langid (triage_cli.cc): language identification engines on a labelled file.
struct EvalLangidFlags {
  TriageDataFlags data;
  std::string engine = "all";  // cld2, textcat, builtin or all
  bool json = false;
};
int RunEvalLangid(const EvalLangidFlags& flags, const Io& io);

struct EvalSearchFlags {
  std::string kb;                    // articles JSON Lines file (optionally .gz) or database URL
  std::string queries;               // TSV: query_id, topic_id, query
  std::string qrels;                 // TSV: topic_id, relevance, kb_doc_id
  std::string topics = "all";        // all, or one half: tune or report
  std::vector<std::string> ranking;  // NAME=VALUE overrides of the ranking options
  std::vector<std::string> glossaries, lexicons;
  bool judged_only = false;
  std::string write_misses;
  std::string index_dir;  // build the tuned index in this new folder (to measure its size)
  bool json = false;
};
int RunEvalSearch(const EvalSearchFlags& flags, const Io& io);

// guichet rules check / test / eval (rules_cli.cc). Exit codes: 0 ok, 1 a test case failed or
// the evaluation refused the facts, 2 usage or load errors.
int RunRulesCheck(const std::string& path, const Io& io);
int RunRulesTest(const std::string& path, const Io& io);
struct RulesEvalFlags {
  std::string scheme;
  std::string facts;
  std::string date;  // YYYY-MM-DD; empty = today (UTC)
  bool json = false;
};
int RunRulesEval(const RulesEvalFlags& flags, const Io& io);

}  // namespace guichet::app
