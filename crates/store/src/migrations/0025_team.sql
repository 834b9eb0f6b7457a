-- A station in a team (issue 26): what it still has to bring to the team store, and the
-- work it holds there. Pages are scanned into this store first, so capture goes on while
-- the server is away; each batch's upload is repeated until the server has it (the team
-- store takes the same rows and blobs again without a change).
CREATE TABLE team_uploads (
    batch_id    TEXT PRIMARY KEY NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    -- The station asked to hand the batch over (not only to show its pages).
    hand_over   INTEGER NOT NULL DEFAULT 0,
    -- The batch changed since its last upload.
    dirty       INTEGER NOT NULL DEFAULT 1,
    uploaded_at INTEGER,
    handed_at   INTEGER,
    error_code  TEXT,
    error       TEXT
) STRICT;

-- Work this station holds in the team store: the claim's number, and what it read (each
-- page's version there and the SHA-256 of its row as it arrived), so that only what the
-- desk changed goes back, over the version it read.
CREATE TABLE team_claims (
    claim_id    INTEGER PRIMARY KEY NOT NULL,
    step        TEXT NOT NULL,
    item        TEXT NOT NULL,
    batch_id    TEXT NOT NULL,
    read_json   TEXT NOT NULL,
    taken_at    INTEGER NOT NULL
) STRICT;
