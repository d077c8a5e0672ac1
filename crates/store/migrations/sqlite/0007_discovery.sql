-- Discovery: page views for Most Popular, venues and events, and special reports.

-- Views of each article, summed per hour (Unix seconds at the start of the UTC hour). Every
-- server adds its own counts in batches, so the sums stay right with several servers.
CREATE TABLE article_views (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (article_id, hour)
);
CREATE INDEX article_views_hour ON article_views (hour);

-- How many days of views Most Popular ranks by.
ALTER TABLE publication ADD COLUMN popular_days INTEGER NOT NULL DEFAULT 7;

CREATE TABLE venues (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    external_id TEXT UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    time_zone TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT ''
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    external_id TEXT UNIQUE,
    title TEXT NOT NULL,
    venue_id INTEGER NOT NULL REFERENCES venues(id),
    category TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER,
    all_day INTEGER NOT NULL DEFAULT 0,
    price TEXT NOT NULL DEFAULT '',
    ticket_url TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
CREATE INDEX events_starts ON events (starts_at);
CREATE INDEX events_category_starts ON events (category, starts_at);
CREATE INDEX events_venue ON events (venue_id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT '',
    intro_html TEXT NOT NULL DEFAULT '',
    cover_image TEXT NOT NULL DEFAULT '',
    cover_alt TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    -- Listed in the Special Reports box while published and current.
    current INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

CREATE TABLE report_chapters (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    intro TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_chapters_report ON report_chapters (report_id, position);

CREATE TABLE report_items (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    chapter_id INTEGER REFERENCES report_chapters(id) ON DELETE SET NULL,
    position INTEGER NOT NULL,
    article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
    event_id INTEGER REFERENCES events(id) ON DELETE CASCADE,
    blurb TEXT NOT NULL DEFAULT '',
    CHECK ((article_id IS NULL) <> (event_id IS NULL))
);
CREATE INDEX report_items_report ON report_items (report_id, position);
CREATE INDEX report_items_event ON report_items (event_id);
CREATE INDEX report_items_article ON report_items (article_id);
