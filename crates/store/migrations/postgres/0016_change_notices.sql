-- Several servers on one database learn of a change at once: whenever the content version
-- moves, the transaction that moved it sends a notice on the channel `marquee_content` (at
-- commit, and only then), which every server listens on (store/src/changes.rs).
CREATE FUNCTION marquee_content_notice() RETURNS trigger AS $$
BEGIN
    IF NEW.content_version IS DISTINCT FROM OLD.content_version THEN
        PERFORM pg_notify('marquee_content', NEW.content_version::text);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER publication_content_notice AFTER UPDATE ON publication
    FOR EACH ROW EXECUTE FUNCTION marquee_content_notice();
