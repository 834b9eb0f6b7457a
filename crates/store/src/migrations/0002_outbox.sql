-- Outbox: one row per (item, target), written in the same transaction as the item.
CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    item_kind         TEXT NOT NULL CHECK (item_kind IN ('submission', 'document')),
    item_id           TEXT NOT NULL,
    target            TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'in_flight', 'delivered', 'failed', 'paused')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER,
    last_error        TEXT,
    receipt_remote_id TEXT,
    receipt_hash      TEXT,
    receipt_at        INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (item_kind, item_id, target)
) STRICT;
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);

-- What the status bar tells about delivery, per target.
CREATE TABLE sync_status (
    target          TEXT PRIMARY KEY NOT NULL,
    last_attempt_at INTEGER,
    last_success_at INTEGER,
    last_error      TEXT
) STRICT;
