// Readable urgency rules: phrases in French and English that make a request urgent or high
// priority — danger to people, vulnerable persons, hard deadlines (an eviction, an expiring
// permit), loss of heating, water or power. Each rule that fires is a reason an agent can read:
// which rule, which words of the text. They add to the priority model, never hide it: a rule
// can raise a priority, and says why. Matching is on folded words (text.h): case, accents and
// elisions do not matter, and a phrase must appear as whole consecutive words, so "feu
// tricolore" (traffic light) is not a fire. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enums.h"

namespace guichet::triage {

struct UrgencyReason {
  std::string rule;     // stable id: "danger", "vulnerable", "eviction", "expiring-permit", …
  std::string label;    // what the rule means, in French (the desk's language)
  std::string matched;  // the words of the text that fired it, folded
  core::Priority priority = core::Priority::kHigh;
};

struct UrgencyAssessment {
  std::optional<core::Priority> priority;  // the highest a rule asks for; nullopt when none fired
  std::vector<UrgencyReason> reasons;      // one per rule that fired, most urgent first
};

UrgencyAssessment AssessUrgency(std::string_view text);

// Every rule with its phrases, for documentation and the admin view.
struct UrgencyRule {
  std::string id;
  std::string label;
  core::Priority priority;
  std::vector<std::string> phrases;  // folded, words separated by single spaces
};
const std::vector<UrgencyRule>& UrgencyRules();

}  // namespace guichet::triage
