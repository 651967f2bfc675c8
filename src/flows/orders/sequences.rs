//! After-sales operations that take several workflows, as one call each: the sequence an
//! Admin API client would run (begin → add what is asked → confirm), with the change's own
//! cancel workflow as the undo when a later workflow is refused, so a refused operation
//! leaves no half-built request behind. The admin UI's forms call these; any Rust caller may.
//!
//! Each workflow commits on its own and is journaled under its name, exactly as over the
//! API: the same events, the same step names, the same preview along the way. Only the
//! first refusal is answered (an undo that is itself refused is logged: the order then shows
//! the open change, which staff can cancel by hand).

use super::exchange_types::{ClaimItem, ClaimItems, RecordRef, handles};
use super::return_types::{
    self as returns, BeginReturn, Receipt, Receipts, ReturnItem, ReturnItems, ReturnRef,
};
use super::targets::{Cancel, Confirm, NewItem, NewItems, NewShipping, On};
use super::{edit_types as edits, exchange_types};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::order::changes::{self, OrderChange};
use crate::workflow::Handle;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A return requested in one go.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReturnRequest {
    /// The order.
    pub order_id: String,
    /// Where the items come back (the order's fulfillment location when absent).
    pub location_id: Option<String>,
    /// What comes back (at least one line).
    pub items: Vec<ReturnItem>,
    /// A return shipping option, at its price.
    pub shipping_option_id: Option<String>,
    /// Who asks (a user id).
    pub by: Option<String>,
}

/// A requested return received in one go.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReturnReceipt {
    /// The return.
    pub return_id: String,
    /// Units back in sellable condition (restocked).
    pub received: Vec<Receipt>,
    /// Units back damaged (not restocked).
    pub damaged: Vec<Receipt>,
    /// Who receives (a user id).
    pub by: Option<String>,
}

/// An exchange or a claim built in one go and left open for staff to check its preview and
/// confirm (see [`create_exchange_with_items`], [`create_claim_with_items`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordRequest {
    /// The order.
    pub order_id: String,
    /// A claim's `refund` or `replace` (ignored for an exchange).
    pub claim_type: Option<String>,
    /// Units coming back through the record's inbound return.
    pub returned: Vec<ReturnItem>,
    /// A claim's claim items (damaged or missing units); an exchange takes none.
    pub claimed: Vec<ClaimItem>,
    /// New lines going out.
    pub new_items: Vec<NewItem>,
    /// A return shipping option for what comes back.
    pub return_shipping_option_id: Option<String>,
    /// An outbound shipping option for the new lines.
    pub outbound_shipping_option_id: Option<String>,
    /// Who asks (a user id).
    pub by: Option<String>,
}

/// Line quantities changed in the order's edit (begun here when none is open).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QuantityEdit {
    /// The order.
    pub order_id: String,
    /// `(line id, new quantity)`, at least one.
    pub quantities: Vec<(String, i64)>,
    /// Who edits (a user id).
    pub by: Option<String>,
}

/// Runs `calls` in order; when one is refused, `undo` runs and the refusal is answered.
fn run_all(engine: &Engine, calls: Vec<Call>, undo: Call) -> Result<()> {
    for call in calls {
        if let Err(err) = call(engine) {
            if let Err(undo_err) = undo(engine) {
                eprintln!("stockroom: undoing a refused after-sales step failed: {undo_err}");
            }
            return Err(err);
        }
    }
    Ok(())
}

/// One workflow run, its typed input bound.
type Call = Box<dyn Fn(&Engine) -> Result<()>>;

/// `handle` with `input` as a [`Call`].
fn call<I, O>(handle: Handle<I, O>, input: I) -> Call
where
    I: Serialize + DeserializeOwned + 'static,
    O: DeserializeOwned + 'static,
{
    Box::new(move |engine| handle.run(engine, &input, None).map(|_| ()))
}

/// Begins a return, asks `items` back, adds the return shipping and confirms the request.
/// A refusal after the return was begun cancels the request.
///
/// # Errors
/// Whatever a workflow refuses (400 naming the cause); the first refusal is answered.
pub fn request_return_with_items(engine: &Engine, request: &ReturnRequest) -> Result<ReturnRef> {
    if request.items.is_empty() {
        return Err(Error::invalid("Choose at least one item to return"));
    }
    let begin = BeginReturn {
        order_id: request.order_id.clone(),
        location_id: request.location_id.clone(),
        created_by: request.by.clone(),
        ..BeginReturn::default()
    };
    let begun = returns::BEGIN_RETURN.run(engine, &begin, None)?;
    let id = begun.return_id.as_str();
    let items = ReturnItems {
        items: request.items.clone(),
    };
    let mut calls = vec![call(returns::REQUEST_ITEMS, On::new(id, items))];
    if let Some(option) = &request.shipping_option_id {
        let shipping = NewShipping {
            shipping_option_id: option.clone(),
            ..NewShipping::default()
        };
        calls.push(call(returns::ADD_SHIPPING, On::new(id, shipping)));
    }
    calls.push(call(
        returns::CONFIRM_REQUEST,
        On::new(id, confirmed(&request.by)),
    ));
    let undo = call(returns::CANCEL_REQUEST, On::new(id, canceled(&request.by)));
    run_all(engine, calls, undo)?;
    Ok(begun)
}

/// Begins receiving a requested return, records the received and damaged units and
/// confirms the receipt (restocking the received units). A refusal after the receipt was
/// begun cancels it.
///
/// # Errors
/// 400 when nothing is received; whatever a workflow refuses.
pub fn receive_return(engine: &Engine, receipt: &ReturnReceipt) -> Result<ReturnRef> {
    if receipt.received.is_empty() && receipt.damaged.is_empty() {
        return Err(Error::invalid("Enter at least one received quantity"));
    }
    let id = receipt.return_id.as_str();
    let begin = returns::BeginReceive {
        created_by: receipt.by.clone(),
        ..returns::BeginReceive::default()
    };
    let begun = returns::BEGIN_RECEIVE.run(engine, &On::new(id, begin), None)?;
    let mut calls = Vec::new();
    for (handle, items) in [
        (returns::RECEIVE_ITEMS, &receipt.received),
        (returns::DISMISS_ITEMS, &receipt.damaged),
    ] {
        if !items.is_empty() {
            let body = Receipts {
                items: items.clone(),
            };
            calls.push(call(handle, On::new(id, body)));
        }
    }
    calls.push(call(
        returns::CONFIRM_RECEIVE,
        On::new(id, confirmed(&receipt.by)),
    ));
    let undo = call(returns::CANCEL_RECEIVE, On::new(id, canceled(&receipt.by)));
    run_all(engine, calls, undo)?;
    Ok(begun)
}

/// Begins an exchange and adds what comes back, its return shipping, the new lines and
/// their shipping; the exchange is left open (confirm it with [`settle_open_change`]). A
/// refusal after it was begun cancels it.
///
/// # Errors
/// 400 for claim items (an exchange has none) or nothing to exchange; whatever a workflow
/// refuses.
pub fn create_exchange_with_items(engine: &Engine, request: &RecordRequest) -> Result<RecordRef> {
    if !request.claimed.is_empty() {
        return Err(Error::invalid("An exchange has no claim items"));
    }
    create_record::<false>(engine, request)
}

/// Begins a claim (`refund` or `replace`) and adds its claim items, what comes back and its
/// return shipping, the new lines and their shipping; left open like an exchange.
///
/// # Errors
/// 400 for nothing to claim; whatever a workflow refuses.
pub fn create_claim_with_items(engine: &Engine, request: &RecordRequest) -> Result<RecordRef> {
    create_record::<true>(engine, request)
}

fn create_record<const CLAIM: bool>(engine: &Engine, request: &RecordRequest) -> Result<RecordRef> {
    let word = if CLAIM { "claim" } else { "exchange" };
    if request.returned.is_empty() && request.claimed.is_empty() && request.new_items.is_empty() {
        return Err(Error::invalid(format!("Choose the items of the {word}")));
    }
    let h = handles::<CLAIM>();
    let begin = exchange_types::BeginRecord {
        order_id: request.order_id.clone(),
        claim_type: CLAIM.then(|| {
            request
                .claim_type
                .clone()
                .unwrap_or_else(|| "replace".into())
        }),
        created_by: request.by.clone(),
        ..exchange_types::BeginRecord::default()
    };
    let begun = h.begin.run(engine, &begin, None)?;
    let id = begun.id()?.to_string();
    let id = id.as_str();
    let mut calls = Vec::new();
    if !request.claimed.is_empty() {
        let items = ClaimItems {
            items: request.claimed.clone(),
        };
        calls.push(call(exchange_types::CLAIM_ITEMS, On::new(id, items)));
    }
    if !request.returned.is_empty() {
        let items = ReturnItems {
            items: request.returned.clone(),
        };
        calls.push(call(h.inbound_add, On::new(id, items)));
    }
    if let Some(option) = &request.return_shipping_option_id {
        calls.push(call(h.inbound_shipping, On::new(id, shipping(option))));
    }
    if !request.new_items.is_empty() {
        let items = NewItems {
            items: request.new_items.clone(),
        };
        calls.push(call(h.outbound_add, On::new(id, items)));
    }
    if let Some(option) = &request.outbound_shipping_option_id {
        calls.push(call(h.outbound_shipping, On::new(id, shipping(option))));
    }
    let undo = call(h.cancel_request, On::new(id, canceled(&request.by)));
    run_all(engine, calls, undo)?;
    Ok(begun)
}

/// Changes line quantities in the order's open edit, beginning one when none is open (and
/// canceling that one again if a change is refused; an edit that was open already keeps
/// the changes made before the refusal, as over the API).
///
/// # Errors
/// 400 for no quantities, another kind of change open, or what a workflow refuses.
pub fn edit_order_quantities(engine: &Engine, edit: &QuantityEdit) -> Result<edits::EditedOrder> {
    if edit.quantities.is_empty() {
        return Err(Error::invalid("No quantity was changed"));
    }
    let order_id = edit.order_id.as_str();
    let open = engine
        .store()
        .read(|conn| changes::open_change(conn, order_id))?;
    let began = match open {
        Some(change) if change.change_type.as_deref() == Some("edit") => false,
        Some(change) => {
            return Err(Error::invalid(format!(
                "Order {order_id} has an open {} change: settle it first",
                change.change_type.as_deref().unwrap_or("other")
            )));
        }
        None => {
            let begin = edits::BeginEdit {
                created_by: edit.by.clone(),
                ..edits::BeginEdit::default()
            };
            edits::BEGIN_EDIT.run(engine, &On::new(order_id, begin), None)?;
            true
        }
    };
    let calls = edit
        .quantities
        .iter()
        .map(|(line, quantity)| {
            let body = edits::ItemQuantity {
                item_id: line.clone(),
                quantity: *quantity,
                internal_note: None,
            };
            call(edits::UPDATE_QUANTITY, On::new(order_id, body))
        })
        .collect();
    let undo: Call = if began {
        call(edits::CANCEL_EDIT, On::new(order_id, canceled(&edit.by)))
    } else {
        Box::new(|_| Ok(()))
    };
    run_all(engine, calls, undo)?;
    Ok(edits::EditedOrder {
        order_id: order_id.to_string(),
    })
}

/// Confirms (`confirm`) or cancels the order's open change with the workflows of its type,
/// as the Admin API's routes for it run them (an edit still `pending` is requested first,
/// as Medusa's dashboard does, so `order-edit.requested` is emitted).
///
/// # Errors
/// 400 when no change is open or its kind is not settled here (a transfer); whatever the
/// workflow refuses.
pub fn settle_open_change(
    engine: &Engine,
    order_id: &str,
    confirm: bool,
    by: Option<&str>,
) -> Result<()> {
    let change = engine
        .store()
        .read(|conn| changes::open_change(conn, order_id))?
        .ok_or_else(|| Error::invalid(format!("Order {order_id} has no open change")))?;
    let calls = settle_calls(&change, confirm, by.map(str::to_string)).ok_or_else(|| {
        Error::invalid(format!(
            "A {} change cannot be settled here",
            change.change_type.as_deref().unwrap_or("other")
        ))
    })?;
    for call in calls {
        call(engine)?;
    }
    Ok(())
}

/// The workflows that confirm or cancel `change`, its record's id bound.
fn settle_calls(change: &OrderChange, confirm: bool, by: Option<String>) -> Option<Vec<Call>> {
    let yes = confirmed(&by);
    let no = canceled(&by);
    let pick = |c: Call, n: Call| if confirm { c } else { n };
    let calls = match change.change_type.as_deref()? {
        "edit" => {
            let id = change.order_id.as_str();
            let mut calls = Vec::new();
            if confirm && change.status == "pending" {
                let request = edits::RequestEdit {
                    requested_by: by.clone(),
                };
                calls.push(call(edits::REQUEST_EDIT, On::new(id, request)));
            }
            calls.push(pick(
                call(edits::CONFIRM_EDIT, On::new(id, yes)),
                call(edits::CANCEL_EDIT, On::new(id, no)),
            ));
            calls
        }
        kind @ ("return_request" | "return_receive") => {
            let id = change.return_id.as_deref()?;
            let (c, n) = if kind == "return_request" {
                (returns::CONFIRM_REQUEST, returns::CANCEL_REQUEST)
            } else {
                (returns::CONFIRM_RECEIVE, returns::CANCEL_RECEIVE)
            };
            vec![pick(call(c, On::new(id, yes)), call(n, On::new(id, no)))]
        }
        "exchange" => {
            let id = change.exchange_id.as_deref()?;
            let h = handles::<false>();
            vec![pick(
                call(h.confirm, On::new(id, yes)),
                call(h.cancel_request, On::new(id, no)),
            )]
        }
        "claim" => {
            let id = change.claim_id.as_deref()?;
            let h = handles::<true>();
            vec![pick(
                call(h.confirm, On::new(id, yes)),
                call(h.cancel_request, On::new(id, no)),
            )]
        }
        _ => return None,
    };
    Some(calls)
}

fn confirmed(by: &Option<String>) -> Confirm {
    Confirm {
        confirmed_by: by.clone(),
        no_notification: None,
    }
}

fn canceled(by: &Option<String>) -> Cancel {
    Cancel {
        canceled_by: by.clone(),
        no_notification: None,
    }
}

fn shipping(option: &str) -> NewShipping {
    NewShipping {
        shipping_option_id: option.to_string(),
        ..NewShipping::default()
    }
}
