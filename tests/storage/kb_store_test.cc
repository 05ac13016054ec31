// The knowledge base (storage/kb_store.h) on SQLite and on PostgreSQL: articles created, edited
// with version checks, published and archived, each change a version with its diff and an
// audit entry; lists by status, audience, theme and folded title prefix, in pages; idempotent
// imports in chunks; the change feed, including with writers on two store instances (two nodes)
// at once; and the deflection events and their rate.
#include "storage/kb_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "testing/status_macros.h"
#include "testing/store_fixture.h"

namespace guichet::storage {
namespace {

using core::ArticleFormat;
using core::ArticleStatus;
using core::Id;
using core::KbArticle;

KbArticle Article(const std::string& title, const std::string& body = "<p>Texte.</p>") {
  KbArticle a;
  a.title = title;
  a.summary = "En bref : " + title;
  a.body = body;
  a.format = ArticleFormat::kHtml;
  a.themes = {"Logement"};
  a.keywords = {"loyer"};
  a.legal_refs = {{"R1", "Loi n° 89-462 du 6 juillet 1989", "https://www.legifrance.gouv.fr/x",
                   "Texte de référence"}};
  a.offices = {{"caf", "Caisse d'allocations familiales (Caf)", "caf"}};
  a.online_services = {{"R2", "Simulateur APL", "https://www.caf.fr/simulateur", "Simulateur"}};
  a.related_ids = {"F1234"};
  a.source_url = "https://www.service-public.fr/particuliers/vosdroits/F2211";
  return a;
}

KbArticle Imported(int n, const std::string& audience = "particuliers") {
  KbArticle a = Article("Fiche " + std::to_string(n), "<p>Contenu " + std::to_string(n) + "</p>");
  a.external_id = "F" + std::to_string(n);
  a.audience = audience;
  a.status = ArticleStatus::kPublished;
  return a;
}

class KbStoreTest : public guichet::testing::StoreTest {
 protected:
  KbStore& kb() { return store().kb(); }

  // A user to write as: versions name their author by user id.
  Actor Writer(const std::string& name) {
    core::NewUser user;
    user.email = name + "@mairie.example";
    user.role = core::Role::kAgent;
    auto created = store().CreateUser(user, actor());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return Actor::User(created.ok() ? created->id : 0);
  }

  std::int64_t Count(const std::string& table) {
    auto rows = store().RawQuery("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::stoll(*(*rows)[0][0]) : -1;
  }

  std::int64_t MaxSeq() {
    auto changes = kb().ChangedSince(0, 1);
    EXPECT_TRUE(changes.ok()) << changes.status().ToString();
    return changes.ok() ? changes->max_seq : -1;
  }

  std::vector<std::string> ListedTitles(const KbArticleFilter& filter) {
    auto page = kb().List(filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> titles;
    if (page.ok())
      for (const auto& s : page->items) titles.push_back(s.article.title);
    return titles;
  }
};

TEST_P(KbStoreTest, CreateStoresVersionOneAsDraftAudited) {
  const Actor writer = Writer("redaction");
  ASSERT_OK_AND_ASSIGN(const StoredArticle created,
                       kb().Create(Article("Payer son loyer"), writer));
  const KbArticle& a = created.article;
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.status, ArticleStatus::kDraft);
  EXPECT_EQ(a.updated_at, guichet::testing::kTestStart);
  EXPECT_EQ(created.created_at, guichet::testing::kTestStart);
  EXPECT_EQ(created.updated_by, writer.label);
  EXPECT_EQ(created.change_seq, 1);
  EXPECT_EQ(created.content_sha256.size(), 64u);
  EXPECT_EQ(a.legal_refs.size(), 1u);
  EXPECT_EQ(a.legal_refs[0].kind, "Texte de référence");
  EXPECT_EQ(a.offices[0].local_code, "caf");
  EXPECT_EQ(a.online_services[0].url, "https://www.caf.fr/simulateur");
  EXPECT_EQ(a.related_ids, std::vector<std::string>{"F1234"});

  ASSERT_OK_AND_ASSIGN(const StoredArticle got, kb().Get(a.id));
  EXPECT_EQ(got.article.body, "<p>Texte.</p>");
  EXPECT_EQ(got.content_sha256, created.content_sha256);

  ASSERT_OK_AND_ASSIGN(const auto versions, kb().Versions(a.id));
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].author_id, writer.user_id);
  EXPECT_EQ(versions[0].author, writer.label);
  EXPECT_EQ(versions[0].diff, "");
  EXPECT_EQ(versions[0].article.title, "Payer son loyer");
  EXPECT_EQ(versions[0].article.offices[0].title, "Caisse d'allocations familiales (Caf)");

  ASSERT_OK_AND_ASSIGN(const auto audit, store().ListAudit({}));
  ASSERT_FALSE(audit.empty());
  const AuditEntry& entry = audit.back();
  EXPECT_EQ(entry.action, "kb_article.create");
  EXPECT_EQ(entry.entity, "kb_article");
  EXPECT_EQ(entry.entity_id, a.id);
  EXPECT_NE(entry.changes_json.find(created.content_sha256), std::string::npos);
  ASSERT_OK_AND_ASSIGN(const auto verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;

  EXPECT_STATUS(kb().Get(a.id + 100), StatusCode::kNotFound);
  EXPECT_STATUS(kb().Versions(a.id + 100), StatusCode::kNotFound);
}

TEST_P(KbStoreTest, ExternalIdsAreUniquePerAudience) {
  KbArticle a = Imported(2211);
  ASSERT_OK_AND_ASSIGN(const StoredArticle first, kb().Create(a, actor()));
  EXPECT_EQ(first.article.status, ArticleStatus::kPublished) << "the status it carries";
  const auto again = kb().Create(a, actor());
  EXPECT_STATUS(again, StatusCode::kAlreadyExists);
  EXPECT_NE(again.status().message().find("F2211"), std::string::npos) << again.status().ToString();
  a.audience = "professionnels";
  ASSERT_OK(kb().Create(a, actor()));
  // Articles of the desk have no external id: any number of them.
  ASSERT_OK(kb().Create(Article("Un"), actor()));
  ASSERT_OK(kb().Create(Article("Deux"), actor()));

  ASSERT_OK_AND_ASSIGN(const StoredArticle found, kb().GetByExternalId("F2211", "particuliers"));
  EXPECT_EQ(found.article.id, first.article.id);
  EXPECT_STATUS(kb().GetByExternalId("F2211", "associations"), StatusCode::kNotFound);
  EXPECT_STATUS(kb().GetByExternalId("", ""), StatusCode::kInvalidArgument);
}

TEST_P(KbStoreTest, InvalidArticlesAreRefusedWithReadableReasons) {
  KbArticle a = Article("");
  auto refused = kb().Create(a, actor());
  EXPECT_STATUS(refused, StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("title is required"), std::string::npos)
      << refused.status().ToString();
  a = Article(std::string(301, 't'), std::string(core::kMaxArticleBodyBytes + 1, 'b'));
  a.summary = std::string(2001, 's');
  refused = kb().Create(a, actor());
  EXPECT_STATUS(refused, StatusCode::kInvalidArgument);
  for (const char* part : {"title is longer than 300 characters",
                           "summary is longer than 2000 characters", "body is larger than 500 KB"})
    EXPECT_NE(refused.status().message().find(part), std::string::npos) << part;
  EXPECT_EQ(Count("kb_articles"), 0);
  EXPECT_EQ(MaxSeq(), 0) << "nothing taken from the feed";
}

TEST_P(KbStoreTest, UpdatesCheckTheVersionAndKeepEveryVersion) {
  ASSERT_OK_AND_ASSIGN(
      const StoredArticle v1,
      kb().Create(Article("Ancien titre", "<p>Un.</p><p>Deux.</p><p>Trois.</p>"), actor()));
  clock().Advance(60'000);
  KbArticle edit = Article("Nouveau titre", "<p>Un.</p><p>Deux bis.</p><p>Trois.</p>");
  const Actor editor = Writer("edition");
  ASSERT_OK_AND_ASSIGN(const StoredArticle v2, kb().Update(v1.article.id, 1, edit, editor));
  EXPECT_EQ(v2.article.version, 2);
  EXPECT_EQ(v2.article.title, "Nouveau titre");
  EXPECT_EQ(v2.article.status, ArticleStatus::kDraft);
  EXPECT_EQ(v2.article.updated_at, guichet::testing::kTestStart + 60'000);
  EXPECT_EQ(v2.created_at, guichet::testing::kTestStart);
  EXPECT_EQ(v2.updated_by, editor.label);
  EXPECT_GT(v2.change_seq, v1.change_seq);
  EXPECT_NE(v2.content_sha256, v1.content_sha256);

  // A stale version is a conflict that says where things stand, and changes nothing.
  const auto stale = kb().Update(v1.article.id, 1, Article("Autre"), actor());
  EXPECT_STATUS(stale, StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("is at version 2"), std::string::npos)
      << stale.status().ToString();
  // The same content again is no change at all.
  ASSERT_OK_AND_ASSIGN(const StoredArticle same, kb().Update(v1.article.id, 2, edit, actor()));
  EXPECT_EQ(same.article.version, 2);
  EXPECT_EQ(same.change_seq, v2.change_seq);
  EXPECT_STATUS(kb().Update(v1.article.id + 100, 1, edit, actor()), StatusCode::kNotFound);
  EXPECT_STATUS(kb().Update(v1.article.id, 2, Article(""), actor()), StatusCode::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(const auto versions, kb().Versions(v1.article.id));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, 2) << "newest first";
  EXPECT_EQ(versions[0].author, editor.label);
  EXPECT_EQ(versions[0].article.body, "<p>Un.</p><p>Deux bis.</p><p>Trois.</p>");
  EXPECT_EQ(versions[1].article.title, "Ancien titre");
  EXPECT_EQ(versions[0].diff,
            "--- title\n@@ -1 +1 @@\n-Ancien titre\n+Nouveau titre\n"
            "--- summary\n@@ -1 +1 @@\n-En bref : Ancien titre\n+En bref : Nouveau titre\n"
            "--- body\n@@ -1,3 +1,3 @@\n <p>Un.</p>\n-<p>Deux.</p>\n+<p>Deux bis.</p>\n"
            " <p>Trois.</p>\n");

  ASSERT_OK_AND_ASSIGN(const auto audit, store().ListAudit({}));
  const AuditEntry& entry = audit.back();
  EXPECT_EQ(entry.action, "kb_article.update");
  EXPECT_EQ(entry.actor, editor.label);
  EXPECT_NE(entry.changes_json.find("\"Ancien titre\""), std::string::npos) << entry.changes_json;
  EXPECT_NE(entry.changes_json.find("body_sha256"), std::string::npos) << entry.changes_json;
  EXPECT_EQ(entry.changes_json.find("Deux bis"), std::string::npos) << "no body text in the log";
}

TEST_P(KbStoreTest, StatusMovesAreVersionsToo) {
  ASSERT_OK_AND_ASSIGN(const StoredArticle draft, kb().Create(Article("Horaires"), actor()));
  const Id id = draft.article.id;
  ASSERT_OK_AND_ASSIGN(const StoredArticle published,
                       kb().SetStatus(id, ArticleStatus::kPublished, 1, actor()));
  EXPECT_EQ(published.article.status, ArticleStatus::kPublished);
  EXPECT_EQ(published.article.version, 2);
  EXPECT_GT(published.change_seq, draft.change_seq);
  // Publishing what is published changes nothing.
  ASSERT_OK_AND_ASSIGN(const StoredArticle again,
                       kb().SetStatus(id, ArticleStatus::kPublished, std::nullopt, actor()));
  EXPECT_EQ(again.article.version, 2);
  EXPECT_EQ(again.change_seq, published.change_seq);
  EXPECT_STATUS(kb().SetStatus(id, ArticleStatus::kArchived, 1, actor()), StatusCode::kConflict);
  ASSERT_OK_AND_ASSIGN(const StoredArticle archived,
                       kb().SetStatus(id, ArticleStatus::kArchived, 2, actor()));
  EXPECT_EQ(archived.article.version, 3);
  ASSERT_OK_AND_ASSIGN(const StoredArticle back,
                       kb().SetStatus(id, ArticleStatus::kDraft, std::nullopt, actor()));
  EXPECT_EQ(back.article.status, ArticleStatus::kDraft);
  EXPECT_STATUS(kb().SetStatus(id + 100, ArticleStatus::kDraft, std::nullopt, actor()),
                StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(const auto versions, kb().Versions(id));
  ASSERT_EQ(versions.size(), 4u);
  EXPECT_EQ(versions[0].diff, "status: archived -> draft\n");
  EXPECT_EQ(versions[2].diff, "status: draft -> published\n");
  EXPECT_EQ(versions[2].article.status, ArticleStatus::kPublished);
  ASSERT_OK_AND_ASSIGN(const auto audit, store().ListAudit({}));
  EXPECT_EQ(audit.back().action, "kb_article.status");
  EXPECT_NE(audit.back().changes_json.find("\"archived\""), std::string::npos);
}

TEST_P(KbStoreTest, ListsFilterAndPageInFoldedTitleOrder) {
  const std::vector<std::pair<std::string, ArticleStatus>> titles = {
      {"École maternelle", ArticleStatus::kPublished},
      {"État civil : acte de naissance", ArticleStatus::kPublished},
      {"etat des lieux", ArticleStatus::kDraft},
      {"Allocations logement", ArticleStatus::kPublished},
      {"Zone bleue", ArticleStatus::kArchived},
      {"100 % santé", ArticleStatus::kPublished},
      {"Éducation_spécialisée", ArticleStatus::kPublished}};
  for (const auto& [title, status] : titles) {
    KbArticle a = Article(title, "<p>Corps long de l'article</p>");
    a.status = status;
    if (title.rfind("Zone", 0) == 0 || title.rfind("100", 0) == 0) {
      a.themes = {"Transports", "Santé"};
      a.audience = "professionnels";
    }
    ASSERT_OK(kb().Create(a, actor()));
  }
  KbArticleFilter all;
  EXPECT_EQ(ListedTitles(all),
            (std::vector<std::string>{"100 % santé", "Allocations logement", "École maternelle",
                                      "Éducation_spécialisée", "État civil : acte de naissance",
                                      "etat des lieux", "Zone bleue"}));
  KbArticleFilter published;
  published.statuses = {ArticleStatus::kPublished};
  EXPECT_EQ(ListedTitles(published).size(), 5u);
  published.statuses = {ArticleStatus::kDraft, ArticleStatus::kArchived};
  EXPECT_EQ(ListedTitles(published), (std::vector<std::string>{"etat des lieux", "Zone bleue"}));

  KbArticleFilter prefix;
  prefix.title_prefix = "ÉTAT";
  EXPECT_EQ(ListedTitles(prefix),
            (std::vector<std::string>{"État civil : acte de naissance", "etat des lieux"}));
  prefix.title_prefix = "100 %";
  EXPECT_EQ(ListedTitles(prefix), std::vector<std::string>{"100 % santé"});
  prefix.title_prefix = "%";
  EXPECT_TRUE(ListedTitles(prefix).empty()) << "LIKE's wildcards are literal";
  prefix.title_prefix = "education_";
  EXPECT_EQ(ListedTitles(prefix), std::vector<std::string>{"Éducation_spécialisée"});
  prefix.title_prefix = "educationx";
  EXPECT_TRUE(ListedTitles(prefix).empty()) << "'_' is literal too";

  KbArticleFilter theme;
  theme.theme = "Santé";
  EXPECT_EQ(ListedTitles(theme), (std::vector<std::string>{"100 % santé", "Zone bleue"}));
  theme.theme = "Santé\"]";
  EXPECT_TRUE(ListedTitles(theme).empty());
  theme.theme = "santé";
  EXPECT_TRUE(ListedTitles(theme).empty()) << "themes match exactly";
  KbArticleFilter audience;
  audience.audience = "professionnels";
  audience.statuses = {ArticleStatus::kPublished};
  EXPECT_EQ(ListedTitles(audience), std::vector<std::string>{"100 % santé"});

  // Pages of 3 follow one another with the cursor, without their bodies.
  KbArticleFilter paged;
  paged.limit = 3;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    ASSERT_OK_AND_ASSIGN(const KbArticlePage got, kb().List(paged));
    for (const auto& s : got.items) {
      seen.push_back(s.article.title);
      EXPECT_EQ(s.article.body, "");
      EXPECT_FALSE(s.article.summary.empty());
      EXPECT_EQ(s.article.themes.empty(), false);
    }
    if (!got.next_after_id) break;
    paged.after_id = got.next_after_id;
  }
  EXPECT_EQ(seen, ListedTitles(all));
  paged.limit = 0;
  EXPECT_STATUS(kb().List(paged), StatusCode::kInvalidArgument);
  paged.limit = 501;
  EXPECT_STATUS(kb().List(paged), StatusCode::kInvalidArgument);
}

TEST_P(KbStoreTest, ImportsAreIdempotentAndChunked) {
  std::vector<KbArticle> fiches;
  for (int i = 1; i <= 450; ++i) fiches.push_back(Imported(i));  // three transactions
  fiches.push_back(Imported(1, "associations"));                 // same id, other audience
  const Actor importer = Actor::System("import");
  ASSERT_OK_AND_ASSIGN(KbImportCounts first, kb().UpsertImported(fiches, importer));
  EXPECT_EQ(first.created, 451);
  EXPECT_EQ(first.updated, 0);
  EXPECT_EQ(first.unchanged, 0);
  EXPECT_EQ(Count("kb_articles"), 451);
  EXPECT_EQ(Count("kb_article_versions"), 451);
  const std::int64_t seq_after_first = MaxSeq();
  EXPECT_EQ(seq_after_first, 451);
  ASSERT_OK_AND_ASSIGN(const StoredArticle f7, kb().GetByExternalId("F7", "particuliers"));
  EXPECT_EQ(f7.article.status, ArticleStatus::kPublished);
  EXPECT_EQ(f7.article.version, 1);
  EXPECT_EQ(f7.updated_by, "import");
  ASSERT_OK_AND_ASSIGN(const auto f7_versions, kb().Versions(f7.article.id));
  EXPECT_FALSE(f7_versions[0].author_id.has_value()) << "an import has no user";
  const std::int64_t audit_after_first = Count("audit_log");

  // The same run again: nothing at all changes.
  ASSERT_OK_AND_ASSIGN(KbImportCounts second, kb().UpsertImported(fiches, importer));
  EXPECT_EQ(second.created, 0);
  EXPECT_EQ(second.updated, 0);
  EXPECT_EQ(second.unchanged, 451);
  EXPECT_EQ(MaxSeq(), seq_after_first);
  EXPECT_EQ(Count("kb_article_versions"), 451);
  EXPECT_EQ(Count("audit_log"), audit_after_first);

  // One fiche changed at the source: one new version, one step of the feed. Its status is the
  // desk's (archived here), not the import's.
  ASSERT_OK(kb().SetStatus(f7.article.id, ArticleStatus::kArchived, std::nullopt, actor()));
  const std::int64_t seq_before_change = MaxSeq();
  fiches[6].body = "<p>Contenu 7, mis à jour.</p>";
  ASSERT_OK_AND_ASSIGN(KbImportCounts third, kb().UpsertImported(fiches, importer));
  EXPECT_EQ(third.created, 0);
  EXPECT_EQ(third.updated, 1);
  EXPECT_EQ(third.unchanged, 450);
  EXPECT_EQ(MaxSeq(), seq_before_change + 1);
  ASSERT_OK_AND_ASSIGN(const KbChanges changes, kb().ChangedSince(seq_before_change, 100));
  ASSERT_EQ(changes.items.size(), 1u);
  EXPECT_EQ(changes.items[0].article.external_id, "F7");
  EXPECT_EQ(changes.items[0].article.version, 3);
  EXPECT_EQ(changes.items[0].article.status, ArticleStatus::kArchived);
  EXPECT_EQ(changes.items[0].article.body, "<p>Contenu 7, mis à jour.</p>");
  ASSERT_OK_AND_ASSIGN(const auto versions, kb().Versions(f7.article.id));
  EXPECT_NE(versions[0].diff.find("+<p>Contenu 7, mis à jour.</p>"), std::string::npos)
      << versions[0].diff;

  // An edit in the desk survives imports that bring the same source again…
  ASSERT_OK_AND_ASSIGN(const StoredArticle f8, kb().GetByExternalId("F8", "particuliers"));
  KbArticle local = f8.article;
  local.summary = "Précision de la mairie";
  ASSERT_OK(kb().Update(f8.article.id, f8.article.version, local, actor()));
  ASSERT_OK_AND_ASSIGN(KbImportCounts fourth, kb().UpsertImported(fiches, importer));
  EXPECT_EQ(fourth.unchanged, 451);
  ASSERT_OK_AND_ASSIGN(StoredArticle f8_now, kb().Get(f8.article.id));
  EXPECT_EQ(f8_now.article.summary, "Précision de la mairie");
  // …and gives way to a new source text, as a new version (the edit stays in the history).
  fiches[7].summary = "Nouvelle version de la source";
  ASSERT_OK_AND_ASSIGN(KbImportCounts fifth, kb().UpsertImported(fiches, importer));
  EXPECT_EQ(fifth.updated, 1);
  ASSERT_OK_AND_ASSIGN(f8_now, kb().Get(f8.article.id));
  EXPECT_EQ(f8_now.article.summary, "Nouvelle version de la source");
  EXPECT_EQ(f8_now.article.version, 3);

  ASSERT_OK_AND_ASSIGN(const auto verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
}

TEST_P(KbStoreTest, AnImportWithABadArticleWritesNothing) {
  std::vector<KbArticle> fiches = {Imported(1), Imported(2), Imported(3), Imported(2)};
  fiches[0].external_id = "";
  fiches[2].title = "";
  const auto refused = kb().UpsertImported(fiches, Actor::System("import"));
  EXPECT_STATUS(refused, StatusCode::kInvalidArgument);
  const std::string message = refused.status().message();
  EXPECT_NE(message.find("3 of 4 articles cannot be imported"), std::string::npos) << message;
  EXPECT_NE(message.find("articles[0]: external_id is required"), std::string::npos) << message;
  EXPECT_NE(message.find("articles[2] (F3): title is required"), std::string::npos) << message;
  EXPECT_NE(message.find("articles[3] (F2): external id given twice"), std::string::npos)
      << message;
  EXPECT_EQ(Count("kb_articles"), 0);
  ASSERT_OK_AND_ASSIGN(const KbImportCounts none, kb().UpsertImported({}, actor()));
  EXPECT_EQ(none.created + none.updated + none.unchanged, 0);
}

TEST_P(KbStoreTest, TheChangeFeedGivesEveryChangeInOrder) {
  ASSERT_OK_AND_ASSIGN(const StoredArticle a, kb().Create(Article("A"), actor()));
  ASSERT_OK_AND_ASSIGN(const StoredArticle b, kb().Create(Article("B"), actor()));
  ASSERT_OK_AND_ASSIGN(const StoredArticle c, kb().Create(Article("C"), actor()));
  ASSERT_OK(kb().Update(a.article.id, 1, Article("A2"), actor()));
  ASSERT_OK(kb().SetStatus(b.article.id, ArticleStatus::kArchived, std::nullopt, actor()));

  ASSERT_OK_AND_ASSIGN(const KbChanges all, kb().ChangedSince(0, 100));
  EXPECT_EQ(all.max_seq, 5);
  ASSERT_EQ(all.items.size(), 3u) << "each article once, at its latest change";
  EXPECT_EQ(all.items[0].article.id, c.article.id);
  EXPECT_EQ(all.items[1].article.title, "A2");
  EXPECT_EQ(all.items[1].change_seq, 4);
  EXPECT_EQ(all.items[2].article.status, ArticleStatus::kArchived) << "so an index drops it";
  EXPECT_EQ(all.items[2].article.body, "<p>Texte.</p>") << "whole articles";

  ASSERT_OK_AND_ASSIGN(const KbChanges first, kb().ChangedSince(0, 2));
  ASSERT_EQ(first.items.size(), 2u);
  ASSERT_OK_AND_ASSIGN(const KbChanges rest, kb().ChangedSince(first.items.back().change_seq, 2));
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].article.id, b.article.id);
  ASSERT_OK_AND_ASSIGN(const KbChanges none, kb().ChangedSince(rest.max_seq, 2));
  EXPECT_TRUE(none.items.empty());
  EXPECT_EQ(none.max_seq, 5);
  EXPECT_STATUS(kb().ChangedSince(0, 0), StatusCode::kInvalidArgument);
  EXPECT_STATUS(kb().ChangedSince(-1, 10), StatusCode::kInvalidArgument);
}

// Two nodes (two store instances, each with its own pool and group committer) write at once
// while a reader follows the feed; in the end the reader has every article at its last change.
// A reader that skipped a number committed late would miss that article's last state.
TEST_P(KbStoreTest, TheChangeFeedMissesNothingWithConcurrentWriters) {
  StoreOptions options;
  options.clock = &clock();
  options.pool_size = 4;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> other, OpenStore(store().url(), options));
  Store* nodes[] = {&store(), other.get()};

  constexpr int kWritersPerNode = 3;
  constexpr int kArticlesPerWriter = 6;
  constexpr int kEditsPerArticle = 3;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::map<Id, std::int64_t> seen;  // article → last seq the reader got
  std::int64_t cursor = 0;
  auto poll = [&]() -> bool {
    auto changes = kb().ChangedSince(cursor, 7);
    if (!changes.ok()) return false;
    for (const auto& s : changes->items) {
      if (s.change_seq <= cursor) return false;  // the feed went backwards
      seen[s.article.id] = s.change_seq;
      cursor = s.change_seq;
    }
    if (changes->items.size() < 7) cursor = std::max(cursor, changes->max_seq);
    return true;
  };
  std::thread reader([&] {
    while (writing.load()) {
      if (!poll()) ++failures;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 2 * kWritersPerNode; ++w) {
    writers.emplace_back([&, w] {
      KbStore& store_kb = nodes[w % 2]->kb();
      const Actor who = Actor::System("writer-" + std::to_string(w));
      for (int i = 0; i < kArticlesPerWriter; ++i) {
        auto created =
            store_kb.Create(Article("Article " + std::to_string(w) + "-" + std::to_string(i)), who);
        if (!created.ok()) {
          ++failures;
          continue;
        }
        int version = 1;
        for (int e = 0; e < kEditsPerArticle; ++e) {
          auto edited = store_kb.Update(created->article.id, version,
                                        Article("Article " + std::to_string(w) + "-" +
                                                std::to_string(i) + " v" + std::to_string(e + 2)),
                                        who);
          if (!edited.ok()) {
            ++failures;
            break;
          }
          version = edited->article.version;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  writing = false;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  while (true) {  // catch up with what was committed last
    const std::int64_t before = cursor;
    ASSERT_TRUE(poll());
    if (cursor == before) break;
  }
  const int articles = 2 * kWritersPerNode * kArticlesPerWriter;
  EXPECT_EQ(cursor, articles * (1 + kEditsPerArticle));
  ASSERT_OK_AND_ASSIGN(const KbChanges stored, kb().ChangedSince(0, 1000));
  ASSERT_EQ(stored.items.size(), static_cast<size_t>(articles));
  ASSERT_EQ(seen.size(), static_cast<size_t>(articles));
  for (const auto& s : stored.items) {
    EXPECT_EQ(s.article.version, 1 + kEditsPerArticle);
    EXPECT_EQ(seen[s.article.id], s.change_seq) << "article " << s.article.id;
  }
  ASSERT_OK_AND_ASSIGN(const auto verified, store().VerifyAudit());
  EXPECT_TRUE(verified.ok) << verified.reason;
}

TEST_P(KbStoreTest, DeflectionRateCountsSessionsShownAndNotSubmitted) {
  auto record = [&](DeflectionKind kind, const std::string& session, int suggestions = 0) {
    DeflectionEvent e;
    e.kind = kind;
    e.session = session + std::string(16, 'x');
    e.suggestions = suggestions;
    e.query_length = 24;
    ASSERT_OK(kb().RecordDeflectionEvent(e));
  };
  record(DeflectionKind::kShown, "old", 3);  // before the window
  clock().Advance(3'600'000);
  const Millis from = clock().Now();
  record(DeflectionKind::kShown, "s1", 3);
  record(DeflectionKind::kClicked, "s1");
  record(DeflectionKind::kShown, "s2", 2);
  record(DeflectionKind::kShown, "s2", 4);
  record(DeflectionKind::kSubmitted, "s2");
  record(DeflectionKind::kShown, "s3", 0);  // nothing to suggest: not in the rate
  record(DeflectionKind::kSubmitted, "s3");
  record(DeflectionKind::kShown, "s4", 1);
  record(DeflectionKind::kAbandoned, "s4");
  clock().Advance(1000);
  const Millis to = clock().Now();
  record(DeflectionKind::kSubmitted, "s1");  // after the window: s1 was not deflected after all

  ASSERT_OK_AND_ASSIGN(const KbDeflectionStats stats, kb().DeflectionStats(from, to));
  EXPECT_EQ(stats.shown, 5);
  EXPECT_EQ(stats.clicked, 1);
  EXPECT_EQ(stats.abandoned, 1);
  EXPECT_EQ(stats.submitted, 2);
  EXPECT_EQ(stats.sessions_shown, 3);
  EXPECT_EQ(stats.sessions_deflected, 1);  // s4
  EXPECT_DOUBLE_EQ(stats.deflection_rate, 1.0 / 3.0);
  ASSERT_OK_AND_ASSIGN(const KbDeflectionStats empty, kb().DeflectionStats(to + 1, to + 2));
  EXPECT_EQ(empty.sessions_shown, 0);
  EXPECT_EQ(empty.deflection_rate, 0);
  EXPECT_STATUS(kb().DeflectionStats(to, from), StatusCode::kInvalidArgument);

  DeflectionEvent bad;
  bad.session = "short";
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
  bad.session = std::string(16, 'a') + " ";
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
  bad.session = std::string(16, 'a');
  bad.suggestions = 101;
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
  bad.suggestions = 0;
  bad.query_length = -1;
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
  bad.query_length = 0;
  bad.article_external_id = "F1; DROP";
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
  bad.article_external_id = "F1";
  bad.article_id = 0;
  EXPECT_STATUS(kb().RecordDeflectionEvent(bad), StatusCode::kInvalidArgument);
}

GUICHET_INSTANTIATE_STORE_TEST(KbStoreTest);

}  // namespace
}  // namespace guichet::storage
