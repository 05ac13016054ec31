-- Failed logins per key ("account:<e-mail>", "address:<ip>") for throttling with back-off.
-- Kept in the database so that every node sees the same counts.
CREATE TABLE login_failures (
  key TEXT PRIMARY KEY,
  failures BIGINT NOT NULL,
  last_failure_at BIGINT NOT NULL
);
