-- The newsroom's list of articles shows the most recently changed first, fifty to a page,
-- optionally only one state. Without an index in that order each page sorted every article
-- of the archive. With it a page is a walk of the index from its place (the last row of the
-- page before, carried in the page's "Next" link); the state is in the index too, so a walk
-- for drafts reads no article it skips.
CREATE INDEX articles_updated ON articles (updated_at, id, status);
