#include "kb/sanitize.h"

#include <cmark.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "common/text.h"

namespace guichet::kb {
namespace {

// Deeper nesting than this is an attack or a broken file, not an article: further tags are
// dropped (their text kept), so closing what is open stays cheap.
constexpr size_t kMaxDepth = 100;
// Attributes read per tag; the rest are parsed and ignored.
constexpr size_t kMaxAttributes = 64;

constexpr std::array<std::string_view, 21> kAllowed = {
    "p", "h2",    "h3",    "h4",    "ul", "ol", "li", "strong",     "em",   "b",  "i",
    "a", "table", "thead", "tbody", "tr", "th", "td", "blockquote", "code", "pre"};
// Elements whose content is raw text to the browser: dropped with everything up to their end
// tag (or the end of the input).
constexpr std::array<std::string_view, 10> kRawText = {
    "script", "style",   "iframe",   "textarea", "title",
    "xmp",    "noembed", "noframes", "noscript", "plaintext"};
// Elements dropped with their content, counting nested ones of the same name.
constexpr std::array<std::string_view, 11> kDroppedWithContent = {
    "svg",   "math",  "object", "applet",   "template", "select",
    "audio", "video", "canvas", "frameset", "button"};
// Dropped elements that separate text: a line break stands in for them so that words stay apart.
constexpr std::array<std::string_view, 29> kBlocks = {
    "div",     "section", "article", "aside",    "header", "footer",  "nav",     "main",
    "h1",      "h5",      "h6",      "dl",       "dt",     "dd",      "figure",  "figcaption",
    "address", "hr",      "form",    "fieldset", "center", "details", "summary", "caption",
    "html",    "body",    "tfoot",   "hgroup",   "legend"};
constexpr std::array<std::string_view, 6> kInline = {"strong", "em", "b", "i", "a", "code"};

template <size_t N>
const std::string_view* Find(const std::array<std::string_view, N>& set, std::string_view name) {
  for (const std::string_view& s : set) {
    if (s == name) return &s;
  }
  return nullptr;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// A code point a page may carry: not NUL, a surrogate or beyond Unicode, and no control
// character other than tab and line breaks.
bool IsAllowedCodePoint(std::uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return true;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
  if (cp >= 0xD800 && cp <= 0xDFFF) return false;
  return cp <= 0x10FFFF;
}

// Appends the code point at text[i] (invalid UTF-8 as U+FFFD, disallowed ones dropped); returns
// the next position.
size_t AppendCodePoint(std::string_view text, size_t i, std::string& out) {
  char32_t cp = 0;
  const size_t len = DecodeUtf8(text, i, cp);
  if (IsAllowedCodePoint(cp)) AppendUtf8(cp, out);
  return i + len;
}

// A numeric character reference at text[i] ("&#233;", "&#xE9", no ';' needed, as browsers read
// it): its value (U+FFFD when out of range) and the position after it; nullopt when text[i] does
// not start one.
std::optional<std::pair<std::uint32_t, size_t>> NumericReference(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j >= text.size() || text[j] != '#') return std::nullopt;
  ++j;
  const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X');
  if (hex) ++j;
  const size_t start = j;
  std::uint64_t value = 0;
  while (j < text.size() && (hex ? IsHexDigit(text[j]) : IsDigit(text[j]))) {
    if (value <= 0x10FFFF) {
      const char c = Lower(text[j]);
      value =
          value * (hex ? 16 : 10) + static_cast<std::uint64_t>(IsDigit(c) ? c - '0' : c - 'a' + 10);
    }
    ++j;
  }
  if (j == start) return std::nullopt;
  if (j < text.size() && text[j] == ';') ++j;
  const std::uint32_t cp =
      IsAllowedCodePoint(static_cast<std::uint32_t>(std::min<std::uint64_t>(value, 0x110000)))
          ? static_cast<std::uint32_t>(value)
          : 0xFFFD;
  return std::make_pair(cp, j);
}

// The named references that matter in addresses, decoded so that the scheme check sees what the
// browser would. Any other name stays as written: the value is escaped again on output, so the
// browser then reads the same literal text the check saw.
std::optional<std::string_view> NamedCharacter(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kNames = {{
      {"amp", "&"},    {"lt", "<"},   {"gt", ">"},       {"quot", "\""},       {"apos", "'"},
      {"colon", ":"},  {"Tab", "\t"}, {"NewLine", "\n"}, {"sol", "/"},         {"bsol", "\\"},
      {"period", "."}, {"num", "#"},  {"quest", "?"},    {"equals", "="},      {"percnt", "%"},
      {"lpar", "("},   {"rpar", ")"}, {"commat", "@"},   {"nbsp", "\xC2\xA0"}, {"semi", ";"},
  }};
  for (const auto& [n, v] : kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// An attribute value with its character references decoded and invalid UTF-8 replaced.
std::string DecodeAttribute(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size();) {
    if (v[i] != '&') {
      i = AppendCodePoint(v, i, out);
      continue;
    }
    if (auto numeric = NumericReference(v, i)) {
      AppendUtf8(numeric->first, out);
      i = numeric->second;
      continue;
    }
    size_t j = i + 1;
    while (j < v.size() && j - i <= 32 && (IsAlpha(v[j]) || IsDigit(v[j]))) ++j;
    if (j < v.size() && v[j] == ';') {
      if (auto named = NamedCharacter(v.substr(i + 1, j - i - 1))) {
        out += *named;
        i = j + 1;
        continue;
      }
    }
    out += '&';
    ++i;
  }
  return out;
}

void AppendAttributeValue(std::string_view value, std::string& out) {
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
}

// The address of a link if it is safe to keep: http, https, mailto, or relative (no scheme).
// Read as a browser's URL parser would: references decoded, leading and trailing controls and
// spaces stripped, tabs and line breaks inside removed. Any other control character, or a scheme
// not on the list ("javascript:", "data:", "vbscript:", or anything odd before a ':'), refuses it.
std::optional<std::string> SafeHref(std::string_view raw) {
  const std::string decoded = DecodeAttribute(raw);
  size_t begin = 0, end = decoded.size();
  while (begin < end && static_cast<unsigned char>(decoded[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(decoded[end - 1]) <= 0x20) --end;
  std::string url;
  for (size_t i = begin; i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(decoded[i]);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    url += static_cast<char>(c);
  }
  if (url.empty()) return std::nullopt;
  const size_t stop = url.find_first_of(":/?#");
  if (stop != std::string::npos && url[stop] == ':') {
    const std::string scheme = AsciiLower(url.substr(0, stop));
    if (scheme != "http" && scheme != "https" && scheme != "mailto") return std::nullopt;
  }
  return url;
}

// "1" to "1000": a table cell's span.
bool IsSpan(std::string_view v) {
  if (v.empty() || v.size() > 4 || v[0] == '0') return false;
  for (char c : v) {
    if (!IsDigit(c)) return false;
  }
  return std::atoi(std::string(v).c_str()) <= 1000;
}

class Sanitizer {
 public:
  explicit Sanitizer(std::string_view in) : in_(in) {}

  std::string Run() {
    out_.reserve(in_.size() + in_.size() / 8 + 16);
    size_t i = 0;
    while (i < in_.size()) {
      const size_t lt = in_.find('<', i);
      if (lt == std::string_view::npos) {
        Text(i, in_.size());
        break;
      }
      Text(i, lt);
      i = Markup(lt);
    }
    while (!open_.empty()) CloseTop();
    return std::move(out_);
  }

 private:
  struct Attribute {
    std::string name;  // lower case
    std::string_view value;
  };
  struct Tag {
    std::string name;  // lower case
    std::vector<Attribute> attributes;
    bool self_closing = false;
    size_t next = 0;  // the position after its '>'
  };

  bool skipping() const { return skip_depth_ > 0; }
  bool Has(size_t pos, std::string_view s) const {
    return pos <= in_.size() && in_.substr(pos).starts_with(s);
  }

  // Text between tags: entities kept when well formed, everything else escaped.
  void Text(size_t from, size_t to) {
    if (skipping()) return;
    for (size_t i = from; i < to;) {
      const char c = in_[i];
      if (c == '&') {
        i = Reference(i, to);
      } else if (c == '<') {
        out_ += "&lt;";
        ++i;
      } else if (c == '>') {
        out_ += "&gt;";
        ++i;
      } else if (static_cast<unsigned char>(c) < 0x80) {
        if (IsAllowedCodePoint(static_cast<unsigned char>(c))) out_ += c;
        ++i;
      } else {
        i = AppendCodePoint(in_, i, out_);
      }
    }
  }

  // A character reference in text, kept as written when well formed ("&eacute;", "&#233;"; a
  // numeric one gets its ';'); a numeric one out of range becomes U+FFFD; any other '&' is
  // escaped. Returns the position after it.
  size_t Reference(size_t i, size_t to) {
    const std::string_view text = in_.substr(0, to);
    if (auto numeric = NumericReference(text, i)) {
      if (numeric->first == 0xFFFD) {
        out_ += "&#xFFFD;";
      } else {
        out_.append(text.substr(i, numeric->second - i));
        if (text[numeric->second - 1] != ';') out_ += ';';
      }
      return numeric->second;
    }
    size_t j = i + 1;
    while (j < to && j - i <= 32 && (IsAlpha(text[j]) || IsDigit(text[j]))) ++j;
    if (j > i + 1 && IsAlpha(text[i + 1]) && j < to && text[j] == ';') {
      out_.append(text.substr(i, j + 1 - i));
      return j + 1;
    }
    out_ += "&amp;";
    return i + 1;
  }

  // The markup starting at in_[lt] == '<'; returns the position after it (the input's end when
  // it is cut off: what an unterminated tag or comment holds is dropped).
  size_t Markup(size_t lt) {
    const size_t n = in_.size();
    const size_t after = lt + 1;
    if (after >= n) {
      if (!skipping()) out_ += "&lt;";
      return n;
    }
    const char c = in_[after];
    if (c == '!') {
      if (Has(lt, "<!--")) return CommentEnd(lt + 4);
      return BogusCommentEnd(after);
    }
    if (c == '?') return BogusCommentEnd(after);
    if (c == '/') {
      if (after + 1 < n && IsAlpha(in_[after + 1])) {
        auto tag = ParseTag(after + 1);
        if (!tag) return n;
        EndTag(tag->name);
        return tag->next;
      }
      if (after + 1 < n && in_[after + 1] == '>') return after + 2;  // "</>" is nothing
      if (after + 1 >= n) {
        if (!skipping()) out_ += "&lt;/";
        return n;
      }
      return BogusCommentEnd(after);
    }
    if (IsAlpha(c)) {
      auto tag = ParseTag(after);
      if (!tag) return n;
      return StartTag(*tag);
    }
    if (!skipping()) out_ += "&lt;";  // a '<' that starts no tag is text
    return after;
  }

  size_t CommentEnd(size_t from) const {
    if (Has(from, ">")) return from + 1;  // "<!-->"
    if (Has(from, "->")) return from + 2;
    for (size_t e = in_.find("--", from); e != std::string_view::npos; e = in_.find("--", e + 1)) {
      if (Has(e + 2, ">")) return e + 3;
      if (Has(e + 2, "!>")) return e + 4;
    }
    return in_.size();
  }

  size_t BogusCommentEnd(size_t from) const {
    const size_t gt = in_.find('>', from);
    return gt == std::string_view::npos ? in_.size() : gt + 1;
  }

  // A tag whose name starts at `from`, read as the HTML tokenizer does (the name runs to a space,
  // '/' or '>'; attribute values quoted or not). nullopt when the input ends inside it.
  std::optional<Tag> ParseTag(size_t from) const {
    const size_t n = in_.size();
    Tag tag;
    size_t i = from;
    while (i < n && !IsSpace(in_[i]) && in_[i] != '/' && in_[i] != '>') tag.name += Lower(in_[i++]);
    for (;;) {
      while (i < n && (IsSpace(in_[i]) || in_[i] == '/')) {
        if (in_[i] == '/' && i + 1 < n && in_[i + 1] == '>') tag.self_closing = true;
        ++i;
      }
      if (i >= n) return std::nullopt;
      if (in_[i] == '>') {
        tag.next = i + 1;
        return tag;
      }
      const size_t name_start = i++;  // a first '=' belongs to the name
      while (i < n && !IsSpace(in_[i]) && in_[i] != '/' && in_[i] != '>' && in_[i] != '=') ++i;
      const std::string_view name = in_.substr(name_start, i - name_start);
      while (i < n && IsSpace(in_[i])) ++i;
      std::string_view value;
      if (i < n && in_[i] == '=') {
        ++i;
        while (i < n && IsSpace(in_[i])) ++i;
        if (i < n && (in_[i] == '"' || in_[i] == '\'')) {
          const size_t close = in_.find(in_[i], i + 1);
          if (close == std::string_view::npos) return std::nullopt;
          value = in_.substr(i + 1, close - i - 1);
          i = close + 1;
        } else {
          const size_t value_start = i;
          while (i < n && !IsSpace(in_[i]) && in_[i] != '>') ++i;
          value = in_.substr(value_start, i - value_start);
        }
      }
      if (tag.attributes.size() < kMaxAttributes)
        tag.attributes.push_back({AsciiLower(name), value});
    }
  }

  // Skips a raw-text element's content and its end tag, from `from`; the input's end when none.
  size_t SkipRawText(std::string_view name, size_t from) const {
    for (size_t p = in_.find("</", from); p != std::string_view::npos; p = in_.find("</", p + 2)) {
      const size_t name_end = p + 2 + name.size();
      if (name_end > in_.size()) break;
      bool same = true;
      for (size_t k = 0; k < name.size() && same; ++k) same = Lower(in_[p + 2 + k]) == name[k];
      if (!same) continue;
      if (name_end < in_.size() && !IsSpace(in_[name_end]) && in_[name_end] != '/' &&
          in_[name_end] != '>')
        continue;  // "</scriptx"
      return BogusCommentEnd(name_end);
    }
    return in_.size();
  }

  size_t StartTag(const Tag& tag) {
    if (const std::string_view* raw = Find(kRawText, tag.name)) return SkipRawText(*raw, tag.next);
    if (skipping()) {
      if (tag.name == skip_ && !tag.self_closing) ++skip_depth_;
      return tag.next;
    }
    if (Find(kDroppedWithContent, tag.name)) {
      if (!tag.self_closing) {
        skip_ = tag.name;
        skip_depth_ = 1;
      }
      return tag.next;
    }
    if (tag.name == "br") {
      out_ += "<br>";
      return tag.next;
    }
    if (const std::string_view* allowed = Find(kAllowed, tag.name)) {
      Open(*allowed, tag);
    } else if (Find(kBlocks, tag.name)) {
      out_ += '\n';
    }
    return tag.next;
  }

  void EndTag(const std::string& name) {
    if (skipping()) {
      if (name == skip_ && --skip_depth_ == 0) skip_.clear();
      return;
    }
    if (Find(kAllowed, name)) {
      for (size_t k = open_.size(); k-- > 0;) {
        if (open_[k] != name) continue;
        while (open_.size() > k) CloseTop();
        return;
      }
    } else if (Find(kBlocks, name)) {
      out_ += '\n';
    }
  }

  // The index of the innermost open `name` reached from the top without crossing an element of
  // `bounds`; nullopt when there is none.
  std::optional<size_t> OpenBelow(std::initializer_list<std::string_view> names,
                                  std::initializer_list<std::string_view> bounds) const {
    for (size_t k = open_.size(); k-- > 0;) {
      for (std::string_view n : names) {
        if (open_[k] == n) return k;
      }
      for (std::string_view b : bounds) {
        if (open_[k] == b) return std::nullopt;
      }
    }
    return std::nullopt;
  }

  void CloseFrom(size_t k) {
    while (open_.size() > k) CloseTop();
  }

  bool TopIs(std::initializer_list<std::string_view> names) const {
    if (open_.empty()) return false;
    for (std::string_view n : names) {
      if (open_.back() == n) return true;
    }
    return false;
  }

  // Opens an allowed element, first closing what the HTML rules close implicitly (a paragraph
  // before a block, the previous item, row or cell) so that the output nests as the browser
  // will read it. Table parts outside their table are dropped.
  void Open(std::string_view name, const Tag& tag) {
    if (open_.size() >= kMaxDepth) return;
    const bool block = name == "p" || name == "h2" || name == "h3" || name == "h4" ||
                       name == "ul" || name == "ol" || name == "table" || name == "blockquote" ||
                       name == "pre";
    if (block) {
      // An open paragraph, reached through inline elements only, ends here.
      for (size_t k = open_.size(); k-- > 0;) {
        if (open_[k] == "p") {
          CloseFrom(k);
          break;
        }
        if (!Find(kInline, open_[k])) break;
      }
    }
    if (name == "h2" || name == "h3" || name == "h4") {
      if (TopIs({"h2", "h3", "h4"})) CloseTop();
    } else if (name == "li") {
      if (auto k = OpenBelow({"li"}, {"ul", "ol"})) CloseFrom(*k);
    } else if (name == "a") {
      if (auto k = OpenBelow({"a"}, {})) CloseFrom(*k);  // links do not nest
    } else if (name == "thead" || name == "tbody") {
      if (auto k = OpenBelow({"thead", "tbody"}, {"table"})) CloseFrom(*k);
      if (!TopIs({"table"})) return;
    } else if (name == "tr") {
      if (auto k = OpenBelow({"tr"}, {"table", "thead", "tbody"})) CloseFrom(*k);
      if (!TopIs({"table", "thead", "tbody"})) return;
    } else if (name == "td" || name == "th") {
      if (auto k = OpenBelow({"td", "th"}, {"tr", "table"})) CloseFrom(*k);
      if (TopIs({"table", "thead", "tbody"})) Push("tr", "<tr>");
      if (!TopIs({"tr"})) return;
    }
    std::string open = "<" + std::string(name);
    if (name == "a") {
      std::optional<std::string> href;
      for (const Attribute& a : tag.attributes) {
        if (a.name == "href") {
          href = SafeHref(a.value);
          break;  // the first one counts, as in browsers
        }
      }
      if (!href) return;  // a link to nowhere safe is plain text
      open += " href=\"";
      AppendAttributeValue(*href, open);
      open += "\" rel=\"noopener\"";
    } else if (name == "td" || name == "th") {
      for (const char* span : {"colspan", "rowspan"}) {
        for (const Attribute& a : tag.attributes) {
          if (a.name != span) continue;
          if (IsSpan(a.value)) open += " " + a.name + "=\"" + std::string(a.value) + "\"";
          break;
        }
      }
    }
    open += '>';
    Push(name, open);
  }

  void Push(std::string_view name, const std::string& open_tag) {
    if (open_.size() >= kMaxDepth) return;
    out_ += open_tag;
    open_.push_back(name);
  }

  void CloseTop() {
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
    open_.pop_back();
  }

  const std::string_view in_;
  std::string out_;
  std::vector<std::string_view> open_;  // allowed elements open in out_, innermost last
  std::string skip_;                    // the element dropped with its content, while skipping
  int skip_depth_ = 0;                  // how many of skip_ are open
};

}  // namespace

std::string SanitizeHtml(std::string_view html) { return Sanitizer(html).Run(); }

std::string RenderMarkdown(std::string_view markdown) {
  // Safe mode is cmark's default since 0.29: raw HTML and unsafe links are left out.
  char* html = cmark_markdown_to_html(markdown.data(), markdown.size(),
                                      CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
  if (!html) return "";
  std::string out = SanitizeHtml(html);
  std::free(html);
  return out;
}

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      i = AppendCodePoint(text, i, out);
      continue;
    }
    switch (c) {
      case '&':
      case '"':
      case '\'':
      case '<':
      case '>':
        AppendAttributeValue(text.substr(i, 1), out);
        break;
      default:
        if (IsAllowedCodePoint(static_cast<unsigned char>(c))) out += c;
    }
    ++i;
  }
  return out;
}

std::string TextToHtml(std::string_view text) {
  std::string out;
  std::string paragraph;  // escaped lines of the paragraph being read
  auto flush = [&] {
    if (paragraph.empty()) return;
    out += "<p>" + paragraph + "</p>\n";
    paragraph.clear();
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      flush();
    } else {
      if (!paragraph.empty()) paragraph += "<br>\n";
      paragraph += EscapeHtml(line);
    }
    start = end + 1;
  }
  flush();
  return out;
}

std::string RenderArticleBody(const core::KbArticle& article) {
  switch (article.format) {
    case core::ArticleFormat::kHtml:
      return SanitizeHtml(article.body);
    case core::ArticleFormat::kMarkdown:
      return RenderMarkdown(article.body);
    case core::ArticleFormat::kText:
      break;
  }
  return TextToHtml(article.body);
}

namespace {

// HTML as text: tags out (block ones leave a line break), the entities markup needs decoded.
std::string HtmlToText(std::string_view html) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},   {"&quot;", "\""},
      {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}, {"&#160;", " "}};
  std::string out;
  out.reserve(html.size());
  for (std::size_t i = 0; i < html.size();) {
    if (html[i] == '<') {
      const std::size_t end = html.find('>', i);
      if (end == std::string_view::npos) break;
      const std::string_view tag = html.substr(i + 1, end - i - 1);
      const bool block = tag.starts_with("p") || tag.starts_with("/p") || tag.starts_with("br") ||
                         tag.starts_with("li") || tag.starts_with("/h") || tag.starts_with("tr");
      out += block ? '\n' : ' ';
      i = end + 1;
      continue;
    }
    if (html[i] == '&') {
      bool decoded = false;
      for (const auto& [entity, text] : kEntities) {
        if (html.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size();
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    out += html[i++];
  }
  return out;
}

}  // namespace

std::string PlainBody(const core::KbArticle& article) {
  switch (article.format) {
    case core::ArticleFormat::kHtml:
      return HtmlToText(article.body);
    case core::ArticleFormat::kMarkdown:
      return HtmlToText(RenderMarkdown(article.body));
    case core::ArticleFormat::kText:
      break;
  }
  return article.body;
}

}  // namespace guichet::kb
