-- Every list pages along an index from where the last page ended (keyset paging), so its
-- cost follows the page, not the table: batches and submissions newest first, drafts by
-- their last change, delivered outbox rows by their receipt.
CREATE INDEX batches_by_created ON batches (created_at, id);
DROP INDEX IF EXISTS drafts_by_updated;
CREATE INDEX drafts_by_updated ON drafts (updated_at, id);
DROP INDEX IF EXISTS submissions_by_created;
CREATE INDEX submissions_by_created ON submissions (created_at, id);
CREATE INDEX outbox_delivered ON outbox (state, receipt_at, id);
-- A sign-in's lock-out and the checkpoint's age ask for the last record of a kind about
-- one subject: without this they read the whole log.
CREATE INDEX audit_by_kind ON audit_log (kind, subject, at);
CREATE INDEX outbox_waiting ON outbox (id) WHERE state <> 'delivered';
-- The hot folder finds its day's batch by name.
CREATE INDEX batches_by_name ON batches (name, created_at);
-- The status bar's forecast sums what the last week stored.
CREATE INDEX blobs_by_created ON blobs (created_at);
