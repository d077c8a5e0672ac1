-- The network, continued: other papers this one follows (peers), what they share (their
-- Most Popular rankings and their articles, with the films reviewed), blocked domains, and
-- which of our own articles have been announced to followers.
CREATE TABLE peers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id INTEGER NOT NULL UNIQUE REFERENCES remote_actors(id) ON DELETE CASCADE,
    -- What the admin typed, kept to show back: @paper@example.org or a URL.
    handle TEXT NOT NULL,
    site_url TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    trending_url TEXT NOT NULL DEFAULT '',
    outbox_url TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending', 'following', 'failing', 'blocked')),
    -- Our Follow activity's id, which their Accept names.
    follow_id TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    trending_next_at INTEGER NOT NULL DEFAULT 0,
    trending_lease_until INTEGER,
    trending_fetched_at INTEGER,
    created_at INTEGER NOT NULL
);

-- A peer's last good Most Popular ranking; replaced whole on each good fetch.
CREATE TABLE peer_trending (
    peer_id INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (peer_id, rank)
);

-- Articles peers published to us, with the external ids of a reviewed film.
CREATE TABLE network_articles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    object_id TEXT NOT NULL UNIQUE,
    peer_id INTEGER NOT NULL REFERENCES peers(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    byline TEXT NOT NULL DEFAULT '',
    published_at INTEGER NOT NULL,
    film_title TEXT NOT NULL DEFAULT '',
    imdb_id TEXT,
    wikidata_id TEXT,
    tmdb_id TEXT,
    received_at INTEGER NOT NULL
);
CREATE INDEX network_articles_imdb ON network_articles (imdb_id);
CREATE INDEX network_articles_wikidata ON network_articles (wikidata_id);
CREATE INDEX network_articles_tmdb ON network_articles (tmdb_id);

CREATE TABLE blocked_domains (
    domain TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- What followers were last told about each of our articles.
CREATE TABLE federated_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    live INTEGER NOT NULL,
    -- 1 once a Create went out; Updates and Deletes follow only announced articles.
    announced INTEGER NOT NULL,
    synced_at INTEGER NOT NULL
);
