-- Retention finds settled webhook deliveries (succeeded or dead) by age without scanning the
-- log; pending rows (the checkout path's inserts) are not in this index.
CREATE INDEX event_webhook_delivery_settled ON event_webhook_delivery (updated_at)
    WHERE status IN ('succeeded', 'dead');
