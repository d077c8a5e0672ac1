-- The media library: uploaded images (the file itself is in media storage under its content
-- key), the queue that makes their renditions, and articles' lead images. Which renditions an
-- image has follows from its kind and size, so they need no table of their own.
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('jpeg', 'png', 'gif', 'webp')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    animated INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    -- 1 once every rendition is in storage.
    ready INTEGER NOT NULL DEFAULT 0,
    uploaded_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX media_recent ON media (created_at DESC, id DESC);

CREATE TABLE media_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX media_jobs_due ON media_jobs (status, next_attempt_at);

ALTER TABLE articles ADD COLUMN lead_media_id INTEGER REFERENCES media(id);
