// Private to src/server: server-rendered HTML pages. A page is a mustache template of
// web/templates rendered into the layout, with the message catalogue of the reader's language
// (web/i18n/<lang>.json); mustache escapes every {{value}}, so only {{{triple}}} values — HTML
// this server made safe — go out as they are. Pages carry a Content-Security-Policy without
// inline code, and forms a CSRF token. Thread-safe: templates and catalogues are constant.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http.h"
#include "server/web/form.h"

namespace guichet::server::web {

// The reader's language: ?lang= when it is offered (fr, en), else the first offered language of
// Accept-Language, else French.
std::string PageLanguage(const HttpContext& ctx);

// The text of `key` in the catalogue of `lang`; the key itself when it is missing (a test checks
// that every key used is in every catalogue).
std::string Text(std::string_view lang, std::string_view key);

struct Page {
  Page(std::string name, std::string page_title)
      : template_name(std::move(name)), title(std::move(page_title)) {}

  std::string template_name;                       // "home" → web/templates/home.mustache
  std::string title;                               // the document title, in the page's language
  nlohmann::json data = nlohmann::json::object();  // the template's values
  int status = 200;
  bool has_form = false;  // posts a form: gets `csrf_token` (and its cookie when needed)
  std::vector<std::pair<std::string, std::string>> headers;
};

// `page` inside the layout, in the reader's language. A template that fails to render gives a
// plain 500 page (and a log line), never a half page.
HttpResponse RenderPage(const HttpContext& ctx, Page page);

// A template alone, without the layout: the fragments htmx swaps into a page.
HttpResponse RenderFragment(const HttpContext& ctx, const std::string& template_name,
                            nlohmann::json data);

// A 303 to `location`: post/redirect/get, or to the sign-in page.
HttpResponse SeeOther(const std::string& location);

// A page with a heading and one paragraph (not found, form expired…), both catalogue keys.
HttpResponse MessagePage(const HttpContext& ctx, int status, std::string_view title_key,
                         std::string_view text_key);

// Whether a posted form carries the reader's CSRF token: the session's for a signed-in reader,
// else the one of the guichet_csrf cookie that RenderPage set with the form (SameSite=Lax, so
// that arriving from a link elsewhere keeps it and the forms already open keep working).
bool FormTokenMatches(const HttpContext& ctx, const FormFields& form);

// "2026-11-29 18:23 UTC": a time readable in both languages without a locale library.
std::string DateTimeText(Millis t);

// "512 octets", "24 Kio", "3,4 Mio" (en: bytes, KiB, MiB): a file's size for a reader.
std::string SizeText(std::int64_t bytes, std::string_view lang);

// `value` percent-encoded for a query string.
std::string QueryEscape(std::string_view value);

}  // namespace guichet::server::web
