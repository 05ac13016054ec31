// Small eligibility schemes for the integration tests (not the examples, which may change):
// `aide-essai`, an allowance with every kind of fact, a bracket table, a rule sending the case to
// an agent and a validity period; `essai-ouvert`, an open-ended example without amount. The
// shared harness serves both.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "rules/registry.h"

namespace guichet::testing {

inline constexpr char kAideEssaiToml[] = R"toml(
[scheme]
id = "aide-essai"
title_fr = "Aide d'essai"
title_en = "Test allowance"
automatic_approval = true
valid_from = 2025-01-01
valid_to = 2026-12-31
legal_text = "Règlement d'essai"
authority = "Mairie d'essai"

[facts.commune]
type = "enum"
values = ["ville", "hors_commune"]
label_fr = "lieu de résidence"
label_en = "place of residence"
question_fr = "Habitez-vous la commune ?"
question_en = "Do you live in the town?"

[facts.revenu]
type = "money"
label_fr = "revenu mensuel"
label_en = "monthly income"
question_fr = "Quel est votre revenu mensuel ?"
question_en = "What is your monthly income?"
max = 100000

[facts.enfants]
type = "integer"
min = 0
max = 20
question_fr = "Combien d'enfants avez-vous à charge ?"
question_en = "How many dependent children do you have?"

[facts.date_naissance]
type = "date"
max_years_ago = 120
not_after_as_of = true
question_fr = "Quelle est votre date de naissance ?"
question_en = "What is your date of birth?"

[facts.justificatif]
type = "bool"
question_fr = "Avez-vous joint un justificatif de domicile ?"
question_en = "Did you attach a proof of address?"

[derived.age]
expr = "age_at(date_naissance, as_of)"
label_fr = "âge"
label_en = "age"

[tables.montant]
key = "money"
value = "money"
legal = { text = "Délibération d'essai", article = "annexe" }
[[tables.montant.periods]]
rows = [
  { from = 0, to = 800, value = 300 },
  { from = 800, to = 1500, value = 150 },
  { from = 1500, value = 0 },
]

[[rules]]
id = "residence"
condition = "commune == 'ville'"
fr = "Le demandeur habite la commune."
en = "The applicant lives in the town."
legal = { article = "article 1" }

[[rules]]
id = "majeur"
condition = "age >= 18"
fr = "Le demandeur est majeur."
en = "The applicant is an adult."
legal = { article = "article 2" }

[[rules]]
id = "plafond"
condition = "revenu < 1500 €"
fr = "Le revenu mensuel est inférieur à 1 500 €."
en = "The monthly income is below €1,500."
legal = { article = "article 3" }

[[rules]]
id = "justificatif"
condition = "justificatif"
on_fail = "needs_review"
fr = "Un justificatif de domicile est joint."
en = "A proof of address is attached."
legal = { article = "article 4" }

[amount]
expr = "bareme(montant, revenu) + money(enfants) * 50"
fr = "Montant selon le revenu, plus 50 € par enfant"
en = "Amount by income, plus €50 per child"
legal = { article = "article 5" }
)toml";

inline constexpr char kEssaiOuvertToml[] = R"toml(
[scheme]
id = "essai-ouvert"
title_fr = "Essai sans fin (exemple)"
title_en = "Open-ended test (example)"
example = true
valid_from = 2020-01-01
legal_text = "Règlement d'essai"

[facts.inscrit]
type = "bool"
question_fr = "Êtes-vous inscrit ?"
question_en = "Are you registered?"

[[rules]]
id = "inscription"
condition = "inscrit"
fr = "Le demandeur est inscrit."
en = "The applicant is registered."
legal = { article = "article 1" }
)toml";

// Both schemes, loaded; null (and a test failure) if they do not load.
inline std::shared_ptr<const rules::SchemeRegistry> TestSchemes() {
  std::vector<rules::Scheme> schemes;
  for (const char* text : {kAideEssaiToml, kEssaiOuvertToml}) {
    auto scheme = rules::LoadScheme(text, "essai.toml");
    if (!scheme.ok()) {
      ADD_FAILURE() << scheme.status().ToString();
      return nullptr;
    }
    schemes.push_back(std::move(*scheme));
  }
  auto registry = rules::SchemeRegistry::FromSchemes(std::move(schemes));
  if (!registry.ok()) {
    ADD_FAILURE() << registry.status().ToString();
    return nullptr;
  }
  return std::make_shared<const rules::SchemeRegistry>(std::move(*registry));
}

}  // namespace guichet::testing
