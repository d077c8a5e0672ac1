-- PostgreSQL's migration 0018 tells every server when a reader changes, so that none keeps a
-- stale copy in memory; a SQLite file has one server, which forgets the reader itself. This
-- one keeps the two schemas' numbers in step (an export records the schema it was made with).
SELECT 1;
