-- AI features under human control: the policy of each feature (off until an admin turns it on),
-- the trained models as versions (one active per feature), and the decision register: every
-- suggestion made for a request, with its model, output, probabilities and reasons, and what a
-- person did with it.
CREATE TABLE ai_settings (
  feature TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  threshold REAL NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE ai_models (
  id INTEGER PRIMARY KEY,
  feature TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  data_sha256 TEXT NOT NULL,
  info TEXT NOT NULL,
  model BLOB NOT NULL,
  active INTEGER NOT NULL,
  UNIQUE (feature, version)
);
CREATE TABLE ai_decisions (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  feature TEXT NOT NULL,
  model_id INTEGER REFERENCES ai_models(id),
  mode TEXT NOT NULL,
  output TEXT,
  confidence REAL NOT NULL,
  details TEXT NOT NULL,
  applied INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  outcome_value TEXT,
  decided_by INTEGER REFERENCES users(id),
  decided_at INTEGER
);
CREATE INDEX ai_decisions_request ON ai_decisions (request_id, id);
