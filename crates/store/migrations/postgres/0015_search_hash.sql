-- SQLite's migration 0015 sets its full-text index's memory for a transaction's writes;
-- PostgreSQL's index needs no such setting. This one keeps the two schemas' numbers in step
-- (an export records the schema it was made with).
SELECT 1;
