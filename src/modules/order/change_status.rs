//! An order change's state moves: requested, declined, canceled, confirmed (Medusa's
//! `confirmOrderChange`: the change's actions applied and the order moved to its version, with
//! that version's summary row). Every move is an `UPDATE … WHERE status IN ('pending',
//! 'requested')` whose row count is checked, so a caller that validated a change in the same
//! write job cannot close an already-closed one, and two jobs cannot both confirm it.

use super::Order;
use super::changes::{ChangeAction, TRANSFER_CUSTOMER, actions_of, retrieve};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// Moves an open change to `requested` (someone else must now accept it).
///
/// # Errors
/// 400 when the change is no longer open.
pub fn mark_requested(conn: &Connection, ctx: &Ctx, id: &str, by: Option<&str>) -> Result<()> {
    close_as(
        conn,
        id,
        "requested",
        "requested_by = ?3, requested_at = ?2",
        by,
        ctx,
    )
}

/// Declines an open change (Medusa's `declineOrderChange`).
///
/// # Errors
/// 400 when the change is no longer open.
pub fn decline(conn: &Connection, ctx: &Ctx, id: &str, by: Option<&str>) -> Result<()> {
    close_as(
        conn,
        id,
        "declined",
        "declined_by = ?3, declined_at = ?2",
        by,
        ctx,
    )
}

/// Cancels an open change (Medusa's `cancelOrderChange`).
///
/// # Errors
/// 400 when the change is no longer open.
pub fn cancel(conn: &Connection, ctx: &Ctx, id: &str, by: Option<&str>) -> Result<()> {
    close_as(
        conn,
        id,
        "canceled",
        "canceled_by = ?3, canceled_at = ?2",
        by,
        ctx,
    )
}

/// Confirms an open change: marks it `confirmed`, applies its unapplied actions in order and
/// moves the order to the change's version, whose summary row keeps the total from before the
/// change ([`super::summary`]). Returns the order as it now is.
///
/// # Errors
/// 400 when the change is no longer open or holds an action this store cannot apply.
pub fn confirm(conn: &Connection, ctx: &Ctx, id: &str, by: Option<&str>) -> Result<Order> {
    let change = retrieve(conn, id)?;
    close_as(
        conn,
        id,
        "confirmed",
        "confirmed_by = ?3, confirmed_at = ?2",
        by,
        ctx,
    )?;
    let now = ctx.now();
    for action in actions_of(conn, id)?.iter().filter(|a| !a.applied) {
        apply(conn, ctx, action)?;
        conn.prepare_cached_static(
            "UPDATE order_change_action SET applied = 1, updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![action.id, now])?;
    }
    conn.prepare_cached_static(
        "UPDATE \"order\" SET version = ?2, updated_at = ?3 WHERE id = ?1 AND version < ?2",
    )?
    .execute(params![change.order_id, change.version, now])?;
    super::summary::record(conn, ctx, &change)?;
    super::retrieve(conn, &change.order_id)
}

fn apply(conn: &Connection, ctx: &Ctx, action: &ChangeAction) -> Result<()> {
    let now = ctx.now();
    if super::return_actions::apply(conn, ctx, action)? {
        return Ok(());
    }
    match action.action.as_str() {
        TRANSFER_CUSTOMER => {
            let customer = action
                .reference_id
                .as_deref()
                .ok_or_else(|| Error::invalid("Reference to customer ID is required"))?;
            let email = action.details.get("new_email").and_then(Value::as_str);
            conn.prepare_cached_static(
                "UPDATE \"order\" SET customer_id = ?2, email = COALESCE(?3, email), updated_at = ?4
                 WHERE id = ?1",
            )?
            .execute(params![action.order_id, customer, email, now])?;
            Ok(())
        }
        other => Err(Error::invalid(format!(
            "Order change action {other} cannot be applied"
        ))),
    }
}

/// Moves an open change to `status`, setting `stamp` (`?2` = now, `?3` = `by`).
fn close_as(
    conn: &Connection,
    id: &str,
    status: &str,
    stamp: &str,
    by: Option<&str>,
    ctx: &Ctx,
) -> Result<()> {
    let changed = conn
        .prepare_cached(&format!(
            "UPDATE order_change SET status = ?4, {stamp}, updated_at = ?2
             WHERE id = ?1 AND deleted_at IS NULL AND status IN ('pending', 'requested')"
        ))?
        .execute(params![id, ctx.now(), by, status])?;
    if changed == 1 {
        Ok(())
    } else {
        Err(not_active(id))
    }
}

pub(super) fn ensure_open(conn: &Connection, id: &str) -> Result<()> {
    let open: Option<i64> = conn
        .prepare_cached_static(
            "SELECT 1 FROM order_change WHERE id = ?1 AND deleted_at IS NULL
               AND status IN ('pending', 'requested')",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    open.map(|_| ()).ok_or_else(|| not_active(id))
}

/// Medusa's message for a change that can no longer move.
fn not_active(id: &str) -> Error {
    Error::invalid(format!("Order change {id} is not active to be modified"))
}
