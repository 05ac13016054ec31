// Unit tests of the JSON ⇄ domain mapping in src/server/json/dto.h: the readers report every
// bad field (with its path) at once, and the writers give the documented shapes. Categories are
// looked up in an in-memory SQLite store (no network).
#include "server/json/dto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "common/crypto.h"
#include "storage/store.h"

namespace guichet::server {
namespace {

using core::FieldError;

class DtoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto store = storage::OpenStore("sqlite::memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->Migrate().ok());
    auto team = store_->CreateTeam("État civil", storage::Actor::System("test"));
    ASSERT_TRUE(team.ok());
    team_id_ = team->id;
    auto category = store_->CreateCategory({0, "naissance", "Acte de naissance", team_id_},
                                           storage::Actor::System("test"));
    ASSERT_TRUE(category.ok());
    category_id_ = category->id;
  }

  std::variant<core::NewRequest, std::vector<FieldError>> New(const std::string& text) {
    return ReadNewRequest(*store_, json::parse(text));
  }
  std::variant<PatchInput, std::vector<FieldError>> Patch(const std::string& text) {
    return ReadPatch(*store_, json::parse(text));
  }

  // "field: reason" of each error, for readable comparisons.
  template <typename T>
  static std::vector<std::string> Errors(const std::variant<T, std::vector<FieldError>>& v) {
    std::vector<std::string> out;
    if (auto* errors = std::get_if<std::vector<FieldError>>(&v)) {
      for (const auto& e : *errors) out.push_back(e.field + ": " + e.reason);
    }
    return out;
  }
  template <typename T>
  static std::set<std::string> Fields(const std::variant<T, std::vector<FieldError>>& v) {
    std::set<std::string> out;
    if (auto* errors = std::get_if<std::vector<FieldError>>(&v)) {
      for (const auto& e : *errors) out.insert(e.field);
    }
    return out;
  }

  std::unique_ptr<storage::Store> store_;
  core::Id team_id_ = 0;
  core::Id category_id_ = 0;
};

// ---- ReadNewRequest --------------------------------------------------------------------------

TEST_F(DtoTest, NewRequestMinimal) {
  auto read = New(R"({"subject": "Passeport", "description": "Perdu.", "channel": "web"})");
  ASSERT_TRUE(std::holds_alternative<core::NewRequest>(read)) << Errors(read)[0];
  const auto& r = std::get<core::NewRequest>(read);
  EXPECT_EQ(r.subject, "Passeport");
  EXPECT_EQ(r.description, "Perdu.");
  EXPECT_EQ(r.channel, core::Channel::kWeb);
  EXPECT_EQ(r.priority, core::Priority::kNormal);
  EXPECT_EQ(r.category_id, std::nullopt);
  EXPECT_FALSE(r.location.has_value());
  EXPECT_FALSE(r.citizen.has_value());
}

TEST_F(DtoTest, NewRequestFull) {
  auto read = New(R"({
    "subject": "Naissance", "description": "Copie intégrale", "channel": "phone",
    "priority": "high", "language": "fr", "category": "naissance", "tags": ["a", "b"],
    "custom_fields": {"dossier": "12"},
    "location": {"lat": 48.85, "lon": 2.35, "address": "1 place de l'Hôtel de Ville"},
    "citizen": {"name": "Jo", "email": "jo@example.org", "phone": "+33 1 23", "language": "fr"}
  })");
  ASSERT_TRUE(std::holds_alternative<core::NewRequest>(read)) << Errors(read)[0];
  const auto& r = std::get<core::NewRequest>(read);
  EXPECT_EQ(r.channel, core::Channel::kPhone);
  EXPECT_EQ(r.priority, core::Priority::kHigh);
  EXPECT_EQ(r.category_id, category_id_);
  EXPECT_EQ(r.tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.custom_fields.at("dossier"), "12");
  ASSERT_TRUE(r.location.has_value());
  EXPECT_DOUBLE_EQ(*r.location->lat, 48.85);
  ASSERT_TRUE(r.citizen.has_value());
  EXPECT_EQ(r.citizen->email, "jo@example.org");
}

TEST_F(DtoTest, NewRequestCategoryByIdOrSlug) {
  auto by_id = New(R"({"subject": "s", "description": "d", "channel": "web", "category": )" +
                   std::to_string(category_id_) + "}");
  ASSERT_TRUE(std::holds_alternative<core::NewRequest>(by_id));
  EXPECT_EQ(std::get<core::NewRequest>(by_id).category_id, category_id_);
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "category": "nope"})")),
            std::vector<std::string>{"category: is not a known category"});
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "category": 999})")),
            std::vector<std::string>{"category: is not a known category"});
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "category": 1.5})")),
            std::vector<std::string>{"category: must be a category slug or id, not a number"});
}

TEST_F(DtoTest, NewRequestMissingFieldsAreAllReported) {
  EXPECT_EQ(Errors(New("{}")),
            (std::vector<std::string>{"subject: is required", "description: is required",
                                      "channel: is required"}));
}

TEST_F(DtoTest, NewRequestWrongTypesAndUnknownFieldsAreAllReported) {
  auto read = New(R"({"subject": 5, "description": ["x"], "channel": "fax", "priority": "asap",
                      "tags": ["ok", 3], "custom_fields": {"k": 1}, "language": 7,
                      "location": "Paris", "citizen": {"email": 3, "age": 40},
                      "reference": "GU-2026-000001", "status": "closed"})");
  EXPECT_EQ(Fields(read),
            (std::set<std::string>{"subject", "description", "channel", "priority", "tags[1]",
                                   "custom_fields.k", "language", "location", "citizen.email",
                                   "citizen.age", "reference", "status"}));
  const auto errors = Errors(read);
  EXPECT_NE(std::find(errors.begin(), errors.end(), "subject: must be a string, not a number"),
            errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), "status: is not a known field"), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "channel: must be one of: web, email, api, open311, phone, counter, chat"),
            errors.end());
}

TEST_F(DtoTest, NewRequestSubjectLimitIsInCharactersNotBytes) {
  std::string subject200;
  for (int i = 0; i < 200; ++i) subject200 += "é";  // 400 bytes
  auto ok = New(R"({"subject": ")" + subject200 + R"(", "description": "d", "channel": "web"})");
  EXPECT_TRUE(std::holds_alternative<core::NewRequest>(ok)) << Errors(ok)[0];
  auto too_long = New(R"({"subject": ")" + std::string(201, 'a') +
                      R"(", "description": "d", "channel": "web"})");
  EXPECT_EQ(Errors(too_long), std::vector<std::string>{"subject: is longer than 200 characters"});
  EXPECT_EQ(Errors(New(R"({"subject": "   ", "description": "d", "channel": "web"})")),
            std::vector<std::string>{"subject: is required and must not be blank"});
}

TEST_F(DtoTest, NewRequestNestedObjectsAreCheckedWithTheirPaths) {
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "location": {"lat": "north", "zone": 1}})")),
            (std::vector<std::string>{"location.lat: must be a number, not a string",
                                      "location.zone: is not a known field"}));
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "location": {"lat": 95, "lon": 2}})")),
            std::vector<std::string>{"location.lat: must be between -90 and 90"});
  EXPECT_EQ(Errors(New(R"({"subject": "s", "description": "d", "channel": "web",
                           "citizen": {"email": "not-an-email"}})")),
            std::vector<std::string>{"citizen.email: is not an e-mail address"});
}

// ---- ReadPatch -------------------------------------------------------------------------------

TEST_F(DtoTest, PatchReadsTheFieldsPresent) {
  auto read = Patch(R"({"version": 3, "subject": "Nouveau", "priority": "urgent",
                        "status": "open", "team_id": )" +
                    std::to_string(team_id_) + R"(, "category": "naissance", "tags": []})");
  ASSERT_TRUE(std::holds_alternative<PatchInput>(read)) << Errors(read)[0];
  const auto& in = std::get<PatchInput>(read);
  EXPECT_EQ(in.version, 3);
  EXPECT_EQ(in.patch.subject, "Nouveau");
  EXPECT_EQ(in.patch.priority, core::Priority::kUrgent);
  EXPECT_EQ(in.patch.status, core::RequestStatus::kOpen);
  EXPECT_EQ(in.patch.team_id, team_id_);
  EXPECT_EQ(in.patch.category_id, category_id_);
  EXPECT_EQ(in.patch.tags, std::vector<std::string>{});
  EXPECT_FALSE(in.patch.description.has_value());
  EXPECT_FALSE(in.patch.clear_team || in.patch.clear_category || in.patch.clear_assignee);
}

TEST_F(DtoTest, PatchNullClearsCategoryTeamAndAssignee) {
  auto read = Patch(R"({"category": null, "team_id": null, "assignee_id": null})");
  ASSERT_TRUE(std::holds_alternative<PatchInput>(read)) << Errors(read)[0];
  const auto& p = std::get<PatchInput>(read).patch;
  EXPECT_TRUE(p.clear_category);
  EXPECT_TRUE(p.clear_team);
  EXPECT_TRUE(p.clear_assignee);
  EXPECT_FALSE(p.category_id || p.team_id || p.assignee_id);
  EXPECT_EQ(std::get<PatchInput>(read).version, std::nullopt);
}

TEST_F(DtoTest, PatchEmptyBodyIsAnEmptyPatch) {
  auto read = Patch("{}");
  ASSERT_TRUE(std::holds_alternative<PatchInput>(read));
  EXPECT_TRUE(std::get<PatchInput>(read).patch.empty());
}

TEST_F(DtoTest, PatchErrorsAreAllReported) {
  EXPECT_EQ(Fields(Patch(R"({"version": "3", "team_id": "2", "assignee_id": true,
                             "status": "done", "priority": 1, "tags": "a", "owner": 1,
                             "category": "nope"})")),
            (std::set<std::string>{"version", "team_id", "assignee_id", "status", "priority",
                                   "tags", "owner", "category"}));
  EXPECT_EQ(Errors(Patch(R"({"subject": ""})")),
            std::vector<std::string>{"subject: is required and must not be blank"});
  EXPECT_EQ(
      Errors(Patch(R"({"language": "french!"})")),
      std::vector<std::string>{"language: must be a language tag such as \"fr\" or \"pt-BR\""});
  EXPECT_EQ(Errors(Patch(R"({"subject": ")" + std::string(201, 'x') + "\"}")),
            std::vector<std::string>{"subject: is longer than 200 characters"});
}

// ---- Writers ---------------------------------------------------------------------------------

TEST_F(DtoTest, RequestJsonHasTheDocumentedFields) {
  core::NewRequest in;
  in.subject = "S";
  in.description = "D";
  in.category_id = category_id_;
  auto created = store_->CreateRequest(in, Sha256Hex("secret"), storage::Actor::System("t"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const json staff = RequestToJson(*store_, *created, true, 0);
  for (const char* key :
       {"id",         "reference",  "subject",        "description", "channel",
        "language",   "category",   "category_id",    "team_id",     "assignee_id",
        "priority",   "status",     "tags",           "location",    "custom_fields",
        "created_at", "updated_at", "first_reply_at", "resolved_at", "sla",
        "version",    "citizen"}) {
    EXPECT_TRUE(staff.contains(key)) << key;
  }
  EXPECT_EQ(staff["category"], "naissance");
  EXPECT_EQ(staff["team_id"], team_id_);
  EXPECT_FALSE(RequestToJson(*store_, *created, false, 0).contains("citizen"));
  const json citizen = RequestToCitizenJson(*created);
  for (const char* internal : {"id", "team_id", "assignee_id", "category_id", "version"}) {
    EXPECT_FALSE(citizen.contains(internal)) << internal;
  }
}

}  // namespace
}  // namespace guichet::server
