-- The form catalogue: each (id, version) once; the definition as imported (JSON, format 1).
CREATE TABLE forms (
    id              TEXT NOT NULL,
    version         TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    origin          TEXT NOT NULL,
    imported_at     INTEGER NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;
