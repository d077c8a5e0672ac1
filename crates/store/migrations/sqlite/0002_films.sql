-- The film database that reviews share: films, people, credits, and a review's film.
CREATE TABLE films (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    original_title TEXT NOT NULL DEFAULT '',
    year INTEGER,
    release_date TEXT,
    runtime_minutes INTEGER,
    certification TEXT,
    certification_body TEXT,
    genres TEXT NOT NULL DEFAULT '',
    imdb_id TEXT,
    tmdb_id TEXT,
    wikidata_id TEXT,
    import_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX films_title_year ON films (lower(title), year);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
CREATE INDEX people_name ON people (name);

CREATE TABLE credits (
    film_id INTEGER NOT NULL REFERENCES films(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL CHECK (role IN ('director', 'producer', 'writer', 'cast')),
    character TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    PRIMARY KEY (film_id, role, position)
);
CREATE INDEX credits_person ON credits (person_id, film_id);

ALTER TABLE articles ADD COLUMN film_id INTEGER REFERENCES films(id);
CREATE INDEX articles_film ON articles (film_id);
