// The automation vocabulary: JSON parsing with element-named errors, matching (folded text,
// tags, ids, ages), field actions with the life cycle, and multilingual rendering.
#include "automation/rules.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace guichet::automation {
namespace {

constexpr Millis kHour = 3600 * 1000;

std::vector<Condition> Conditions(const char* text, std::vector<core::FieldError>* out = nullptr) {
  std::vector<core::FieldError> errors;
  auto c = ParseConditions(json::parse(text), errors);
  if (out)
    *out = errors;
  else
    EXPECT_TRUE(errors.empty()) << errors[0].field << " " << errors[0].reason;
  return c;
}

core::Request Sample() {
  core::Request r;
  r.subject = "Fuite d'eau";
  r.description = "Une ODEUR DE GAZ près de l'école Jean-Jaurès";
  r.priority = core::Priority::kNormal;
  r.status = core::RequestStatus::kOpen;
  r.team_id = 4;
  r.tags = {"Voirie"};
  r.status_changed_at = 10 * kHour;
  r.updated_at = 20 * kHour;
  return r;
}

TEST(RulesTest, ErrorsNameTheElementAndField) {
  std::vector<core::FieldError> errors;
  Conditions(R"([{"field": "priority", "op": "is", "value": "critical"},
                 {"field": "text", "op": "is", "value": "x"},
                 {"field": "hours_in_status", "op": "at_least", "value": -1},
                 {"field": "colour", "op": "is", "value": "red", "extra": 1}])",
             &errors);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"conditions[0].value", "conditions[1].op",
                                              "conditions[2].value", "conditions[3].extra",
                                              "conditions[3].field"}));
  errors.clear();
  ParseActions(json::parse(R"([{"type": "reply", "texts": {"fr": "Bonjour {{nom}}"}},
                               {"type": "set_team"}, {"type": "notify", "value": "mayor",
                                "texts": {"fr": "x"}}, {"type": "add_tags", "tags": []}])"),
               errors);
  fields.clear();
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"actions[0].texts.fr", "actions[1].id",
                                              "actions[2].value", "actions[3].tags"}));
  errors.clear();
  ParseActions(json::array(), errors);
  EXPECT_EQ(errors.size(), 1u);
}

TEST(RulesTest, JsonRoundTrips) {
  const char* text = R"([{"field": "status", "op": "in", "value": ["new", "open"]},
                         {"field": "hours_in_status", "op": "at_least", "value": 168},
                         {"field": "team_id", "op": "is_set"}])";
  const auto conditions = Conditions(text);
  EXPECT_EQ(ToJson(conditions), json::parse(text));
  std::vector<core::FieldError> errors;
  const json actions = json::parse(
      R"([{"type": "set_team", "id": 3}, {"type": "notify", "value": "team", "texts": {"fr": "{{ reference }}"}}])");
  EXPECT_EQ(ToJson(ParseActions(actions, errors)), actions);
  EXPECT_TRUE(errors.empty());
}

TEST(RulesTest, MatchingFoldsTextAndChecksAges) {
  const core::Request r = Sample();
  const Millis now = 200 * kHour;
  EXPECT_TRUE(Matches(
      Conditions(R"([{"field": "text", "op": "contains", "value": "odeur de gaz"}])"), r, now));
  EXPECT_TRUE(
      Matches(Conditions(R"([{"field": "text", "op": "contains", "value": "Ecole"}])"), r, now));
  // Whole words only: "eau" is not "eaux", "gaz" is not in "gazon".
  EXPECT_FALSE(
      Matches(Conditions(R"([{"field": "subject", "op": "contains", "value": "eaux"}])"), r, now));
  EXPECT_TRUE(Matches(
      Conditions(R"([{"field": "description", "op": "not_contains", "value": "gazon"}])"), r, now));
  EXPECT_TRUE(
      Matches(Conditions(R"([{"field": "tags", "op": "contains", "value": "voirie"}])"), r, now));
  EXPECT_TRUE(Matches(Conditions(R"([{"field": "team_id", "op": "in", "value": [3, 4]},
                                     {"field": "assignee_id", "op": "is_not_set"}])"),
                      r, now));
  EXPECT_TRUE(Matches(
      Conditions(R"([{"field": "hours_in_status", "op": "at_least", "value": 190}])"), r, now));
  EXPECT_FALSE(Matches(
      Conditions(R"([{"field": "hours_since_update", "op": "at_least", "value": 190}])"), r, now));
  EXPECT_TRUE(Matches(
      Conditions(R"([{"field": "hours_since_update", "op": "below", "value": 190}])"), r, now));
  EXPECT_TRUE(Matches({}, r, now));
}

TEST(RulesTest, FieldActionsRespectTheLifeCycle) {
  core::Request r = Sample();
  r.status = core::RequestStatus::kClosed;
  std::vector<core::FieldError> errors;
  const auto actions = ParseActions(json::parse(R"([{"type": "set_status", "value": "open"},
      {"type": "set_priority", "value": "high"}, {"type": "add_tags", "tags": ["danger", "Voirie"]},
      {"type": "remove_tags", "tags": ["Voirie"]}])"),
                                    errors);
  std::vector<std::string> skipped;
  EXPECT_TRUE(ApplyFieldActions(actions, r, skipped));
  EXPECT_EQ(r.status, core::RequestStatus::kClosed);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(r.priority, core::Priority::kHigh);
  EXPECT_EQ(r.tags, std::vector<std::string>{"danger"});
  skipped.clear();
  EXPECT_FALSE(ApplyFieldActions(actions, r, skipped));  // nothing new the second time
}

TEST(RulesTest, TextsPickTheLanguageAndRenderPlaceholders) {
  const std::map<std::string, std::string> texts = {{"en", "Hello {{ citizen_name }}"},
                                                    {"fr", "Bonjour {{citizen_name}}"}};
  EXPECT_EQ(PickText(texts, "en-GB"), "Hello {{ citizen_name }}");
  EXPECT_EQ(PickText(texts, "ar"), "Bonjour {{citizen_name}}");
  EXPECT_EQ(PickText({{"de", "Hallo"}}, "ar"), "Hallo");
  EXPECT_EQ(Render("Hello {{ citizen_name }}, {{reference}} {{missing}}.",
                   {{"citizen_name", "Éloïse"}, {"reference", "GU-2026-000001"}}),
            "Hello Éloïse, GU-2026-000001 .");
  EXPECT_EQ(Render("{{unclosed", {}), "{{unclosed");
  EXPECT_EQ(Fold("ÉLOÏSE Ça Où"), "eloise ca ou");  // text conditions match folded text
}

}  // namespace
}  // namespace guichet::automation
