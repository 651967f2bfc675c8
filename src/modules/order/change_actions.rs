//! Reading and editing one action of an open order change (the after-sales routes'
//! `/:action_id` updates and removals), and marking an action applied by a caller that wrote
//! its effect itself (order edits).

use super::changes::{ACTION_COLUMNS, ChangeAction, action_from_row, ensure_open};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// An action by id (not removed).
///
/// # Errors
/// 404 when absent.
pub fn action(conn: &Connection, id: &str) -> Result<ChangeAction> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {ACTION_COLUMNS} FROM order_change_action WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], action_from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("OrderChangeAction", id))
}

/// Marks an action applied (its effect was written by the caller, in the same write job).
///
/// # Errors
/// Database failures.
pub fn mark_applied(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE order_change_action SET applied = 1, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

/// Replaces an unapplied action's `details`, `amount` and `internal_note` while its change
/// is open.
///
/// # Errors
/// 400 when the change is no longer open; database failures.
pub fn update_action(
    conn: &Connection,
    ctx: &Ctx,
    found: &ChangeAction,
    details: &Value,
    amount: Option<i64>,
    internal_note: Option<&str>,
) -> Result<ChangeAction> {
    ensure_open(conn, found.order_change_id.as_deref().unwrap_or_default())?;
    conn.prepare_cached_static(
        "UPDATE order_change_action SET details = ?2, amount = ?3, internal_note = ?4,
           updated_at = ?5 WHERE id = ?1 AND applied = 0",
    )?
    .execute(params![
        found.id,
        details.to_string(),
        amount,
        internal_note,
        ctx.now()
    ])?;
    action(conn, &found.id)
}

/// Removes an unapplied action while its change is open.
///
/// # Errors
/// 400 when the change is no longer open; database failures.
pub fn delete_action(conn: &Connection, ctx: &Ctx, found: &ChangeAction) -> Result<()> {
    ensure_open(conn, found.order_change_id.as_deref().unwrap_or_default())?;
    conn.prepare_cached_static(
        "UPDATE order_change_action SET deleted_at = ?2, updated_at = ?2
         WHERE id = ?1 AND applied = 0",
    )?
    .execute(params![found.id, ctx.now()])?;
    Ok(())
}
