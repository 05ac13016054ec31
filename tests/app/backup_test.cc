// guichet admin backup / restore: a round trip on SQLite (the data comes back exactly as it was at
// the backup, audit chain included), the refusals that protect files and data, a backup taken
// while another connection writes, and PostgreSQL's documented pg_dump / pg_restore route.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "cli_runner.h"
#include "core/enums.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::app {
namespace {

using testing::CliResult;
using testing::ReadFile;
using testing::RunGuichet;
using testing::TempDir;
using testing::WriteFile;

class BackupCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = guichet::testing::StoreFixtureUnavailable("sqlite"); !why.empty()) {
      GTEST_SKIP() << why;
    }
    ASSERT_OK_AND_ASSIGN(store_, guichet::testing::OpenFreshStore("sqlite", clock_));
  }

  guichet::testing::TestStore& store() { return *store_; }

  CliResult Run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(store_->url());
    return RunGuichet(args);
  }

  core::Request AddRequest(const std::string& subject) {
    core::NewRequest r;
    r.subject = subject;
    r.description = "Description de « " + subject + " »";
    r.language = "fr";
    clock_.Advance(1000);
    auto created = store_->CreateRequest(r, "secret-hash", actor_);
    EXPECT_TRUE(created.ok()) << created.status().message();
    return created.ok() ? *created : core::Request{};
  }

  // Everything the round trip must bring back, as one comparable text.
  std::string Snapshot() {
    std::string out;
    storage::PageSpec page;
    page.limit = 1000;
    auto requests = store_->ListRequests({}, page);
    EXPECT_TRUE(requests.ok());
    if (!requests.ok()) return out;
    for (const auto& q : requests->items) {
      out += "request " + std::to_string(q.id) + " " + q.reference + " " + q.subject + " v" +
             std::to_string(q.version) + " " + std::string(core::ToString(q.status)) + " " +
             std::to_string(q.updated_at) + "\n";
      auto messages = store_->ListMessages(q.id, true);
      EXPECT_TRUE(messages.ok());
      if (messages.ok()) {
        for (const auto& m : *messages)
          out += "  message " + std::to_string(m.id) + " " + m.body + "\n";
      }
      auto attachments = store_->ListAttachments(q.id);
      EXPECT_TRUE(attachments.ok());
      if (attachments.ok()) {
        for (const auto& a : *attachments) {
          auto full = store_->GetAttachment(a.id);
          EXPECT_TRUE(full.ok());
          out += "  attachment " + std::to_string(a.id) + " " + a.filename + " " + a.sha256 + " " +
                 (full.ok() ? full->content : std::string("?")) + "\n";
        }
      }
    }
    storage::AuditQuery query;
    query.limit = 100000;
    auto audit = store_->ListAudit(query);
    EXPECT_TRUE(audit.ok());
    if (audit.ok()) {
      for (const auto& e : *audit) out += "audit " + std::to_string(e.id) + " " + e.hash + "\n";
    }
    return out;
  }

  // Three requests, messages (one internal), an attachment with every byte value.
  void AddDesk() {
    const core::Request first = AddRequest("Lampadaire éteint");
    AddRequest("Nid-de-poule rue Voltaire");
    AddRequest("Acte de naissance");
    core::NewMessage hello;
    hello.body = "Bonjour, le lampadaire est éteint depuis lundi.";
    ASSERT_OK(store_->AddMessage(first.id, hello, false, actor_));
    core::NewMessage note;
    note.visibility = core::Visibility::kInternal;
    note.body = "Transmis à l'équipe éclairage.";
    ASSERT_OK(store_->AddMessage(first.id, note, true, actor_));
    storage::AttachmentMeta meta;
    meta.request_id = first.id;
    meta.filename = "photo.bin";
    meta.content_type = "application/octet-stream";
    ASSERT_OK(store_->AddAttachment(meta, Binary(), actor_));
  }

  static std::string Binary() {
    std::string content;
    for (int b = 0; b < 256; ++b) content += static_cast<char>(b);
    return content + std::string("\0\0end\0", 6);
  }

  TempDir dir_;
  ManualClock clock_{guichet::testing::kTestStart};
  storage::Actor actor_ = storage::Actor::System("test");
  std::unique_ptr<guichet::testing::TestStore> store_;
};

TEST_F(BackupCommandTest, RoundTripBringsBackTheBackupPoint) {
  AddDesk();
  const std::string at_backup = Snapshot();
  const std::string file = dir_.File("desk.backup");

  auto backup = Run({"admin", "backup", file});
  ASSERT_EQ(backup.code, 0) << backup.err;
  EXPECT_EQ(backup.out.rfind("backup written to " + file + " (", 0), 0u) << backup.out;
  EXPECT_NE(backup.out.find("bytes): 3 requests, "), std::string::npos) << backup.out;
  EXPECT_NE(backup.out.find(" audit entries, audit chain OK\n"), std::string::npos) << backup.out;
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
  EXPECT_FALSE(std::filesystem::exists(file + "-wal"));

  // Change the data after the backup point.
  ASSERT_OK_AND_ASSIGN(auto first, store().GetRequest(1));
  core::RequestPatch patch;
  patch.subject = "Lampadaire réparé";
  ASSERT_OK(store().UpdateRequest(first.id, first.version, patch, actor_));
  AddRequest("Encombrants");
  core::NewMessage later;
  later.body = "Réparé ce matin.";
  ASSERT_OK(store().AddMessage(first.id, later, true, actor_));
  ASSERT_NE(Snapshot(), at_backup);

  auto refused = Run({"admin", "restore", file});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("already holds data; stop the server and use --force"),
            std::string::npos)
      << refused.err;

  // Restored into the database the test store still has open (WAL): the backup API copes.
  auto restore = Run({"admin", "restore", file, "--force"});
  ASSERT_EQ(restore.code, 0) << restore.err;
  EXPECT_EQ(restore.out.rfind("restored " + file + " into ", 0), 0u) << restore.out;
  EXPECT_NE(restore.out.find(": 3 requests, "), std::string::npos) << restore.out;
  EXPECT_EQ(Snapshot(), at_backup);
  ASSERT_OK_AND_ASSIGN(auto verification, store().VerifyAudit());
  EXPECT_TRUE(verification.ok) << verification.reason;
  auto verify = Run({"admin", "audit", "verify"});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;

  // The desk works on after the restore, and the backup file was left as it was.
  const std::string bytes = ReadFile(file);
  AddRequest("Après la restauration");
  EXPECT_EQ(ReadFile(file), bytes);
  ASSERT_OK_AND_ASSIGN(auto after, store().VerifyAudit());
  EXPECT_TRUE(after.ok);
}

TEST_F(BackupCommandTest, RestoreIntoANewDatabaseNeedsNoForce) {
  AddDesk();
  const std::string file = dir_.File("desk.backup");
  ASSERT_EQ(Run({"admin", "backup", file}).code, 0);
  const std::string target = dir_.File("new/restored.db");
  auto restore = RunGuichet({"admin", "restore", file, "--db", "sqlite:" + target});
  ASSERT_EQ(restore.code, 0) << restore.err;
  auto verify = RunGuichet({"admin", "audit", "verify", "--db", "sqlite:" + target});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
}

TEST_F(BackupCommandTest, RefusesToOverwriteUnlessForced) {
  AddDesk();
  const std::string file = dir_.File("desk.backup");
  WriteFile(file, "precious");
  auto refused = Run({"admin", "backup", file});
  EXPECT_EQ(refused.code, 1);
  EXPECT_EQ(refused.err,
            "guichet: error: " + file + " already exists; use --force to replace it\n");
  EXPECT_TRUE(refused.out.empty());
  EXPECT_EQ(ReadFile(file), "precious");

  auto forced = Run({"admin", "backup", file, "--force"});
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(ReadFile(file).rfind("SQLite format 3", 0), 0u);

  // The database itself is never a backup target, even forced.
  const std::string db = store().url().substr(7);
  auto itself = Run({"admin", "backup", db, "--force"});
  EXPECT_EQ(itself.code, 1);
  EXPECT_NE(itself.err.find("is the database itself"), std::string::npos) << itself.err;
}

TEST_F(BackupCommandTest, BadBackupFilesChangeNothing) {
  AddDesk();
  const std::string before = Snapshot();
  const std::string text = dir_.File("notes.txt");
  WriteFile(text, "this is not a database\n");
  // A real backup with its pages damaged past the header.
  const std::string good = dir_.File("good.backup");
  ASSERT_EQ(Run({"admin", "backup", good}).code, 0);
  std::string damaged = ReadFile(good);
  ASSERT_GT(damaged.size(), 8192u);
  for (size_t i = 4096; i < damaged.size(); i += 7) damaged[i] = static_cast<char>(0xA5);
  const std::string corrupt = dir_.File("corrupt.backup");
  WriteFile(corrupt, damaged);

  for (const std::string& file : {text, corrupt, dir_.File("missing.backup")}) {
    auto r = Run({"admin", "restore", file, "--force"});
    EXPECT_EQ(r.code, 1) << file;
    EXPECT_EQ(r.err.rfind("guichet: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(Snapshot(), before) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(store().url().substr(7) + ".restore-tmp"));
  ASSERT_OK_AND_ASSIGN(auto verification, store().VerifyAudit());
  EXPECT_TRUE(verification.ok);
}

TEST_F(BackupCommandTest, BackupWhileAnotherConnectionWrites) {
  AddDesk();
  std::atomic<bool> failed = false;
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) {
      core::NewRequest r;
      r.subject = "Demande " + std::to_string(i);
      r.description = "Écrite pendant la sauvegarde";
      if (!store().CreateRequest(r, "h", actor_).ok()) failed = true;
    }
  });
  const std::string file = dir_.File("live.backup");
  auto backup = Run({"admin", "backup", file});
  writer.join();
  EXPECT_FALSE(failed);
  ASSERT_EQ(backup.code, 0) << backup.err;
  EXPECT_NE(backup.out.find("audit chain OK"), std::string::npos) << backup.out;
}

TEST(BackupPostgresTest, PointsToPgDumpAndPgRestore) {
  if (std::string why = guichet::testing::StoreFixtureUnavailable("postgresql"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  ASSERT_OK_AND_ASSIGN(auto store, guichet::testing::OpenFreshStore("postgresql"));
  TempDir dir;
  const std::string file = dir.File("pg.backup");
  auto backup = RunGuichet({"admin", "backup", file, "--db", store->url()});
  EXPECT_EQ(backup.code, 1);
  EXPECT_NE(backup.err.find("pg_dump --format=custom --file FILE URL"), std::string::npos)
      << backup.err;
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));

  auto restore = RunGuichet({"admin", "restore", file, "--db", store->url()});
  EXPECT_EQ(restore.code, 1);
  EXPECT_NE(restore.err.find("pg_restore --clean --if-exists --dbname URL FILE"), std::string::npos)
      << restore.err;
}

}  // namespace
}  // namespace guichet::app
