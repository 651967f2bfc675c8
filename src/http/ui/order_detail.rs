//! `/app/orders/:id`: one order — items, totals, payments, fulfillments, addresses, its event
//! timeline from the outbox, the `order.details.*` widget zones — and its actions, each
//! running the registered workflow the Admin API runs: `create-order-fulfillment`,
//! `create-order-shipment`, `mark-order-fulfillment-as-delivered`, `capture-payment`,
//! `refund-payment`, `cancel-order`. A success redirects back (303) with a confirmation; a
//! refusal renders the page again with the workflow's message. The after-sales cards (open
//! change, returns, new return / exchange / claim / edit) are `after_sales.rs`, their forms
//! `after_sales_actions.rs`.

use super::view::{self, amount, badge, doc_amount, post_button};
use super::{Ui, after_sales, layout, respond, ui_route, widgets};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::events;
use crate::flows::orders::{cancel, fulfill, payments};
use crate::http::admin::order_json::admin_order_json;
use crate::http::{Request, Response, Route};
use crate::modules::payment::ledger;
use crate::money;
use crate::workflow::Handle;
use maud::{Markup, html};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The detail page and its actions.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/orders/:id", "Admin UI order", show),
        ui_route("POST", "/app/orders/:id/fulfill", "Fulfill items", fulfill),
        ui_route(
            "POST",
            "/app/orders/:id/fulfillments/:fulfillment_id/ship",
            "Mark a fulfillment shipped",
            ship,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/fulfillments/:fulfillment_id/deliver",
            "Mark a fulfillment delivered",
            deliver,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/payments/:payment_id/capture",
            "Capture a payment",
            capture,
        ),
        ui_route(
            "POST",
            "/app/orders/:id/payments/:payment_id/refund",
            "Refund a payment",
            refund,
        ),
        ui_route("POST", "/app/orders/:id/cancel", "Cancel an order", cancel),
    ]
}

/// What the page shows besides the admin order document.
struct Extras {
    /// `(payment id, amount, captured, refunded)` in minor units.
    payments: Vec<(String, i64, i64, i64)>,
    timeline: Vec<Value>,
}

fn load(engine: &Engine, id: &str) -> Result<(Value, Extras)> {
    engine.store().read(|conn| {
        let doc = admin_order_json(conn, id)?;
        let mut payments = Vec::new();
        let mut ids = vec![id.to_string()];
        for collection in doc["payment_collections"].as_array().into_iter().flatten() {
            for payment in collection["payments"].as_array().into_iter().flatten() {
                let pid = payment["id"].as_str().unwrap_or_default();
                let found = ledger::retrieve(conn, pid)?;
                payments.push((
                    pid.to_string(),
                    found.payment.amount,
                    found.captured(),
                    found.refunded(),
                ));
                ids.push(pid.to_string());
            }
        }
        for f in doc["fulfillments"].as_array().into_iter().flatten() {
            ids.push(f["id"].as_str().unwrap_or_default().to_string());
        }
        let timeline = events::about(conn, &ids, 200)?;
        Ok((doc, Extras { payments, timeline }))
    })
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

/// The order page with `status` (a refused action renders it again with its message).
pub(super) fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let (doc, extras) = load(engine, id)?;
    let sales = after_sales::load(engine, id)?;
    let title = format!("Order #{}", doc["display_id"]);
    let body = html! {
        (widgets::zone(engine, "order.details.before", id))
        div class="grid" {
            div {
                (summary(&doc))
                (items(&doc, ui, id))
                (fulfillments(&doc, ui, id))
                (payments(&doc, &extras, ui, id))
                (after_sales::section(&doc, &sales, ui, id))
                (timeline(&extras.timeline))
            }
            div {
                (widgets::zone(engine, "order.details.side.before", id))
                (customer(&doc))
                (cancel_card(&doc, ui, id))
                (widgets::zone(engine, "order.details.side.after", id))
            }
        }
        (widgets::zone(engine, "order.details.after", id))
    };
    let markup = layout::page(engine, ui, &title, "/app/orders", body);
    Ok(respond::html_page(status, markup))
}

/// Runs `name` with `input`; on success redirects to the order with `done`, on a refusal
/// renders the order page with the workflow's message.
/// Runs `handle` with `input` (parsed as its input type first) and answers as [`outcome`].
fn act<I, O>(
    engine: &Engine,
    ui: &Ui,
    id: &str,
    handle: Handle<I, O>,
    input: Value,
    done: &str,
) -> Result<Response>
where
    I: Serialize + DeserializeOwned + 'static,
    O: DeserializeOwned,
{
    let result = handle.run_json(engine, input, None).map(|_| ());
    outcome(engine, ui, id, result, done)
}

/// What an action answers: on success a redirect to the order with `done`; on a refusal
/// (4xx) the order page with the workflow's message; a server error stays an error.
pub(super) fn outcome(
    engine: &Engine,
    ui: &Ui,
    id: &str,
    result: Result<()>,
    done: &str,
) -> Result<Response> {
    match result {
        Ok(()) => Ok(respond::redirect(&format!("/app/orders/{id}?done={done}"))),
        Err(err) if err.status() < 500 => {
            render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn fulfill(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let mut items = Vec::new();
    for (name, _) in ui.form.fields() {
        let Some(line) = name.strip_prefix("qty_") else {
            continue;
        };
        let quantity = ui.form.integer(name, "Quantity to fulfill")?.unwrap_or(0);
        if quantity < 0 {
            return Err(Error::invalid("Quantity to fulfill cannot be negative"));
        }
        if quantity > 0 {
            items.push(json!({"id": line, "quantity": quantity}));
        }
    }
    if items.is_empty() {
        return render(
            engine,
            id,
            &ui.with_error("Choose at least one item to fulfill"),
            400,
        );
    }
    let input = json!({"order_id": id, "items": items});
    act(
        engine,
        ui,
        id,
        fulfill::CREATE_FULFILLMENT,
        input,
        "fulfilled",
    )
}

fn ship(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let input =
        json!({"order_id": id, "fulfillment_id": request.param("fulfillment_id"), "items": []});
    act(engine, ui, id, fulfill::CREATE_SHIPMENT, input, "shipped")
}

fn deliver(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let input = json!({"order_id": id, "fulfillment_id": request.param("fulfillment_id")});
    act(engine, ui, id, fulfill::MARK_DELIVERED, input, "delivered")
}

fn capture(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let input = json!({"payment_id": request.param("payment_id"), "amount": null});
    act(engine, ui, id, payments::CAPTURE_PAYMENT, input, "captured")
}

fn refund(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let payment_id = request.param("payment_id");
    let currency = engine
        .store()
        .read(|conn| Ok(ledger::retrieve(conn, payment_id)?.payment.currency_code))?;
    let amount = match ui.form.optional("amount") {
        None => Value::Null,
        Some(text) => match money::parse_major(text, &currency) {
            Ok(minor) if minor > 0 => money::to_json(minor, &currency),
            _ => {
                let message = format!(
                    "Refund amount must be a positive amount in {}",
                    currency.to_uppercase()
                );
                return render(engine, id, &ui.with_error(message), 400);
            }
        },
    };
    let input =
        json!({"payment_id": payment_id, "amount": amount, "note": ui.form.optional("note")});
    act(engine, ui, id, payments::REFUND_PAYMENT, input, "refunded")
}

fn cancel(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    act(
        engine,
        ui,
        id,
        cancel::CANCEL,
        json!({"order_id": id}),
        "canceled",
    )
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn summary(doc: &Value) -> Markup {
    let currency = text(doc, "currency_code");
    html! {
        section class="card" aria-labelledby="summary-h" {
            h2 id="summary-h" { "Summary" }
            dl class="pairs" {
                dt { "Status" } dd { (badge(text(doc, "status"))) }
                dt { "Payment" } dd { (badge(text(doc, "payment_status"))) }
                dt { "Fulfillment" } dd { (badge(text(doc, "fulfillment_status"))) }
                dt { "Placed" } dd { (view::when(text(doc, "created_at"))) }
                dt { "Subtotal" } dd { (doc_amount(doc, "item_total", currency)) }
                dt { "Shipping" } dd { (doc_amount(doc, "shipping_total", currency)) }
                dt { "Discount" } dd { (doc_amount(doc, "discount_total", currency)) }
                dt { "Tax" } dd { (doc_amount(doc, "tax_total", currency)) }
                dt { "Total" } dd { strong { (doc_amount(doc, "total", currency)) } }
                @if changed_total(doc) {
                    dt { "Before the last change" } dd { (summary_amount(doc, "original_order_total")) }
                    dt { "Current total" } dd { (summary_amount(doc, "current_order_total")) }
                }
                dt { "Paid" } dd { (summary_amount(doc, "paid_total")) }
                dt { "Refunded" } dd { (summary_amount(doc, "refunded_total")) }
                dt { "Pending difference" } dd { (summary_amount(doc, "pending_difference")) }
            }
            @if after_sales::summary_minor(doc, "pending_difference").is_some_and(|d| d < 0) {
                p class="muted" { "A negative difference is owed back to the customer: refund it from a payment below." }
            }
        }
    }
}

/// Whether the latest change (an edit, return, exchange or claim) moved what the order comes
/// to: then the page shows the summary's totals before and after it.
fn changed_total(doc: &Value) -> bool {
    after_sales::summary_minor(doc, "original_order_total")
        != after_sales::summary_minor(doc, "current_order_total")
}

/// An amount of the order's `summary` (Medusa's paid, refunded and pending figures).
fn summary_amount(doc: &Value, key: &str) -> String {
    after_sales::summary_minor(doc, key).map_or_else(
        || "—".to_string(),
        |minor| amount(minor, text(doc, "currency_code")),
    )
}

fn remaining(item: &Value) -> i64 {
    let quantity = item["quantity"].as_i64().unwrap_or(0);
    quantity - item["detail"]["fulfilled_quantity"].as_i64().unwrap_or(0)
}

fn items(doc: &Value, ui: &Ui, id: &str) -> Markup {
    let currency = text(doc, "currency_code");
    let lines = doc["items"].as_array().cloned().unwrap_or_default();
    let open = text(doc, "status") != "canceled" && lines.iter().any(|i| remaining(i) > 0);
    html! {
        section class="card" aria-labelledby="items-h" {
            h2 id="items-h" { "Items" }
            form method="post" action={ "/app/orders/" (id) "/fulfill" } {
                (layout::csrf(ui))
                table {
                    thead { tr {
                        th scope="col" { "Item" } th scope="col" { "SKU" }
                        th scope="col" class="num" { "Quantity" } th scope="col" class="num" { "Fulfilled" }
                        th scope="col" class="num" { "Total" }
                        @if open { th scope="col" { "To fulfill" } }
                    } }
                    tbody {
                        @for item in &lines {
                            @let line = text(item, "id");
                            tr {
                                td { (text(item, "product_title")) " · " (text(item, "title")) }
                                td { (text(item, "variant_sku")) }
                                td class="num" { (item["quantity"]) }
                                td class="num" { (item["detail"]["fulfilled_quantity"]) }
                                td class="num" { (doc_amount(item, "total", currency)) }
                                @if open {
                                    td {
                                        label for={ "qty_" (line) } class="muted" { "Quantity to fulfill for " (text(item, "title")) }
                                        input id={ "qty_" (line) } name={ "qty_" (line) } type="number" min="0"
                                            max=(remaining(item)) value=(remaining(item));
                                    }
                                }
                            }
                        }
                    }
                }
                @if open { p { button type="submit" { "Fulfill items" } } }
            }
        }
    }
}

fn fulfillments(doc: &Value, ui: &Ui, id: &str) -> Markup {
    let list = doc["fulfillments"].as_array().cloned().unwrap_or_default();
    html! {
        section class="card" aria-labelledby="ful-h" {
            h2 id="ful-h" { "Fulfillments" }
            @if list.is_empty() { p class="muted" { "Nothing fulfilled yet." } }
            @for (n, f) in list.iter().enumerate() {
                @let fid = text(f, "id");
                @let base = format!("/app/orders/{id}/fulfillments/{fid}");
                div class="field" {
                    h3 { "Fulfillment " (n + 1) }
                    p {
                        @for item in f["items"].as_array().into_iter().flatten() {
                            (item["quantity"]) " × " (text(item, "title")) ". "
                        }
                    }
                    p {
                        @if !f["canceled_at"].is_null() { (badge("canceled")) }
                        @else if !f["delivered_at"].is_null() { (badge("delivered")) " " (view::when(text(f, "delivered_at"))) }
                        @else if !f["shipped_at"].is_null() { (badge("shipped")) " " (view::when(text(f, "shipped_at"))) }
                        @else { (badge("not shipped")) }
                    }
                    div class="actions" {
                        @if f["canceled_at"].is_null() && f["shipped_at"].is_null() {
                            (post_button(ui, &format!("{base}/ship"), &format!("Mark fulfillment {} shipped", n + 1), ""))
                        }
                        @if f["canceled_at"].is_null() && f["delivered_at"].is_null() {
                            (post_button(ui, &format!("{base}/deliver"), &format!("Mark fulfillment {} delivered", n + 1), "secondary"))
                        }
                    }
                }
            }
        }
    }
}

fn payments(doc: &Value, extras: &Extras, ui: &Ui, id: &str) -> Markup {
    let currency = text(doc, "currency_code");
    // What is owed back (a negative pending difference, e.g. after a return), offered as
    // the refund amount of a payment that can cover it.
    let owed = after_sales::summary_minor(doc, "pending_difference")
        .filter(|d| *d < 0)
        .map(|d| -d);
    html! {
        section class="card" aria-labelledby="pay-h" {
            h2 id="pay-h" { "Payments" }
            @if extras.payments.is_empty() { p class="muted" { "No payments." } }
            @for (n, (pid, total, captured, refunded)) in extras.payments.iter().enumerate() {
                @let base = format!("/app/orders/{id}/payments/{pid}");
                div class="field" {
                    dl class="pairs" {
                        dt { "Amount" } dd { (amount(*total, currency)) }
                        dt { "Captured" } dd { (amount(*captured, currency)) }
                        dt { "Refunded" } dd { (amount(*refunded, currency)) }
                    }
                    div class="actions" {
                        @if captured < total {
                            (post_button(ui, &format!("{base}/capture"), &format!("Capture payment {}", n + 1), ""))
                        }
                        @if captured > refunded {
                            form method="post" action={ (base) "/refund" } class="actions" {
                                (layout::csrf(ui))
                                div {
                                    label for={ "refund-amount-" (n) } { "Refund amount (" (currency.to_uppercase()) ")" }
                                    @let due = owed.filter(|o| *o <= captured - refunded);
                                    input id={ "refund-amount-" (n) } name="amount" inputmode="decimal" placeholder="All captured"
                                        value=[due.map(|o| view::amount(o, currency).split(' ').next().unwrap_or("").to_string())];
                                }
                                div {
                                    label for={ "refund-note-" (n) } { "Refund note" }
                                    input id={ "refund-note-" (n) } name="note";
                                }
                                button type="submit" class="secondary" { "Refund payment " (n + 1) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn timeline(events: &[Value]) -> Markup {
    html! {
        section class="card" aria-labelledby="time-h" {
            h2 id="time-h" { "Timeline" }
            @if events.is_empty() { p class="muted" { "No events." } }
            ol class="timeline" {
                @for e in events {
                    li { (view::when(text(e, "created_at"))) " — " code { (text(e, "name")) } }
                }
            }
        }
    }
}

fn address(a: &Value) -> Markup {
    html! {
        @if a.is_object() {
            p {
                (text(a, "first_name")) " " (text(a, "last_name")) br;
                (text(a, "address_1")) br;
                (text(a, "postal_code")) " " (text(a, "city")) br;
                (text(a, "country_code").to_uppercase())
            }
        } @else {
            p class="muted" { "None" }
        }
    }
}

fn customer(doc: &Value) -> Markup {
    html! {
        section class="card" aria-labelledby="cust-h" {
            h2 id="cust-h" { "Customer" }
            p {
                @if let Some(cid) = doc["customer_id"].as_str() {
                    a href={ "/app/customers/" (cid) } { (text(doc, "email")) }
                } @else { (text(doc, "email")) }
            }
            h3 { "Shipping address" }
            (address(&doc["shipping_address"]))
            h3 { "Billing address" }
            (address(&doc["billing_address"]))
        }
    }
}

fn cancel_card(doc: &Value, ui: &Ui, id: &str) -> Markup {
    html! {
        @if text(doc, "status") != "canceled" {
            section class="card" aria-labelledby="cancel-h" {
                h2 id="cancel-h" { "Cancel" }
                p class="muted" { "Releases reservations and refunds captured payments." }
                (post_button(ui, &format!("/app/orders/{id}/cancel"), "Cancel order", "danger"))
            }
        }
    }
}
