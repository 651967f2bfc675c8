-- The file module's local provider, kept in the store itself (issue 13): one row per
-- uploaded file, its bytes included, so the one SQLite file is the whole shop. Nothing is
-- ever written to or read from the filesystem.
CREATE TABLE file_blob (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
