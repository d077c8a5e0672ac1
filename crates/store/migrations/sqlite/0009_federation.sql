-- ActivityPub: the paper's key pair, made once and shared by every server of the site.
CREATE TABLE federation_keys (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_pem TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
