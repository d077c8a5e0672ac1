-- Imports from other systems (WordPress first): which record of which source became which row
-- here, with a fingerprint of what was imported, so that running an import again can tell
-- unchanged records from updated ones; what WordPress kept that Marquee has no column for;
-- and old addresses that answer with a redirect to a page other than an article.
CREATE TABLE import_map (
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (source, kind, source_id)
);

-- A post's custom fields (WordPress post meta), in the order the export gave them.
CREATE TABLE article_fields (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);

-- What an imported comment's author gave besides a name (address, web site, IP) and its meta.
CREATE TABLE comment_fields (
    comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (comment_id, position)
);

-- Old addresses of sections, tags, pages and attachments: `target` is a path on this site.
CREATE TABLE path_redirects (
    old_path TEXT PRIMARY KEY,
    target TEXT NOT NULL
);

-- The name an imported comment was signed with; its author has no reader account here.
ALTER TABLE comments ADD COLUMN imported_name TEXT NOT NULL DEFAULT '';
