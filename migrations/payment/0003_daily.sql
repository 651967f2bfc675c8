-- The home page's money per day (`payment::daily`): payments and refunds by the day they were
-- made, so a week is an index range, not a scan of every payment.
CREATE INDEX payment_created ON payment (created_at);
CREATE INDEX payment_refund_created ON payment_refund (created_at);
