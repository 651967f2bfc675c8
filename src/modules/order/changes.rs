//! Order changes (Medusa's `OrderChange` / `OrderChangeAction`): a change proposes the
//! order's next version and holds actions; confirming it applies them and moves the order to
//! that version, declining or canceling closes it untouched. An order has at most one open
//! (`pending` or `requested`) change — Medusa's service rule, also a unique partial index.
//!
//! This file holds the records, opening a change, adding actions and reading them; the state
//! moves (requested, declined, canceled, confirmed — guarded on the open statuses) are in
//! `change_status.rs` and re-exported here, one action's edits in `change_actions.rs`.

pub use super::change_actions::{action, delete_action, mark_applied, update_action};
pub(super) use super::change_status::ensure_open;
pub use super::change_status::{cancel, confirm, decline, mark_requested};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// The action that gives the order to another customer (`reference_id`), and optionally
/// the email in `details.new_email`.
pub const TRANSFER_CUSTOMER: &str = "TRANSFER_CUSTOMER";

/// An order edit's new line (`details`: `variant_id`, `quantity`, the priced `item`).
pub const ITEM_ADD: &str = "ITEM_ADD";
/// An order edit's quantity change of a line (`details`: `reference_id`, `quantity`).
pub const ITEM_UPDATE: &str = "ITEM_UPDATE";
/// A claimed (damaged, missing …) line's units (`details`: `reference_id`, `quantity`,
/// `reason`, `note`). No `amount`, as in Medusa: a claimed unit moves no money by itself.
pub const WRITE_OFF_ITEM: &str = "WRITE_OFF_ITEM";
/// A canceled exchange's or claim's outbound line taken off the order (`details`:
/// `reference_id`, `quantity`).
pub const ITEM_REMOVE: &str = "ITEM_REMOVE";
/// A canceled exchange's or claim's shipping method taken off (`reference_id`: the method).
pub const SHIPPING_REMOVE: &str = "SHIPPING_REMOVE";

/// An order change as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderChange {
    /// `ordch_…`
    pub id: String,
    /// `order_…`
    pub order_id: String,
    /// The order version this change produces when confirmed.
    pub version: i64,
    /// `transfer`, later `return_request`, `claim`, `exchange`, `edit`…
    pub change_type: Option<String>,
    /// Shown to whoever is asked to accept the change.
    pub description: Option<String>,
    /// `pending`, `requested`, `confirmed`, `declined` or `canceled`.
    pub status: String,
    /// Staff-only note.
    pub internal_note: Option<String>,
    /// Who created it (a customer or user id).
    pub created_by: Option<String>,
    /// Who requested it.
    pub requested_by: Option<String>,
    /// ISO-8601.
    pub requested_at: Option<String>,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// ISO-8601.
    pub confirmed_at: Option<String>,
    /// Who declined it.
    pub declined_by: Option<String>,
    /// Why.
    pub declined_reason: Option<String>,
    /// ISO-8601.
    pub declined_at: Option<String>,
    /// Who canceled it.
    pub canceled_by: Option<String>,
    /// ISO-8601.
    pub canceled_at: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// Whether the change keeps the order's promotions (staff set it; NULL until then).
    pub carry_over_promotions: Option<bool>,
    /// Whether the customer is to be left unnotified (NULL until set).
    pub no_notification: Option<bool>,
    /// `return_…` for a return's request or receipt.
    pub return_id: Option<String>,
    /// `oexc_…` for an exchange's request.
    pub exchange_id: Option<String>,
    /// `claim_…` for a claim's request.
    pub claim_id: Option<String>,
}

/// One action of a change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeAction {
    /// `ordchact_…`
    pub id: String,
    /// `ordch_…`
    pub order_change_id: Option<String>,
    /// `order_…`
    pub order_id: String,
    /// Store-wide sequence: the order actions are applied in.
    pub ordering: i64,
    /// The version the action belongs to.
    pub version: Option<i64>,
    /// What `reference_id` names (`customer`, `order_item`…).
    pub reference: Option<String>,
    /// The referenced record.
    pub reference_id: Option<String>,
    /// `TRANSFER_CUSTOMER`, …
    pub action: String,
    /// Action-specific JSON.
    pub details: Value,
    /// Minor units, when the action moves money.
    pub amount: Option<i64>,
    /// Staff-only note.
    pub internal_note: Option<String>,
    /// Whether confirming has applied it.
    pub applied: bool,
    /// ISO-8601.
    pub created_at: String,
    /// `return_…` for a return's actions.
    pub return_id: Option<String>,
    /// `oexc_…`: its change's exchange.
    pub exchange_id: Option<String>,
    /// `claim_…`: its change's claim.
    pub claim_id: Option<String>,
}

/// Input of [`create`].
#[derive(Debug, Clone, Default)]
pub struct NewChange {
    /// `order_…`
    pub order_id: String,
    /// `transfer`, …
    pub change_type: String,
    /// Shown to whoever is asked to accept it.
    pub description: Option<String>,
    /// Staff-only note.
    pub internal_note: Option<String>,
    /// A customer or user id.
    pub created_by: Option<String>,
    /// `return_…` for a return's request or receipt.
    pub return_id: Option<String>,
    /// `oexc_…` for an exchange's request.
    pub exchange_id: Option<String>,
    /// `claim_…` for a claim's request.
    pub claim_id: Option<String>,
}

/// Input of [`add_action`].
#[derive(Debug, Clone, Default)]
pub struct NewAction {
    /// `TRANSFER_CUSTOMER`, …
    pub action: String,
    /// What `reference_id` names.
    pub reference: Option<String>,
    /// The referenced record.
    pub reference_id: Option<String>,
    /// Action-specific JSON.
    pub details: Value,
    /// Minor units.
    pub amount: Option<i64>,
    /// Staff-only note.
    pub internal_note: Option<String>,
    /// `return_…` for a return's actions.
    pub return_id: Option<String>,
}

pub(super) const COLUMNS: &str =
    "id, order_id, version, change_type, description, status, internal_note,
    created_by, requested_by, requested_at, confirmed_by, confirmed_at, declined_by,
    declined_reason, declined_at, canceled_by, canceled_at, metadata, created_at, updated_at,
    carry_over_promotions, no_notification, return_id, exchange_id, claim_id";

pub(super) fn from_row(r: &Row) -> rusqlite::Result<OrderChange> {
    Ok(OrderChange {
        id: r.get(0)?,
        order_id: r.get(1)?,
        version: r.get(2)?,
        change_type: r.get(3)?,
        description: r.get(4)?,
        status: r.get(5)?,
        internal_note: r.get(6)?,
        created_by: r.get(7)?,
        requested_by: r.get(8)?,
        requested_at: r.get(9)?,
        confirmed_by: r.get(10)?,
        confirmed_at: r.get(11)?,
        declined_by: r.get(12)?,
        declined_reason: r.get(13)?,
        declined_at: r.get(14)?,
        canceled_by: r.get(15)?,
        canceled_at: r.get(16)?,
        metadata: metadata_from_sql(r.get(17)?),
        created_at: r.get(18)?,
        updated_at: r.get(19)?,
        carry_over_promotions: r.get(20)?,
        no_notification: r.get(21)?,
        return_id: r.get(22)?,
        exchange_id: r.get(23)?,
        claim_id: r.get(24)?,
    })
}

pub(super) const ACTION_COLUMNS: &str =
    "id, order_change_id, order_id, ordering, version, reference,
    reference_id, action, details, amount, internal_note, applied, created_at, return_id,
    exchange_id, claim_id";

pub(super) fn action_from_row(r: &Row) -> rusqlite::Result<ChangeAction> {
    let details: String = r.get(8)?;
    Ok(ChangeAction {
        id: r.get(0)?,
        order_change_id: r.get(1)?,
        order_id: r.get(2)?,
        ordering: r.get(3)?,
        version: r.get(4)?,
        reference: r.get(5)?,
        reference_id: r.get(6)?,
        action: r.get(7)?,
        details: serde_json::from_str(&details).unwrap_or(Value::Null),
        amount: r.get(9)?,
        internal_note: r.get(10)?,
        applied: r.get(11)?,
        created_at: r.get(12)?,
        return_id: r.get(13)?,
        exchange_id: r.get(14)?,
        claim_id: r.get(15)?,
    })
}

/// Opens a `pending` change for the order's next version.
///
/// # Errors
/// 400 "Order (X) already has an existing active order change" (Medusa's message) when one
/// is open; 404 for an unknown order.
pub fn create(conn: &Connection, ctx: &Ctx, input: &NewChange) -> Result<OrderChange> {
    let order = super::retrieve(conn, &input.order_id)?;
    if open_change(conn, &order.id)?.is_some() {
        return Err(Error::invalid(format!(
            "Order ({}) already has an existing active order change",
            order.id
        )));
    }
    let (id, now) = (ctx.id("ordch"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_change (id, order_id, version, change_type, description, internal_note,
           created_by, created_at, updated_at, return_id, exchange_id, claim_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        id,
        order.id,
        order.version + 1,
        input.change_type,
        input.description,
        input.internal_note,
        input.created_by,
        now,
        input.return_id,
        input.exchange_id,
        input.claim_id
    ])?;
    super::summary::snapshot(conn, &id, &order.id)?;
    retrieve(conn, &id)
}

/// A change by id (not soft-deleted).
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<OrderChange> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM order_change WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("OrderChange", id))
}

/// The order's open (`pending` or `requested`) change, if any.
///
/// # Errors
/// Database failures.
pub fn open_change(conn: &Connection, order_id: &str) -> Result<Option<OrderChange>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM order_change WHERE order_id = ?1 AND deleted_at IS NULL
               AND status IN ('pending', 'requested')"
        ))?
        .query_row([order_id], from_row)
        .optional()?)
}

/// Every change of an order, oldest first.
///
/// # Errors
/// Database failures.
pub fn changes_of(conn: &Connection, order_id: &str) -> Result<Vec<OrderChange>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM order_change WHERE order_id = ?1 AND deleted_at IS NULL
         ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([order_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds an action to an open change, at the change's version and the next `ordering`; it
/// names the change's exchange or claim, as Medusa's actions do.
///
/// # Errors
/// 400 when the change is not open; database failures.
pub fn add_action(
    conn: &Connection,
    ctx: &Ctx,
    change: &OrderChange,
    input: &NewAction,
) -> Result<ChangeAction> {
    ensure_open(conn, &change.id)?;
    let (id, now) = (ctx.id("ordchact"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_change_action (id, order_change_id, order_id, ordering, version, reference,
           reference_id, action, details, amount, created_at, updated_at, internal_note, return_id,
           exchange_id, claim_id)
         VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(ordering), 0) + 1 FROM order_change_action),
           ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        id,
        change.id,
        change.order_id,
        change.version,
        input.reference,
        input.reference_id,
        input.action,
        input.details.to_string(),
        input.amount,
        now,
        input.internal_note,
        input.return_id,
        change.exchange_id,
        change.claim_id
    ])?;
    action(conn, &id)
}

/// A change's actions in `ordering` order.
///
/// # Errors
/// Database failures.
pub fn actions_of(conn: &Connection, change_id: &str) -> Result<Vec<ChangeAction>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {ACTION_COLUMNS} FROM order_change_action
         WHERE order_change_id = ?1 AND deleted_at IS NULL ORDER BY ordering"
    ))?;
    let rows = stmt.query_map([change_id], action_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
