-- Change-log compaction (issue 17). See ARCHITECTURE.md, "Tills and central".

-- Central: the tills that pull, each with the cursor it last asked from (everything up to
-- it is applied there) and when. The oldest cursor of the tills seen within the retention
-- bounds how far the log may be compacted; a till left behind by a compaction is `stale`
-- until it starts again from cursor 0 (`stockroom till init`).
CREATE TABLE till_sync_till (
    register TEXT PRIMARY KEY,
    cursor INTEGER NOT NULL,
    stale INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1)),
    seen_at TEXT NOT NULL
);

-- Central: how far the log was compacted (one row). A till asking from a cursor between 0
-- and this point missed removed entries and must be made anew.
CREATE TABLE till_sync_compaction (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- The entries of one row in log order: "is there a later entry of this row?".
CREATE INDEX till_sync_change_row ON till_sync_change (tbl, row_key, seq);
