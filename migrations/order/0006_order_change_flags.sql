-- The two flags Medusa 2.21.2 keeps on an order change and shows in its admin documents:
-- `carry_over_promotions` (set through POST /admin/order-changes/:id) and `no_notification`.
-- Both stay NULL until someone sets them, as on Medusa.
ALTER TABLE order_change ADD COLUMN carry_over_promotions INTEGER;
ALTER TABLE order_change ADD COLUMN no_notification INTEGER;
