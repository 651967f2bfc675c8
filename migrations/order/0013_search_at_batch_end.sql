-- Orders are indexed for `q` once per write batch, not by each order's own statement.
--
-- FTS5 keeps a transaction's new documents in memory and writes them out as a new segment
-- at the next savepoint, and every write job runs in savepoints: an order indexed by its
-- insert trigger was written out by the next statement's savepoint, as a segment of its own,
-- and every later savepoint of the batch called into the index again. The triggers now only
-- note the order here; the order module's batch-end work (`order::module`, run by the writer
-- after the batch's last job and before its COMMIT, in the same transaction) indexes the
-- noted orders in one statement. A search after the commit finds them, as before.
CREATE TABLE order_search_pending (
    order_rowid INTEGER PRIMARY KEY,
    -- 1 when the index holds an older document of the order (noted by an update).
    indexed INTEGER NOT NULL
);

DROP TRIGGER order_search_insert;
CREATE TRIGGER order_search_insert AFTER INSERT ON "order" BEGIN
    INSERT INTO order_search_pending (order_rowid, indexed) VALUES (NEW.rowid, 0)
    ON CONFLICT (order_rowid) DO NOTHING;
END;

DROP TRIGGER order_search_update;
CREATE TRIGGER order_search_update
    AFTER UPDATE OF display_id, email, shipping_address_id, billing_address_id ON "order" BEGIN
    INSERT INTO order_search_pending (order_rowid, indexed) VALUES (NEW.rowid, 1)
    ON CONFLICT (order_rowid) DO NOTHING;
END;

-- An order inserted and deleted before its batch ended was never indexed.
DROP TRIGGER order_search_delete;
CREATE TRIGGER order_search_delete AFTER DELETE ON "order" BEGIN
    DELETE FROM order_search WHERE rowid = OLD.rowid AND NOT EXISTS (
        SELECT 1 FROM order_search_pending WHERE order_rowid = OLD.rowid AND indexed = 0);
    DELETE FROM order_search_pending WHERE order_rowid = OLD.rowid;
END;
