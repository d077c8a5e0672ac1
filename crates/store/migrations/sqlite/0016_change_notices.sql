-- PostgreSQL's migration 0016 makes a change send a notice to every server; SQLite has no
-- notices (its servers share one machine and read the content version each second). This one
-- keeps the two schemas' numbers in step (an export records the schema it was made with).
SELECT 1;
