// Crypto helpers over libsodium: secret tokens, SHA-256 digests and argon2id password hashes.
// All functions are thread-safe once InitCrypto() has returned OK (call it once at start-up).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace guichet {

Status InitCrypto();

// A fresh URL-safe random token with `bytes` bytes of entropy (base64url, no padding).
std::string RandomToken(size_t bytes = 32);

// Whether `s` has the shape of such a token: `min_size` to `max_size` letters, digits, '-' or
// '_'. For tokens that come back from clients (cookies, form fields, request ids).
bool LooksLikeToken(std::string_view s, size_t min_size, size_t max_size);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Cost of argon2id hashing. Tests use kFast so that hundreds of logins stay quick; production
// uses the libsodium "interactive" limits (64 MiB, 2 passes).
enum class PasswordCost { kInteractive, kFast };

// The encoded argon2id string ("$argon2id$v=19$m=...") for `password`.
Result<std::string> HashPassword(std::string_view password,
                                 PasswordCost cost = PasswordCost::kInteractive);
// True when `password` matches `encoded`. A malformed `encoded` is a mismatch.
bool VerifyPassword(std::string_view password, const std::string& encoded);

// Constant-time comparison of two strings of equal length (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace guichet
