-- Retention purges a delivered batch's OCR text with its page images (GDPR: the words of a
-- letter are as personal as its image). A released batch stays read-only otherwise: its
-- OCR text may only be removed (NULL), never written.
DROP TRIGGER pages_frozen_update;
CREATE TRIGGER pages_frozen_update
BEFORE UPDATE OF position, rotation, starts_document, deleted, separator, index_json,
                 barcodes_json, state, image_kind, width, height, skew, ink,
                 blank, ocr_state
ON pages
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;
CREATE TRIGGER pages_frozen_ocr BEFORE UPDATE OF ocr_json ON pages
WHEN NEW.ocr_json IS NOT NULL
 AND EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;
