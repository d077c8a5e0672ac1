-- Full-text search (store/src/search.rs). One row for every article that is not a draft;
-- searches add the LIVE condition, so a scheduled article is found once its time comes.
-- `doc` weighs the headline A, deck, film title and author names B, tags C, body D, all in
-- the 'english' configuration; headline and body (plain text) are kept for ts_headline.
CREATE TABLE search_docs (
    article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    headline TEXT NOT NULL,
    body TEXT NOT NULL,
    doc TSVECTOR NOT NULL
);
CREATE INDEX search_docs_doc ON search_docs USING GIN (doc);
