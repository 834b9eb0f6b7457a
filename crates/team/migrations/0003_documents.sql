-- The released documents: each row as the releasing station's store has it (a JSON object
-- of its columns), its PDF/A and Transfervermerk among the blobs. Each waits in the queue
-- as `deliver` work until one station with the deliver role has it delivered.
CREATE TABLE team_documents (
    id              text PRIMARY KEY,
    batch           text NOT NULL REFERENCES team_batches (id) ON DELETE CASCADE,
    row             jsonb NOT NULL,
    station         text NOT NULL,
    person          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_documents_by_batch ON team_documents (batch);
