// UTF-8 validation and length, trimming, ASCII case, e-mail checks and masking.
#include "common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace guichet {
namespace {

TEST(Utf8Test, ValidStrings) {
  for (const std::string& s : {
           std::string(""), std::string("Bonjour"),
           std::string("\xC3\xA9t\xC3\xA9"),                 // été
           std::string("\xE2\x82\xAC"),                      // € (3 bytes)
           std::string("\xF0\x9F\x98\x80"),                  // 😀 (4 bytes)
           std::string("\xC2\x80"),                          // U+0080, smallest 2-byte
           std::string("\xDF\xBF"),                          // U+07FF, largest 2-byte
           std::string("\xE0\xA0\x80"),                      // U+0800, smallest 3-byte
           std::string("\xED\x9F\xBF"),                      // U+D7FF, just below surrogates
           std::string("\xEE\x80\x80"),                      // U+E000, just above surrogates
           std::string("\xEF\xBF\xBF"),                      // U+FFFF
           std::string("\xF0\x90\x80\x80"),                  // U+10000, smallest 4-byte
           std::string("\xF4\x8F\xBF\xBF"),                  // U+10FFFF, the last code point
           std::string("a\0b", 3),                           // NUL is a valid code point
           std::string("\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85"),  // سلام
       }) {
    EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
  }
}

TEST(Utf8Test, InvalidStrings) {
  struct Case {
    std::string bytes;
    const char* why;
  };
  const Case cases[] = {
      {"\x80", "lone continuation byte"},
      {"a\xBF"
       "b",
       "continuation byte in ASCII"},
      {"\xC3", "truncated 2-byte sequence"},
      {"\xE2\x82", "truncated 3-byte sequence"},
      {"\xF0\x9F\x98", "truncated 4-byte sequence"},
      {"\xC3"
       "a",
       "lead byte followed by ASCII"},
      {"\xE2\x28\xA1", "bad second byte"},
      {"\xE2\x82\x28", "bad third byte"},
      {"\xC0\x80", "overlong NUL"},
      {"\xC1\xBF", "overlong 2-byte"},
      {"\xE0\x80\xAF", "overlong '/' in 3 bytes"},
      {"\xE0\x9F\xBF", "overlong U+07FF in 3 bytes"},
      {"\xF0\x80\x80\xAF", "overlong '/' in 4 bytes"},
      {"\xF0\x8F\xBF\xBF", "overlong U+FFFF in 4 bytes"},
      {"\xED\xA0\x80", "high surrogate U+D800"},
      {"\xED\xBF\xBF", "low surrogate U+DFFF"},
      {"\xED\xA0\xBD\xED\xB8\x80", "CESU-8 surrogate pair"},
      {"\xF4\x90\x80\x80", "above U+10FFFF"},
      {"\xF5\x80\x80\x80", "lead byte F5"},
      {"\xF7\xBF\xBF\xBF", "lead byte F7"},
      {"\xF8\x88\x80\x80\x80", "5-byte form"},
      {"\xFC\x84\x80\x80\x80\x80", "6-byte form"},
      {"\xFE", "byte FE"},
      {"\xFF", "byte FF"},
      {"valid \xC3\xA9 then \xC3", "truncated at the end of a longer string"},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.bytes)) << c.why;
  }
}

TEST(Utf8Test, LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("\xC3\xA9t\xC3\xA9"), 3u);  // été: 5 bytes
  EXPECT_EQ(Utf8Length("\xE2\x82\xAC"
                       "10"),
            3u);                                                  // €10
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 2u);  // two emoji, 8 bytes
  EXPECT_EQ(Utf8Length(std::string("a\0b", 3)), 3u);
  std::string long_e;
  for (int i = 0; i < 200; ++i) long_e += "\xC3\xA9";
  EXPECT_EQ(long_e.size(), 400u);
  EXPECT_EQ(Utf8Length(long_e), 200u);
}

TEST(TrimTest, AsciiWhiteSpaceOnly) {
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(" \t\r\n x y \n"), "x y");
  EXPECT_EQ(Trim("abc"), "abc");
  // A no-break space (U+00A0) is not ASCII white space: it stays.
  EXPECT_EQ(Trim("\xC2\xA0"
                 "a"),
            "\xC2\xA0"
            "a");
}

TEST(AsciiLowerTest, LeavesNonAsciiAlone) {
  EXPECT_EQ(AsciiLower("Camille.DUPONT@Example.ORG"), "camille.dupont@example.org");
  EXPECT_EQ(AsciiLower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // ÉTÉ → Été
}

TEST(EmailTest, LooksLikeEmail) {
  for (const char* ok : {"a@b.c", "camille.dupont@example.org", "x+tag@mairie.example.fr",
                         "\xC3\xA9lise@exemple.fr"}) {
    EXPECT_TRUE(LooksLikeEmail(ok)) << ok;
  }
  for (const char* bad :
       {"", "@", "plainaddress", "@example.org", "a@", "a@b", "a@.org", "a@b.", "a@@b.org",
        "a@b@c.org", "a b@c.org", "a@b .org", "a@b.org ", " a@b.org", "a@b.org\n", "a\t@b.org"}) {
    EXPECT_FALSE(LooksLikeEmail(bad)) << "accepted \"" << bad << "\"";
  }
  EXPECT_FALSE(LooksLikeEmail(std::string("a\0@b.org", 8)));
}

TEST(EmailTest, MaskEmail) {
  EXPECT_EQ(MaskEmail("camille.dupont@example.org"), "ca***@example.org");
  EXPECT_EQ(MaskEmail("jo@example.org"), "jo***@example.org");
  EXPECT_EQ(MaskEmail("j@example.org"), "j***@example.org");
  EXPECT_EQ(MaskEmail("@example.org"), "***@example.org");
  EXPECT_EQ(MaskEmail("not an address"), "***");
  EXPECT_EQ(MaskEmail(""), "***");
  // The local part never shows beyond two bytes.
  EXPECT_EQ(MaskEmail("secret-name@x.org").find("secret"), std::string::npos);
}

TEST(EmailTest, MaskEmailNeverCutsACharacter) {
  // Regression: the first two bytes of "aé…" end inside "é"; the masked text went to the JSON
  // logs as invalid UTF-8.
  EXPECT_EQ(MaskEmail("a\xC3\xA9lise@exemple.fr"), "a***@exemple.fr");
  EXPECT_EQ(MaskEmail("\xC3\xA9lise@exemple.fr"), "\xC3\xA9***@exemple.fr");
  EXPECT_EQ(MaskEmail("\xE2\x82\xAC@exemple.fr"), "***@exemple.fr");
  for (const char* email : {"a\xC3\xA9@x.fr", "\xF0\x9F\x98\x80x@x.fr", "ab\xC3\xA9@x.fr"}) {
    EXPECT_TRUE(IsValidUtf8(MaskEmail(email))) << email;
  }
}

}  // namespace
}  // namespace guichet
