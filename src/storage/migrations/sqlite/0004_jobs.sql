-- Background jobs shared by every node (storage/jobs.h). A worker claims due jobs by setting a
-- lease (lease_owner, lease_until); a running job whose lease ran out may be claimed again.
-- Payloads are JSON text holding ids, never personal data. Times are epoch milliseconds (UTC).
-- AUTOINCREMENT: ids are never reused after a purge, so a job id in a log stays unambiguous.
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  dedupe_key TEXT,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'done', 'failed')),
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  lease_owner TEXT,
  lease_until INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
-- At most one unfinished job per dedupe key.
CREATE UNIQUE INDEX jobs_dedupe_unfinished ON jobs(dedupe_key)
  WHERE status IN ('pending', 'running');
-- Any job with a key, finished or not (periodic slots run once, ever).
CREATE INDEX jobs_dedupe_key ON jobs(dedupe_key) WHERE dedupe_key IS NOT NULL;
-- The claim query: due pending jobs in run_at order, and running jobs whose lease ran out.
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_lease ON jobs(lease_until) WHERE status = 'running';
-- The purge of finished jobs.
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE status IN ('done', 'failed');
