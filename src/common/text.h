// Small text utilities shared by every layer: UTF-8 validation, decoding and folding (case and
// Latin accents, for matching), trimming, ASCII case.
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace guichet {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8 `s`; the limit unit for user-facing strings.
size_t Utf8Length(std::string_view s);
// The first `max_chars` code points of valid UTF-8 `s` (all of it when shorter).
std::string Utf8Prefix(std::string_view s, size_t max_chars);
// Removes ASCII white space at both ends.
std::string_view Trim(std::string_view s);
std::string AsciiLower(std::string_view s);
// Rough syntactic e-mail check: one '@', non-empty local part, a dot in the domain, no spaces.
bool LooksLikeEmail(std::string_view s);
// "jo***@example.org": an e-mail address masked for logs.
std::string MaskEmail(std::string_view email);

// `text` lower-cased with Latin accents removed, other characters kept (invalid bytes dropped).
std::string Fold(std::string_view text);

// Decodes the UTF-8 code point at `text[i]` into `cp` and returns its length in bytes; a byte
// that starts no valid sequence (overlong, surrogate, cut short…) gives U+FFFD and length 1.
std::size_t DecodeUtf8(std::string_view text, std::size_t i, char32_t& cp);
// Appends `cp` (a valid code point) to `out` as UTF-8.
void AppendUtf8(char32_t cp, std::string& out);
// Appends `cp` folded as Fold does: Latin letters without accents, lower case.
void AppendFolded(char32_t cp, std::string& out);

}  // namespace guichet
