-- The PDF/A rendering of each submission (a blob), written together with the submission.
ALTER TABLE submissions ADD COLUMN pdf_blob TEXT;
