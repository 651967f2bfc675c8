//! Levels running low: what the admin's home page lists.
//!
//! Served by the partial index `inventory_level_low` (migration 0002), which holds only the
//! live levels at or under [`THRESHOLD`]: the list is a range of that small index, not a scan
//! of every level, and a write to a level that is not low leaves the index untouched.

use crate::error::Result;
use rusqlite::{Connection, params};

/// Available units (stocked − reserved) at or under which a level counts as low. The index's
/// `WHERE` is written with this number (migration 0002): changing it takes a migration.
pub const THRESHOLD: i64 = 5;

/// The list's query. Its `WHERE` repeats the index's word for word (`<= 5`, not a bound
/// parameter), so SQLite can prove the partial index covers it.
const LOW_LEVELS: &str = "SELECT i.id, i.sku, i.title, l.location_id,
        l.stocked_quantity - l.reserved_quantity AS available
     FROM inventory_level l JOIN inventory_item i ON i.id = l.inventory_item_id
     WHERE l.deleted_at IS NULL AND l.stocked_quantity - l.reserved_quantity <= 5
       AND i.deleted_at IS NULL
     ORDER BY available, l.inventory_item_id, l.location_id LIMIT ?1";

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

/// Live levels whose available units are at most [`THRESHOLD`], fewest first (then by item
/// and location), at most `limit`.
///
/// # Errors
/// Database failures.
pub fn low_stock(conn: &Connection, limit: u32) -> Result<Vec<LowLevel>> {
    let mut stmt = conn.prepare_cached(LOW_LEVELS)?;
    let rows = stmt.query_map(params![limit], |r| {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::ctx::Ctx;
    use crate::id::IdGenerator;

    fn store() -> (Connection, Ctx) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[super::super::module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        (conn, ctx)
    }

    fn level(conn: &Connection, ctx: &Ctx, sku: &str, stocked: i64, reserved: i64) -> String {
        let item = super::super::create_item(conn, ctx, Some(sku), sku).unwrap();
        conn.execute(
            "INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity,
                reserved_quantity, created_at, updated_at) VALUES (?1, ?2, 'sloc_1', ?3, ?4, 't', 't')",
            params![ctx.id("ilev"), item, stocked, reserved],
        )
        .unwrap();
        item
    }

    /// The home page's query is a range of the partial index, not a scan of the levels.
    #[test]
    fn the_low_stock_list_uses_its_index() {
        let (conn, _) = store();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {LOW_LEVELS}"))
            .unwrap()
            .query_map([10], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH l USING INDEX inventory_level_low")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN")),
            "{plan:?}"
        );
    }

    #[test]
    fn levels_at_or_under_the_threshold_are_listed_fewest_first() {
        let (conn, ctx) = store();
        let at = level(&conn, &ctx, "AT", THRESHOLD + 2, 2);
        level(&conn, &ctx, "OVER", THRESHOLD + 3, 2);
        let empty = level(&conn, &ctx, "EMPTY", 1, 1);
        let gone = level(&conn, &ctx, "GONE", 0, 0);
        conn.execute(
            "UPDATE inventory_level SET deleted_at = 't' WHERE inventory_item_id = ?1",
            [&gone],
        )
        .unwrap();
        let low = low_stock(&conn, 10).unwrap();
        let listed: Vec<(&str, i64)> = low
            .iter()
            .map(|l| (l.item_id.as_str(), l.available))
            .collect();
        assert_eq!(listed, vec![(empty.as_str(), 0), (at.as_str(), THRESHOLD)]);
        // A reservation that takes a level under the threshold brings it into the list.
        conn.execute(
            "UPDATE inventory_level SET reserved_quantity = reserved_quantity + 1
             WHERE inventory_item_id = (SELECT id FROM inventory_item WHERE sku = 'OVER')",
            [],
        )
        .unwrap();
        assert_eq!(low_stock(&conn, 10).unwrap().len(), 3);
        assert_eq!(low_stock(&conn, 1).unwrap().len(), 1);
    }
}
