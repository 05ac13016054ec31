// `guichet train triage`, `guichet eval triage` and `guichet eval langid` in-process on small
// labelled files written here (TSV, CSV, gzip): the model folder, the report, the JSON keys,
// and readable errors.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/app/cli_runner.h"

namespace guichet::app::testing {
namespace {

std::string Tsv() {
  std::string out = "id\tmessage\tservice\n";
  const char* voirie[] = {"Nid de poule rue Hugo", "Lampadaire éteint",      "Trottoir défoncé",
                          "Chaussée abîmée",       "Feu tricolore en panne", "Trou dans la route"};
  const char* dechets[] = {"Poubelle non ramassée", "Encombrants devant chez moi",
                           "Bac de tri cassé",      "Dépôt sauvage de déchets",
                           "Collecte oubliée",      "Conteneur à verre plein"};
  for (int i = 0; i < 6; ++i) {
    out += "v" + std::to_string(i) + "\t" + voirie[i] + "\tvoirie|propreté\n";
    out += "d" + std::to_string(i) + "\t" + dechets[i] + "\tdechets\n";
  }
  out += "x1\tSans service\t\n";  // skipped: no label
  return out;
}

void WriteGzip(const std::string& path, const std::string& content) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
  gzclose(f);
}

// The options that point train and eval at a file written by Tsv().
std::vector<std::string> DataOptions(const std::string& file) {
  return {"--data",         file,      "--text-column",     "message",
          "--label-column", "service", "--label-separator", "|"};
}

TEST(TriageCliTest, TrainsThenEvaluatesInTextAndJson) {
  TempDir dir;
  WriteGzip(dir.File("data.tsv.gz"), Tsv());
  const std::vector<std::string> data = DataOptions(dir.File("data.tsv.gz"));
  std::vector<std::string> train = {"train",           "triage",   "--out",
                                    dir.File("model"), "--epochs", "20"};
  train.insert(train.end(), data.begin(), data.end());
  const CliResult trained = RunGuichet(train);
  ASSERT_EQ(trained.code, 0) << trained.err;
  EXPECT_NE(trained.out.find("trained on 12 examples, 2 labels"), std::string::npos) << trained.out;
  EXPECT_NE(trained.err.find("skipped 1 rows without a label"), std::string::npos);
  EXPECT_FALSE(ReadFile(dir.File("model/triage.model")).empty());

  std::vector<std::string> eval = {"eval", "triage", "--model", dir.File("model")};
  eval.insert(eval.end(), data.begin(), data.end());
  const CliResult text = RunGuichet(eval);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("macro-F1"), std::string::npos);
  EXPECT_NE(text.out.find("per second"), std::string::npos);
  eval.push_back("--json");
  const CliResult json = RunGuichet(eval);
  ASSERT_EQ(json.code, 0) << json.err;
  const auto report = nlohmann::json::parse(json.out);
  for (const char* key : {"accuracy", "macro_f1", "ece", "coverage_80_accuracy", "n"})
    EXPECT_TRUE(report.contains(key)) << key;
  EXPECT_EQ(report["n"], 12);
  EXPECT_GE(report["accuracy"].get<double>(), 0.9);  // its own training data
}

TEST(TriageCliTest, WritesItsAnswersInTheFormatItScores) {
  TempDir dir;
  WriteFile(dir.File("data.tsv"), Tsv());
  const std::vector<std::string> data = DataOptions(dir.File("data.tsv"));
  std::vector<std::string> train = {
      "train", "triage", "--out", dir.File("model"), "--group-column", "id", "--calibration-folds",
      "2"};
  train.insert(train.end(), data.begin(), data.end());
  const CliResult trained = RunGuichet(train);
  ASSERT_EQ(trained.code, 0) << trained.err;

  std::vector<std::string> eval = {"eval", "triage", "--json"};
  eval.insert(eval.end(), data.begin(), data.end());
  std::vector<std::string> by_model = eval;
  by_model.insert(by_model.end(),
                  {"--model", dir.File("model"), "--write-predictions", dir.File("answers.txt")});
  const CliResult scored = RunGuichet(by_model);
  ASSERT_EQ(scored.code, 0) << scored.err;
  const std::string answers = ReadFile(dir.File("answers.txt"));
  EXPECT_EQ(std::count(answers.begin(), answers.end(), '\n'), 12);
  EXPECT_NE(answers.find("voirie\t0."), std::string::npos) << answers;

  std::vector<std::string> by_file = eval;
  by_file.insert(by_file.end(), {"--predictions", dir.File("answers.txt")});
  const CliResult rescored = RunGuichet(by_file);
  ASSERT_EQ(rescored.code, 0) << rescored.err;
  const auto a = nlohmann::json::parse(scored.out), b = nlohmann::json::parse(rescored.out);
  EXPECT_DOUBLE_EQ(a["accuracy"].get<double>(), b["accuracy"].get<double>());
  EXPECT_NEAR(a["ece"].get<double>(), b["ece"].get<double>(), 1e-5);
  EXPECT_TRUE(a.contains("ece_if_calibrated"));

  train[5] = "topic";  // a group column the file does not have
  const CliResult no_group = RunGuichet(train);
  EXPECT_EQ(no_group.code, 1);
  EXPECT_NE(no_group.err.find("no column \"topic\""), std::string::npos) << no_group.err;
  train[5] = "id";
  train[7] = "1";  // one fold cannot hold anything out
  EXPECT_EQ(RunGuichet(train).code, 2);
}

TEST(TriageCliTest, ScoresAnotherSystemsAnswersFromCsv) {
  TempDir dir;
  WriteFile(dir.File("gold.csv"), "text,label\n\"Lampadaire, éteint\",voirie\nPoubelle,dechets\n");
  WriteFile(dir.File("answers.txt"), "voirie\t0.9\nvoirie\t0.6\n");
  const CliResult r = RunGuichet({"eval", "triage", "--predictions", dir.File("answers.txt"),
                                  "--data", dir.File("gold.csv"), "--text-column", "text",
                                  "--label-column", "label", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.5);
  EXPECT_TRUE(report["prediction_speed"].is_null());
}

TEST(TriageCliTest, ExplainsBadInput) {
  TempDir dir;
  WriteFile(dir.File("data.tsv"), Tsv());
  WriteFile(dir.File("data.txt"), Tsv());
  WriteFile(dir.File("bad.tsv"), "text\tlabel\nun\tdeux\ttrois\n");
  const auto train = [&](const std::string& file, const std::string& column) {
    return RunGuichet({"train", "triage", "--out", dir.File("m"), "--data", file, "--text-column",
                       column, "--label-column", "service"});
  };
  CliResult r = train(dir.File("data.tsv"), "texte");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no column \"texte\"; its columns are: id, message, service"),
            std::string::npos)
      << r.err;
  r = train(dir.File("data.txt"), "message");
  EXPECT_NE(r.err.find("must end in .tsv or .csv"), std::string::npos) << r.err;
  r = train(dir.File("missing.tsv"), "message");
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
  r = RunGuichet({"train", "triage", "--out", dir.File("m"), "--data", dir.File("bad.tsv"),
                  "--text-column", "text", "--label-column", "label"});
  EXPECT_NE(r.err.find("bad.tsv:2: 3 fields where the header has 2"), std::string::npos) << r.err;
  WriteFile(dir.File("model.bin"), "not a model");
  r = RunGuichet({"eval", "triage", "--model", dir.File("model.bin"), "--data",
                  dir.File("data.tsv"), "--text-column", "message", "--label-column", "service"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not a Guichet triage model"), std::string::npos) << r.err;
  r = RunGuichet({"eval", "triage", "--data", dir.File("data.tsv"), "--text-column", "message",
                  "--label-column", "service"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give --model or --predictions"), std::string::npos) << r.err;
}

TEST(TriageCliTest, StoresModelVersionsInTheDatabase) {
  TempDir dir;
  WriteFile(dir.File("data.tsv"), Tsv());
  ASSERT_EQ(RunGuichet({"train", "triage", "--out", dir.File("m"), "--data", dir.File("data.tsv"),
                        "--text-column", "message", "--label-column", "service",
                        "--label-separator", "|"})
                .code,
            0);
  const std::string db = "sqlite:" + dir.File("g.db");
  CliResult r = RunGuichet({"admin", "ai", "add-model", "--db", db, dir.File("m"), "--activate"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("added triage.category model version 1 (2 labels)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("version 1 is now active"), std::string::npos);
  r = RunGuichet({"admin", "ai", "add-model", "--db", db, dir.File("m/triage.model")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("version 2"), std::string::npos);
  WriteFile(dir.File("bad.model"), "GUICHET-TRIAGE\n cut short");
  r = RunGuichet({"admin", "ai", "add-model", "--db", db, dir.File("bad.model")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  r = RunGuichet(
      {"admin", "ai", "add-model", "--db", db, "--feature", "triage.mood", dir.File("m")});
  EXPECT_EQ(r.code, 2);
}

TEST(LangidCliTest, ScoresEveryEngineInJsonAndText) {
  TempDir dir;
  WriteFile(dir.File("lang.tsv"),
            "lang\ttext\n"
            "fr\tBonjour, le camion des ordures n'est pas passé dans notre rue depuis mardi.\n"
            "ru\tЗдравствуйте, я хотел бы записаться на приём в мэрию.\n"
            "zh\t您好，我想问一下周六上午市政厅开不开门，谢谢。\n"
            "unknown\t12/03\n");
  const std::vector<std::string> data = {"--data", dir.File("lang.tsv"), "--text-column",
                                         "text",   "--label-column",     "lang"};
  std::vector<std::string> args = {"eval", "langid", "--engine", "all", "--json"};
  args.insert(args.end(), data.begin(), data.end());
  const CliResult json = RunGuichet(args);
  ASSERT_EQ(json.code, 0) << json.err;
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["n"], 4);
  EXPECT_EQ(report["default_engine"], "cld2");
  ASSERT_EQ(report["engines"].size(), 3u);
  for (const auto& engine : report["engines"]) {
    for (const char* key : {"engine", "accuracy", "macro_f1", "language_rows", "unknown_rows",
                            "micros_per_text", "report"})
      EXPECT_TRUE(engine.contains(key)) << key;
    EXPECT_EQ(engine["language_rows"]["n"], 3);
    EXPECT_EQ(engine["unknown_rows"]["n"], 1);
    EXPECT_DOUBLE_EQ(engine["unknown_rows"]["answered_unknown"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(engine["accuracy"].get<double>(), 1.0) << engine["engine"];
  }

  std::vector<std::string> text_args = {"eval", "langid", "--engine", "builtin"};
  text_args.insert(text_args.end(), data.begin(), data.end());
  const CliResult text = RunGuichet(text_args);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("== builtin =="), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("unknown rows answered unknown"), std::string::npos) << text.out;

  std::vector<std::string> bad = {"eval", "langid", "--engine", "fasttext"};
  bad.insert(bad.end(), data.begin(), data.end());
  EXPECT_EQ(RunGuichet(bad).code, 2);
}

TEST(TriageCliTest, TrainsFromTheDesksOwnRequestsAndActivatesOnlyABetterModel) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.File("g.db");
  ASSERT_EQ(
      RunGuichet({"demo", "--db", db, "--count", "150", "--now", "2026-03-01T09:00:00Z"}).code, 0);
  CliResult r = RunGuichet({"train", "triage", "--from-db", "--db", db, "--epochs", "5",
                            "--activate-if-better", "--out", dir.File("copy")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("training triage.category on"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("stored triage.category model version 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("version 1 is now active"), std::string::npos) << r.out;
  EXPECT_FALSE(ReadFile(dir.File("copy/triage.model")).empty());
  // The same data again cannot do better than the active version: it stays inactive.
  r = RunGuichet(
      {"train", "triage", "--from-db", "--db", db, "--epochs", "5", "--activate-if-better"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("active version 1 on the same requests"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("version 2 stays inactive"), std::string::npos) << r.out;

  // The priority model, from the priorities of requests agents handled.
  r = RunGuichet({"train", "triage", "--from-db", "--db", db, "--epochs", "5", "--feature",
                  "triage.priority", "--activate-if-better"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stored triage.priority model version 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("version 1 is now active"), std::string::npos) << r.out;
  EXPECT_EQ(
      RunGuichet({"train", "triage", "--from-db", "--db", db, "--feature", "triage.language"}).code,
      2);

  r = RunGuichet({"train", "triage", "--db", db});
  EXPECT_EQ(r.code, 2);
  r = RunGuichet({"train", "triage", "--from-db", "--data", "x.tsv", "--db", db});
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace guichet::app::testing
