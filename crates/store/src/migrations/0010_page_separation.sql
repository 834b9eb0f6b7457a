-- Document separation: the barcodes read on each page (NULL = not read yet), whether the
-- page was removed as a separator sheet (so applying other rules can bring it back; a page
-- the user deleted stays deleted), and the index values a page carries for the document
-- it starts (filled from barcodes).
ALTER TABLE pages ADD COLUMN barcodes_json TEXT;
ALTER TABLE pages ADD COLUMN separator INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN index_json TEXT NOT NULL DEFAULT '[]';
