// The backlog simulation: a documented, seeded generator of realistic applications for the
// example schemes of rules/examples, and the run that puts each one through completeness and
// eligibility (rules::Evaluate) and sorts it the way a desk would: decided automatically, back
// to the citizen for what is missing, or to an agent, and why.
//
// The generator's mix (GenerateBacklog), for each application:
//   scheme: cantine 40 %, stationnement-residentiel 25 %, declaration-travaux 20 %,
//           aide-seniors 15 %;
//   date:   a day of the first half of 2025 (2025-01-02 to 2025-06-30), within every scheme's
//           validity;
//   intent: complete and eligible 70 %; incomplete 12 % (one or two facts the applicant left
//           blank, or a document the building-work file does not say anything about);
//           not eligible 9 % (one refusing rule fails: income above the ceiling, too young,
//           outside the zone, a heavy vehicle, a surface that needs a permit …); needs review
//           6 % (a rule that sends the case to an agent fails: a child outside the age range, a
//           care home, a registration document at another address, a document missing from the
//           building-work file, a protected sector); invalid 3 % (an absurd value or a wrong
//           type: a negative income, a 300-year-old applicant, a date in the future, "oui" for
//           a yes/no, a value outside an enum's list).
// Values are drawn to look like real files (incomes with cents, household shares by halves,
// birth dates spread over the years, only the documents the type of work needs). Each intent
// is built so that the engine's outcome is exactly it (tested: tests/rules/backlog_test.cc).
//
// Thread-safety: pure functions; RunBacklog reads the registry, which is immutable.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rules/registry.h"
#include "rules/types.h"

namespace guichet::bench {

// What the generator meant an application to be.
enum class Intent : std::uint8_t { kEligible, kIncomplete, kNotEligible, kNeedsReview, kInvalid };
inline constexpr int kIntentCount = 5;
const char* IntentName(Intent intent);  // "eligible", "incomplete", … "invalid"
// The documented shares of GenerateBacklog, indexed by Intent.
inline constexpr double kIntentShares[kIntentCount] = {0.70, 0.12, 0.09, 0.06, 0.03};

// The schemes the generator knows, with their shares.
struct SchemeShare {
  const char* id;
  double share;
};
inline constexpr SchemeShare kSchemeShares[] = {{"cantine", 0.40},
                                                {"stationnement-residentiel", 0.25},
                                                {"declaration-travaux", 0.20},
                                                {"aide-seniors", 0.15}};

struct Application {
  std::string scheme;    // a scheme id of kSchemeShares
  nlohmann::json facts;  // as a form or an API client would send them
  rules::Date as_of;
  Intent intent = Intent::kEligible;
};

// `count` applications drawn with `seed`: the same seed gives the same applications.
std::vector<Application> GenerateBacklog(std::uint64_t seed, std::size_t count);

// Where an application goes after the engine.
enum class Route : std::uint8_t {
  kAutomatic,      // eligible, and the scheme allows approval without an agent
  kAgentConfirms,  // eligible, but the scheme wants an agent to confirm
  kCitizenAsked,   // incomplete: the citizen is asked the missing facts (or documents)
  kAgentRefusal,   // not eligible: an agent decides, never automatically
  kAgentReview,    // a rule sent it to an agent
  kInvalid,        // facts refused (absurd values, wrong types): back to whoever typed them
};
inline constexpr int kRouteCount = 6;
const char* RouteName(Route route);

struct BacklogReport {
  std::size_t total = 0;
  std::size_t by_route[kRouteCount] = {};
  // Reasons: the facts asked for (incomplete), the rules that failed (not eligible, review),
  // the facts refused (invalid), each as "scheme/name" with its count.
  std::map<std::string, std::size_t> missing_facts, refusing_rules, review_rules, invalid_facts;
  // Applications whose route is not what their intent implies (0 with the generator's mix).
  std::size_t unexpected = 0;
  std::map<std::string, std::size_t> by_scheme;
};

// Runs every application through FactsFromJson and Evaluate (counterfactuals included, as the
// API does) and sorts it. Applications for schemes the registry lacks count as unexpected.
BacklogReport RunBacklog(const rules::SchemeRegistry& schemes,
                         const std::vector<Application>& applications);

}  // namespace guichet::bench
