-- SLA policies, the desk calendar, per-team opening hours, and each request's deadlines.
CREATE TABLE sla_policies (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  category_id INTEGER REFERENCES categories(id) ON DELETE CASCADE,
  priority TEXT,
  channel TEXT,
  first_reply_minutes INTEGER,
  resolution_minutes INTEGER,
  business_hours INTEGER NOT NULL,
  warning_percent INTEGER NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- One row: the desk-wide calendar (time zone, default opening hours, holidays option).
CREATE TABLE sla_calendar (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  time_zone TEXT NOT NULL,
  opening_hours TEXT NOT NULL,
  alsace_moselle INTEGER NOT NULL,
  extra_closed_days TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO sla_calendar VALUES (1, 'Europe/Paris', 'mon-fri 08:30-12:00,13:30-17:00', 0, '[]', 0);
ALTER TABLE teams ADD COLUMN opening_hours TEXT;
ALTER TABLE requests ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL;
ALTER TABLE requests ADD COLUMN first_reply_due_at INTEGER;
ALTER TABLE requests ADD COLUMN first_reply_warn_at INTEGER;
ALTER TABLE requests ADD COLUMN resolution_due_at INTEGER;
ALTER TABLE requests ADD COLUMN resolution_warn_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_paused_at INTEGER;
ALTER TABLE requests ADD COLUMN sla_paused_business_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN sla_paused_wall_ms INTEGER NOT NULL DEFAULT 0;
-- The "at risk / breached" queues and gauges look only at running targets.
CREATE INDEX requests_first_reply_warn ON requests (first_reply_warn_at)
  WHERE first_reply_at IS NULL AND resolved_at IS NULL AND first_reply_warn_at IS NOT NULL;
CREATE INDEX requests_resolution_warn ON requests (resolution_warn_at)
  WHERE resolved_at IS NULL AND resolution_warn_at IS NOT NULL;
