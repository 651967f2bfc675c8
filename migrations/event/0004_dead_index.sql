-- `/metrics` counts dead-lettered deliveries: from this partial index, not by scanning the
-- whole delivery log.
CREATE INDEX event_delivery_dead ON event_delivery (status) WHERE status = 'dead';
