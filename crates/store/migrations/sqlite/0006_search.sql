-- Full-text search (store/src/search.rs). One row for every article that is not a draft, its
-- rowid the article's id; searches add the LIVE condition, so a scheduled article is found
-- once its time comes. Columns in the order bm25() weighs them: headline 10, deck, film
-- title and author names 4 each, tags 2, body (plain text) 1. Porter stemming and folded
-- accents, like PostgreSQL's 'english' configuration; prefix indexes for `audi*` searches.
CREATE VIRTUAL TABLE search_docs USING fts5(
    headline, deck, film, people, tags, body,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);
