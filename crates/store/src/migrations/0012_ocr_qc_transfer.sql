-- Scan intake II: OCR of each page, the index station's master data, the quality check
-- (TR-RESISCAN A.SC.8, A.NB.1–3) and the Transfervermerk of every released document (A.NB.4).

-- OCR: NULL = not wanted (profile without OCR, blank page); 'pending' until a worker has
-- read it; the words with their boxes (JSON) or why it failed.
ALTER TABLE pages ADD COLUMN ocr_state TEXT CHECK (ocr_state IN ('pending', 'done', 'failed'));
ALTER TABLE pages ADD COLUMN ocr_json TEXT;
ALTER TABLE pages ADD COLUMN ocr_error TEXT;
CREATE INDEX pages_ocr_pending ON pages (ocr_state) WHERE ocr_state = 'pending';

-- The person who scanned the batch (four-eyes: the checker must be someone else), when it
-- was released, and when its originals became destroyable (only after a passed check).
ALTER TABLE batches ADD COLUMN scanned_by TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN released_at INTEGER;
ALTER TABLE batches ADD COLUMN destroyable_at INTEGER;

-- Quality check verdicts, one row per decision, never changed: a document's latest verdict
-- counts. A document is named by its first page (documents exist as rows only once released).
CREATE TABLE qc_verdicts (
    id          INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    first_page  TEXT NOT NULL,
    page_ids    TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('passed', 'failed')),
    checker     TEXT NOT NULL,
    note        TEXT NOT NULL,
    flags_json  TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;
CREATE INDEX qc_verdicts_by_batch ON qc_verdicts (batch_id, first_page, id);
CREATE TRIGGER qc_verdicts_no_update BEFORE UPDATE ON qc_verdicts
BEGIN SELECT RAISE(ABORT, 'QC verdicts are append-only'); END;
CREATE TRIGGER qc_verdicts_no_delete BEFORE DELETE ON qc_verdicts
BEGIN SELECT RAISE(ABORT, 'QC verdicts are append-only'); END;

-- The Transfervermerk (XML, in the blob store) and the integrity record (hashes and seal).
ALTER TABLE documents ADD COLUMN transfer_blob TEXT;
ALTER TABLE documents ADD COLUMN integrity_json TEXT;

-- Master data the city maintains: organisation units (with the Aktenzeichen pattern of
-- each) and document types (with the index fields each needs).
CREATE TABLE master_data (
    kind        TEXT NOT NULL CHECK (kind IN ('unit', 'doctype')),
    code        TEXT NOT NULL,
    label       TEXT NOT NULL,
    pattern     TEXT,
    fields_json TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (kind, code)
) STRICT;
