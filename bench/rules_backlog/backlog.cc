#include "backlog.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <string_view>

#include "common/random.h"
#include "rules/evaluate.h"
#include "rules/facts.h"

namespace guichet::bench {
namespace {

using json = nlohmann::json;

// A day `years` whole years and `days_more` (< 365) days before `as_of`: someone born then is
// exactly `years` old on `as_of`.
rules::Date YearsBefore(rules::Date as_of, int years, int days_more) {
  int y = 0, m = 0, d = 0;
  rules::DateToYmd(as_of, y, m, d);
  if (m == 2 && d == 29) d = 28;
  rules::Date date = rules::DateFromYmd(y - years, m, d);
  date.days -= days_more;
  return date;
}

std::string Day(rules::Date date) { return rules::FormatDate(date); }

// Euros with cents, as a form sends them.
json Euros(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }

// Removes one or two of `keys` from `facts` (the applicant left them blank).
void LeaveBlank(Random& random, json& facts, std::vector<std::string> keys) {
  const int blanks = random.Chance(0.7) ? 1 : 2;
  for (int i = 0; i < blanks && !keys.empty(); ++i) {
    const auto at = static_cast<std::size_t>(random.Uniform(0, std::ssize(keys) - 1));
    facts.erase(keys[at]);
    keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(at));
  }
}

// --- cantine ---------------------------------------------------------------------------------
json Cantine(Random& random, rules::Date as_of, Intent intent) {
  const bool town = intent == Intent::kNotEligible || random.Chance(0.85);
  json f = {
      {"commune_residence", town ? "ville" : "hors_commune"},
      {"enfant_scolarise", true},
      {"date_naissance_enfant", Day(YearsBefore(as_of, static_cast<int>(random.Uniform(3, 10)),
                                                static_cast<int>(random.Uniform(0, 364))))}};
  if (town) {
    // Household income: mostly 900 to 4,500 € a month, a tail above.
    const double income = std::exp(random.Unit() * 1.6 + 6.8) + random.Uniform(0, 1500);
    f["ressources_mensuelles"] = Euros(static_cast<std::int64_t>(income * 100));
    static const std::array<double, 8> kShares = {1, 1.5, 2, 2.5, 3, 3.5, 4, 5};
    f["nombre_parts"] = random.Pick(kShares);
  }
  switch (intent) {
    case Intent::kEligible:
      break;
    case Intent::kIncomplete:
      if (town) {
        LeaveBlank(
            random, f,
            {"enfant_scolarise", "date_naissance_enfant", "ressources_mensuelles", "nombre_parts"});
      } else {
        LeaveBlank(random, f, {"enfant_scolarise", "date_naissance_enfant"});
      }
      break;
    case Intent::kNotEligible:
      f["enfant_scolarise"] = false;  // a private school, or another town's
      break;
    case Intent::kNeedsReview:  // a child of 12 to 15: an agent checks the class
      f["date_naissance_enfant"] = Day(YearsBefore(as_of, static_cast<int>(random.Uniform(12, 15)),
                                                   static_cast<int>(random.Uniform(0, 364))));
      break;
    case Intent::kInvalid:
      switch (random.Uniform(0, 4)) {
        case 0:
          f["ressources_mensuelles"] = -static_cast<double>(random.Uniform(1, 900));
          break;
        case 1:
          f["nombre_parts"] = random.Chance(0.5) ? 0.5 : 25.0;
          break;
        case 2:
          f["date_naissance_enfant"] = Day(YearsBefore(as_of, -1, 0));  // next year
          break;
        case 3:
          f["date_naissance_enfant"] = Day(YearsBefore(as_of, 300, 0));
          break;
        default:
          f["commune_residence"] = "paris";
          break;
      }
      break;
  }
  return f;
}

// --- stationnement-residentiel ---------------------------------------------------------------
json Parking(Random& random, Intent intent) {
  const bool van = random.Chance(0.12);
  json f = {{"zone_adresse", random.Chance(0.55) ? "zone_a" : "zone_b"},
            {"justificatif_domicile", true},
            {"categorie_vehicule", van ? "utilitaire_leger" : "voiture"},
            {"ptac_kg", van ? random.Uniform(2000, 3500) : random.Uniform(950, 2400)},
            {"carte_grise_a_l_adresse", true},
            {"cartes_deja_detenues", random.Chance(0.75) ? 0 : 1}};
  switch (intent) {
    case Intent::kEligible:
      break;
    case Intent::kIncomplete:
      LeaveBlank(random, f,
                 {"zone_adresse", "justificatif_domicile", "categorie_vehicule", "ptac_kg",
                  "carte_grise_a_l_adresse", "cartes_deja_detenues"});
      break;
    case Intent::kNotEligible:
      switch (random.Uniform(0, 4)) {
        case 0:
          f["zone_adresse"] = "hors_zone";
          break;
        case 1:
          f["justificatif_domicile"] = false;
          break;
        case 2:
          f["categorie_vehicule"] = "camping_car";
          f["ptac_kg"] = random.Uniform(2800, 3500);
          break;
        case 3:
          f["categorie_vehicule"] = "utilitaire_leger";
          f["ptac_kg"] = random.Uniform(3501, 7500);
          break;
        default:
          f["cartes_deja_detenues"] = random.Uniform(2, 3);
          break;
      }
      break;
    case Intent::kNeedsReview:  // a car registered elsewhere (a company or leased car)
      f["carte_grise_a_l_adresse"] = false;
      break;
    case Intent::kInvalid:
      switch (random.Uniform(0, 3)) {
        case 0:
          f["ptac_kg"] = random.Chance(0.5) ? 12 : 120000;
          break;
        case 1:
          f["cartes_deja_detenues"] = -1;
          break;
        case 2:
          f["zone_adresse"] = "zone_c";
          break;
        default:
          f["justificatif_domicile"] = "oui";
          break;
      }
      break;
  }
  return f;
}

// --- declaration-travaux ---------------------------------------------------------------------
struct WorkType {
  const char* type;
  bool dp2, dp3, dp4, dp6;  // documents this type of work needs (dp1 and photos: always)
  bool surface_rule;        // the 40 m² threshold applies
};
constexpr WorkType kWorks[] = {{"extension", true, true, true, true, true},
                               {"abri_jardin", true, false, false, false, true},
                               {"piscine", true, true, false, true, false},
                               {"cloture", false, false, true, false, false},
                               {"facade", false, false, true, false, false}};

json Works(Random& random, Intent intent) {
  const auto& w = kWorks[random.Weighted({0.35, 0.25, 0.15, 0.15, 0.10})];
  json f = {{"type_travaux", w.type}, {"secteur_protege", false}};
  if (w.surface_rule) f["surface_creee_m2"] = random.Uniform(5, 40);
  if (std::string_view(w.type) == "piscine") f["surface_creee_m2"] = random.Uniform(10, 60);
  std::vector<std::string> documents = {"dp1_plan_situation", "dp7_dp8_photos"};
  if (w.dp2) documents.push_back("dp2_plan_masse");
  if (w.dp3) documents.push_back("dp3_plan_coupe");
  if (w.dp4) documents.push_back("dp4_plan_facades");
  if (w.dp6) documents.push_back("dp6_insertion");
  for (const std::string& d : documents) f[d] = true;
  switch (intent) {
    case Intent::kEligible:
      break;
    case Intent::kIncomplete: {
      // Nothing said about one document (or the sector, or the surface).
      std::vector<std::string> blanks = documents;
      blanks.push_back("secteur_protege");
      if (w.surface_rule) blanks.push_back("surface_creee_m2");
      f.erase(random.Pick(blanks));
      break;
    }
    case Intent::kNotEligible:  // too large for a declaration: a building permit is needed
      if (!w.surface_rule) {
        f["type_travaux"] = "extension";
        for (const char* d :
             {"dp2_plan_masse", "dp3_plan_coupe", "dp4_plan_facades", "dp6_insertion"})
          f[d] = true;
      }
      f["surface_creee_m2"] = random.Uniform(41, 150);
      break;
    case Intent::kNeedsReview:
      if (random.Chance(0.7)) {
        f[random.Pick(documents)] = false;  // a document missing from the file
      } else {
        f["secteur_protege"] = true;  // the Architecte des Bâtiments de France is consulted
        f["dp6_insertion"] = true;
      }
      break;
    case Intent::kInvalid:
      switch (random.Uniform(0, 2)) {
        case 0:
          f["surface_creee_m2"] = random.Chance(0.5) ? -5 : 250000;
          break;
        case 1:
          f["type_travaux"] = "veranda";
          break;
        default:
          f["dp1_plan_situation"] = "yes";
          break;
      }
      break;
  }
  return f;
}

// --- aide-seniors (as of 2025: at least 62) ---------------------------------------------------
json Seniors(Random& random, rules::Date as_of, Intent intent) {
  const bool alone = random.Chance(0.6);
  const std::int64_t ceiling = alone ? 124000 : 192500;  // cents, 2025
  json f = {{"date_naissance", Day(YearsBefore(as_of, static_cast<int>(random.Uniform(63, 95)),
                                               static_cast<int>(random.Uniform(0, 364))))},
            {"date_installation", Day(YearsBefore(as_of, static_cast<int>(random.Uniform(2, 45)),
                                                  static_cast<int>(random.Uniform(0, 364))))},
            {"vit_seul", alone},
            {"ressources_mensuelles", Euros(random.Uniform(ceiling / 2, ceiling))},
            {"en_etablissement", false}};
  switch (intent) {
    case Intent::kEligible:
      break;
    case Intent::kIncomplete:
      LeaveBlank(random, f,
                 {"date_naissance", "date_installation", "vit_seul", "ressources_mensuelles",
                  "en_etablissement"});
      break;
    case Intent::kNotEligible:
      switch (random.Uniform(0, 2)) {
        case 0:
          f["date_naissance"] = Day(YearsBefore(as_of, static_cast<int>(random.Uniform(50, 61)),
                                                static_cast<int>(random.Uniform(0, 364))));
          break;
        case 1:  // moved in less than a year ago
          f["date_installation"] =
              Day(YearsBefore(as_of, 0, static_cast<int>(random.Uniform(0, 300))));
          break;
        default:
          f["ressources_mensuelles"] = Euros(ceiling + random.Uniform(1, 80000));
          break;
      }
      break;
    case Intent::kNeedsReview:  // in a care home: an agent checks the costs covered
      f["en_etablissement"] = true;
      break;
    case Intent::kInvalid:
      switch (random.Uniform(0, 3)) {
        case 0:
          f["date_naissance"] = Day(YearsBefore(as_of, 300, 0));
          break;
        case 1:
          f["date_installation"] = Day(YearsBefore(as_of, -2, 0));
          break;
        case 2:
          f["ressources_mensuelles"] = random.Chance(0.5) ? -20.0 : 80000.0;
          break;
        default:
          f["vit_seul"] = "non";
          break;
      }
      break;
  }
  return f;
}

Route RouteOf(Intent intent, bool automatic) {
  switch (intent) {
    case Intent::kEligible:
      return automatic ? Route::kAutomatic : Route::kAgentConfirms;
    case Intent::kIncomplete:
      return Route::kCitizenAsked;
    case Intent::kNotEligible:
      return Route::kAgentRefusal;
    case Intent::kNeedsReview:
      return Route::kAgentReview;
    case Intent::kInvalid:
      return Route::kInvalid;
  }
  return Route::kInvalid;
}

// The fact an error names ("fact revenu: …", "fact revenu (money): …").
std::string NamedFact(const std::string& message) {
  if (message.rfind("fact ", 0) != 0) return "?";
  const auto end = message.find_first_of(" :", 5);
  return message.substr(5, end == std::string::npos ? std::string::npos : end - 5);
}

}  // namespace

const char* IntentName(Intent intent) {
  static const char* const kNames[] = {"eligible", "incomplete", "not_eligible", "needs_review",
                                       "invalid"};
  return kNames[static_cast<int>(intent)];
}

const char* RouteName(Route route) {
  static const char* const kNames[] = {"automatic",     "agent_confirms", "citizen_asked",
                                       "agent_refusal", "agent_review",   "invalid"};
  return kNames[static_cast<int>(route)];
}

std::vector<Application> GenerateBacklog(std::uint64_t seed, std::size_t count) {
  Random random(seed);
  const std::vector<double> scheme_weights = {kSchemeShares[0].share, kSchemeShares[1].share,
                                              kSchemeShares[2].share, kSchemeShares[3].share};
  const std::vector<double> intent_weights(std::begin(kIntentShares), std::end(kIntentShares));
  const rules::Date first = rules::DateFromYmd(2025, 1, 2);
  const rules::Date last = rules::DateFromYmd(2025, 6, 30);
  std::vector<Application> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    Application a;
    const std::size_t scheme = random.Weighted(scheme_weights);
    a.scheme = kSchemeShares[scheme].id;
    a.intent = static_cast<Intent>(random.Weighted(intent_weights));
    a.as_of.days = static_cast<std::int32_t>(random.Uniform(first.days, last.days));
    switch (scheme) {
      case 0:
        a.facts = Cantine(random, a.as_of, a.intent);
        break;
      case 1:
        a.facts = Parking(random, a.intent);
        break;
      case 2:
        a.facts = Works(random, a.intent);
        break;
      default:
        a.facts = Seniors(random, a.as_of, a.intent);
        break;
    }
    out.push_back(std::move(a));
  }
  return out;
}

BacklogReport RunBacklog(const rules::SchemeRegistry& schemes,
                         const std::vector<Application>& applications) {
  BacklogReport report;
  for (const Application& a : applications) {
    ++report.total;
    ++report.by_scheme[a.scheme];
    const rules::Scheme* scheme = schemes.Find(a.scheme);
    if (scheme == nullptr) {
      ++report.unexpected;
      continue;
    }
    Route route = Route::kInvalid;
    auto facts = rules::FactsFromJson(*scheme, a.facts);
    if (!facts.ok()) {
      ++report.invalid_facts[a.scheme + "/" + NamedFact(facts.status().message())];
    } else if (auto decision = rules::Evaluate(*scheme, *facts, a.as_of); !decision.ok()) {
      ++report.invalid_facts[a.scheme + "/" + NamedFact(decision.status().message())];
    } else {
      switch (decision->outcome) {
        case rules::Outcome::kEligible:
          route = decision->automatic_approval ? Route::kAutomatic : Route::kAgentConfirms;
          break;
        case rules::Outcome::kIncomplete:
          route = Route::kCitizenAsked;
          for (int f : decision->missing)
            ++report.missing_facts[a.scheme + "/" + scheme->facts()[f].id];
          break;
        case rules::Outcome::kNotEligible:
        case rules::Outcome::kNeedsReview: {
          const bool refusal = decision->outcome == rules::Outcome::kNotEligible;
          route = refusal ? Route::kAgentRefusal : Route::kAgentReview;
          for (const rules::TraceEntry& e : decision->trace) {
            const rules::RuleInfo& r = scheme->rules()[e.rule];
            if (e.result == rules::RuleResult::kFailed && r.on_fail == decision->outcome)
              ++(refusal ? report.refusing_rules : report.review_rules)[a.scheme + "/" + r.id];
          }
          break;
        }
      }
    }
    ++report.by_route[static_cast<int>(route)];
    if (route != RouteOf(a.intent, scheme->automatic_approval())) ++report.unexpected;
  }
  return report;
}

}  // namespace guichet::bench
