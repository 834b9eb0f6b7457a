-- Automatic indexing: keywords per master-data entry (the cold start before anything is
-- learned), the examples the model learned from (the words of each released document with
-- the type and unit it was released with), and the learned model itself (JSON, with the
-- format number of the Eingang that wrote it). All inside the encrypted database.
ALTER TABLE master_data ADD COLUMN keywords_json TEXT NOT NULL DEFAULT '[]';

CREATE TABLE auto_examples (
    id          INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL UNIQUE,
    doctype     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    tokens_json TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;

CREATE TABLE auto_model (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    format      INTEGER NOT NULL,
    model_json  TEXT NOT NULL,
    examples    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
