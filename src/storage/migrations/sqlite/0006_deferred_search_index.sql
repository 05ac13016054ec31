-- New requests enter the full-text index once per transaction, just before COMMIT, instead of
-- one by one: with FTS5 in a transaction, every later statement's savepoint flushes the index,
-- and a group-committed batch runs hundreds of statements. Insertion notes the id here; the
-- store's before-commit step indexes the noted rows and empties this table, so it is empty
-- outside a transaction and the index never lags behind a committed request.
CREATE TABLE requests_fts_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER requests_fts_insert;
CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests BEGIN
  INSERT INTO requests_fts_pending (id) VALUES (new.id);
END;
-- A row still waiting is not in the index yet: nothing to remove, only the note. (One trigger:
-- the order of several triggers on one event is not something to rely on.)
DROP TRIGGER requests_fts_delete;
CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
  INSERT INTO requests_fts(requests_fts, rowid, subject, description)
    SELECT 'delete', old.id, old.subject, old.description
    WHERE NOT EXISTS (SELECT 1 FROM requests_fts_pending WHERE id = old.id);
  DELETE FROM requests_fts_pending WHERE id = old.id;
END;
-- A waiting row is indexed with its values at COMMIT, whatever they have become by then.
DROP TRIGGER requests_fts_update;
CREATE TRIGGER requests_fts_update AFTER UPDATE OF subject, description ON requests
WHEN NOT EXISTS (SELECT 1 FROM requests_fts_pending WHERE id = old.id) BEGIN
  INSERT INTO requests_fts(requests_fts, rowid, subject, description)
    VALUES ('delete', old.id, old.subject, old.description);
  INSERT INTO requests_fts(rowid, subject, description)
    VALUES (new.id, new.subject, new.description);
END;
