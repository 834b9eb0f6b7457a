-- Finalised submissions: immutable once written; delivered through the outbox.
CREATE TABLE submissions (
    id           TEXT PRIMARY KEY NOT NULL,
    draft_id     TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    data_json    TEXT NOT NULL,
    xml          TEXT,
    attachments_json TEXT NOT NULL DEFAULT '[]',
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX submissions_by_created ON submissions (created_at DESC);

CREATE TRIGGER submissions_are_immutable BEFORE UPDATE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;
