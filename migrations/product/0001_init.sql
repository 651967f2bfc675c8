-- Products and everything that belongs to them. `pk` is an integer key so the full-text
-- index (external content) has a stable rowid; `id` is the public prod_… id.
CREATE TABLE product_collection (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    handle TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX product_collection_handle ON product_collection (handle) WHERE deleted_at IS NULL;

CREATE TABLE product_type (
    id TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX product_type_value ON product_type (value) WHERE deleted_at IS NULL;

CREATE TABLE product_tag (
    id TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX product_tag_value ON product_tag (value) WHERE deleted_at IS NULL;

CREATE TABLE product (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    handle TEXT NOT NULL,
    subtitle TEXT,
    description TEXT,
    is_giftcard INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'proposed', 'published', 'rejected')),
    thumbnail TEXT,
    weight REAL,
    length REAL,
    height REAL,
    width REAL,
    origin_country TEXT,
    hs_code TEXT,
    mid_code TEXT,
    material TEXT,
    discountable INTEGER NOT NULL DEFAULT 1,
    external_id TEXT,
    collection_id TEXT REFERENCES product_collection (id),
    type_id TEXT REFERENCES product_type (id),
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX product_handle ON product (handle) WHERE deleted_at IS NULL;
-- The store listing walks this partial index in order (covering count and pagination).
CREATE INDEX product_live_created ON product (status, created_at, pk) WHERE deleted_at IS NULL;
CREATE INDEX product_collection_id ON product (collection_id) WHERE deleted_at IS NULL;
CREATE INDEX product_type_id ON product (type_id) WHERE deleted_at IS NULL;

CREATE TABLE product_option (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX product_option_product ON product_option (product_id);

CREATE TABLE product_option_value (
    id TEXT PRIMARY KEY,
    option_id TEXT NOT NULL REFERENCES product_option (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    rank INTEGER,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX product_option_value_option ON product_option_value (option_id);

CREATE TABLE product_variant (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    sku TEXT,
    barcode TEXT,
    ean TEXT,
    upc TEXT,
    allow_backorder INTEGER NOT NULL DEFAULT 0,
    manage_inventory INTEGER NOT NULL DEFAULT 1,
    hs_code TEXT,
    origin_country TEXT,
    mid_code TEXT,
    material TEXT,
    weight REAL,
    length REAL,
    height REAL,
    width REAL,
    variant_rank INTEGER NOT NULL DEFAULT 0,
    thumbnail TEXT,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX product_variant_product ON product_variant (product_id, variant_rank);
CREATE UNIQUE INDEX product_variant_sku ON product_variant (sku) WHERE sku IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX product_variant_barcode ON product_variant (barcode) WHERE barcode IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX product_variant_ean ON product_variant (ean) WHERE ean IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX product_variant_upc ON product_variant (upc) WHERE upc IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE product_variant_option (
    variant_id TEXT NOT NULL REFERENCES product_variant (id) ON DELETE CASCADE,
    option_value_id TEXT NOT NULL REFERENCES product_option_value (id) ON DELETE CASCADE,
    PRIMARY KEY (variant_id, option_value_id)
) WITHOUT ROWID;

CREATE TABLE product_image (
    id TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    rank INTEGER NOT NULL DEFAULT 0,
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX product_image_product ON product_image (product_id, rank);

CREATE TABLE product_tags (
    product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    product_tag_id TEXT NOT NULL REFERENCES product_tag (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, product_tag_id)
) WITHOUT ROWID;
CREATE INDEX product_tags_tag ON product_tags (product_tag_id, product_id);

CREATE TABLE product_category (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    handle TEXT NOT NULL,
    mpath TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 0,
    is_internal INTEGER NOT NULL DEFAULT 0,
    rank INTEGER NOT NULL DEFAULT 0,
    parent_category_id TEXT REFERENCES product_category (id),
    metadata TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX product_category_handle ON product_category (handle) WHERE deleted_at IS NULL;
CREATE INDEX product_category_parent ON product_category (parent_category_id, rank);

CREATE TABLE product_category_product (
    product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    product_category_id TEXT NOT NULL REFERENCES product_category (id) ON DELETE CASCADE,
    PRIMARY KEY (product_id, product_category_id)
) WITHOUT ROWID;
CREATE INDEX product_category_product_category ON product_category_product (product_category_id, product_id);

-- Free-text search (`q`) over the searchable columns, kept in step by triggers.
CREATE VIRTUAL TABLE product_fts USING fts5 (
    title, subtitle, description, handle,
    content = 'product', content_rowid = 'pk', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
    INSERT INTO product_fts (rowid, title, subtitle, description, handle)
    VALUES (new.pk, new.title, new.subtitle, new.description, new.handle);
END;
CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
    INSERT INTO product_fts (product_fts, rowid, title, subtitle, description, handle)
    VALUES ('delete', old.pk, old.title, old.subtitle, old.description, old.handle);
END;
CREATE TRIGGER product_fts_update AFTER UPDATE OF title, subtitle, description, handle ON product BEGIN
    INSERT INTO product_fts (product_fts, rowid, title, subtitle, description, handle)
    VALUES ('delete', old.pk, old.title, old.subtitle, old.description, old.handle);
    INSERT INTO product_fts (rowid, title, subtitle, description, handle)
    VALUES (new.pk, new.title, new.subtitle, new.description, new.handle);
END;
