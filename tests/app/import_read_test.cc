// Reading and checking import rows (app/import.h) without a database: fields, line numbers and
// the reasons given for bad rows, in both formats.
#include "app/import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli_runner.h"

namespace guichet::app {
namespace {

const CategorySlugs kCategories = {{"acte-naissance", 1}, {"eclairage-public", 2}};

ImportBatch Read(const std::string& text, ImportFormat format) {
  std::istringstream in(text);
  return ReadImport(in, format, kCategories);
}

std::vector<std::string> Report(const ImportBatch& batch) {
  std::vector<std::string> out;
  for (const auto& e : batch.errors) {
    out.push_back(std::to_string(e.line) + ": " + e.field + ": " + e.reason);
  }
  return out;
}

TEST(ImportReadTest, JsonlFixture) {
  std::ifstream in(std::string(GUICHET_APP_TESTDATA) + "/requests.jsonl");
  const ImportBatch batch = ReadImport(in, ImportFormat::kJsonl, kCategories);
  EXPECT_EQ(batch.rows, 4);
  EXPECT_EQ(batch.invalid_rows, 1);
  EXPECT_FALSE(batch.fatal);
  ASSERT_EQ(batch.valid.size(), 3u);
  EXPECT_EQ(Report(batch),
            (std::vector<std::string>{
                "4: channel: must be one of: web, email, api, open311, phone, counter, chat"}));

  const core::NewRequest& first = batch.valid[0].request;
  EXPECT_EQ(batch.valid[0].line, 1);
  EXPECT_EQ(first.subject, "Lampadaire éteint");
  EXPECT_EQ(first.channel, core::Channel::kWeb);
  EXPECT_EQ(first.category_id, 2);
  EXPECT_EQ(first.priority, core::Priority::kHigh);
  EXPECT_EQ(first.language, "fr");
  EXPECT_EQ(first.tags, (std::vector<std::string>{"nuit", "danger"}));
  ASSERT_TRUE(first.citizen);
  EXPECT_EQ(first.citizen->name, "Jeanne Exemple");
  EXPECT_EQ(first.citizen->email, "jeanne@example.org");
  EXPECT_EQ(first.citizen->phone, "01 99 00 12 34");

  const core::NewRequest& second = batch.valid[1].request;
  EXPECT_EQ(batch.valid[1].line, 3);  // line 2 is blank
  ASSERT_TRUE(second.location);
  EXPECT_EQ(second.location->address, "3 rue des Pixels");
  EXPECT_EQ(second.custom_fields.at("type_acte"), "copie intégrale");
  EXPECT_EQ(batch.valid[2].line, 5);
  EXPECT_EQ(batch.valid[2].request.priority, core::Priority::kNormal);
}

TEST(ImportReadTest, JsonlErrorsAreReportedPerLineAndField) {
  const std::string text =
      "not json\n"
      "[1, 2]\n"
      "{\"subject\": \"\", \"description\": \"d\", \"channel\": \"web\"}\n"
      "{\"subject\": \"s\", \"description\": \"d\", \"channel\": \"web\", \"colour\": \"red\"}\n"
      "{\"subject\": \"s\", \"description\": \"d\", \"channel\": \"web\", \"category\": \"x\"}\n"
      "{\"subject\": 3, \"description\": \"d\", \"channel\": \"web\", \"tags\": \"a\"}\n"
      "{\"subject\": \"s\", \"description\": \"d\", \"channel\": \"web\", "
      "\"citizen\": {\"email\": \"nope\", \"age\": 3}}\n"
      "{\"description\": \"d\", \"channel\": \"web\", \"priority\": \"asap\"}\n"
      "{\"subject\": \"s\xff\", \"description\": \"d\", \"channel\": \"web\"}\n";
  const ImportBatch batch = Read(text, ImportFormat::kJsonl);
  EXPECT_EQ(batch.rows, 9);
  EXPECT_EQ(batch.invalid_rows, 9);
  EXPECT_TRUE(batch.valid.empty());
  EXPECT_EQ(Report(batch),
            (std::vector<std::string>{
                "1: line: is not valid JSON",
                "2: line: must be a JSON object",
                "3: subject: is required and must not be blank",
                "4: colour: is not a known field",
                "5: category: is not a known category (known: acte-naissance, eclairage-public)",
                "6: subject: must be a string, not a number",
                "6: tags: must be an array of strings, not a string",
                "7: citizen.age: is not a known field",
                "8: subject: is required",
                "8: priority: must be one of: low, normal, high, urgent",
                "9: line: is not valid UTF-8",
            }));
}

// Imports refuse the same JSON nesting as the API (see server::kMaxJsonDepth).
TEST(ImportReadTest, DeeplyNestedJsonIsRefused) {
  const std::string deep = std::string(500000, '[') + "\n";
  const ImportBatch batch = Read(deep, ImportFormat::kJsonl);
  EXPECT_EQ(batch.invalid_rows, 1);
  EXPECT_EQ(Report(batch),
            (std::vector<std::string>{"1: line: is JSON nested more than 32 levels deep"}));
}

TEST(ImportReadTest, JsonlValidationOfValuesAfterShape) {
  const ImportBatch batch = Read(
      "{\"subject\": \"s\", \"description\": \"d\", \"channel\": \"web\", "
      "\"citizen\": {\"email\": \"nope\"}, \"language\": \"french\"}\n",
      ImportFormat::kJsonl);
  EXPECT_EQ(Report(batch), (std::vector<std::string>{
                               "1: language: must be a language tag such as \"fr\" or \"pt-BR\"",
                               "1: citizen.email: is not an e-mail address"}));
}

TEST(ImportReadTest, LinesOverOneMebibyteAreRefusedWithoutStoppingTheRest) {
  std::string text = "{\"subject\": \"" + std::string(kMaxImportLineBytes, 'a') + "\"}\n";
  text += "{\"subject\": \"s\", \"description\": \"d\", \"channel\": \"api\"}\r\n";
  const ImportBatch batch = Read(text, ImportFormat::kJsonl);
  EXPECT_EQ(Report(batch), (std::vector<std::string>{"1: line: is longer than 1 MiB"}));
  ASSERT_EQ(batch.valid.size(), 1u);
  EXPECT_EQ(batch.valid[0].line, 2);
  EXPECT_EQ(batch.valid[0].request.channel, core::Channel::kApi);
}

TEST(ImportReadTest, CsvFixture) {
  std::ifstream in(std::string(GUICHET_APP_TESTDATA) + "/requests.csv");
  const ImportBatch batch = ReadImport(in, ImportFormat::kCsv, kCategories);
  EXPECT_EQ(batch.rows, 4);
  EXPECT_EQ(batch.invalid_rows, 1);
  EXPECT_EQ(Report(batch),
            (std::vector<std::string>{
                "5: channel: must be one of: web, email, api, open311, phone, counter, chat"}));
  ASSERT_EQ(batch.valid.size(), 3u);
  const core::NewRequest& first = batch.valid[0].request;
  EXPECT_EQ(batch.valid[0].line, 2);
  EXPECT_EQ(first.subject, "Nid-de-poule, rue du Modèle");
  EXPECT_EQ(first.description,
            "Un trou profond devant le \"12\", dangereux.\r\nMerci de faire vite.");
  EXPECT_EQ(first.priority, core::Priority::kUrgent);
  EXPECT_EQ(first.tags, (std::vector<std::string>{"danger", "vélo"}));
  ASSERT_TRUE(first.citizen);
  EXPECT_EQ(first.citizen->email, "louis@example.org");
  EXPECT_EQ(batch.valid[1].line, 4);
  EXPECT_FALSE(batch.valid[1].request.category_id);
  EXPECT_FALSE(batch.valid[1].request.citizen);
  EXPECT_EQ(batch.valid[1].request.priority, core::Priority::kLow);
  EXPECT_EQ(batch.valid[2].request.citizen->phone, "01 99 00 55 66");
}

TEST(ImportReadTest, CsvHeaderProblemsAreFatal) {
  auto unknown = Read("subject,description,channel,colour\n", ImportFormat::kCsv);
  EXPECT_TRUE(unknown.fatal);
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_EQ(unknown.errors[0].line, 1);
  EXPECT_NE(unknown.errors[0].reason.find("\"colour\" is not known"), std::string::npos);

  auto missing = Read("subject,description\n", ImportFormat::kCsv);
  EXPECT_TRUE(missing.fatal);
  EXPECT_NE(missing.errors[0].reason.find("\"channel\" is missing"), std::string::npos);

  auto twice = Read("subject,description,channel,Subject\n", ImportFormat::kCsv);
  EXPECT_TRUE(twice.fatal);
}

TEST(ImportReadTest, CsvRowProblems) {
  const ImportBatch batch = Read(
      "Channel, Subject ,description,citizen_email,tags\n"  // case and spaces are forgiven
      "web,s,d\n"
      "web,s,d,not-an-email,\n"
      "web,\"s\"x,d,,\n"
      "web,s\xc3,d,,\n"
      " web ,s,d,,a| b ||c\n",
      ImportFormat::kCsv);
  EXPECT_EQ(Report(batch), (std::vector<std::string>{
                               "2: row: has 3 fields but the header has 5",
                               "3: citizen_email: is not an e-mail address",
                               "4: row: unexpected text after a closing quote (a quote inside a "
                               "quoted field must be doubled)",
                               "5: subject: is not valid UTF-8",
                           }));
  ASSERT_EQ(batch.valid.size(), 1u);
  EXPECT_EQ(batch.valid[0].line, 6);
  EXPECT_EQ(batch.valid[0].request.tags, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ImportReadTest, EmptyInputs) {
  EXPECT_EQ(Read("", ImportFormat::kJsonl).rows, 0);
  EXPECT_EQ(Read("\n  \n", ImportFormat::kJsonl).rows, 0);
  const ImportBatch header_only = Read("subject,description,channel\r\n", ImportFormat::kCsv);
  EXPECT_EQ(header_only.rows, 0);
  EXPECT_FALSE(header_only.fatal);
}

}  // namespace
}  // namespace guichet::app
