// The job runner (jobs/runner.h) against a real queue on SQLite and on PostgreSQL, with the
// store's ManualClock: handlers run and complete, failures retry with back-off and then give up,
// throws and unknown kinds are failures, Stop waits for running handlers, leases are renewed,
// and two runners on one database (two nodes) run a periodic schedule once per slot and every
// job once. Waits are on conditions with generous deadlines and Wake(), never fixed sleeps; the
// poll interval is an hour so that nothing runs unless a test wakes the runner.
#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "jobs/builtin.h"
#include "storage/jobs.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::jobs {
namespace {

using core::Id;
using storage::Job;
using storage::JobStatus;
using storage::NewJob;

constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;
constexpr Millis kHour = 60 * kMinute;
constexpr auto kDeadline = std::chrono::seconds(30);

// True once `condition` holds, checked every few milliseconds; false after kDeadline.
bool Eventually(const std::function<bool()>& condition) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

// Counts handler runs per job id, and lets a test wait for a number of them.
class RunLog {
 public:
  Handler Counting() {
    return [this](const Job& job) {
      Record(job.id);
      return Status::Ok();
    };
  }
  void Record(Id id) {
    {
      std::lock_guard lock(mu_);
      ++runs_[id];
      ++total_;
    }
    cv_.notify_all();
  }
  bool WaitForTotal(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return total_ >= n; });
  }
  std::map<Id, int> runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }
  int total() {
    std::lock_guard lock(mu_);
    return total_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Id, int> runs_;
  int total_ = 0;
};

class RunnerTest : public guichet::testing::StoreTest {
 protected:
  storage::JobQueue& queue() { return store().jobs(); }

  RunnerOptions Options(const std::string& node = "test-node") {
    RunnerOptions o;
    o.workers = 2;
    o.poll_interval = std::chrono::hours(1);
    // Longer than the tests move the clock: a lease that runs out while a handler runs lets
    // another worker take the job over, as it should after a real stall.
    o.lease = 24 * kHour;
    o.node_id = node;
    return o;
  }

  Id Enqueue(const std::string& kind, int max_attempts = 5) {
    NewJob job;
    job.kind = kind;
    job.max_attempts = max_attempts;
    auto added = queue().Enqueue(job);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? added->job.id : 0;
  }

  JobStatus StatusOf(Id id) {
    auto job = queue().Get(id);
    return job.ok() ? job->status : JobStatus::kPending;
  }
};

TEST(RetryDelayTest, DoublesFromTheBaseUpToTheCap) {
  EXPECT_EQ(RetryDelay(1, 30 * kSecond, kHour), 30 * kSecond);
  EXPECT_EQ(RetryDelay(2, 30 * kSecond, kHour), 60 * kSecond);
  EXPECT_EQ(RetryDelay(3, 30 * kSecond, kHour), 120 * kSecond);
  EXPECT_EQ(RetryDelay(8, 30 * kSecond, kHour), kHour);
  EXPECT_EQ(RetryDelay(1000, 30 * kSecond, kHour), kHour);
  EXPECT_EQ(RetryDelay(0, 30 * kSecond, kHour), 30 * kSecond);
}

TEST_P(RunnerTest, RegistrationRules) {
  Runner runner(queue(), clock(), Options());
  EXPECT_STATUS(runner.Register("", [](const Job&) { return Status::Ok(); }),
                StatusCode::kInvalidArgument);
  ASSERT_OK(runner.Register("test.echo", [](const Job&) { return Status::Ok(); }));
  EXPECT_STATUS(runner.Register("test.echo", [](const Job&) { return Status::Ok(); }),
                StatusCode::kInvalidArgument);
  EXPECT_STATUS(runner.Every("test.echo", 10), StatusCode::kInvalidArgument);
  ASSERT_OK(runner.Every("test.tick", kHour));
  EXPECT_STATUS(runner.Every("test.tick", kHour), StatusCode::kInvalidArgument);
  // A schedule needs a handler.
  EXPECT_STATUS(runner.Start(), StatusCode::kInvalidArgument);
  ASSERT_OK(runner.Register("test.tick", [](const Job&) { return Status::Ok(); }));
  ASSERT_OK(runner.Start());
  EXPECT_STATUS(runner.Start(), StatusCode::kFailedPrecondition);
  EXPECT_STATUS(runner.Register("test.late", [](const Job&) { return Status::Ok(); }),
                StatusCode::kFailedPrecondition);
  runner.Stop();
  runner.Stop();  // idempotent
}

TEST_P(RunnerTest, RunsJobsAndCompletesThem) {
  RunLog log;
  Runner runner(queue(), clock(), Options());
  ASSERT_OK(runner.Register("test.echo", log.Counting()));
  const Id first = Enqueue("test.echo");
  ASSERT_OK(runner.Start());
  runner.Wake();
  ASSERT_TRUE(log.WaitForTotal(1));
  ASSERT_TRUE(Eventually([&] { return StatusOf(first) == JobStatus::kDone; }));

  // Jobs enqueued later run on the next wake.
  const Id second = Enqueue("test.echo");
  const Id third = Enqueue("test.echo");
  runner.Wake();
  ASSERT_TRUE(log.WaitForTotal(3));
  runner.Stop();
  EXPECT_EQ(log.runs(), (std::map<Id, int>{{first, 1}, {second, 1}, {third, 1}}));
  EXPECT_EQ(runner.stats().succeeded, 3u);
  EXPECT_EQ(StatusOf(third), JobStatus::kDone);
  ASSERT_OK_AND_ASSIGN(Job job, queue().Get(first));
  EXPECT_EQ(job.lease_owner.rfind("test-node:", 0), 0u) << job.lease_owner;
}

TEST_P(RunnerTest, FailuresRetryWithBackOffThenGiveUp) {
  std::atomic<int> calls{0};
  Runner runner(queue(), clock(), Options());
  ASSERT_OK(runner.Register("test.flaky", [&](const Job&) {
    ++calls;
    return Unavailable("the mail server did not answer");
  }));
  const Id id = Enqueue("test.flaky", 3);
  ASSERT_OK(runner.Start());
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return runner.stats().failed == 1; }));
  ASSERT_OK_AND_ASSIGN(Job job, queue().Get(id));
  EXPECT_EQ(job.status, JobStatus::kPending);
  EXPECT_EQ(job.run_at, clock().Now() + 30 * kSecond);  // retry_base after a first failure
  EXPECT_EQ(job.last_error, "Unavailable: the mail server did not answer");

  clock().Advance(30 * kSecond);
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return runner.stats().failed == 2; }));
  ASSERT_OK_AND_ASSIGN(job, queue().Get(id));
  EXPECT_EQ(job.status, JobStatus::kPending);
  EXPECT_EQ(job.attempts, 2);
  EXPECT_EQ(job.run_at, clock().Now() + 60 * kSecond);  // doubled

  clock().Advance(60 * kSecond);
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return StatusOf(id) == JobStatus::kFailed; }));
  runner.Stop();
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(runner.stats().failed, 3u);
}

TEST_P(RunnerTest, AThrowingHandlerIsAFailureNotACrash) {
  Runner runner(queue(), clock(), Options());
  ASSERT_OK(runner.Register("test.throws",
                            [](const Job&) -> Status { throw std::runtime_error("boom"); }));
  const Id id = Enqueue("test.throws", 1);
  ASSERT_OK(runner.Start());
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return StatusOf(id) == JobStatus::kFailed; }));
  runner.Stop();
  ASSERT_OK_AND_ASSIGN(Job job, queue().Get(id));
  EXPECT_NE(job.last_error.find("the handler threw: boom"), std::string::npos) << job.last_error;
}

TEST_P(RunnerTest, AnUnknownKindFailsWithAClearError) {
  Runner runner(queue(), clock(), Options());
  ASSERT_OK(runner.Register("test.echo", [](const Job&) { return Status::Ok(); }));
  const Id id = Enqueue("test.nobody", 1);
  ASSERT_OK(runner.Start());
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return StatusOf(id) == JobStatus::kFailed; }));
  runner.Stop();
  ASSERT_OK_AND_ASSIGN(Job job, queue().Get(id));
  EXPECT_NE(job.last_error.find("no handler for job kind \"test.nobody\""), std::string::npos)
      << job.last_error;
}

TEST_P(RunnerTest, StopWaitsForRunningHandlers) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  Runner runner(queue(), clock(), Options());
  ASSERT_OK(runner.Register("test.slow", [&](const Job&) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Status::Ok();
  }));
  const Id id = Enqueue("test.slow");
  ASSERT_OK(runner.Start());
  runner.Wake();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kDeadline, [&] { return entered; }));
  }
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    runner.Stop();
    stopped = true;
  });
  // Stop cannot return while the handler is held; release it and Stop completes the job.
  EXPECT_FALSE(stopped.load());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  EXPECT_TRUE(stopped.load());
  EXPECT_EQ(StatusOf(id), JobStatus::kDone);
}

TEST_P(RunnerTest, RenewsTheLeaseOfARunningJob) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  RunnerOptions options = Options();
  options.lease = kSecond;  // renewed every third of a second (real time)
  Runner runner(queue(), clock(), options);
  ASSERT_OK(runner.Register("test.slow", [&](const Job&) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Status::Ok();
  }));
  const Id id = Enqueue("test.slow");
  const Millis start = clock().Now();
  ASSERT_OK(runner.Start());
  runner.Wake();
  ASSERT_TRUE(Eventually([&] { return StatusOf(id) == JobStatus::kRunning; }));
  // Near the end of the lease (not past it: then the other worker could take the job over).
  clock().Advance(900);
  ASSERT_TRUE(Eventually([&] {
    auto job = queue().Get(id);
    return job.ok() && job->lease_until && *job->lease_until == start + 900 + kSecond;
  }));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  runner.Stop();
  EXPECT_EQ(StatusOf(id), JobStatus::kDone);
  EXPECT_EQ(runner.stats().lost, 0u);
}

TEST_P(RunnerTest, PurgesFinishedJobsDaily) {
  // A job finished 31 days ago, and one finished yesterday.
  const Id old_job = Enqueue("test.echo");
  ASSERT_OK_AND_ASSIGN(auto claimed, queue().Claim("w", 1, kMinute));
  ASSERT_OK(queue().Complete(old_job, "w"));
  clock().Advance(30 * 24 * kHour);
  const Id recent_job = Enqueue("test.echo");
  ASSERT_OK_AND_ASSIGN(claimed, queue().Claim("w", 1, kMinute));
  ASSERT_OK(queue().Complete(recent_job, "w"));
  clock().Advance(24 * kHour);

  Runner runner(queue(), clock(), Options());
  ASSERT_OK(RegisterBuiltinJobs(runner, store(), clock()));
  ASSERT_OK(runner.Start());
  runner.Wake();
  // The purge and the (empty) automation sweep.
  ASSERT_TRUE(Eventually([&] { return runner.stats().succeeded == 2; }));
  runner.Stop();
  EXPECT_STATUS(queue().Get(old_job), StatusCode::kNotFound);
  EXPECT_EQ(StatusOf(recent_job), JobStatus::kDone);
  storage::JobFilter purges;
  purges.kind = kPurgeFinishedJobs;
  ASSERT_OK_AND_ASSIGN(auto listed, queue().List(purges));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].status, JobStatus::kDone);
  EXPECT_EQ(listed[0].dedupe_key, std::string(kPurgeFinishedJobs) + "@2026-04-01T00:00:00.000Z");
}

// Two nodes — two stores opened on the same database, each with its runner of two workers —
// run the same hourly schedule and share one-off jobs: each slot's job is created once and
// every job runs exactly once.
TEST_P(RunnerTest, TwoNodesRunEachSlotAndEachJobOnce) {
  storage::StoreOptions store_options;
  store_options.clock = &clock();
  ASSERT_OK_AND_ASSIGN(auto store_b, storage::OpenStore(store().url(), store_options));
  RunLog ticks;
  RunLog work;
  Runner a(queue(), clock(), Options("node-a"));
  Runner b(store_b->jobs(), clock(), Options("node-b"));
  for (Runner* r : {&a, &b}) {
    ASSERT_OK(r->Register("test.tick", ticks.Counting()));
    ASSERT_OK(r->Register("test.work", work.Counting()));
    ASSERT_OK(r->Every("test.tick", kHour));
  }
  constexpr int kWork = 60;
  for (int i = 0; i < kWork; ++i) Enqueue("test.work");
  ASSERT_OK(a.Start());
  ASSERT_OK(b.Start());

  constexpr int kSlots = 3;
  for (int slot = 1; slot <= kSlots; ++slot) {
    a.Wake();
    b.Wake();
    ASSERT_TRUE(ticks.WaitForTotal(slot)) << "slot " << slot;
    // Within the slot, more wakes create nothing new.
    clock().Advance(10 * kMinute);
    a.Wake();
    b.Wake();
    // The next slot; not after the last one, or idle workers would start a fourth.
    if (slot < kSlots) clock().Advance(50 * kMinute);
  }
  ASSERT_TRUE(work.WaitForTotal(kWork));
  a.Stop();
  b.Stop();

  EXPECT_EQ(ticks.total(), kSlots);
  for (const auto& [id, n] : ticks.runs()) EXPECT_EQ(n, 1) << "tick job " << id;
  EXPECT_EQ(work.total(), kWork);
  EXPECT_EQ(work.runs().size(), static_cast<size_t>(kWork));
  for (const auto& [id, n] : work.runs()) EXPECT_EQ(n, 1) << "work job " << id;

  storage::JobFilter filter;
  filter.kind = "test.tick";
  ASSERT_OK_AND_ASSIGN(auto tick_jobs, queue().List(filter));
  std::set<std::string> keys;
  for (const Job& j : tick_jobs) {
    EXPECT_EQ(j.status, JobStatus::kDone);
    keys.insert(j.dedupe_key);
  }
  EXPECT_EQ(keys, (std::set<std::string>{"test.tick@2026-03-01T09:00:00.000Z",
                                         "test.tick@2026-03-01T10:00:00.000Z",
                                         "test.tick@2026-03-01T11:00:00.000Z"}));
  EXPECT_EQ(a.stats().lost + b.stats().lost, 0u);
  ASSERT_OK_AND_ASSIGN(storage::JobCounts counts, queue().Counts());
  EXPECT_EQ(counts.done, kWork + kSlots);
}

GUICHET_INSTANTIATE_STORE_TEST(RunnerTest);

}  // namespace
}  // namespace guichet::jobs
