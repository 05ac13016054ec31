// Unit tests of knowledge-base search (src/kb/search.h) on a handful of articles written here.
#include "kb/search.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace guichet::kb {
namespace {

core::KbArticle Article(std::int64_t id, std::string external_id, std::string title,
                        std::string body, std::string doc_type = "Fiche pratique",
                        std::string audience = "particuliers") {
  core::KbArticle a;
  a.id = id;
  a.external_id = std::move(external_id);
  a.title = std::move(title);
  a.summary = "";
  a.body = std::move(body);
  a.doc_type = std::move(doc_type);
  a.audience = std::move(audience);
  a.themes = {"Social - Santé"};
  a.status = core::ArticleStatus::kPublished;
  return a;
}

std::vector<core::KbArticle> Fixture() {
  std::vector<core::KbArticle> articles = {
      Article(1, "F1", "Aide personnalisée au logement (APL)",
              "L'aide personnalisée au logement est versée par la Caf pour réduire le loyer."),
      Article(2, "F2", "Revenu de solidarité active (RSA)",
              "Le RSA assure aux personnes sans ressources un niveau minimum de revenu."),
      Article(3, "F3", "Carte de séjour temporaire",
              "Un étranger peut obtenir une carte de séjour pour travailler en France."),
      Article(4, "F4", "Fin d'un contrat à durée déterminée",
              "Le contrat à durée déterminée prend fin à la date prévue. Une indemnité de fin de "
              "contrat est due au salarié.",
              "Question-réponse"),
      Article(5, "F5", "Licenciement pour motif personnel",
              "L'employeur doit convoquer le salarié à un entretien préalable au licenciement."),
      Article(6, "F5", "Licenciement pour motif personnel",
              "L'employeur doit convoquer le salarié à un entretien préalable au licenciement.",
              "Fiche pratique", "professionnels"),
      Article(7, "F7", "Congés payés du salarié",
              "Le salarié a droit à 2,5 jours ouvrables de congés payés par mois de travail."),
  };
  for (int i = 0; i < 3; ++i)  // the spelling table ignores words seen once
    articles.push_back(Article(100 + i, "R" + std::to_string(i), "Allocation logement formulaire",
                               "Formulaire de demande d'allocation et de licenciement.",
                               "Formulaire"));
  return articles;
}

std::unique_ptr<SearchIndex> Index(RankingOptions options = {}) {
  auto index = SearchIndex::InMemory(options);
  EXPECT_TRUE(index.ok());
  for (const core::KbArticle& a : Fixture()) EXPECT_TRUE((*index)->Put(a).ok());
  EXPECT_TRUE((*index)->Commit().ok());
  return std::move(*index);
}

SearchResults Find(const SearchIndex& index, const std::string& text, std::string audience = "") {
  SearchQuery q;
  q.text = text;
  q.audience = std::move(audience);
  const auto r = index.Search(q);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : SearchResults{};
}

std::string Top(const SearchIndex& index, const std::string& text) {
  const SearchResults r = Find(index, text);
  return r.hits.empty() ? "" : r.hits[0].external_id;
}

TEST(SearchTest, FoldsCaseAccentsAndElisions) {
  const auto index = Index();
  EXPECT_EQ(Top(*index, "CONGES PAYES"), "F7");
  EXPECT_EQ(Top(*index, "l'entretien préalable"), "F5");
  EXPECT_EQ(Top(*index, "sejour etranger"), "F3");
}

TEST(SearchTest, WordsTypedWithoutAccentsShareTheStemOfTheirAccentedForms) {
  const auto index = Index();
  // "payer" and "payés" share the stem the articles have; folded "payes" alone would not.
  EXPECT_EQ(Top(*index, "conge payer"), "F7");
  EXPECT_EQ(Top(*index, "conges payes"), "F7");
  const SearchResults r = Find(*index, "conge payer");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_NE(r.hits[0].snippet_html.find("<mark>payés</mark>"), std::string::npos)
      << r.hits[0].snippet_html;
}

TEST(SearchTest, ATitleTheQueryCoversComesFirst) {
  // Three articles say "congés payés" many times; only one is about it, and its title says so.
  std::vector<core::KbArticle> articles;
  const std::string often = "Les congés payés du salarié. Congés payés et congés payés. ";
  articles.push_back(Article(1, "A1", "Arrêt maladie et congés payés annuels", often + often));
  articles.push_back(Article(2, "A2", "Indemnité compensatrice de congés payés", often + often));
  articles.push_back(Article(3, "A3", "Congés payés", "Tout salarié a droit à des congés payés."));
  articles.push_back(Article(4, "A4", "Préavis", "Le préavis pendant les congés payés."));
  for (const bool cover : {true, false}) {
    RankingOptions options;
    if (!cover) options.title_cover_weight = 0;
    auto index = SearchIndex::InMemory(options);
    ASSERT_TRUE(index.ok());
    for (const core::KbArticle& a : articles) ASSERT_TRUE((*index)->Put(a).ok());
    ASSERT_TRUE((*index)->Commit().ok());
    const SearchResults r = Find(**index, "congé payé");
    ASSERT_EQ(r.hits.size(), 4u);
    if (cover) {
      EXPECT_EQ(r.hits[0].external_id, "A3");
    } else {
      EXPECT_NE(r.hits[0].external_id, "A3");  // what the bonus is for
    }
    // Paging still follows the reordered list.
    SearchQuery second;
    second.text = "congé payé";
    second.offset = 1;
    second.limit = 1;
    const auto page = (*index)->Search(second);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->hits.size(), 1u);
    EXPECT_EQ(page->hits[0].external_id, r.hits[1].external_id);
  }
}

TEST(SearchTest, ExpandsAbbreviationsCitizensType) {
  const auto index = Index();
  EXPECT_EQ(Top(*index, "fin de cdd"), "F4");
  EXPECT_EQ(Top(*index, "titre de séjour"), "F3");  // a synonym of "carte de séjour"
}

TEST(SearchTest, CorrectsMisspelledWordsAndSaysSo) {
  const auto index = Index();
  const SearchResults r = Find(*index, "licensiement");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].external_id, "F5");
  EXPECT_EQ(r.did_you_mean, "licenciement");
  EXPECT_EQ(Find(*index, "licenciement").did_you_mean, "");
}

TEST(SearchTest, OneHitPerFicheUnlessFilteredByAudience) {
  const auto index = Index();
  const SearchResults all = Find(*index, "licenciement motif personnel");
  int f5 = 0;
  for (const SearchHit& h : all.hits) f5 += h.external_id == "F5";
  EXPECT_EQ(f5, 1);
  const SearchResults pro = Find(*index, "licenciement motif personnel", "professionnels");
  ASSERT_EQ(pro.hits.size(), 1u);
  EXPECT_EQ(pro.hits[0].article_id, 6);
}

TEST(SearchTest, SnippetsAreEscapedAndMarkTheMatches) {
  auto index = SearchIndex::InMemory();
  ASSERT_TRUE(index.ok());
  core::KbArticle a = Article(1, "F1", "Loyer", "Le <b>loyer</b> & les charges : loyer impayé.");
  ASSERT_TRUE((*index)->Put(a).ok());
  const SearchResults r = Find(**index, "loyer");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].snippet_html,
            "Le &lt;b&gt;<mark>loyer</mark>&lt;/b&gt; &amp; les charges : <mark>loyer</mark> "
            "impayé.");
}

TEST(SearchTest, SnippetsShowThePassageWithTheMostQueryWords) {
  auto index = SearchIndex::InMemory();
  ASSERT_TRUE(index.ok());
  std::string body;
  for (int i = 0; i < 100; ++i) body += "texte sans rapport ";
  body += "ici le loyer impayé et la caution. ";
  for (int i = 0; i < 500; ++i) body += "encore du texte ";
  ASSERT_TRUE((*index)->Put(Article(1, "F1", "Titre", body + "loyer seul.")).ok());
  const SearchResults r = Find(**index, "loyer caution");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_TRUE(r.hits[0].snippet_html.starts_with(
      "… rapport ici le <mark>loyer</mark> impayé et la <mark>caution</mark>"))
      << r.hits[0].snippet_html;
  EXPECT_NE(r.hits[0].snippet_html.find("<mark>caution</mark>"), std::string::npos);
}

TEST(SearchTest, BadQueriesGetAnAnswerOrAClearError) {
  const auto index = Index();
  EXPECT_TRUE(Find(*index, "").hits.empty());
  EXPECT_TRUE(Find(*index, "   !!! ").hits.empty());
  Find(*index, std::string(10000, 'a'));
  Find(*index, "\"loyer AND (caf OR NOT\" *");
  Find(*index, "'; DROP TABLE articles; -- <script>alert(1)</script>");
  std::string words;
  for (int i = 0; i < 2000; ++i) words += "loyer caf ";
  EXPECT_FALSE(Find(*index, words).hits.empty());
  SearchQuery bad;
  bad.text = "\xff\xfe";
  EXPECT_EQ(index->Search(bad).status().code(), StatusCode::kInvalidArgument);
  bad.text = "loyer";
  bad.limit = 1000;
  EXPECT_EQ(index->Search(bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(SearchTest, DraftsAndArchivedArticlesLeaveTheIndex) {
  auto index = Index();
  core::KbArticle rsa = Fixture()[1];
  EXPECT_EQ(Top(*index, "rsa"), "F2");
  rsa.status = core::ArticleStatus::kArchived;
  ASSERT_TRUE(index->Put(rsa).ok());
  EXPECT_EQ(Top(*index, "revenu solidarite"), "");
  ASSERT_TRUE(index->Remove(1).ok());
  EXPECT_EQ(Top(*index, "aide personnalisee logement"), "R0");
}

TEST(SearchTest, CompletesTitlesFromWhatIsTyped) {
  const auto index = Index();
  const auto done = index->Complete("cong", "", 5);
  ASSERT_TRUE(done.ok());
  ASSERT_FALSE(done->empty());
  EXPECT_EQ((*done)[0].external_id, "F7");
  const auto two = index->Complete("carte de s", "", 5);
  ASSERT_TRUE(two.ok());
  ASSERT_FALSE(two->empty());
  EXPECT_EQ((*two)[0].title, "Carte de séjour temporaire");
  EXPECT_TRUE(index->Complete("", "", 5)->empty());
  EXPECT_FALSE(index->Complete("x", "", 500).ok());
}

// A folder index of the fixture, "applied" = 42 in its metadata, plus `extra` metadata.
void WriteFolderIndex(const std::string& folder,
                      const std::map<std::string, std::string>& extra = {}) {
  std::filesystem::remove_all(folder);
  auto index = SearchIndex::OpenFolder(folder);
  ASSERT_TRUE(index.ok()) << index.status().message();
  for (const core::KbArticle& a : Fixture()) ASSERT_TRUE((*index)->Put(a).ok());
  ASSERT_TRUE((*index)->SetMetadata("applied", "42").ok());
  for (const auto& [key, value] : extra) ASSERT_TRUE((*index)->SetMetadata(key, value).ok());
  ASSERT_TRUE((*index)->Commit().ok());
}

TEST(SearchTest, AFolderIndexSurvivesReopening) {
  const std::string folder = testing::TempDir() + "/kb-index-" + std::to_string(::getpid());
  WriteFolderIndex(folder);
  auto again = SearchIndex::OpenFolder(folder);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->ArticleCount(), Fixture().size());
  EXPECT_EQ(*(*again)->GetMetadata("applied"), "42");
  EXPECT_EQ(Top(**again, "rsa"), "F2");
  std::filesystem::remove_all(folder);
}

TEST(SearchTest, AFolderIndexOfAnotherFormatStartsAgainEmpty) {
  const std::string folder = testing::TempDir() + "/kb-index-old-" + std::to_string(::getpid());
  WriteFolderIndex(folder, {{"index_format", "1"}});  // written with an earlier analysis
  auto again = SearchIndex::OpenFolder(folder);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ((*again)->ArticleCount(), 0u);  // its owner indexes everything afresh
  EXPECT_EQ(*(*again)->GetMetadata("applied"), "");
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace guichet::kb
