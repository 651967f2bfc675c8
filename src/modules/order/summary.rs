//! The order summary per order version (Medusa's `order_summary`, migration 0011).
//!
//! Medusa writes a summary row each time a change is confirmed: its `original_order_total` is
//! the order's total before that change, its `current_order_total` the total after it. Here the
//! current total and the payment figures are derived on read ([`current_total`] and the
//! payments), because they move only with changes and payments; what cannot be derived later
//! is the total before the latest change, so that is what a version's row keeps.
//!
//! The total before a change is read when the change is opened (`snapshot`): an order has
//! one open change at a time, and lines, returns and claims move only when a change is
//! confirmed, so it is still the total when the change is confirmed. Confirming copies it
//! into the new version's row (`record`) in the same write job, so a crash leaves neither.

use super::Order;
use super::changes::OrderChange;
use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};

/// Medusa's `current_order_total`: the order's total less what its live returns refund and
/// its claims owe back (a requested return makes the pending difference negative until staff
/// refund it).
///
/// # Errors
/// Database failures; amounts out of range.
pub fn current_total(conn: &Connection, order_id: &str) -> Result<i64> {
    Ok(super::total(conn, order_id)?
        - super::returns::refund_owed(conn, order_id)?
        - super::after_sales_items::claims_owed(conn, order_id)?)
}

/// Keeps the order's current total on the change just opened: the `original_order_total` of
/// the version the change will make.
///
/// # Errors
/// Database failures; amounts out of range.
pub(super) fn snapshot(conn: &Connection, change_id: &str, order_id: &str) -> Result<()> {
    let total = current_total(conn, order_id)?;
    conn.prepare_cached_static("UPDATE order_change SET original_order_total = ?2 WHERE id = ?1")?
        .execute(params![change_id, total])?;
    Ok(())
}

/// Writes the summary row of the version `change` makes, from the total kept when it was
/// opened. A change opened before migration 0011 kept none: its version gets no row and
/// answers as a legacy order does.
///
/// # Errors
/// Database failures.
pub(super) fn record(conn: &Connection, ctx: &Ctx, change: &OrderChange) -> Result<()> {
    let (id, now) = (ctx.id("ordsum"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_summary (id, order_id, version, original_order_total, created_at,
           updated_at)
         SELECT ?1, order_id, version, original_order_total, ?3, ?3 FROM order_change
         WHERE id = ?2 AND original_order_total IS NOT NULL
         ON CONFLICT (order_id, version) DO UPDATE
           SET original_order_total = excluded.original_order_total, updated_at = excluded.updated_at",
    )?
    .execute(params![id, change.id, now])?;
    Ok(())
}

/// The order's total before the change that made its current version, when that version has
/// a row. `None` for a version-1 order (Medusa answers the current total there) and for orders
/// changed before migration 0011.
///
/// # Errors
/// Database failures.
pub fn original_total(conn: &Connection, order: &Order) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT original_order_total FROM order_summary WHERE order_id = ?1 AND version = ?2",
        )?
        .query_row(params![order.id, order.version], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;
    use crate::modules::order::changes::{self, NewChange};
    use crate::modules::order::{LineItem, NewOrder, create, module, retrieve};

    fn store() -> (Connection, Ctx, String) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let input = NewOrder {
            currency_code: "usd".into(),
            items: vec![LineItem {
                title: "Mug".into(),
                quantity: 2,
                unit_price: 1_000,
                ..LineItem::default()
            }],
            ..Default::default()
        };
        let id = create(&conn, &ctx, &input).unwrap();
        (conn, ctx, id)
    }

    fn open(conn: &Connection, ctx: &Ctx, order_id: &str) -> OrderChange {
        let input = NewChange {
            order_id: order_id.into(),
            change_type: "edit".into(),
            ..Default::default()
        };
        changes::create(conn, ctx, &input).unwrap()
    }

    #[test]
    fn a_placed_order_has_no_row_and_a_confirmed_change_keeps_the_total_before_it() {
        let (conn, ctx, id) = store();
        assert_eq!(current_total(&conn, &id).unwrap(), 2_000);
        assert_eq!(
            original_total(&conn, &retrieve(&conn, &id).unwrap()).unwrap(),
            None
        );

        let change = open(&conn, &ctx, &id);
        // What confirming writes after the change was opened does not move the total kept.
        conn.execute("UPDATE order_line_item SET quantity = 3", [])
            .unwrap();
        changes::confirm(&conn, &ctx, &change.id, None).unwrap();
        let moved = retrieve(&conn, &id).unwrap();
        assert_eq!(moved.version, 2);
        assert_eq!(original_total(&conn, &moved).unwrap(), Some(2_000));
        assert_eq!(current_total(&conn, &id).unwrap(), 3_000);

        let next = open(&conn, &ctx, &id);
        changes::cancel(&conn, &ctx, &next.id, None).unwrap();
        let kept = retrieve(&conn, &id).unwrap();
        assert_eq!(
            original_total(&conn, &kept).unwrap(),
            Some(2_000),
            "a canceled change writes no row"
        );
        let third = open(&conn, &ctx, &id);
        changes::confirm(&conn, &ctx, &third.id, None).unwrap();
        let last = retrieve(&conn, &id).unwrap();
        assert_eq!(
            (last.version, original_total(&conn, &last).unwrap()),
            (3, Some(3_000))
        );
    }

    #[test]
    fn a_change_opened_before_the_migration_writes_no_row() {
        let (conn, ctx, id) = store();
        let change = open(&conn, &ctx, &id);
        conn.execute("UPDATE order_change SET original_order_total = NULL", [])
            .unwrap();
        changes::confirm(&conn, &ctx, &change.id, None).unwrap();
        let moved = retrieve(&conn, &id).unwrap();
        assert_eq!(original_total(&conn, &moved).unwrap(), None);
    }
}
