-- The scan office: scan profiles (and every change to them), batches of pages, each page's
-- raw scan kept unchanged beside its processed version (TR-RESISCAN A.NB.2), the
-- processing log of every page, and the documents made from a batch.
CREATE TABLE scan_profiles (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE scan_profile_changes (
    id            INTEGER PRIMARY KEY,
    profile_id    TEXT NOT NULL,
    at            INTEGER NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('created', 'changed', 'deleted')),
    settings_json TEXT
) STRICT;
CREATE TRIGGER scan_profile_changes_no_update BEFORE UPDATE ON scan_profile_changes
BEGIN SELECT RAISE(ABORT, 'the profile change log is append-only'); END;
CREATE TRIGGER scan_profile_changes_no_delete BEFORE DELETE ON scan_profile_changes
BEGIN SELECT RAISE(ABORT, 'the profile change log is append-only'); END;

CREATE TABLE batches (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    profile_id    TEXT,
    -- The profile's settings when the batch began: later edits do not change it.
    profile_json  TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE pages (
    id              TEXT PRIMARY KEY,
    batch_id        TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    position        REAL NOT NULL,
    -- Where it came from: a file's name (and the page within it) or a scanner.
    source          TEXT NOT NULL,
    source_page     INTEGER NOT NULL,
    raw_blob        TEXT NOT NULL,
    dpi_x           REAL NOT NULL,
    dpi_y           REAL NOT NULL,
    state           TEXT NOT NULL DEFAULT 'received'
                    CHECK (state IN ('received', 'processed', 'failed')),
    error           TEXT,
    image_blob      TEXT,
    image_kind      TEXT CHECK (image_kind IN ('jpeg', 'g4', 'gray8', 'rgb8')),
    width           INTEGER,
    height          INTEGER,
    thumb_blob      TEXT,
    skew            REAL,
    ink             REAL,
    blank           INTEGER NOT NULL DEFAULT 0,
    rotation        INTEGER NOT NULL DEFAULT 0 CHECK (rotation BETWEEN 0 AND 3),
    starts_document INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX pages_by_batch ON pages (batch_id, position);

CREATE TABLE page_log (
    id          INTEGER PRIMARY KEY,
    page_id     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    op          TEXT NOT NULL,
    params_json TEXT NOT NULL
) STRICT;
CREATE INDEX page_log_by_page ON page_log (page_id);
CREATE TRIGGER page_log_no_update BEFORE UPDATE ON page_log
BEGIN SELECT RAISE(ABORT, 'the page log is append-only'); END;

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    title       TEXT NOT NULL,
    page_ids    TEXT NOT NULL,
    pdf_blob    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    pdfa        TEXT NOT NULL,
    index_json  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
