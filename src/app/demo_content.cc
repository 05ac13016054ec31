// The words of the demo town hall. Everything here is fictional: the town, its streets and
// places, and the people. E-mail addresses of citizens use the reserved example.org domain and
// telephone numbers the range 01 99 00 xx xx that ARCEP keeps for fiction.
#include "app/demo_content.h"

namespace guichet::app::demo {

using core::Priority;

const std::vector<std::string_view>& TeamNames() {
  static const std::vector<std::string_view> kTeams = {"État civil", "Urbanisme", "Aides sociales",
                                                       "Voirie et propreté", "Accueil général"};
  return kTeams;
}

namespace {

constexpr int kEtatCivil = 0;
constexpr int kUrbanisme = 1;
constexpr int kAides = 2;
constexpr int kVoirie = 3;
constexpr int kAccueil = 4;

std::vector<CategoryContent> BuildCategories() {
  std::vector<CategoryContent> c;

  c.push_back(CategoryContent{
      .slug = "acte-naissance",
      .name = "Acte de naissance",
      .team = kEtatCivil,
      .weight = 12,
      .season = {1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.2, 0.8, 1.0, 1.0, 0.9, 0.8},
      .resolve_days_min = 1,
      .resolve_days_max = 6,
      .third_party = 0.02,
      .quick = 0.45,
      .fr =
          {
              {"Demande de copie intégrale d'acte de naissance",
               "Je souhaiterais obtenir une copie intégrale de mon acte de naissance. Je suis "
               "né(e) à Ville de Démo le {birth_date}. J'en ai besoin pour {purpose}. Pouvez-vous "
               "me l'envoyer par courrier au {number} {street} ?",
               {}},
              {"Extrait d'acte de naissance pour mon fils",
               "Je voudrais un extrait avec filiation de l'acte de naissance de mon fils {son}, "
               "né le {birth_date} à la maternité de Ville de Démo. C'est pour {purpose}. Merci "
               "de m'indiquer les pièces à fournir.",
               {"mineur"}},
              {"Erreur sur l'acte de naissance de ma fille",
               "En relisant l'acte de naissance de ma fille {daughter}, j'ai remarqué une erreur "
               "dans l'orthographe de son deuxième prénom. Comment demander une rectification ? "
               "Je peux passer en mairie {weekday} si besoin.",
               {"rectification"}},
              {"Acte de naissance urgent pour un passeport",
               "Mon rendez-vous pour le passeport est le {future_date} et on me demande un acte "
               "de naissance de moins de trois mois. Je n'ai toujours rien reçu alors que j'ai "
               "fait la demande en ligne il y a {days} jours. Pouvez-vous vérifier ?",
               {"passeport", "relance"},
               Priority::kHigh},
              {"Reconnaissance anticipée avant la naissance",
               "Nous attendons un enfant pour le mois de {month} et nous ne sommes pas mariés. "
               "Mon compagnon souhaite faire une reconnaissance anticipée. Faut-il prendre "
               "rendez-vous et quels documents apporter ?",
               {"reconnaissance"}},
          },
      .en =
          {
              {"Birth certificate copy needed for a visa",
               "I was born in Ville de Démo on {birth_date} and I now live abroad. The consulate "
               "asks for a full copy of my birth certificate (copie intégrale) for my visa "
               "application. Can it be sent by post?",
               {"visa"}},
              {"Registering the birth of our baby",
               "Our daughter {daughter} was born on {recent_date} at the Ville de Démo maternity "
               "ward. We are not French citizens: what do we need to bring to register the "
               "birth, and is there an English-speaking agent?",
               {"naissance"},
               Priority::kHigh},
          },
      .replies =
          {{"Nous avons bien reçu votre demande {reference}. L'acte vous sera envoyé par courrier "
            "sous cinq jours ouvrés.",
            "Votre demande {reference} est en cours de traitement au service de l'état civil. "
            "Nous revenons vers vous très vite."},
           {"We have received your request {reference}. The certificate will be posted to you "
            "within five working days."}},
      .resolutions =
          {{"L'acte demandé vous a été envoyé par courrier ce jour.",
            "Votre acte est disponible à l'accueil de la mairie, aux heures d'ouverture."},
           {"The certificate was posted to you today."}},
      .documents = {{"une copie de votre pièce d'identité",
                     "le livret de famille (pages parents et enfant)"},
                    {"a copy of your passport or ID card"}},
  });

  c.push_back(CategoryContent{
      .slug = "mariage",
      .name = "Mariage et PACS",
      .team = kEtatCivil,
      .weight = 5,
      .season = {0.6, 0.8, 1.2, 1.5, 1.6, 1.4, 1.0, 0.6, 0.9, 0.9, 0.7, 0.5},
      .resolve_days_min = 3,
      .resolve_days_max = 20,
      .third_party = 0.05,
      .quick = 0.1,
      .fr =
          {
              {"Dossier de mariage pour le {future_date}",
               "Nous souhaitons nous marier à la mairie de Ville de Démo le {future_date}. "
               "Pouvez-vous nous envoyer la liste des pièces du dossier et nous dire si cette "
               "date est encore disponible ? Nous habitons tous les deux au {number} {street}.",
               {"mariage"}},
              {"Rendez-vous pour un PACS",
               "Mon compagnon et moi voudrions conclure un PACS en mairie. Quels sont les "
               "créneaux disponibles en {month} ? Faut-il utiliser le formulaire officiel ou une "
               "convention rédigée par nous ?",
               {"pacs"}},
              {"Changement de témoin pour notre mariage",
               "Notre mariage est prévu le {future_date}. Un de nos témoins ne pourra finalement "
               "pas venir : est-il possible de le remplacer et quel justificatif faut-il fournir ?",
               {"mariage", "témoins"}},
              {"Publication des bans",
               "Nous avons déposé notre dossier de mariage il y a {days} jours. Pouvez-vous nous "
               "confirmer la date de publication des bans et l'heure de la cérémonie ?",
               {"mariage", "relance"}},
              {"Cérémonie avec beaucoup d'invités",
               "Nous prévoyons une centaine d'invités pour notre mariage le {future_date}. La "
               "salle des mariages est-elle assez grande, ou la cérémonie peut-elle avoir lieu "
               "dans la salle polyvalente des Maquettes ?",
               {"mariage"},
               Priority::kLow},
          },
      .en =
          {
              {"Getting married in Ville de Démo as foreigners",
               "We are a British couple living at {number} {street} and we would like to get "
               "married at the town hall on {future_date}. Which documents do we need, and do "
               "they have to be translated?",
               {"mariage"}},
              {"Civil partnership (PACS) appointment",
               "My partner and I would like to register a PACS. Could you tell us the next "
               "available appointments and the list of documents?",
               {"pacs"}},
          },
      .replies = {{"Merci pour votre message. Vous trouverez la liste des pièces du dossier sur le "
                   "site de la ville ; un rendez-vous vous sera proposé pour le dépôt (demande "
                   "{reference}).",
                   "Nous avons bien noté votre demande {reference}. Un agent de l'état civil vous "
                   "recontactera pour fixer la date."},
                  {"Thank you for your message. A registrar will contact you to set a date; your "
                   "request number is {reference}."}},
      .resolutions = {{"Votre dossier est complet et la date de la cérémonie est confirmée.",
                       "Le rendez-vous pour l'enregistrement de votre PACS est confirmé."},
                      {"Your file is complete and the date is confirmed."}},
      .documents = {{"un justificatif de domicile de moins de trois mois pour chacun de vous",
                     "la liste de vos témoins avec la copie de leur pièce d'identité"},
                    {"a proof of address for each of you, less than three months old"}},
  });

  c.push_back(CategoryContent{
      .slug = "permis-construire",
      .name = "Permis de construire",
      .team = kUrbanisme,
      .weight = 6,
      .season = {0.8, 1.0, 1.6, 1.8, 1.7, 1.3, 0.9, 0.5, 1.0, 1.0, 0.8, 0.6},
      .resolve_days_min = 20,
      .resolve_days_max = 70,
      .third_party = 0.25,
      .quick = 0.05,
      .fr =
          {
              {"Permis de construire pour une maison individuelle",
               "Nous avons acheté le terrain cadastré {parcel} au bout {de_street}. Nous "
               "voulons déposer un permis de construire pour une maison de 110 m². Le dépôt en "
               "ligne est-il possible et quels sont les délais d'instruction ?",
               {"maison-individuelle"}},
              {"Pièces complémentaires pour mon permis",
               "J'ai reçu un courrier me demandant des pièces complémentaires pour mon permis de "
               "construire déposé le {date}. Je ne comprends pas ce qui est attendu pour la "
               "notice descriptive. Pouvez-vous m'éclairer ?",
               {"pièces-complémentaires"}},
              {"Extension de maison : permis ou déclaration ?",
               "Je souhaite agrandir ma maison au {number} {street} avec une extension de 35 m². "
               "Dois-je déposer un permis de construire ou une déclaration préalable ? La maison "
               "est à 300 m de {place}.",
               {"extension"}},
              {"Consultation d'un permis affiché",
               "Un panneau de permis de construire vient d'être affiché sur le terrain voisin du "
               "{number} {street}. Je voudrais consulter le dossier avant la fin du délai de "
               "recours. Est-ce possible en mairie ?",
               {"consultation"},
               Priority::kLow},
              {"Retard dans l'instruction de mon permis",
               "Mon permis de construire a été déposé il y a plus de {days} jours et je n'ai eu "
               "aucune réponse. Le délai d'instruction est-il dépassé ? Notre banque attend le "
               "permis pour débloquer le prêt.",
               {"relance"},
               Priority::kHigh},
          },
      .en =
          {
              {"Building permit for a new house",
               "We own the plot {parcel} on {street} and plan to build a family house. Could you "
               "explain the building permit process and whether an architect is required?",
               {"maison-individuelle"}},
              {"Status of my building permit application",
               "I submitted my building permit application on {date}. Could you tell me where it "
               "stands? I have lost the receipt with its number.",
               {"relance"}},
          },
      .replies =
          {{"Votre demande {reference} a été transmise au service instructeur. Le délai "
            "d'instruction d'un permis de construire pour une maison individuelle est de deux "
            "mois à compter du dépôt d'un dossier complet.",
            "Le service urbanisme vous propose un rendez-vous le {future_date} pour examiner "
            "votre projet (demande {reference})."},
           {"Your request {reference} has been passed to the planning officer. A building "
            "permit for a house takes two months from the date the file is complete."}},
      .resolutions =
          {{"L'arrêté de permis de construire vous a été notifié par lettre recommandée.",
            "Votre dossier est désormais complet ; la décision vous sera notifiée à l'issue du "
            "délai d'instruction."},
           {"The permit decision was sent to you by registered letter."}},
      .documents = {{"le plan de situation et le plan de masse du projet",
                     "des photos de la façade actuelle et du terrain"},
                    {"the site plan and the block plan of the project"}},
  });

  c.push_back(CategoryContent{
      .slug = "declaration-travaux",
      .name = "Déclaration préalable de travaux",
      .team = kUrbanisme,
      .weight = 9,
      .season = {0.7, 0.9, 1.6, 1.9, 1.8, 1.4, 1.0, 0.6, 1.1, 0.9, 0.7, 0.5},
      .resolve_days_min = 10,
      .resolve_days_max = 35,
      .third_party = 0.2,
      .quick = 0.15,
      .fr =
          {
              {"Déclaration préalable pour une clôture",
               "Je souhaite remplacer la haie de ma propriété au {number} {street} par une "
               "clôture de 1,80 m. Faut-il une déclaration préalable ? Y a-t-il des règles de "
               "couleur ?",
               {"clôture"}},
              {"Pose de panneaux solaires sur le toit",
               "Nous voulons installer douze panneaux photovoltaïques sur le toit de notre maison "
               "au {number} {street}. Quelles démarches faut-il faire en mairie ?",
               {"photovoltaïque"}},
              {"Ravalement de façade de la copropriété",
               "Notre copropriété du {number} {street} va refaire sa façade au printemps. Le "
               "syndic me demande de vérifier si une déclaration préalable est obligatoire dans "
               "ce secteur.",
               {"façade"}},
              {"Abri de jardin de 12 m²",
               "Je voudrais construire un abri de jardin de 12 m² au fond de mon terrain, "
               "{street}. Quelle distance faut-il respecter avec la limite séparative ?",
               {"abri-de-jardin"},
               Priority::kLow},
              {"Opposition à ma déclaration préalable",
               "J'ai reçu un arrêté d'opposition à ma déclaration préalable pour le changement de "
               "mes fenêtres. Je ne comprends pas le motif. Puis-je obtenir un rendez-vous avec "
               "le service urbanisme ?",
               {"recours"},
               Priority::kHigh},
          },
      .en =
          {
              {"Permission for a swimming pool",
               "We would like to build a 30 m² swimming pool in our garden at {number} {street}. "
               "Do we need to file a prior declaration (déclaration préalable)?",
               {"piscine"}},
              {"Replacing windows near {place}",
               "Our house is close to {place}. Do I need permission to replace the old wooden "
               "windows with new ones?",
               {"fenêtres"}},
          },
      .replies =
          {{"Une déclaration préalable est nécessaire pour ce type de travaux. Le délai "
            "d'instruction est d'un mois ; votre demande porte le numéro {reference}.",
            "Nous avons transmis votre question au service urbanisme, qui vous répondra après "
            "vérification du plan local d'urbanisme (demande {reference})."},
           {"A prior declaration is needed for this kind of work; the decision takes one "
            "month. Your request number is {reference}."}},
      .resolutions =
          {{"La décision de non-opposition à votre déclaration préalable vous a été envoyée.",
            "Nous vous avons répondu par courrier avec les règles applicables à votre projet."},
           {"The decision on your declaration has been sent to you."}},
      .documents = {{"un croquis coté des travaux envisagés",
                     "des photos de l'existant prises depuis la rue"},
                    {"a sketch of the planned work with its dimensions"}},
  });

  c.push_back(CategoryContent{
      .slug = "aide-sociale",
      .name = "Aide sociale",
      .team = kAides,
      .weight = 9,
      .season = {1.4, 1.0, 0.9, 0.9, 0.8, 0.8, 0.7, 0.8, 2.4, 1.3, 1.1, 1.3},
      .resolve_days_min = 5,
      .resolve_days_max = 30,
      .third_party = 0.1,
      .quick = 0.1,
      .fr =
          {
              {"Aide pour une facture d'énergie",
               "Je suis seule avec deux enfants et je n'arrive pas à payer ma facture "
               "d'électricité de {amount} €. Le fournisseur menace de réduire la puissance. Le "
               "CCAS peut-il m'aider ?",
               {"énergie"},
               Priority::kHigh},
              {"Rendez-vous avec une assistante sociale",
               "Je voudrais prendre rendez-vous avec une assistante sociale pour faire le point "
               "sur ma situation depuis la perte de mon emploi. Je suis disponible le {weekday} "
               "matin.",
               {"rendez-vous"}},
              {"Tarif social pour la cantine",
               "Mes enfants mangent à la cantine de {school}. Avec la rentrée, je voudrais savoir "
               "si nous pouvons bénéficier du tarif social et quels justificatifs fournir.",
               {"cantine", "rentrée"}},
              {"Demande de colis alimentaire",
               "Ma situation est très difficile ce mois-ci. Est-il possible d'obtenir un colis "
               "alimentaire ou un bon d'achat ? Je peux passer au CCAS quand vous voulez.",
               {"urgence-sociale"},
               Priority::kHigh},
              {"Allocation d'autonomie pour ma mère",
               "Ma mère, 84 ans, vit seule au {number} {street} et a de plus en plus de mal à se "
               "déplacer. Je voudrais constituer un dossier d'allocation personnalisée "
               "d'autonomie. Par où commencer ?",
               {"autonomie", "senior"}},
          },
      .en =
          {
              {"Help with school meal costs",
               "I recently moved to Ville de Démo with my two children. Is there any financial "
               "help for school meals and after-school activities at {school}? Which documents "
               "do you need?",
               {"cantine"}},
              {"Urgent help with rent",
               "I lost my job last month and cannot pay my rent. Could I meet a social worker "
               "this week? I speak a little French but English is easier for me.",
               {"urgence-sociale"},
               Priority::kHigh},
          },
      .replies =
          {{"Le CCAS a bien reçu votre demande {reference}. Une travailleuse sociale vous "
            "appellera pour convenir d'un rendez-vous.",
            "Nous pouvons vous recevoir le {future_date} au CCAS. Merci d'apporter vos "
            "justificatifs de ressources."},
           {"The social services team has received your request {reference}. A social worker "
            "will call you to arrange a meeting."}},
      .resolutions =
          {{"La commission du CCAS a accordé une aide ; vous recevrez le courrier de "
            "notification.",
            "Votre rendez-vous avec la travailleuse sociale a eu lieu ; nous clôturons la "
            "demande de notre côté."},
           {"The committee granted financial help; a letter will follow."}},
      .documents = {{"votre dernier avis d'imposition",
                     "vos trois derniers justificatifs de ressources"},
                    {"your last tax notice and proof of income"}},
  });

  c.push_back(CategoryContent{
      .slug = "logement",
      .name = "Logement social",
      .team = kAides,
      .weight = 8,
      .season = {1.0, 1.0, 1.0, 1.0, 0.9, 1.0, 0.9, 0.8, 1.5, 1.2, 1.1, 1.0},
      .resolve_days_min = 10,
      .resolve_days_max = 60,
      .third_party = 0.2,
      .quick = 0.1,
      .fr =
          {
              {"Où en est ma demande de logement social ?",
               "Nous vivons à quatre dans un deux-pièces au {number} {street}. Notre demande de "
               "logement social date de {year_past}. Pouvez-vous nous dire où en est notre "
               "dossier ?",
               {"relance"}},
              {"Humidité et moisissures dans mon logement",
               "Mon appartement au {number} {street} présente d'importantes moisissures dans la "
               "chambre des enfants. Le bailleur ne répond pas. La mairie peut-elle faire une "
               "visite ?",
               {"insalubrité"},
               Priority::kHigh},
              {"Renouvellement de ma demande de logement",
               "J'ai reçu un courrier me disant que ma demande de logement social expire le "
               "{future_date}. Comment la renouveler ?",
               {"renouvellement"},
               Priority::kLow},
              {"Mutation vers un logement adapté",
               "Je suis en fauteuil roulant depuis un accident et mon logement au troisième étage "
               "sans ascenseur n'est plus adapté. Je voudrais demander une mutation.",
               {"handicap"},
               Priority::kHigh},
              {"Menace d'expulsion",
               "J'ai reçu un commandement de quitter les lieux. J'ai des dettes de loyer depuis "
               "la maladie de mon mari. Qui peut m'aider à trouver une solution ?",
               {"expulsion"},
               Priority::kUrgent},
          },
      .en =
          {
              {"Applying for social housing",
               "How do I apply for social housing in Ville de Démo? I work near {place} and "
               "currently commute two hours a day.",
               {}},
              {"Mould in my flat",
               "There is black mould in the bathroom and bedroom of my flat at {number} "
               "{street}. The landlord does not answer. Can the town hall inspect it?",
               {"insalubrité"},
               Priority::kHigh},
          },
      .replies =
          {{"Votre demande {reference} a été transmise au service logement, qui va vérifier "
            "l'état de votre dossier.",
            "Un agent du service hygiène va vous contacter pour organiser une visite du "
            "logement (demande {reference})."},
           {"Your request {reference} has been passed to the housing team, who will check your "
            "file."}},
      .resolutions =
          {{"Votre demande de logement a été mise à jour et reste active pour un an.",
            "La visite a eu lieu et un courrier de mise en demeure a été adressé au bailleur."},
           {"Your housing application has been updated and stays active for a year."}},
      .documents = {{"votre numéro unique de demande de logement",
                     "le bail et les dernières quittances de loyer"},
                    {"your housing application number"}},
  });

  c.push_back(CategoryContent{
      .slug = "voirie-nid-de-poule",
      .name = "Nid-de-poule et chaussée",
      .team = kVoirie,
      .weight = 12,
      .season = {1.5, 1.9, 1.8, 1.3, 0.9, 0.7, 0.6, 0.6, 0.8, 0.9, 1.0, 1.3},
      .located = true,
      .resolve_days_min = 2,
      .resolve_days_max = 25,
      .third_party = 0.25,
      .quick = 0.1,
      .resolution_message = 0.7,
      .fr =
          {
              {"Nid-de-poule dangereux {street}",
               "Un nid-de-poule d'environ 40 cm s'est formé devant le {number} {street}. "
               "Plusieurs cyclistes ont failli tomber ce matin.",
               {"danger", "vélo"},
               Priority::kHigh},
              {"Chaussée affaissée après des travaux",
               "Depuis les travaux de raccordement au {number} {street}, la chaussée s'est "
               "affaissée. Les voitures font des écarts pour l'éviter.",
               {"travaux"}},
              {"Trottoir abîmé devant {place}",
               "Les dalles du trottoir devant {place}, {street}, sont soulevées par les racines. "
               "Une personne âgée a trébuché la semaine dernière.",
               {"trottoir", "accessibilité"}},
              {"Plaque d'égout bruyante",
               "La plaque d'égout au croisement {de_street} et {de_street2} fait un bruit "
               "énorme à chaque passage de voiture, y compris la nuit.",
               {"bruit"},
               Priority::kLow},
              {"Trous dans la chaussée, troisième signalement",
               "C'est la troisième fois que je signale les trous de la chaussée {de_street}, entre "
               "le n° {number} et le carrefour. Rien n'a été réparé.",
               {"récurrent", "relance"}},
          },
      .en =
          {
              {"Large pothole on {street}",
               "There is a deep pothole in front of number {number} {street}. My car tyre burst "
               "this morning.",
               {"danger"},
               Priority::kHigh},
              {"Broken pavement near {place}",
               "The pavement near {place} on {street} is broken and dangerous for pushchairs and "
               "wheelchairs.",
               {"accessibilité"}},
          },
      .replies =
          {{"Merci pour votre signalement {reference}. Une équipe de la voirie va sécuriser la "
            "zone et programmer la réparation.",
            "Votre signalement {reference} a été transmis au centre technique municipal."},
           {"Thank you for your report {reference}. A road team will make the spot safe and "
            "schedule the repair."}},
      .resolutions = {{"La chaussée a été réparée. Merci pour votre signalement.",
                       "Le trou a été rebouché ; une réfection complète de la rue est "
                       "programmée."},
                      {"The road has been repaired. Thank you for your report."}},
      .documents = {{"une photo de l'endroit concerné", "l'adresse exacte ou un point de repère"},
                    {"a photo of the spot"}},
  });

  c.push_back(CategoryContent{
      .slug = "eclairage-public",
      .name = "Éclairage public",
      .team = kVoirie,
      .weight = 10,
      .season = {2.3, 1.9, 1.3, 0.8, 0.5, 0.35, 0.35, 0.45, 0.8, 1.4, 2.1, 2.5},
      .located = true,
      .resolve_days_min = 2,
      .resolve_days_max = 15,
      .third_party = 0.3,
      .quick = 0.2,
      .resolution_message = 0.7,
      .fr =
          {
              {"Lampadaire éteint {street}",
               "Le lampadaire devant le {number} {street} est éteint depuis {weekday}. La rue est "
               "très sombre le soir.",
               {}},
              {"Rue entière sans éclairage",
               "Tous les lampadaires {de_street} sont éteints depuis hier soir. Les enfants "
               "rentrent de {school} à la nuit tombée, c'est dangereux.",
               {"danger", "école"},
               Priority::kHigh},
              {"Lampadaire qui clignote",
               "Le lampadaire au coin {de_street} et {de_street2} clignote toute la nuit et "
               "éclaire ma chambre par intermittence.",
               {},
               Priority::kLow},
              {"Éclairage allumé en pleine journée",
               "Les lampadaires du parking de {place} restent allumés toute la journée. Quel "
               "gaspillage !",
               {"énergie"},
               Priority::kLow},
              {"Candélabre percuté par un véhicule",
               "Un candélabre a été percuté par une voiture devant le {number} {street}. Il penche "
               "dangereusement et des fils sont visibles.",
               {"danger", "électricité"},
               Priority::kUrgent},
          },
      .en =
          {
              {"Street light out on {street}",
               "The street light in front of {number} {street} has not been working since "
               "{weekday}.",
               {}},
              {"Dark footpath near {place}",
               "The footpath leading to {place} has no working lights. It feels unsafe walking "
               "there at night.",
               {"sécurité"}},
          },
      .replies =
          {{"Merci pour votre signalement {reference}. Notre prestataire d'éclairage public "
            "intervient en général sous cinq jours ouvrés.",
            "Le signalement {reference} a été transmis au service éclairage, qui va vérifier "
            "l'armoire de commande du secteur."},
           {"Thank you for your report {reference}. Our lighting contractor usually comes "
            "within five working days."}},
      .resolutions = {{"Le lampadaire a été réparé par notre prestataire.",
                       "L'éclairage de la rue est rétabli."},
                      {"The street light has been repaired."}},
      .documents = {{"le numéro inscrit sur le mât du lampadaire",
                     "une photo du lampadaire concerné"},
                    {"the number written on the lamp post"}},
  });

  c.push_back(CategoryContent{
      .slug = "proprete-encombrants",
      .name = "Propreté et encombrants",
      .team = kVoirie,
      .weight = 14,
      .season = {1.3, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.2, 1.0, 0.9, 0.9, 1.0},
      .located = true,
      .resolve_days_min = 1,
      .resolve_days_max = 8,
      .third_party = 0.1,
      .quick = 0.3,
      .resolution_message = 0.6,
      .fr =
          {
              {"Dépôt sauvage {street}",
               "Un tas de gravats et un vieux canapé ont été déposés sur le trottoir devant le "
               "{number} {street}.",
               {"dépôt-sauvage"}},
              {"Enlèvement d'encombrants",
               "Je voudrais faire enlever un réfrigérateur et une armoire. Quelle est la prochaine "
               "date de collecte des encombrants {de_street} ?",
               {"collecte"},
               Priority::kLow},
              {"Poubelles non collectées",
               "Les bacs jaunes {de_street} n'ont pas été ramassés {weekday}. Ils débordent "
               "sur le trottoir.",
               {"collecte"}},
              {"Tags sur le mur de {place}",
               "Des tags ont été faits cette nuit sur le mur de {place}, côté {street}. Certains "
               "sont injurieux.",
               {"graffiti"}},
              {"Déjections canines dans le square",
               "Le square {de_street} est envahi de déjections canines. Serait-il possible "
               "d'installer un distributeur de sacs ?",
               {},
               Priority::kLow},
          },
      .en =
          {
              {"Fly-tipping on {street}",
               "Someone dumped mattresses and bags of rubbish at the corner of {street} and "
               "{street2}. They have been there for a week.",
               {"dépôt-sauvage"}},
              {"Bulky waste collection",
               "How can I book a pick-up for an old sofa? I live at {number} {street}.",
               {"collecte"},
               Priority::kLow},
          },
      .replies =
          {{"Merci pour votre signalement {reference}. Une équipe de propreté urbaine passera "
            "dans les prochains jours.",
            "La prochaine collecte des encombrants dans votre secteur a lieu le {future_date}. "
            "Merci de sortir les objets la veille au soir."},
           {"Thank you for your report {reference}. A street cleaning team will come in the "
            "next few days."}},
      .resolutions = {{"Le dépôt a été enlevé par les équipes de propreté.",
                       "Les encombrants ont été collectés."},
                      {"The waste has been removed."}},
      .documents = {{"une photo du dépôt", "l'adresse exacte du dépôt"}, {"a photo of the waste"}},
  });

  c.push_back(CategoryContent{
      .slug = "renseignement-general",
      .name = "Renseignement général",
      .team = kAccueil,
      .weight = 15,
      .season = {1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 1.3, 1.1, 1.0, 0.9},
      .resolve_days_min = 0.1,
      .resolve_days_max = 3,
      .third_party = 0.02,
      .quick = 0.7,
      .fr =
          {
              {"Horaires d'ouverture de la mairie",
               "La mairie est-elle ouverte le samedi matin ? Je travaille en semaine et je dois "
               "déposer un dossier.",
               {"horaires"},
               Priority::kLow},
              {"Inscription sur les listes électorales",
               "Je viens d'emménager au {number} {street}. Comment m'inscrire sur les listes "
               "électorales de Ville de Démo ?",
               {"élections"}},
              {"Attestation d'accueil pour un proche",
               "Ma sœur vient me rendre visite de l'étranger en {month}. Comment obtenir une "
               "attestation d'accueil ?",
               {}},
              {"Recensement citoyen de mon fils",
               "Mon fils {son} aura 16 ans le {future_date}. Quand et comment faire son "
               "recensement citoyen ?",
               {"recensement"}},
              {"Réservation d'une salle municipale",
               "Notre association souhaite réserver une salle à {place} le {future_date} pour "
               "une assemblée générale d'environ cinquante personnes. Est-ce possible ?",
               {"association"}},
          },
      .en =
          {
              {"Town hall opening hours",
               "What are the opening hours of the town hall, and do I need an appointment for an "
               "identity card?",
               {"horaires"},
               Priority::kLow},
              {"Registering as a new resident",
               "I just moved to {number} {street} from Ireland. Do I need to register with the "
               "town hall, and can I vote in local elections?",
               {"élections"}},
          },
      .replies =
          {{"L'accueil de la mairie est ouvert du lundi au vendredi de 8 h 30 à 17 h 30 et le "
            "samedi de 9 h à 12 h.",
            "Cette démarche se fait en ligne ou à l'accueil de la mairie, muni d'une pièce "
            "d'identité et d'un justificatif de domicile de moins de trois mois."},
           {"The town hall is open Monday to Friday, 8:30 to 17:30, and Saturday morning from "
            "9:00 to 12:00."}},
      .resolutions = {{"Nous espérons avoir répondu à votre question. N'hésitez pas à nous "
                       "réécrire.",
                       "Votre demande est enregistrée ; vous recevrez une confirmation par "
                       "courrier."},
                      {"We hope this answers your question."}},
      .documents = {{"un justificatif de domicile de moins de trois mois"}, {"a proof of address"}},
  });
  return c;
}

}  // namespace

const std::vector<CategoryContent>& Categories() {
  static const std::vector<CategoryContent> kCategories = BuildCategories();
  return kCategories;
}

// The desk's default hours (mon-fri 08:30-12:00,13:30-17:00) make 7 opening hours a day, so a
// business day is 420 minutes. Standard: a first answer within 8 opening hours (480 min, a little
// more than one working day) and a resolution within 10 business days (4200 min). Urgent (a
// danger, a deadline the same day): answered within 2 hours and resolved within 24 hours, round
// the clock. Civil-status certificates are quicker: 5 business days (2100 min). Social aid files
// take 20 business days (8400 min) and social housing, which waits for the allocation committee,
// 40 (16 800 min). Planning files follow their legal instruction periods in calendar days: one
// month for a prior declaration (31 days = 44 640 min) and two months for a building permit
// (61 days = 87 840 min), with an acknowledgement (receipt, missing documents) within a week
// (10 080 min). Category policies win over the priority one: an urgent birth certificate stays
// at 5 business days.
const std::vector<SlaPolicyContent>& SlaPolicies() {
  static const std::vector<SlaPolicyContent> kPolicies = {
      {.name = "Standard", .first_reply_minutes = 480, .resolution_minutes = 4200},
      {.name = "Urgent",
       .priority = Priority::kUrgent,
       .first_reply_minutes = 120,
       .resolution_minutes = 1440,
       .business_hours = false,
       .warning_percent = 75},
      {.name = "Actes d'état civil",
       .category = "acte-naissance",
       .first_reply_minutes = 480,
       .resolution_minutes = 2100},
      {.name = "Aide sociale",
       .category = "aide-sociale",
       .first_reply_minutes = 480,
       .resolution_minutes = 8400},
      {.name = "Logement social (commission d'attribution)",
       .category = "logement",
       .first_reply_minutes = 480,
       .resolution_minutes = 16'800},
      {.name = "Déclaration préalable (instruction d'un mois)",
       .category = "declaration-travaux",
       .first_reply_minutes = 10'080,
       .resolution_minutes = 44'640,
       .business_hours = false,
       .warning_percent = 85},
      {.name = "Permis de construire (instruction de deux mois)",
       .category = "permis-construire",
       .first_reply_minutes = 10'080,
       .resolution_minutes = 87'840,
       .business_hours = false,
       .warning_percent = 85},
  };
  return kPolicies;
}

// Street works and cleaning start early and keep Saturday mornings for markets and bulky waste.
const std::vector<TeamHours>& TeamOpeningHours() {
  static const std::vector<TeamHours> kHours = {
      {kVoirie, "mon-fri 07:00-12:00,13:00-17:00; sat 08:00-12:00"},
  };
  return kHours;
}

const std::vector<std::string_view>& InternalNotes() {
  static const std::vector<std::string_view> kNotes = {
      "Dossier vérifié, pièces complètes.",
      "Usager déjà connu du service, voir ses demandes précédentes.",
      "À traiter en priorité : situation signalée par l'accueil.",
      "Appelé l'usager : pas de réponse, message laissé sur le répondeur.",
      "Vu avec {lead} : on attend le retour du prestataire avant de répondre.",
      "Bon d'intervention n° {ticket} créé pour le centre technique municipal.",
      "Réponse type envoyée ; vérifier à la prochaine relance si le délai est tenu.",
  };
  return kNotes;
}

const std::vector<std::string_view>& ThirdPartyNotes() {
  static const std::vector<std::string_view> kNotes = {
      "Transmis au prestataire, intervention prévue sous dix jours (bon n° {ticket}).",
      "En attente de l'avis de l'architecte des Bâtiments de France.",
      "En attente du retour du bailleur.",
      "Demande transmise au Département pour avis.",
      "Transmis au syndicat des eaux, qui gère ce réseau.",
  };
  return kNotes;
}

const std::vector<std::string_view>& DuplicateNotes() {
  static const std::vector<std::string_view> kNotes = {
      "Doublon d'une demande déjà en cours ; clôturée sans réponse séparée.",
      "Demande envoyée deux fois par erreur ; clôturée.",
  };
  return kNotes;
}

const Texts& CitizenAnswers() {
  static const Texts kAnswers = {{"Bonjour, voici les documents demandés. Merci.",
                                  "Je vous envoie ce que vous m'avez demandé en pièce jointe.",
                                  "Désolé pour le délai, voici les documents. Bonne journée."},
                                 {"Hello, please find the requested documents attached.",
                                  "Here are the documents you asked for. Thank you."}};
  return kAnswers;
}

const Texts& Openers() {
  static const Texts kOpeners = {
      {"Bonjour,", "Madame, Monsieur,", "Bonjour à l'équipe de la mairie,"},
      {"Hello,", "Dear Sir or Madam,"}};
  return kOpeners;
}

const Texts& Closers() {
  static const Texts kClosers = {{"Merci d'avance.", "Cordialement,\n{name}",
                                  "Merci de votre retour.", "Bien à vous,\n{name}"},
                                 {"Thank you.", "Best regards,\n{name}", "Kind regards,\n{name}"}};
  return kClosers;
}

const std::vector<Street>& Streets() {
  // Around a made-up centre; each street has its own point so that reports cluster on a map.
  static const std::vector<Street> kStreets = {
      {"rue de l'Exemple", 46.4012, 2.5031},
      {"avenue du Prototype", 46.4051, 2.4987},
      {"rue des Maquettes", 46.3978, 2.5102},
      {"impasse du Brouillon", 46.4093, 2.5068},
      {"place de la Démonstration", 46.4020, 2.5000},
      {"boulevard Fictif", 46.3951, 2.4925},
      {"allée des Essais", 46.4110, 2.5150},
      {"chemin des Données", 46.3902, 2.5207},
      {"rue Imaginaire", 46.4063, 2.4899},
      {"quai des Échantillons", 46.3990, 2.4860},
      {"rue du Bac-à-Sable", 46.4138, 2.4978},
      {"avenue de la Simulation", 46.3935, 2.5061},
      {"rue des Pixels", 46.4075, 2.5119},
      {"square du Gabarit", 46.4002, 2.5174},
      {"rue du Modèle", 46.3968, 2.4951},
      {"route de Nulle-Part", 46.4171, 2.5233},
  };
  return kStreets;
}

const std::vector<std::string_view>& Places() {
  static const std::vector<std::string_view> kPlaces = {
      "la médiathèque du Prototype",        "le gymnase des Essais",
      "la salle polyvalente des Maquettes", "le parc de la Simulation",
      "la piscine municipale Fictive",      "la gare de Ville de Démo",
      "le marché couvert des Pixels",       "l'église Saint-Échantillon"};
  return kPlaces;
}

const std::vector<std::string_view>& Schools() {
  static const std::vector<std::string_view> kSchools = {
      "l'école élémentaire Jules-Exemple", "l'école maternelle des Pixels",
      "le groupe scolaire du Prototype", "le collège Ada-Démo"};
  return kSchools;
}

const std::vector<std::string_view>& Purposes() {
  static const std::vector<std::string_view> kPurposes = {"un dossier de mariage",
                                                          "une demande de carte d'identité",
                                                          "une inscription à l'université",
                                                          "un dossier de retraite",
                                                          "un dossier de PACS",
                                                          "une demande de passeport"};
  return kPurposes;
}

const Texts& FirstNames() {
  static const Texts kFirst = {
      {"Camille", "Jeanne", "Louis", "Chloé",  "Hugo",  "Léa",     "Nathan",
       "Inès",    "Jules",  "Manon", "Arthur", "Zoé",   "Gabriel", "Louise",
       "Raphaël", "Alice",  "Maël",  "Rose",   "Sacha", "Lina"},
      {"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Robin", "Jamie"}};
  return kFirst;
}

const Texts& LastNames() {
  static const Texts kLast = {
      {"Exemple", "Démo", "Fictif", "Modèle", "Essai", "Maquette", "Prototype", "Lambda", "Quidam",
       "Échantillon", "Témoin", "Brouillon", "Esquisse", "Ébauche", "Spécimen"},
      {"Sample", "Example", "Placeholder", "Mockup", "Testwell", "Dummy"}};
  return kLast;
}

const std::vector<std::string_view>& Sons() {
  static const std::vector<std::string_view> kSons = {"Timéo", "Noé", "Malo", "Eliott", "Milo"};
  return kSons;
}

const std::vector<std::string_view>& Daughters() {
  static const std::vector<std::string_view> kDaughters = {"Anna", "Ambre", "Iris", "Capucine",
                                                           "Margaux"};
  return kDaughters;
}

}  // namespace guichet::app::demo
