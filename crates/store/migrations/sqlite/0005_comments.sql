-- Readers, comments, moderation, thread subscriptions and the mail outbox.
-- Ids that end up in links or file names never come back after a delete (AUTOINCREMENT).
CREATE TABLE comment_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    moderation TEXT NOT NULL DEFAULT 'first_n' CHECK (moderation IN ('pre', 'post', 'first_n')),
    first_n INTEGER NOT NULL DEFAULT 2,
    banned_words TEXT NOT NULL DEFAULT '',
    suspect_words TEXT NOT NULL DEFAULT '',
    deleted_account TEXT NOT NULL DEFAULT 'keep' CHECK (deleted_account IN ('keep', 'remove')),
    edit_minutes INTEGER NOT NULL DEFAULT 15,
    -- Signs the links in emails; made on first start.
    secret TEXT NOT NULL DEFAULT ''
);
INSERT INTO comment_settings (id) VALUES (1);

ALTER TABLE articles ADD COLUMN comments_open INTEGER NOT NULL DEFAULT 1;

CREATE TABLE readers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL DEFAULT 'immediate' CHECK (digest IN ('immediate', 'daily')),
    suspended_until INTEGER NOT NULL DEFAULT 0,
    banned INTEGER NOT NULL DEFAULT 0,
    last_digest_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE reader_sessions (
    token_hash TEXT PRIMARY KEY,
    reader_id INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX reader_sessions_reader ON reader_sessions (reader_id);

-- Single-use links sent by mail: address verification (also of a new address) and password reset.
CREATE TABLE reader_tokens (
    token_hash TEXT PRIMARY KEY,
    reader_id INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    email TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX reader_tokens_reader ON reader_tokens (reader_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reader_id INTEGER REFERENCES readers(id) ON DELETE SET NULL,
    parent_id INTEGER REFERENCES comments(id),
    depth INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'deleted')),
    hold_reason TEXT NOT NULL DEFAULT '',
    reject_reason TEXT NOT NULL DEFAULT '',
    featured INTEGER NOT NULL DEFAULT 0,
    -- Set once subscribers have been told about the comment, so they are told only once.
    notified INTEGER NOT NULL DEFAULT 0,
    ip TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    decided_at INTEGER
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_reader ON comments (reader_id, status);

CREATE TABLE comment_reports (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    reader_id INTEGER REFERENCES readers(id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (comment_id, reader_id)
);
CREATE INDEX comment_reports_open ON comment_reports (resolved_at, comment_id);

CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    moderator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    moderator_name TEXT NOT NULL,
    action TEXT NOT NULL,
    comment_id INTEGER,
    reader_id INTEGER,
    article_id INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX moderation_log_at ON moderation_log (created_at);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reader_id INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (reader_id, article_id)
);
CREATE INDEX subscriptions_article ON subscriptions (article_id);

-- Approved comments waiting for a subscriber's daily digest.
CREATE TABLE digest_items (
    id INTEGER PRIMARY KEY,
    reader_id INTEGER NOT NULL REFERENCES readers(id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (reader_id, comment_id)
);

-- Every message the site sends, written in the transaction that caused it.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reader_id INTEGER REFERENCES readers(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    to_email TEXT NOT NULL,
    to_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    list_unsubscribe TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Rate limits for readers' actions: one row per counted action.
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_key_at ON rate_events (key, at);
