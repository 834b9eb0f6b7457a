-- The purge looks only at what it has not purged yet, oldest first: its cost follows the
-- retention window (what is still on the station), not the years of rows behind it.
CREATE INDEX batches_unpurged ON batches (released_at)
    WHERE purged_at IS NULL AND released_at IS NOT NULL;
CREATE INDEX documents_unpurged ON documents (created_at) WHERE purged_at IS NULL;
CREATE INDEX submissions_unpurged ON submissions (created_at) WHERE purged_at IS NULL;
