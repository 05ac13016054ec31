// Private to src/server: the knowledge-base search index of this node, kept current from the
// database. A background thread asks the store for the articles changed since the last one it
// applied (KbStore::ChangedSince, a sequence that several nodes can follow safely) about once a
// second, and puts them in the index (published) or takes them out (drafts, archived). The
// index lives in a folder when one is configured — reopened after a restart and brought up to
// date from where it stopped, rebuilt when it is missing or ahead of the database — and in
// memory otherwise (built at start). Searches answer from what is indexed so far; `Ready` tells
// whether the first catch-up is done. Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "kb/search.h"
#include "storage/store.h"

namespace guichet::server {

class KbSearch {
 public:
  // `folder` empty: in memory.
  KbSearch(storage::Store& store, std::string folder,
           std::chrono::milliseconds refresh = std::chrono::seconds(1));
  ~KbSearch();
  KbSearch(const KbSearch&) = delete;
  KbSearch& operator=(const KbSearch&) = delete;

  // Opens the index and starts following the database; an error when the folder cannot be used.
  Status Start();
  void Stop();

  // Applies every change the database has now, in the caller's thread (tests, the CLI).
  Status CatchUp();
  bool Ready() const { return ready_; }
  const kb::SearchIndex* index() const { return index_.get(); }

 private:
  void Follow();

  storage::Store& store_;
  const std::string folder_;
  const std::chrono::milliseconds refresh_;
  std::unique_ptr<kb::SearchIndex> index_;
  std::mutex catch_up_mu_;  // one catch-up at a time
  std::atomic<bool> ready_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace guichet::server
