-- How many problems the draft still has (as if finalised now); NULL until first evaluated.
ALTER TABLE drafts ADD COLUMN open_issues INTEGER;
