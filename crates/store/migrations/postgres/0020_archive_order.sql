-- An author's or a tag's archive lists their live articles newest first. Read through the
-- byline or tag rows, that meant sorting every article of a staff writer (ten thousand in a
-- large archive) for each page of it. Each byline and tag row now carries its article's
-- publication time while the article is not a draft (`listed_at`, NULL for a draft), kept
-- by the triggers below, so a page of an archive is a walk of one index in its own order. A
-- writer that knows the value (an import, many rows at a time) writes it and skips the
-- trigger on insert; a NULL is always filled in.
ALTER TABLE article_authors ADD COLUMN listed_at BIGINT;
ALTER TABLE article_tags ADD COLUMN listed_at BIGINT;
UPDATE article_authors x SET listed_at = CASE WHEN a.status <> 'draft' THEN a.publish_at END FROM articles a WHERE a.id = x.article_id;
UPDATE article_tags x SET listed_at = CASE WHEN a.status <> 'draft' THEN a.publish_at END FROM articles a WHERE a.id = x.article_id;
CREATE INDEX article_authors_listed ON article_authors (author_id, listed_at, article_id);
CREATE INDEX article_tags_listed ON article_tags (tag_id, listed_at, article_id);

CREATE FUNCTION marquee_listed_at_of_new_row() RETURNS trigger AS $$
BEGIN
    NEW.listed_at := (SELECT CASE WHEN a.status <> 'draft' THEN a.publish_at END FROM articles a WHERE a.id = NEW.article_id);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER article_authors_listed BEFORE INSERT ON article_authors
    FOR EACH ROW WHEN (NEW.listed_at IS NULL) EXECUTE FUNCTION marquee_listed_at_of_new_row();
CREATE TRIGGER article_tags_listed BEFORE INSERT ON article_tags
    FOR EACH ROW WHEN (NEW.listed_at IS NULL) EXECUTE FUNCTION marquee_listed_at_of_new_row();

CREATE FUNCTION marquee_article_listed_at() RETURNS trigger AS $$
BEGIN
    UPDATE article_authors SET listed_at = CASE WHEN NEW.status <> 'draft' THEN NEW.publish_at END WHERE article_id = NEW.id;
    UPDATE article_tags SET listed_at = CASE WHEN NEW.status <> 'draft' THEN NEW.publish_at END WHERE article_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER articles_listed AFTER UPDATE OF status, publish_at ON articles
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.publish_at IS DISTINCT FROM NEW.publish_at)
    EXECUTE FUNCTION marquee_article_listed_at();
