-- The transactional outbox: an event row exists exactly when the change that emitted it
-- committed. Deliveries record each subscriber's progress (the delivery log).
CREATE TABLE event_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE event_delivery (
    event_seq INTEGER NOT NULL REFERENCES event_outbox(seq),
    subscriber TEXT NOT NULL,
    event_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (event_seq, subscriber)
);
CREATE INDEX event_delivery_pending ON event_delivery (status, event_seq) WHERE status = 'pending';

-- How far the dispatcher has fanned events out into deliveries.
CREATE TABLE event_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO event_cursor (id, last_seq) VALUES (1, 0);
