//! Levels running low: what the admin's home page lists.

use crate::error::Result;
use rusqlite::{Connection, params};

/// A level at or under the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowLevel {
    /// `iitem_…`
    pub item_id: String,
    /// The item's SKU.
    pub sku: Option<String>,
    /// The item's title.
    pub title: Option<String>,
    /// `sloc_…`
    pub location_id: String,
    /// Stocked − reserved.
    pub available: i64,
}

/// Live levels whose available units (stocked − reserved) are at most `threshold`, fewest
/// first, at most `limit`.
///
/// # Errors
/// Database failures.
pub fn low_stock(conn: &Connection, threshold: i64, limit: u32) -> Result<Vec<LowLevel>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.sku, i.title, l.location_id, l.stocked_quantity - l.reserved_quantity AS available
         FROM inventory_level l JOIN inventory_item i ON i.id = l.inventory_item_id
         WHERE l.deleted_at IS NULL AND i.deleted_at IS NULL
           AND l.stocked_quantity - l.reserved_quantity <= ?1
         ORDER BY available, i.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![threshold, limit], |r| {
        Ok(LowLevel {
            item_id: r.get(0)?,
            sku: r.get(1)?,
            title: r.get(2)?,
            location_id: r.get(3)?,
            available: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
