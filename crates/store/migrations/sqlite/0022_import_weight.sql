-- Author and tag archives read bylines and tags through the indexes of 0020, which begin with
-- the author or the tag just as these two did; the older ones were left only to be written
-- with every byline and tag (a hundred thousand of each in a large import).
DROP INDEX article_authors_author;
DROP INDEX article_tags_tag;
