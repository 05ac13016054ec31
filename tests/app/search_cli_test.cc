// Tests of `guichet eval search` on a small knowledge base written here: the scores of a ranking
// anyone can check by hand, the same run's baseline, and clear errors on bad files.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/cli_runner.h"

namespace guichet::app {
namespace {

using testing::RunGuichet;
using testing::TempDir;
using testing::WriteFile;

std::string Fiche(const std::string& id, const std::string& title, const std::string& text,
                  const std::string& type = "Fiche pratique") {
  return nlohmann::json{{"id", id},        {"audience_dir", "particuliers"},
                        {"title", title},  {"text", text},
                        {"dc_type", type}, {"description", ""}}
             .dump() +
         "\n";
}

struct Files {
  TempDir dir;
  std::string kb = dir.File("kb.jsonl"), queries = dir.File("queries.tsv"),
              qrels = dir.File("qrels.tsv");
  Files() {
    WriteFile(kb, Fiche("F1", "Aide personnalisée au logement", "La Caf verse l'APL.") +
                      Fiche("F2", "Fin d'un contrat à durée déterminée", "Le CDD prend fin.") +
                      Fiche("F3", "Congés payés", "Deux jours et demi par mois.") +
                      Fiche("F4", "Le loyer est-il payé par la Caf ?", "Oui, l'APL.",
                            "Question-réponse"));
    WriteFile(queries,
              "query_id\ttopic_id\tquery\n"
              "T1-Q1\tT1\taide logement\nT1-Q2\tT1\tapl caf\n"
              "T2-Q1\tT2\tfin de cdd\n"
              "T3-Q1\tT3\tvacances\n");
    WriteFile(qrels,
              "topic_id\trelevance\tsource\tkb_doc_id\n"
              "T1\t5\tfiches_service_public\tvdd:F1\n"
              "T1\t2\tfiches_service_public\tvdd:F4\n"
              "T2\t4\tfiches_service_public\tvdd:F2\n"
              "T2\t\tfiches_service_public\tvdd:F3\n"
              "T3\t1\tfiches_service_public\tvdd:F3\n"  // no relevant document: skipped
              "T9\t5\tcode_du_travail\t\n");
  }
};

TEST(EvalSearchCliTest, ScoresBothSystemsInJson) {
  Files f;
  const auto r = RunGuichet(
      {"eval", "search", "--kb", f.kb, "--queries", f.queries, "--qrels", f.qrels, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_topics"], 2);
  EXPECT_EQ(j["n_queries"], 3);
  EXPECT_EQ(j["n_articles"], 4);
  EXPECT_DOUBLE_EQ(j["success_at_10"].get<double>(), 1.0);
  // "apl caf" puts F4 first (Caf in its title), graded 2: not relevant; F1 is second. So T1
  // scores (1 + 0) / 2 at rank 1 and (1 + 1/2) / 2 in MRR, T2 scores 1, then topics average.
  EXPECT_DOUBLE_EQ(j["success_at_1"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["mrr_at_10"].get<double>(), 0.875);
  for (const char* key : {"success_at_1", "success_at_10", "mrr_at_10", "ndcg_at_10", "n_topics",
                          "n_queries", "p99_ms"})
    EXPECT_TRUE(j["baseline"].contains(key)) << key;
  EXPECT_EQ(j["title_check"]["n"], 1);
  EXPECT_DOUBLE_EQ(j["title_check"]["success_at_1"].get<double>(), 1.0);
}

TEST(EvalSearchCliTest, ReadsTheArticlesOfADatabase) {
  Files f;
  const std::string db = "sqlite:" + f.dir.File("desk.db");
  ASSERT_EQ(RunGuichet({"admin", "migrate", "--db", db}).code, 0);
  const auto imported = RunGuichet({"import", "kb", "--format", "jsonl", f.kb, "--db", db});
  ASSERT_EQ(imported.code, 0) << imported.err;
  const auto r = RunGuichet(
      {"eval", "search", "--kb", db, "--queries", f.queries, "--qrels", f.qrels, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_articles"], 4);
  EXPECT_DOUBLE_EQ(j["mrr_at_10"].get<double>(), 0.875);  // as from the file
}

TEST(EvalSearchCliTest, PrintsATableAndTheMisses) {
  Files f;
  const auto r = RunGuichet({"eval", "search", "--kb", f.kb, "--queries", f.queries, "--qrels",
                             f.qrels, "--topics", "all", "--write-misses", f.dir.File("m.tsv")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("baseline"), std::string::npos);
  EXPECT_NE(r.out.find("Question-réponse titles"), std::string::npos);
}

TEST(EvalSearchCliTest, ExplainsBadInput) {
  Files f;
  WriteFile(f.dir.File("bad.jsonl"), Fiche("F1", "Bon", "x") + "{\"id\": \"F2\"}\n");
  auto r = RunGuichet({"eval", "search", "--kb", f.dir.File("bad.jsonl"), "--queries", f.queries,
                       "--qrels", f.qrels});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.jsonl:2: field \"title\""), std::string::npos) << r.err;
  WriteFile(f.dir.File("q.tsv"), "id\tquery\n1\tx\n");
  r = RunGuichet(
      {"eval", "search", "--kb", f.kb, "--queries", f.dir.File("q.tsv"), "--qrels", f.qrels});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no column \"query_id\""), std::string::npos) << r.err;
  WriteFile(f.dir.File("r.tsv"), "topic_id\trelevance\tkb_doc_id\nT1\tgood\tvdd:F1\n");
  r = RunGuichet(
      {"eval", "search", "--kb", f.kb, "--queries", f.queries, "--qrels", f.dir.File("r.tsv")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("r.tsv:2: relevance must be 1 to 5"), std::string::npos) << r.err;
  r = RunGuichet({"eval", "search", "--kb", f.kb, "--queries", f.queries, "--qrels", f.qrels,
                  "--ranking", "title_weight=lots"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("title_weight must be a number"), std::string::npos) << r.err;
  r = RunGuichet({"eval", "search", "--kb", f.kb, "--queries", f.queries, "--qrels", f.qrels,
                  "--ranking", "colour=red"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown ranking option \"colour\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace guichet::app
