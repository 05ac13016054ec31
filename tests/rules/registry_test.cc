// The scheme registry (rules/registry.h): a folder loaded all or nothing, with file:line:col
// messages relative to it, ids that can be URL segments, and the JSON description of a scheme.
#include "rules/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace guichet::rules {
namespace {

namespace fs = std::filesystem;

constexpr char kMinimal[] = R"(
[scheme]
id = "ID"
title_fr = "Essai"
title_en = "Test"
valid_from = 2025-01-01
[facts.inscrit]
type = "bool"
question_fr = "Inscrit ?"
question_en = "Registered?"
[[rules]]
id = "inscription"
condition = "inscrit"
fr = "Inscrit."
en = "Registered."
legal = { text = "Règlement", article = "1" }
)";

std::string Minimal(const std::string& id) {
  std::string text = kMinimal;
  text.replace(text.find("ID"), 2, id);
  return text;
}

class Folder {
 public:
  // The process id in the name: ctest runs each test in its own process, in parallel.
  Folder()
      : path_(fs::path(::testing::TempDir()) /
              ("registry_" + std::to_string(::getpid()) + "_" + std::to_string(++count_))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Folder() { fs::remove_all(path_); }
  void Write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative) << text;
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int count_ = 0;
  fs::path path_;
};

TEST(SchemeRegistryTest, LoadsTheExamplesSortedById) {
  auto registry = LoadSchemeRegistry(GUICHET_RULES_EXAMPLES);
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  std::vector<std::string> ids;
  for (const Scheme& s : registry->schemes()) ids.push_back(s.id());
  EXPECT_EQ(ids, (std::vector<std::string>{"aide-seniors", "cantine", "declaration-travaux",
                                           "stationnement-residentiel"}));
  const Scheme* cantine = registry->Find("cantine");
  ASSERT_NE(cantine, nullptr);
  EXPECT_EQ(cantine->source_name(), "cantine/scheme.toml");  // relative: no server paths
  EXPECT_EQ(registry->Find("cantin"), nullptr);
  EXPECT_EQ(registry->Find(""), nullptr);
}

TEST(SchemeRegistryTest, AnEmptyFolderHasNoSchemesAndAMissingOneIsAnError) {
  Folder empty;
  auto registry = LoadSchemeRegistry(empty.path());
  ASSERT_TRUE(registry.ok());
  EXPECT_TRUE(registry->schemes().empty());
  auto missing = LoadSchemeRegistry(empty.path() + "/nowhere");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(SchemeRegistry().schemes().empty());
}

TEST(SchemeRegistryTest, OneBrokenFileFailsTheWholeFolderWithEveryMessage) {
  Folder folder;
  folder.Write("a/scheme.toml", Minimal("a"));
  folder.Write("b/scheme.toml", Minimal("b") + "colour = 1\n");
  folder.Write("c/deep/scheme.toml", "[scheme\n");
  folder.Write("d/notes.toml", "not a scheme, not read");
  auto registry = LoadSchemeRegistry(folder.path());
  ASSERT_FALSE(registry.ok());
  const std::string& m = registry.status().message();
  EXPECT_NE(m.find("b/scheme.toml:"), std::string::npos) << m;
  EXPECT_NE(m.find("c/deep/scheme.toml:1:"), std::string::npos) << m;
  EXPECT_EQ(m.find("a/scheme.toml"), std::string::npos) << m;
  EXPECT_EQ(m.find(folder.path()), std::string::npos) << m;
}

TEST(SchemeRegistryTest, IdsAreUniqueAndUsableInUrls) {
  Folder folder;
  folder.Write("one/scheme.toml", Minimal("aide"));
  folder.Write("two/scheme.toml", Minimal("aide"));
  auto twice = LoadSchemeRegistry(folder.path());
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find(
                "two/scheme.toml:1:1: scheme id \"aide\" is already used by one/scheme.toml"),
            std::string::npos)
      << twice.status().message();

  auto spaced = LoadScheme(Minimal("aide sociale"), "x.toml");
  ASSERT_TRUE(spaced.ok()) << spaced.status().ToString();
  auto refused = SchemeRegistry::FromSchemes({*spaced});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("it is part of the URL"), std::string::npos);
}

TEST(SchemeRegistryTest, DescribesASchemeForTheApi) {
  auto registry = LoadSchemeRegistry(GUICHET_RULES_EXAMPLES);
  ASSERT_TRUE(registry.ok());
  const Scheme& cantine = *registry->Find("cantine");
  const nlohmann::json summary = SchemeSummaryJson(cantine);
  EXPECT_EQ(summary["id"], "cantine");
  EXPECT_EQ(summary["example"], true);
  EXPECT_EQ(summary["automatic_approval"], true);
  EXPECT_EQ(summary["valid_from"], "2023-09-01");
  EXPECT_EQ(summary["valid_to"], "2026-08-31");
  EXPECT_EQ(summary["authority"], "Ville d'exemple");
  EXPECT_FALSE(summary.contains("facts"));

  const nlohmann::json d = SchemeDetailJson(cantine);
  const nlohmann::json& facts = d["facts"];
  ASSERT_EQ(facts.size(), 5u);
  EXPECT_EQ(facts[0]["values"], nlohmann::json({"ville", "hors_commune"}));
  EXPECT_EQ(facts[2]["max_years_ago"], 20);
  EXPECT_EQ(facts[3]["max"], "100000.00");
  EXPECT_EQ(facts[4]["min"], 1.0);
  EXPECT_EQ(facts[4]["type"], "decimal");
  ASSERT_EQ(d["tables"].size(), 1u);
  const nlohmann::json& periods = d["tables"][0]["periods"];
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0]["valid_to"], "2024-08-31");
  EXPECT_EQ(periods[1]["valid_to"], nullptr);
  EXPECT_EQ(periods[1]["rows"][1],
            nlohmann::json({{"from", "450.00"}, {"to", "700.00"}, {"value", "1.90"}}));
  EXPECT_EQ(d["rules"][1]["on_fail"], "needs_review");
  EXPECT_EQ(d["rules"][1]["legal"]["text"], "Règlement de la restauration scolaire (exemple)");
  EXPECT_EQ(d["derived"][0]["id"], "quotient_familial");
  EXPECT_EQ(d["derived"][0]["type"], "money");
  EXPECT_EQ(d["amount"]["legal"]["article"], "article 1er");
}

}  // namespace
}  // namespace guichet::rules
