// Secret tokens, SHA-256 digests, argon2id password hashes and constant-time comparison.
#include "common/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace guichet {
namespace {

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

bool IsBase64Url(const std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST_F(CryptoTest, InitCryptoIsIdempotent) { EXPECT_TRUE(InitCrypto().ok()); }

TEST_F(CryptoTest, RandomTokenLengthAndAlphabet) {
  // base64url without padding: ceil(bytes * 4 / 3) characters.
  EXPECT_EQ(RandomToken().size(), 43u);
  EXPECT_EQ(RandomToken(32).size(), 43u);
  EXPECT_EQ(RandomToken(16).size(), 22u);
  EXPECT_EQ(RandomToken(3).size(), 4u);
  EXPECT_EQ(RandomToken(1).size(), 2u);
  for (int i = 0; i < 50; ++i) {
    const std::string token = RandomToken();
    EXPECT_TRUE(IsBase64Url(token)) << token;
  }
}

TEST_F(CryptoTest, RandomTokensAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(RandomToken(16));
  EXPECT_EQ(seen.size(), 2000u);
}

TEST_F(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
  EXPECT_EQ(Sha256Hex("\xC3\xA9"),
            "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
}

TEST_F(CryptoTest, Sha256CoversEmbeddedNulBytes) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Sha256Hex(with_nul), Sha256Hex("a"));
  EXPECT_EQ(Sha256Hex(with_nul).size(), 64u);
}

TEST_F(CryptoTest, HashAndVerifyPassword) {
  auto hash = HashPassword("correct horse battery staple", PasswordCost::kFast);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapler", *hash));
  EXPECT_FALSE(VerifyPassword("Correct horse battery staple", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST_F(CryptoTest, HashesAreSalted) {
  auto a = HashPassword("mot de passe", PasswordCost::kFast);
  auto b = HashPassword("mot de passe", PasswordCost::kFast);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword("mot de passe", *a));
  EXPECT_TRUE(VerifyPassword("mot de passe", *b));
}

TEST_F(CryptoTest, NonAsciiAndEmptyPasswords) {
  auto accented = HashPassword("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC", PasswordCost::kFast);
  ASSERT_TRUE(accented.ok());
  EXPECT_TRUE(VerifyPassword("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC", *accented));
  EXPECT_FALSE(VerifyPassword("ete \xE2\x82\xAC", *accented));

  auto empty = HashPassword("", PasswordCost::kFast);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(VerifyPassword("", *empty));
  EXPECT_FALSE(VerifyPassword(" ", *empty));
}

TEST_F(CryptoTest, MalformedHashIsAMismatch) {
  EXPECT_FALSE(VerifyPassword("x", ""));
  EXPECT_FALSE(VerifyPassword("x", "x"));
  EXPECT_FALSE(VerifyPassword("x", "$argon2id$"));
  EXPECT_FALSE(VerifyPassword("x", "$argon2id$v=19$m=8,t=1,p=1$garbage$garbage"));
  // Another algorithm's string is refused even if libsodium could read it.
  auto hash = HashPassword("x", PasswordCost::kFast);
  ASSERT_TRUE(hash.ok());
  std::string other = *hash;
  other.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(VerifyPassword("x", other));
}

TEST_F(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_F(CryptoTest, TokensComingBackAreCheckedForTheirShape) {
  const std::string token = RandomToken(24);
  EXPECT_TRUE(LooksLikeToken(token, 32, 64)) << token;
  EXPECT_TRUE(LooksLikeToken("abc-DEF_123", 1, 64));
  EXPECT_FALSE(LooksLikeToken("", 1, 64));
  EXPECT_FALSE(LooksLikeToken("short", 16, 128));
  EXPECT_FALSE(LooksLikeToken(std::string(129, 'a'), 16, 128));
  for (const char* bad : {"a b", "a;b", "a=b", "é", "a\nb", "a.b"})
    EXPECT_FALSE(LooksLikeToken(bad, 1, 64)) << bad;
}

}  // namespace
}  // namespace guichet
