-- The admin home page's "Low stock" list: live levels with at most 5 available units
-- (stocked − reserved), fewest first. A partial expression index over exactly those levels,
-- so the list is a range of a small index instead of a scan of every level; and a write to
-- a level that is not low (most reservations) leaves the index alone. The threshold is
-- `low_stock::THRESHOLD`; the query repeats this WHERE word for word so SQLite can use it.
CREATE INDEX inventory_level_low
    ON inventory_level (stocked_quantity - reserved_quantity, inventory_item_id, location_id)
    WHERE deleted_at IS NULL AND stocked_quantity - reserved_quantity <= 5;
