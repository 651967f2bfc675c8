-- Retention finds sent notifications by age without scanning; pending and failed ones are not
-- in this index.
CREATE INDEX notification_sent ON notification (updated_at) WHERE status = 'success';
