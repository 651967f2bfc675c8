//! `create-complete-return-order` (`POST /store/returns`): a customer's return begun, filled,
//! given its return shipping and requested in one write job.

use super::return_shipping::add_shipping;
use super::return_types::{BeginReturn, StoreReturn};
use super::returns::{add_items, begin, done};
use super::returns_confirm::confirm;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::{self, Order};
use crate::workflow::{Done, StepCtx};
use rusqlite::Connection;
use serde_json::Value;

/// `POST /store/returns`: begin, items, the return shipping option, confirm — in one write
/// job. Input `{order_id, items, return_shipping: {option_id}, location_id?, note?,
/// customer_id?}`; the customer's `price` is never used (they would set their own).
pub(super) fn store_return_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: StoreReturn = step.input_as()?;
    let owner = order::retrieve(tx, &input.order_id)?;
    let customer = input.customer_id.as_deref();
    check_store_owner(tx, &owner, customer)?;
    let begun = BeginReturn {
        order_id: input.order_id.clone(),
        location_id: input.location_id.clone(),
        created_by: input.customer_id.clone(),
        ..BeginReturn::default()
    };
    let found = begin(tx, ctx, &begun)?;
    let mut items = input.items.clone();
    for item in &mut items {
        if item.note.is_none() {
            item.note.clone_from(&input.note);
        }
    }
    add_items(tx, ctx, &found, &owner, &items)?;
    let option = input.return_shipping.option_id.as_str();
    add_shipping(tx, ctx, &found, &owner, option, &Value::Null)?;
    confirm(tx, ctx, &found, &owner, customer)?;
    done(&found)
}

/// Who may return an order from the store: its customer when they have an account (logged
/// in as them); a guest's order by whoever holds its id, as on Medusa. Anyone else is told
/// the order does not exist.
fn check_store_owner(conn: &Connection, owner: &Order, actor: Option<&str>) -> Result<()> {
    let registered = match owner.customer_id.as_deref() {
        Some(c) => crate::modules::customer::retrieve(conn, c).is_ok_and(|c| c.has_account),
        None => false,
    };
    if registered && owner.customer_id.as_deref() != actor {
        return Err(Error::not_found("Order", &owner.id));
    }
    Ok(())
}
