-- Retention (TR-RESISCAN: raw scans may go once the scan product is checked and delivered;
-- GDPR: nothing personal kept longer than needed). What a purge removes is the content —
-- page images, PDFs, a submission's answers and files; the rows stay with their hashes,
-- receipts and audit records, marked with when they were purged.

-- A batch on legal hold (set by the office) is never purged.
ALTER TABLE batches ADD COLUMN hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN purged_at INTEGER;
ALTER TABLE documents ADD COLUMN purged_at INTEGER;
ALTER TABLE submissions ADD COLUMN purged_at INTEGER;

-- A released batch stays read-only, except that its page images may be removed (NULL).
DROP TRIGGER pages_frozen_update;
CREATE TRIGGER pages_frozen_update
BEFORE UPDATE OF position, rotation, starts_document, deleted, separator, index_json,
                 barcodes_json, state, image_kind, width, height, skew, ink,
                 blank, ocr_state, ocr_json
ON pages
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;
CREATE TRIGGER pages_frozen_image BEFORE UPDATE OF image_blob ON pages
WHEN NEW.image_blob IS NOT NULL
 AND EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;

-- Submissions stay immutable; the one change allowed is the purge of their content.
DROP TRIGGER submissions_are_immutable;
CREATE TRIGGER submissions_are_immutable BEFORE UPDATE ON submissions
WHEN NOT (NEW.purged_at IS NOT NULL AND OLD.purged_at IS NULL
          AND NEW.id = OLD.id AND NEW.draft_id = OLD.draft_id AND NEW.form_id = OLD.form_id
          AND NEW.form_version = OLD.form_version AND NEW.sha256 = OLD.sha256
          AND NEW.created_at = OLD.created_at
          AND NEW.data_json = '{}' AND NEW.xml IS NULL AND NEW.pdf_blob IS NULL
          AND NEW.attachments_json = '[]')
BEGIN
    SELECT RAISE(ABORT, 'submissions are immutable');
END;

-- Blob files whose rows a purge removed, until the files are gone too (a purge killed
-- between the two finishes here at its next run).
CREATE TABLE purge_files (
    hash TEXT PRIMARY KEY NOT NULL,
    size INTEGER NOT NULL
) STRICT;

-- Whether a blob is still named is asked per blob when purging: indexes on the columns.
CREATE INDEX pages_by_raw_blob ON pages (raw_blob);
CREATE INDEX pages_by_image_blob ON pages (image_blob) WHERE image_blob IS NOT NULL;
CREATE INDEX pages_by_thumb_blob ON pages (thumb_blob) WHERE thumb_blob IS NOT NULL;
CREATE INDEX documents_by_pdf_blob ON documents (pdf_blob);
CREATE INDEX documents_by_transfer_blob ON documents (transfer_blob) WHERE transfer_blob IS NOT NULL;
CREATE INDEX submissions_by_pdf_blob ON submissions (pdf_blob) WHERE pdf_blob IS NOT NULL;
-- The purge finds delivered items by their outbox rows.
CREATE INDEX IF NOT EXISTS outbox_by_item ON outbox (item_kind, item_id);
