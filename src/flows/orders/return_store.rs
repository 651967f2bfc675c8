//! `create-complete-return-order` (`POST /store/returns`): a customer's return begun, filled,
//! given its return shipping and requested in one write job.

use super::return_shipping::add_shipping;
use super::returns::{add_items, begin, done, text};
use super::returns_confirm::confirm;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::{self, Order};
use crate::workflow::{Done, StepCtx};
use rusqlite::Connection;
use serde_json::{Value, json};

/// `POST /store/returns`: begin, items, the return shipping option, confirm — in one write
/// job. Input `{order_id, items, return_shipping: {option_id}, location_id?, note?,
/// customer_id?}`; the customer's `price` is never used (they would set their own).
pub(super) fn store_return_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let owner = order::retrieve(tx, text(step, "order_id").unwrap_or_default())?;
    check_store_owner(tx, &owner, text(step, "customer_id"))?;
    let mut input = step.input.clone();
    input["created_by"] = json!(text(step, "customer_id"));
    let found = begin(tx, ctx, &input)?;
    let items: Vec<Value> = step.input["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let mut i = i.clone();
            if i.get("note").is_none() {
                i["note"] = step.input["note"].clone();
            }
            i
        })
        .collect();
    add_items(tx, ctx, &found, &owner, &items)?;
    let option = step.input["return_shipping"]["option_id"]
        .as_str()
        .unwrap_or_default();
    add_shipping(tx, ctx, &found, &owner, option, &Value::Null)?;
    confirm(tx, ctx, &found, &owner, text(step, "customer_id"))?;
    Ok(done(&found))
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
