// Unit tests of the web pages' building blocks (src/server/web): form decoding, languages,
// catalogues against the templates, escaping, the CSRF token of forms.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "server/web/assets.h"
#include "server/web/form.h"
#include "server/web/multipart.h"
#include "server/web/page.h"

namespace guichet::server::web {
namespace {

using json = nlohmann::json;

TEST(FormTest, DecodesWhatBrowsersPost) {
  auto form = ParseForm("subject=Trou+dans+la+rue&description=caf%C3%A9%26th%C3%A9&empty=&flag");
  ASSERT_TRUE(form.ok()) << form.status().message();
  EXPECT_EQ(form->Value("subject"), "Trou dans la rue");
  EXPECT_EQ(form->Value("description"), "café&thé");
  EXPECT_EQ(form->Get("empty"), "");
  EXPECT_EQ(form->Get("flag"), "");
  EXPECT_FALSE(form->Get("missing").has_value());
  EXPECT_EQ(ParseForm("a=1&a=2")->Value("a"), "1");
  EXPECT_TRUE(ParseForm("")->Value("a").empty());
}

TEST(FormTest, RefusesMalformedForms) {
  for (const char* bad : {"a=%zz", "a=%4", "a=%", "a=%C3%28", "%FF=1"}) {
    auto form = ParseForm(bad);
    EXPECT_FALSE(form.ok()) << bad;
    EXPECT_EQ(form.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  std::string many;
  for (int i = 0; i < 51; ++i) many += "f" + std::to_string(i) + "=x&";
  auto form = ParseForm(many);
  ASSERT_FALSE(form.ok());
  EXPECT_NE(form.status().message().find("more than 50 fields"), std::string::npos);
}

constexpr char kType[] = "multipart/form-data; boundary=XyZ";

std::string Part(const std::string& disposition, const std::string& body,
                 const std::string& type = "") {
  return "--XyZ\r\nContent-Disposition: form-data; " + disposition + "\r\n" +
         (type.empty() ? "" : "Content-Type: " + type + "\r\n") + "\r\n" + body + "\r\n";
}

TEST(MultipartTest, ReadsFieldsAndFiles) {
  const std::string body =
      Part("name=\"subject\"", "Trottoir abîmé") +
      Part("name=\"attachments\"; filename=\"a/b/photo.png\"", "\x89PNG..", "image/PNG; x=y") +
      Part("name=\"attachments\"; filename=\"\"", "",
           "application/octet-stream") +  // an input left empty
      "--XyZ--";                          // no CRLF after the last one
  auto form = ParseMultipartForm(kType, body);
  ASSERT_TRUE(form.ok()) << form.status().message();
  EXPECT_EQ(form->fields.Value("subject"), "Trottoir abîmé");
  ASSERT_EQ(form->files.size(), 1u);
  EXPECT_EQ(form->files[0].field, "attachments");
  EXPECT_EQ(form->files[0].filename, "photo.png");
  EXPECT_EQ(form->files[0].content_type, "image/png");
  EXPECT_EQ(form->files[0].content, "\x89PNG..");
}

TEST(MultipartTest, RefusesMalformedOrOversizedForms) {
  const std::string one = Part("name=\"a\"", "1");
  EXPECT_FALSE(ParseMultipartForm("application/x-www-form-urlencoded", one + "--XyZ--").ok());
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data", one + "--XyZ--").ok());  // no boundary
  EXPECT_FALSE(ParseMultipartForm(kType, one).ok());                              // never closed
  EXPECT_FALSE(ParseMultipartForm(kType, "--XyZ\r\nnot a header\r\n\r\nx\r\n--XyZ--\r\n").ok());
  EXPECT_FALSE(ParseMultipartForm(kType, Part("filename=\"x\"", "1") + "--XyZ--").ok());
  EXPECT_FALSE(ParseMultipartForm(kType, Part("name=\"a\"", "\xff") + "--XyZ--").ok());
  EXPECT_FALSE(
      ParseMultipartForm(kType, Part("name=\"f\"; filename=\"\xff.txt\"", "x") + "--XyZ--").ok());
  MultipartLimits limits;
  limits.max_fields = 1;
  limits.max_files = 1;
  limits.max_text = 4;
  EXPECT_TRUE(ParseMultipartForm(kType, one + "--XyZ--", limits).ok());
  auto refused = ParseMultipartForm(kType, one + one + "--XyZ--", limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "the form has more than 1 fields");
  const std::string file = Part("name=\"f\"; filename=\"x.txt\"", "x", "text/plain");
  EXPECT_FALSE(ParseMultipartForm(kType, file + file + "--XyZ--", limits).ok());
  EXPECT_FALSE(ParseMultipartForm(kType, Part("name=\"a\"", "12345") + "--XyZ--", limits).ok());
}

TEST(PageTest, EveryTextATemplateUsesIsInEveryCatalogue) {
  std::set<std::string> keys_fr, keys_en;
  for (const auto& [lang, keys] : {std::pair{"fr", &keys_fr}, std::pair{"en", &keys_en}}) {
    const WebAsset* a = FindAsset(std::string("i18n/") + lang + ".json");
    ASSERT_NE(a, nullptr) << lang;
    const json catalogue = json::parse(a->content);
    for (const auto& [key, value] : catalogue.items()) {
      EXPECT_TRUE(value.is_string() && !value.get<std::string>().empty()) << lang << " " << key;
      keys->insert(key);
    }
  }
  EXPECT_EQ(keys_fr, keys_en);
  const std::regex used(R"(\{\{[#^/]?t\.([a-z_]+)\}\})");
  int templates = 0;
  for (const WebAsset& a : AllAssets()) {
    if (!a.path.starts_with("templates/")) continue;
    ++templates;
    const std::string text(a.content);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), used);
         it != std::sregex_iterator(); ++it)
      EXPECT_TRUE(keys_fr.count((*it)[1])) << a.path << ": t." << (*it)[1];
  }
  EXPECT_GE(templates, 5);
}

HttpContext Context(std::map<std::string, std::string> query = {},
                    std::map<std::string, std::string> headers = {}) {
  HttpContext ctx;
  ctx.path = "/demande";
  ctx.query = std::move(query);
  ctx.headers = std::move(headers);
  return ctx;
}

TEST(PageTest, PicksTheReadersLanguage) {
  EXPECT_EQ(PageLanguage(Context()), "fr");
  EXPECT_EQ(PageLanguage(Context({{"lang", "en"}})), "en");
  EXPECT_EQ(PageLanguage(Context({{"lang", "de"}}, {{"accept-language", "en-US,en;q=0.8"}})), "en");
  EXPECT_EQ(PageLanguage(Context({}, {{"accept-language", "de-DE, fr-CA;q=0.5, en"}})), "fr");
  EXPECT_EQ(PageLanguage(Context({}, {{"accept-language", "*"}})), "fr");
  EXPECT_EQ(Text("en", "nav_home"), "Home");
  EXPECT_EQ(Text("xx", "nav_home"), "Accueil");  // an unknown language reads French
  EXPECT_EQ(Text("fr", "no_such_key"), "no_such_key");
}

TEST(PageTest, ValuesAreEscapedAndTheLayoutIsComplete) {
  Page page("message", "<b>titre</b>");
  page.data = {{"heading", "<script>alert(1)</script>"}, {"text", "\"><img src=x>"}};
  const HttpResponse r = RenderPage(Context({{"q", "a&b"}}), page);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body.find("<script>alert"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("&quot;&gt;&lt;img src=x&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("<title>&lt;b&gt;titre&lt;/b&gt; — Guichet</title>"), std::string::npos);
  EXPECT_NE(r.body.find("<html lang=\"fr\" dir=\"ltr\">"), std::string::npos);
  // The other language's link keeps the query, escaped.
  EXPECT_NE(r.body.find("href=\"/demande?lang=en&amp;q=a%26b\""), std::string::npos);
  bool policy = false;
  for (const auto& [name, value] : r.headers)
    if (name == "Content-Security-Policy") {
      policy = true;
      EXPECT_EQ(value.find("unsafe-inline"), std::string::npos);
      EXPECT_NE(value.find("script-src 'self'"), std::string::npos);
    }
  EXPECT_TRUE(policy);
}

TEST(PageTest, FormsGetATokenThatTheirPostMustEcho) {
  Page page("follow", "Suivre");
  page.has_form = true;
  const HttpResponse first = RenderPage(Context(), page);
  std::string cookie;
  for (const auto& [name, value] : first.headers)
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  ASSERT_EQ(cookie.rfind("guichet_csrf=", 0), 0u);
  const std::string token = cookie.substr(13);
  EXPECT_GE(token.size(), 32u);

  // The same visitor keeps their token; the post must carry it.
  HttpContext again = Context({}, {{"cookie", "a=b; " + cookie}});
  const HttpResponse second = RenderPage(again, page);
  for (const auto& [name, value] : second.headers) EXPECT_NE(name, "Set-Cookie");
  EXPECT_TRUE(FormTokenMatches(again, *ParseForm("csrf_token=" + token)));
  EXPECT_FALSE(FormTokenMatches(again, *ParseForm("csrf_token=" + token + "x")));
  EXPECT_FALSE(FormTokenMatches(again, *ParseForm("other=1")));
  EXPECT_FALSE(FormTokenMatches(Context(), *ParseForm("csrf_token=" + token)));  // no cookie
  // A signed-in reader's forms carry their session's token.
  HttpContext signed_in = Context();
  signed_in.principal.via_session = true;
  signed_in.principal.csrf_token = std::string(32, 'k');
  EXPECT_TRUE(FormTokenMatches(signed_in, *ParseForm("csrf_token=" + std::string(32, 'k'))));
  EXPECT_FALSE(FormTokenMatches(signed_in, *ParseForm("csrf_token=" + token)));
}

TEST(PageTest, QueryEscapeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(QueryEscape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(QueryEscape("AZaz09-_.~"), "AZaz09-_.~");
}

}  // namespace
}  // namespace guichet::server::web
