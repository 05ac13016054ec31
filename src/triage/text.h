// Text normalisation for the triage models: words out of any citizen text, in any script.
// Lower case, Latin accents removed ("Écrire" → "ecrire", "Straße" → "strasse"), French
// elisions split off and dropped ("l'allocation" → "allocation", "qu'il" → "il"); letters and
// digits of every script are kept, everything else separates words. Invalid UTF-8 bytes count
// as separators, so no input can break it. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::triage {

// The words of `text`, folded as above; at most `max_words` (longer texts are cut).
std::vector<std::string> Words(std::string_view text, std::size_t max_words = 5000);

// `text` lower-cased with Latin accents removed, other characters kept (invalid bytes dropped).
std::string Fold(std::string_view text);

// Decodes the UTF-8 code point at `text[i]` into `cp` and returns its length in bytes; a byte
// that starts no valid sequence (overlong, surrogate, cut short…) gives U+FFFD and length 1.
std::size_t DecodeUtf8(std::string_view text, std::size_t i, char32_t& cp);
// Appends `cp` (a valid code point) to `out` as UTF-8.
void AppendUtf8(char32_t cp, std::string& out);

}  // namespace guichet::triage
