//! What a cart line copies from its variant and product: the few columns a line item needs,
//! read by fixed statements. (The generic row loader built a JSON map of every column, five
//! times per checkout.) Soft-deleted rows are not found.

use crate::error::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row};

/// A live variant's columns a line item copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariantLine {
    /// Its product.
    pub product_id: Option<String>,
    /// Variant title.
    pub title: Option<String>,
    /// Variant thumbnail.
    pub thumbnail: Option<String>,
    /// SKU.
    pub sku: Option<String>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Whether stock is tracked.
    pub manage_inventory: bool,
    /// Whether it sells past its stock.
    pub allow_backorder: bool,
}

/// A live product's columns a line item copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductLine {
    /// `draft`, `published`, …
    pub status: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Thumbnail.
    pub thumbnail: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Handle.
    pub handle: Option<String>,
    /// `ptyp_…`
    pub type_id: Option<String>,
    /// `pcol_…`
    pub collection_id: Option<String>,
    /// Whether promotions apply.
    pub discountable: bool,
    /// Whether it is a gift card.
    pub is_giftcard: bool,
}

/// Text, or `None` for NULL or a value of another type.
fn text(r: &Row, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match r.get_ref(i)? {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    })
}

/// A non-zero integer.
fn flag(r: &Row, i: usize) -> rusqlite::Result<bool> {
    Ok(matches!(r.get_ref(i)?, ValueRef::Integer(v) if v != 0))
}

/// The live variant `id`.
///
/// # Errors
/// Database failures.
pub fn variant_line(conn: &Connection, id: &str) -> Result<Option<VariantLine>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT product_id, title, thumbnail, sku, barcode, manage_inventory, allow_backorder
             FROM product_variant WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(VariantLine {
                product_id: text(r, 0)?,
                title: text(r, 1)?,
                thumbnail: text(r, 2)?,
                sku: text(r, 3)?,
                barcode: text(r, 4)?,
                manage_inventory: flag(r, 5)?,
                allow_backorder: flag(r, 6)?,
            })
        })
        .optional()?)
}

/// The live product `id`.
///
/// # Errors
/// Database failures.
pub fn product_line(conn: &Connection, id: &str) -> Result<Option<ProductLine>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT status, title, thumbnail, description, subtitle, handle, type_id,
                    collection_id, discountable, is_giftcard
             FROM product WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| {
            Ok(ProductLine {
                status: text(r, 0)?,
                title: text(r, 1)?,
                thumbnail: text(r, 2)?,
                description: text(r, 3)?,
                subtitle: text(r, 4)?,
                handle: text(r, 5)?,
                type_id: text(r, 6)?,
                collection_id: text(r, 7)?,
                discountable: flag(r, 8)?,
                is_giftcard: flag(r, 9)?,
            })
        })
        .optional()?)
}

/// The value of the live product type `id`.
///
/// # Errors
/// Database failures.
pub fn type_value(conn: &Connection, id: &str) -> Result<Option<String>> {
    live_text(
        conn,
        "SELECT value FROM product_type WHERE id = ?1 AND deleted_at IS NULL",
        id,
    )
}

/// The title of the live collection `id`.
///
/// # Errors
/// Database failures.
pub fn collection_title(conn: &Connection, id: &str) -> Result<Option<String>> {
    live_text(
        conn,
        "SELECT title FROM product_collection WHERE id = ?1 AND deleted_at IS NULL",
        id,
    )
}

/// The one text column `sql` selects for `id`, if its row is found.
fn live_text(conn: &Connection, sql: &'static str, id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached_static(sql)?
        .query_row([id], |r| text(r, 0))
        .optional()?
        .flatten())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[super::super::module()], "t").unwrap();
        conn.execute_batch(
            "INSERT INTO product_type (id, value, created_at, updated_at) VALUES ('ptyp_1', 'Shirts', 't', 't');
             INSERT INTO product_collection (id, title, handle, created_at, updated_at, deleted_at)
               VALUES ('pcol_1', 'Gone', 'gone', 't', 't', 't');
             INSERT INTO product (id, title, handle, subtitle, status, thumbnail, discountable,
               is_giftcard, type_id, collection_id, created_at, updated_at)
               VALUES ('prod_1', 'Tee', 'tee', NULL, 'published', 'p.png', 0, 1, 'ptyp_1', 'pcol_1', 't', 't');
             INSERT INTO product_variant (id, product_id, title, sku, manage_inventory,
               allow_backorder, created_at, updated_at)
               VALUES ('variant_1', 'prod_1', 'S', 'TEE-S', 1, 1, 't', 't');
             INSERT INTO product_variant (id, product_id, title, created_at, updated_at, deleted_at)
               VALUES ('variant_2', 'prod_1', 'M', 't', 't', 't');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn lines_read_the_live_rows_columns() {
        let conn = conn();
        let variant = variant_line(&conn, "variant_1").unwrap().unwrap();
        assert_eq!(
            variant,
            VariantLine {
                product_id: Some("prod_1".into()),
                title: Some("S".into()),
                thumbnail: None,
                sku: Some("TEE-S".into()),
                barcode: None,
                manage_inventory: true,
                allow_backorder: true,
            }
        );
        let product = product_line(&conn, "prod_1").unwrap().unwrap();
        assert_eq!(product.status.as_deref(), Some("published"));
        assert_eq!(product.thumbnail.as_deref(), Some("p.png"));
        assert_eq!(product.subtitle, None);
        assert!(!product.discountable && product.is_giftcard);
        assert_eq!(
            type_value(&conn, "ptyp_1").unwrap().as_deref(),
            Some("Shirts")
        );
        // Soft-deleted or unknown rows are not found.
        assert_eq!(collection_title(&conn, "pcol_1").unwrap(), None);
        assert_eq!(variant_line(&conn, "variant_2").unwrap(), None);
        assert_eq!(product_line(&conn, "prod_9").unwrap(), None);
    }
}
