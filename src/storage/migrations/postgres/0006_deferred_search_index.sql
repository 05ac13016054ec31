-- Kept in step with the SQLite migrations: there, new requests enter the full-text index once
-- per transaction. PostgreSQL's index (GIN, on a generated tsvector column) needs no such step.
SELECT 1;
