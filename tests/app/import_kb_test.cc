// guichet import kb on each backend: fiches from a JSON Lines file and from the npm package's
// folder layout, all or nothing unless --skip-invalid, and a second import that changes only
// what changed.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "storage/kb_store.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::app {
namespace {

using json = nlohmann::json;
using testing::CliResult;
using testing::RunGuichet;
using testing::TempDir;
using testing::WriteFile;

std::string Fiche(const std::string& id, const std::string& title) {
  return json{{"id", id},
              {"audience_dir", "particuliers"},
              {"title", title},
              {"description", "En bref."},
              {"text", "Le texte de la fiche."},
              {"dc_type", "Fiche pratique"}}
             .dump() +
         "\n";
}

// A package file: the DILA tree of one fiche, with `root` as its top element.
std::string Tree(const std::string& id, const std::string& title,
                 const std::string& root = "Publication") {
  const auto text = [](const std::string& s) {
    return json::array({{{"type", "text"}, {"text", s}}});
  };
  return json{
      {"id", id},
      {"children",
       {{{"type", "element"},
         {"name", root},
         {"attributes", {{"ID", id}}},
         {"children",
          {{{"type", "element"}, {"name", "dc:title"}, {"children", text(title)}},
           {{"type", "element"}, {"name", "dc:type"}, {"children", text("Formulaire")}}}}}}}}
      .dump();
}

class ImportKbTest : public guichet::testing::StoreTest {
 protected:
  CliResult Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(store().url());
    return RunGuichet(args);
  }
  std::size_t Articles() {
    auto page = store().kb().List({});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items.size() : 0;
  }
  TempDir dir_;
};

TEST_P(ImportKbTest, ImportsAgainOnlyWhatChanged) {
  const std::string file = dir_.File("fiches.jsonl");
  WriteFile(file, Fiche("F1", "Carte grise") + Fiche("F2", "Permis de conduire"));
  CliResult r = Run({"import", "kb", "--format", "jsonl", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 new, 0 changed, 0 unchanged"), std::string::npos) << r.out;
  WriteFile(file, Fiche("F1", "Carte grise") + Fiche("F2", "Permis de conduire : échange"));
  r = Run({"import", "kb", "--format", "jsonl", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("0 new, 1 changed, 1 unchanged"), std::string::npos) << r.out;
  EXPECT_EQ(Articles(), 2u);
}

TEST_P(ImportKbTest, ABadFicheStopsTheImportUnlessSkipped) {
  const std::string file = dir_.File("fiches.jsonl");
  WriteFile(file, Fiche("F1", "Carte grise") + "{\"id\": \"F2\", \"title\": 7}\n");
  CliResult r = Run({"import", "kb", "--format", "jsonl", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("fiches.jsonl:2: field \"title\": must be a string"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
  EXPECT_EQ(Articles(), 0u);
  r = Run({"import", "kb", "--format", "jsonl", file, "--skip-invalid"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("skipped 1 invalid"), std::string::npos) << r.out;
  EXPECT_EQ(Articles(), 1u);
}

TEST_P(ImportKbTest, ReadsThePackageFolderLayout) {
  const std::string data = dir_.File("package/data");
  std::filesystem::create_directories(data + "/particuliers");
  std::filesystem::create_directories(data + "/associations");
  WriteFile(data + "/particuliers/F1.json", Tree("F1", "Carte grise"));
  WriteFile(data + "/associations/R2.json", Tree("R2", "Formulaire", "ServiceComplementaire"));
  WriteFile(data + "/particuliers/index.json", "[]");  // the package's summary: not a fiche
  CliResult r = Run({"import", "kb", "--format", "vdd-json", dir_.File("package")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 new"), std::string::npos) << r.out;
  ASSERT_OK_AND_ASSIGN(auto form, store().kb().GetByExternalId("R2", "associations"));
  EXPECT_EQ(form.article.doc_type, "Formulaire");
  r = Run({"import", "kb", "--format", "vdd-json", dir_.File("nowhere")});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is not a folder"), std::string::npos) << r.err;
}

GUICHET_INSTANTIATE_STORE_TEST(ImportKbTest);

}  // namespace
}  // namespace guichet::app
