// guichet demo on SQLite, with a small --count to stay quick: the town's directory, a year of
// requests with mixed statuses consistent with their age, printed logins that work, idempotence,
// an intact audit chain, SLA deadlines on every request, and reproducibility from the seed.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "cli_runner.h"
#include "common/crypto.h"
#include "sla/policy.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::app {
namespace {

using testing::RunGuichet;

constexpr char kNowText[] = "2026-03-01T09:00:00Z";
constexpr Millis kDay = 24 * 3600 * 1000;

std::vector<core::Request> AllRequests(storage::Store& store) {
  std::vector<core::Request> out;
  storage::PageSpec page{500, std::nullopt};
  for (;;) {
    auto batch = store.ListRequests({}, page);
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) return out;
    out.insert(out.end(), batch->items.begin(), batch->items.end());
    if (!batch->next_after_id) return out;
    page.after_id = batch->next_after_id;
  }
}

// The password printed next to `email` in the logins table.
std::string PrintedPassword(const std::string& out, const std::string& email) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.find(" " + email + " ") == std::string::npos) continue;
    return line.substr(line.find_last_of(' ') + 1);
  }
  return "";
}

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    auto opened = guichet::testing::OpenFreshStore("sqlite");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  testing::CliResult Demo(const std::string& url, int count, int seed = 7) {
    return RunGuichet({"demo", "--db", url, "--count", std::to_string(count), "--seed",
                       std::to_string(seed), "--now", kNowText});
  }

  std::unique_ptr<guichet::testing::TestStore> store_;
};

TEST_F(DemoTest, LoadsTheTownOnce) {
  const Millis now = *ParseIso8601(kNowText);
  auto r = Demo(store_->url(), 200);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Ville de Démo (données de démonstration)"), std::string::npos) << r.out;

  ASSERT_OK_AND_ASSIGN(auto teams, store_->ListTeams());
  std::set<std::string> team_names;
  for (const auto& t : teams) team_names.insert(t.name);
  EXPECT_EQ(team_names, (std::set<std::string>{"État civil", "Urbanisme", "Aides sociales",
                                               "Voirie et propreté", "Accueil général"}));
  ASSERT_OK_AND_ASSIGN(auto categories, store_->ListCategories());
  EXPECT_EQ(categories.size(), 10u);
  for (const auto& c : categories) EXPECT_TRUE(c.default_team_id) << c.slug;

  ASSERT_OK_AND_ASSIGN(auto users, store_->ListUsers());
  std::map<core::Role, int> roles;
  for (const auto& u : users) {
    ++roles[u.role];
    EXPECT_NE(u.email.find("@demo.guichet.local"), std::string::npos) << u.email;
    if (u.role == core::Role::kAgent || u.role == core::Role::kLead) {
      EXPECT_EQ(u.team_ids.size(), 1u) << u.email;
    }
  }
  EXPECT_EQ(roles[core::Role::kAdmin], 1);
  EXPECT_EQ(roles[core::Role::kAuditor], 1);
  EXPECT_EQ(roles[core::Role::kLead], 5);
  EXPECT_EQ(roles[core::Role::kAgent], 10);
  EXPECT_EQ(roles[core::Role::kCitizen], 1);

  // The printed logins work, once each.
  for (const std::string email : {"admin@demo.guichet.local", "citoyen@demo.guichet.local"}) {
    const std::string password = PrintedPassword(r.out, email);
    ASSERT_GE(password.size(), 10u) << r.out;
    ASSERT_OK_AND_ASSIGN(auto creds, store_->FindUserByEmail(email));
    EXPECT_TRUE(VerifyPassword(password, creds.password_hash)) << email;
  }

  const auto requests = AllRequests(*store_);
  ASSERT_EQ(requests.size(), 200u);
  std::map<core::RequestStatus, int> statuses;
  int french = 0, located = 0, with_citizen = 0;
  for (const auto& q : requests) {
    ++statuses[q.status];
    EXPECT_NE(std::find(q.tags.begin(), q.tags.end(), "demo"), q.tags.end()) << q.reference;
    EXPECT_GE(q.created_at, now - 366 * kDay) << q.reference;
    EXPECT_LT(q.created_at, now) << q.reference;
    EXPECT_TRUE(q.category_id && q.team_id) << q.reference;
    french += q.language == "fr";
    located += q.location.has_value();
    with_citizen += q.citizen_id.has_value();
    if (q.status == core::RequestStatus::kNew) {
      EXPECT_GT(q.created_at, now - 7 * kDay) << "an old request left untouched: " << q.reference;
    }
    if (q.status == core::RequestStatus::kResolved) {
      EXPECT_TRUE(q.resolved_at) << q.reference;
    }
    // Every request taken up has an assignee (duplicates are closed straight from new).
    if (q.status != core::RequestStatus::kNew && q.status != core::RequestStatus::kClosed) {
      EXPECT_TRUE(q.assignee_id) << q.reference;
    }
  }
  EXPECT_GE(statuses.size(), 3u);
  EXPECT_GT(statuses[core::RequestStatus::kClosed] + statuses[core::RequestStatus::kResolved], 150);
  EXPECT_GT(french, 140);
  EXPECT_LT(french, 195);
  EXPECT_GT(located, 20);
  EXPECT_GT(with_citizen, 150);

  // Old requests carry a conversation: an agent's public reply at least.
  const core::Request& oldest = requests.back();
  ASSERT_OK_AND_ASSIGN(auto messages, store_->ListMessages(oldest.id, true));
  ASSERT_FALSE(messages.empty()) << oldest.reference;
  EXPECT_TRUE(messages.front().author_user_id);
  EXPECT_GE(messages.front().created_at, oldest.created_at);

  // Idempotent.
  auto again = Demo(store_->url(), 200);
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "demo data already present\n");
  EXPECT_EQ(AllRequests(*store_).size(), 200u);
  ASSERT_OK_AND_ASSIGN(auto users_again, store_->ListUsers());
  EXPECT_EQ(users_again.size(), users.size());

  auto verify = RunGuichet({"admin", "audit", "verify", "--db", store_->url()});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
}

// The SLA policies exist before the first request, so every request has deadlines computed from
// its back-dated creation on its team's calendar; at load time old requests still open have
// breached their resolution target, as the printed summary says.
TEST_F(DemoTest, RequestsHaveSlaDeadlines) {
  const Millis now = *ParseIso8601(kNowText);
  auto r = Demo(store_->url(), 200);
  ASSERT_EQ(r.code, 0) << r.err;

  ASSERT_OK_AND_ASSIGN(auto policies, store_->sla().ListPolicies());
  std::map<std::string, sla::Policy> by_name;
  for (const auto& p : policies) by_name[p.name] = p;
  ASSERT_EQ(by_name.size(), 7u);
  ASSERT_TRUE(by_name.count("Standard") && by_name.count("Urgent"));
  EXPECT_EQ(by_name["Standard"].first_reply_minutes, 480);
  EXPECT_EQ(by_name["Standard"].resolution_minutes, 4200);
  EXPECT_FALSE(by_name["Urgent"].business_hours);
  ASSERT_OK_AND_ASSIGN(auto calendar, store_->sla().GetCalendar());
  ASSERT_OK_AND_ASSIGN(auto teams, store_->ListTeams());
  std::map<core::Id, std::optional<std::string>> team_hours;
  for (const auto& t : teams) {
    ASSERT_OK_AND_ASSIGN(team_hours[t.id], store_->sla().GetTeamOpeningHours(t.id));
    EXPECT_EQ(team_hours[t.id].has_value(), t.name == "Voirie et propreté") << t.name;
  }
  ASSERT_OK_AND_ASSIGN(auto civil_status, store_->FindCategoryBySlug("acte-naissance"));

  const auto requests = AllRequests(*store_);
  ASSERT_EQ(requests.size(), 200u);
  std::map<std::string, int> policy_use;
  int met = 0, missed = 0, at_risk = 0, breached = 0, old_breached = 0;
  for (const auto& q : requests) {
    const core::RequestSla& s = q.sla;
    ASSERT_TRUE(s.policy_id && s.first_reply_due_at && s.resolution_due_at) << q.reference;
    EXPECT_GT(*s.first_reply_due_at, q.created_at) << q.reference;
    EXPECT_GT(*s.resolution_due_at, *s.first_reply_due_at) << q.reference;
    ASSERT_TRUE(s.resolution_warn_at) << q.reference;
    EXPECT_LT(*s.resolution_warn_at, *s.resolution_due_at) << q.reference;

    // The stored deadlines are what the rules give for the request as it stands.
    const sla::Policy* policy = sla::ChoosePolicy(policies, q.category_id, q.priority, q.channel);
    ASSERT_NE(policy, nullptr) << q.reference;
    EXPECT_EQ(policy->id, *s.policy_id) << q.reference;
    ++policy_use[policy->name];
    if (q.category_id == civil_status.id) {
      EXPECT_EQ(policy->name, "Actes d'état civil") << q.reference;
    }
    ASSERT_OK_AND_ASSIGN(auto team_calendar, sla::MakeCalendar(calendar, team_hours[*q.team_id]));
    const sla::Deadlines d = sla::ComputeDeadlines(*policy, team_calendar, q.created_at,
                                                   s.paused_business_ms, s.paused_wall_ms);
    EXPECT_EQ(d.first_reply_due_at, s.first_reply_due_at) << q.reference;
    EXPECT_EQ(d.resolution_due_at, s.resolution_due_at) << q.reference;
    EXPECT_EQ(d.resolution_warn_at, s.resolution_warn_at) << q.reference;

    if (q.resolved_at) {
      (*q.resolved_at <= *s.resolution_due_at ? met : missed)++;
    } else if (!s.paused_at) {
      const auto state =
          sla::StateAt(*s.resolution_due_at, s.resolution_warn_at, std::nullopt, false, now);
      at_risk += state == sla::TargetState::kAtRisk;
      if (state == sla::TargetState::kBreached) {
        ++breached;
        old_breached += q.created_at < now - 30 * kDay;
      }
    }
  }
  EXPECT_GE(policy_use.size(), 5u);
  EXPECT_GT(policy_use["Standard"], 80);
  EXPECT_GT(met, 100);   // most requests are done in time…
  EXPECT_GT(missed, 5);  // …not all
  EXPECT_GT(old_breached, 3);
  // The summary counts the same running targets at the demo's now.
  EXPECT_NE(r.out.find("resolution at risk " + std::to_string(at_risk) + ", breached " +
                       std::to_string(breached) + ";"),
            std::string::npos)
      << r.out;
}

TEST_F(DemoTest, SameSeedSameRequests) {
  auto other = guichet::testing::OpenFreshStore("sqlite");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_EQ(Demo(store_->url(), 40, 11).code, 0);
  ASSERT_EQ(Demo((*other)->url(), 40, 11).code, 0);
  const auto a = AllRequests(*store_);
  const auto b = AllRequests(**other);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].reference, b[i].reference);
    EXPECT_EQ(a[i].subject, b[i].subject);
    EXPECT_EQ(a[i].description, b[i].description);
    EXPECT_EQ(a[i].created_at, b[i].created_at);
    EXPECT_EQ(a[i].status, b[i].status);
  }
}

}  // namespace
}  // namespace guichet::app
