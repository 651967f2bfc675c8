-- Admin order lists at scale (issue 19, goal 6; BENCHMARKS.md "Admin order lists at 1M
-- orders"). At 1M orders a filtered list (`status=`, `region_id=`, `q=`) counted by scanning
-- every order, a deep `offset` read a table row per skipped order, and a customer's count
-- read each of their order rows. "Listed" below is the condition every order listing starts
-- with (`modules::order::listing::LISTED`): live and not a draft.

-- Listed orders newest first. The partial index's condition is the listing's own, and the
-- index holds the condition's columns too (a partial index does not count as covering for
-- the columns of its condition): a deep offset walks index entries only, no table row per
-- skipped order. Replaces order_live_created, whose walk read each row to leave drafts out.
CREATE INDEX order_listed_created ON "order" (created_at, id, status, deleted_at)
    WHERE deleted_at IS NULL AND status <> 'draft';
DROP INDEX order_live_created;

-- One index per common filter, newest first within the value: the page is an index range in
-- order, however rare the value (before, a rare status walked the whole history to fill a
-- page, an absent one all of it). Covering for the listing's condition, as above.
CREATE INDEX order_listed_status ON "order" (status, created_at, id, deleted_at)
    WHERE deleted_at IS NULL AND status <> 'draft';
CREATE INDEX order_listed_region ON "order" (region_id, created_at, id, status, deleted_at)
    WHERE deleted_at IS NULL AND status <> 'draft';
CREATE INDEX order_listed_channel ON "order" (sales_channel_id, created_at, id, status, deleted_at)
    WHERE deleted_at IS NULL AND status <> 'draft';
-- A customer's listed orders; replaces order_customer_live, which had no status: its count
-- read every one of the customer's rows to leave drafts out.
CREATE INDEX order_listed_customer ON "order" (customer_id, created_at, id, status, deleted_at)
    WHERE deleted_at IS NULL AND status <> 'draft';
DROP INDEX order_customer_live;

-- Listed orders per value of each common filter, kept by the triggers below: a list filtered
-- on one of them counts in constant time (counting an index range is linear in the matches:
-- 1M entries for `status=pending`).
CREATE TABLE order_listed_count (
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    listed INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
) WITHOUT ROWID;

INSERT INTO order_listed_count (dimension, value, listed)
SELECT 'status', status, COUNT(*) FROM "order"
    WHERE deleted_at IS NULL AND status <> 'draft' GROUP BY status;
INSERT INTO order_listed_count (dimension, value, listed)
SELECT 'region_id', region_id, COUNT(*) FROM "order"
    WHERE deleted_at IS NULL AND status <> 'draft' AND region_id IS NOT NULL GROUP BY region_id;
INSERT INTO order_listed_count (dimension, value, listed)
SELECT 'sales_channel_id', sales_channel_id, COUNT(*) FROM "order"
    WHERE deleted_at IS NULL AND status <> 'draft' AND sales_channel_id IS NOT NULL
    GROUP BY sales_channel_id;
INSERT INTO order_listed_count (dimension, value, listed)
SELECT 'customer_id', customer_id, COUNT(*) FROM "order"
    WHERE deleted_at IS NULL AND status <> 'draft' AND customer_id IS NOT NULL
    GROUP BY customer_id;

CREATE TRIGGER order_listed_count_insert AFTER INSERT ON "order"
    WHEN NEW.deleted_at IS NULL AND NEW.status <> 'draft' BEGIN
    INSERT INTO order_listed_count (dimension, value, listed)
    SELECT 'status', NEW.status, 1 WHERE true
    UNION ALL SELECT 'region_id', NEW.region_id, 1 WHERE NEW.region_id IS NOT NULL
    UNION ALL SELECT 'sales_channel_id', NEW.sales_channel_id, 1
        WHERE NEW.sales_channel_id IS NOT NULL
    UNION ALL SELECT 'customer_id', NEW.customer_id, 1 WHERE NEW.customer_id IS NOT NULL
    ON CONFLICT (dimension, value) DO UPDATE SET listed = listed + 1;
END;

CREATE TRIGGER order_listed_count_delete AFTER DELETE ON "order"
    WHEN OLD.deleted_at IS NULL AND OLD.status <> 'draft' BEGIN
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'status' AND value = OLD.status;
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'region_id' AND value = OLD.region_id;
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'sales_channel_id' AND value = OLD.sales_channel_id;
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'customer_id' AND value = OLD.customer_id;
END;

-- Any change of a counted column or of being listed (soft delete, draft conversion): an old
-- value leaves its count if the order was listed, a new one joins its count if the order is
-- listed; a value that did not change on an order that stays listed is left alone.
CREATE TRIGGER order_listed_count_update
    AFTER UPDATE OF deleted_at, status, region_id, sales_channel_id, customer_id ON "order"
    WHEN (OLD.deleted_at IS NULL AND OLD.status <> 'draft')
      OR (NEW.deleted_at IS NULL AND NEW.status <> 'draft') BEGIN
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'status' AND value = OLD.status AND OLD.deleted_at IS NULL AND OLD.status <> 'draft'
          AND (NEW.deleted_at IS NOT NULL OR NEW.status = 'draft' OR NEW.status IS NOT OLD.status);
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'region_id' AND value = OLD.region_id AND OLD.deleted_at IS NULL AND OLD.status <> 'draft'
          AND (NEW.deleted_at IS NOT NULL OR NEW.status = 'draft' OR NEW.region_id IS NOT OLD.region_id);
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'sales_channel_id' AND value = OLD.sales_channel_id AND OLD.deleted_at IS NULL AND OLD.status <> 'draft'
          AND (NEW.deleted_at IS NOT NULL OR NEW.status = 'draft' OR NEW.sales_channel_id IS NOT OLD.sales_channel_id);
    UPDATE order_listed_count SET listed = listed - 1
        WHERE dimension = 'customer_id' AND value = OLD.customer_id AND OLD.deleted_at IS NULL AND OLD.status <> 'draft'
          AND (NEW.deleted_at IS NOT NULL OR NEW.status = 'draft' OR NEW.customer_id IS NOT OLD.customer_id);
    INSERT INTO order_listed_count (dimension, value, listed) SELECT 'status', NEW.status, 1
        WHERE NEW.deleted_at IS NULL AND NEW.status <> 'draft'
          AND (OLD.deleted_at IS NOT NULL OR OLD.status = 'draft' OR NEW.status IS NOT OLD.status)
        ON CONFLICT (dimension, value) DO UPDATE SET listed = listed + 1;
    INSERT INTO order_listed_count (dimension, value, listed) SELECT 'region_id', NEW.region_id, 1
        WHERE NEW.deleted_at IS NULL AND NEW.status <> 'draft' AND NEW.region_id IS NOT NULL
          AND (OLD.deleted_at IS NOT NULL OR OLD.status = 'draft' OR NEW.region_id IS NOT OLD.region_id)
        ON CONFLICT (dimension, value) DO UPDATE SET listed = listed + 1;
    INSERT INTO order_listed_count (dimension, value, listed) SELECT 'sales_channel_id', NEW.sales_channel_id, 1
        WHERE NEW.deleted_at IS NULL AND NEW.status <> 'draft' AND NEW.sales_channel_id IS NOT NULL
          AND (OLD.deleted_at IS NOT NULL OR OLD.status = 'draft' OR NEW.sales_channel_id IS NOT OLD.sales_channel_id)
        ON CONFLICT (dimension, value) DO UPDATE SET listed = listed + 1;
    INSERT INTO order_listed_count (dimension, value, listed) SELECT 'customer_id', NEW.customer_id, 1
        WHERE NEW.deleted_at IS NULL AND NEW.status <> 'draft' AND NEW.customer_id IS NOT NULL
          AND (OLD.deleted_at IS NOT NULL OR OLD.status = 'draft' OR NEW.customer_id IS NOT OLD.customer_id)
        ON CONFLICT (dimension, value) DO UPDATE SET listed = listed + 1;
END;

-- `q`: Medusa matches each whitespace-separated word of `q` as a case-insensitive substring
-- (ILIKE '%word%') of any searchable column: display id, email and the addresses' names
-- among them. A trigram full-text index answers substrings of three characters or more
-- without reading the orders. One document per order (rowid = the order's rowid): display id,
-- email, and the first and last names of its shipping and billing addresses, separated by
-- spaces (a word of `q` has no space, so it never matches across two fields). Contentless:
-- the list reads the orders themselves, the index only answers which rowids match.
CREATE VIRTUAL TABLE order_search USING fts5(
    doc, content = '', contentless_delete = 1, tokenize = 'trigram'
);
-- No incremental merging at each commit. FTS5 merges a fixed number of leaf pages per leaf
-- page written, and every commit writes at least one (nearly empty) leaf: with one order per
-- checkout commit that re-wrote ~40 KB of postings per order (4.5M instructions, +37 % per
-- checkout at 1M orders, callgrind). Without it, a level's segments are merged when there are
-- 16 of them (FTS5's `crisismerge`): the work follows the data actually written.
INSERT INTO order_search (order_search, rank) VALUES ('automerge', 0);

-- The document of an order, as the triggers write it. Order addresses are never updated once
-- an order points at them (a new address replaces the old one: `manage::replace_address`),
-- so only the order's own columns need triggers.
CREATE VIEW order_search_doc AS
SELECT o.rowid AS order_rowid,
       CAST(o.display_id AS TEXT) || ' ' || COALESCE(o.email, '')
       || ' ' || COALESCE(s.first_name, '') || ' ' || COALESCE(s.last_name, '')
       || ' ' || COALESCE(b.first_name, '') || ' ' || COALESCE(b.last_name, '') AS doc
FROM "order" o
LEFT JOIN order_address s ON s.id = o.shipping_address_id
LEFT JOIN order_address b ON b.id = o.billing_address_id;

INSERT INTO order_search (rowid, doc) SELECT order_rowid, doc FROM order_search_doc;

CREATE TRIGGER order_search_insert AFTER INSERT ON "order" BEGIN
    INSERT INTO order_search (rowid, doc)
    SELECT order_rowid, doc FROM order_search_doc WHERE order_rowid = NEW.rowid;
END;

CREATE TRIGGER order_search_update
    AFTER UPDATE OF display_id, email, shipping_address_id, billing_address_id ON "order" BEGIN
    DELETE FROM order_search WHERE rowid = OLD.rowid;
    INSERT INTO order_search (rowid, doc)
    SELECT order_rowid, doc FROM order_search_doc WHERE order_rowid = NEW.rowid;
END;

CREATE TRIGGER order_search_delete AFTER DELETE ON "order" BEGIN
    DELETE FROM order_search WHERE rowid = OLD.rowid;
END;
