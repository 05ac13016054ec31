// The Store contract (storage/store.h), case by case, on SQLite and on PostgreSQL: each test runs
// once per backend on a fresh database and must give the same answer on both. The clock is a
// ManualClock at 2026-03-01T09:00Z, so references, timestamps and the audit log are predictable.
#include "storage/store.h"
#include "storage/migrations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using core::Id;
using core::RequestStatus;
using json = nlohmann::json;

constexpr Millis kMinute = 60 * 1000;
constexpr Millis kHour = 60 * kMinute;

// Everything a Request holds, one field per line, so that two requests compare with a readable
// difference.
std::string Dump(const core::Request& r) {
  std::ostringstream out;
  auto opt = [](const auto& v) { return v ? std::to_string(*v) : std::string("null"); };
  out << "id " << r.id << "\nreference " << r.reference << "\nsubject " << r.subject
      << "\ndescription " << r.description << "\nchannel " << core::ToString(r.channel)
      << "\nlanguage " << r.language << "\ncategory " << opt(r.category_id) << "\nteam "
      << opt(r.team_id) << "\nassignee " << opt(r.assignee_id) << "\ncitizen " << opt(r.citizen_id)
      << "\ncreated_by " << opt(r.created_by) << "\npriority " << core::ToString(r.priority)
      << "\nstatus " << core::ToString(r.status) << "\ntags " << json(r.tags).dump() << "\ncustom "
      << json(r.custom_fields).dump();
  if (r.location) {
    out << "\nlocation " << opt(r.location->lat) << " " << opt(r.location->lon) << " "
        << r.location->address;
  }
  out << "\ncreated_at " << r.created_at << "\nupdated_at " << r.updated_at << "\nfirst_reply "
      << opt(r.first_reply_at) << "\nresolved " << opt(r.resolved_at) << "\nversion " << r.version;
  return out.str();
}

std::vector<Id> Ids(const std::vector<core::Request>& requests) {
  std::vector<Id> out;
  for (const auto& r : requests) out.push_back(r.id);
  return out;
}

class StoreSuite : public guichet::testing::StoreTest {
 protected:
  // The value of an OK result; otherwise fails the test and aborts it (gtest reports the throw).
  template <typename T>
  static T Must(Result<T> r, const std::string& what) {
    if (!r.ok()) {
      ADD_FAILURE() << what << ": " << r.status().ToString();
      throw std::runtime_error(what + " failed");
    }
    return std::move(r).value();
  }

  static core::NewRequest Req(const std::string& subject,
                              const std::string& description = "Merci de traiter ma demande.") {
    core::NewRequest r;
    r.subject = subject;
    r.description = description;
    r.language = "fr";
    return r;
  }

  core::Request Create(const core::NewRequest& r, const std::string& secret = "secret") {
    return Must(store().CreateRequest(r, Sha256Hex(secret), actor()), "CreateRequest");
  }
  core::Team Team(const std::string& name) {
    return Must(store().CreateTeam(name, actor()), "CreateTeam " + name);
  }
  core::User Agent(const std::string& email, std::vector<Id> teams = {},
                   core::Role role = core::Role::kAgent) {
    core::NewUser u;
    u.email = email;
    u.display_name = email.substr(0, email.find('@'));
    u.role = role;
    u.team_ids = std::move(teams);
    return Must(store().CreateUser(u, actor()), "CreateUser " + email);
  }

  std::vector<AuditEntry> Audit(std::optional<Id> request_id = std::nullopt) {
    AuditQuery q;
    q.request_id = request_id;
    q.limit = 1000;
    return Must(store().ListAudit(q), "ListAudit");
  }

  std::vector<Id> List(const RequestFilter& filter) {
    PageSpec page;
    page.limit = 500;
    return Ids(Must(store().ListRequests(filter, page), "ListRequests").items);
  }
};

// --- Schema ---------------------------------------------------------------------------------

TEST_P(StoreSuite, MigrateIsIdempotent) {
  EXPECT_EQ(store().backend(), GetParam());
  ASSERT_OK_AND_ASSIGN(const int again, store().Migrate());
  EXPECT_EQ(again, 0);
  ASSERT_OK_AND_ASSIGN(const int third, store().Migrate());
  EXPECT_EQ(third, 0);
  EXPECT_OK(store().Ping());
  // Every numbered migration ran once, and both backends have the same numbers.
  const auto& migrations = storage::internal::SqliteMigrations();
  ASSERT_EQ(storage::internal::PostgresMigrations().size(), migrations.size());
  ASSERT_OK_AND_ASSIGN(auto rows,
                       store().RawQuery("SELECT version FROM schema_migrations ORDER BY version"));
  ASSERT_EQ(rows.size(), migrations.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0], std::to_string(migrations[i].version));
    EXPECT_EQ(migrations[i].version, storage::internal::PostgresMigrations()[i].version);
  }
  const PoolStats stats = store().pool_stats();
  EXPECT_EQ(stats.size, 8);
  EXPECT_GE(stats.open, 1);
  EXPECT_LE(stats.idle, stats.open);
}

// --- Directory ------------------------------------------------------------------------------

TEST_P(StoreSuite, Teams) {
  ASSERT_OK_AND_ASSIGN(const core::Team voirie, store().CreateTeam("Voirie", actor()));
  ASSERT_OK_AND_ASSIGN(const core::Team etat_civil,
                       store().CreateTeam("\xC3\x89tat civil", actor()));
  EXPECT_GT(voirie.id, 0);
  EXPECT_NE(voirie.id, etat_civil.id);

  ASSERT_OK_AND_ASSIGN(const core::Team got, store().GetTeam(etat_civil.id));
  EXPECT_EQ(got.name, "\xC3\x89tat civil");
  ASSERT_OK_AND_ASSIGN(const core::Team found, store().FindTeamByName("Voirie"));
  EXPECT_EQ(found.id, voirie.id);
  ASSERT_OK_AND_ASSIGN(const auto all, store().ListTeams());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, voirie.id);
  EXPECT_EQ(all[1].id, etat_civil.id);

  EXPECT_STATUS(store().CreateTeam("Voirie", actor()), StatusCode::kAlreadyExists);
  EXPECT_STATUS(store().GetTeam(etat_civil.id + 100), StatusCode::kNotFound);
  EXPECT_STATUS(store().FindTeamByName("voirie"), StatusCode::kNotFound);  // exact name
  EXPECT_STATUS(store().CreateTeam("  ", actor()), StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateTeam("bad \xC3", actor()), StatusCode::kInvalidArgument);
  EXPECT_EQ(Must(store().ListTeams(), "ListTeams").size(), 2u);
}

TEST_P(StoreSuite, Categories) {
  const core::Team team = Team("Voirie");
  ASSERT_OK_AND_ASSIGN(const core::Category lamp, store().CreateCategory({0, "eclairage-public",
                                                                          "\xC3\x89"
                                                                          "clairage public",
                                                                          team.id},
                                                                         actor()));
  ASSERT_OK_AND_ASSIGN(const core::Category other,
                       store().CreateCategory({0, "divers", "Divers", std::nullopt}, actor()));
  EXPECT_GT(lamp.id, 0);
  EXPECT_EQ(lamp.default_team_id, team.id);
  EXPECT_EQ(other.default_team_id, std::nullopt);

  ASSERT_OK_AND_ASSIGN(const core::Category by_slug,
                       store().FindCategoryBySlug("eclairage-public"));
  EXPECT_EQ(by_slug.id, lamp.id);
  EXPECT_EQ(by_slug.name,
            "\xC3\x89"
            "clairage public");
  EXPECT_EQ(by_slug.default_team_id, team.id);
  ASSERT_OK_AND_ASSIGN(const core::Category by_id, store().GetCategory(other.id));
  EXPECT_EQ(by_id.slug, "divers");
  ASSERT_OK_AND_ASSIGN(const auto all, store().ListCategories());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].slug, "eclairage-public");

  EXPECT_STATUS(store().CreateCategory({0, "divers", "Autre nom", std::nullopt}, actor()),
                StatusCode::kAlreadyExists);
  EXPECT_STATUS(store().CreateCategory({0, "nouvelle", "Nouvelle", team.id + 100}, actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateCategory({0, "avec espace", "X", std::nullopt}, actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateCategory({0, "", "X", std::nullopt}, actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateCategory({0, "vide", " ", std::nullopt}, actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().GetCategory(other.id + 100), StatusCode::kNotFound);
  EXPECT_STATUS(store().FindCategoryBySlug("inconnue"), StatusCode::kNotFound);
  EXPECT_EQ(Must(store().ListCategories(), "ListCategories").size(), 2u);
}

TEST_P(StoreSuite, Users) {
  const core::Team a = Team("A");
  const core::Team b = Team("B");
  clock().Advance(kMinute);
  core::NewUser input;
  input.email = "Agent.Dupont@Mairie.Example";
  input.display_name = "Agent Dupont";
  input.role = core::Role::kLead;
  input.password_hash = "$argon2id$fake";
  input.team_ids = {b.id, a.id};
  ASSERT_OK_AND_ASSIGN(const core::User user, store().CreateUser(input, actor()));
  EXPECT_GT(user.id, 0);
  EXPECT_EQ(user.email, "agent.dupont@mairie.example");
  EXPECT_EQ(user.display_name, "Agent Dupont");
  EXPECT_EQ(user.role, core::Role::kLead);
  EXPECT_EQ(user.team_ids, (std::vector<Id>{a.id, b.id}));
  EXPECT_EQ(user.citizen_id, std::nullopt);
  EXPECT_TRUE(user.active);
  EXPECT_EQ(user.created_at, guichet::testing::kTestStart + kMinute);

  ASSERT_OK_AND_ASSIGN(const core::User got, store().GetUser(user.id));
  EXPECT_EQ(got.email, user.email);
  EXPECT_EQ(got.team_ids, user.team_ids);
  ASSERT_OK_AND_ASSIGN(const UserCredentials creds,
                       store().FindUserByEmail("AGENT.DUPONT@mairie.example"));
  EXPECT_EQ(creds.user.id, user.id);
  EXPECT_EQ(creds.password_hash, "$argon2id$fake");
  EXPECT_STATUS(store().FindUserByEmail("personne@mairie.example"), StatusCode::kNotFound);
  EXPECT_STATUS(store().GetUser(user.id + 100), StatusCode::kNotFound);

  // The same address in another case is the same address.
  input.email = "agent.DUPONT@mairie.example";
  EXPECT_STATUS(store().CreateUser(input, actor()), StatusCode::kAlreadyExists);
  // Surrounding spaces are trimmed before the address is checked, so this is a duplicate too.
  input.email = "  agent.dupont@mairie.example ";
  EXPECT_STATUS(store().CreateUser(input, actor()), StatusCode::kAlreadyExists);

  // An unknown team refuses the whole user: no row, no audit entry.
  const size_t audit_before = Audit().size();
  core::NewUser bad;
  bad.email = "autre@mairie.example";
  bad.team_ids = {a.id, b.id + 100};
  EXPECT_STATUS(store().CreateUser(bad, actor()), StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().FindUserByEmail("autre@mairie.example"), StatusCode::kNotFound);
  EXPECT_EQ(Audit().size(), audit_before);

  bad.team_ids = {};
  bad.email = "pas une adresse";
  EXPECT_STATUS(store().CreateUser(bad, actor()), StatusCode::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(const auto users, store().ListUsers());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].id, user.id);
}

TEST_P(StoreSuite, SimilarRequestsAreTheSameCitizensThenTheSameIssue) {
  core::NewUser citizen;
  citizen.email = "lea@example.org";
  citizen.role = core::Role::kCitizen;
  ASSERT_OK_AND_ASSIGN(const core::User lea, store().CreateUser(citizen, actor()));
  core::NewRequest first = Req("Lampadaire éteint rue de la Paix");
  first.description = "Le lampadaire devant le 12 rue de la Paix est éteint depuis lundi.";
  first.citizen_id = lea.citizen_id;
  const core::Request asked = Create(first);
  core::NewRequest earlier = Req("Acte de naissance");
  earlier.citizen_id = lea.citizen_id;
  const core::Request same_citizen = Create(earlier);
  core::NewRequest twice = Req("Éclairage en panne");
  twice.description = "Lampadaire éteint au 14 rue de la Paix, la rue est noire le soir.";
  const core::Request same_issue = Create(twice);
  Create(Req("Inscription à la cantine scolaire"));  // nothing in common

  ASSERT_OK_AND_ASSIGN(const auto similar, store().SimilarRequests(asked.id, 10));
  ASSERT_EQ(similar.size(), 2u);
  EXPECT_EQ(similar[0].request.id, same_citizen.id);
  EXPECT_EQ(similar[0].reason, "same_citizen");
  EXPECT_EQ(similar[1].request.id, same_issue.id);
  EXPECT_EQ(similar[1].reason, "similar_text");
  ASSERT_OK_AND_ASSIGN(const auto one, store().SimilarRequests(asked.id, 1));
  EXPECT_EQ(one.size(), 1u);
  // Words that look like query syntax are only words.
  ASSERT_OK_AND_ASSIGN(
      const core::Request odd,
      store().CreateRequest(Req("NEAR(lampadaire) OR \"paix\" AND NOT 'x' | !& :*"), Sha256Hex("s"),
                            actor()));
  ASSERT_OK_AND_ASSIGN(const auto from_odd, store().SimilarRequests(odd.id, 10));
  EXPECT_FALSE(from_odd.empty());
  EXPECT_STATUS(store().SimilarRequests(asked.id, 0), StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().SimilarRequests(asked.id + 1000, 5), StatusCode::kNotFound);
}

TEST_P(StoreSuite, CitizenUserGetsACitizenContact) {
  core::NewUser input;
  input.email = "Camille@Example.org";
  input.display_name = "Camille Martin";
  input.role = core::Role::kCitizen;
  ASSERT_OK_AND_ASSIGN(const core::User user, store().CreateUser(input, actor()));
  ASSERT_TRUE(user.citizen_id.has_value());
  ASSERT_OK_AND_ASSIGN(const core::Citizen citizen, store().GetCitizen(*user.citizen_id));
  EXPECT_EQ(citizen.id, *user.citizen_id);
  EXPECT_EQ(citizen.name, "Camille Martin");
  EXPECT_EQ(citizen.email, "camille@example.org");
  EXPECT_STATUS(store().GetCitizen(*user.citizen_id + 100), StatusCode::kNotFound);

  // The account's requests are tied to its contact.
  core::NewRequest r = Req("Carte d'identit\xC3\xA9");
  r.citizen_id = user.citizen_id;
  EXPECT_EQ(Create(r).citizen_id, user.citizen_id);
  r.citizen_id = *user.citizen_id + 100;
  EXPECT_STATUS(store().CreateRequest(r, "h", actor()), StatusCode::kInvalidArgument);
}

// --- Authentication -------------------------------------------------------------------------

TEST_P(StoreSuite, GetCitizensReadsThoseThatExist) {
  std::vector<Id> ids;
  for (int i = 0; i < 40; ++i) {  // more than one chunk of the IN list
    core::NewRequest r = Req("Demande " + std::to_string(i));
    r.citizen = core::NewCitizen{"Citoyen " + std::to_string(i), "", "", ""};
    ids.push_back(*Create(r).citizen_id);
  }
  std::vector<Id> asked = ids;
  asked.push_back(ids[3]);           // a repeat
  asked.push_back(ids.back() + 99);  // none such
  ASSERT_OK_AND_ASSIGN(const auto citizens, store().GetCitizens(asked));
  ASSERT_EQ(citizens.size(), ids.size());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(citizens.count(ids[i]));
    EXPECT_EQ(citizens.at(ids[i]).name, "Citoyen " + std::to_string(i));
  }
  ASSERT_OK_AND_ASSIGN(const auto none, store().GetCitizens({}));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreSuite, Sessions) {
  const core::User user = Agent("agent@mairie.example");
  const Millis now = clock().Now();
  const Session session{Sha256Hex("cookie-1"), user.id, "csrf-1", now, now + kHour};
  ASSERT_OK(store().CreateSession(session));
  ASSERT_OK_AND_ASSIGN(const Session found, store().FindSession(Sha256Hex("cookie-1")));
  EXPECT_EQ(found.token_hash, session.token_hash);
  EXPECT_EQ(found.user_id, user.id);
  EXPECT_EQ(found.csrf_token, "csrf-1");
  EXPECT_EQ(found.created_at, now);
  EXPECT_EQ(found.expires_at, now + kHour);
  EXPECT_STATUS(store().FindSession(Sha256Hex("cookie-2")), StatusCode::kNotFound);
  EXPECT_STATUS(store().CreateSession(session), StatusCode::kAlreadyExists);

  // An expired session of the same user is swept when the next one is made.
  clock().Advance(2 * kHour);
  const Session second{Sha256Hex("cookie-2"), user.id, "csrf-2", clock().Now(),
                       clock().Now() + kHour};
  ASSERT_OK(store().CreateSession(second));
  EXPECT_STATUS(store().FindSession(Sha256Hex("cookie-1")), StatusCode::kNotFound);

  ASSERT_OK(store().DeleteSession(Sha256Hex("cookie-2")));
  EXPECT_STATUS(store().FindSession(Sha256Hex("cookie-2")), StatusCode::kNotFound);
  EXPECT_OK(store().DeleteSession(Sha256Hex("cookie-2")));  // deleting twice is fine

  // A session of a user who does not exist breaks a reference: the same answer on both.
  const Session orphan{Sha256Hex("cookie-3"), user.id + 100, "csrf-3", now, now + kHour};
  EXPECT_STATUS(store().CreateSession(orphan), StatusCode::kInvalidArgument);
}

TEST_P(StoreSuite, ApiTokens) {
  const core::Team team = Team("Voirie");
  const core::User user = Agent("agent@mairie.example", {team.id});
  ASSERT_OK_AND_ASSIGN(const ApiToken token, store().CreateApiToken(user.id, "script d'import",
                                                                    Sha256Hex("gu_abc"), actor()));
  EXPECT_GT(token.id, 0);
  EXPECT_EQ(token.user_id, user.id);
  EXPECT_EQ(token.name, "script d'import");
  EXPECT_EQ(token.created_at, clock().Now());

  ASSERT_OK_AND_ASSIGN(const core::User owner, store().FindUserByTokenHash(Sha256Hex("gu_abc")));
  EXPECT_EQ(owner.id, user.id);
  EXPECT_EQ(owner.team_ids, std::vector<Id>{team.id});
  EXPECT_STATUS(store().FindUserByTokenHash(Sha256Hex("gu_abd")), StatusCode::kNotFound);
  EXPECT_STATUS(store().CreateApiToken(user.id, "copie", Sha256Hex("gu_abc"), actor()),
                StatusCode::kAlreadyExists);
  EXPECT_STATUS(store().CreateApiToken(user.id + 100, "x", Sha256Hex("gu_x"), actor()),
                StatusCode::kNotFound);

  // A revoked token no longer authenticates.
  ASSERT_OK_AND_ASSIGN(const std::int64_t revoked,
                       store().RawExec("UPDATE api_tokens SET revoked_at = 1 WHERE id = " +
                                       std::to_string(token.id)));
  EXPECT_EQ(revoked, 1);
  EXPECT_STATUS(store().FindUserByTokenHash(Sha256Hex("gu_abc")), StatusCode::kNotFound);
}

// --- Requests -------------------------------------------------------------------------------

TEST_P(StoreSuite, CreateRequest) {
  const core::Team voirie = Team("Voirie");
  const core::Team proprete = Team("Propret\xC3\xA9");
  const core::Category lamp = Must(store().CreateCategory({0, "eclairage",
                                                           "\xC3\x89"
                                                           "clairage",
                                                           voirie.id},
                                                          actor()),
                                   "CreateCategory");
  const core::User agent = Agent("agent@mairie.example", {voirie.id});

  core::NewRequest in =
      Req("Lampadaire en panne", "Le lampadaire devant le 12 rue des Lilas ne s'allume plus.");
  in.channel = core::Channel::kOpen311;
  in.category_id = lamp.id;
  in.priority = core::Priority::kHigh;
  in.tags = {"voirie",
             "\xC3\xA9"
             "clairage"};
  in.location = core::Location{48.856613, 2.352222, "12 rue des Lilas"};
  in.custom_fields = {{"num\xC3\xA9ro", "12"}, {"\xC3\xA9tage", ""}};
  in.citizen = core::NewCitizen{"Camille Martin", "Camille@Example.org", "06 12 34 56 78", "fr"};

  clock().Advance(5 * kMinute);
  ASSERT_OK_AND_ASSIGN(const core::Request first,
                       store().CreateRequest(in, Sha256Hex("s1"), Actor::User(agent.id)));
  EXPECT_EQ(first.reference, "GU-2026-000001");
  EXPECT_EQ(first.subject, in.subject);
  EXPECT_EQ(first.description, in.description);
  EXPECT_EQ(first.channel, core::Channel::kOpen311);
  EXPECT_EQ(first.language, "fr");
  EXPECT_EQ(first.category_id, lamp.id);
  EXPECT_EQ(first.team_id, voirie.id);  // the category's default team
  EXPECT_EQ(first.assignee_id, std::nullopt);
  EXPECT_EQ(first.created_by, agent.id);
  EXPECT_EQ(first.priority, core::Priority::kHigh);
  EXPECT_EQ(first.status, RequestStatus::kNew);
  EXPECT_EQ(first.tags, in.tags);
  EXPECT_EQ(first.custom_fields, in.custom_fields);
  ASSERT_TRUE(first.location.has_value());
  EXPECT_EQ(first.location->lat, 48.856613);
  EXPECT_EQ(first.location->lon, 2.352222);
  EXPECT_EQ(first.location->address, "12 rue des Lilas");
  EXPECT_EQ(first.created_at, guichet::testing::kTestStart + 5 * kMinute);
  EXPECT_EQ(first.updated_at, first.created_at);
  EXPECT_EQ(first.first_reply_at, std::nullopt);
  EXPECT_EQ(first.resolved_at, std::nullopt);
  EXPECT_EQ(first.version, 1);

  ASSERT_TRUE(first.citizen_id.has_value());
  ASSERT_OK_AND_ASSIGN(const core::Citizen citizen, store().GetCitizen(*first.citizen_id));
  EXPECT_EQ(citizen.name, "Camille Martin");
  EXPECT_EQ(citizen.email, "camille@example.org");
  EXPECT_EQ(citizen.phone, "06 12 34 56 78");
  EXPECT_EQ(citizen.language, "fr");

  ASSERT_OK_AND_ASSIGN(const core::Request got, store().GetRequest(first.id));
  EXPECT_EQ(Dump(got), Dump(first));

  // The next one: the following number; an explicit team wins over the category's; no contact.
  core::NewRequest second_in = Req("Autre demande");
  second_in.category_id = lamp.id;
  second_in.team_id = proprete.id;
  const core::Request second = Create(second_in);
  EXPECT_EQ(second.reference, "GU-2026-000002");
  EXPECT_GT(second.id, first.id);
  EXPECT_EQ(second.team_id, proprete.id);
  EXPECT_EQ(second.citizen_id, std::nullopt);
  EXPECT_EQ(second.created_by, std::nullopt);  // a system actor
  EXPECT_EQ(second.location, std::nullopt);
  EXPECT_TRUE(second.tags.empty());

  // An empty contact is no contact.
  core::NewRequest third_in = Req("Sans contact");
  third_in.citizen = core::NewCitizen{};
  EXPECT_EQ(Create(third_in).citizen_id, std::nullopt);

  EXPECT_STATUS(store().GetRequest(first.id + 100), StatusCode::kNotFound);
}

TEST_P(StoreSuite, ReferencesFollowTheClockYear) {
  EXPECT_EQ(Create(Req("Un")).reference, "GU-2026-000001");
  EXPECT_EQ(Create(Req("Deux")).reference, "GU-2026-000002");
  clock().Set(ParseIso8601("2027-01-01T00:00:00Z").value());
  EXPECT_EQ(Create(Req("Trois")).reference, "GU-2027-000001");
  clock().Set(ParseIso8601("2026-12-31T23:59:59.999Z").value());
  EXPECT_EQ(Create(Req("Quatre")).reference, "GU-2026-000003");
}

TEST_P(StoreSuite, RefusedRequestsWriteNothing) {
  const core::Team team = Team("Voirie");
  const size_t audit_before = Audit().size();
  core::NewRequest blank = Req("   ");
  EXPECT_STATUS(store().CreateRequest(blank, "h", actor()), StatusCode::kInvalidArgument);
  core::NewRequest bad_category = Req("Cat\xC3\xA9gorie inconnue");
  bad_category.category_id = 999;
  EXPECT_STATUS(store().CreateRequest(bad_category, "h", actor()), StatusCode::kInvalidArgument);
  core::NewRequest bad_team = Req("\xC3\x89quipe inconnue");
  bad_team.team_id = team.id + 100;
  bad_team.citizen = core::NewCitizen{"Camille", "", "", ""};
  EXPECT_STATUS(store().CreateRequest(bad_team, "h", actor()), StatusCode::kInvalidArgument);

  EXPECT_EQ(Audit().size(), audit_before);
  EXPECT_TRUE(List({}).empty());
  ASSERT_OK_AND_ASSIGN(auto citizens, store().RawQuery("SELECT COUNT(*) FROM citizens"));
  EXPECT_EQ(citizens[0][0], "0");
  // No reference number was used up.
  EXPECT_EQ(Create(Req("Enfin")).reference, "GU-2026-000001");
}

TEST_P(StoreSuite, NulCharactersInTextAreRefused) {
  // Regression: PostgreSQL silently cut "abc\0def" to "abc" while SQLite kept all 7 bytes.
  const std::string with_nul("abc\0def", 7);
  EXPECT_STATUS(store().CreateRequest(Req(with_nul), "h", actor()), StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateRequest(Req("Sujet", with_nul), "h", actor()),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().CreateTeam(with_nul, actor()), StatusCode::kInvalidArgument);
  const core::Request request = Create(Req("Sujet"));
  core::NewMessage m;
  m.body = with_nul;
  EXPECT_STATUS(store().AddMessage(request.id, m, true, actor()), StatusCode::kInvalidArgument);
  core::RequestPatch p;
  p.description = with_nul;
  EXPECT_STATUS(store().UpdateRequest(request.id, 1, p, actor()), StatusCode::kInvalidArgument);
  // Tags travel as JSON, where NUL is escaped: they keep every byte on both backends.
  p = {};
  p.tags = std::vector<std::string>{with_nul};
  ASSERT_OK_AND_ASSIGN(const core::Request tagged,
                       store().UpdateRequest(request.id, 1, p, actor()));
  EXPECT_EQ(tagged.tags, std::vector<std::string>{with_nul});

  EXPECT_EQ(List({}).size(), 1u);
  EXPECT_TRUE(Must(store().ListMessages(request.id, true), "ListMessages").empty());
  EXPECT_TRUE(Must(store().VerifyAudit(), "VerifyAudit").ok);
}

TEST_P(StoreSuite, FindRequestByReferenceAndSecret) {
  const core::Request a = Create(Req("Premi\xC3\xA8re"), "secret-a");
  const core::Request b = Create(Req("Seconde"), "secret-b");
  ASSERT_OK_AND_ASSIGN(const core::Request found,
                       store().FindRequestByReferenceAndSecret(a.reference, Sha256Hex("secret-a")));
  EXPECT_EQ(Dump(found), Dump(a));
  EXPECT_STATUS(store().FindRequestByReferenceAndSecret(a.reference, Sha256Hex("secret-b")),
                StatusCode::kNotFound);
  EXPECT_STATUS(store().FindRequestByReferenceAndSecret(a.reference, ""), StatusCode::kNotFound);
  EXPECT_STATUS(store().FindRequestByReferenceAndSecret(a.reference, "secret-a"),
                StatusCode::kNotFound);  // the hash is stored, not the secret
  EXPECT_STATUS(store().FindRequestByReferenceAndSecret("GU-2026-000099", Sha256Hex("secret-a")),
                StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(const core::Request other,
                       store().FindRequestByReferenceAndSecret(b.reference, Sha256Hex("secret-b")));
  EXPECT_EQ(other.id, b.id);
}

TEST_P(StoreSuite, UpdateWithTheRightVersion) {
  const core::Team team = Team("Voirie");
  const core::Team other_team = Team("Propret\xC3\xA9");
  const core::User agent = Agent("agent@mairie.example", {team.id});
  const core::Request created = Create(Req("Lampadaire"));

  clock().Advance(kHour);
  core::RequestPatch patch;
  patch.subject = "Lampadaire cass\xC3\xA9";
  patch.status = RequestStatus::kOpen;
  patch.priority = core::Priority::kUrgent;
  patch.team_id = team.id;
  patch.assignee_id = agent.id;
  patch.tags = std::vector<std::string>{"urgent"};
  patch.custom_fields = std::map<std::string, std::string>{{"rue", "Lilas"}};
  ASSERT_OK_AND_ASSIGN(const core::Request updated,
                       store().UpdateRequest(created.id, 1, patch, Actor::User(agent.id)));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.subject, "Lampadaire cass\xC3\xA9");
  EXPECT_EQ(updated.description, created.description);
  EXPECT_EQ(updated.status, RequestStatus::kOpen);
  EXPECT_EQ(updated.priority, core::Priority::kUrgent);
  EXPECT_EQ(updated.team_id, team.id);
  EXPECT_EQ(updated.assignee_id, agent.id);
  EXPECT_EQ(updated.tags, std::vector<std::string>{"urgent"});
  EXPECT_EQ(updated.custom_fields.at("rue"), "Lilas");
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_EQ(updated.updated_at, created.created_at + kHour);
  EXPECT_EQ(updated.reference, created.reference);
  ASSERT_OK_AND_ASSIGN(const core::Request got, store().GetRequest(created.id));
  EXPECT_EQ(Dump(got), Dump(updated));

  // Clearing optional fields.
  core::RequestPatch clear;
  clear.clear_assignee = true;
  clear.team_id = other_team.id;
  ASSERT_OK_AND_ASSIGN(const core::Request cleared,
                       store().UpdateRequest(created.id, 2, clear, actor()));
  EXPECT_EQ(cleared.version, 3);
  EXPECT_EQ(cleared.assignee_id, std::nullopt);
  EXPECT_EQ(cleared.team_id, other_team.id);

  // A patch that changes nothing makes no new version.
  core::RequestPatch same;
  same.priority = core::Priority::kUrgent;
  ASSERT_OK_AND_ASSIGN(const core::Request unchanged,
                       store().UpdateRequest(created.id, 3, same, actor()));
  EXPECT_EQ(unchanged.version, 3);

  // Bad references are refused.
  core::RequestPatch bad;
  bad.category_id = 999;
  EXPECT_STATUS(store().UpdateRequest(created.id, 3, bad, actor()), StatusCode::kInvalidArgument);
  bad = {};
  bad.team_id = 999;
  EXPECT_STATUS(store().UpdateRequest(created.id, 3, bad, actor()), StatusCode::kInvalidArgument);
  core::NewUser citizen_user;
  citizen_user.email = "camille@example.org";
  citizen_user.role = core::Role::kCitizen;
  const core::User citizen = Must(store().CreateUser(citizen_user, actor()), "CreateUser");
  const core::User auditor = Agent("audit@mairie.example", {}, core::Role::kAuditor);
  for (Id not_assignable : {citizen.id, auditor.id}) {
    bad = {};
    bad.assignee_id = not_assignable;
    EXPECT_STATUS(store().UpdateRequest(created.id, 3, bad, actor()), StatusCode::kInvalidArgument);
  }
  bad = {};
  bad.subject = " ";
  EXPECT_STATUS(store().UpdateRequest(created.id, 3, bad, actor()), StatusCode::kInvalidArgument);
  EXPECT_STATUS(store().UpdateRequest(created.id + 100, 1, patch, actor()), StatusCode::kNotFound);
  EXPECT_EQ(Must(store().GetRequest(created.id), "GetRequest").version, 3);
}

TEST_P(StoreSuite, StaleVersionIsAConflictAndChangesNothing) {
  const core::Request created = Create(Req("Nid de poule"));
  core::RequestPatch first;
  first.priority = core::Priority::kHigh;
  ASSERT_OK_AND_ASSIGN(const core::Request v2,
                       store().UpdateRequest(created.id, 1, first, actor()));
  ASSERT_EQ(v2.version, 2);
  const size_t audit_before = Audit().size();

  clock().Advance(kMinute);
  core::RequestPatch stale;
  stale.subject = "Chang\xC3\xA9 sur une vieille version";
  stale.status = RequestStatus::kClosed;
  EXPECT_STATUS(store().UpdateRequest(created.id, 1, stale, actor()), StatusCode::kConflict);
  EXPECT_STATUS(store().UpdateRequest(created.id, 3, stale, actor()), StatusCode::kConflict);
  ASSERT_OK_AND_ASSIGN(const core::Request after, store().GetRequest(created.id));
  EXPECT_EQ(Dump(after), Dump(v2));
  EXPECT_EQ(Audit().size(), audit_before);
}

TEST_P(StoreSuite, StatusTransitions) {
  const core::Request created = Create(Req("Encombrants"));
  auto move = [&](std::int64_t version, RequestStatus to) {
    core::RequestPatch p;
    p.status = to;
    return store().UpdateRequest(created.id, version, p, actor());
  };
  EXPECT_STATUS(move(1, RequestStatus::kNew), StatusCode::kOk);  // same status: no move
  clock().Advance(kHour);
  ASSERT_OK_AND_ASSIGN(const core::Request resolved, move(1, RequestStatus::kResolved));
  EXPECT_EQ(resolved.resolved_at, guichet::testing::kTestStart + kHour);
  EXPECT_EQ(resolved.version, 2);
  // resolved → pending is not a move the life cycle allows.
  EXPECT_STATUS(move(2, RequestStatus::kPendingCitizen), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Must(store().GetRequest(created.id), "GetRequest").version, 2);

  clock().Advance(kHour);
  ASSERT_OK_AND_ASSIGN(const core::Request reopened, move(2, RequestStatus::kOpen));
  EXPECT_EQ(reopened.status, RequestStatus::kOpen);
  EXPECT_EQ(reopened.resolved_at, std::nullopt);
  ASSERT_OK_AND_ASSIGN(const core::Request pending, move(3, RequestStatus::kPendingThirdParty));
  EXPECT_EQ(pending.resolved_at, std::nullopt);
  clock().Advance(kHour);
  ASSERT_OK_AND_ASSIGN(const core::Request resolved_again, move(4, RequestStatus::kResolved));
  EXPECT_EQ(resolved_again.resolved_at, guichet::testing::kTestStart + 3 * kHour);
  ASSERT_OK_AND_ASSIGN(const core::Request closed, move(5, RequestStatus::kClosed));
  EXPECT_EQ(closed.resolved_at, resolved_again.resolved_at);  // closing keeps the resolution
  for (RequestStatus to : {RequestStatus::kNew, RequestStatus::kOpen, RequestStatus::kResolved,
                           RequestStatus::kPendingCitizen}) {
    SCOPED_TRACE(core::ToString(to));
    EXPECT_STATUS(move(6, to), StatusCode::kFailedPrecondition);
  }
  ASSERT_OK_AND_ASSIGN(const core::Request final_state, store().GetRequest(created.id));
  EXPECT_EQ(Dump(final_state), Dump(closed));
}

TEST_P(StoreSuite, ConcurrentUpdatesLoseNothing) {
  const core::Request created = Create(Req("Concurrence"));
  constexpr int kThreads = 8;
  constexpr int kRounds = 4;
  std::mutex mu;
  std::vector<std::int64_t> won_versions;
  std::map<std::int64_t, std::string> subject_of_version;
  std::atomic<int> conflicts{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        auto read = store().GetRequest(created.id);
        if (!read.ok()) {
          ++errors;
          continue;
        }
        core::RequestPatch p;
        p.subject = "thread " + std::to_string(t) + " round " + std::to_string(round);
        auto updated = store().UpdateRequest(created.id, read->version, p,
                                             Actor::System("thread-" + std::to_string(t)));
        if (updated.ok()) {
          std::lock_guard lock(mu);
          won_versions.push_back(updated->version);
          subject_of_version[updated->version] = *p.subject;
        } else if (updated.status().code() == StatusCode::kConflict) {
          ++conflicts;
        } else {
          ++errors;
          ADD_FAILURE() << updated.status().ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(errors.load(), 0);
  const int successes = static_cast<int>(won_versions.size());
  EXPECT_GE(successes, kRounds);  // each round has at least one winner… usually many more
  EXPECT_EQ(successes + conflicts.load(), kThreads * kRounds);
  // Exactly one winner per version: the winners' versions are 2, 3, … with no repeat.
  std::sort(won_versions.begin(), won_versions.end());
  for (int i = 0; i < successes; ++i) EXPECT_EQ(won_versions[i], i + 2);
  ASSERT_OK_AND_ASSIGN(const core::Request final_state, store().GetRequest(created.id));
  EXPECT_EQ(final_state.version, 1 + successes);
  EXPECT_EQ(final_state.subject, subject_of_version[final_state.version]);
  // Every winning change is in the audit log, in version order.
  const auto audit = Audit(created.id);
  ASSERT_EQ(audit.size(), static_cast<size_t>(1 + successes));
  for (int i = 1; i <= successes; ++i) {
    const json changes = json::parse(audit[i].changes_json);
    EXPECT_EQ(changes["subject"]["after"], subject_of_version[i + 1]) << "version " << i + 1;
  }
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
}

TEST_P(StoreSuite, ConcurrentCreationGivesGapFreeReferences) {
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::mutex mu;
  std::vector<std::string> references;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        core::NewRequest r = Req("Demande " + std::to_string(t) + "." + std::to_string(i));
        r.citizen = core::NewCitizen{"Citoyen " + std::to_string(t), "", "", ""};
        auto created = store().CreateRequest(r, Sha256Hex("s"), actor());
        if (!created.ok()) {
          ADD_FAILURE() << created.status().ToString();
          continue;
        }
        std::lock_guard lock(mu);
        references.push_back(created->reference);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::sort(references.begin(), references.end());
  std::vector<std::string> expected;
  for (int n = 1; n <= kThreads * kEach; ++n) expected.push_back(core::FormatReference(2026, n));
  EXPECT_EQ(references, expected);
  EXPECT_EQ(List({}).size(), static_cast<size_t>(kThreads * kEach));
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, static_cast<std::int64_t>(kThreads * kEach));
}

// Concurrent writes share transactions (group commit): a failing one, whether refused by the
// store's own checks or by the database (a unique key), must fail alone, with its own error,
// and leave the others committed, with gap-free references and an intact audit chain.
TEST_P(StoreSuite, FailingWritesAmongConcurrentOnesFailAlone) {
  const core::Team taken = Team("Voirie");
  constexpr int kThreads = 8;
  constexpr int kEach = 12;
  std::mutex mu;
  std::vector<std::string> references;
  std::atomic<int> refused{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string name = std::to_string(t) + "." + std::to_string(i);
        if (i % 3 == 1) {
          core::NewRequest bad = Req("Mauvaise catégorie " + name);
          bad.category_id = 999999;  // found missing inside the transaction
          auto r = store().CreateRequest(bad, Sha256Hex("s"), actor());
          if (r.status().code() == StatusCode::kInvalidArgument) {
            ++refused;
          } else {
            ADD_FAILURE() << "bad category: " << r.status().ToString();
          }
        } else if (i % 3 == 2) {
          auto r = store().CreateTeam(taken.name, actor());  // a unique-key violation
          if (r.status().code() == StatusCode::kAlreadyExists) {
            ++duplicates;
          } else {
            ADD_FAILURE() << "duplicate team: " << r.status().ToString();
          }
        } else {
          auto created = store().CreateRequest(Req("Demande " + name), Sha256Hex("s"), actor());
          if (!created.ok()) {
            ADD_FAILURE() << created.status().ToString();
            continue;
          }
          std::lock_guard lock(mu);
          references.push_back(created->reference);
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  constexpr int kCreated = kThreads * kEach / 3;
  EXPECT_EQ(refused.load(), kCreated);
  EXPECT_EQ(duplicates.load(), kCreated);
  std::sort(references.begin(), references.end());
  std::vector<std::string> expected;
  for (int n = 1; n <= kCreated; ++n) expected.push_back(core::FormatReference(2026, n));
  EXPECT_EQ(references, expected);
  EXPECT_EQ(List({}).size(), static_cast<size_t>(kCreated));
  ASSERT_OK_AND_ASSIGN(const auto teams, store().ListTeams());
  EXPECT_EQ(teams.size(), 1u);
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, static_cast<std::int64_t>(1 + kCreated));  // the team, then these
}

// Creates that fail late — after taking their reference number and their audit entry, which a
// batch keeps in memory until its COMMIT — among concurrent ones: the numbers of the others stay
// gap-free and the audit chain does not fork.
TEST_P(StoreSuite, LateFailuresAmongConcurrentCreatesLeaveNoGapAndNoFork) {
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::mutex mu;
  std::vector<std::string> references;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        core::NewRequest in = Req("Demande " + std::to_string(t) + "." + std::to_string(i));
        if (i % 2 == 1) {
          core::AiSuggestion s;
          s.feature = "triage.category";
          s.mode = "suggest";
          s.model_id = 999999;  // no such model: refused when the suggestion is written, last
          in.ai_suggestions.push_back(s);
        }
        auto created = store().CreateRequest(in, Sha256Hex("s"), actor());
        std::lock_guard lock(mu);
        if (i % 2 == 1) {
          EXPECT_FALSE(created.ok());
          refused += created.ok() ? 0 : 1;
        } else if (created.ok()) {
          references.push_back(created->reference);
        } else {
          ADD_FAILURE() << created.status().ToString();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  constexpr int kCreated = kThreads * kEach / 2;
  EXPECT_EQ(refused.load(), kCreated);
  std::sort(references.begin(), references.end());
  std::vector<std::string> expected;
  for (int n = 1; n <= kCreated; ++n) expected.push_back(core::FormatReference(2026, n));
  EXPECT_EQ(references, expected);
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, static_cast<std::int64_t>(kCreated));
  // The next create, alone in its batch, continues both.
  ASSERT_OK_AND_ASSIGN(auto next, store().CreateRequest(Req("Après"), Sha256Hex("s"), actor()));
  EXPECT_EQ(next.reference, core::FormatReference(2026, kCreated + 1));
  ASSERT_OK_AND_ASSIGN(const AuditVerification again, store().VerifyAudit());
  EXPECT_TRUE(again.ok) << again.reason;
}

// Creates that do not wait (CreateRequestAsync, as the HTTP server makes them): each callback
// comes once, after its request is committed — a separate connection already sees it — and an
// invalid one gets its own error without holding up the others.
TEST_P(StoreSuite, AsynchronousCreatesAnswerAfterTheirCommit) {
  constexpr int kCreates = 120;
  std::mutex mu;
  std::condition_variable all_in;
  std::vector<std::string> references;
  std::vector<std::string> errors;
  int answered = 0;
  for (int i = 0; i <= kCreates; ++i) {
    const bool invalid = i == kCreates / 2;
    core::NewRequest r = Req(invalid ? "" : "Demande asynchrone " + std::to_string(i));
    store().CreateRequestAsync(r, Sha256Hex("s"), actor(), [&, i](Result<core::Request> created) {
      std::optional<std::string> seen;
      if (created.ok() && i % 30 == 0) {  // a new connection per check: a sample is enough
        auto rows = store().RawQuery("SELECT reference FROM requests WHERE id = " +
                                     std::to_string(created->id));
        if (rows.ok() && rows->size() == 1) seen = *(*rows)[0][0];
      }
      std::lock_guard lock(mu);
      if (created.ok()) {
        references.push_back(created->reference);
        if (i % 30 == 0) {
          EXPECT_EQ(seen, created->reference) << "not committed before its answer";
        }
      } else {
        errors.push_back(created.status().ToString());
      }
      if (++answered == kCreates + 1) all_in.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(
        all_in.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kCreates + 1; }));
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("subject"), std::string::npos) << errors[0];
  std::sort(references.begin(), references.end());
  std::vector<std::string> expected;
  for (int n = 1; n <= kCreates; ++n) expected.push_back(core::FormatReference(2026, n));
  EXPECT_EQ(references, expected);
  RequestFilter f;
  f.text = "asynchrone";
  EXPECT_EQ(List(f).size(), static_cast<size_t>(kCreates));
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, static_cast<std::int64_t>(kCreates));
}

// SQLite indexes new requests for search just before COMMIT (migration 0006): a new row is only
// noted until then, and an edit or a deletion of a row still waiting must leave the index alone
// (FTS5 would otherwise be told to remove words it never had). Raw statements, each its own
// transaction, leave rows waiting; the store's next commit indexes them.
TEST_P(StoreSuite, SqliteSearchIndexTakesWaitingRowsAsTheyAreAtCommit) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite's deferred search index only";
  const core::Request indexed = Create(Req("Lampadaire \xC3\xA9teint"));
  const std::string insert =
      "INSERT INTO requests (reference, secret_hash, subject, description, channel, priority, "
      "status, created_at, updated_at) VALUES ";
  ASSERT_OK(
      store().RawExec(insert + "('X-1', 'h', 'girafe', 'vue', 'web', 'normal', 'new', 0, 0)"));
  ASSERT_OK(
      store().RawExec("UPDATE requests SET subject = 'z\xC3\xA8"
                      "bre' WHERE reference = 'X-1'"));
  ASSERT_OK(store().RawExec(insert + "('X-2', 'h', 'okapi', 'vu', 'web', 'normal', 'new', 0, 0)"));
  ASSERT_OK(store().RawExec("DELETE FROM requests WHERE reference = 'X-2'"));
  ASSERT_OK(
      store().RawExec("UPDATE requests SET subject = 'Lampadaire rallum\xC3\xA9' WHERE id = " +
                      std::to_string(indexed.id)));
  ASSERT_OK_AND_ASSIGN(auto waiting, store().RawQuery("SELECT COUNT(*) FROM requests_fts_pending"));
  EXPECT_EQ(waiting[0][0], "1");  // X-1 only

  Team("Voirie");  // any write through the store
  ASSERT_OK_AND_ASSIGN(waiting, store().RawQuery("SELECT COUNT(*) FROM requests_fts_pending"));
  EXPECT_EQ(waiting[0][0], "0");
  ASSERT_OK_AND_ASSIGN(auto x1,
                       store().RawQuery("SELECT id FROM requests WHERE reference = 'X-1'"));
  const Id x1_id = std::stoll(*x1[0][0]);
  RequestFilter f;
  f.text = "zebre";
  EXPECT_EQ(List(f), std::vector<Id>{x1_id});
  f.text = "girafe";
  EXPECT_EQ(List(f), std::vector<Id>{});
  f.text = "okapi";
  EXPECT_EQ(List(f), std::vector<Id>{});
  f.text = "rallume";
  EXPECT_EQ(List(f), std::vector<Id>{indexed.id});
  f.text = "eteint";
  EXPECT_EQ(List(f), std::vector<Id>{});
  EXPECT_OK(store().RawExec("INSERT INTO requests_fts (requests_fts) VALUES ('integrity-check')"));
}

// --- Lists ----------------------------------------------------------------------------------

class ListSuite : public StoreSuite {
 protected:
  void SetUp() override {
    StoreSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    team_a_ = Team("Voirie");
    team_b_ = Team("Propret\xC3\xA9");
    cat_a_ = Must(store().CreateCategory({0, "eclairage",
                                          "\xC3\x89"
                                          "clairage",
                                          team_a_.id},
                                         actor()),
                  "CreateCategory");
    cat_b_ = Must(store().CreateCategory({0, "dechets",
                                          "D\xC3\xA9"
                                          "chets",
                                          team_b_.id},
                                         actor()),
                  "CreateCategory");
    agent_ = Agent("agent@mairie.example", {team_a_.id});
    core::NewUser citizen;
    citizen.email = "camille@example.org";
    citizen.role = core::Role::kCitizen;
    citizen_ = Must(store().CreateUser(citizen, actor()), "CreateUser").citizen_id.value();

    // r1: lighting, high, web, new.
    core::NewRequest r =
        Req("Panne d'\xC3\xA9"
            "clairage",
            "Le lampadaire au coin de la rue des Lilas clignote toute la nuit.");
    r.category_id = cat_a_.id;
    r.priority = core::Priority::kHigh;
    r1_ = Create(r).id;
    // r2: waste, e-mail, new, one hour later.
    clock().Advance(kHour);
    r =
        Req("Poubelle d\xC3\xA9"
            "bordante",
            "Les sacs s'accumulent devant l'\xC3\xA9"
            "cole.");
    r.category_id = cat_b_.id;
    r.channel = core::Channel::kEmail;
    r2_ = Create(r).id;
    // r3: lighting, phone, opened and assigned.
    clock().Advance(kHour);
    r = Req("Feu tricolore", "Le feu du carrefour reste au rouge.");
    r.category_id = cat_a_.id;
    r.channel = core::Channel::kPhone;
    r3_ = Create(r).id;
    core::RequestPatch assign;
    assign.status = RequestStatus::kOpen;
    assign.assignee_id = agent_.id;
    Must(store().UpdateRequest(r3_, 1, assign, actor()), "UpdateRequest");
    // r4: no category nor team, from the citizen account.
    clock().Advance(kHour);
    r = Req("Question", "Quels sont les horaires de la mairie ?");
    r.citizen_id = citizen_;
    r4_ = Create(r).id;
    // r5: waste, from the citizen, resolved.
    clock().Advance(kHour);
    r = Req("Encombrants", "Un canap\xC3\xA9 abandonn\xC3\xA9 sur le trottoir.");
    r.category_id = cat_b_.id;
    r.citizen_id = citizen_;
    r5_ = Create(r).id;
    core::RequestPatch resolve;
    resolve.status = RequestStatus::kResolved;
    Must(store().UpdateRequest(r5_, 1, resolve, actor()), "UpdateRequest");
  }

  core::Team team_a_, team_b_;
  core::Category cat_a_, cat_b_;
  core::User agent_;
  Id citizen_ = 0;
  Id r1_ = 0, r2_ = 0, r3_ = 0, r4_ = 0, r5_ = 0;
};

TEST_P(ListSuite, NoFilterListsAllNewestFirst) {
  EXPECT_EQ(List({}), (std::vector<Id>{r5_, r4_, r3_, r2_, r1_}));
}

TEST_P(ListSuite, ByStatus) {
  RequestFilter f;
  f.statuses = {RequestStatus::kNew};
  EXPECT_EQ(List(f), (std::vector<Id>{r4_, r2_, r1_}));
  f.statuses = {RequestStatus::kOpen, RequestStatus::kResolved};
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r3_}));
  f.statuses = {RequestStatus::kClosed};
  EXPECT_EQ(List(f), std::vector<Id>{});
}

TEST_P(ListSuite, ByTeamAssigneeCategory) {
  RequestFilter f;
  f.team_id = team_a_.id;
  EXPECT_EQ(List(f), (std::vector<Id>{r3_, r1_}));
  f.team_id = team_b_.id;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r2_}));

  f = {};
  f.assignee_id = agent_.id;
  EXPECT_EQ(List(f), std::vector<Id>{r3_});
  f = {};
  f.unassigned = true;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r4_, r2_, r1_}));

  f = {};
  f.category_id = cat_a_.id;
  EXPECT_EQ(List(f), (std::vector<Id>{r3_, r1_}));
  f.category_id = cat_b_.id;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r2_}));
}

TEST_P(ListSuite, ByPriorityAndChannel) {
  RequestFilter f;
  f.priority = core::Priority::kHigh;
  EXPECT_EQ(List(f), std::vector<Id>{r1_});
  f.priority = core::Priority::kNormal;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r4_, r3_, r2_}));
  f = {};
  f.channel = core::Channel::kEmail;
  EXPECT_EQ(List(f), std::vector<Id>{r2_});
  f.channel = core::Channel::kPhone;
  EXPECT_EQ(List(f), std::vector<Id>{r3_});
  f.channel = core::Channel::kWeb;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r4_, r1_}));
}

TEST_P(ListSuite, ByCreationRange) {
  const Millis t0 = guichet::testing::kTestStart;
  RequestFilter f;
  f.created_from = t0 + kHour;    // inclusive
  f.created_to = t0 + 3 * kHour;  // exclusive
  EXPECT_EQ(List(f), (std::vector<Id>{r3_, r2_}));
  f = {};
  f.created_from = t0 + 3 * kHour;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r4_}));
  f = {};
  f.created_to = t0 + 1;
  EXPECT_EQ(List(f), std::vector<Id>{r1_});
  f.created_to = t0;
  EXPECT_EQ(List(f), std::vector<Id>{});
}

TEST_P(ListSuite, ByText) {
  RequestFilter f;
  f.text = "lampadaire";  // in r1's description
  EXPECT_EQ(List(f), std::vector<Id>{r1_});
  f.text = "LAMPADAIRE";
  EXPECT_EQ(List(f), std::vector<Id>{r1_});
  f.text = "poubelle";  // in r2's subject
  EXPECT_EQ(List(f), std::vector<Id>{r2_});
  f.text = "carrefour rouge";  // every word must match
  EXPECT_EQ(List(f), std::vector<Id>{r3_});
  f.text = "carrefour poubelle";
  EXPECT_EQ(List(f), std::vector<Id>{});
  f.text = "girafe";
  EXPECT_EQ(List(f), std::vector<Id>{});
  f.text = "   ";  // blank: no text filter
  EXPECT_EQ(List(f).size(), 5u);
  f.text = "lampadaire";
  f.team_id = team_b_.id;  // combined with another filter
  EXPECT_EQ(List(f), std::vector<Id>{});

  // The index follows edits.
  core::RequestPatch p;
  p.description =
      "Le feu du carrefour est r\xC3\xA9par\xC3\xA9 mais un lampadaire est tomb\xC3\xA9.";
  ASSERT_OK_AND_ASSIGN(const core::Request r3, store().GetRequest(r3_));
  ASSERT_OK(store().UpdateRequest(r3_, r3.version, p, actor()));
  f = {};
  f.text = "lampadaire";
  EXPECT_EQ(List(f), (std::vector<Id>{r3_, r1_}));
  f.text = "rouge";
  EXPECT_EQ(List(f), std::vector<Id>{});
}

TEST_P(ListSuite, ByScope) {
  RequestFilter f;
  f.scope_team_ids = std::vector<Id>{};  // no team: nothing
  EXPECT_EQ(List(f), std::vector<Id>{});
  f.scope_team_ids = std::vector<Id>{team_a_.id};
  EXPECT_EQ(List(f), (std::vector<Id>{r3_, r1_}));
  f.scope_team_ids = std::vector<Id>{team_a_.id, team_b_.id};
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r3_, r2_, r1_}));  // r4 has no team
  f.team_id = team_b_.id;                                     // a filter inside the scope
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r2_}));
  f.scope_team_ids = std::vector<Id>{team_a_.id};
  EXPECT_EQ(List(f), std::vector<Id>{});  // outside the scope: nothing

  f = {};
  f.scope_citizen_id = citizen_;
  EXPECT_EQ(List(f), (std::vector<Id>{r5_, r4_}));
  f.scope_citizen_id = citizen_ + 100;
  EXPECT_EQ(List(f), std::vector<Id>{});
}

TEST_P(ListSuite, CombinedFilters) {
  RequestFilter f;
  f.team_id = team_a_.id;
  f.statuses = {RequestStatus::kOpen};
  EXPECT_EQ(List(f), std::vector<Id>{r3_});
  f.unassigned = true;
  EXPECT_EQ(List(f), std::vector<Id>{});
}

TEST_P(StoreSuite, CursorPaginationCoversEachItemOnce) {
  std::vector<Id> created;
  for (int i = 0; i < 10; ++i) created.push_back(Create(Req("Demande " + std::to_string(i))).id);
  const std::vector<Id> newest_first(created.rbegin(), created.rend());

  for (int limit : {1, 3, 4, 5, 10, 11}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    std::vector<Id> seen;
    PageSpec page;
    page.limit = limit;
    int pages = 0;
    for (;;) {
      ASSERT_OK_AND_ASSIGN(const RequestPage got, store().ListRequests({}, page));
      ++pages;
      ASSERT_LE(got.items.size(), static_cast<size_t>(limit));
      for (const auto& r : got.items) seen.push_back(r.id);
      if (!got.next_after_id) break;
      EXPECT_EQ(*got.next_after_id, got.items.back().id);
      page.after_id = got.next_after_id;
      ASSERT_LE(pages, 20) << "the cursor does not advance";
    }
    EXPECT_EQ(seen, newest_first);
    // No empty last page: the cursor stops exactly at the end.
    EXPECT_EQ(pages, (10 + limit - 1) / limit);
  }
}

TEST_P(StoreSuite, CursorPaginationIsStableUnderInserts) {
  std::vector<Id> old;
  for (int i = 0; i < 7; ++i) old.push_back(Create(Req("Ancienne " + std::to_string(i))).id);
  std::vector<Id> added;
  std::vector<Id> seen;
  PageSpec page;
  page.limit = 3;
  for (int round = 0;; ++round) {
    ASSERT_OK_AND_ASSIGN(const RequestPage got, store().ListRequests({}, page));
    for (const auto& r : got.items) seen.push_back(r.id);
    // New requests arrive between two pages.
    for (int k = 0; k <= round; ++k) {
      added.push_back(
          Create(Req("Nouvelle " + std::to_string(round) + "." + std::to_string(k))).id);
    }
    if (!got.next_after_id) break;
    page.after_id = got.next_after_id;
    ASSERT_LT(round, 10);
  }
  // Every old request exactly once, newest first; none of those added after the first page.
  EXPECT_EQ(seen, std::vector<Id>(old.rbegin(), old.rend()));
  // A fresh walk sees everything.
  EXPECT_EQ(List({}).size(), old.size() + added.size());
}

TEST_P(StoreSuite, PageLimitsAreClamped) {
  for (int i = 0; i < 3; ++i) Create(Req("Demande " + std::to_string(i)));
  PageSpec page;
  page.limit = 0;  // at least one
  ASSERT_OK_AND_ASSIGN(const RequestPage one, store().ListRequests({}, page));
  EXPECT_EQ(one.items.size(), 1u);
  EXPECT_TRUE(one.next_after_id.has_value());
  page.limit = 100000;  // at most 500
  ASSERT_OK_AND_ASSIGN(const RequestPage all, store().ListRequests({}, page));
  EXPECT_EQ(all.items.size(), 3u);
  EXPECT_FALSE(all.next_after_id.has_value());
}

// --- Messages and attachments ---------------------------------------------------------------

TEST_P(StoreSuite, Messages) {
  const core::Team team = Team("Voirie");
  const core::User agent = Agent("agent@mairie.example", {team.id});
  const core::Request request = Create(Req("Question"));

  core::NewMessage from_citizen;
  from_citizen.body = "Avez-vous des nouvelles ?";
  from_citizen.author_name = "Camille";
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(const core::Message m1, store().AddMessage(request.id, from_citizen, false,
                                                                  Actor::System("citizen-link")));
  EXPECT_EQ(m1.request_id, request.id);
  EXPECT_EQ(m1.author_user_id, std::nullopt);
  EXPECT_EQ(m1.created_at, clock().Now());
  EXPECT_EQ(Must(store().GetRequest(request.id), "GetRequest").first_reply_at, std::nullopt);

  core::NewMessage note;
  note.visibility = core::Visibility::kInternal;
  note.body = "Voir avec le service technique.";
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(const core::Message m2,
                       store().AddMessage(request.id, note, true, Actor::User(agent.id)));
  EXPECT_EQ(m2.author_user_id, agent.id);
  // An internal note is not a reply to the citizen.
  EXPECT_EQ(Must(store().GetRequest(request.id), "GetRequest").first_reply_at, std::nullopt);

  core::NewMessage reply;
  reply.body = "Nous intervenons demain.";
  reply.channel = core::Channel::kEmail;
  clock().Advance(kMinute);
  const Millis reply_time = clock().Now();
  ASSERT_OK_AND_ASSIGN(const core::Message m3,
                       store().AddMessage(request.id, reply, true, Actor::User(agent.id)));
  ASSERT_OK_AND_ASSIGN(const core::Request replied, store().GetRequest(request.id));
  EXPECT_EQ(replied.first_reply_at, reply_time);
  EXPECT_EQ(replied.updated_at, reply_time);
  EXPECT_EQ(replied.version, request.version);  // messages do not change the request's version

  clock().Advance(kMinute);
  ASSERT_OK(store().AddMessage(request.id, reply, true, Actor::User(agent.id)));
  EXPECT_EQ(Must(store().GetRequest(request.id), "GetRequest").first_reply_at, reply_time);

  ASSERT_OK_AND_ASSIGN(const auto visible, store().ListMessages(request.id, false));
  ASSERT_EQ(visible.size(), 3u);
  EXPECT_EQ(visible[0].id, m1.id);
  EXPECT_EQ(visible[1].id, m3.id);
  EXPECT_EQ(visible[1].channel, core::Channel::kEmail);
  EXPECT_EQ(visible[1].body, "Nous intervenons demain.");
  for (const auto& m : visible) EXPECT_EQ(m.visibility, core::Visibility::kPublic);
  ASSERT_OK_AND_ASSIGN(const auto all, store().ListMessages(request.id, true));
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].id, m2.id);
  EXPECT_EQ(all[1].visibility, core::Visibility::kInternal);
  EXPECT_EQ(all[1].body, note.body);
  EXPECT_EQ(all[0].author_name, "Camille");

  EXPECT_STATUS(store().AddMessage(request.id + 100, reply, true, actor()), StatusCode::kNotFound);
  core::NewMessage blank;
  blank.body = " ";
  EXPECT_STATUS(store().AddMessage(request.id, blank, true, actor()), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(const auto none, store().ListMessages(request.id + 100, true));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreSuite, StaffReplyFromACitizenLinkIsNotAFirstReply) {
  const core::Request request = Create(Req("Question"));
  core::NewMessage m;
  m.body = "Bonjour";
  ASSERT_OK(store().AddMessage(request.id, m, false, actor()));
  EXPECT_EQ(Must(store().GetRequest(request.id), "GetRequest").first_reply_at, std::nullopt);
}

TEST_P(StoreSuite, AttachmentsRoundTripBinaryContent) {
  const core::Request request = Create(Req("Photo"));
  std::string content;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) content += static_cast<char>(b);
  }
  content += std::string("\0\0\0end\0", 7);
  ASSERT_EQ(content.size(), 1031u);

  AttachmentMeta meta;
  meta.request_id = request.id;
  meta.filename = "photo du lampadaire \xC3\xA9t\xC3\xA9.bin";
  meta.content_type = "application/octet-stream";
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(const AttachmentMeta saved, store().AddAttachment(meta, content, actor()));
  EXPECT_GT(saved.id, 0);
  EXPECT_EQ(saved.size, 1031);
  EXPECT_EQ(saved.sha256, Sha256Hex(content));
  EXPECT_EQ(saved.created_at, clock().Now());
  EXPECT_EQ(saved.message_id, std::nullopt);

  ASSERT_OK_AND_ASSIGN(const Attachment got, store().GetAttachment(saved.id));
  EXPECT_TRUE(got.content == content) << "content differs: " << got.content.size() << " bytes";
  EXPECT_EQ(got.meta.filename, meta.filename);
  EXPECT_EQ(got.meta.content_type, meta.content_type);
  EXPECT_EQ(got.meta.size, 1031);
  EXPECT_EQ(got.meta.sha256, saved.sha256);
  EXPECT_EQ(got.meta.request_id, request.id);

  // An empty file and one tied to a message.
  core::NewMessage note;
  note.body = "Voici la photo.";
  const core::Message message =
      Must(store().AddMessage(request.id, note, false, actor()), "AddMessage");
  AttachmentMeta empty_meta;
  empty_meta.request_id = request.id;
  empty_meta.message_id = message.id;
  empty_meta.filename = "vide.txt";
  empty_meta.content_type = "text/plain";
  ASSERT_OK_AND_ASSIGN(const AttachmentMeta empty, store().AddAttachment(empty_meta, "", actor()));
  EXPECT_EQ(empty.size, 0);
  ASSERT_OK_AND_ASSIGN(const Attachment got_empty, store().GetAttachment(empty.id));
  EXPECT_EQ(got_empty.content, "");
  EXPECT_EQ(got_empty.meta.message_id, message.id);

  ASSERT_OK_AND_ASSIGN(const auto listed, store().ListAttachments(request.id));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, saved.id);
  EXPECT_EQ(listed[0].sha256, saved.sha256);
  EXPECT_EQ(listed[1].id, empty.id);

  EXPECT_STATUS(store().GetAttachment(empty.id + 100), StatusCode::kNotFound);
  AttachmentMeta orphan = empty_meta;
  orphan.message_id = message.id + 100;  // no such message
  EXPECT_STATUS(store().AddAttachment(orphan, "x", actor()), StatusCode::kInvalidArgument);
  meta.request_id = request.id + 100;
  EXPECT_STATUS(store().AddAttachment(meta, content, actor()), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(const auto none, store().ListAttachments(request.id + 100));
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreSuite, AttachmentWithInvalidUtf8NameIsRefused) {
  const core::Request request = Create(Req("Photo"));
  AttachmentMeta meta;
  meta.request_id = request.id;
  meta.filename = "photo\xFF.jpg";
  meta.content_type = "image/jpeg";
  EXPECT_STATUS(store().AddAttachment(meta, "x", actor()), StatusCode::kInvalidArgument);
  meta.filename = "photo.jpg";
  meta.content_type = "image/\xC3";
  EXPECT_STATUS(store().AddAttachment(meta, "x", actor()), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(const auto none, store().ListAttachments(request.id));
  EXPECT_TRUE(none.empty());
}

// --- Audit ----------------------------------------------------------------------------------

TEST_P(StoreSuite, AuditRecordsFieldLevelChanges) {
  const core::Team team = Team("Voirie");
  const core::User agent = Agent("agent@mairie.example", {team.id});
  const core::Request request = Create(Req("Lampadaire"));
  clock().Advance(kHour);
  core::RequestPatch patch;
  patch.status = RequestStatus::kOpen;
  patch.priority = core::Priority::kHigh;
  patch.assignee_id = agent.id;
  ASSERT_OK(store().UpdateRequest(request.id, 1, patch, Actor::User(agent.id)));

  const auto all = Audit();
  ASSERT_EQ(all.size(), 4u);  // team, user, request create, request update
  EXPECT_EQ(all[0].action, "team.create");
  EXPECT_EQ(all[0].entity, "team");
  EXPECT_EQ(all[0].entity_id, team.id);
  EXPECT_EQ(all[0].request_id, std::nullopt);
  EXPECT_EQ(all[0].actor, "test");
  EXPECT_EQ(all[0].at, guichet::testing::kTestStart);
  EXPECT_EQ(json::parse(all[0].changes_json), json::parse(R"({"name": {"after": "Voirie"}})"));
  EXPECT_EQ(all[0].prev_hash, "");
  EXPECT_EQ(all[1].action, "user.create");
  EXPECT_EQ(json::parse(all[1].changes_json)["password"]["after"], "none");
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(all[i].prev_hash, all[i - 1].hash) << i;
    EXPECT_GT(all[i].id, all[i - 1].id);
    EXPECT_EQ(all[i].hash.size(), 64u);
  }

  const auto for_request = Audit(request.id);
  ASSERT_EQ(for_request.size(), 2u);
  EXPECT_EQ(for_request[0].action, "request.create");
  EXPECT_EQ(for_request[0].entity_id, request.id);
  const json created = json::parse(for_request[0].changes_json);
  EXPECT_EQ(created["subject"]["after"], "Lampadaire");
  EXPECT_EQ(created["status"]["after"], "new");
  EXPECT_EQ(created["reference"]["after"], "GU-2026-000001");
  EXPECT_FALSE(created["subject"].contains("before"));

  const AuditEntry& update = for_request[1];
  EXPECT_EQ(update.action, "request.update");
  EXPECT_EQ(update.actor, "user:" + std::to_string(agent.id));
  EXPECT_EQ(update.at, guichet::testing::kTestStart + kHour);
  EXPECT_EQ(update.request_id, request.id);
  EXPECT_EQ(json::parse(update.changes_json), json::parse(R"({
      "status": {"before": "new", "after": "open"},
      "priority": {"before": "normal", "after": "high"},
      "assignee_id": {"before": null, "after": )" + std::to_string(agent.id) +
                                                          "}}"));

  // Paging with after_id.
  AuditQuery q;
  q.after_id = all[1].id;
  q.limit = 1;
  ASSERT_OK_AND_ASSIGN(const auto page, store().ListAudit(q));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, all[2].id);

  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, 4);
  EXPECT_EQ(verified.first_broken_id, std::nullopt);
}

TEST_P(StoreSuite, EmptyAuditVerifies) {
  ASSERT_OK_AND_ASSIGN(const AuditVerification verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
  EXPECT_EQ(verified.checked, 0);
}

// Fills the log with a few entries of several kinds and returns them, oldest first.
class AuditTamperSuite : public StoreSuite {
 protected:
  void SetUp() override {
    StoreSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const core::Team team = Team("Voirie");
    const core::Request request = Create(Req("Lampadaire"));
    core::RequestPatch patch;
    patch.status = RequestStatus::kOpen;
    Must(store().UpdateRequest(request.id, 1, patch, actor()), "UpdateRequest");
    core::NewMessage m;
    m.body = "Merci";
    Must(store().AddMessage(request.id, m, false, actor()), "AddMessage");
    Team("Propret\xC3\xA9");
    entries_ = Audit();
    ASSERT_EQ(entries_.size(), 5u);
    ASSERT_TRUE(Must(store().VerifyAudit(), "VerifyAudit").ok);
  }

  AuditVerification Verify() { return Must(store().VerifyAudit(), "VerifyAudit"); }
  std::string IdOf(size_t i) const { return std::to_string(entries_[i].id); }

  std::vector<AuditEntry> entries_;
};

TEST_P(AuditTamperSuite, ChangedContentIsDetectedAtThatRow) {
  ASSERT_OK_AND_ASSIGN(
      const std::int64_t changed,
      store().RawExec(
          R"(UPDATE audit_log SET changes = '{"status":{"before":"new","after":"closed"}}' WHERE id = )" +
          IdOf(2)));
  ASSERT_EQ(changed, 1);
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, entries_[2].id);
  EXPECT_FALSE(v.reason.empty());
}

TEST_P(AuditTamperSuite, ChangedActorOrTimeIsDetected) {
  ASSERT_OK_AND_ASSIGN(
      const std::int64_t changed,
      store().RawExec("UPDATE audit_log SET actor = 'someone-else' WHERE id = " + IdOf(1)));
  ASSERT_EQ(changed, 1);
  EXPECT_EQ(Verify().first_broken_id, entries_[1].id);
  ASSERT_OK(store().RawExec("UPDATE audit_log SET actor = 'test' WHERE id = " + IdOf(1)));
  EXPECT_TRUE(Verify().ok);  // restored exactly: the chain holds again
  ASSERT_OK(store().RawExec("UPDATE audit_log SET at = at + 1 WHERE id = " + IdOf(3)));
  EXPECT_EQ(Verify().first_broken_id, entries_[3].id);
}

TEST_P(AuditTamperSuite, RewrittenHashIsDetected) {
  // Someone rewrites an entry and puts a hash of their own: the entry no longer matches.
  ASSERT_OK(store().RawExec("UPDATE audit_log SET changes = '{}', hash = '" + std::string(64, 'a') +
                            "' WHERE id = " + IdOf(2)));
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, entries_[2].id);
}

TEST_P(AuditTamperSuite, DeletedMiddleRowIsDetectedAtTheFollowingRow) {
  ASSERT_OK_AND_ASSIGN(const std::int64_t deleted,
                       store().RawExec("DELETE FROM audit_log WHERE id = " + IdOf(2)));
  ASSERT_EQ(deleted, 1);
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, entries_[3].id);
}

TEST_P(AuditTamperSuite, DeletedFirstRowIsDetected) {
  ASSERT_OK(store().RawExec("DELETE FROM audit_log WHERE id = " + IdOf(0)));
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, entries_[1].id);
}

TEST_P(AuditTamperSuite, DeletedLastRowIsDetected) {
  ASSERT_OK_AND_ASSIGN(const std::int64_t deleted,
                       store().RawExec("DELETE FROM audit_log WHERE id = " + IdOf(4)));
  ASSERT_EQ(deleted, 1);
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_FALSE(v.reason.empty());
}

TEST_P(AuditTamperSuite, EmptiedLogIsDetected) {
  ASSERT_OK(store().RawExec("DELETE FROM audit_log"));
  EXPECT_FALSE(Verify().ok);
}

TEST_P(AuditTamperSuite, AppendsAfterTamperingDoNotHideIt) {
  ASSERT_OK(store().RawExec("UPDATE audit_log SET changes = '{}' WHERE id = " + IdOf(1)));
  Team("Apr\xC3\xA8s");
  const AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_id, entries_[1].id);
}

GUICHET_INSTANTIATE_STORE_TEST(StoreSuite);
GUICHET_INSTANTIATE_STORE_TEST(ListSuite);
GUICHET_INSTANTIATE_STORE_TEST(AuditTamperSuite);

}  // namespace
}  // namespace guichet::storage
