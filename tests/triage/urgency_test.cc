// Unit tests of the urgency rules (src/triage/urgency.h): each rule fires on French and English
// wording, says which words fired it, and stays quiet on look-alikes.
#include "triage/urgency.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/words.h"

namespace guichet::triage {
namespace {

using core::Priority;

std::set<std::string> Rules(const UrgencyAssessment& a) {
  std::set<std::string> out;
  for (const auto& r : a.reasons) out.insert(r.rule);
  return out;
}

TEST(UrgencyTest, EachRuleFiresInFrenchAndEnglish) {
  const std::pair<const char*, const char*> cases[] = {
      {"Forte odeur de gaz dans la cage d'escalier", "danger"},
      {"There is a gas leak in the street", "danger"},
      {"Des câbles à nu devant l'école", "danger"},
      {"Ma mère, personne âgée, vit seule", "vulnerable"},
      {"I am pregnant and need housing", "vulnerable"},
      {"J'ai reçu un commandement de quitter les lieux", "eviction"},
      {"We received an eviction notice", "eviction"},
      {"Mon titre de séjour expire le 3 mars", "expiring-permit"},
      {"Mon récépissé expire demain", "expiring-permit"},
      {"Coupure d'eau depuis hier dans l'immeuble", "essential-supply"},
      {"Plus de chauffage depuis trois jours", "essential-supply"},
  };
  for (const auto& [text, rule] : cases) {
    const UrgencyAssessment a = AssessUrgency(text);
    EXPECT_TRUE(Rules(a).count(rule)) << text;
    ASSERT_TRUE(a.priority) << text;
    for (const auto& r : a.reasons) {
      EXPECT_FALSE(r.label.empty());
      // The matched words are in the text, in order.
      const auto words = Words(text);
      std::string joined;
      for (const auto& w : words) joined += w + " ";
      EXPECT_NE(joined.find(r.matched), std::string::npos) << r.matched;
    }
  }
}

TEST(UrgencyTest, TheMostUrgentRuleSetsThePriorityAndAllAreReasons) {
  const UrgencyAssessment a =
      AssessUrgency("Huissier passé ce matin, nous sommes à la rue avec un bébé");
  EXPECT_EQ(a.priority, Priority::kUrgent);
  ASSERT_EQ(a.reasons.size(), 2u);
  EXPECT_EQ(a.reasons[0].rule, "eviction");
  EXPECT_EQ(a.reasons[0].matched, "huissier");
  EXPECT_EQ(a.reasons[1].rule, "vulnerable");
}

TEST(UrgencyTest, LookAlikesAndNoiseDoNotFire) {
  for (const char* text : {"Le feu tricolore est en panne", "Demande d'acte de naissance",
                           "Horaires de la piscine", "Le gazon n'est pas tondu",
                           "Inscription à la cantine", "", "🙂🙂", "dangereusement beau"}) {
    const UrgencyAssessment a = AssessUrgency(text);
    EXPECT_FALSE(a.priority) << text;
    EXPECT_TRUE(a.reasons.empty()) << text;
  }
  std::string junk;
  for (int i = 0; i < 1 << 20; ++i) junk += static_cast<char>(i * 7 % 256);
  EXPECT_NO_THROW(AssessUrgency(junk));
}

TEST(UrgencyTest, RulesArePublishedFolded) {
  for (const UrgencyRule& rule : UrgencyRules()) {
    EXPECT_FALSE(rule.phrases.empty()) << rule.id;
    for (const std::string& phrase : rule.phrases) {
      // A phrase that folding would change could never match.
      std::string refolded;
      for (const auto& w : Words(phrase)) refolded += (refolded.empty() ? "" : " ") + w;
      EXPECT_EQ(refolded, phrase) << rule.id;
    }
  }
}

}  // namespace
}  // namespace guichet::triage
