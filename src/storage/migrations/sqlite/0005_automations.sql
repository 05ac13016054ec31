-- Automations (triggers and scheduled rules), agents' macros, the record of scheduled firings,
-- the notification outbox, and when each request's current status began.
ALTER TABLE requests ADD COLUMN status_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET status_changed_at = updated_at;
CREATE INDEX requests_status_changed ON requests (status, status_changed_at);
CREATE TABLE automations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  on_create INTEGER NOT NULL,
  on_update INTEGER NOT NULL,
  conditions TEXT NOT NULL,
  actions TEXT NOT NULL,
  position INTEGER NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- A scheduled rule fires once per request and status period (the status_changed_at it saw).
CREATE TABLE automation_runs (
  automation_id INTEGER NOT NULL REFERENCES automations(id) ON DELETE CASCADE,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  status_changed_at INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (automation_id, request_id, status_changed_at)
);
-- Notifications waiting for an outbound channel (e-mail, SMS) to deliver them.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES requests(id),
  automation_id INTEGER REFERENCES automations(id) ON DELETE SET NULL,
  recipient TEXT NOT NULL,
  language TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX notifications_request ON notifications (request_id);
CREATE INDEX notifications_queued ON notifications (id) WHERE status = 'queued';
CREATE TABLE macros (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  texts TEXT NOT NULL,
  actions TEXT NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
