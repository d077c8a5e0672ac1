-- Events: the calendar finds events still running when its first day begins by their end,
-- and an event whose slug changes keeps answering at its old address.

CREATE INDEX events_ends ON events (ends_at);

CREATE TABLE event_redirects (
    old_slug TEXT PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE
);
CREATE INDEX event_redirects_event ON event_redirects (event_id);
