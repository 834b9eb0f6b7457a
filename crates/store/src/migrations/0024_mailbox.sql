-- Mailbox intake (IMAP): every message taken from a mailbox folder, exactly once. A message
-- is known by its folder's UIDVALIDITY and its UID; after a changed UIDVALIDITY by its
-- Message-ID and the SHA-256 of its bytes. The row is written in the same transaction that
-- stores the message (its raw blob); `settled` says it was moved (or flagged) on the server.
CREATE TABLE mail_messages (
    account     TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    message_id  TEXT,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    batch_id    TEXT,
    -- received (stored, its pages being made) | imported | duplicate | refused
    state       TEXT NOT NULL,
    reason      TEXT,
    settled     INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account, uidvalidity, uid)
) WITHOUT ROWID;
CREATE INDEX mail_messages_same ON mail_messages (account, message_id, sha256);
CREATE INDEX mail_messages_open ON mail_messages (account, settled) WHERE settled = 0;

-- The state of each mailbox as the last fetch left it, for the batch list and `doctor`.
CREATE TABLE mailbox_status (
    account     TEXT PRIMARY KEY,
    state       TEXT NOT NULL,   -- connected | waiting | error
    code        TEXT,            -- the error's stable code (the UI's sentence)
    detail      TEXT,            -- the error in words
    last_fetch  INTEGER,         -- when the folder was last read through
    updated_at  INTEGER NOT NULL
);
