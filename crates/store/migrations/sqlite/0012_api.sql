-- APIs: keys for the Ghost-compatible Content and Admin APIs and Marquee's own API, the
-- featured flag Ghost's posts carry, and webhooks with their durable delivery queue.
ALTER TABLE articles ADD COLUMN featured INTEGER NOT NULL DEFAULT 0;

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('content', 'admin')),
    name TEXT NOT NULL,
    -- Content keys: the SHA-256 of the key (the key itself is shown once). Admin keys: the
    -- key's id, which tokens name in their header.
    lookup TEXT NOT NULL UNIQUE,
    -- Admin keys: the secret (hex) their tokens are signed with. Empty for content keys.
    secret TEXT NOT NULL DEFAULT '',
    -- The first characters of the key, to tell keys apart in the newsroom.
    hint TEXT NOT NULL,
    -- Admin keys act as this staff member, with their role.
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    event TEXT NOT NULL,
    target_url TEXT NOT NULL,
    -- Signs every delivery (X-Marquee-Signature and X-Ghost-Signature).
    secret TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    last_triggered_at INTEGER,
    last_status TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_event ON webhooks (event);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

-- What webhooks were last told of each article: whether it was live and when that was
-- recorded, so that publishing, editing, scheduling coming due and unpublishing each fire
-- once, however many servers sweep.
CREATE TABLE webhook_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    live INTEGER NOT NULL,
    synced_at INTEGER NOT NULL
);
-- Articles already live when webhooks arrive are known, so that none fires for the archive.
INSERT INTO webhook_articles (article_id, live, synced_at)
    SELECT id, 1, CAST(strftime('%s', 'now') AS INTEGER) FROM articles WHERE status <> 'draft' AND publish_at <= CAST(strftime('%s', 'now') AS INTEGER);
