#include "server/kb_search.h"

#include <charconv>
#include <string>

#include "common/log.h"

namespace guichet::server {
namespace {

constexpr char kAppliedKey[] = "kb_change_seq";  // index metadata: the last change applied
constexpr int kPage = 500;

}  // namespace

KbSearch::KbSearch(storage::Store& store, std::string folder, std::chrono::milliseconds refresh)
    : store_(store), folder_(std::move(folder)), refresh_(refresh) {}

KbSearch::~KbSearch() { Stop(); }

Status KbSearch::Start() {
  GUICHET_ASSIGN_OR_RETURN(
      index_, folder_.empty() ? kb::SearchIndex::InMemory() : kb::SearchIndex::OpenFolder(folder_));
  thread_ = std::thread([this] { Follow(); });
  return Status::Ok();
}

void KbSearch::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status KbSearch::CatchUp() {
  if (!index_) return FailedPrecondition("the search index is not open");
  std::lock_guard lock(catch_up_mu_);
  GUICHET_ASSIGN_OR_RETURN(const std::string stored, index_->GetMetadata(kAppliedKey));
  std::int64_t seq = 0;
  std::from_chars(stored.data(), stored.data() + stored.size(), seq);  // "" or junk: from 0
  for (;;) {
    GUICHET_ASSIGN_OR_RETURN(const storage::KbChanges changes,
                             store_.kb().ChangedSince(seq, kPage));
    if (seq > changes.max_seq) {
      // The index is ahead of this database (restored from a backup, another database): the
      // index is derived data, so it starts again from nothing.
      LogEvent(LogLevel::kWarn, "kb_index_rebuild",
               {{"index_seq", std::to_string(seq)}, {"db_seq", std::to_string(changes.max_seq)}});
      GUICHET_RETURN_IF_ERROR(index_->RemoveAll());
      seq = 0;
      continue;
    }
    for (const storage::StoredArticle& s : changes.items)
      GUICHET_RETURN_IF_ERROR(index_->Put(s.article));  // takes drafts and archived ones out
    const bool full = static_cast<int>(changes.items.size()) == kPage;
    const std::int64_t next = full ? changes.items.back().change_seq : changes.max_seq;
    if (next != seq || !changes.items.empty()) {
      GUICHET_RETURN_IF_ERROR(index_->SetMetadata(kAppliedKey, std::to_string(next)));
      GUICHET_RETURN_IF_ERROR(index_->Commit());
    }
    seq = next;
    if (!full) break;
  }
  ready_ = true;
  return Status::Ok();
}

void KbSearch::Follow() {
  std::string last_error;  // logged once, not every second while it lasts
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    const Status s = CatchUp();  // kept trying: the database may be back soon

    if (!s.ok() && s.message() != last_error)
      LogEvent(LogLevel::kWarn, "kb_index_catch_up_failed", {{"error", s.message()}});
    last_error = s.ok() ? "" : s.message();
    lock.lock();
    wake_.wait_for(lock, refresh_, [this] { return stopping_; });
  }
}

}  // namespace guichet::server
