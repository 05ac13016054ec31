// Private to src/storage: the SQL KbStore (migration 0009_kb), built on the shared SqlDb like the
// other feature stores.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "storage/kb_store.h"
#include "storage/sql_db.h"

namespace guichet::storage::internal {

class SqlKb final : public KbStore {
 public:
  explicit SqlKb(SqlDb& db) : db_(db) {}

  Result<StoredArticle> Create(const core::KbArticle& article, const Actor& actor) override;
  Result<StoredArticle> Update(core::Id id, std::int64_t expected_version,
                               const core::KbArticle& article, const Actor& actor) override;
  Result<StoredArticle> SetStatus(core::Id id, core::ArticleStatus status,
                                  std::optional<std::int64_t> expected_version,
                                  const Actor& actor) override;
  Result<StoredArticle> Get(core::Id id) override;
  Result<StoredArticle> GetByExternalId(const std::string& external_id,
                                        const std::string& audience) override;
  Result<KbArticlePage> List(const KbArticleFilter& filter) override;
  Result<std::vector<KbVersion>> Versions(core::Id id) override;
  Result<KbImportCounts> UpsertImported(std::span<const core::KbArticle> articles,
                                        const Actor& actor) override;
  Result<KbChanges> ChangedSince(std::int64_t seq, int limit) override;
  Status RecordDeflectionEvent(const DeflectionEvent& event) override;
  Result<KbDeflectionStats> DeflectionStats(Millis from, Millis to) override;

 private:
  // An article to import with the hash of its content, computed before the transaction.
  struct Incoming {
    const core::KbArticle* article;
    std::string sha256;
  };

  Result<StoredArticle> Load(SqlConnection& c, core::Id id);
  // The articles of `ids` that exist, by id.
  Result<std::map<core::Id, StoredArticle>> LoadMany(SqlConnection& c,
                                                     const std::vector<core::Id>& ids);
  // Kept unique across (external_id, audience): kAlreadyExists naming the holder.
  Status CheckExternalIdFree(SqlConnection& c, const core::KbArticle& article, core::Id self);
  // Takes `count` numbers of the change feed and returns the first; the audit head and then the
  // counter row stay locked to the end of the transaction (see HoldAuditHead).
  Result<std::int64_t> TakeSeqs(SqlConnection& c, std::int64_t count);
  // The versioned UPDATE of an existing article to `after` (content hash `sha256`, feed number
  // `seq`); kConflict when the stored version is no longer before's. The import hash changes
  // only when given.
  Status UpdateRow(SqlConnection& c, const StoredArticle& before, const core::KbArticle& after,
                   const std::string& sha256, const std::optional<std::string>& import_sha256,
                   std::int64_t seq, const Actor& actor);
  // One change of the desk to an existing article: its feed number, the UPDATE, the version row
  // and the audit entry. `after.version` must be before's plus one.
  Result<StoredArticle> WriteChange(SqlConnection& c, const StoredArticle& before,
                                    const core::KbArticle& after, const std::string& sha256,
                                    const std::string& action, const Actor& actor);
  Result<KbImportCounts> ImportChunk(SqlConnection& c, std::span<const Incoming> chunk,
                                     const Actor& actor);

  SqlDb& db_;
};

}  // namespace guichet::storage::internal
