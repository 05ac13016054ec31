-- The supervisor dashboard (storage/report_store.h) reads the first replies, resolutions and AI
-- reviews of a period: without these it read the whole requests table (every description) on
-- each view. Partial: rows that have not reached the step are not indexed.
CREATE INDEX requests_first_reply_at ON requests (first_reply_at) WHERE first_reply_at IS NOT NULL;
CREATE INDEX requests_resolved_at ON requests (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX ai_decisions_decided_at ON ai_decisions (decided_at) WHERE decided_at IS NOT NULL;
