// Small text utilities shared by every layer: UTF-8 validation, trimming, ASCII case.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace guichet {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8 `s`; the limit unit for user-facing strings.
size_t Utf8Length(std::string_view s);
// Removes ASCII white space at both ends.
std::string_view Trim(std::string_view s);
std::string AsciiLower(std::string_view s);
// Rough syntactic e-mail check: one '@', non-empty local part, a dot in the domain, no spaces.
bool LooksLikeEmail(std::string_view s);
// "jo***@example.org": an e-mail address masked for logs.
std::string MaskEmail(std::string_view email);

}  // namespace guichet
