// The API when SQLite's disk fails under the server: a full disk answers 507, a failed write or
// fsync 503, each as a problem document, with nothing created; once the disk recovers the same
// call succeeds.
//
// SQLite only: the faults come from a VFS shim (testing/faulty_sqlite_vfs.h) under the server's
// own connections, in this process. PostgreSQL's storage is another process, out of its reach.
#include <memory>

#include "harness.h"
#include "testing/faulty_sqlite_vfs.h"

namespace guichet::testing {
namespace {

class StorageFaultTest : public ServerTest<StorageFaultTest> {
 protected:
  // Installed before the suite's server opens its store, so that its connections go through it.
  static void SetUpTestSuite() { vfs() = std::make_unique<FaultySqliteVfs>(); }
  static void TearDownTestSuite() {
    ServerTest::TearDownTestSuite();
    vfs().reset();
  }
  static std::unique_ptr<FaultySqliteVfs>& vfs() {
    static std::unique_ptr<FaultySqliteVfs> vfs;
    return vfs;
  }
};

TEST_P(StorageFaultTest, CreateFailsWithAProblemAndChangesNothingUntilTheDiskRecovers) {
  const std::string body =
      R"({"subject": "Trottoir abîmé", "description": "Devant le 12", "channel": "phone"})";
  const Headers agent = env().As(Who::kAgentA);
  struct Case {
    StorageFault fault;
    long status;
    const char* slug;
  };
  for (const Case& c : {Case{StorageFault::kDiskFull, 507, "storage-full"},
                        Case{StorageFault::kWriteError, 503, "unavailable"},
                        Case{StorageFault::kSyncError, 503, "unavailable"}}) {
    SCOPED_TRACE(Name(c.fault));
    const Counts before = env().CountAll();
    vfs()->Arm(c.fault);
    const HttpResult failed = env().Post("/api/v1/requests", body, agent);  // checks the problem
    vfs()->Disarm();
    EXPECT_EQ(failed.status, c.status) << failed.body;
    EXPECT_EQ(ProblemSlug(failed), c.slug) << failed.body;
    EXPECT_EQ(env().CountAll(), before);

    const HttpResult created = env().Post("/api/v1/requests", body, agent);
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(env().CountAll().requests, before.requests + 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageFaultTest, ::testing::Values(std::string("sqlite")),
                         BackendParamName);

}  // namespace
}  // namespace guichet::testing
