//! The after-sales forms of the order page: each parses its form, calls the operation in
//! `flows::orders::sequences` (or one typed workflow handle) and redirects back to the order
//! — or shows the refusal on the page. The operations run the Admin API's workflows in the
//! order a client of that API would, and cancel the change they began when a later step is
//! refused:
//!
//! - request a return (items, reason, location, return shipping), receive it (good and
//!   damaged units);
//! - create an exchange or a claim: units back (or claimed), up to [`NEW_ROWS`] new items by
//!   SKU or barcode, return shipping and outbound shipping — left open for staff to check
//!   the preview and confirm;
//! - an order edit: begin it, add an item by SKU, change quantities, remove an added item;
//! - confirm or cancel the open change with the workflows of its type.

use super::after_sales::noun;
use super::order_detail::{outcome, render};
use super::{Ui, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::edit_types::{self as edits, BeginEdit, OnOrder};
use crate::flows::orders::exchange_types::ClaimItem;
use crate::flows::orders::return_types::{Receipt, ReturnItem};
use crate::flows::orders::sequences::{
    self, QuantityEdit, RecordRequest, ReturnReceipt, ReturnRequest,
};
use crate::flows::orders::targets::{ActionRef, NewItem, NewItems};
use crate::http::admin::order_changes::preview_json;
use crate::http::{Request, Response, Route};
use crate::modules::order::changes;
use crate::modules::order::returns;
use crate::modules::product::codes::variant_by_code;

/// The after-sales routes of an order.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/orders/:id/returns",
            "Request a return",
            request_return,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/returns/:return_id/receive",
            "Receive a return",
            receive_return,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/exchanges",
            "Create an exchange",
            create_exchange::<false>,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/claims",
            "Create a claim",
            create_exchange::<true>,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/edit",
            "Begin an order edit",
            begin_edit,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/edit/items",
            "Add an item to an order edit",
            edit_add_item,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/edit/quantities",
            "Change quantities in an order edit",
            edit_quantities,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/edit/actions/:action_id/remove",
            "Remove an added item from an order edit",
            edit_remove_action,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/changes/confirm",
            "Confirm the open order change",
            confirm_change,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/changes/cancel",
            "Cancel the open order change",
            cancel_change,
        ),
    ]
}

/// How many new-item rows the exchange and claim forms offer (the first is `sku` /
/// `quantity`, the others `sku_2` / `quantity_2` …; blank rows are skipped).
pub const NEW_ROWS: usize = 3;

/// `(line id, quantity)` of the fields `<prefix><line id>` with a quantity above zero.
fn quantities(ui: &Ui, prefix: &str) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for (name, _) in ui.form.fields() {
        let Some(line) = name.strip_prefix(prefix) else {
            continue;
        };
        match ui.form.integer(name, "Quantity")? {
            Some(q) if q < 0 => return Err(Error::invalid("Quantities cannot be negative")),
            Some(q) if q > 0 => out.push((line.to_string(), q)),
            _ => {}
        }
    }
    Ok(out)
}

/// The variant whose SKU or barcode is the form's `field` (`None` when blank).
fn variant_of(engine: &Engine, ui: &Ui, field: &str) -> Result<Option<String>> {
    let Some(code) = ui.form.optional(field).map(str::to_string) else {
        return Ok(None);
    };
    let found = engine
        .store()
        .read(|conn| variant_by_code(conn, &code))?
        .ok_or_else(|| Error::invalid(format!("No variant has the SKU or barcode '{code}'")))?;
    Ok(Some(found))
}

/// The new-item rows of an exchange or claim form (see [`NEW_ROWS`]).
fn new_items(engine: &Engine, ui: &Ui) -> Result<Vec<NewItem>> {
    let mut out = Vec::new();
    for row in 1..=NEW_ROWS {
        let suffix = if row == 1 {
            String::new()
        } else {
            format!("_{row}")
        };
        let Some(variant) = variant_of(engine, ui, &format!("sku{suffix}"))? else {
            continue;
        };
        let quantity = ui
            .form
            .integer(&format!("quantity{suffix}"), "New item quantity")?
            .unwrap_or(1);
        out.push(NewItem {
            variant_id: variant,
            quantity,
            ..NewItem::default()
        });
    }
    Ok(out)
}

fn actor(ui: &Ui) -> Option<String> {
    Some(ui.session.user_id.clone())
}

/// A refusal of the form itself (before any workflow ran), shown on the order page.
fn refuse(engine: &Engine, ui: &Ui, id: &str, err: &Error) -> Result<Response> {
    render(engine, id, &ui.with_error(err.to_string()), 400)
}

fn request_return(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let lines = match quantities(ui, "return_") {
        Ok(lines) => lines,
        Err(err) => return refuse(engine, ui, id, &err),
    };
    let items = lines
        .into_iter()
        .map(|(line, quantity)| ReturnItem {
            id: line,
            quantity,
            reason_id: ui.form.optional("reason_id").map(str::to_string),
            internal_note: ui.form.optional("note").map(str::to_string),
            ..ReturnItem::default()
        })
        .collect();
    let wanted = ReturnRequest {
        order_id: id.to_string(),
        location_id: ui.form.optional("location_id").map(str::to_string),
        items,
        shipping_option_id: ui.form.optional("shipping_option_id").map(str::to_string),
        by: actor(ui),
    };
    let result = sequences::request_return_with_items(engine, &wanted).map(|_| ());
    outcome(engine, ui, id, result, "return_requested")
}

fn receive_return(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let (id, return_id) = (request.param("id"), request.param("return_id"));
    // The path names the order too: a return of another order is not found here.
    let owner = engine
        .store()
        .read(|conn| Ok(returns::retrieve(conn, return_id)?.order_id))?;
    if owner != id {
        return Err(Error::not_found("Return", return_id));
    }
    let receipts = |prefix: &str| -> Result<Vec<Receipt>> {
        Ok(quantities(ui, prefix)?
            .into_iter()
            .map(|(line, quantity)| Receipt {
                id: line,
                quantity,
                ..Receipt::default()
            })
            .collect())
    };
    let (received, damaged) = match (receipts("received_"), receipts("damaged_")) {
        (Ok(r), Ok(d)) => (r, d),
        (Err(err), _) | (_, Err(err)) => return refuse(engine, ui, id, &err),
    };
    let receipt = ReturnReceipt {
        return_id: return_id.to_string(),
        received,
        damaged,
        by: actor(ui),
    };
    let result = sequences::receive_return(engine, &receipt).map(|_| ());
    outcome(engine, ui, id, result, "return_received")
}

/// What an exchange (`CLAIM` false) or claim form asks for.
fn record_request<const CLAIM: bool>(engine: &Engine, ui: &Ui, id: &str) -> Result<RecordRequest> {
    let word = if CLAIM { "claim" } else { "exchange" };
    let inbound = quantities(ui, &format!("{word}_in_"))?;
    let mut wanted = RecordRequest {
        order_id: id.to_string(),
        claim_type: CLAIM.then(|| ui.form.optional("type").unwrap_or("replace").to_string()),
        new_items: new_items(engine, ui)?,
        return_shipping_option_id: ui
            .form
            .optional("return_shipping_option_id")
            .map(str::to_string),
        outbound_shipping_option_id: ui.form.optional("shipping_option_id").map(str::to_string),
        by: actor(ui),
        ..RecordRequest::default()
    };
    for (line, quantity) in inbound {
        if CLAIM {
            wanted.claimed.push(ClaimItem {
                id: line,
                quantity,
                reason: ui.form.optional("reason").map(str::to_string),
                ..ClaimItem::default()
            });
        } else {
            wanted.returned.push(ReturnItem {
                id: line,
                quantity,
                reason_id: ui.form.optional("reason_id").map(str::to_string),
                ..ReturnItem::default()
            });
        }
    }
    Ok(wanted)
}

/// An exchange (`CLAIM` false) or a claim, built and left open so staff see the preview
/// before confirming.
fn create_exchange<const CLAIM: bool>(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
) -> Result<Response> {
    let id = request.param("id");
    let wanted = match record_request::<CLAIM>(engine, ui, id) {
        Ok(wanted) => wanted,
        Err(err) => return refuse(engine, ui, id, &err),
    };
    let (result, done) = if CLAIM {
        let made = sequences::create_claim_with_items(engine, &wanted);
        (made.map(|_| ()), "claim_created")
    } else {
        let made = sequences::create_exchange_with_items(engine, &wanted);
        (made.map(|_| ()), "exchange_created")
    };
    outcome(engine, ui, id, result, done)
}

fn begin_edit(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let begin = BeginEdit {
        created_by: actor(ui),
        ..BeginEdit::default()
    };
    let result = edits::BEGIN_EDIT.run(engine, &OnOrder::new(id, begin), None);
    outcome(engine, ui, id, result.map(|_| ()), "edit_begun")
}

fn edit_add_item(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let variant = match variant_of(engine, ui, "sku") {
        Ok(Some(v)) => v,
        Ok(None) => {
            let err = Error::invalid("Enter the SKU or barcode of the item to add");
            return refuse(engine, ui, id, &err);
        }
        Err(err) => return refuse(engine, ui, id, &err),
    };
    let quantity = match ui.form.integer("quantity", "Quantity to add") {
        Ok(q) => q.unwrap_or(1),
        Err(err) => return refuse(engine, ui, id, &err),
    };
    let items = NewItems {
        items: vec![NewItem {
            variant_id: variant,
            quantity,
            ..NewItem::default()
        }],
    };
    let result = edits::ADD_ITEMS.run(engine, &OnOrder::new(id, items), None);
    outcome(engine, ui, id, result.map(|_| ()), "edit_updated")
}

/// Changes the quantities that differ from the edit's preview.
fn edit_quantities(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let preview = engine.store().read(|conn| preview_json(conn, engine, id))?;
    let mut changed = Vec::new();
    for item in preview["items"].as_array().into_iter().flatten() {
        let Some(line) = item["id"].as_str() else {
            continue;
        };
        let wanted = match ui.form.integer(&format!("edit_{line}"), "New quantity") {
            Ok(Some(q)) => q,
            Ok(None) => continue,
            Err(err) => return refuse(engine, ui, id, &err),
        };
        if Some(wanted) != item["quantity"].as_i64() {
            changed.push((line.to_string(), wanted));
        }
    }
    let edit = QuantityEdit {
        order_id: id.to_string(),
        quantities: changed,
        by: actor(ui),
    };
    let result = sequences::edit_order_quantities(engine, &edit).map(|_| ());
    outcome(engine, ui, id, result, "edit_updated")
}

fn edit_remove_action(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let action = ActionRef {
        action_id: request.param("action_id").to_string(),
    };
    let result = edits::REMOVE_ACTION.run(engine, &OnOrder::new(id, action), None);
    outcome(engine, ui, id, result.map(|_| ()), "edit_updated")
}

fn settle(engine: &Engine, request: &Request, ui: &Ui, confirm: bool) -> Result<Response> {
    let id = request.param("id");
    let open = engine.store().read(|conn| changes::open_change(conn, id))?;
    if let Some(change) = open.filter(|c| c.change_type.as_deref() == Some("transfer")) {
        let err = Error::invalid(format!("A {} cannot be settled here", noun(&change)));
        return refuse(engine, ui, id, &err);
    }
    let by = ui.session.user_id.as_str();
    let result = sequences::settle_open_change(engine, id, confirm, Some(by));
    let done = if confirm {
        "change_confirmed"
    } else {
        "change_canceled"
    };
    outcome(engine, ui, id, result, done)
}

fn confirm_change(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    settle(engine, request, ui, true)
}

fn cancel_change(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    settle(engine, request, ui, false)
}
