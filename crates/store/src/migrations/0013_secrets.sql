-- Keys the store keeps inside the encrypted database: the blob store's key (random, made
-- on first use), which survives a rotation of the database key, so sealed files stay
-- readable without re-sealing every blob.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
