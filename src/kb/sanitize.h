// Safe HTML for knowledge-base articles: an allow-list HTML sanitiser of our own, Markdown
// rendered by cmark (safe mode) then sanitised, and the one function pages call to show an
// article's body whatever its format.
//
// The sanitiser keeps p, br, h2–h4, ul/ol/li, strong/em/b/i, a (href only: http, https, mailto or
// a relative address, with rel="noopener"), table/thead/tbody/tr/th/td (colspan and rowspan
// only), blockquote, code and pre. Every other element is dropped and its text kept; script,
// style, iframe, svg, math, object, template and the like are dropped with their content. Every
// other attribute goes (on*, style, class, src…). Its output is built from those tags alone,
// balanced, with all text escaped, so what a browser makes of it does not depend on how the
// input was broken: unclosed or misnested tags, stray '<', unterminated comments, invalid UTF-8
// (replaced by U+FFFD), any size. It runs in time linear in the input and never fails.
// Well-formed character references are kept as written (`&eacute;`, `&#233;`); any other '&' is
// escaped. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/kb.h"

namespace guichet::kb {

// The allowed subset of `html` (see above).
std::string SanitizeHtml(std::string_view html);

// CommonMark to HTML with cmark in its safe mode (raw HTML and javascript:/data: links omitted),
// then through SanitizeHtml. Headings of level 1 lose their tag (an article page has its own
// title): write "## Heading" for the first level of an article's sections.
std::string RenderMarkdown(std::string_view markdown);

// Plain text as HTML: blank lines separate paragraphs, other line breaks become <br>.
std::string TextToHtml(std::string_view text);

// The article's body as safe HTML for a page, from its format (HTML is sanitised again on the
// way out: the store holds what was sanitised when written, and the rules may have tightened).
std::string RenderArticleBody(const core::KbArticle& article);

// The words of the article's body without markup, for search: HTML tags dropped (a block tag
// ends a line), entities decoded, Markdown rendered first; plain text as it is.
std::string PlainBody(const core::KbArticle& article);

// `text` with & < > " ' escaped, invalid UTF-8 replaced and control characters other than tab
// and line breaks dropped: for text and attribute values of pages.
std::string EscapeHtml(std::string_view text);

}  // namespace guichet::kb
