// Private to src/server: AI triage of new requests under the admin's policy. For
// triage.priority, when it is not off: the urgency rules that fire (triage/urgency.h) make a
// suggestion with their reasons (none is recorded when no rule fires); in auto mode it raises the
// request's priority, never lowers it. For the triage.category feature, when it is not off and a
// model is active: the model's suggestion for the request's subject and description (or an
// abstention below the policy's threshold) goes into the decision register with the request; in
// auto mode a confident suggestion that names a category also sets it, unless the request already
// has one. The policy and the active model's id are read at most once a second, and the model is
// loaded again only when the active one changes, so an admin's activation or rollback applies
// without a restart. Any failure leaves the request as it came, without AI: the desk keeps working.
// Thread-safety: Suggest may run on many threads.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

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
  struct Current {
    storage::AiSetting priority;  // triage.priority: the urgency rules
    storage::AiSetting setting;   // triage.category: the active model
    core::Id model_id = 0;
    std::int64_t model_version = 0;
    std::shared_ptr<const triage::Classifier> model;
  };
  void SuggestPriority(const Current& now, core::NewRequest& request);
  // The policy and model to use now (refreshed when older than refresh_).
  std::shared_ptr<const Current> Snapshot();
  std::shared_ptr<const Current> Load(std::shared_ptr<const Current> previous);

  storage::Store& store_;
  const std::chrono::milliseconds refresh_;
  std::mutex mu_;
  std::shared_ptr<const Current> current_;             // guarded by mu_
  std::chrono::steady_clock::time_point loaded_at_{};  // guarded by mu_
};

}  // namespace guichet::server
