-- The batch list, a batch's view, the originals' settlement and the purge all ask for a
-- batch's documents: an index, so their cost follows the batch, not the whole table.
CREATE INDEX documents_by_batch ON documents (batch_id);
-- The outbox's UNIQUE (item_kind, item_id, target) already serves lookups by item.
DROP INDEX IF EXISTS outbox_by_item;
