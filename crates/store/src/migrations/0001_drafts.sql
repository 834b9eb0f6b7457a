-- Drafts: forms being filled in. values_json holds field key -> value as typed.
CREATE TABLE drafts (
    id           TEXT PRIMARY KEY NOT NULL,
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    values_json  TEXT NOT NULL DEFAULT '{}',
    caption      TEXT NOT NULL DEFAULT '',
    revision     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX drafts_by_updated ON drafts (updated_at DESC);

-- Per-machine user preferences (interface language, ...).
CREATE TABLE preferences (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
