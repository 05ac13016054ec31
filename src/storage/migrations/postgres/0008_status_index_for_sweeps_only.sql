-- The index of scheduled rules' sweeps (status, then time in that status) stays out of the way of
-- request lists: as a plain index it tied with requests_status(status, id) for `status IN (…)
-- ORDER BY id DESC LIMIT n`, and SQLite could then pick it, sort every row of those statuses
-- and take seconds at a million requests, where (status, id) reads n rows per status. Partial on
-- a condition only the sweep states, only the sweep can use it.
DROP INDEX requests_status_changed;
CREATE INDEX requests_status_changed ON requests (status, status_changed_at)
  WHERE status_changed_at >= 0;
