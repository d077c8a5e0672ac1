-- Listings (a section's pages, the home page's latest, feeds) read live articles newest first,
-- by publication time and then id. The earlier index led with the status, which a listing
-- only excludes drafts by, so the database sorted every article of a section to answer page
-- 100; these are in the listing's own order (read backwards), carry the status, and let a
-- page far back be reached by walking the index alone.
DROP INDEX articles_section_live;
CREATE INDEX articles_section_time ON articles (section_id, publish_at, id, status);
CREATE INDEX articles_time ON articles (publish_at, id, status);
