// Automations on both backends: triggers route and flag requests on creation and change, chain
// without ping-pong, and leave an audit entry per firing; scheduled rules remind and close after
// a time in a status, once per status period; macros reply in the request's language and change
// fields in one version. The clock starts on 2026-03-01 at 09:00 UTC.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/store.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using core::RequestStatus;
using json = nlohmann::json;

constexpr Millis kHour = 3600 * 1000;

class AutomationStoreTest : public testing::StoreTest {
 protected:
  Automation Rule(const std::string& name, const json& conditions, const json& actions) {
    Automation a;
    a.name = name;
    std::vector<core::FieldError> errors;
    a.conditions = automation::ParseConditions(conditions, errors);
    a.actions = automation::ParseActions(actions, errors);
    EXPECT_TRUE(errors.empty()) << errors[0].field << " " << errors[0].reason;
    return a;
  }

  Automation Add(Automation a) {
    auto created = store().automations().CreateAutomation(a, actor());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : a;
  }

  core::Request Create(const std::string& subject, const std::string& language = "fr") {
    core::NewRequest r;
    r.subject = subject;
    r.description = "Signalé par un habitant.";
    r.language = language;
    r.citizen = core::NewCitizen{"Éloïse Martin", "eloise@example.org", "", language};
    auto created = store().CreateRequest(r, "hash", actor());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : core::Request{};
  }

  core::Request SetStatus(const core::Request& r, RequestStatus status) {
    core::RequestPatch p;
    p.status = status;
    auto updated = store().UpdateRequest(r.id, r.version, p, actor());
    EXPECT_TRUE(updated.ok()) << updated.status().ToString();
    return updated.ok() ? *updated : r;
  }

  std::vector<AuditEntry> AuditOf(core::Id request_id, const std::string& action) {
    AuditQuery q;
    q.request_id = request_id;
    auto entries = store().ListAudit(q);
    EXPECT_TRUE(entries.ok());
    std::vector<AuditEntry> out;
    if (entries.ok())
      for (const auto& e : *entries)
        if (e.action == action) out.push_back(e);
    return out;
  }
};

TEST_P(AutomationStoreTest, TriggersRouteOnCreateAndAuditEachFiring) {
  ASSERT_OK_AND_ASSIGN(auto roads, store().CreateTeam("Voirie", actor()));
  const Automation gas =
      Add(Rule("Fuite de gaz", json::parse(R"([{"field": "text", "op": "contains_any",
                                        "value": ["fuite de gaz", "odeur de gaz"]}])"),
               json::parse(R"([{"type": "set_priority", "value": "urgent"},
                      {"type": "add_tags", "tags": ["danger"]},
                      {"type": "reply", "texts": {"fr": "Bonjour {{citizen_name}}, votre demande {{reference}} est traitée en urgence.",
                                                  "en": "Hello {{citizen_name}}, {{reference}} is urgent."}},
                      {"type": "notify", "value": "team", "texts": {"fr": "Urgence : {{subject}}"}}])")));
  Automation route = Rule("Urgences à la voirie",
                          json::parse(R"([{"field": "priority", "op": "is", "value": "urgent"}])"),
                          json::array({{{"type", "set_team"}, {"id", roads.id}}}));
  route.position = 5;
  Add(route);

  const core::Request calm = Create("Horaires de la piscine");
  EXPECT_EQ(calm.priority, core::Priority::kNormal);
  EXPECT_TRUE(AuditOf(calm.id, "automation.run").empty());

  const core::Request r = Create("ODEUR DE GAZ rue des Écoles");
  EXPECT_EQ(r.priority, core::Priority::kUrgent);
  EXPECT_EQ(r.team_id, roads.id);  // chained: the second rule saw the first one's priority
  EXPECT_EQ(r.tags, std::vector<std::string>{"danger"});
  EXPECT_EQ(r.version, 1);
  ASSERT_OK_AND_ASSIGN(auto messages, store().ListMessages(r.id, true));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body,
            "Bonjour Éloïse Martin, votre demande " + r.reference + " est traitée en urgence.");
  EXPECT_EQ(messages[0].visibility, core::Visibility::kPublic);
  EXPECT_FALSE(r.first_reply_at.has_value());  // an acknowledgement is not a person's reply
  ASSERT_OK_AND_ASSIGN(auto notifications, store().automations().ListNotifications(r.id));
  ASSERT_EQ(notifications.size(), 1u);
  EXPECT_EQ(notifications[0].recipient, "team");
  EXPECT_EQ(notifications[0].body, "Urgence : ODEUR DE GAZ rue des Écoles");
  EXPECT_EQ(notifications[0].status, "queued");

  const auto runs = AuditOf(r.id, "automation.run");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].actor, "automation:" + std::to_string(gas.id));
  const json first = json::parse(runs[0].changes_json);
  EXPECT_EQ(first["changes"]["priority"]["after"], "urgent");
  EXPECT_EQ(first["automation"], "Fuite de gaz");
  ASSERT_OK_AND_ASSIGN(auto verification, store().VerifyAudit());
  EXPECT_TRUE(verification.ok);
}

// Creates share their batch's reads of the rules, and a change of rule between two creates of
// one batch must not leave the second one with the old rules: in the audit chain's order (the
// order in which the writes happened), each create's priority is what the rule said then.
TEST_P(AutomationStoreTest, CreatesSharingABatchSeeEveryRuleChangeBeforeThem) {
  const Automation rule = Add(
      Rule("Tout en haut", json::parse(R"([{"field": "text", "op": "contains", "value": "x"}])"),
           json::parse(R"([{"type": "set_priority", "value": "high"}])")));
  std::thread flipper([&] {
    for (int i = 0; i < 40; ++i) {
      auto now = store().automations().GetAutomation(rule.id);
      ASSERT_TRUE(now.ok());
      Automation next = *now;
      next.active = !next.active;
      ASSERT_TRUE(
          store().automations().UpdateAutomation(rule.id, now->version, next, actor()).ok());
    }
  });
  std::vector<std::thread> creators;
  for (int t = 0; t < 4; ++t) {
    creators.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        std::vector<std::future<bool>> answers;
        for (int i = 0; i < 8; ++i) {
          auto promise = std::make_shared<std::promise<bool>>();
          answers.push_back(promise->get_future());
          core::NewRequest r;
          r.subject = "x";
          r.description = "Demande de charge.";
          store().CreateRequestAsync(r, "hash", actor(), [promise](Result<core::Request> created) {
            promise->set_value(created.ok());
          });
        }
        for (auto& a : answers) EXPECT_TRUE(a.get());
      }
    });
  }
  flipper.join();
  for (auto& c : creators) c.join();

  bool active = true;
  int checked = 0;
  AuditQuery q;
  q.limit = 1000;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(const auto entries, store().ListAudit(q));
    if (entries.empty()) break;
    for (const AuditEntry& e : entries) {
      const json changes = json::parse(e.changes_json);
      if (e.action == "automation.update" && changes.contains("active")) {
        active = changes["active"]["after"].get<bool>();
      } else if (e.action == "request.create") {
        EXPECT_EQ(changes["priority"]["after"], active ? "high" : "normal") << "entry " << e.id;
        ++checked;
      }
      q.after_id = e.id;
    }
  }
  EXPECT_EQ(checked, 4 * 10 * 8);
}

TEST_P(AutomationStoreTest, OppositeTriggersCannotPingPong) {
  Automation up =
      Rule("Monter", json::parse(R"([{"field": "priority", "op": "is", "value": "normal"}])"),
           json::parse(R"([{"type": "set_priority", "value": "high"}])"));
  up.on_update = true;
  Automation down =
      Rule("Descendre", json::parse(R"([{"field": "priority", "op": "is", "value": "high"}])"),
           json::parse(R"([{"type": "set_priority", "value": "normal"}])"));
  down.on_update = true;
  Add(up);
  Add(down);
  const core::Request r = Create("Banc cassé");
  // Each fired once, in order, then the guard stopped: normal → high → normal.
  EXPECT_EQ(r.priority, core::Priority::kNormal);
  EXPECT_EQ(AuditOf(r.id, "automation.run").size(), 2u);
  const core::Request opened = SetStatus(r, RequestStatus::kOpen);
  EXPECT_EQ(opened.version, 2);
  EXPECT_EQ(AuditOf(r.id, "automation.run").size(), 4u);
}

TEST_P(AutomationStoreTest, ScheduledRulesRemindAndCloseOncePerStatusPeriod) {
  Automation remind =
      Rule("Relance après 7 jours",
           json::parse(R"([{"field": "status", "op": "is", "value": "pending_citizen"},
                      {"field": "hours_in_status", "op": "at_least", "value": 168}])"),
           json::parse(R"([{"type": "reply", "texts": {"fr": "Nous attendons votre réponse.",
                                                  "en": "We are waiting for your answer."}},
                      {"type": "notify", "value": "citizen", "texts": {"fr": "Relance {{reference}}"}}])"));
  remind.kind = AutomationKind::kScheduled;
  remind.on_create = false;
  Add(remind);
  Automation close = Rule("Clôture après 10 jours",
                          json::parse(R"([{"field": "status", "op": "is", "value": "resolved"},
                      {"field": "hours_in_status", "op": "at_least", "value": 240}])"),
                          json::parse(R"([{"type": "set_status", "value": "closed"}])"));
  close.kind = AutomationKind::kScheduled;
  close.on_create = false;
  const Automation closer = Add(close);

  core::Request waiting =
      SetStatus(Create("Justificatif manquant", "en"), RequestStatus::kPendingCitizen);
  core::Request done = SetStatus(Create("Trottoir réparé"), RequestStatus::kResolved);
  clock().Advance(100 * kHour);
  ASSERT_OK_AND_ASSIGN(auto run, store().RunScheduledAutomations(100));
  EXPECT_EQ(run.fired, 0);

  clock().Advance(100 * kHour);  // 200 h: past 7 days, not 10
  ASSERT_OK_AND_ASSIGN(run, store().RunScheduledAutomations(100));
  EXPECT_EQ(run.fired, 1);
  ASSERT_OK_AND_ASSIGN(auto messages, store().ListMessages(waiting.id, false));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "We are waiting for your answer.");
  ASSERT_OK_AND_ASSIGN(run, store().RunScheduledAutomations(100));
  EXPECT_EQ(run.fired, 0);  // once per status period

  clock().Advance(50 * kHour);  // 250 h
  ASSERT_OK_AND_ASSIGN(run, store().RunScheduledAutomations(100));
  EXPECT_EQ(run.fired, 1);
  ASSERT_OK_AND_ASSIGN(done, store().GetRequest(done.id));
  EXPECT_EQ(done.status, RequestStatus::kClosed);
  const auto updates = AuditOf(done.id, "request.update");
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.back().actor, "automation:" + std::to_string(closer.id));

  // A new waiting period gets its own reminder.
  ASSERT_OK_AND_ASSIGN(waiting, store().GetRequest(waiting.id));
  waiting = SetStatus(SetStatus(waiting, RequestStatus::kOpen), RequestStatus::kPendingCitizen);
  clock().Advance(170 * kHour);
  ASSERT_OK_AND_ASSIGN(run, store().RunScheduledAutomations(100));
  EXPECT_EQ(run.fired, 1);
  ASSERT_OK_AND_ASSIGN(auto notifications, store().automations().ListNotifications(waiting.id));
  EXPECT_EQ(notifications.size(), 2u);
}

TEST_P(AutomationStoreTest, MacrosReplyInTheRequestsLanguageAndChangeFieldsOnce) {
  Macro m;
  m.name = "Pièce manquante";
  m.texts = {{"fr", "Bonjour {{citizen_name}}, il manque un justificatif. {{agent_name}}"},
             {"en", "Hello {{citizen_name}}, a document is missing. {{agent_name}}"}};
  std::vector<core::FieldError> errors;
  m.actions =
      automation::ParseActions(json::parse(R"([{"type": "set_status", "value": "pending_citizen"},
                      {"type": "add_note", "texts": {"fr": "Relance envoyée"}}])"),
                               errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_OK_AND_ASSIGN(auto macro, store().automations().CreateMacro(m, actor()));

  core::Request r = SetStatus(Create("Permis de construire", "en"), RequestStatus::kOpen);
  EXPECT_STATUS(store().ApplyMacro(r.id, r.version - 1, macro.id, "Agent Dupont", actor()),
                StatusCode::kConflict);
  ASSERT_OK_AND_ASSIGN(auto applied,
                       store().ApplyMacro(r.id, r.version, macro.id, "Agent Dupont", actor()));
  EXPECT_EQ(applied.version, r.version + 1);
  EXPECT_EQ(applied.status, RequestStatus::kPendingCitizen);
  EXPECT_TRUE(applied.first_reply_at.has_value());
  EXPECT_TRUE(applied.sla.paused_at.has_value() || !applied.sla.policy_id);
  ASSERT_OK_AND_ASSIGN(auto messages, store().ListMessages(r.id, true));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].body, "Hello Éloïse Martin, a document is missing. Agent Dupont");
  EXPECT_EQ(messages[1].visibility, core::Visibility::kInternal);
  EXPECT_EQ(AuditOf(r.id, "macro.apply").size(), 1u);

  // A move the life cycle forbids changes nothing.
  ASSERT_OK_AND_ASSIGN(auto closed, store().GetRequest(r.id));
  closed = SetStatus(SetStatus(closed, RequestStatus::kResolved), RequestStatus::kClosed);
  EXPECT_STATUS(store().ApplyMacro(r.id, closed.version, macro.id, "Agent", actor()),
                StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(messages, store().ListMessages(r.id, true));
  EXPECT_EQ(messages.size(), 2u);
}

TEST_P(AutomationStoreTest, RulesAreValidatedVersionedAndDeletable) {
  Automation bad = Rule("Sans déclencheur", json::array(),
                        json::parse(R"([{"type": "add_tags", "tags": ["x"]}])"));
  bad.on_create = false;
  EXPECT_STATUS(store().automations().CreateAutomation(bad, actor()), StatusCode::kInvalidArgument);
  Automation scheduled =
      Rule("Sans délai", json::parse(R"([{"field": "status", "op": "is", "value": "open"}])"),
           json::parse(R"([{"type": "add_tags", "tags": ["x"]}])"));
  scheduled.kind = AutomationKind::kScheduled;
  scheduled.on_create = false;
  EXPECT_STATUS(store().automations().CreateAutomation(scheduled, actor()),
                StatusCode::kInvalidArgument);
  Automation ghost_team =
      Rule("Équipe fantôme", json::array(), json::parse(R"([{"type": "set_team", "id": 999}])"));
  EXPECT_STATUS(store().automations().CreateAutomation(ghost_team, actor()),
                StatusCode::kInvalidArgument);

  const Automation a = Add(Rule("Étiquette", json::array(),
                                json::parse(R"([{"type": "add_tags", "tags": ["nouveau"]}])")));
  EXPECT_STATUS(store().automations().CreateAutomation(a, actor()), StatusCode::kAlreadyExists);
  Automation changed = a;
  changed.active = false;
  ASSERT_OK_AND_ASSIGN(auto updated,
                       store().automations().UpdateAutomation(a.id, 1, changed, actor()));
  EXPECT_EQ(updated.version, 2);
  EXPECT_STATUS(store().automations().UpdateAutomation(a.id, 1, changed, actor()),
                StatusCode::kConflict);
  EXPECT_TRUE(Create("Inactive").tags.empty());
  ASSERT_OK(store().automations().DeleteAutomation(a.id, actor()));
  EXPECT_STATUS(store().automations().GetAutomation(a.id), StatusCode::kNotFound);
}

GUICHET_INSTANTIATE_STORE_TEST(AutomationStoreTest);

}  // namespace
}  // namespace guichet::storage
