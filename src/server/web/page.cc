#include "server/web/page.h"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/web/assets.h"

namespace guichet::server::web {
namespace {

using json = nlohmann::json;
namespace mustache = kainjow::mustache;

constexpr std::string_view kOffered[] = {"fr", "en"};
constexpr char kCsrfCookie[] = "guichet_csrf";

// No inline script or style anywhere; forms post to this origin only.
constexpr char kPagePolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'";

bool Offered(std::string_view lang) {
  return std::find(std::begin(kOffered), std::end(kOffered), lang) != std::end(kOffered);
}

const json& Catalogue(std::string_view lang) {
  static const std::map<std::string, json, std::less<>> catalogues = [] {
    std::map<std::string, json, std::less<>> out;
    for (std::string_view l : kOffered) {
      const WebAsset* a = FindAsset("i18n/" + std::string(l) + ".json");
      json parsed = a ? json::parse(a->content, nullptr, false) : json();
      out.emplace(l, parsed.is_object() ? parsed : json::object());
    }
    return out;
  }();
  auto it = catalogues.find(Offered(lang) ? lang : kOffered[0]);
  return it->second;
}

mustache::data ToData(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (const auto& [key, value] : j.items()) d.set(key, ToData(value));
      return d;
    }
    case json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const json& item : j) d.push_back(ToData(item));
      return d;
    }
    case json::value_t::string:
      // An empty text is false, as in most mustache implementations: {{#error}} sections
      // then need no companion flag. As a value it still renders as nothing.
      if (j.get_ref<const std::string&>().empty())
        return mustache::data(mustache::data::type::bool_false);
      return mustache::data(j.get<std::string>());
    case json::value_t::boolean:
      return mustache::data(j.get<bool>() ? mustache::data::type::bool_true
                                          : mustache::data::type::bool_false);
    case json::value_t::null:
    case json::value_t::discarded:
      return mustache::data(mustache::data::type::bool_false);
    default:
      return mustache::data(j.dump());  // numbers
  }
}

// What rendering a template needs besides its values, worked out once from the templates: the
// partials it uses ({{> name}}, followed through the partials themselves) and, per language,
// the catalogue texts they show ({{t.key}}) as mustache values. Giving a render only these,
// rather than the whole catalogue and every template, keeps a page's cost to its own size.
struct TemplateNeeds {
  std::vector<std::pair<std::string, std::string_view>> partials;  // name, text
  std::map<std::string, mustache::data, std::less<>> texts;        // language → {key: text}
};

const std::map<std::string, TemplateNeeds, std::less<>>& AllTemplateNeeds() {
  static const std::map<std::string, TemplateNeeds, std::less<>> needs = [] {
    constexpr std::string_view kDir = "templates/", kExt = ".mustache";
    std::map<std::string, std::string_view, std::less<>> templates;
    for (const WebAsset& a : AllAssets())
      if (a.path.starts_with(kDir) && a.path.ends_with(kExt))
        templates.emplace(a.path.substr(kDir.size(), a.path.size() - kDir.size() - kExt.size()),
                          a.content);
    const std::regex partial_re(R"(\{\{>\s*([A-Za-z0-9_]+)\s*\}\})");
    const std::regex text_re(R"(\{\{[#^/&{]?\s*t\.([A-Za-z0-9_]+))");
    std::map<std::string, TemplateNeeds, std::less<>> out;
    for (const auto& [name, content] : templates) {
      TemplateNeeds& n = out[name];
      std::set<std::string> seen = {name}, keys;
      std::vector<std::string_view> pending = {content};
      while (!pending.empty()) {
        const std::string text(pending.back());
        pending.pop_back();
        for (std::sregex_iterator it(text.begin(), text.end(), text_re), end; it != end; ++it)
          keys.insert((*it)[1].str());
        for (std::sregex_iterator it(text.begin(), text.end(), partial_re), end; it != end; ++it) {
          const std::string partial = (*it)[1].str();
          auto found = templates.find(partial);
          if (found == templates.end() || !seen.insert(partial).second) continue;
          n.partials.emplace_back(partial, found->second);
          pending.push_back(found->second);
        }
      }
      for (std::string_view lang : kOffered) {
        mustache::data texts{mustache::data::type::object};
        const json& catalogue = Catalogue(lang);
        for (const std::string& key : keys)
          if (auto it = catalogue.find(key); it != catalogue.end() && it->is_string())
            texts.set(key, it->get<std::string>());
        n.texts.emplace(lang, std::move(texts));
      }
    }
    return out;
  }();
  return needs;
}

// `name` rendered with `values` and the catalogue texts of `lang`.
Result<std::string> Render(const std::string& name, const json& values, std::string_view lang) {
  const auto& all = AllTemplateNeeds();
  const auto needs = all.find(name);
  const WebAsset* asset = FindAsset("templates/" + name + ".mustache");
  if (!asset || needs == all.end()) return Internal("no template " + name);
  mustache::mustache tmpl{std::string(asset->content)};
  if (!tmpl.is_valid()) return Internal("template " + name + ": " + tmpl.error_message());
  mustache::data data = ToData(values);
  data.set("t", needs->second.texts.find(Offered(lang) ? lang : kOffered[0])->second);
  for (const auto& [partial, content] : needs->second.partials)
    data.set(partial, mustache::partial([content] { return std::string(content); }));
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) return Internal("template " + name + ": " + tmpl.error_message());
  return out;
}

std::string CookieValue(const HttpContext& ctx, std::string_view name) {
  const std::string header = ctx.Header("cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    const std::string_view item = Trim(std::string_view(header).substr(at, end - at));
    at = end + 1;
    if (item.size() > name.size() && item.starts_with(name) && item[name.size()] == '=')
      return std::string(item.substr(name.size() + 1));
  }
  return "";
}

// A CSRF token as RandomToken makes them (24 bytes or more).
bool IsToken(std::string_view s) { return LooksLikeToken(s, 32, 64); }

// The CSRF token the reader's forms carry, and the cookie to set when there was none.
std::string FormToken(const HttpContext& ctx,
                      std::vector<std::pair<std::string, std::string>>& headers) {
  if (ctx.principal.via_session) return ctx.principal.csrf_token;
  std::string token = CookieValue(ctx, kCsrfCookie);
  if (IsToken(token)) return token;
  token = RandomToken(24);
  headers.emplace_back("Set-Cookie",
                       std::string(kCsrfCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Lax" +
                           (ctx.options && ctx.options->secure_cookies ? "; Secure" : ""));
  return token;
}

HttpResponse HtmlResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Security-Policy", kPagePolicy);
  r.headers.emplace_back("Vary", "Accept-Language, Cookie");
  return r;
}

HttpResponse RenderFailed(const HttpContext& ctx, const Status& status) {
  LogEvent(LogLevel::kError, "page_render_failed",
           {{"request_id", ctx.request_id}, {"route", ctx.route}, {"error", status.message()}});
  return HtmlResponse(500,
                      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>"
                      "Erreur — Guichet</title></head><body><main><h1>Une erreur est survenue</h1>"
                      "<p lang=\"en\">Something went wrong.</p></main></body></html>\n");
}

// The current page in the other language: same path and query, `lang` changed.
std::string OtherLanguageUrl(const HttpContext& ctx, std::string_view other) {
  // "//host" or "/\host" would be a link to another site (the 404 page shows any path).
  const bool own =
      ctx.path.starts_with('/') && !ctx.path.starts_with("//") && !ctx.path.starts_with("/\\");
  std::string url = (own ? ctx.path : std::string("/")) + "?lang=" + std::string(other);
  for (const auto& [key, value] : ctx.query)
    if (key != "lang") url += "&" + QueryEscape(key) + "=" + QueryEscape(value);
  return url;
}

}  // namespace

std::string SizeText(std::int64_t bytes, std::string_view lang) {
  const bool fr = lang == "fr";
  if (bytes < 1024) return std::to_string(bytes) + (fr ? " octets" : " bytes");
  if (bytes < 1024 * 1024) return std::to_string((bytes + 1023) / 1024) + (fr ? " Kio" : " KiB");
  const std::int64_t tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024);
  return std::to_string(tenths / 10) + (fr ? "," : ".") + std::to_string(tenths % 10) +
         (fr ? " Mio" : " MiB");
}

std::string PageLanguage(const HttpContext& ctx) {
  if (auto lang = ctx.Query("lang"); lang && Offered(*lang)) return *lang;
  const std::string accept = ctx.Header("accept-language");
  std::size_t at = 0;
  while (at < accept.size()) {  // in the order given; q-values are rarely out of order
    std::size_t end = accept.find(',', at);
    if (end == std::string::npos) end = accept.size();
    std::string item = AsciiLower(Trim(std::string_view(accept).substr(at, end - at)));
    at = end + 1;
    item = item.substr(0, item.find_first_of("-;"));
    if (Offered(item)) return item;
  }
  return std::string(kOffered[0]);
}

std::string Text(std::string_view lang, std::string_view key) {
  const json& catalogue = Catalogue(lang);
  auto it = catalogue.find(key);
  return it != catalogue.end() && it->is_string() ? it->get<std::string>() : std::string(key);
}

HttpResponse RenderPage(const HttpContext& ctx, Page page) {
  const std::string lang = PageLanguage(ctx);
  const std::string other(lang == "fr" ? "en" : "fr");
  json& d = page.data;
  d["lang"] = lang;
  if (page.has_form) d["csrf_token"] = FormToken(ctx, page.headers);
  auto content = Render(page.template_name, d, lang);
  if (!content.ok()) return RenderFailed(ctx, content.status());
  json layout = {{"lang", lang},
                 {"dir", "ltr"},  // every offered language reads left to right
                 {"title", page.title},
                 {"content", *content},
                 {"other_language", other},
                 {"other_language_url", OtherLanguageUrl(ctx, other)}};
  if (ctx.principal.staff() && ctx.principal.via_session) {
    // The staff bar: their area, who is signed in, and signing out (a form: it changes state).
    layout["staff"] = true;
    layout["staff_name"] = ctx.principal.user->display_name;
    layout["staff_csrf"] = ctx.principal.csrf_token;
    // The dashboard's readers (routes/dashboard.cc): leads, admins and auditors.
    layout["staff_dashboard"] = !ctx.principal.Is(core::Role::kAgent);
    layout["staff_admin"] = ctx.principal.Is(core::Role::kAdmin) ||
                            ctx.principal.Is(core::Role::kAuditor);  // the admin pages they read
  } else if (ctx.principal.Is(core::Role::kCitizen) && ctx.principal.via_session) {
    layout["citizen"] = true;  // their requests, and signing out
    layout["account_name"] = ctx.principal.user->display_name;
    layout["account_csrf"] = ctx.principal.csrf_token;
  } else if (ctx.principal.anonymous()) {
    layout["anonymous"] = true;  // a link to sign in
  }
  auto html = Render("layout", layout, lang);
  if (!html.ok()) return RenderFailed(ctx, html.status());
  HttpResponse r = HtmlResponse(page.status, std::move(*html));
  r.headers.emplace_back("Content-Language", lang);
  for (auto& h : page.headers) r.headers.push_back(std::move(h));
  return r;
}

HttpResponse RenderFragment(const HttpContext& ctx, const std::string& template_name, json data) {
  const std::string lang = PageLanguage(ctx);
  data["lang"] = lang;
  auto content = Render(template_name, data, lang);
  if (!content.ok()) return RenderFailed(ctx, content.status());
  return HtmlResponse(200, std::move(*content));
}

HttpResponse SeeOther(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", location);
  return r;
}

HttpResponse MessagePage(const HttpContext& ctx, int status, std::string_view title_key,
                         std::string_view text_key) {
  const std::string lang = PageLanguage(ctx);
  Page page{"message", Text(lang, title_key)};
  page.status = status;
  page.data = {{"heading", Text(lang, title_key)}, {"text", Text(lang, text_key)}};
  return RenderPage(ctx, std::move(page));
}

bool FormTokenMatches(const HttpContext& ctx, const FormFields& form) {
  const std::string expected =
      ctx.principal.via_session ? ctx.principal.csrf_token : CookieValue(ctx, kCsrfCookie);
  return IsToken(expected) && ConstantTimeEquals(form.Value("csrf_token"), expected);
}

std::string DateTimeText(Millis t) {
  const std::string iso = FormatIso8601(t);  // 2026-11-29T18:23:05.123Z
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string QueryEscape(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace guichet::server::web
