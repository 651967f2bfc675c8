-- The descriptive fields admins edit on inventory items, and reservation notes.
ALTER TABLE inventory_item ADD COLUMN description TEXT;
ALTER TABLE inventory_item ADD COLUMN thumbnail TEXT;
ALTER TABLE inventory_item ADD COLUMN hs_code TEXT;
ALTER TABLE inventory_item ADD COLUMN origin_country TEXT;
ALTER TABLE inventory_item ADD COLUMN mid_code TEXT;
ALTER TABLE inventory_item ADD COLUMN material TEXT;
ALTER TABLE inventory_item ADD COLUMN weight INTEGER;
ALTER TABLE inventory_item ADD COLUMN length INTEGER;
ALTER TABLE inventory_item ADD COLUMN height INTEGER;
ALTER TABLE inventory_item ADD COLUMN width INTEGER;
ALTER TABLE inventory_reservation_item ADD COLUMN description TEXT;
ALTER TABLE inventory_reservation_item ADD COLUMN external_id TEXT;
ALTER TABLE inventory_reservation_item ADD COLUMN created_by TEXT;
ALTER TABLE inventory_reservation_item ADD COLUMN metadata TEXT;
