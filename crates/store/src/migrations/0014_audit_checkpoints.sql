-- Anchors of the audit chain (TR-RESISCAN A.IS.1 for the log): a checkpoint names the
-- chain's head (sequence number and hash) at a time, sealed when a seal is configured, and
-- is delivered to the DMS like a document — out of reach of whoever holds this database,
-- so a rewritten or truncated tail shows against it (`eingang audit verify --anchors`).
CREATE TABLE audit_checkpoints (
    id      TEXT PRIMARY KEY NOT NULL,
    seq     INTEGER NOT NULL,
    hash    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    body    TEXT NOT NULL,
    seal    TEXT
) STRICT;
CREATE INDEX audit_checkpoints_by_seq ON audit_checkpoints (seq);

-- The outbox also carries checkpoints. SQLite cannot change a CHECK constraint: rebuild.
CREATE TABLE outbox_new (
    id                INTEGER PRIMARY KEY,
    item_kind         TEXT NOT NULL CHECK (item_kind IN ('submission', 'document', 'checkpoint')),
    item_id           TEXT NOT NULL,
    target            TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'in_flight', 'delivered', 'failed',
                                       'failed_permanently', 'paused')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER,
    last_error_code   TEXT,
    last_error        TEXT,
    started_at        INTEGER,
    receipt_remote_id TEXT,
    receipt_hash      TEXT,
    receipt_at        INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (item_kind, item_id, target)
) STRICT;
INSERT INTO outbox_new SELECT id, item_kind, item_id, target, state, attempts, next_attempt_at,
    last_error_code, last_error, started_at, receipt_remote_id, receipt_hash, receipt_at,
    created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_target ON outbox (target, state);
