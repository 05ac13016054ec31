-- The desk core: directory, authentication, requests, messages, attachments, audit chain.
-- Times are milliseconds since the Unix epoch (UTC); enums are their wire names.
CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  default_team_id INTEGER REFERENCES teams(id),
  created_at INTEGER NOT NULL
);
CREATE TABLE citizens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX citizens_email ON citizens(email);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  citizen_id INTEGER REFERENCES citizens(id),
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
CREATE TABLE user_teams (
  user_id INTEGER NOT NULL REFERENCES users(id),
  team_id INTEGER NOT NULL REFERENCES teams(id),
  PRIMARY KEY (user_id, team_id)
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE reference_counters (
  year INTEGER PRIMARY KEY,
  last_value INTEGER NOT NULL
);
CREATE TABLE requests (
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  subject TEXT NOT NULL,
  description TEXT NOT NULL,
  channel TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT '',
  category_id INTEGER REFERENCES categories(id),
  team_id INTEGER REFERENCES teams(id),
  assignee_id INTEGER REFERENCES users(id),
  citizen_id INTEGER REFERENCES citizens(id),
  created_by INTEGER REFERENCES users(id),
  priority TEXT NOT NULL,
  status TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  location_lat REAL,
  location_lon REAL,
  location_address TEXT,
  custom_fields TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  first_reply_at INTEGER,
  resolved_at INTEGER,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX requests_status ON requests(status, id);
CREATE INDEX requests_team ON requests(team_id, id);
CREATE INDEX requests_assignee ON requests(assignee_id, id);
CREATE INDEX requests_category ON requests(category_id, id);
CREATE INDEX requests_citizen ON requests(citizen_id, id);
CREATE INDEX requests_created ON requests(created_at);
CREATE VIRTUAL TABLE requests_fts USING fts5(
  subject, description, content='requests', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests BEGIN
  INSERT INTO requests_fts(rowid, subject, description)
    VALUES (new.id, new.subject, new.description);
END;
CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
  INSERT INTO requests_fts(requests_fts, rowid, subject, description)
    VALUES ('delete', old.id, old.subject, old.description);
END;
CREATE TRIGGER requests_fts_update AFTER UPDATE OF subject, description ON requests BEGIN
  INSERT INTO requests_fts(requests_fts, rowid, subject, description)
    VALUES ('delete', old.id, old.subject, old.description);
  INSERT INTO requests_fts(rowid, subject, description)
    VALUES (new.id, new.subject, new.description);
END;
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  visibility TEXT NOT NULL,
  author_user_id INTEGER REFERENCES users(id),
  author_name TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX messages_request ON messages(request_id, id);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  message_id INTEGER REFERENCES messages(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  content BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX attachments_request ON attachments(request_id, id);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  request_id INTEGER,
  changes TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_request ON audit_log(request_id, id);
-- One row: the chain's head. Locking it serialises appends so the chain never forks.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');
