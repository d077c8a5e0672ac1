-- Each server keeps signed-in readers in memory (store/src/reader_memo.rs) and must forget one
-- as soon as another server changes them, their sessions, their comments or their
-- subscriptions. These triggers send `reader:<id>` on the change channel at commit, whatever
-- statement made the change; identical notices of one transaction arrive once.
CREATE FUNCTION marquee_reader_notice() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.reader_id IS NOT NULL THEN
            PERFORM pg_notify('marquee_content', 'reader:' || OLD.reader_id);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.reader_id IS NOT NULL THEN
            PERFORM pg_notify('marquee_content', 'reader:' || NEW.reader_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- The readers table names its reader `id`.
CREATE FUNCTION marquee_reader_row_notice() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('marquee_content', 'reader:' || OLD.id);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Only the columns a signed-in page depends on (not the digest's bookkeeping).
CREATE TRIGGER readers_notice AFTER UPDATE OF email, name, password_hash, verified, suspended_until, banned OR DELETE ON readers
    FOR EACH ROW EXECUTE FUNCTION marquee_reader_row_notice();
CREATE TRIGGER reader_sessions_notice AFTER UPDATE OR DELETE ON reader_sessions
    FOR EACH ROW EXECUTE FUNCTION marquee_reader_notice();
CREATE TRIGGER subscriptions_notice AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION marquee_reader_notice();
-- Imported comments have no reader: the WHEN clauses keep the import from calling anything.
CREATE TRIGGER comments_insert_notice AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.reader_id IS NOT NULL) EXECUTE FUNCTION marquee_reader_notice();
CREATE TRIGGER comments_update_notice AFTER UPDATE OF status, reader_id, article_id ON comments
    FOR EACH ROW WHEN (OLD.reader_id IS NOT NULL OR NEW.reader_id IS NOT NULL) EXECUTE FUNCTION marquee_reader_notice();
CREATE TRIGGER comments_delete_notice AFTER DELETE ON comments
    FOR EACH ROW WHEN (OLD.reader_id IS NOT NULL) EXECUTE FUNCTION marquee_reader_notice();
