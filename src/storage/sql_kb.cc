// The knowledge base on SQL. Every change to an article — create, edit, status, import — takes
// numbers of the change feed from the one-row kb_change_counter, in its transaction and after
// the audit chain's head (the lock order every writer keeps): changes therefore take their
// numbers in commit order, and ChangedSince, which reads the counter first and then the articles
// up to it, never misses an article committed later with a lower number (docs/decisions/0004).
#include "storage/sql_kb.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/crypto.h"
#include "common/text.h"
#include "storage/line_diff.h"
#include "storage/store.h"

namespace guichet::storage {

std::string_view ToString(DeflectionKind kind) {
  switch (kind) {
    case DeflectionKind::kShown:
      return "shown";
    case DeflectionKind::kClicked:
      return "clicked";
    case DeflectionKind::kAbandoned:
      return "abandoned";
    case DeflectionKind::kSubmitted:
      return "submitted";
  }
  return "shown";
}

std::optional<DeflectionKind> ParseDeflectionKind(std::string_view text) {
  if (text == "shown") return DeflectionKind::kShown;
  if (text == "clicked") return DeflectionKind::kClicked;
  if (text == "abandoned") return DeflectionKind::kAbandoned;
  if (text == "submitted") return DeflectionKind::kSubmitted;
  return std::nullopt;
}

namespace internal {
namespace {

using core::ArticleFormat;
using core::ArticleLink;
using core::ArticleOffice;
using core::ArticleStatus;
using core::KbArticle;

// Articles per import transaction: big enough that a full import is a few dozen commits, small
// enough that one holds the write lock for a fraction of a second.
constexpr std::size_t kImportChunk = 200;
constexpr int kMaxListLimit = 500;
constexpr int kMaxChangesLimit = 1000;

constexpr char kColumns[] =
    "id, external_id, audience, doc_type, title, summary, body, format, themes, keywords, "
    "legal_refs, offices, online_services, related_ids, language, source_url, status, version, "
    "created_at, updated_at, updated_by, content_sha256, change_seq";
// The same without the body, for lists.
constexpr char kListColumns[] =
    "id, external_id, audience, doc_type, title, summary, '' AS body, format, themes, keywords, "
    "legal_refs, offices, online_services, related_ids, language, source_url, status, version, "
    "created_at, updated_at, updated_by, content_sha256, change_seq";
// Written by INSERT and by UPDATE (the import hash only by imports: the desk's edits keep it).
constexpr char kInsertColumns[] =
    "external_id, audience, doc_type, title, title_folded, summary, body, format, themes, "
    "keywords, legal_refs, offices, online_services, related_ids, language, source_url, status, "
    "version, created_at, updated_at, updated_by, content_sha256, import_sha256, change_seq";
constexpr std::size_t kInsertWidth = 24;
constexpr char kUpdateSets[] =
    "external_id = ?, audience = ?, doc_type = ?, title = ?, title_folded = ?, summary = ?, "
    "body = ?, format = ?, themes = ?, keywords = ?, legal_refs = ?, offices = ?, "
    "online_services = ?, related_ids = ?, language = ?, source_url = ?, status = ?, "
    "version = ?, updated_at = ?, updated_by = ?, content_sha256 = ?, "
    "import_sha256 = COALESCE(?, import_sha256), change_seq = ?";

json LinksJson(const std::vector<ArticleLink>& links) {
  json out = json::array();
  for (const auto& l : links)
    out.push_back({{"id", l.id}, {"title", l.title}, {"url", l.url}, {"kind", l.kind}});
  return out;
}

json OfficesJson(const std::vector<ArticleOffice>& offices) {
  json out = json::array();
  for (const auto& o : offices)
    out.push_back({{"id", o.id}, {"title", o.title}, {"local_code", o.local_code}});
  return out;
}

std::string Text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Reads of a snapshot that never throw: a missing or mistyped field reads as empty.
std::int64_t Int(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
const json& Field(const json& j, const char* key) {
  static const json kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

std::vector<std::string> Strings(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::vector<ArticleLink> Links(const json& j) {
  std::vector<ArticleLink> out;
  if (!j.is_array()) return out;
  for (const auto& v : j)
    out.push_back({Text(v, "id"), Text(v, "title"), Text(v, "url"), Text(v, "kind")});
  return out;
}

std::vector<ArticleOffice> Offices(const json& j) {
  std::vector<ArticleOffice> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) out.push_back({Text(v, "id"), Text(v, "title"), Text(v, "local_code")});
  return out;
}

json ParsedJson(const std::string& text) { return json::parse(text, nullptr, false); }

// The content: what an edit or an import replaces, and what its hash covers.
json ContentJson(const KbArticle& a) {
  return {{"external_id", a.external_id},
          {"audience", a.audience},
          {"doc_type", a.doc_type},
          {"title", a.title},
          {"summary", a.summary},
          {"body", a.body},
          {"format", std::string(core::ToString(a.format))},
          {"themes", a.themes},
          {"keywords", a.keywords},
          {"legal_refs", LinksJson(a.legal_refs)},
          {"offices", OfficesJson(a.offices)},
          {"online_services", LinksJson(a.online_services)},
          {"related_ids", a.related_ids},
          {"language", a.language},
          {"source_url", a.source_url}};
}

// Each field of the content, named and length-prefixed (so no two contents share a text), in a
// fixed order: cheaper than the JSON (no escaping of the body), and as stable.
std::string ContentSha256(const KbArticle& a) {
  const std::pair<const char*, std::string> fields[] = {
      {"external_id", a.external_id},
      {"audience", a.audience},
      {"doc_type", a.doc_type},
      {"title", a.title},
      {"summary", a.summary},
      {"format", std::string(core::ToString(a.format))},
      {"themes", json(a.themes).dump()},
      {"keywords", json(a.keywords).dump()},
      {"legal_refs", LinksJson(a.legal_refs).dump()},
      {"offices", OfficesJson(a.offices).dump()},
      {"online_services", LinksJson(a.online_services).dump()},
      {"related_ids", json(a.related_ids).dump()},
      {"language", a.language},
      {"source_url", a.source_url}};
  std::string material;
  material.reserve(a.body.size() + 1024);
  auto add = [&](const char* name, std::string_view value) {
    material += name;
    material += ':';
    material += std::to_string(value.size());
    material += ':';
    material += value;
    material += '\n';
  };
  for (const auto& [name, value] : fields) add(name, value);
  add("body", a.body);
  return Sha256Hex(material);
}

json SnapshotJson(const KbArticle& a) {
  json j = ContentJson(a);
  j["id"] = a.id;
  j["status"] = std::string(core::ToString(a.status));
  j["version"] = a.version;
  j["updated_at"] = a.updated_at;
  return j;
}

KbArticle FromSnapshot(const json& j) {
  KbArticle a;
  if (!j.is_object()) return a;
  a.id = Int(j, "id");
  a.external_id = Text(j, "external_id");
  a.audience = Text(j, "audience");
  a.doc_type = Text(j, "doc_type");
  a.title = Text(j, "title");
  a.summary = Text(j, "summary");
  a.body = Text(j, "body");
  a.format = core::ParseArticleFormat(Text(j, "format")).value_or(ArticleFormat::kText);
  a.themes = Strings(Field(j, "themes"));
  a.keywords = Strings(Field(j, "keywords"));
  a.legal_refs = Links(Field(j, "legal_refs"));
  a.offices = Offices(Field(j, "offices"));
  a.online_services = Links(Field(j, "online_services"));
  a.related_ids = Strings(Field(j, "related_ids"));
  a.language = Text(j, "language");
  a.source_url = Text(j, "source_url");
  a.status = core::ParseArticleStatus(Text(j, "status")).value_or(ArticleStatus::kDraft);
  a.version = static_cast<int>(Int(j, "version"));
  a.updated_at = Int(j, "updated_at");
  return a;
}

// What the audit log keeps of an article: everything but the body's text, which the versions
// keep; the body is named by its hash and size.
json AuditJson(const KbArticle& a) {
  json j = ContentJson(a);
  j.erase("body");
  j["body_sha256"] = Sha256Hex(a.body);
  j["body_bytes"] = a.body.size();
  j["status"] = std::string(core::ToString(a.status));
  return j;
}

// A creation's entry: the article's identity and its content hash (the version has the rest).
json CreatedJson(const KbArticle& a, const std::string& sha256) {
  return Created({{"external_id", a.external_id},
                  {"audience", a.audience},
                  {"doc_type", a.doc_type},
                  {"title", a.title},
                  {"format", std::string(core::ToString(a.format))},
                  {"language", a.language},
                  {"status", std::string(core::ToString(a.status))},
                  {"content_sha256", sha256},
                  {"body_bytes", a.body.size()}});
}

StoredArticle RowToStored(const Row& r) {
  StoredArticle s;
  KbArticle& a = s.article;
  a.id = AsInt(r[0]);
  a.external_id = AsText(r[1]);
  a.audience = AsText(r[2]);
  a.doc_type = AsText(r[3]);
  a.title = AsText(r[4]);
  a.summary = AsText(r[5]);
  a.body = AsText(r[6]);
  a.format = core::ParseArticleFormat(AsText(r[7])).value_or(ArticleFormat::kText);
  a.themes = Strings(ParsedJson(AsText(r[8])));
  a.keywords = Strings(ParsedJson(AsText(r[9])));
  a.legal_refs = Links(ParsedJson(AsText(r[10])));
  a.offices = Offices(ParsedJson(AsText(r[11])));
  a.online_services = Links(ParsedJson(AsText(r[12])));
  a.related_ids = Strings(ParsedJson(AsText(r[13])));
  a.language = AsText(r[14]);
  a.source_url = AsText(r[15]);
  a.status = core::ParseArticleStatus(AsText(r[16])).value_or(ArticleStatus::kDraft);
  a.version = static_cast<int>(AsInt(r[17]));
  s.created_at = AsInt(r[18]);
  a.updated_at = AsInt(r[19]);
  s.updated_by = AsText(r[20]);
  s.content_sha256 = AsText(r[21]);
  s.change_seq = AsInt(r[22]);
  return s;
}

// The content columns' values: the first 16 of kInsertColumns, and of kUpdateSets.
Params ContentParams(const KbArticle& a) {
  return {a.external_id,
          a.audience,
          a.doc_type,
          a.title,
          Fold(a.title),
          a.summary,
          a.body,
          std::string(core::ToString(a.format)),
          json(a.themes).dump(),
          json(a.keywords).dump(),
          LinksJson(a.legal_refs).dump(),
          OfficesJson(a.offices).dump(),
          LinksJson(a.online_services).dump(),
          json(a.related_ids).dump(),
          a.language,
          a.source_url};
}

// The values of kInsertColumns for a new article.
Params InsertParams(const KbArticle& a, const std::string& created_by, const std::string& sha256,
                    const std::optional<std::string>& import_sha256, std::int64_t seq) {
  Params p = ContentParams(a);
  p.insert(p.end(), {std::string(core::ToString(a.status)), std::int64_t{a.version}, a.updated_at,
                     a.updated_at, created_by, sha256,
                     import_sha256 ? SqlValue(*import_sha256) : SqlValue(), seq});
  return p;
}

// HTML bodies are often one long line: for the diff, a line ends after each block's end tag.
std::string DiffLines(const KbArticle& a) {
  if (a.format != ArticleFormat::kHtml) return a.body;
  static const char* const kEnds[] = {"</p>",   "</li>",         "</h2>",    "</h3>",   "</h4>",
                                      "</tr>",  "<br>",          "</ul>",    "</ol>",   "</table>",
                                      "</pre>", "</blockquote>", "</thead>", "</tbody>"};
  std::string out;
  out.reserve(a.body.size() + a.body.size() / 16);
  for (std::size_t i = 0; i < a.body.size(); ++i) {
    out += a.body[i];
    if (a.body[i] != '>' || (i + 1 < a.body.size() && a.body[i + 1] == '\n')) continue;
    for (const char* end : kEnds) {
      const std::string_view e(end);
      if (out.size() >= e.size() && std::string_view(out).substr(out.size() - e.size()) == e) {
        out += '\n';
        break;
      }
    }
  }
  return out;
}

// The readable difference between two versions: the status move, then a line diff of each of
// title, summary and body that changed.
std::string ArticleDiff(const KbArticle& before, const KbArticle& after) {
  std::string out;
  if (before.status != after.status)
    out += "status: " + std::string(core::ToString(before.status)) + " -> " +
           std::string(core::ToString(after.status)) + "\n";
  const std::pair<const char*, std::pair<std::string, std::string>> fields[] = {
      {"title", {before.title, after.title}},
      {"summary", {before.summary, after.summary}},
      {"body", {DiffLines(before), DiffLines(after)}}};
  for (const auto& [name, texts] : fields) {
    const std::string diff = LineDiff(texts.first, texts.second);
    if (!diff.empty()) out += "--- " + std::string(name) + "\n" + diff;
  }
  return out;
}

std::string Describe(const std::vector<core::FieldError>& errors) {
  std::string out;
  for (std::size_t i = 0; i < errors.size() && i < 5; ++i)
    out += (i ? "; " : "") + errors[i].field + " " + errors[i].reason;
  if (errors.size() > 5) out += "; and " + std::to_string(errors.size() - 5) + " more";
  return out;
}

Status Validate(const KbArticle& a) {
  const auto errors = core::ValidateArticle(a);
  if (errors.empty()) return Status::Ok();
  return InvalidArgument("invalid article: " + Describe(errors));
}

// Inserts rows of `width` values each with `head` ("INSERT INTO t (…) VALUES ") in statements
// of 64, 32, …, 1 rows — seven shapes at most for a connection to prepare — and returns the
// RETURNING rows of them all.
Result<std::vector<Row>> InsertRows(SqlConnection& c, const std::string& head, std::size_t width,
                                    const std::vector<Params>& rows, const std::string& returning) {
  std::string one = "(" + Placeholders(width) + ")";
  std::vector<Row> out;
  for (std::size_t from = 0; from < rows.size();) {
    std::size_t n = 64;
    while (n > rows.size() - from) n /= 2;
    std::string sql = head;
    Params params;
    params.reserve(n * width);
    for (std::size_t i = from; i < from + n; ++i) {
      sql += i == from ? one : ", " + one;
      params.insert(params.end(), rows[i].begin(), rows[i].end());
    }
    GUICHET_ASSIGN_OR_RETURN(auto got, c.Query(sql + " RETURNING " + returning, params));
    out.insert(out.end(), got.begin(), got.end());
    from += n;
  }
  return out;
}

Params VersionParams(const KbArticle& a, const Actor& actor, Millis at, const std::string& diff) {
  return {
      a.id, std::int64_t{a.version}, OptId(actor.user_id), actor.label, at, SnapshotJson(a).dump(),
      diff};
}

const std::string kVersionInsert =
    "INSERT INTO kb_article_versions (article_id, version, author_id, author, created_at, "
    "snapshot, diff) VALUES ";

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool IsSessionToken(std::string_view s) {
  return s.size() >= 16 && s.size() <= 128 && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// An external id as core::ValidateArticle accepts it (empty allowed here).
bool IsExternalId(std::string_view s) {
  return s.size() <= core::kMaxArticleExternalId &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsTokenChar(c) || c == '.'; });
}

// "abc" → "abc%" with LIKE's own characters escaped (ESCAPE '\').
std::string LikePrefix(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace

Result<StoredArticle> SqlKb::Load(SqlConnection& c, core::Id id) {
  GUICHET_ASSIGN_OR_RETURN(
      auto rows,
      c.Query(std::string("SELECT ") + kColumns + " FROM kb_articles WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("article " + std::to_string(id) + " does not exist");
  return RowToStored(rows[0]);
}

Result<std::map<core::Id, StoredArticle>> SqlKb::LoadMany(SqlConnection& c,
                                                          const std::vector<core::Id>& ids) {
  std::map<core::Id, StoredArticle> out;
  // In statements of 64, 32, …, 1 ids, so that few statement shapes are prepared.
  for (std::size_t from = 0; from < ids.size();) {
    std::size_t n = 64;
    while (n > ids.size() - from) n /= 2;
    const Params params(ids.begin() + static_cast<std::ptrdiff_t>(from),
                        ids.begin() + static_cast<std::ptrdiff_t>(from + n));
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("SELECT ") + kColumns + " FROM kb_articles WHERE id IN (" +
                               Placeholders(n) + ")",
                           params));
    for (const Row& r : rows) {
      StoredArticle s = RowToStored(r);
      out.emplace(s.article.id, std::move(s));
    }
    from += n;
  }
  return out;
}

Status SqlKb::CheckExternalIdFree(SqlConnection& c, const KbArticle& a, core::Id self) {
  if (a.external_id.empty()) return Status::Ok();
  GUICHET_ASSIGN_OR_RETURN(
      auto rows, c.Query("SELECT id FROM kb_articles WHERE external_id = ? AND audience = ?",
                         {a.external_id, a.audience}));
  if (rows.empty() || AsInt(rows[0][0]) == self) return Status::Ok();
  return AlreadyExists("article " + std::to_string(AsInt(rows[0][0])) +
                       " already has external id " + a.external_id +
                       (a.audience.empty() ? "" : " for " + a.audience));
}

Result<std::int64_t> SqlKb::TakeSeqs(SqlConnection& c, std::int64_t count) {
  GUICHET_RETURN_IF_ERROR(db_.HoldAuditHead(c));
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query("UPDATE kb_change_counter SET last_seq = last_seq "
                                              "+ ? WHERE id = 1 RETURNING last_seq",
                                              {count}));
  if (rows.empty()) return Internal("the knowledge base's change counter is missing");
  return AsInt(rows[0][0]) - count + 1;
}

Result<StoredArticle> SqlKb::Create(const KbArticle& article, const Actor& actor) {
  GUICHET_RETURN_IF_ERROR(Validate(article));
  return db_.Tx<StoredArticle>(true, [&](SqlConnection& c) -> Result<StoredArticle> {
    GUICHET_RETURN_IF_ERROR(CheckExternalIdFree(c, article, 0));
    GUICHET_ASSIGN_OR_RETURN(const std::int64_t seq, TakeSeqs(c, 1));
    const Millis now = db_.clock().Now();
    KbArticle a = article;
    a.version = 1;
    a.updated_at = now;
    const std::string sha256 = ContentSha256(a);
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("INSERT INTO kb_articles (") + kInsertColumns +
                               ") VALUES (" + Placeholders(kInsertWidth) + ") RETURNING id",
                           InsertParams(a, actor.label, sha256, std::nullopt, seq)));
    a.id = AsInt(rows[0][0]);
    GUICHET_RETURN_IF_ERROR(
        c.Query(kVersionInsert + "(" + Placeholders(7) + ")", VersionParams(a, actor, now, ""))
            .status());
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, "kb_article.create", "kb_article", a.id,
                                      std::nullopt, CreatedJson(a, sha256)));
    return StoredArticle{std::move(a), now, actor.label, sha256, seq};
  });
}

Status SqlKb::UpdateRow(SqlConnection& c, const StoredArticle& before, const KbArticle& after,
                        const std::string& sha256, const std::optional<std::string>& import_sha256,
                        std::int64_t seq, const Actor& actor) {
  Params params = ContentParams(after);
  params.insert(params.end(), {std::string(core::ToString(after.status)),
                               std::int64_t{after.version}, after.updated_at, actor.label, sha256,
                               import_sha256 ? SqlValue(*import_sha256) : SqlValue(), seq, after.id,
                               std::int64_t{before.article.version}});
  GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("UPDATE kb_articles SET ") + kUpdateSets +
                                                  " WHERE id = ? AND version = ? RETURNING id",
                                              params));
  if (rows.empty())
    return Conflict("article " + std::to_string(after.id) + " was changed meanwhile");
  return Status::Ok();
}

Result<StoredArticle> SqlKb::WriteChange(SqlConnection& c, const StoredArticle& before,
                                         const KbArticle& after, const std::string& sha256,
                                         const std::string& action, const Actor& actor) {
  GUICHET_ASSIGN_OR_RETURN(const std::int64_t seq, TakeSeqs(c, 1));
  GUICHET_RETURN_IF_ERROR(UpdateRow(c, before, after, sha256, std::nullopt, seq, actor));
  GUICHET_RETURN_IF_ERROR(InsertRows(c, kVersionInsert, 7,
                                     {VersionParams(after, actor, after.updated_at,
                                                    ArticleDiff(before.article, after))},
                                     "article_id")
                              .status());
  GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, action, "kb_article", after.id, std::nullopt,
                                    Diff(AuditJson(before.article), AuditJson(after))));
  return StoredArticle{after, before.created_at, actor.label, sha256, seq};
}

Result<StoredArticle> SqlKb::Update(core::Id id, std::int64_t expected_version,
                                    const KbArticle& article, const Actor& actor) {
  GUICHET_RETURN_IF_ERROR(Validate(article));
  return db_.Tx<StoredArticle>(true, [&](SqlConnection& c) -> Result<StoredArticle> {
    // Read without a lock: the versioned UPDATE is the check, and the locks are taken in the
    // one order (audit head, change counter, article) by WriteChange.
    GUICHET_ASSIGN_OR_RETURN(const StoredArticle before, Load(c, id));
    if (before.article.version != expected_version)
      return Conflict("article " + std::to_string(id) + " is at version " +
                      std::to_string(before.article.version) + ", the change was made on version " +
                      std::to_string(expected_version));
    KbArticle after = article;
    after.id = id;
    after.status = before.article.status;
    const std::string sha256 = ContentSha256(after);
    if (sha256 == before.content_sha256) return before;
    GUICHET_RETURN_IF_ERROR(CheckExternalIdFree(c, after, id));
    after.version = before.article.version + 1;
    after.updated_at = db_.clock().Now();
    return WriteChange(c, before, after, sha256, "kb_article.update", actor);
  });
}

Result<StoredArticle> SqlKb::SetStatus(core::Id id, ArticleStatus status,
                                       std::optional<std::int64_t> expected_version,
                                       const Actor& actor) {
  return db_.Tx<StoredArticle>(true, [&](SqlConnection& c) -> Result<StoredArticle> {
    GUICHET_ASSIGN_OR_RETURN(const StoredArticle before, Load(c, id));
    if (expected_version && before.article.version != *expected_version)
      return Conflict("article " + std::to_string(id) + " is at version " +
                      std::to_string(before.article.version) + ", the change was made on version " +
                      std::to_string(*expected_version));
    if (before.article.status == status) return before;
    KbArticle after = before.article;
    after.status = status;
    after.version = before.article.version + 1;
    after.updated_at = db_.clock().Now();
    return WriteChange(c, before, after, before.content_sha256, "kb_article.status", actor);
  });
}

Result<StoredArticle> SqlKb::Get(core::Id id) {
  return db_.Read<StoredArticle>([&](SqlConnection& c) { return Load(c, id); });
}

Result<StoredArticle> SqlKb::GetByExternalId(const std::string& external_id,
                                             const std::string& audience) {
  if (external_id.empty()) return InvalidArgument("an external id is required");
  return db_.Read<StoredArticle>([&](SqlConnection& c) -> Result<StoredArticle> {
    GUICHET_ASSIGN_OR_RETURN(auto rows,
                             c.Query(std::string("SELECT ") + kColumns +
                                         " FROM kb_articles WHERE external_id = ? AND audience = ?",
                                     {external_id, audience}));
    if (rows.empty())
      return NotFound("no article with external id " + external_id +
                      (audience.empty() ? "" : " for " + audience));
    return RowToStored(rows[0]);
  });
}

Result<KbArticlePage> SqlKb::List(const KbArticleFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxListLimit)
    return InvalidArgument("a page holds 1 to " + std::to_string(kMaxListLimit) + " articles");
  std::string sql = std::string("SELECT ") + kListColumns + " FROM kb_articles WHERE 1 = 1";
  Params params;
  if (!filter.statuses.empty()) {
    sql += " AND status IN (" + Placeholders(filter.statuses.size()) + ")";
    for (auto s : filter.statuses) params.push_back(std::string(core::ToString(s)));
  }
  if (!filter.audience.empty()) {
    sql += " AND audience = ?";
    params.push_back(filter.audience);
  }
  if (!filter.theme.empty()) {
    sql += db_.dialect() == Dialect::kPostgres
               ? " AND themes::jsonb @> jsonb_build_array(?::text)"
               : " AND EXISTS (SELECT 1 FROM json_each(kb_articles.themes) t WHERE t.value = ?)";
    params.push_back(filter.theme);
  }
  if (!filter.title_prefix.empty()) {
    sql += " AND title_folded LIKE ? ESCAPE '\\'";
    params.push_back(LikePrefix(Fold(filter.title_prefix)));
  }
  if (filter.after_id) {
    sql += " AND (title_folded, id) > (SELECT title_folded, id FROM kb_articles WHERE id = ?)";
    params.push_back(*filter.after_id);
  }
  sql += " ORDER BY title_folded, id LIMIT ?";
  params.push_back(std::int64_t{filter.limit + 1});
  return db_.Read<KbArticlePage>([&](SqlConnection& c) -> Result<KbArticlePage> {
    GUICHET_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
    KbArticlePage page;
    for (const Row& r : rows) page.items.push_back(RowToStored(r));
    if (page.items.size() > static_cast<std::size_t>(filter.limit)) {
      page.items.pop_back();
      page.next_after_id = page.items.back().article.id;
    }
    return page;
  });
}

Result<std::vector<KbVersion>> SqlKb::Versions(core::Id id) {
  return db_.Read<std::vector<KbVersion>>([&](SqlConnection& c) -> Result<std::vector<KbVersion>> {
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query("SELECT article_id, version, author_id, author, created_at, snapshot, "
                           "diff FROM kb_article_versions WHERE article_id = ? "
                           "ORDER BY version DESC",
                           {id}));
    // Every article has its first version: none means no article.
    if (rows.empty()) return NotFound("article " + std::to_string(id) + " does not exist");
    std::vector<KbVersion> out;
    for (const Row& r : rows) {
      KbVersion v;
      v.article_id = AsInt(r[0]);
      v.version = static_cast<int>(AsInt(r[1]));
      v.author_id = ToOptId(r[2]);
      v.author = AsText(r[3]);
      v.created_at = AsInt(r[4]);
      v.article = FromSnapshot(ParsedJson(AsText(r[5])));
      v.diff = AsText(r[6]);
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<KbImportCounts> SqlKb::UpsertImported(std::span<const KbArticle> articles,
                                             const Actor& actor) {
  // Everything is checked before anything is written.
  std::vector<std::string> problems;
  std::set<std::pair<std::string, std::string>> keys;
  std::vector<Incoming> incoming;
  incoming.reserve(articles.size());
  for (std::size_t i = 0; i < articles.size(); ++i) {
    const KbArticle& a = articles[i];
    const std::string name = "articles[" + std::to_string(i) + "]" +
                             (a.external_id.empty() ? "" : " (" + a.external_id + ")");
    std::vector<core::FieldError> errors = core::ValidateArticle(a);
    if (a.external_id.empty()) errors.insert(errors.begin(), {"external_id", "is required"});
    if (!errors.empty()) {
      problems.push_back(name + ": " + Describe(errors));
    } else if (!keys.insert({a.external_id, a.audience}).second) {
      problems.push_back(name + ": external id given twice for audience \"" + a.audience + "\"");
    }
    incoming.push_back({&a, ContentSha256(a)});
  }
  if (!problems.empty()) {
    std::string message = std::to_string(problems.size()) + " of " +
                          std::to_string(articles.size()) +
                          " articles cannot be imported, nothing was: ";
    for (std::size_t i = 0; i < problems.size() && i < 5; ++i)
      message += (i ? " | " : "") + problems[i];
    if (problems.size() > 5) message += " | …";
    return InvalidArgument(message);
  }
  KbImportCounts total;
  int analyze_at = static_cast<int>(kImportChunk);
  for (std::size_t from = 0; from < incoming.size(); from += kImportChunk) {
    const std::span<const Incoming> chunk(incoming.data() + from,
                                          std::min(kImportChunk, incoming.size() - from));
    GUICHET_ASSIGN_OR_RETURN(const KbImportCounts counts,
                             db_.Tx<KbImportCounts>(true, [&](SqlConnection& c) {
                               return ImportChunk(c, chunk, actor);
                             }));
    total.created += counts.created;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
    // A bulk import grows the table faster than autovacuum refreshes PostgreSQL's statistics,
    // and without them each chunk's lookup by external id scans the whole table (a hundred times
    // slower at 7,600 articles, first import and re-runs alike): refresh them as it doubles.
    if (db_.dialect() == Dialect::kPostgres && total.created >= analyze_at) {
      const Status analyzed =
          db_.TxAlone<Unit>(true,
                            [](SqlConnection& c) -> Result<Unit> {
                              GUICHET_RETURN_IF_ERROR(c.ExecScript("ANALYZE kb_articles"));
                              return Unit{};
                            })
              .status();
      if (!analyzed.ok()) return analyzed;
      while (analyze_at <= total.created) analyze_at *= 2;
    }
  }
  return total;
}

Result<KbImportCounts> SqlKb::ImportChunk(SqlConnection& c, std::span<const Incoming> chunk,
                                          const Actor& actor) {
  // The stored id and import hash of each key of the chunk.
  using Key = std::pair<std::string, std::string>;
  auto stored = [&]() -> Result<std::map<Key, std::pair<core::Id, std::string>>> {
    Params ids;
    for (const Incoming& in : chunk) ids.push_back(in.article->external_id);
    GUICHET_ASSIGN_OR_RETURN(
        // "external_id <> ''" lets the partial unique index serve the lookup.
        auto rows, c.Query("SELECT id, external_id, audience, import_sha256 FROM kb_articles "
                           "WHERE external_id <> '' AND external_id IN (" +
                               Placeholders(ids.size()) + ")",
                           ids));
    std::map<Key, std::pair<core::Id, std::string>> out;
    for (const Row& r : rows) out[{AsText(r[1]), AsText(r[2])}] = {AsInt(r[0]), AsText(r[3])};
    return out;
  };
  auto unchanged = [](const Incoming& in, const auto& known) {
    auto it = known.find(Key{in.article->external_id, in.article->audience});
    return it != known.end() && it->second.second == in.sha256;
  };
  // First without a lock: a run that brings nothing new writes nothing and holds no lock.
  GUICHET_ASSIGN_OR_RETURN(auto known, stored());
  if (std::all_of(chunk.begin(), chunk.end(),
                  [&](const Incoming& in) { return unchanged(in, known); }))
    return KbImportCounts{0, 0, static_cast<int>(chunk.size())};
  // Then under the locks every article writer takes, as another node may have imported them.
  GUICHET_RETURN_IF_ERROR(db_.HoldAuditHead(c));
  GUICHET_RETURN_IF_ERROR(
      c.Query("SELECT last_seq FROM kb_change_counter WHERE id = 1" + db_.ForUpdate(), {})
          .status());
  GUICHET_ASSIGN_OR_RETURN(known, stored());

  KbImportCounts counts;
  std::vector<const Incoming*> created, changed;
  for (const Incoming& in : chunk) {
    auto it = known.find({in.article->external_id, in.article->audience});
    if (it == known.end()) {
      created.push_back(&in);
    } else if (it->second.second == in.sha256) {
      ++counts.unchanged;
    } else {
      changed.push_back(&in);
    }
  }
  if (changed.empty() && created.empty()) return counts;
  const Millis now = db_.clock().Now();
  GUICHET_ASSIGN_OR_RETURN(std::int64_t seq,
                           TakeSeqs(c, static_cast<std::int64_t>(changed.size() + created.size())));
  std::vector<Params> versions;
  std::vector<std::pair<core::Id, json>> audits;  // in the order written

  // Changed: one UPDATE each, their old state read together (for the diff and the audit).
  std::vector<core::Id> changed_ids;
  for (const Incoming* in : changed)
    changed_ids.push_back(known.at({in->article->external_id, in->article->audience}).first);
  GUICHET_ASSIGN_OR_RETURN(auto befores, LoadMany(c, changed_ids));
  for (std::size_t i = 0; i < changed.size(); ++i) {
    auto found = befores.find(changed_ids[i]);
    if (found == befores.end()) return Conflict("an imported article was deleted meanwhile");
    const StoredArticle& before = found->second;
    KbArticle after = *changed[i]->article;
    after.id = before.article.id;
    after.status = before.article.status;  // publishing stays the desk's decision
    after.version = before.article.version + 1;
    after.updated_at = now;
    GUICHET_RETURN_IF_ERROR(
        UpdateRow(c, before, after, changed[i]->sha256, changed[i]->sha256, seq++, actor));
    versions.push_back(VersionParams(after, actor, now, ArticleDiff(before.article, after)));
    audits.emplace_back(after.id, Diff(AuditJson(before.article), AuditJson(after)));
  }
  counts.updated = static_cast<int>(changed.size());

  // Created: multi-row INSERTs.
  if (!created.empty()) {
    std::vector<KbArticle> rows;
    std::vector<Params> params;
    for (const Incoming* in : created) {
      KbArticle a = *in->article;
      a.version = 1;
      a.updated_at = now;
      params.push_back(InsertParams(a, actor.label, in->sha256, in->sha256, seq++));
      rows.push_back(std::move(a));
    }
    GUICHET_ASSIGN_OR_RETURN(
        auto ids,
        InsertRows(c, std::string("INSERT INTO kb_articles (") + kInsertColumns + ") VALUES ",
                   kInsertWidth, params, "id, external_id, audience"));
    std::map<Key, core::Id> id_of;
    for (const Row& r : ids) id_of[{AsText(r[1]), AsText(r[2])}] = AsInt(r[0]);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].id = id_of.at({rows[i].external_id, rows[i].audience});
      versions.push_back(VersionParams(rows[i], actor, now, ""));
      audits.emplace_back(rows[i].id, CreatedJson(rows[i], created[i]->sha256));
    }
    counts.created = static_cast<int>(created.size());
  }
  GUICHET_RETURN_IF_ERROR(InsertRows(c, kVersionInsert, 7, versions, "article_id").status());
  for (std::size_t i = 0; i < audits.size(); ++i) {
    const bool update = i < changed.size();
    GUICHET_RETURN_IF_ERROR(db_.Audit(c, actor, update ? "kb_article.update" : "kb_article.create",
                                      "kb_article", audits[i].first, std::nullopt,
                                      audits[i].second));
  }
  return counts;
}

Result<KbChanges> SqlKb::ChangedSince(std::int64_t seq, int limit) {
  if (limit < 1 || limit > kMaxChangesLimit)
    return InvalidArgument("ask for 1 to " + std::to_string(kMaxChangesLimit) + " changes");
  if (seq < 0) return InvalidArgument("the feed starts at 0");
  return db_.Read<KbChanges>([&](SqlConnection& c) -> Result<KbChanges> {
    // The counter first: every number up to it is committed (each writer held the counter to
    // its COMMIT), so the articles read next, up to it, are all there is below it.
    GUICHET_ASSIGN_OR_RETURN(auto end,
                             c.Query("SELECT last_seq FROM kb_change_counter WHERE id = 1", {}));
    if (end.empty()) return Internal("the knowledge base's change counter is missing");
    KbChanges out;
    out.max_seq = AsInt(end[0][0]);
    GUICHET_ASSIGN_OR_RETURN(
        auto rows, c.Query(std::string("SELECT ") + kColumns +
                               " FROM kb_articles WHERE change_seq > ? AND change_seq <= ? "
                               "ORDER BY change_seq LIMIT ?",
                           {seq, out.max_seq, std::int64_t{limit}}));
    for (const Row& r : rows) out.items.push_back(RowToStored(r));
    return out;
  });
}

Status SqlKb::RecordDeflectionEvent(const DeflectionEvent& e) {
  if (!IsSessionToken(e.session))
    return InvalidArgument("session must be 16 to 128 letters, digits, '-' or '_'");
  if (e.query_length < 0 || e.query_length > 10000)
    return InvalidArgument("query_length must be between 0 and 10000");
  if (e.suggestions < 0 || e.suggestions > 100)
    return InvalidArgument("suggestions must be between 0 and 100");
  if ((e.article_id && *e.article_id < 1) || (e.request_id && *e.request_id < 1))
    return InvalidArgument("ids are positive");
  if (!IsExternalId(e.article_external_id))
    return InvalidArgument(
        "article_external_id may contain only letters, digits, '.', '-' "
        "and '_', at most 64");
  return db_
      .Tx<Unit>(true,
                [&](SqlConnection& c) -> Result<Unit> {
                  GUICHET_RETURN_IF_ERROR(
                      c.Query("INSERT INTO kb_deflection_events (created_at, kind, session, "
                              "article_id, article_external_id, request_id, query_length, "
                              "suggestions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              {db_.clock().Now(), std::string(ToString(e.kind)), e.session,
                               OptId(e.article_id),
                               e.article_external_id.empty() ? SqlValue()
                                                             : SqlValue(e.article_external_id),
                               OptId(e.request_id), std::int64_t{e.query_length},
                               std::int64_t{e.suggestions}})
                          .status());
                  return Unit{};
                })
      .status();
}

Result<KbDeflectionStats> SqlKb::DeflectionStats(Millis from, Millis to) {
  if (from >= to) return InvalidArgument("the period must end after it starts");
  return db_.Read<KbDeflectionStats>([&](SqlConnection& c) -> Result<KbDeflectionStats> {
    KbDeflectionStats s;
    GUICHET_ASSIGN_OR_RETURN(
        auto kinds, c.Query("SELECT kind, COUNT(*) FROM kb_deflection_events WHERE created_at >= ? "
                            "AND created_at < ? GROUP BY kind",
                            {from, to}));
    for (const Row& r : kinds) {
      const auto kind = ParseDeflectionKind(AsText(r[0]));
      if (!kind) continue;
      std::int64_t* slot[] = {&s.shown, &s.clicked, &s.abandoned, &s.submitted};
      *slot[static_cast<int>(*kind)] = AsInt(r[1]);
    }
    GUICHET_ASSIGN_OR_RETURN(
        auto sessions,
        c.Query("SELECT COUNT(DISTINCT e.session), COUNT(DISTINCT CASE WHEN NOT EXISTS (SELECT 1 "
                "FROM kb_deflection_events s WHERE s.session = e.session AND s.kind = "
                "'submitted') THEN e.session END) FROM kb_deflection_events e WHERE e.kind = "
                "'shown' AND e.suggestions > 0 AND e.created_at >= ? AND e.created_at < ?",
                {from, to}));
    s.sessions_shown = AsInt(sessions[0][0]);
    s.sessions_deflected = AsInt(sessions[0][1]);
    if (s.sessions_shown > 0)
      s.deflection_rate =
          static_cast<double>(s.sessions_deflected) / static_cast<double>(s.sessions_shown);
    return s;
  });
}

}  // namespace internal
}  // namespace guichet::storage
