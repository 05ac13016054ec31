#include "kb/lexicon.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "common/text.h"
#include "common/words.h"

namespace guichet::kb {
namespace {

// What citizens and agents write for the everyday names of French public services and of the
// matters they ask about. One group per line; the first member is the full name.
constexpr std::string_view kBuiltInFrench = R"(
# Organismes
caisse d'allocations familiales = caf
caisse primaire d'assurance maladie = cpam = securite sociale = secu = assurance maladie
agence nationale des titres securises = ants
mutualite sociale agricole = msa
pole emploi = france travail = assedic
caisse d'assurance retraite et de la sante au travail = carsat
union de recouvrement des cotisations de securite sociale = urssaf
maison departementale des personnes handicapees = mdph
centre communal d'action sociale = ccas
office francais de l'immigration et de l'integration = ofii
direction regionale de l'economie de l'emploi du travail et des solidarites = dreets = direccte
conseil de prud'hommes = prud'hommes = prudhommes = prudhomme = cph
inspection du travail = inspecteur du travail
# Prestations et aides
aide personnalisee au logement = apl = aide au logement = allocation logement = als = alf
revenu de solidarite active = rsa
allocation aux adultes handicapes = aah
allocation de solidarite aux personnes agees = aspa = minimum vieillesse
allocation de retour a l'emploi = aide au retour a l'emploi = are = allocation chomage = chomage = indemnites chomage
allocation de rentree scolaire = ars
prestation d'accueil du jeune enfant = paje
prestation de compensation du handicap = pch
allocation personnalisee d'autonomie = apa
complementaire sante solidaire = css = cmu = cmu-c = acs
aide medicale de l'etat = ame
prime d'activite
salaire minimum interprofessionnel de croissance = smic = salaire minimum
# Papiers
carte nationale d'identite = cni = carte d'identite
titre de sejour = carte de sejour = tds = permis de sejour
permis de conduire = permis
certificat d'immatriculation = carte grise
declaration prealable de travaux = declaration prealable = dp
permis de construire = pc
plan local d'urbanisme = plu
# Travail
contrat a duree determinee = cdd
contrat a duree indeterminee = cdi
conges payes = cp = conge paye = vacances
rupture conventionnelle = rc = rupture a l'amiable
licenciement economique = licenciement pour motif economique
periode d'essai = essai
arret maladie = arret de travail
accident du travail = accident de travail = at
maladie professionnelle = mp
heures supplementaires = heures sup = heure sup
reduction du temps de travail = rtt
comite social et economique = cse
convention collective = cc = ccn
solde de tout compte = stc
bulletin de paie = bulletin de salaire = fiche de paie = fiche de paye = feuille de paie
attestation employeur = attestation pole emploi
compte personnel de formation = cpf
validation des acquis de l'experience = vae
entretien prealable = entretien prealable au licenciement
abandon de poste
demission = demissionner
licenciement = licencier = renvoi = renvoye = vire = virer
employeur = patron = boss
salarie = employe = travailleur
# Fiscalite et argent
impot sur le revenu = ir = impots
taxe fonciere = tf
numero fiscal = numero d'identification fiscale
relevé d'identite bancaire = rib
surendettement = dettes
# Famille, logement, sante
pacte civil de solidarite = pacs = pacse
juge aux affaires familiales = jaf
pension alimentaire = contribution a l'entretien et a l'education
habitation a loyer modere = hlm = logement social
etat des lieux = edl
depot de garantie = caution
medecin traitant = medecin generaliste
)";

Phrase FoldedPhrase(std::string_view text) { return Words(text, 32); }

}  // namespace

Lexicon Lexicon::BuiltIn() {
  Lexicon lexicon;
  const Status status = lexicon.AddLines(kBuiltInFrench, "built-in lexicon");
  (void)status;  // the built-in list is checked by the unit tests
  return lexicon;
}

void Lexicon::AddGroup(std::vector<Phrase> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  members.erase(
      std::remove_if(members.begin(), members.end(), [](const Phrase& p) { return p.empty(); }),
      members.end());
  if (members.size() < 2) return;
  const std::size_t group = groups_.size();
  for (const Phrase& m : members) {
    groups_of_[m].push_back(group);
    longest_ = std::max(longest_, m.size());
  }
  groups_.push_back(std::move(members));
}

Status Lexicon::AddLines(std::string_view text, std::string_view source) {
  if (text.size() > kMaxLexiconBytes)
    return InvalidArgument(std::string(source) + " is larger than " +
                           std::to_string(kMaxLexiconBytes >> 20) + " MiB");
  if (!IsValidUtf8(text)) return InvalidArgument(std::string(source) + " is not valid UTF-8");
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    if (Trim(line).empty()) continue;
    std::vector<Phrase> members;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '=' || line[i] == ',') {
        const std::string_view member = Trim(line.substr(start, i - start));
        if (member.empty())
          return InvalidArgument(std::string(source) + " line " + std::to_string(line_number) +
                                 ": an empty member (two separators in a row)");
        members.push_back(FoldedPhrase(member));
        start = i + 1;
      }
    }
    if (members.size() == 1 && !members[0].empty()) continue;  // a name alone: nothing to add
    AddGroup(std::move(members));
  }
  return Status::Ok();
}

Status Lexicon::AddCdtnGlossary(std::string_view json_text, std::string_view source) {
  if (json_text.size() > kMaxLexiconBytes)
    return InvalidArgument(std::string(source) + " is too large for a glossary");
  const nlohmann::json terms = nlohmann::json::parse(json_text, nullptr, false);
  if (terms.is_discarded() || !terms.is_array())
    return InvalidArgument(std::string(source) + ": not a JSON array of glossary terms");
  for (const nlohmann::json& term : terms) {
    if (!term.is_object() || !term.contains("title") || !term["title"].is_string())
      return InvalidArgument(std::string(source) + ": a term without a \"title\" string");
    std::vector<Phrase> members = {FoldedPhrase(term["title"].get<std::string>())};
    for (const char* key : {"abbrs", "variants"}) {
      if (!term.contains(key) || !term[key].is_array()) continue;
      for (const nlohmann::json& v : term[key])
        if (v.is_string()) members.push_back(FoldedPhrase(v.get<std::string>()));
    }
    AddGroup(std::move(members));
  }
  return Status::Ok();
}

std::vector<Lexicon::Match> Lexicon::Find(const std::vector<std::string>& words) const {
  std::vector<Match> matches;
  for (std::size_t i = 0; i < words.size();) {
    std::size_t matched = 0;
    for (std::size_t n = std::min(longest_, words.size() - i); n > 0 && matched == 0; --n) {
      const Phrase phrase(words.begin() + static_cast<std::ptrdiff_t>(i),
                          words.begin() + static_cast<std::ptrdiff_t>(i + n));
      const auto it = groups_of_.find(phrase);
      if (it == groups_of_.end()) continue;
      Match match{i, i + n, {}};
      std::set<Phrase> seen = {phrase};
      for (std::size_t g : it->second)
        for (const Phrase& member : groups_[g])
          if (seen.insert(member).second) match.alternatives.push_back(member);
      matches.push_back(std::move(match));
      matched = n;
    }
    i += matched > 0 ? matched : 1;
  }
  return matches;
}

}  // namespace guichet::kb
