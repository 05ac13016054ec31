#include "triage/urgency.h"

#include <algorithm>
#include <sstream>

#include "common/words.h"

namespace guichet::triage {
namespace {

using core::Priority;

std::vector<std::string> Split(const std::string& phrase) {
  std::vector<std::string> out;
  std::istringstream in(phrase);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The first place `phrase` occurs in `words` as consecutive whole words, or npos.
std::size_t Find(const std::vector<std::string>& words, const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > words.size()) return std::string::npos;
  for (std::size_t i = 0; i + phrase.size() <= words.size(); ++i) {
    if (std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<std::ptrdiff_t>(i)))
      return i;
  }
  return std::string::npos;
}

}  // namespace

const std::vector<UrgencyRule>& UrgencyRules() {
  // Phrases are folded (lower case, no accents, elided articles dropped: "fuite de gaz",
  // "coupure eau" for "coupure d'eau").
  static const std::vector<UrgencyRule> kRules = {
      {"danger",
       "Danger pour des personnes",
       Priority::kUrgent,
       {"fuite de gaz",
        "odeur de gaz",
        "sent le gaz",
        "incendie",
        "en feu",
        "prend feu",
        "pris feu",
        "blesse",
        "blesses",
        "blessee",
        "electrocution",
        "cables a nu",
        "fils a nu",
        "fil denude",
        "risque effondrement",
        "menace effondrement",
        "effondre",
        "effondrement",
        "agression",
        "agresse",
        "violence",
        "violences",
        "menace de mort",
        "danger de mort",
        "en danger",
        "danger immediat",
        "gas leak",
        "smell of gas",
        "on fire",
        "injured",
        "exposed wires",
        "collapse",
        "collapsed",
        "assault",
        "in danger",
        "life threatening"}},
      {"vulnerable", "Personne vulnerable concernee", Priority::kHigh, {"bebe",
                                                                        "nourrisson",
                                                                        "nouveau ne",
                                                                        "enceinte",
                                                                        "personne agee",
                                                                        "personnes agees",
                                                                        "handicap",
                                                                        "handicape",
                                                                        "handicapee",
                                                                        "en fauteuil",
                                                                        "fauteuil roulant",
                                                                        "sans abri",
                                                                        "sans domicile",
                                                                        "sdf",
                                                                        "a la rue",
                                                                        "mineur isole",
                                                                        "enfant malade",
                                                                        "baby",
                                                                        "newborn",
                                                                        "pregnant",
                                                                        "elderly",
                                                                        "disabled",
                                                                        "wheelchair",
                                                                        "homeless"}},
      {"eviction",
       "Expulsion ou perte du logement",
       Priority::kUrgent,
       {"expulsion", "expulse", "expulsee", "expulses", "commandement de quitter",
        "quitter les lieux", "huissier", "eviction", "evicted", "eviction notice"}},
      {"expiring-permit",
       "Titre ou droit qui expire",
       Priority::kHigh,
       {"titre de sejour expire", "recepisse expire", "expire demain", "expire le", "expire dans",
        "arrive a expiration", "date limite", "fin de droits", "perte de droits",
        "expires tomorrow", "expired permit", "permit expires", "visa expires", "deadline"}},
      {"essential-supply",
       "Privation de chauffage, d'eau ou d'electricite",
       Priority::kHigh,
       {"sans chauffage", "plus de chauffage", "pas de chauffage", "coupure eau", "plus eau",
        "pas eau", "coupure electricite", "coupure de courant", "plus electricite",
        "plus de courant", "no heating", "no water", "no electricity", "power cut", "water cut"}},
  };
  return kRules;
}

UrgencyAssessment AssessUrgency(std::string_view text) {
  const std::vector<std::string> words = Words(text);
  UrgencyAssessment out;
  for (const UrgencyRule& rule : UrgencyRules()) {
    for (const std::string& phrase : rule.phrases) {
      if (Find(words, Split(phrase)) == std::string::npos) continue;
      out.reasons.push_back({rule.id, rule.label, phrase, rule.priority});
      break;  // one reason per rule
    }
  }
  std::stable_sort(out.reasons.begin(), out.reasons.end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  if (!out.reasons.empty()) out.priority = out.reasons.front().priority;
  return out;
}

}  // namespace guichet::triage
