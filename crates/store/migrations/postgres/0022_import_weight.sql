-- Author and tag archives read bylines and tags through the indexes of 0020, which begin with
-- the author or the tag just as these two did; the older ones were left only to be written
-- with every byline and tag (a hundred thousand of each in a large import).
DROP INDEX article_authors_author;
DROP INDEX article_tags_tag;

-- An article's text (twice: Markdown and HTML) and each revision's are long enough to be
-- compressed on every write. lz4 does that several times faster than PostgreSQL's default;
-- a server built without lz4 keeps the default, which is only slower.
DO $$
BEGIN
    ALTER TABLE articles ALTER COLUMN body SET COMPRESSION lz4, ALTER COLUMN body_html SET COMPRESSION lz4;
    ALTER TABLE revisions ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    -- "compression method lz4 not supported": the default stays.
    NULL;
END
$$;
