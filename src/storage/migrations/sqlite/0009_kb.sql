-- Knowledge base (storage/kb_store.h): articles, their versions, the change feed that each node's
-- search index follows, and the deflection events of the citizen form. Lists (themes, keywords,
-- links, offices, related ids) are JSON arrays in text; times are epoch milliseconds (UTC).
CREATE TABLE kb_articles (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL DEFAULT '',
  audience TEXT NOT NULL DEFAULT '',
  doc_type TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  -- The title folded (lower case, no accents): the list order and its prefix filter.
  title_folded TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  format TEXT NOT NULL CHECK (format IN ('html', 'markdown', 'text')),
  themes TEXT NOT NULL DEFAULT '[]',
  keywords TEXT NOT NULL DEFAULT '[]',
  legal_refs TEXT NOT NULL DEFAULT '[]',
  offices TEXT NOT NULL DEFAULT '[]',
  online_services TEXT NOT NULL DEFAULT '[]',
  related_ids TEXT NOT NULL DEFAULT '[]',
  language TEXT NOT NULL DEFAULT 'fr',
  source_url TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  -- SHA-256 of the content as stored, and of the content last imported (NULL when never
  -- imported): an import that brings the same content again leaves the article alone, even
  -- when the desk has edited it since.
  content_sha256 TEXT NOT NULL,
  import_sha256 TEXT,
  -- The article's place in the change feed: given from kb_change_counter by every change.
  change_seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX kb_articles_external ON kb_articles (external_id, audience)
  WHERE external_id <> '';
CREATE UNIQUE INDEX kb_articles_change_seq ON kb_articles (change_seq);
CREATE INDEX kb_articles_title ON kb_articles (title_folded, id);
CREATE INDEX kb_articles_status_title ON kb_articles (status, title_folded, id);
-- One row per stored version: the whole article as JSON, and a line diff of its title, summary
-- and body against the version before (empty for the first). author_id is NULL for imports.
CREATE TABLE kb_article_versions (
  article_id INTEGER NOT NULL REFERENCES kb_articles(id),
  version INTEGER NOT NULL,
  author_id INTEGER REFERENCES users(id),
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  snapshot TEXT NOT NULL,
  diff TEXT NOT NULL,
  PRIMARY KEY (article_id, version)
);
-- One row: the last change_seq given. Every change updates it in its own transaction, holding
-- the row until COMMIT, so changes take their numbers in commit order and a reader that sees
-- number N committed also sees every lower one (see docs/decisions/0004).
CREATE TABLE kb_change_counter (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq INTEGER NOT NULL
);
INSERT INTO kb_change_counter (id, last_seq) VALUES (1, 0);
-- What the citizen form reports while a citizen types: suggestions shown, an article clicked,
-- the form abandoned or a request submitted, under a random token of that form's session. No
-- personal data: no text, no address, only lengths and counts.
CREATE TABLE kb_deflection_events (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('shown', 'clicked', 'abandoned', 'submitted')),
  session TEXT NOT NULL,
  article_id INTEGER,
  article_external_id TEXT,
  request_id INTEGER,
  query_length INTEGER NOT NULL,
  suggestions INTEGER NOT NULL
);
CREATE INDEX kb_deflection_events_time ON kb_deflection_events (created_at);
CREATE INDEX kb_deflection_events_session ON kb_deflection_events (session, kind);
