// Knowledge-base articles: the wire names of statuses and formats round trip, and validation
// names every broken rule with its field (limits at their exact edge, bad links, bad ids).
#include "core/kb.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace guichet::core {
namespace {

KbArticle Valid() {
  KbArticle a;
  a.external_id = "F2211";
  a.audience = "particuliers";
  a.doc_type = "Question-réponse";
  a.title = "Que faire en cas de difficultés pour payer son loyer ?";
  a.summary = "Vous avez des difficultés à payer votre loyer ?";
  a.body = "<p>Contactez votre bailleur.</p>\n<p>Puis la Caf.</p>";
  a.format = ArticleFormat::kHtml;
  a.themes = {"Logement"};
  a.keywords = {"loyer", "impayé"};
  a.legal_refs = {{"R1", "Loi n° 89-462", "https://www.legifrance.gouv.fr/x", "Texte"}};
  a.offices = {{"caf", "Caisse d'allocations familiales (Caf)", "caf"}};
  a.online_services = {{"R2", "Simulateur", "https://www.service-public.fr/simulateur", ""}};
  a.related_ids = {"F1234", "R-56_7.a"};
  a.source_url = "https://www.service-public.fr/particuliers/vosdroits/F2211";
  return a;
}

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

TEST(KbTest, StatusAndFormatNamesRoundTrip) {
  const std::vector<std::string_view> statuses = {"draft", "published", "archived"};
  ASSERT_EQ(std::vector<std::string_view>(ArticleStatusNames().begin(), ArticleStatusNames().end()),
            statuses);
  for (size_t i = 0; i < statuses.size(); ++i) {
    auto parsed = ParseArticleStatus(statuses[i]);
    ASSERT_TRUE(parsed.has_value()) << statuses[i];
    EXPECT_EQ(static_cast<size_t>(*parsed), i);
    EXPECT_EQ(ToString(*parsed), statuses[i]);
  }
  const std::vector<std::string_view> formats = {"html", "markdown", "text"};
  ASSERT_EQ(std::vector<std::string_view>(ArticleFormatNames().begin(), ArticleFormatNames().end()),
            formats);
  for (size_t i = 0; i < formats.size(); ++i) {
    auto parsed = ParseArticleFormat(formats[i]);
    ASSERT_TRUE(parsed.has_value()) << formats[i];
    EXPECT_EQ(ToString(*parsed), formats[i]);
  }
  for (std::string_view bad : {"", "Draft", "published ", "deleted", "md", "HTML"}) {
    EXPECT_FALSE(ParseArticleStatus(bad).has_value()) << bad;
    EXPECT_FALSE(ParseArticleFormat(bad).has_value()) << bad;
  }
}

TEST(KbTest, AValidArticlePasses) {
  EXPECT_TRUE(ValidateArticle(Valid()).empty());
  KbArticle minimal;
  minimal.title = "Horaires de la mairie";
  EXPECT_TRUE(ValidateArticle(minimal).empty()) << "a title is all a draft needs";
}

TEST(KbTest, LimitsHoldAtTheirEdge) {
  KbArticle a = Valid();
  // Code points, not bytes: "é" is two bytes.
  a.title = std::string(kMaxArticleTitle - 1, 'x') + "é";
  a.summary = std::string(kMaxArticleSummary, 'y');
  a.body = std::string(kMaxArticleBodyBytes, 'z');
  EXPECT_TRUE(ValidateArticle(a).empty());
  a.title += "x";
  a.summary += "y";
  a.body += "z";
  const auto errors = ValidateArticle(a);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"title", "summary", "body"}));
  EXPECT_EQ(errors[0].reason, "is longer than 300 characters");
  EXPECT_EQ(errors[2].reason, "is larger than 500 KB (512001 bytes)");
}

TEST(KbTest, TitleIsRequiredAndSingleLine) {
  KbArticle a = Valid();
  a.title = "  ";
  EXPECT_EQ(Fields(ValidateArticle(a)), std::vector<std::string>{"title"});
  a.title = "Deux\nlignes";
  ASSERT_EQ(Fields(ValidateArticle(a)), std::vector<std::string>{"title"});
  EXPECT_EQ(ValidateArticle(a)[0].reason, "contains control characters or line breaks");
  a.title = "Bon titre";
  a.body = "Ligne 1\r\n\tLigne 2";  // breaks and tabs belong to long texts
  EXPECT_TRUE(ValidateArticle(a).empty());
  a.body = std::string("nul \0 byte", 10);
  EXPECT_EQ(Fields(ValidateArticle(a)), std::vector<std::string>{"body"});
}

TEST(KbTest, InvalidUtf8IsNamed) {
  KbArticle a = Valid();
  a.summary = "caf\xC3";
  a.themes = {"Logement", "\xFF"};
  const auto errors = ValidateArticle(a);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"summary", "themes[1]"}));
  EXPECT_EQ(errors[0].reason, "is not valid UTF-8");
}

TEST(KbTest, IdsAreShortAndPlain) {
  KbArticle a = Valid();
  a.external_id = "F 22";
  a.related_ids = {"F1", "", "<script>"};
  EXPECT_EQ(Fields(ValidateArticle(a)),
            (std::vector<std::string>{"external_id", "related_ids[1]", "related_ids[2]"}));
  a = Valid();
  a.external_id = std::string(kMaxArticleExternalId + 1, 'F');
  EXPECT_EQ(Fields(ValidateArticle(a)), std::vector<std::string>{"external_id"});
}

TEST(KbTest, LinksAreHttpAddresses) {
  KbArticle a = Valid();
  a.source_url = "javascript:alert(1)";
  a.legal_refs = {{"", "Code civil", "ftp://example.org/x", ""}, {"", "", "", ""}};
  a.online_services = {{"", "Service", "HTTPS://EXAMPLE.ORG/ok", ""},
                       {"", "Service", "https://example.org/a b", ""}};
  a.offices = {{"", "", "mairie"}};
  EXPECT_EQ(Fields(ValidateArticle(a)),
            (std::vector<std::string>{"legal_refs[0].url", "legal_refs[1]",
                                      "online_services[1].url", "offices[0]", "source_url"}));
}

TEST(KbTest, ListsAreBounded) {
  KbArticle a = Valid();
  a.keywords.assign(kMaxArticleWords + 1, "mot");
  a.related_ids.assign(kMaxArticleLinks + 1, "F1");
  a.themes = {"Logement", ""};
  EXPECT_EQ(Fields(ValidateArticle(a)),
            (std::vector<std::string>{"themes[1]", "keywords", "related_ids"}));
}

TEST(KbTest, LanguageIsATag) {
  KbArticle a = Valid();
  a.language = "français";
  EXPECT_EQ(Fields(ValidateArticle(a)), std::vector<std::string>{"language"});
  a.language = "pt-BR";
  EXPECT_TRUE(ValidateArticle(a).empty());
}

}  // namespace
}  // namespace guichet::core
