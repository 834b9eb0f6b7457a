-- The batch list counts each batch's pages (all, blank, waiting for OCR) and whether its
-- documents are delivered: answered from these indexes alone, without reading the rows.
CREATE INDEX pages_counts ON pages (batch_id, deleted, blank, ocr_state);
CREATE INDEX outbox_item_state ON outbox (item_kind, item_id, state);
