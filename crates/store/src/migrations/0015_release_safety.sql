-- A release waiting for a service it needs (the timestamp service): what the clerk asked
-- for, kept until the release succeeds or the clerk withdraws it; retried automatically.
-- While it waits, the batch is frozen as it was when release was asked for.
CREATE TABLE release_pending (
    batch_id     TEXT PRIMARY KEY NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    request_json TEXT NOT NULL,
    since        INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 1,
    last_code    TEXT NOT NULL,
    next_at      INTEGER NOT NULL
) STRICT;

-- Whether the originals may be destroyed once every document is delivered (the check
-- passed and integrity evidence exists). `destroyable_at` is set only when the last
-- delivery receipt of the batch's documents arrives.
ALTER TABLE batches ADD COLUMN originals_eligible INTEGER NOT NULL DEFAULT 0;
UPDATE batches SET originals_eligible = 1 WHERE destroyable_at IS NOT NULL;

-- A released batch (or one whose release is pending) is read-only: the delivered PDF, the
-- Transfervermerk and the log must agree with the pages. Enforced here, beneath every
-- command. The messages are matched by the store's error mapping.
CREATE TRIGGER pages_frozen_update
BEFORE UPDATE OF position, rotation, starts_document, deleted, separator, index_json,
                 barcodes_json, state, image_blob, image_kind, width, height, skew, ink,
                 blank, ocr_state, ocr_json
ON pages
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;

CREATE TRIGGER pages_pending_update
BEFORE UPDATE OF position, rotation, starts_document, deleted, separator, index_json,
                 barcodes_json, state, image_blob, image_kind, width, height, skew, ink,
                 blank, ocr_state, ocr_json
ON pages
WHEN EXISTS (SELECT 1 FROM release_pending r WHERE r.batch_id = OLD.batch_id)
BEGIN SELECT RAISE(ABORT, 'eingang:release_pending'); END;

CREATE TRIGGER pages_frozen_insert BEFORE INSERT ON pages
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = NEW.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;

CREATE TRIGGER pages_pending_insert BEFORE INSERT ON pages
WHEN EXISTS (SELECT 1 FROM release_pending r WHERE r.batch_id = NEW.batch_id)
BEGIN SELECT RAISE(ABORT, 'eingang:release_pending'); END;

CREATE TRIGGER qc_frozen_insert BEFORE INSERT ON qc_verdicts
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = NEW.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;

CREATE TRIGGER qc_pending_insert BEFORE INSERT ON qc_verdicts
WHEN EXISTS (SELECT 1 FROM release_pending r WHERE r.batch_id = NEW.batch_id)
BEGIN SELECT RAISE(ABORT, 'eingang:release_pending'); END;

-- Released twice is an error, not a second set of documents.
CREATE TRIGGER batches_release_once BEFORE UPDATE OF released_at ON batches
WHEN OLD.released_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;
