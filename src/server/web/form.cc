#include "server/web/form.h"

#include "common/text.h"

namespace guichet::server::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> FormFields::Get(std::string_view name) const {
  for (const auto& [key, value] : fields_)
    if (key == name) return value;
  return std::nullopt;
}

std::vector<std::string> FormFields::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : fields_)
    if (key == name) out.push_back(value);
  return out;
}

Result<FormFields> ParseForm(std::string_view body, std::size_t max_fields) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t at = 0;
  while (at < body.size()) {
    std::size_t end = body.find('&', at);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(at, end - at);
    at = end + 1;
    if (pair.empty()) continue;
    if (fields.size() == max_fields)
      return InvalidArgument("the form has more than " + std::to_string(max_fields) + " fields");
    const std::size_t eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq));
    auto value = Decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return InvalidArgument("the form is not correctly percent-encoded");
    if (!IsValidUtf8(*name) || !IsValidUtf8(*value))
      return InvalidArgument("the form's text is not valid UTF-8");
    fields.emplace_back(std::move(*name), std::move(*value));
  }
  return FormFields(std::move(fields));
}

}  // namespace guichet::server::web
