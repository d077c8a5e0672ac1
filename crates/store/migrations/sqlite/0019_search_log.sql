-- Search moves from FTS5 to an index every server keeps for itself (crates/search), filled
-- from this log (store/src/search.rs). search_changes holds one row per article ever changed,
-- with the content version of its last change as its position; a deleted article keeps its
-- row, so every server learns to drop it. search_log's epoch is new for every database, so an
-- index made from another database (an old directory, a restored copy) is started over.
DROP TABLE search_docs;
CREATE TABLE search_changes (
    article_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL
);
CREATE INDEX search_changes_seq ON search_changes (seq, article_id);
CREATE TABLE search_log (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL
);
INSERT INTO search_log (id, epoch) VALUES (1, lower(hex(randomblob(16))));
-- Every article there is, at position 0, for the first server to read.
INSERT INTO search_changes (article_id, seq) SELECT id, 0 FROM articles;
