//! A return's request, confirmed (Medusa 2.21.2's `confirm-return-request`), and what an
//! exchange's or claim's confirmation shares with it: re-checking in the confirming write
//! job that no more is asked back than is returnable, and marking the return `requested`
//! with what it owes (its items' value minus its shipping).

use super::fulfill::fulfilled_quantities;
use super::return_types::OnReturn;
use super::returns::{REQUEST, active_change, done, ensure_open, fulfillment_location, load};
use super::targets::Confirm;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::Order;
use crate::modules::order::changes::{self, ChangeAction};
use crate::modules::order::return_actions::{self, RETURN_ITEM, SHIPPING_ADD};
use crate::modules::order::returns::{self, Return};
use crate::workflow::{Done, StepCtx};
use rusqlite::Connection;
use serde_json::json;

/// Confirms the request: its actions become the return's items and shipping, the return is
/// `requested` with its `refund_amount`, and `order.return_requested` is emitted.
pub(super) fn confirm(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    by: Option<&str>,
) -> Result<()> {
    ensure_open(found)?;
    let change = active_change(tx, found, REQUEST)?;
    let actions = changes::actions_of(tx, &change.id)?;
    if !actions.iter().any(|a| a.action == RETURN_ITEM) {
        return Err(Error::invalid(
            "Order return request should have at least 1 item",
        ));
    }
    recheck_returnable(tx, owner, &actions)?;
    changes::confirm(tx, ctx, &change.id, by)?;
    mark_requested(tx, ctx, found, owner, (&actions, true))?;
    ctx.emit(
        tx,
        "order.return_requested",
        json!({"order_id": owner.id, "return_id": found.id}),
    )?;
    Ok(())
}

/// Re-checks, in the confirming write job, that the RETURN_ITEM `actions` ask back no more
/// of a line than is returnable (another return may have claimed units meanwhile).
pub(super) fn recheck_returnable(
    conn: &Connection,
    owner: &Order,
    actions: &[ChangeAction],
) -> Result<()> {
    let fulfilled = fulfilled_quantities(conn, &owner.id)?;
    let claimed = returns::claimed_by_line(conn, &owner.id)?;
    let mut asked: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for a in actions.iter().filter(|a| a.action == RETURN_ITEM) {
        *asked.entry(return_actions::line_of(a)).or_default() += return_actions::quantity_of(a);
    }
    for (line, asked) in asked {
        let left =
            fulfilled.get(line).copied().unwrap_or(0) - claimed.get(line).copied().unwrap_or(0);
        if asked > left {
            return Err(Error::invalid(format!(
                "Cannot request to return more items than what was fulfilled for item {line}"
            )));
        }
    }
    Ok(())
}

/// What `kind` actions among the return's (`return_id` = it) add up to.
fn value_of(actions: &[ChangeAction], found: &Return, kind: &str) -> i64 {
    actions
        .iter()
        .filter(|a| a.action == kind && a.return_id.as_deref() == Some(&found.id))
        .map(|a| a.amount.unwrap_or_default())
        .sum()
}

/// After its change is confirmed: the return is `requested`, owing its items' value (when
/// `credit_items`; a claim's inbound items are credited as its claim items instead) minus
/// its shipping, at the order's fulfillment location when it named none. Returns what it
/// owes.
pub(super) fn mark_requested(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    (actions, credit_items): (&[ChangeAction], bool),
) -> Result<i64> {
    let items = if credit_items {
        value_of(actions, found, RETURN_ITEM)
    } else {
        0
    };
    let owed = items - value_of(actions, found, SHIPPING_ADD);
    returns::set_refund_amount(tx, ctx, &found.id, owed)?;
    if let Some(location) = fulfillment_location(tx, &owner.id)? {
        returns::default_location(tx, ctx, &found.id, &location)?;
    }
    returns::move_status(
        tx,
        ctx,
        &found.id,
        &["open"],
        "requested",
        Some("requested_at"),
    )?;
    Ok(owed)
}

pub(super) fn confirm_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<Confirm> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    let by = input.body.confirmed_by.as_deref();
    confirm(tx, step.engine.ctx(), &found, &owner, by)?;
    done(&found)
}
