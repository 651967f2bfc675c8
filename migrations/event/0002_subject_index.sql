-- An entity's events (the admin UI's order timeline, an item's stock history) by the ids in
-- their payload, without scanning the outbox: `events::about` filters on exactly these
-- expressions.
CREATE INDEX event_outbox_subject ON event_outbox (json_extract(data, '$.id'));
CREATE INDEX event_outbox_order ON event_outbox (json_extract(data, '$.order_id'));
