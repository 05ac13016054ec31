// Private to src/server: AI triage of new requests under the admin's policy, one feature at a
// time, each suggestion going into the decision register with the request:
// - triage.category, when it is not off and a model is active: the model's category for the
//   request's subject and description, or an abstention below the policy's threshold; in auto
//   mode a confident suggestion also sets the category, unless the request already has one.
// - triage.priority, when it is not off: the urgency rules that fire (triage/urgency.h) and, when
//   one is active, the priority model's answer at or above the threshold; the higher of the two
//   is suggested with the rules and the model's words as reasons (nothing is recorded when no rule
//   fires and there is no model). In auto mode it raises the request's priority, never lowers it.
// - triage.language, when it is not off: the language of the text (triage/langid.h), or an
//   abstention when it is unclear or below the threshold; in auto mode a confident answer sets the
//   request's language when the citizen gave none.
// The policies and the active models' ids are read at most once a second, and a model is loaded
// again only when the active one changes, so an admin's activation or rollback applies without a
// restart. Any failure leaves the request as it came, without AI: the desk keeps working.
// Thread-safety: Suggest may run on many threads.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>

#include "core/model.h"
#include "storage/store.h"
#include "triage/classifier.h"

namespace guichet::server {

class TriageService {
 public:
  explicit TriageService(storage::Store& store,
                         std::chrono::milliseconds refresh = std::chrono::seconds(1))
      : store_(store), refresh_(refresh) {}

  void Suggest(core::NewRequest& request);

 private:
  struct ActiveModel {
    core::Id id = 0;
    std::int64_t version = 0;
    std::shared_ptr<const triage::Classifier> classifier;  // null: none active or unreadable
  };
  struct Current {
    storage::AiSetting category, priority, language;
    ActiveModel category_model, priority_model;
  };
  void SuggestCategory(const Current& now, const std::string& text, core::NewRequest& request);
  void SuggestPriority(const Current& now, const std::string& text, core::NewRequest& request);
  void SuggestLanguage(const Current& now, const std::string& text, core::NewRequest& request);
  // The policies and models to use now (refreshed when older than refresh_).
  std::shared_ptr<const Current> Snapshot();
  std::shared_ptr<const Current> Load(const Current* previous);
  storage::AiSetting LoadSetting(std::string_view feature);
  // The feature's active model, reusing `previous` when it is still the active one.
  ActiveModel LoadModel(std::string_view feature, const ActiveModel* previous);

  storage::Store& store_;
  const std::chrono::milliseconds refresh_;
  std::mutex mu_;
  std::shared_ptr<const Current> current_;             // guarded by mu_
  std::chrono::steady_clock::time_point loaded_at_{};  // guarded by mu_
};

}  // namespace guichet::server
