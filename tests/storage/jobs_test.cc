// The JobQueue contract (storage/jobs.h) on SQLite and on PostgreSQL: enqueue with dedupe,
// claims with leases on the store's ManualClock, take-over after a lease runs out, retries and
// final failure, counts, purge, and many workers claiming at once with every job done once.
#include "storage/jobs.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using core::Id;

constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;

class JobQueueTest : public guichet::testing::StoreTest {
 protected:
  JobQueue& queue() { return store().jobs(); }

  static NewJob Kind(const std::string& kind, const std::string& dedupe_key = "") {
    NewJob job;
    job.kind = kind;
    job.dedupe_key = dedupe_key;
    return job;
  }

  static std::vector<Id> Ids(const std::vector<Job>& jobs) {
    std::vector<Id> out;
    for (const Job& j : jobs) out.push_back(j.id);
    return out;
  }
};

TEST_P(JobQueueTest, EnqueueClaimComplete) {
  NewJob in = Kind("test.echo");
  in.payload = R"({"request_id":12})";
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(in));
  EXPECT_TRUE(added.created);
  const Job& job = added.job;
  EXPECT_GT(job.id, 0);
  EXPECT_EQ(job.kind, "test.echo");
  EXPECT_EQ(job.payload, R"({"request_id":12})");
  EXPECT_EQ(job.status, JobStatus::kPending);
  EXPECT_EQ(job.run_at, guichet::testing::kTestStart);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.max_attempts, 5);
  EXPECT_EQ(job.created_at, guichet::testing::kTestStart);
  EXPECT_FALSE(job.finished_at.has_value());

  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("node-a:1:1", 10, kMinute));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, job.id);
  EXPECT_EQ(claimed[0].status, JobStatus::kRunning);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_EQ(claimed[0].lease_owner, "node-a:1:1");
  EXPECT_EQ(claimed[0].lease_until, guichet::testing::kTestStart + kMinute);

  // Held: nobody else gets it.
  ASSERT_OK_AND_ASSIGN(auto none, queue().Claim("node-b:2:1", 10, kMinute));
  EXPECT_TRUE(none.empty());

  clock().Advance(5 * kSecond);
  ASSERT_OK(queue().Complete(job.id, "node-a:1:1"));
  ASSERT_OK_AND_ASSIGN(Job done, queue().Get(job.id));
  EXPECT_EQ(done.status, JobStatus::kDone);
  EXPECT_EQ(done.finished_at, guichet::testing::kTestStart + 5 * kSecond);
  EXPECT_FALSE(done.lease_until.has_value());
  EXPECT_EQ(done.lease_owner, "node-a:1:1");

  // Finished jobs are not claimed, and cannot be completed twice.
  ASSERT_OK_AND_ASSIGN(none, queue().Claim("node-a:1:1", 10, kMinute));
  EXPECT_TRUE(none.empty());
  EXPECT_STATUS(queue().Complete(job.id, "node-a:1:1"), StatusCode::kFailedPrecondition);
  EXPECT_STATUS(queue().Complete(job.id + 1000, "node-a:1:1"), StatusCode::kNotFound);
  EXPECT_STATUS(queue().Get(job.id + 1000), StatusCode::kNotFound);
}

TEST_P(JobQueueTest, RejectsBadJobs) {
  EXPECT_STATUS(queue().Enqueue(Kind("")), StatusCode::kInvalidArgument);
  EXPECT_STATUS(queue().Enqueue(Kind("has space")), StatusCode::kInvalidArgument);
  NewJob bad_payload = Kind("test.echo");
  bad_payload.payload = "[1, 2]";
  EXPECT_STATUS(queue().Enqueue(bad_payload), StatusCode::kInvalidArgument);
  bad_payload.payload = "{not json";
  EXPECT_STATUS(queue().Enqueue(bad_payload), StatusCode::kInvalidArgument);
  NewJob bad_attempts = Kind("test.echo");
  bad_attempts.max_attempts = 0;
  EXPECT_STATUS(queue().Enqueue(bad_attempts), StatusCode::kInvalidArgument);
  EXPECT_STATUS(queue().Claim("", 1, kMinute), StatusCode::kInvalidArgument);
  EXPECT_STATUS(queue().Claim("w", 0, kMinute), StatusCode::kInvalidArgument);
  EXPECT_STATUS(queue().Claim("w", 1, 0), StatusCode::kInvalidArgument);
}

TEST_P(JobQueueTest, DedupeReturnsTheUnfinishedJob) {
  ASSERT_OK_AND_ASSIGN(EnqueueResult first, queue().Enqueue(Kind("test.echo", "request:7")));
  ASSERT_OK_AND_ASSIGN(EnqueueResult second, queue().Enqueue(Kind("test.echo", "request:7")));
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.job.id, first.job.id);
  // Another key, or no key, is another job.
  ASSERT_OK_AND_ASSIGN(EnqueueResult other, queue().Enqueue(Kind("test.echo", "request:8")));
  EXPECT_TRUE(other.created);
  ASSERT_OK_AND_ASSIGN(EnqueueResult unkeyed1, queue().Enqueue(Kind("test.echo")));
  ASSERT_OK_AND_ASSIGN(EnqueueResult unkeyed2, queue().Enqueue(Kind("test.echo")));
  EXPECT_NE(unkeyed1.job.id, unkeyed2.job.id);

  // Still deduplicated while running; once done, the key is free again…
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 10, kMinute));
  ASSERT_EQ(claimed.size(), 4u);
  ASSERT_OK_AND_ASSIGN(EnqueueResult while_running,
                       queue().Enqueue(Kind("test.echo", "request:7")));
  EXPECT_FALSE(while_running.created);
  EXPECT_EQ(while_running.job.status, JobStatus::kRunning);
  ASSERT_OK(queue().Complete(first.job.id, "w"));
  ASSERT_OK_AND_ASSIGN(EnqueueResult again, queue().Enqueue(Kind("test.echo", "request:7")));
  EXPECT_TRUE(again.created);
  EXPECT_NE(again.job.id, first.job.id);

  // …unless finished jobs count too (a periodic slot runs once, ever).
  NewJob slot = Kind("test.tick", "test.tick@slot-1");
  slot.dedupe_finished = true;
  ASSERT_OK_AND_ASSIGN(EnqueueResult slot1, queue().Enqueue(slot));
  ASSERT_OK_AND_ASSIGN(auto slot_claim, queue().Claim("w", 10, kMinute, {"test.tick"}));
  ASSERT_EQ(Ids(slot_claim), std::vector<Id>{slot1.job.id});
  ASSERT_OK(queue().Complete(slot1.job.id, "w"));
  ASSERT_OK_AND_ASSIGN(EnqueueResult slot1_again, queue().Enqueue(slot));
  EXPECT_FALSE(slot1_again.created);
  EXPECT_EQ(slot1_again.job.id, slot1.job.id);
  EXPECT_EQ(slot1_again.job.status, JobStatus::kDone);
}

TEST_P(JobQueueTest, ConcurrentEnqueuesOfOneKeyCreateOneJob) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<Id> ids;
  int created = 0;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        NewJob job = Kind("test.tick", "test.tick@" + std::to_string(i));
        job.dedupe_finished = true;
        auto r = queue().Enqueue(job);
        if (!r.ok()) {
          ++errors;
          continue;
        }
        std::lock_guard lock(mu);
        ids.insert(r->job.id);
        created += r->created ? 1 : 0;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(created, 10);
  EXPECT_EQ(ids.size(), 10u);
}

TEST_P(JobQueueTest, FutureJobsWaitForTheirTime) {
  NewJob later = Kind("test.echo");
  later.run_at = guichet::testing::kTestStart + 10 * kMinute;
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(later));
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 10, kMinute));
  EXPECT_TRUE(claimed.empty());
  clock().Advance(10 * kMinute - 1);
  ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("w", 10, kMinute));
  EXPECT_TRUE(claimed.empty());
  clock().Advance(1);
  ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("w", 10, kMinute));
  EXPECT_EQ(Ids(claimed), std::vector<Id>{added.job.id});
}

TEST_P(JobQueueTest, ClaimsOldestFirstUpToTheLimitAndByKind) {
  std::vector<Id> ids;
  for (int i = 0; i < 5; ++i) {
    NewJob job = Kind(i % 2 == 0 ? "test.even" : "test.odd");
    job.run_at = guichet::testing::kTestStart - (5 - i) * kSecond;  // i = 0 is the oldest
    ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(job));
    ids.push_back(added.job.id);
  }
  ASSERT_OK_AND_ASSIGN(auto odd, queue().Claim("w", 10, kMinute, {"test.odd"}));
  EXPECT_EQ(Ids(odd), (std::vector<Id>{ids[1], ids[3]}));
  ASSERT_OK_AND_ASSIGN(auto two, queue().Claim("w", 2, kMinute));
  EXPECT_EQ(Ids(two), (std::vector<Id>{ids[0], ids[2]}));
  ASSERT_OK_AND_ASSIGN(auto rest, queue().Claim("w", 2, kMinute, {"test.even", "test.odd"}));
  EXPECT_EQ(Ids(rest), std::vector<Id>{ids[4]});
}

TEST_P(JobQueueTest, AnExpiredLeaseIsTakenOver) {
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(Kind("test.echo")));
  const Id id = added.job.id;
  ASSERT_OK_AND_ASSIGN(auto a, queue().Claim("node-a:1:1", 1, kMinute));
  ASSERT_EQ(Ids(a), std::vector<Id>{id});

  // Extending the lease keeps it; only its holder may.
  clock().Advance(50 * kSecond);
  ASSERT_OK(queue().ExtendLease(id, "node-a:1:1", kMinute));
  EXPECT_STATUS(queue().ExtendLease(id, "node-b:2:1", kMinute), StatusCode::kFailedPrecondition);
  clock().Advance(50 * kSecond);
  ASSERT_OK_AND_ASSIGN(auto b, queue().Claim("node-b:2:1", 1, kMinute));
  EXPECT_TRUE(b.empty());

  // Node a stalls past its lease: node b takes the job over as a second attempt.
  clock().Advance(10 * kSecond);
  ASSERT_OK_AND_ASSIGN(b, queue().Claim("node-b:2:1", 1, kMinute));
  ASSERT_EQ(Ids(b), std::vector<Id>{id});
  EXPECT_EQ(b[0].attempts, 2);
  EXPECT_EQ(b[0].lease_owner, "node-b:2:1");

  EXPECT_STATUS(queue().Complete(id, "node-a:1:1"), StatusCode::kFailedPrecondition);
  EXPECT_STATUS(queue().Fail(id, "node-a:1:1", "late", clock().Now()),
                StatusCode::kFailedPrecondition);
  EXPECT_STATUS(queue().ExtendLease(id, "node-a:1:1", kMinute), StatusCode::kFailedPrecondition);
  ASSERT_OK(queue().Complete(id, "node-b:2:1"));
  ASSERT_OK_AND_ASSIGN(Job done, queue().Get(id));
  EXPECT_EQ(done.status, JobStatus::kDone);
  EXPECT_EQ(done.lease_owner, "node-b:2:1");
}

TEST_P(JobQueueTest, AnExpiredLeaseStillCompletesUntilTakenOver) {
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(Kind("test.echo")));
  ASSERT_OK_AND_ASSIGN(auto a, queue().Claim("a", 1, kMinute));
  ASSERT_EQ(a.size(), 1u);
  clock().Advance(2 * kMinute);
  EXPECT_OK(queue().Complete(added.job.id, "a"));
}

TEST_P(JobQueueTest, FailRetriesThenGivesUp) {
  NewJob in = Kind("test.flaky");
  in.max_attempts = 3;
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(in));
  const Id id = added.job.id;

  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 1, kMinute));
    ASSERT_EQ(Ids(claimed), std::vector<Id>{id}) << "attempt " << attempt;
    EXPECT_EQ(claimed[0].attempts, attempt);
    const Millis retry_at = clock().Now() + 30 * kSecond;
    ASSERT_OK_AND_ASSIGN(
        Job failed, queue().Fail(id, "w", "smtp: timeout " + std::to_string(attempt), retry_at));
    EXPECT_EQ(failed.status, JobStatus::kPending);
    EXPECT_EQ(failed.run_at, retry_at);
    EXPECT_EQ(failed.last_error, "smtp: timeout " + std::to_string(attempt));
    EXPECT_TRUE(failed.lease_owner.empty());
    EXPECT_FALSE(failed.lease_until.has_value());
    // Not before the retry time.
    clock().Advance(30 * kSecond - 1);
    ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("w", 1, kMinute));
    EXPECT_TRUE(claimed.empty());
    clock().Advance(1);
  }
  ASSERT_OK_AND_ASSIGN(auto last, queue().Claim("w", 1, kMinute));
  ASSERT_EQ(Ids(last), std::vector<Id>{id});
  EXPECT_EQ(last[0].attempts, 3);
  ASSERT_OK_AND_ASSIGN(Job gave_up, queue().Fail(id, "w", "smtp: refused", clock().Now()));
  EXPECT_EQ(gave_up.status, JobStatus::kFailed);
  EXPECT_EQ(gave_up.finished_at, clock().Now());
  EXPECT_EQ(gave_up.last_error, "smtp: refused");
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(last, queue().Claim("w", 1, kMinute));
  EXPECT_TRUE(last.empty());
}

TEST_P(JobQueueTest, ALeaseRunningOutOnTheLastAttemptFailsTheJob) {
  NewJob in = Kind("test.hang");
  in.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(in));
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("a", 1, kMinute));
  ASSERT_EQ(claimed.size(), 1u);
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("b", 1, kMinute));
  EXPECT_TRUE(claimed.empty());
  ASSERT_OK_AND_ASSIGN(Job job, queue().Get(added.job.id));
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.finished_at, clock().Now());
  EXPECT_NE(job.last_error.find("lease ran out"), std::string::npos) << job.last_error;
}

TEST_P(JobQueueTest, StoresLongAndBinaryErrorsSafely) {
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(Kind("test.echo")));
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 1, kMinute));
  ASSERT_EQ(claimed.size(), 1u);
  const std::string error = std::string("bad \xff byte ") + std::string(5000, 'x');
  ASSERT_OK_AND_ASSIGN(Job failed, queue().Fail(added.job.id, "w", error, clock().Now()));
  EXPECT_EQ(failed.last_error.size(), 2000u);
  EXPECT_EQ(failed.last_error.substr(0, 10), "bad ? byte");
}

TEST_P(JobQueueTest, CountsListAndPurge) {
  ASSERT_OK_AND_ASSIGN(JobCounts empty, queue().Counts());
  EXPECT_EQ(empty.pending + empty.running + empty.done + empty.failed, 0);

  std::vector<Id> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(Kind(i < 3 ? "test.a" : "test.b")));
    ids.push_back(added.job.id);
  }
  // ids[0] done, ids[1] failed, ids[2] running, ids[3] and ids[4] pending.
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 3, kMinute));
  ASSERT_EQ(claimed.size(), 3u);
  ASSERT_OK(queue().Complete(ids[0], "w"));
  ASSERT_OK_AND_ASSIGN(Job failed, queue().Fail(ids[1], "w", "boom", clock().Now()));
  EXPECT_EQ(failed.status, JobStatus::kPending);  // 4 attempts left: back to pending
  ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("w", 1, kMinute, {"test.a"}));
  ASSERT_EQ(Ids(claimed), std::vector<Id>{ids[1]});
  ASSERT_OK(
      store().RawExec("UPDATE jobs SET max_attempts = 2 WHERE id = " + std::to_string(ids[1])));
  ASSERT_OK_AND_ASSIGN(failed, queue().Fail(ids[1], "w", "boom", clock().Now()));
  EXPECT_EQ(failed.status, JobStatus::kFailed);

  ASSERT_OK_AND_ASSIGN(JobCounts counts, queue().Counts());
  EXPECT_EQ(counts.pending, 2);
  EXPECT_EQ(counts.running, 1);
  EXPECT_EQ(counts.done, 1);
  EXPECT_EQ(counts.failed, 1);

  // List: newest first, filtered, paged.
  ASSERT_OK_AND_ASSIGN(auto all, queue().List({}));
  EXPECT_EQ(Ids(all), (std::vector<Id>{ids[4], ids[3], ids[2], ids[1], ids[0]}));
  JobFilter pending;
  pending.status = JobStatus::kPending;
  ASSERT_OK_AND_ASSIGN(auto listed, queue().List(pending));
  EXPECT_EQ(Ids(listed), (std::vector<Id>{ids[4], ids[3]}));
  JobFilter kind_a;
  kind_a.kind = "test.a";
  kind_a.limit = 2;
  ASSERT_OK_AND_ASSIGN(listed, queue().List(kind_a));
  EXPECT_EQ(Ids(listed), (std::vector<Id>{ids[2], ids[1]}));
  kind_a.after_id = ids[1];
  ASSERT_OK_AND_ASSIGN(listed, queue().List(kind_a));
  EXPECT_EQ(Ids(listed), std::vector<Id>{ids[0]});

  // Purge: finished jobs older than the cutoff only.
  clock().Advance(kMinute);
  ASSERT_OK_AND_ASSIGN(std::int64_t purged, queue().PurgeFinished(clock().Now() - 2 * kMinute));
  EXPECT_EQ(purged, 0);
  ASSERT_OK_AND_ASSIGN(purged, queue().PurgeFinished(clock().Now()));
  EXPECT_EQ(purged, 2);
  ASSERT_OK_AND_ASSIGN(counts, queue().Counts());
  EXPECT_EQ(counts.pending, 2);
  EXPECT_EQ(counts.running, 1);
  EXPECT_EQ(counts.done + counts.failed, 0);
  EXPECT_STATUS(queue().Get(ids[0]), StatusCode::kNotFound);
}

TEST_P(JobQueueTest, JobsAreNotAudited) {
  ASSERT_OK_AND_ASSIGN(auto before, store().ListAudit({}));
  ASSERT_OK_AND_ASSIGN(EnqueueResult added, queue().Enqueue(Kind("test.echo")));
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 1, kMinute));
  ASSERT_OK(queue().Complete(added.job.id, "w"));
  ASSERT_OK_AND_ASSIGN(auto after, store().ListAudit({}));
  EXPECT_EQ(after.size(), before.size());
}

// Several workers, each with its own id and claiming in small batches, drain 500 jobs: every job
// is done, and each was completed exactly once.
TEST_P(JobQueueTest, ConcurrentWorkersRunEachJobOnce) {
  constexpr int kJobs = 500;
  constexpr int kWorkers = 6;
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_OK(queue().Enqueue(Kind("test.count")));
  }
  std::mutex mu;
  std::map<Id, int> completions;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      const std::string worker_id = "node:" + std::to_string(w) + ":1";
      for (int idle = 0; idle < 3;) {
        auto claimed = queue().Claim(worker_id, 1 + w % 3, 10 * kMinute);
        if (!claimed.ok()) {
          ++errors;
          ADD_FAILURE() << claimed.status().ToString();
          return;
        }
        if (claimed->empty()) {
          ++idle;
          continue;
        }
        idle = 0;
        for (const Job& job : *claimed) {
          const Status done = queue().Complete(job.id, worker_id);
          if (!done.ok()) {
            ++errors;
            ADD_FAILURE() << done.ToString();
            continue;
          }
          std::lock_guard lock(mu);
          ++completions[job.id];
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(completions.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, n] : completions) EXPECT_EQ(n, 1) << "job " << id;
  ASSERT_OK_AND_ASSIGN(JobCounts counts, queue().Counts());
  EXPECT_EQ(counts.done, kJobs);
  EXPECT_EQ(counts.pending + counts.running + counts.failed, 0);
}

GUICHET_INSTANTIATE_STORE_TEST(JobQueueTest);

}  // namespace
}  // namespace guichet::storage
