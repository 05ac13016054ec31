// KbStore: the knowledge base — articles written in the desk or imported (service-public.fr
// fiches), every stored version of each with a readable diff, the change feed that each node's
// search index follows, and the deflection events of the citizen form (did a suggested article
// spare a request?). Reached through Store::kb(); the same contract as Store holds: one
// transaction per call (UpsertImported: one per few hundred articles), article changes audited
// (entries name the body by its SHA-256 and length, the versions keep the text), kNotFound /
// kAlreadyExists / kConflict / kInvalidArgument. Articles are validated with
// core::ValidateArticle; HTML bodies are stored as given, so callers sanitise them first
// (kb/sanitize.h). Permissions are the caller's job. Thread-safety: as Store.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "core/kb.h"
#include "core/model.h"

namespace guichet::storage {

struct Actor;

// An article as stored, with what the store keeps beside it.
struct StoredArticle {
  core::KbArticle article;
  Millis created_at = 0;
  std::string updated_by;       // the actor of the last change ("user:12", "import")
  std::string content_sha256;   // of the content (every field but id, status and version)
  std::int64_t change_seq = 0;  // its place in the change feed (ChangedSince)
};

// Articles in title order (case and accents folded), then id. `after_id` is the cursor: the id
// of the last item of the previous page.
struct KbArticleFilter {
  std::vector<core::ArticleStatus> statuses;  // any of these (empty = all)
  std::string audience;                       // exactly this audience (empty = any)
  std::string theme;                          // articles listing this theme (empty = any)
  std::string title_prefix;  // titles starting with it, case and accents folded (empty = any)
  int limit = 50;            // 1 to 500
  std::optional<core::Id> after_id;
};

struct KbArticlePage {
  std::vector<StoredArticle> items;       // without their body (empty)
  std::optional<core::Id> next_after_id;  // set when more items may follow
};

// One stored version: the whole article as it was then, and a line diff of its title, summary
// and body against the version before it, with its status change if any (empty for version 1).
struct KbVersion {
  core::Id article_id = 0;
  int version = 0;
  std::optional<core::Id> author_id;  // empty for an import or another system actor
  std::string author;                 // the actor's label
  Millis created_at = 0;
  core::KbArticle article;
  std::string diff;
};

struct KbImportCounts {
  int created = 0;
  int updated = 0;    // the content changed: a new version
  int unchanged = 0;  // the same content as last imported: untouched
};

// What changed after a point of the feed: `items` in feed order (drafts and archived articles
// too, so that an index drops them), at most `limit` of them, and `max_seq`, the feed's end when
// it was read. Continue from items.back().change_seq when `items` is full, else from max_seq.
struct KbChanges {
  std::vector<StoredArticle> items;
  std::int64_t max_seq = 0;
};

enum class DeflectionKind { kShown, kClicked, kAbandoned, kSubmitted };
std::string_view ToString(DeflectionKind kind);  // "shown", "clicked", "abandoned", "submitted"
std::optional<DeflectionKind> ParseDeflectionKind(std::string_view text);

inline constexpr std::size_t kMinDeflectionSession = 16, kMaxDeflectionSession = 128;

// One event of the citizen form, under the random token it drew for its session. Carries no
// personal data: no text, only lengths and counts.
struct DeflectionEvent {
  DeflectionKind kind = DeflectionKind::kShown;
  std::string session;  // kMinDeflectionSession to kMaxDeflectionSession of A-Z a-z 0-9 - _
  std::optional<core::Id> article_id;
  std::string article_external_id;  // may be empty
  std::optional<core::Id> request_id;
  int query_length = 0;  // 0 to 10,000
  int suggestions = 0;   // articles shown, 0 to 100
};

// Events counted in [from, to). A session is deflected when it was shown at least one
// suggestion in the window and never submitted a request.
struct KbDeflectionStats {
  std::int64_t shown = 0, clicked = 0, abandoned = 0, submitted = 0;  // events
  std::int64_t sessions_shown = 0;      // sessions shown at least one suggestion
  std::int64_t sessions_deflected = 0;  // … of which none submitted a request
  double deflection_rate = 0;           // sessions_deflected / sessions_shown (0 when none)
};

class KbStore {
 public:
  virtual ~KbStore() = default;

  // Stores a new article as version 1 with the status it carries (draft by default). An
  // external id already taken in the same audience is kAlreadyExists.
  virtual Result<StoredArticle> Create(const core::KbArticle& article, const Actor& actor) = 0;
  // Replaces the content (every field but id, status and version) when the stored version is
  // `expected_version` (kConflict otherwise), as a new version. The same content again changes
  // nothing and returns the article as it is.
  virtual Result<StoredArticle> Update(core::Id id, std::int64_t expected_version,
                                       const core::KbArticle& article, const Actor& actor) = 0;
  // Publishes, archives or takes back to draft, as a new version; any move between the three is
  // allowed, and the current status again changes nothing. With `expected_version`, kConflict
  // unless it is the stored one.
  virtual Result<StoredArticle> SetStatus(core::Id id, core::ArticleStatus status,
                                          std::optional<std::int64_t> expected_version,
                                          const Actor& actor) = 0;
  virtual Result<StoredArticle> Get(core::Id id) = 0;
  virtual Result<StoredArticle> GetByExternalId(const std::string& external_id,
                                                const std::string& audience) = 0;
  virtual Result<KbArticlePage> List(const KbArticleFilter& filter) = 0;
  // Newest first; kNotFound when the article does not exist.
  virtual Result<std::vector<KbVersion>> Versions(core::Id id) = 0;

  // Creates or refreshes imported articles, keyed by (external_id, audience), which every one
  // must have. One whose content is the same as at its last import is left untouched (no new
  // version, no change in the feed); a changed one becomes a new version and keeps its status
  // (a desk decision); a new one gets the status it carries. Every article is validated first:
  // an invalid one, or a key given twice, is kInvalidArgument naming them, and nothing is
  // written. Runs in transactions of a few hundred articles, so an error part-way leaves the
  // earlier ones done (running it again finishes the job).
  virtual Result<KbImportCounts> UpsertImported(std::span<const core::KbArticle> articles,
                                                const Actor& actor) = 0;

  // The articles changed after `seq` (0: all), at most `limit` (1 to 1,000), with the feed's
  // end (see KbChanges). Safe with writers on several nodes: an article committed later never
  // gets a number below one already read.
  virtual Result<KbChanges> ChangedSince(std::int64_t seq, int limit) = 0;

  // Not audited: measurements, not changes to cases or content. kInvalidArgument for a bad
  // session token or out-of-range numbers.
  virtual Status RecordDeflectionEvent(const DeflectionEvent& event) = 0;
  virtual Result<KbDeflectionStats> DeflectionStats(Millis from, Millis to) = 0;
};

}  // namespace guichet::storage
