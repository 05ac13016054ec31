#include "core/kb.h"

#include <array>

#include "common/text.h"

namespace guichet::core {
namespace {

constexpr std::array<std::string_view, 3> kStatuses = {"draft", "published", "archived"};
constexpr std::array<std::string_view, 3> kFormats = {"html", "markdown", "text"};

template <typename E, size_t N>
std::optional<E> ParseName(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// Control characters hide text from readers and break logs; line breaks belong to long texts.
bool HasControl(std::string_view s, bool allow_breaks) {
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (allow_breaks && (c == '\t' || c == '\n' || c == '\r')) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

struct Checker {
  std::vector<FieldError>& errors;

  // Valid UTF-8, no control characters, at most `max` code points (or bytes when `bytes`).
  void Text(const std::string& field, const std::string& value, size_t max, bool required,
            bool allow_breaks = false, bool bytes = false) {
    if (!IsValidUtf8(value)) {
      errors.push_back({field, "is not valid UTF-8"});
      return;
    }
    if (required && Trim(value).empty()) {
      errors.push_back({field, "is required and must not be blank"});
      return;
    }
    if (HasControl(value, allow_breaks)) {
      errors.push_back({field, allow_breaks ? "contains control characters"
                                            : "contains control characters or line breaks"});
      return;
    }
    if (bytes && value.size() > max) {
      errors.push_back({field, "is larger than " + std::to_string(max / 1024) + " KB (" +
                                   std::to_string(value.size()) + " bytes)"});
    } else if (!bytes && Utf8Length(value) > max) {
      errors.push_back({field, "is longer than " + std::to_string(max) + " characters"});
    }
  }

  void Id(const std::string& field, const std::string& value, bool required) {
    if (value.empty()) {
      if (required) errors.push_back({field, "is required"});
      return;
    }
    if (value.size() > kMaxArticleExternalId) {
      errors.push_back(
          {field, "is longer than " + std::to_string(kMaxArticleExternalId) + " characters"});
      return;
    }
    for (char c : value) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
      if (!ok) {
        errors.push_back({field, "may contain only letters, digits, '.', '-' and '_'"});
        return;
      }
    }
  }

  void Url(const std::string& field, const std::string& value) {
    if (value.empty()) return;
    Text(field, value, kMaxArticleUrl, false);
    const std::string lower = AsciiLower(value.substr(0, 8));
    if ((lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) ||
        value.find(' ') != std::string::npos)
      errors.push_back({field, "must be an http:// or https:// address without spaces"});
  }

  template <typename T, typename Each>
  void List(const std::string& field, const std::vector<T>& items, size_t max, Each each) {
    if (items.size() > max) {
      errors.push_back({field, "has more than " + std::to_string(max) + " entries"});
      return;
    }
    for (size_t i = 0; i < items.size(); ++i) each(field + "[" + std::to_string(i) + "]", items[i]);
  }

  void Link(const std::string& field, const ArticleLink& link) {
    Text(field + ".id", link.id, kMaxArticleExternalId, false);
    Text(field + ".title", link.title, kMaxArticleLabel, false);
    Url(field + ".url", link.url);
    Text(field + ".kind", link.kind, kMaxArticleLabel, false);
    if (Trim(link.title).empty() && link.url.empty() && link.id.empty())
      errors.push_back({field, "needs a title, an address or an id"});
  }
};

}  // namespace

std::string_view ToString(ArticleStatus v) { return kStatuses[static_cast<size_t>(v)]; }
std::string_view ToString(ArticleFormat v) { return kFormats[static_cast<size_t>(v)]; }
std::optional<ArticleStatus> ParseArticleStatus(std::string_view s) {
  return ParseName<ArticleStatus>(kStatuses, s);
}
std::optional<ArticleFormat> ParseArticleFormat(std::string_view s) {
  return ParseName<ArticleFormat>(kFormats, s);
}
std::span<const std::string_view> ArticleStatusNames() { return kStatuses; }
std::span<const std::string_view> ArticleFormatNames() { return kFormats; }

std::vector<FieldError> ValidateArticle(const KbArticle& a) {
  std::vector<FieldError> errors;
  Checker check{errors};
  check.Id("external_id", a.external_id, false);
  check.Text("audience", a.audience, kMaxArticleLabel, false);
  check.Text("doc_type", a.doc_type, kMaxArticleLabel, false);
  check.Text("title", a.title, kMaxArticleTitle, true);
  check.Text("summary", a.summary, kMaxArticleSummary, false, true);
  check.Text("body", a.body, kMaxArticleBodyBytes, false, true, true);
  const auto word = [&](const std::string& field, const std::string& w) {
    check.Text(field, w, kMaxArticleLabel, true);
  };
  check.List("themes", a.themes, kMaxArticleWords, word);
  check.List("keywords", a.keywords, kMaxArticleWords, word);
  const auto link = [&](const std::string& field, const ArticleLink& l) { check.Link(field, l); };
  check.List("legal_refs", a.legal_refs, kMaxArticleLinks, link);
  check.List("online_services", a.online_services, kMaxArticleLinks, link);
  check.List("offices", a.offices, kMaxArticleLinks,
             [&](const std::string& field, const ArticleOffice& o) {
               check.Text(field + ".id", o.id, kMaxArticleExternalId, false);
               check.Text(field + ".title", o.title, kMaxArticleLabel, false);
               check.Text(field + ".local_code", o.local_code, kMaxArticleExternalId, false);
               if (Trim(o.title).empty() && o.id.empty())
                 errors.push_back({field, "needs a title or an id"});
             });
  check.List("related_ids", a.related_ids, kMaxArticleLinks,
             [&](const std::string& field, const std::string& id) { check.Id(field, id, true); });
  if (!IsValidLanguageTag(a.language))
    errors.push_back({"language", "must be a language tag such as \"fr\" or \"pt-BR\""});
  check.Url("source_url", a.source_url);
  return errors;
}

}  // namespace guichet::core
