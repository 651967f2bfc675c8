//! Finding a variant the way a till does: by a scanned code (SKU, barcode, EAN or UPC — each
//! has its own unique partial index, so a lookup is four index probes at most), or by the
//! words of its product's title (the `product_fts` index).

use super::read::fts_query;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};

/// The live variant whose SKU, barcode, EAN or UPC is `code` (in that order of preference).
///
/// # Errors
/// Database failures.
pub fn variant_by_code(conn: &Connection, code: &str) -> Result<Option<String>> {
    for column in [Code::Sku, Code::Barcode, Code::Ean, Code::Upc] {
        let found = variant_with(conn, column, code)?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Which code of a variant a lookup reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `sku`
    Sku,
    /// `barcode`
    Barcode,
    /// `ean`
    Ean,
    /// `upc`
    Upc,
}

impl Code {
    fn column(self) -> &'static str {
        match self {
            Code::Sku => "sku",
            Code::Barcode => "barcode",
            Code::Ean => "ean",
            Code::Upc => "upc",
        }
    }
}

/// The live variant whose `column` is `code` (each is unique among live variants); `None`
/// for a blank code.
///
/// # Errors
/// Database failures.
pub fn variant_with(conn: &Connection, column: Code, code: &str) -> Result<Option<String>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let found = conn
        .prepare_cached(&format!(
            "SELECT v.id FROM product_variant v JOIN product p ON p.id = v.product_id
             WHERE v.{} = ?1 AND v.deleted_at IS NULL AND p.deleted_at IS NULL",
            column.column()
        ))?
        .query_row([code], |r| r.get(0))
        .optional()?;
    Ok(found)
}

/// A variant found by title: its id, the product's title, its own title and SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `variant_…`
    pub variant_id: String,
    /// The product's title.
    pub product_title: String,
    /// The variant's title.
    pub variant_title: String,
    /// SKU, if any.
    pub sku: Option<String>,
}

/// Live variants of published products whose title matches every word of `q` (prefixes),
/// at most `limit`, by product title.
///
/// # Errors
/// Database failures.
pub fn search_variants(conn: &Connection, q: &str, limit: u32) -> Result<Vec<Found>> {
    let Some(query) = fts_query(q) else {
        return Ok(Vec::new());
    };
    let mut stmt = conn.prepare_cached_static(
        "SELECT v.id, p.title, v.title, v.sku FROM product p
         JOIN product_variant v ON v.product_id = p.id AND v.deleted_at IS NULL
         WHERE p.pk IN (SELECT rowid FROM product_fts WHERE product_fts MATCH ?1)
           AND p.deleted_at IS NULL AND p.status = 'published'
         ORDER BY p.title, v.variant_rank, v.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![query, limit], |r| {
        Ok(Found {
            variant_id: r.get(0)?,
            product_title: r.get(1)?,
            variant_title: r.get(2)?,
            sku: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
