// guichet import requests / export requests on each backend: all-or-nothing imports with a
// line-numbered report, --skip-invalid, and an export that gives back what was imported.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::app {
namespace {

using json = nlohmann::json;
using testing::CliResult;
using testing::ReadFile;
using testing::RunGuichet;
using testing::TempDir;

const std::string kJsonl = std::string(GUICHET_APP_TESTDATA) + "/requests.jsonl";
const std::string kCsv = std::string(GUICHET_APP_TESTDATA) + "/requests.csv";

class ImportExportTest : public guichet::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(auto voirie, store().CreateTeam("Voirie et propreté", actor()));
    ASSERT_OK_AND_ASSIGN(auto etat_civil, store().CreateTeam("État civil", actor()));
    voirie_ = voirie.id;
    ASSERT_OK(
        store().CreateCategory({0, "eclairage-public", "Éclairage public", voirie.id}, actor()));
    ASSERT_OK(
        store().CreateCategory({0, "acte-naissance", "Acte de naissance", etat_civil.id}, actor()));
  }

  CliResult Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(store().url());
    return RunGuichet(args);
  }

  std::vector<core::Request> AllRequests() {
    auto page = store().ListRequests({}, {500, std::nullopt});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<core::Request>{};
  }

  std::vector<json> Lines(const std::string& text) {
    std::vector<json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  core::Id voirie_ = 0;
};

TEST_P(ImportExportTest, OneBadRowMeansNothingIsImported) {
  auto r = Run({"import", "requests", "--format", "jsonl", kJsonl});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find(kJsonl + ":4: channel: must be one of: web, email"), std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("guichet: error: 1 of 4 rows in " + kJsonl + " are invalid; nothing was imported"),
      std::string::npos)
      << r.err;
  EXPECT_TRUE(AllRequests().empty());

  auto csv = Run({"import", "requests", "--format", "csv", kCsv});
  EXPECT_EQ(csv.code, 1);
  EXPECT_NE(csv.err.find(kCsv + ":5: channel: must be one of"), std::string::npos) << csv.err;
  EXPECT_TRUE(AllRequests().empty());

  auto dry = Run({"import", "requests", "--format", "csv", "--dry-run", "--skip-invalid", kCsv});
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_EQ(dry.out, "dry run: 3 of 4 rows in " + kCsv + " are valid; nothing was imported\n");
  EXPECT_TRUE(AllRequests().empty());
}

TEST_P(ImportExportTest, SkipInvalidImportsTheGoodRows) {
  auto r = Run({"import", "requests", "--format", "jsonl", "--skip-invalid", kJsonl});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 3 requests from " + kJsonl + "; skipped 1 invalid row\n");
  EXPECT_NE(r.err.find(kJsonl + ":4: channel:"), std::string::npos) << r.err;

  const auto requests = AllRequests();
  ASSERT_EQ(requests.size(), 3u);
  const core::Request& lamp = requests.back();  // newest first: the first row is last
  EXPECT_EQ(lamp.subject, "Lampadaire éteint");
  EXPECT_EQ(lamp.priority, core::Priority::kHigh);
  EXPECT_EQ(lamp.team_id, voirie_);  // the category's default team
  EXPECT_EQ(lamp.status, core::RequestStatus::kNew);
  EXPECT_EQ(lamp.tags, (std::vector<std::string>{"nuit", "danger"}));
  ASSERT_TRUE(lamp.citizen_id);
  ASSERT_OK_AND_ASSIGN(auto citizen, store().GetCitizen(*lamp.citizen_id));
  EXPECT_EQ(citizen.email, "jeanne@example.org");

  ASSERT_OK_AND_ASSIGN(auto audit, store().ListAudit({lamp.id, std::nullopt, 10}));
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.front().actor, "import");

  auto csv = Run({"import", "requests", "--format", "csv", "--skip-invalid", kCsv});
  ASSERT_EQ(csv.code, 0) << csv.err;
  EXPECT_EQ(AllRequests().size(), 6u);
  EXPECT_EQ(AllRequests().front().citizen_id.has_value(), true);
}

TEST_P(ImportExportTest, ImportFailuresAreOneLine) {
  auto missing = Run({"import", "requests", "--format", "csv", "/nonexistent/requests.csv"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "guichet: error: cannot read /nonexistent/requests.csv\n");

  TempDir dir;
  testing::WriteFile(dir.File("bad.csv"), "subject,body,channel\nA,B,web\n");
  auto header =
      Run({"import", "requests", "--format", "csv", "--skip-invalid", dir.File("bad.csv")});
  EXPECT_EQ(header.code, 1);
  EXPECT_NE(header.err.find(dir.File("bad.csv") + ":1: header: column \"body\" is not known"),
            std::string::npos)
      << header.err;

  testing::WriteFile(dir.File("empty.jsonl"), "\n");
  auto empty = Run({"import", "requests", "--format", "jsonl", dir.File("empty.jsonl")});
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "nothing to import: " + dir.File("empty.jsonl") + " has no rows\n");
  EXPECT_TRUE(AllRequests().empty());
}

TEST_P(ImportExportTest, ImportsFromStandardInput) {
  std::vector<std::string> args = {"import", "requests", "--format",   "csv",
                                   "-",      "--db",     store().url()};
  auto r = RunGuichet(args,
                      "subject,description,channel,category\n"
                      "Lampe,\"Rue sombre, vraiment\",web,eclairage-public\n");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 1 request from <stdin>\n");
  const auto requests = AllRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].description, "Rue sombre, vraiment");
  EXPECT_EQ(requests[0].team_id, voirie_);

  auto bad = RunGuichet(args, "subject,description,channel\nA,B,fax\n");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("<stdin>:2: channel: must be one of"), std::string::npos) << bad.err;
}

TEST_P(ImportExportTest, ReportIsCappedByMaxErrors) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 5; ++i) text += "{}\n";
  testing::WriteFile(dir.File("bad.jsonl"), text);
  auto r =
      Run({"import", "requests", "--format", "jsonl", "--max-errors", "2", dir.File("bad.jsonl")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("… and 13 more errors"), std::string::npos) << r.err;
}

TEST_P(ImportExportTest, ExportGivesBackWhatWasImported) {
  ASSERT_EQ(Run({"import", "requests", "--format", "jsonl", "--skip-invalid", kJsonl}).code, 0);
  ASSERT_EQ(Run({"import", "requests", "--format", "csv", "--skip-invalid", kCsv}).code, 0);
  const auto stored = AllRequests();
  ASSERT_EQ(stored.size(), 6u);

  TempDir dir;
  const std::string out = dir.File("export.jsonl");
  auto r = Run({"export", "requests", "--format", "jsonl", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "exported 6 requests to " + out + "\n");
  const auto lines = Lines(ReadFile(out));
  ASSERT_EQ(lines.size(), 6u);

  for (size_t i = 0; i < lines.size(); ++i) {
    const json& j = lines[i];
    const core::Request& s = stored[i];  // same order: newest first
    EXPECT_EQ(j["id"], s.id);
    EXPECT_EQ(j["reference"], s.reference);
    EXPECT_EQ(j["subject"], s.subject);
    EXPECT_EQ(j["description"], s.description);
    EXPECT_EQ(j["channel"], core::ToString(s.channel));
    EXPECT_EQ(j["priority"], core::ToString(s.priority));
    EXPECT_EQ(j["status"], "new");
    EXPECT_EQ(j["tags"], json(s.tags));
    EXPECT_EQ(j["created_at"], FormatIso8601(s.created_at));
    EXPECT_TRUE(j["resolved_at"].is_null());
    EXPECT_EQ(j["version"], 1);
    for (const char* key :
         {"language", "category", "category_id", "team_id", "assignee_id", "location",
          "custom_fields", "updated_at", "first_reply_at", "citizen"}) {
      EXPECT_TRUE(j.contains(key)) << key;
    }
  }
  // The imported values come back, field by field (oldest import = last line).
  const json& lamp = lines[5];
  EXPECT_EQ(lamp["subject"], "Lampadaire éteint");
  EXPECT_EQ(lamp["category"], "eclairage-public");
  EXPECT_EQ(lamp["team_id"], voirie_);
  EXPECT_EQ(lamp["priority"], "high");
  EXPECT_EQ(lamp["language"], "fr");
  EXPECT_EQ(lamp["tags"], json({"nuit", "danger"}));
  EXPECT_EQ(lamp["citizen"]["name"], "Jeanne Exemple");
  EXPECT_EQ(lamp["citizen"]["phone"], "01 99 00 12 34");
  const json& acte = lines[4];
  EXPECT_EQ(acte["location"]["address"], "3 rue des Pixels");
  EXPECT_TRUE(acte["location"]["lat"].is_null());
  EXPECT_EQ(acte["custom_fields"]["type_acte"], "copie intégrale");
  EXPECT_TRUE(acte["citizen"].is_null());
  const json& pothole = lines[2];  // the first CSV row
  EXPECT_EQ(pothole["subject"], "Nid-de-poule, rue du Modèle");
  EXPECT_EQ(pothole["description"],
            "Un trou profond devant le \"12\", dangereux.\r\nMerci de faire vite.");
  EXPECT_EQ(pothole["priority"], "urgent");

  // The same to stdout.
  auto to_stdout = Run({"export", "requests"});
  ASSERT_EQ(to_stdout.code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, ReadFile(out));
}

TEST_P(ImportExportTest, ExportPagesThroughManyRequests) {
  core::NewRequest in;
  in.subject = "s";
  in.description = "d";
  for (int i = 0; i < 620; ++i) ASSERT_OK(store().CreateRequest(in, "secret", actor()));
  auto r = Run({"export", "requests"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 620u);
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_LT(lines[i]["id"].get<core::Id>(), lines[i - 1]["id"].get<core::Id>());
  }
}

TEST_P(ImportExportTest, ExportToAnUnwritablePlaceFailsCleanly) {
  auto r = Run({"export", "requests", "--out", "/nonexistent/dir/export.jsonl"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "guichet: error: cannot write /nonexistent/dir/export.jsonl\n");
}

GUICHET_INSTANTIATE_STORE_TEST(ImportExportTest);

}  // namespace
}  // namespace guichet::app
