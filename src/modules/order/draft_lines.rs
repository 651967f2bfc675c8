//! What a draft order's own edit writes besides new lines and quantities (Medusa 2.21.2's
//! draft-order workflows): promotion adjustments recomputed on its lines, tax lines
//! recomputed when its address moves, an existing shipping method re-priced or removed, and
//! its sales channel. The action names its edit records for them live here too.

use super::{Adjustment, TaxLine};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};

/// A draft edit's promotion code added (`reference_id`: the promotion, `details.added_code`).
pub const PROMOTION_ADD: &str = "PROMOTION_ADD";
/// A draft edit's promotion code removed (`reference_id`: the promotion,
/// `details.removed_code`).
pub const PROMOTION_REMOVE: &str = "PROMOTION_REMOVE";
/// A draft edit's change to one of its existing shipping methods (`reference_id`: the
/// method; `details`: `old_*` and `new_*` of `shipping_option_id`, `name` and `amount`).
pub const SHIPPING_UPDATE: &str = "SHIPPING_UPDATE";

/// Replaces the promotion adjustments of an item (`item`) or a shipping method.
///
/// # Errors
/// Database failures.
pub fn set_adjustments(
    conn: &Connection,
    ctx: &Ctx,
    item: bool,
    owner: &str,
    rows: &[Adjustment],
) -> Result<()> {
    let tables = if item {
        ("order_line_item_adjustment", "item_id", "ordliadj")
    } else {
        (
            "order_shipping_method_adjustment",
            "shipping_method_id",
            "ordsmadj",
        )
    };
    crate::lines::replace_adjustments(conn, ctx, tables, owner, rows)
}

/// Replaces the tax lines of an item (`item`) or a shipping method.
///
/// # Errors
/// Database failures.
pub fn set_tax_lines(
    conn: &Connection,
    ctx: &Ctx,
    item: bool,
    owner: &str,
    lines: &[TaxLine],
) -> Result<()> {
    let (table, column) = if item {
        ("order_line_item_tax_line", "item_id")
    } else {
        ("order_shipping_method_tax_line", "shipping_method_id")
    };
    conn.prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?
        .execute([owner])?;
    super::set_tax_lines(conn, ctx, table, column, owner, lines)
}

/// Fails unless `method_id` is a live shipping method of the order.
///
/// # Errors
/// 400 "Shipping method X does not belong to order Y".
pub fn ensure_method_of(conn: &Connection, order_id: &str, method_id: &str) -> Result<()> {
    let found: i64 = conn
        .prepare_cached_static(
            "SELECT COUNT(*) FROM order_shipping_method
             WHERE id = ?1 AND order_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![method_id, order_id], |r| r.get(0))?;
    if found == 0 {
        return Err(Error::invalid(format!(
            "Shipping method {method_id} does not belong to order {order_id}"
        )));
    }
    Ok(())
}

/// Soft-deletes one shipping method of the order.
///
/// # Errors
/// 400 when it is not a live method of the order.
pub fn remove_method(conn: &Connection, ctx: &Ctx, order_id: &str, method_id: &str) -> Result<()> {
    ensure_method_of(conn, order_id, method_id)?;
    conn.prepare_cached_static(
        "UPDATE order_shipping_method SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![method_id, ctx.now()])?;
    Ok(())
}

/// Re-prices one shipping method of the order: its option, name and amount.
///
/// # Errors
/// 400 when it is not a live method of the order.
pub fn reprice_method(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    method_id: &str,
    (option_id, name, amount): (Option<&str>, &str, i64),
) -> Result<()> {
    ensure_method_of(conn, order_id, method_id)?;
    conn.prepare_cached_static(
        "UPDATE order_shipping_method SET shipping_option_id = ?2, name = ?3, amount = ?4,
           updated_at = ?5 WHERE id = ?1",
    )?
    .execute(params![method_id, option_id, name, amount, ctx.now()])?;
    Ok(())
}

/// Moves the order to another sales channel.
///
/// # Errors
/// Database failures.
pub fn set_sales_channel(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    channel: &str,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE \"order\" SET sales_channel_id = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![order_id, channel, ctx.now()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;
    use crate::modules::order::{self, NewOrder, ShippingMethod};

    #[test]
    fn a_method_is_repriced_or_removed_only_on_its_own_order() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[order::module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let method = ShippingMethod {
            name: "Post".into(),
            amount: 500,
            data: serde_json::json!({}),
            ..Default::default()
        };
        let input = NewOrder {
            currency_code: "eur".into(),
            shipping_methods: vec![method],
            ..Default::default()
        };
        let (mine, other) = (
            order::create(&conn, &ctx, &input).unwrap(),
            order::create(&conn, &ctx, &input).unwrap(),
        );
        let id = order::shipping::methods_of(&conn, &mine).unwrap()[0]
            .id
            .clone();
        assert!(reprice_method(&conn, &ctx, &other, &id, (None, "X", 1)).is_err());
        assert!(remove_method(&conn, &ctx, &other, &id).is_err());
        reprice_method(&conn, &ctx, &mine, &id, (Some("so_1"), "Express", 900)).unwrap();
        let now = &order::shipping::methods_of(&conn, &mine).unwrap()[0];
        assert_eq!((now.amount, now.name.as_str()), (900, "Express"));
        assert_eq!(now.shipping_option_id.as_deref(), Some("so_1"));
        remove_method(&conn, &ctx, &mine, &id).unwrap();
        assert!(
            order::shipping::methods_of(&conn, &mine)
                .unwrap()
                .is_empty()
        );
        assert!(
            remove_method(&conn, &ctx, &mine, &id).is_err(),
            "removed twice"
        );
    }
}
