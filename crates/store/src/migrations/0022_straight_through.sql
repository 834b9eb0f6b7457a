-- Straight-through release: a batch's documents that need no person (not drawn for the
-- check, nothing flagged, every required value suggested above the profile's threshold)
-- are split off into a batch of their own and released at once. The split-off batch draws
-- its check as the batch it came from (`split_from`), so splitting never changes which
-- documents a person checks. `auto_at`: when automatic indexing last ran on the batch after
-- its OCR (batches from before this version count as done, and are left as they are).
ALTER TABLE batches ADD COLUMN split_from TEXT REFERENCES batches (id);
ALTER TABLE batches ADD COLUMN auto_at INTEGER;
UPDATE batches SET auto_at = created_at;

-- A released batch keeps its pages.
CREATE TRIGGER pages_frozen_batch BEFORE UPDATE OF batch_id ON pages
WHEN EXISTS (SELECT 1 FROM batches b WHERE b.id = OLD.batch_id AND b.released_at IS NOT NULL)
BEGIN SELECT RAISE(ABORT, 'eingang:batch_released'); END;
