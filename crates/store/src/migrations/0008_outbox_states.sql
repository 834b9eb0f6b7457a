-- The sync worker's outbox: a state for items that failed for good (they wait for the user),
-- the error's stable code beside its text (the UI words the reason in the user's language),
-- and the time a row went in flight. SQLite cannot change a CHECK constraint: rebuild.
CREATE TABLE outbox_new (
    id                INTEGER PRIMARY KEY,
    item_kind         TEXT NOT NULL CHECK (item_kind IN ('submission', 'document')),
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
INSERT INTO outbox_new (id, item_kind, item_id, target, state, attempts, next_attempt_at,
                        last_error, receipt_remote_id, receipt_hash, receipt_at, created_at)
    SELECT id, item_kind, item_id, target, state, attempts, next_attempt_at,
           last_error, receipt_remote_id, receipt_hash, receipt_at, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_target ON outbox (target, state);

-- Per target: reachability (from the last probe) and a pause with its reason (authentication
-- refused: the worker stops sending until the user has fixed the credentials).
ALTER TABLE sync_status ADD COLUMN online INTEGER;
ALTER TABLE sync_status ADD COLUMN last_probe_at INTEGER;
ALTER TABLE sync_status ADD COLUMN last_error_code TEXT;
ALTER TABLE sync_status ADD COLUMN paused_code TEXT;
ALTER TABLE sync_status ADD COLUMN paused_reason TEXT;

-- Secrets for targets where the machine has no OS key store (the database itself is the
-- encrypted store then; see docs/sync.md).
CREATE TABLE credentials (
    target TEXT PRIMARY KEY NOT NULL,
    secret TEXT NOT NULL
) STRICT;
