// Validation of the domain inputs, field by field and limit by limit, and public references.
#include "core/model.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

namespace guichet::core {
namespace {

std::string Repeat(const std::string& unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

const std::string kE = "\xC3\xA9";              // é: one code point, two bytes
const std::string kEmoji = "\xF0\x9F\x8F\x9B";  // 🏛: one code point, four bytes

NewRequest ValidRequest() {
  NewRequest r;
  r.subject = "Lampadaire en panne";
  r.description = "Le lampadaire devant le 12 rue des Lilas ne s'allume plus.";
  r.language = "fr";
  return r;
}

std::set<std::string> Fields(const std::vector<FieldError>& errors) {
  std::set<std::string> out;
  for (const auto& e : errors) out.insert(e.field);
  return out;
}

std::string Describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.reason + "; ";
  return out;
}

// Expects exactly the given fields to be reported.
#define EXPECT_FIELDS(errors, ...) \
  EXPECT_EQ(Fields(errors), (std::set<std::string>{__VA_ARGS__})) << Describe(errors)

TEST(ValidateNewRequestTest, ValidRequestHasNoErrors) {
  EXPECT_FIELDS(ValidateNewRequest(ValidRequest()));
}

TEST(ValidateNewRequestTest, FullValidRequest) {
  NewRequest r = ValidRequest();
  r.tags = {"voirie",
            "\xC3\xA9"
            "clairage"};
  r.location = Location{48.8566, 2.3522, "12 rue des Lilas, Paris"};
  r.custom_fields = {{"numero", "12"}};
  r.citizen = NewCitizen{"Camille Dupont", "camille@example.org", "+33 (0)6 12-34.56 78", "fr"};
  EXPECT_FIELDS(ValidateNewRequest(r));
}

TEST(ValidateNewRequestTest, SubjectRequired) {
  for (const char* subject : {"", " ", "\t\n  "}) {
    NewRequest r = ValidRequest();
    r.subject = subject;
    const auto errors = ValidateNewRequest(r);
    EXPECT_FIELDS(errors, "subject");
  }
}

TEST(ValidateNewRequestTest, SubjectLimitCountsCodePoints) {
  NewRequest r = ValidRequest();
  r.subject = Repeat(kE, kMaxSubject);  // 400 bytes, 200 code points: fine
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.subject = Repeat(kE, kMaxSubject + 1);  // one code point too many
  EXPECT_FIELDS(ValidateNewRequest(r), "subject");
  r.subject = Repeat(kEmoji, kMaxSubject);
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.subject = Repeat(kEmoji, kMaxSubject) + "a";
  EXPECT_FIELDS(ValidateNewRequest(r), "subject");
}

TEST(ValidateNewRequestTest, InvalidUtf8) {
  NewRequest r = ValidRequest();
  r.subject = "Lampadaire \xC3";
  auto errors = ValidateNewRequest(r);
  EXPECT_FIELDS(errors, "subject");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "is not valid UTF-8");

  r = ValidRequest();
  r.description = "overlong \xC0\xAF slash";
  EXPECT_FIELDS(ValidateNewRequest(r), "description");

  r = ValidRequest();
  r.tags = {"ok", "\xED\xA0\x80"};
  EXPECT_FIELDS(ValidateNewRequest(r), "tags[1]");
}

TEST(ValidateNewRequestTest, DescriptionRequiredAndLimited) {
  NewRequest r = ValidRequest();
  r.description = "   ";
  EXPECT_FIELDS(ValidateNewRequest(r), "description");
  r.description = Repeat(kE, kMaxDescription);
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.description += "x";
  EXPECT_FIELDS(ValidateNewRequest(r), "description");
}

TEST(ValidateNewRequestTest, Tags) {
  NewRequest r = ValidRequest();
  r.tags.assign(kMaxTags, "voirie");
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.tags.assign(kMaxTags + 1, "voirie");
  EXPECT_FIELDS(ValidateNewRequest(r), "tags");

  r.tags = {"voirie", " "};
  EXPECT_FIELDS(ValidateNewRequest(r), "tags[1]");
  r.tags = {Repeat(kE, kMaxTagLength)};
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.tags = {Repeat(kE, kMaxTagLength + 1)};
  EXPECT_FIELDS(ValidateNewRequest(r), "tags[0]");
}

TEST(ValidateNewRequestTest, CustomFields) {
  NewRequest r = ValidRequest();
  for (size_t i = 0; i < kMaxCustomFields; ++i) r.custom_fields["k" + std::to_string(i)] = "v";
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.custom_fields["one-more"] = "v";
  EXPECT_FIELDS(ValidateNewRequest(r), "custom_fields");

  r.custom_fields = {{"k", Repeat(kE, kMaxCustomValue + 1)}};
  EXPECT_FIELDS(ValidateNewRequest(r), "custom_fields.k");
  r.custom_fields = {{Repeat("k", kMaxCustomKey + 1), "v"}};
  EXPECT_FIELDS(ValidateNewRequest(r), "custom_fields");
  r.custom_fields = {{"k", ""}};  // an empty value is allowed
  EXPECT_FIELDS(ValidateNewRequest(r));
}

TEST(ValidateNewRequestTest, Location) {
  struct Case {
    Location location;
    std::set<std::string> fields;
  };
  const Case cases[] = {
      {{48.85, 2.35, ""}, {}},
      {{-90.0, -180.0, ""}, {}},
      {{90.0, 180.0, ""}, {}},
      {{std::nullopt, std::nullopt, "Mairie, place de la R\xC3\xA9publique"}, {}},
      {{90.0001, 2.0, ""}, {"location.lat"}},
      {{-91.0, 2.0, ""}, {"location.lat"}},
      {{48.0, 180.5, ""}, {"location.lon"}},
      {{48.0, -181.0, ""}, {"location.lon"}},
      {{100.0, 200.0, ""}, {"location.lat", "location.lon"}},
      {{48.85, std::nullopt, "adresse"}, {"location"}},    // lat without lon
      {{std::nullopt, 2.35, "adresse"}, {"location"}},     // lon without lat
      {{std::nullopt, std::nullopt, "  "}, {"location"}},  // neither coordinates nor address
      {{48.85, 2.35, Repeat(kE, kMaxAddress)}, {}},
      {{48.85, 2.35, Repeat(kE, kMaxAddress + 1)}, {"location.address"}},
  };
  for (const Case& c : cases) {
    NewRequest r = ValidRequest();
    r.location = c.location;
    const auto errors = ValidateNewRequest(r);
    EXPECT_EQ(Fields(errors), c.fields)
        << "lat " << c.location.lat.value_or(-999) << " lon " << c.location.lon.value_or(-999)
        << " address \"" << c.location.address.substr(0, 20) << "\": " << Describe(errors);
  }
}

TEST(ValidateNewRequestTest, NonFiniteCoordinatesAreRefused) {
  // Regression: NaN passed the range checks (every comparison with NaN is false); SQLite then
  // stored it as NULL and PostgreSQL as NaN.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    Location location;
    std::set<std::string> fields;
  };
  const Case cases[] = {
      {{nan, 2.0, ""}, {"location.lat"}},
      {{48.0, nan, ""}, {"location.lon"}},
      {{nan, nan, ""}, {"location.lat", "location.lon"}},
      {{inf, 2.0, ""}, {"location.lat"}},
      {{48.0, -inf, ""}, {"location.lon"}},
  };
  for (const Case& c : cases) {
    NewRequest r = ValidRequest();
    r.location = c.location;
    EXPECT_EQ(Fields(ValidateNewRequest(r)), c.fields) << Describe(ValidateNewRequest(r));
  }
}

TEST(ValidateNewRequestTest, CitizenEmail) {
  NewRequest r = ValidRequest();
  r.citizen = NewCitizen{"Camille", "", "", ""};
  EXPECT_FIELDS(ValidateNewRequest(r));  // no e-mail is fine
  for (const char* bad : {"camille", "camille@", "@example.org", "camille@example",
                          "camille dupont@example.org", "a@b@example.org"}) {
    r.citizen->email = bad;
    EXPECT_FIELDS(ValidateNewRequest(r), "citizen.email") << bad;
  }
  r.citizen->email = Repeat("a", kMaxEmail - 12) + "@example.org";  // exactly the limit
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.citizen->email = Repeat("a", kMaxEmail - 11) + "@example.org";
  EXPECT_FIELDS(ValidateNewRequest(r), "citizen.email");
}

TEST(ValidateNewRequestTest, CitizenPhone) {
  NewRequest r = ValidRequest();
  r.citizen = NewCitizen{"Camille", "", "", ""};
  for (const char* ok : {"0612345678", "+33 6 12 34 56 78", "+33 (0)6.12.34.56.78", "06-12"}) {
    r.citizen->phone = ok;
    EXPECT_FIELDS(ValidateNewRequest(r)) << ok;
  }
  for (const char* bad : {"06 12 34 56 7x", "tel: 0612", "06/12/34", "+33\t6", "0612345678#"}) {
    r.citizen->phone = bad;
    EXPECT_FIELDS(ValidateNewRequest(r), "citizen.phone") << bad;
  }
  r.citizen->phone = Repeat("1", kMaxPhone + 1);
  EXPECT_FIELDS(ValidateNewRequest(r), "citizen.phone");
}

TEST(ValidateNewRequestTest, CitizenNameLimit) {
  NewRequest r = ValidRequest();
  r.citizen = NewCitizen{Repeat(kE, kMaxName), "", "", ""};
  EXPECT_FIELDS(ValidateNewRequest(r));
  r.citizen->name += "e";
  EXPECT_FIELDS(ValidateNewRequest(r), "citizen.name");
}

TEST(ValidateNewRequestTest, LanguageTags) {
  for (const char* ok : {"", "fr", "en", "ber", "pt-BR", "pt_BR", "zh-Hant", "es-419"}) {
    EXPECT_TRUE(IsValidLanguageTag(ok)) << ok;
  }
  for (const char* bad : {"f", "fran",
                          "fran\xC3\xA7"
                          "ais",
                          "fr-", "fr-B", "fr-Latn1", "fr BR", "12", "fr-FR-x", "-fr", "fr--FR"}) {
    EXPECT_FALSE(IsValidLanguageTag(bad)) << bad;
  }
  NewRequest r = ValidRequest();
  r.language = "french";
  EXPECT_FIELDS(ValidateNewRequest(r), "language");
  r = ValidRequest();
  r.citizen = NewCitizen{"Camille", "", "",
                         "fran\xC3\xA7"
                         "ais"};
  EXPECT_FIELDS(ValidateNewRequest(r), "citizen.language");
}

TEST(ValidateNewRequestTest, ReportsEveryBadFieldAtOnce) {
  NewRequest r;
  r.subject = "";
  r.description = "";
  r.language = "x";
  r.location = Location{95.0, std::nullopt, ""};
  r.citizen = NewCitizen{"", "pas-un-email", "abc", ""};
  EXPECT_FIELDS(ValidateNewRequest(r), "subject", "description", "language", "location.lat",
                "location", "citizen.email", "citizen.phone");
}

TEST(ValidatePatchTest, OnlySetFieldsAreChecked) {
  RequestPatch p;
  EXPECT_TRUE(p.empty());
  EXPECT_FIELDS(ValidatePatch(p));
  p.priority = Priority::kHigh;
  EXPECT_FALSE(p.empty());
  EXPECT_FIELDS(ValidatePatch(p));
  p.subject = " ";
  p.language = "xx-";
  p.tags = std::vector<std::string>(kMaxTags + 1, "t");
  EXPECT_FIELDS(ValidatePatch(p), "subject", "language", "tags");
  RequestPatch clear;
  clear.clear_assignee = true;
  EXPECT_FALSE(clear.empty());
}

TEST(ValidateNewMessageTest, BodyAndAuthor) {
  NewMessage m;
  m.body = "Merci, nous intervenons demain.";
  EXPECT_FIELDS(ValidateNewMessage(m));
  m.body = "  ";
  EXPECT_FIELDS(ValidateNewMessage(m), "body");
  m.body = Repeat(kE, kMaxMessageBody + 1);
  EXPECT_FIELDS(ValidateNewMessage(m), "body");
  m.body = "ok";
  m.author_name = "\xFF";
  EXPECT_FIELDS(ValidateNewMessage(m), "author_name");
}

TEST(ValidateNewUserTest, EmailAndName) {
  NewUser u;
  u.email = "agent@mairie.example";
  EXPECT_FIELDS(ValidateNewUser(u));
  u.email = "";
  EXPECT_FIELDS(ValidateNewUser(u), "email");
  u.email = "agent";
  EXPECT_FIELDS(ValidateNewUser(u), "email");
  u.email = "agent@mairie.example";
  u.display_name = Repeat(kE, kMaxName + 1);
  EXPECT_FIELDS(ValidateNewUser(u), "display_name");
}

TEST(ReferenceTest, Format) {
  EXPECT_EQ(FormatReference(2026, 1), "GU-2026-000001");
  EXPECT_EQ(FormatReference(2026, 123), "GU-2026-000123");
  EXPECT_EQ(FormatReference(2026, 999999), "GU-2026-999999");
  EXPECT_EQ(FormatReference(2027, 1000000), "GU-2027-1000000");  // grows past six digits
}

TEST(ReferenceTest, FormattedReferencesLookLikeReferences) {
  for (std::int64_t n : {1LL, 42LL, 999999LL, 1000000LL, 123456789012LL}) {
    const std::string ref = FormatReference(2026, n);
    EXPECT_TRUE(LooksLikeReference(ref)) << ref;
  }
}

TEST(ReferenceTest, LooksLikeReference) {
  EXPECT_TRUE(LooksLikeReference("GU-2026-000001"));
  EXPECT_TRUE(LooksLikeReference("GU-1999-123456789012"));  // 20 characters, the most
  for (const char* bad :
       {"", "GU-2026-00001", "gu-2026-000001", "GU 2026 000001", "GU-2026000001", "GU-26-000001",
        "GX-2026-000001", "GU-2026-00000a", "GU-2026-0000001234567", "GU-2026-000001 ",
        " GU-2026-000001", "GU-2026--00001", "GU-20a6-000001", "GU-2026-000\xC3\xA9"}) {
    EXPECT_FALSE(LooksLikeReference(bad)) << bad;
  }
}

}  // namespace
}  // namespace guichet::core
