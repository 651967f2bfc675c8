-- The admin lists every status newest (or oldest) first: without a status to lead with,
-- `product_live_created` cannot order the page and 10k products were sorted per request.
CREATE INDEX product_live_created_any ON product (created_at, pk) WHERE deleted_at IS NULL;
