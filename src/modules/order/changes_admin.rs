//! What staff do with order changes directly (Medusa 2.21.2's `GET /admin/orders/:id/changes`,
//! `POST /admin/order-changes/:id`, and the changes `update-order-workflow` registers): a
//! filtered list of one order's changes, an update of a change's note and flags, and a
//! change recorded as already confirmed (Medusa's `registerOrderChange`: an
//! `UPDATE_ORDER_PROPERTIES` action, applied, at the order's current version — a history
//! entry, never an open change, so it cannot collide with one).

use super::admin::{any_of, ranges};
use super::changes::{COLUMNS, OrderChange, from_row, retrieve};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params, params_from_iter};
use serde_json::Value;

/// The action of a registered change: `details` is `{type, old, new}`.
pub const UPDATE_ORDER_PROPERTIES: &str = "UPDATE_ORDER_PROPERTIES";

/// Filters of an order's change list; empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// `ordch_…`
    pub ids: Vec<String>,
    /// `pending`, `requested`, …
    pub statuses: Vec<String>,
    /// `transfer`, `update_order`, …
    pub change_types: Vec<String>,
    /// `(operator, ISO-8601)` pairs on `created_at`.
    pub created_at: Vec<(String, String)>,
    /// `(operator, ISO-8601)` pairs on `updated_at`.
    pub updated_at: Vec<(String, String)>,
}

/// The changes of an order that match `filter`, oldest first. An unknown order has none (as
/// on Medusa, whose route queries changes by `order_id` and never looks the order up).
///
/// # Errors
/// An unknown range operator; database failures.
pub fn list_for_order(
    conn: &Connection,
    order_id: &str,
    filter: &ChangeFilter,
) -> Result<Vec<OrderChange>> {
    let mut wheres = vec![
        "deleted_at IS NULL".to_string(),
        "order_id = ?1".to_string(),
    ];
    let mut args = vec![SqlValue::Text(order_id.to_string())];
    any_of("id", &filter.ids, &mut wheres, &mut args);
    any_of("status", &filter.statuses, &mut wheres, &mut args);
    any_of("change_type", &filter.change_types, &mut wheres, &mut args);
    ranges("created_at", &filter.created_at, &mut wheres, &mut args)?;
    ranges("updated_at", &filter.updated_at, &mut wheres, &mut args)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM order_change WHERE {} ORDER BY created_at, id",
        wheres.join(" AND ")
    );
    let rows = conn
        .prepare(&sql)?
        .query_map(params_from_iter(args.iter()), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// What `POST /admin/order-changes/:id` may set: `None` leaves a field alone,
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ChangeUpdate {
    /// Staff-only note.
    pub internal_note: Option<Option<String>>,
    /// Whether the change keeps the order's promotions.
    pub carry_over_promotions: Option<Option<bool>>,
}

/// Updates a change's note and flags, whatever its status (Medusa's `updateOrderChanges`
/// checks none).
///
/// # Errors
/// 404 `OrderChange with id "X" not found` (Medusa's wording for an update).
pub fn update(conn: &Connection, ctx: &Ctx, id: &str, input: &ChangeUpdate) -> Result<OrderChange> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE order_change SET
               internal_note = CASE WHEN ?2 THEN ?3 ELSE internal_note END,
               carry_over_promotions = CASE WHEN ?4 THEN ?5 ELSE carry_over_promotions END,
               updated_at = ?6
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![
            id,
            input.internal_note.is_some(),
            input.internal_note.clone().flatten(),
            input.carry_over_promotions.is_some(),
            input.carry_over_promotions.flatten(),
            now
        ])?;
    if changed == 0 {
        return Err(Error::NotFound(format!(
            "OrderChange with id \"{id}\" not found"
        )));
    }
    retrieve(conn, id)
}

/// Records a confirmed `update_order` change at the order's current version, with one
/// applied `UPDATE_ORDER_PROPERTIES` action holding `details` (`{type, old, new}`). The
/// caller has already made the update itself.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn register(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    by: Option<&str>,
    details: &Value,
) -> Result<OrderChange> {
    let order = super::retrieve(conn, order_id)?;
    let (id, now) = (ctx.id("ordch"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_change (id, order_id, version, change_type, status, created_by,
           confirmed_by, confirmed_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'update_order', 'confirmed', ?4, ?4, ?5, ?5, ?5)",
    )?
    .execute(params![id, order.id, order.version, by, now])?;
    conn.prepare_cached_static(
        "INSERT INTO order_change_action (id, order_change_id, order_id, ordering, version,
           action, details, applied, created_at, updated_at)
         VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(ordering), 0) + 1 FROM order_change_action),
           ?4, ?5, ?6, 1, ?7, ?7)",
    )?
    .execute(params![
        ctx.id("ordchact"),
        id,
        order.id,
        order.version,
        UPDATE_ORDER_PROPERTIES,
        details.to_string(),
        now
    ])?;
    retrieve(conn, &id)
}
