-- Where the paper is, theaters with their zones, and showtimes as instants.
ALTER TABLE publication ADD COLUMN home_latitude REAL NOT NULL DEFAULT 37.809435;
ALTER TABLE publication ADD COLUMN home_longitude REAL NOT NULL DEFAULT -122.27018;
ALTER TABLE publication ADD COLUMN radius_miles REAL NOT NULL DEFAULT 25;

CREATE TABLE theaters (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    external_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    time_zone TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX theaters_position ON theaters (latitude, longitude);

CREATE TABLE showtimes (
    id INTEGER PRIMARY KEY,
    theater_id INTEGER NOT NULL REFERENCES theaters(id) ON DELETE CASCADE,
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    starts_at INTEGER NOT NULL,
    attributes TEXT NOT NULL DEFAULT '',
    auditorium TEXT NOT NULL DEFAULT '',
    ticket_url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX showtimes_theater_film_time ON showtimes (theater_id, film_id, starts_at);
CREATE INDEX showtimes_theater_time ON showtimes (theater_id, starts_at);
