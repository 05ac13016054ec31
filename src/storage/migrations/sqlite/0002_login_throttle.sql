-- Failed logins per key ("account:<e-mail>", "address:<ip>") for throttling with back-off.
-- Kept in the database so that every node sees the same counts.
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL
);
