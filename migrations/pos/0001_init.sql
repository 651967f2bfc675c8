-- Point of sale (issue 17): tills, their cash sessions, the drawer's movements, and a
-- snapshot of each sale and tender the Z-report sums. Orders, payments and stock stay in
-- their own modules; these rows only name them by id.
CREATE TABLE pos_register (
    id TEXT PRIMARY KEY,
    -- The receipt prefix, e.g. `T1` (receipt number `T1-000042`).
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    sales_channel_id TEXT NOT NULL,
    stock_location_id TEXT NOT NULL,
    region_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX pos_register_code ON pos_register (code) WHERE deleted_at IS NULL;

CREATE TABLE pos_session (
    id TEXT PRIMARY KEY,
    register_id TEXT NOT NULL REFERENCES pos_register (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_by TEXT NOT NULL,
    opening_float INTEGER NOT NULL CHECK (opening_float >= 0),
    -- The basket being rung up: a cart in the register's channel (NULL between sales).
    cart_id TEXT,
    counted_cash INTEGER,
    counted_detail TEXT,
    expected_cash INTEGER,
    closed_by TEXT,
    opened_at TEXT NOT NULL,
    closed_at TEXT
);
-- One open session per register, held by the database as well as checked.
CREATE UNIQUE INDEX pos_session_one_open ON pos_session (register_id) WHERE status = 'open';
CREATE INDEX pos_session_register ON pos_session (register_id, opened_at);

-- Drawer movements other than sales: pay-ins and pay-outs with their reason, and cash
-- refunds of returns.
CREATE TABLE pos_cash_movement (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES pos_session (id),
    kind TEXT NOT NULL CHECK (kind IN ('pay_in', 'pay_out', 'refund')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    reason TEXT NOT NULL,
    user_id TEXT NOT NULL,
    order_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX pos_cash_movement_session ON pos_cash_movement (session_id);

-- One row per completed sale: the figures the Z-report sums, written in the same write job
-- as the order.
CREATE TABLE pos_sale (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES pos_session (id),
    register_id TEXT NOT NULL,
    order_id TEXT NOT NULL UNIQUE,
    receipt_number TEXT NOT NULL UNIQUE,
    staff_user_id TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    discount_total INTEGER NOT NULL,
    manual_discount_total INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    -- What cash rounding took off (positive) or added (negative) to the cash tendered.
    cash_rounding INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX pos_sale_session ON pos_sale (session_id);

CREATE TABLE pos_tender (
    id TEXT PRIMARY KEY,
    sale_id TEXT NOT NULL REFERENCES pos_sale (id),
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cash', 'card')),
    -- What this tender left in the till: for cash, the part of the sale it paid after
    -- cash rounding (the payment itself records the exact amount; the difference is the
    -- sale's cash_rounding).
    amount INTEGER NOT NULL CHECK (amount >= 0),
    tendered INTEGER NOT NULL,
    change_given INTEGER NOT NULL CHECK (change_given >= 0),
    payment_id TEXT NOT NULL,
    reference TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX pos_tender_session ON pos_tender (session_id);

-- Returns taken at a till: what went back to the customer, and how.
CREATE TABLE pos_return (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES pos_session (id),
    order_id TEXT NOT NULL,
    return_id TEXT NOT NULL,
    refund_kind TEXT NOT NULL CHECK (refund_kind IN ('cash', 'original')),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    staff_user_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX pos_return_session ON pos_return (session_id);
