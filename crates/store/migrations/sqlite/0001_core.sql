-- Publication core: settings, staff, sections, authors, articles, revisions, redirects.
-- Instants are Unix seconds (UTC). Flags are 0/1 integers so both backends read them alike.
CREATE TABLE publication (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    base_url TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    copyright TEXT NOT NULL,
    content_version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO publication (id, name, base_url, time_zone, copyright)
VALUES (1, 'Marquee', 'http://127.0.0.1:8080', 'America/Los_Angeles', '© Marquee. All rights reserved.');

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('contributor', 'editor', 'admin')),
    active INTEGER NOT NULL DEFAULT 1,
    author_id INTEGER REFERENCES authors(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES sections(id),
    slug TEXT NOT NULL,
    headline TEXT NOT NULL,
    deck TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    publish_at INTEGER,
    revised_at INTEGER,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (section_id, slug)
);
CREATE INDEX articles_live ON articles (status, publish_at DESC);
CREATE INDEX articles_section_live ON articles (section_id, status, publish_at DESC);

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_author ON article_authors (author_id, article_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    headline TEXT NOT NULL,
    deck TEXT NOT NULL,
    slug TEXT NOT NULL,
    section_id INTEGER NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    author_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, number)
);

CREATE TABLE redirects (
    old_path TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
