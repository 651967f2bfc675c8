//! The after-sales forms of the order page, each running the registered workflows the Admin
//! API runs for the same work (`/admin/returns`, `/admin/exchanges`, `/admin/claims`,
//! `/admin/order-edits`), in the order a client of that API would call them:
//!
//! - request a return: `begin-return-order`, `request-item-return`, the return shipping
//!   (`create-return-shipping-method`, when chosen), `confirm-return-request`;
//! - receive it: `begin-receive-return`, `receive-item-return-request` /
//!   `dismiss-item-return-request` (damaged units), `confirm-return-receive`;
//! - create an exchange or a claim: `begin-…-order`, the inbound items, the outbound item
//!   (found by its SKU or barcode) — left open for staff to check the preview and confirm;
//! - an order edit: `begin-order-edit-order`, then `order-edit-add-new-item`,
//!   `order-edit-update-item-quantity`, `remove-order-edit-item-action`;
//! - confirm or cancel the open change with the workflows of its type.
//!
//! Each workflow commits on its own, as over the API. When a later one of a sequence is
//! refused, the change the sequence began is canceled with its own cancel workflow, so a
//! refused form leaves no half-built request behind; the page then shows the refusal.

use super::after_sales::noun;
use super::order_detail::{outcome, render};
use super::{Ui, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::admin::order_changes::preview_json;
use crate::http::{Request, Response, Route};
use crate::modules::order::changes::{self, OrderChange};
use crate::modules::order::returns;
use crate::modules::product::codes::variant_by_code;
use crate::workflow;
use serde_json::{Value, json};

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

/// A workflow and its input.
type Call = (String, Value);

fn call(name: &str, input: Value) -> Call {
    (name.to_string(), input)
}

/// Runs `calls` in order. When one is refused and `undo` is given, `undo` runs (its own
/// refusal is not shown: the first refusal is what staff need to read).
fn run_all(engine: &Engine, calls: Vec<Call>, undo: Option<Call>) -> Result<()> {
    for (name, input) in calls {
        if let Err(err) = workflow::run(engine, &name, input, None) {
            if let Some((undo_name, undo_input)) = undo
                && let Err(undo_err) = workflow::run(engine, &undo_name, undo_input, None)
            {
                eprintln!("admin UI: {undo_name} after a refused {name}: {undo_err}");
            }
            return Err(err);
        }
    }
    Ok(())
}

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

/// The variant whose SKU or barcode is the form's `sku` (`None` when blank).
fn variant_of(engine: &Engine, ui: &Ui) -> Result<Option<String>> {
    let Some(code) = ui.form.optional("sku").map(str::to_string) else {
        return Ok(None);
    };
    let found = engine
        .store()
        .read(|conn| variant_by_code(conn, &code))?
        .ok_or_else(|| Error::invalid(format!("No variant has the SKU or barcode '{code}'")))?;
    Ok(Some(found))
}

/// A refusal of the form itself (before any workflow ran), shown on the order page.
fn refuse(engine: &Engine, ui: &Ui, id: &str, message: &str) -> Result<Response> {
    render(engine, id, &ui.with_error(message), 400)
}

fn request_return(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let lines = match quantities(ui, "return_") {
        Ok(lines) if !lines.is_empty() => lines,
        Ok(_) => return refuse(engine, ui, id, "Choose at least one item to return"),
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let actor = json!(ui.session.user_id);
    let begun = workflow::run(
        engine,
        "begin-return-order",
        json!({"order_id": id, "location_id": ui.form.optional("location_id"), "created_by": actor}),
        None,
    );
    let return_id =
        match begun.and_then(|done| Ok(workflow::output_str(&done, "return_id")?.to_string())) {
            Ok(return_id) => return_id,
            Err(err) => return outcome(engine, ui, id, Err(err), ""),
        };
    let items: Vec<Value> = lines
        .iter()
        .map(|(line, quantity)| {
            json!({"id": line, "quantity": quantity, "reason_id": ui.form.optional("reason_id"),
                   "internal_note": ui.form.optional("note")})
        })
        .collect();
    let mut calls = vec![call(
        "request-item-return",
        json!({"return_id": return_id, "items": items}),
    )];
    if let Some(option) = ui.form.optional("shipping_option_id") {
        calls.push(call(
            "create-return-shipping-method",
            json!({"return_id": return_id, "shipping_option_id": option}),
        ));
    }
    calls.push(call(
        "confirm-return-request",
        json!({"return_id": return_id, "confirmed_by": actor}),
    ));
    let undo = call(
        "cancel-return-request",
        json!({"return_id": return_id, "canceled_by": actor}),
    );
    let result = run_all(engine, calls, Some(undo));
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
    let (received, damaged) = match (quantities(ui, "received_"), quantities(ui, "damaged_")) {
        (Ok(r), Ok(d)) if !(r.is_empty() && d.is_empty()) => (r, d),
        (Err(err), _) | (_, Err(err)) => return refuse(engine, ui, id, &err.to_string()),
        _ => return refuse(engine, ui, id, "Enter at least one received quantity"),
    };
    let actor = json!(ui.session.user_id);
    let items = |lines: &[(String, i64)]| -> Value {
        lines
            .iter()
            .map(|(line, quantity)| json!({"id": line, "quantity": quantity}))
            .collect()
    };
    let begun = workflow::run(
        engine,
        "begin-receive-return",
        json!({"return_id": return_id, "created_by": actor}),
        None,
    );
    if let Err(err) = begun {
        return outcome(engine, ui, id, Err(err), "");
    }
    let mut calls = Vec::new();
    if !received.is_empty() {
        calls.push(call(
            "receive-item-return-request",
            json!({"return_id": return_id, "items": items(&received)}),
        ));
    }
    if !damaged.is_empty() {
        calls.push(call(
            "dismiss-item-return-request",
            json!({"return_id": return_id, "items": items(&damaged)}),
        ));
    }
    calls.push(call(
        "confirm-return-receive",
        json!({"return_id": return_id, "confirmed_by": actor}),
    ));
    let undo = call(
        "cancel-receive-return",
        json!({"return_id": return_id, "canceled_by": actor}),
    );
    let result = run_all(engine, calls, Some(undo));
    outcome(engine, ui, id, result, "return_received")
}

/// An exchange (`CLAIM` false) or a claim: begun, its inbound items and its outbound item
/// added; left open so staff see the preview before confirming.
fn create_exchange<const CLAIM: bool>(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
) -> Result<Response> {
    let id = request.param("id");
    let (word, key) = if CLAIM {
        ("claim", "claim_id")
    } else {
        ("exchange", "exchange_id")
    };
    let inbound = match quantities(ui, &format!("{word}_in_")) {
        Ok(lines) => lines,
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let outbound = match variant_of(engine, ui) {
        Ok(v) => v,
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    if inbound.is_empty() && outbound.is_none() {
        let message = format!("Choose the items of the {word}");
        return refuse(engine, ui, id, &message);
    }
    let quantity = match ui.form.integer("quantity", "New item quantity") {
        Ok(q) => q.unwrap_or(1),
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let actor = json!(ui.session.user_id);
    let mut begin = json!({"order_id": id, "created_by": actor});
    if CLAIM {
        begin["type"] = json!(ui.form.optional("type").unwrap_or("replace"));
    }
    let begun = workflow::run(engine, &format!("begin-{word}-order"), begin, None);
    let record = match begun.and_then(|done| Ok(workflow::output_str(&done, key)?.to_string())) {
        Ok(record) => record,
        Err(err) => return outcome(engine, ui, id, Err(err), ""),
    };
    let mut calls = Vec::new();
    if !inbound.is_empty() {
        let items: Vec<Value> = inbound
            .iter()
            .map(|(line, quantity)| {
                if CLAIM {
                    json!({"id": line, "quantity": quantity, "reason": ui.form.optional("reason")})
                } else {
                    json!({"id": line, "quantity": quantity, "reason_id": ui.form.optional("reason_id")})
                }
            })
            .collect();
        let name = if CLAIM {
            "claim-item".to_string()
        } else {
            "exchange-request-item-return".to_string()
        };
        calls.push((name, json!({key: record, "items": items})));
    }
    if let Some(variant) = outbound {
        calls.push((
            format!("{word}-add-new-item"),
            json!({key: record, "items": [{"variant_id": variant, "quantity": quantity}]}),
        ));
    }
    let undo = (
        format!("cancel-begin-{word}-order"),
        json!({key: record, "canceled_by": actor}),
    );
    let result = run_all(engine, calls, Some(undo));
    outcome(engine, ui, id, result, &format!("{word}_created"))
}

fn begin_edit(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let input = json!({"order_id": id, "created_by": ui.session.user_id});
    let result = run_all(engine, vec![call("begin-order-edit-order", input)], None);
    outcome(engine, ui, id, result, "edit_begun")
}

fn edit_add_item(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let variant = match variant_of(engine, ui) {
        Ok(Some(v)) => v,
        Ok(None) => {
            return refuse(
                engine,
                ui,
                id,
                "Enter the SKU or barcode of the item to add",
            );
        }
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let quantity = match ui.form.integer("quantity", "Quantity to add") {
        Ok(q) => q.unwrap_or(1),
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let input = json!({"order_id": id, "items": [{"variant_id": variant, "quantity": quantity}]});
    let result = run_all(engine, vec![call("order-edit-add-new-item", input)], None);
    outcome(engine, ui, id, result, "edit_updated")
}

/// Changes the quantities that differ from the edit's preview (one workflow per line).
fn edit_quantities(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let preview = engine.store().read(|conn| preview_json(conn, engine, id))?;
    let mut calls = Vec::new();
    for item in preview["items"].as_array().into_iter().flatten() {
        let line = item["id"].as_str().unwrap_or_default();
        let wanted = match ui.form.integer(&format!("edit_{line}"), "New quantity") {
            Ok(Some(q)) => q,
            Ok(None) => continue,
            Err(err) => return refuse(engine, ui, id, &err.to_string()),
        };
        if Some(wanted) != item["quantity"].as_i64() {
            calls.push(call(
                "order-edit-update-item-quantity",
                json!({"order_id": id, "item_id": line, "quantity": wanted}),
            ));
        }
    }
    if calls.is_empty() {
        return refuse(engine, ui, id, "No quantity was changed");
    }
    let result = run_all(engine, calls, None);
    outcome(engine, ui, id, result, "edit_updated")
}

fn edit_remove_action(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let input = json!({"order_id": id, "action_id": request.param("action_id")});
    let result = run_all(
        engine,
        vec![call("remove-order-edit-item-action", input)],
        None,
    );
    outcome(engine, ui, id, result, "edit_updated")
}

fn open_change_of(engine: &Engine, id: &str) -> Result<OrderChange> {
    engine
        .store()
        .read(|conn| changes::open_change(conn, id))?
        .ok_or_else(|| Error::invalid(format!("Order {id} has no open change")))
}

/// The key and id naming the change's record in its workflows' input.
fn record_of(change: &OrderChange) -> Option<(&'static str, &str)> {
    match change.change_type.as_deref() {
        Some("return_request" | "return_receive") => {
            change.return_id.as_deref().map(|r| ("return_id", r))
        }
        Some("exchange") => change.exchange_id.as_deref().map(|r| ("exchange_id", r)),
        Some("claim") => change.claim_id.as_deref().map(|r| ("claim_id", r)),
        Some("edit") => Some(("order_id", change.order_id.as_str())),
        _ => None,
    }
}

/// The workflows that confirm (`true`) or cancel the open change, as the Admin API's routes
/// for its type run them.
fn settle_calls(change: &OrderChange, confirm: bool, actor: &str) -> Option<Vec<Call>> {
    let (key, record) = record_of(change)?;
    let by = if confirm {
        "confirmed_by"
    } else {
        "canceled_by"
    };
    let input = json!({key: record, by: actor});
    let name = match (change.change_type.as_deref()?, confirm) {
        ("edit", true) => "confirm-order-edit-request",
        ("edit", false) => "cancel-begin-order-edit",
        ("return_request", true) => "confirm-return-request",
        ("return_request", false) => "cancel-return-request",
        ("return_receive", true) => "confirm-return-receive",
        ("return_receive", false) => "cancel-receive-return",
        ("exchange", true) => "confirm-exchange-request",
        ("exchange", false) => "cancel-begin-exchange-order",
        ("claim", true) => "confirm-claim-request",
        ("claim", false) => "cancel-begin-claim-order",
        _ => return None,
    };
    let mut calls = Vec::new();
    // Medusa's dashboard requests an edit before confirming it (`order-edit.requested`).
    if confirm && change.change_type.as_deref() == Some("edit") && change.status == "pending" {
        calls.push(call(
            "request-order-edit-request",
            json!({"order_id": record, "requested_by": actor}),
        ));
    }
    calls.push(call(name, input));
    Some(calls)
}

fn settle(engine: &Engine, request: &Request, ui: &Ui, confirm: bool) -> Result<Response> {
    let id = request.param("id");
    let change = match open_change_of(engine, id) {
        Ok(change) => change,
        Err(err) => return refuse(engine, ui, id, &err.to_string()),
    };
    let Some(calls) = settle_calls(&change, confirm, &ui.session.user_id) else {
        let message = format!("A {} cannot be settled here", noun(&change));
        return refuse(engine, ui, id, &message);
    };
    let result = run_all(engine, calls, None);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: &str, status: &str) -> OrderChange {
        OrderChange {
            id: "ordch_1".into(),
            order_id: "order_1".into(),
            version: 2,
            change_type: Some(kind.into()),
            description: None,
            status: status.into(),
            internal_note: None,
            created_by: None,
            requested_by: None,
            requested_at: None,
            confirmed_by: None,
            confirmed_at: None,
            declined_by: None,
            declined_reason: None,
            declined_at: None,
            canceled_by: None,
            canceled_at: None,
            metadata: None,
            created_at: "x".into(),
            updated_at: "x".into(),
            carry_over_promotions: None,
            no_notification: None,
            return_id: Some("return_1".into()),
            exchange_id: Some("oexc_1".into()),
            claim_id: Some("claim_1".into()),
        }
    }

    #[test]
    fn each_change_type_settles_through_its_own_workflows() {
        let names = |kind: &str, status: &str, confirm: bool| -> Vec<String> {
            settle_calls(&change(kind, status), confirm, "user_1")
                .unwrap()
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(
            names("edit", "pending", true),
            ["request-order-edit-request", "confirm-order-edit-request"]
        );
        assert_eq!(
            names("edit", "requested", true),
            ["confirm-order-edit-request"]
        );
        assert_eq!(
            names("return_request", "pending", false),
            ["cancel-return-request"]
        );
        assert_eq!(names("claim", "pending", true), ["confirm-claim-request"]);
        let (_, input) = settle_calls(&change("exchange", "pending"), true, "user_1")
            .unwrap()
            .remove(0);
        assert_eq!(
            input,
            json!({"exchange_id": "oexc_1", "confirmed_by": "user_1"})
        );
        assert!(settle_calls(&change("transfer", "requested"), true, "user_1").is_none());
    }
}
