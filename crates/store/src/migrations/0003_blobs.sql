-- Blobs named by SHA-256 in the blob store; a row exists only after its file was fsynced.
CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY NOT NULL CHECK (length(hash) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    created_at INTEGER NOT NULL
) STRICT;
