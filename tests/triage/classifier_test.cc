// Unit tests of the routing classifier (src/triage/classifier.h) on a small fixture of citizen
// messages written here: it learns, explains itself in the citizen's words, is calibrated
// against held-out texts, never fails on bad input, and refuses damaged model files.
#include "triage/classifier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "testing/status_macros.h"

namespace guichet::triage {
namespace {

std::vector<Example> Fixture() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> by_label = {
      {"voirie",
       {"Nid de poule dangereux rue Victor Hugo", "Trottoir défoncé devant l'école",
        "Lampadaire éteint depuis une semaine", "La chaussée est abîmée au carrefour",
        "Un trou dans la route près du pont", "Éclairage public en panne dans ma rue",
        "Feu tricolore bloqué au rouge", "Panneau de signalisation tombé sur le trottoir",
        "Route inondée après l'orage", "Nids de poule sur l'avenue"}},
      {"etat-civil",
       {"Demande d'acte de naissance pour mon fils", "Copie intégrale d'acte de mariage",
        "Je veux déclarer une naissance", "Rendez-vous pour un passeport",
        "Renouvellement de carte d'identité", "Acte de décès de mon père",
        "Livret de famille perdu", "Prendre rendez-vous pour la carte nationale d'identité",
        "Extrait d'acte de naissance", "Mariage civil : quelles pièces fournir"}},
      {"dechets",
       {"Poubelle non ramassée depuis lundi", "Encombrants à enlever devant chez moi",
        "Demande d'un nouveau bac de tri", "Dépôt sauvage de déchets dans le parc",
        "Collecte des ordures oubliée", "Mon bac jaune est cassé", "Horaires de la déchetterie",
        "Sacs poubelles éventrés dans la rue", "Ramassage des encombrants",
        "Conteneur à verre plein"}}};
  std::vector<Example> out;
  for (const auto& [label, texts] : by_label) {
    for (const auto& t : texts) out.push_back({t, label});
  }
  return out;
}

TrainOptions Quick() {
  TrainOptions o;
  o.epochs = 40;
  o.l2 = 1e-4;
  return o;
}

TEST(ClassifierTest, LearnsAndExplainsInTheCitizensWords) {
  ASSERT_OK_AND_ASSIGN(const Classifier model, Classifier::Train(Fixture(), Quick()));
  EXPECT_EQ(model.labels(), (std::vector<std::string>{"dechets", "etat-civil", "voirie"}));
  const Prediction p = model.Predict("Le lampadaire de ma rue est éteint");
  EXPECT_EQ(p.label, "voirie");
  EXPECT_GT(p.confidence, 1.0 / 3);
  ASSERT_EQ(p.probabilities.size(), 3u);
  EXPECT_EQ(p.probabilities[0].first, "voirie");
  double sum = 0;
  for (const auto& [label, prob] : p.probabilities) sum += prob;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  ASSERT_FALSE(p.reasons_for.empty());
  bool lamp = false;
  for (const Reason& r : p.reasons_for) {
    EXPECT_GT(r.weight, 0);
    lamp |= r.text == "lampadaire" || r.text == "eteint";
  }
  EXPECT_TRUE(lamp) << "the decisive words are among the reasons";
  for (const Reason& r : p.reasons_against) EXPECT_LT(r.weight, 0);

  EXPECT_EQ(model.Predict("Ma poubelle n'a pas été ramassée").label, "dechets");
  EXPECT_EQ(model.Predict("acte de naissance").label, "etat-civil");
  EXPECT_EQ(model.info()["examples"], 30);
  EXPECT_EQ(model.info()["data_sha256"].get<std::string>().size(), 64u);
}

TEST(ClassifierTest, BadInputGetsAnAnswerWithoutALabel) {
  ASSERT_OK_AND_ASSIGN(const Classifier model, Classifier::Train(Fixture(), Quick()));
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk += static_cast<char>(i * 131 % 256);
  for (const std::string& text : {std::string(), std::string("🙂🙂🙂"),
                                  std::string("zzzqqq xxyyw"), junk, std::string(1 << 20, 'a')}) {
    const Prediction p = model.Predict(text);
    EXPECT_EQ(p.probabilities.size(), 3u);
    if (p.known_features == 0) {
      EXPECT_EQ(p.label, "");
      EXPECT_TRUE(p.reasons_for.empty());
    }
  }
  EXPECT_EQ(model.Predict("").label, "");
  // A megabyte of real words is cut, not refused.
  std::string long_text;
  while (long_text.size() < (1 << 20)) long_text += "poubelle non ramassée ";
  EXPECT_EQ(model.Predict(long_text).label, "dechets");
}

TEST(ClassifierTest, RefusesWhatCannotBeTrained) {
  EXPECT_FALSE(Classifier::Train({}, Quick()).ok());
  EXPECT_FALSE(Classifier::Train({{"un texte", "a"}, {"un autre", "a"}}, Quick()).ok());
  EXPECT_FALSE(Classifier::Train({{"un texte", "a"}, {"un autre", ""}}, Quick()).ok());
  TrainOptions bad = Quick();
  bad.epochs = 0;
  EXPECT_FALSE(Classifier::Train(Fixture(), bad).ok());
}

TEST(ClassifierTest, CalibrationSoftensAnOverconfidentModel) {
  // Held-out texts that contradict the training data: the fitted temperature must flatten the
  // probabilities (above 1), where the raw model would be sure of itself.
  std::vector<Example> calibration = {{"Lampadaire éteint", "dechets"},
                                      {"Acte de naissance", "voirie"},
                                      {"Poubelle non ramassée", "etat-civil"}};
  ASSERT_OK_AND_ASSIGN(const Classifier model,
                       Classifier::Train(Fixture(), Quick(), nullptr, &calibration));
  EXPECT_GT(model.temperature(), 1.0);
  EXPECT_EQ(model.info()["calibration_examples"], 3);
  ASSERT_OK_AND_ASSIGN(const Classifier honest, Classifier::Train(Fixture(), Quick()));
  EXPECT_GT(honest.Predict("Lampadaire éteint").confidence,
            model.Predict("Lampadaire éteint").confidence);
}

TEST(ClassifierTest, LabelsSpeakForThemselves) {
  // "formation" is in no example, only in the label's text: the label's words are learnt too.
  const std::vector<Example> examples = {{"VAE", "emploi"},
                                         {"bilan de compétences", "emploi"},
                                         {"parcours emploi compétences", "emploi"},
                                         {"calcul des congés payés", "conges"},
                                         {"congé parental", "conges"},
                                         {"jours fériés travaillés", "conges"}};
  TrainOptions options = Quick();
  options.label_texts = {{"emploi", "Emploi et formation"}, {"conges", "Congés et repos"}};
  const auto emploi = [](const Classifier& model) {
    return model.Probabilities("droit à la formation")[1];  // labels: conges, emploi
  };
  ASSERT_OK_AND_ASSIGN(const Classifier model, Classifier::Train(examples, options));
  const Prediction p = model.Predict("droit à la formation");
  EXPECT_EQ(p.label, "emploi");
  ASSERT_FALSE(p.reasons_for.empty());
  EXPECT_EQ(p.reasons_for[0].text, "formation");
  options.label_name_examples = 0;
  ASSERT_OK_AND_ASSIGN(const Classifier without, Classifier::Train(examples, options));
  EXPECT_GT(emploi(model), emploi(without));
}

TEST(ClassifierTest, CalibratesOnTextsOfGroupsItHasNotSeen) {
  // Each text three times over, as a topic's variants are: scored by a model that saw the
  // other copies, the texts look easy; held out by group, they do not.
  std::vector<Example> copies;
  int group = 0;
  for (const Example& e : Fixture()) {
    ++group;
    for (const char* suffix : {"", " !", " svp"})
      copies.push_back({e.text + suffix, e.label, "g" + std::to_string(group)});
  }
  TrainOptions options = Quick();
  options.calibration_folds = 3;
  ASSERT_OK_AND_ASSIGN(const Classifier grouped, Classifier::Train(copies, options));
  EXPECT_EQ(grouped.info()["out_of_fold_examples"], 90);
  EXPECT_EQ(grouped.info()["options"]["calibration_folds"], 3);
  for (Example& e : copies) e.group.clear();
  ASSERT_OK_AND_ASSIGN(const Classifier ungrouped, Classifier::Train(copies, options));
  EXPECT_GT(grouped.temperature(), ungrouped.temperature());

  options.calibration_folds = 1;
  EXPECT_FALSE(Classifier::Train(copies, options).ok());
  options.calibration_folds = 0;
  ASSERT_OK_AND_ASSIGN(const Classifier none, Classifier::Train(copies, options));
  EXPECT_EQ(none.temperature(), 1.0);
}

TEST(ClassifierTest, ConfidenceMatchesHowOftenTheTopLabelIsRight) {
  // Held-out texts whose top label is right four times in seven, whether the raw model is sure
  // of them (one topic) or torn (two topics in one text): one temperature cannot bring both near
  // 4/7, the top label's map does, without changing which label is on top.
  const std::vector<Example> fixture = Fixture();
  TrainOptions options = Quick();
  options.calibration_folds = 0;
  ASSERT_OK_AND_ASSIGN(const Classifier raw, Classifier::Train(fixture, options));
  std::vector<std::string> sure, torn;
  for (std::size_t i = 0; i < 10; ++i) {
    sure.push_back(fixture[i].text);
    torn.push_back(fixture[i].text + ". " + fixture[i + 10].text);
  }
  std::vector<Example> calibration;
  for (const auto* texts : {&sure, &torn}) {
    for (const std::string& text : *texts) {
      const std::string top = raw.Predict(text).label;
      const std::string other = top == "voirie" ? "dechets" : "voirie";
      for (int copy = 0; copy < 14; ++copy) calibration.push_back({text, copy < 8 ? top : other});
    }
  }
  ASSERT_OK_AND_ASSIGN(const Classifier model,
                       Classifier::Train(fixture, options, nullptr, &calibration));
  for (const auto* texts : {&sure, &torn}) {
    double sum = 0;
    for (const std::string& text : *texts) {
      const Prediction p = model.Predict(text);
      EXPECT_EQ(p.label, raw.Predict(text).label);
      sum += p.confidence;
    }
    EXPECT_NEAR(sum / static_cast<double>(texts->size()), 4.0 / 7, 0.06);
  }
  // The map travels with the model file.
  ASSERT_OK_AND_ASSIGN(const Classifier loaded, Classifier::FromBytes(model.ToBytes(), "copy"));
  EXPECT_EQ(loaded.Probabilities(torn[0]), model.Probabilities(torn[0]));
}

class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("guichet-triage-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "triage.model").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Bytes() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Write(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  std::string LoadError() {
    auto loaded = Classifier::Load(path_);
    EXPECT_FALSE(loaded.ok());
    return loaded.ok() ? "" : loaded.status().message();
  }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ModelFileTest, SavedModelLoadsAndPredictsTheSame) {
  ASSERT_OK_AND_ASSIGN(const Classifier model, Classifier::Train(Fixture(), Quick()));
  ASSERT_OK(model.Save(path_));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  ASSERT_OK_AND_ASSIGN(const Classifier loaded, Classifier::Load(path_));
  EXPECT_EQ(loaded.labels(), model.labels());
  EXPECT_EQ(loaded.vocabulary_size(), model.vocabulary_size());
  EXPECT_DOUBLE_EQ(loaded.temperature(), model.temperature());
  EXPECT_EQ(loaded.info(), model.info());
  for (const char* text : {"Trottoir défoncé", "Livret de famille", "Bac de tri cassé", ""}) {
    EXPECT_EQ(loaded.Probabilities(text), model.Probabilities(text)) << text;
    EXPECT_EQ(loaded.Predict(text).label, model.Predict(text).label);
  }
}

TEST_F(ModelFileTest, DamagedFilesAreRefusedWithAReason) {
  EXPECT_NE(LoadError().find("no model file"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(const Classifier model, Classifier::Train(Fixture(), Quick()));
  ASSERT_OK(model.Save(path_));
  const std::string good = Bytes();

  Write(good.substr(0, good.size() / 2));
  EXPECT_NE(LoadError().find("truncated or damaged"), std::string::npos);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x01;
  Write(flipped);
  EXPECT_NE(LoadError().find("checksum"), std::string::npos);
  Write("PK\x03\x04 not a model at all");
  EXPECT_NE(LoadError().find("not a Guichet triage model"), std::string::npos);
  std::string newer = good;
  newer[15] = 9;  // the format version, right after the magic line
  Write(newer);
  EXPECT_NE(LoadError().find("format 9"), std::string::npos);
  Write("");
  EXPECT_NE(LoadError().find("not a Guichet triage model"), std::string::npos);
}

}  // namespace
}  // namespace guichet::triage
