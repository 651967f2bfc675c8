//! The after-sales part of `/app/orders/:id`: the order's open change (an edit, a return's
//! request or receipt, an exchange, a claim) with its actions, the preview's new total and
//! its Confirm / Cancel buttons; the order's returns with a receive form for each requested
//! one; and the forms that begin new work — request a return, create an exchange or a
//! claim, begin an order edit. The forms post to `after_sales_actions.rs`, which runs the
//! Admin API's workflows; nothing here decides anything, it only shows the documents the
//! Admin API answers (`admin_order_json`, `preview_json`, `return_json`).

use super::after_sales_actions::NEW_ROWS;
use super::view::{badge, doc_amount};
use super::{Ui, layout};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::change_inputs::is_return_option;
use crate::flows::orders::shipping_options;
use crate::http::admin::order_changes::preview_json;
use crate::http::admin::return_json::return_json;
use crate::modules::order::after_sales::CLAIM_REASONS;
use crate::modules::order::changes::{self, ChangeAction, ITEM_ADD, OrderChange};
use crate::modules::order::return_reason::{self, ReturnReasonFilter};
use crate::modules::order::returns::{self, ReturnFilter};
use crate::modules::stock_location;
use crate::money;
use maud::{Markup, html};
use serde_json::Value;

/// What the after-sales part of the order page shows.
pub struct AfterSales {
    /// The open change, its actions, and the order's preview with them applied.
    pub open: Option<(OrderChange, Vec<ChangeAction>, Value)>,
    /// Every return of the order (its Admin API document).
    pub returns: Vec<Value>,
    /// `(id, label)` of the return reasons.
    pub reasons: Vec<(String, String)>,
    /// `(id, name)` of the stock locations a return can come back to.
    pub locations: Vec<(String, String)>,
    /// `(id, name)` of the order's return shipping options.
    pub return_options: Vec<(String, String)>,
    /// `(id, name)` of the order's outbound shipping options (for exchanged or replaced items).
    pub outbound_options: Vec<(String, String)>,
}

/// Reads what [`section`] shows.
///
/// # Errors
/// Database failures.
pub fn load(engine: &Engine, order_id: &str) -> Result<AfterSales> {
    engine.store().read(|conn| {
        let open = match changes::open_change(conn, order_id)? {
            Some(change) => {
                let actions = changes::actions_of(conn, &change.id)?;
                Some((change, actions, preview_json(conn, engine, order_id)?))
            }
            None => None,
        };
        let filter = ReturnFilter {
            order_ids: vec![order_id.to_string()],
            ..ReturnFilter::default()
        };
        let returns = returns::list(conn, &filter, 0, 50)?
            .0
            .iter()
            .map(|r| return_json(conn, &r.id))
            .collect::<Result<Vec<_>>>()?;
        let reasons = return_reason::list(conn, &ReturnReasonFilter::default(), 0, 100)?
            .0
            .into_iter()
            .map(|r| (r.id, r.label))
            .collect();
        let (ids, _) = stock_location::manage::list(conn, None, &[], &[], 0, 50)?;
        let locations = ids
            .iter()
            .map(|l| Ok((l.clone(), stock_location::retrieve(conn, l)?.name)))
            .collect::<Result<Vec<_>>>()?;
        // An order without a region or channel has no options; the form then offers none.
        let for_order = match shipping_options::for_order(conn, order_id) {
            Ok(list) => list,
            Err(err) if err.status() < 500 => Vec::new(),
            Err(err) => return Err(err),
        };
        let (return_options, outbound_options) = for_order
            .into_iter()
            .map(|o| (is_return_option(&o.option), (o.option.id, o.option.name)))
            .partition::<Vec<_>, _>(|(back, _)| *back);
        let names =
            |list: Vec<(bool, (String, String))>| list.into_iter().map(|(_, o)| o).collect();
        Ok(AfterSales {
            open,
            returns,
            reasons,
            locations,
            return_options: names(return_options),
            outbound_options: names(outbound_options),
        })
    })
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A summary amount (`summary.<key>`, a JSON number in major units) in minor units.
pub fn summary_minor(doc: &Value, key: &str) -> Option<i64> {
    let currency = text(doc, "currency_code");
    let number = doc["summary"][key].as_number()?;
    money::parse_major(&number.to_string(), currency).ok()
}

/// The after-sales cards of the order page.
pub fn section(doc: &Value, sales: &AfterSales, ui: &Ui, id: &str) -> Markup {
    let live = text(doc, "status") != "canceled";
    html! {
        @if let Some((change, actions, preview)) = &sales.open {
            (open_change(doc, change, actions, preview, ui, id))
        }
        (returns_card(doc, sales, ui, id))
        @if live && sales.open.is_none() {
            (return_form(doc, sales, ui, id))
            (exchange_form::<false>(doc, sales, ui, id))
            (exchange_form::<true>(doc, sales, ui, id))
            section class="card" aria-labelledby="edit-h" {
                h2 id="edit-h" { "Edit order" }
                p class="muted" { "Add items or change quantities, preview the new total, then confirm." }
                (super::view::post_button(ui, &format!("/app/orders/{id}/edit"), "Begin order edit", "secondary"))
            }
        }
    }
}

/// How staff call a change of this type (`order edit`, `return request`, …).
pub fn noun(change: &OrderChange) -> &'static str {
    match change.change_type.as_deref() {
        Some("edit") => "order edit",
        Some("return_request") => "return request",
        Some("return_receive") => "return receipt",
        Some("exchange") => "exchange",
        Some("claim") => "claim",
        Some("transfer") => "transfer",
        _ => "order change",
    }
}

fn open_change(
    doc: &Value,
    change: &OrderChange,
    actions: &[ChangeAction],
    preview: &Value,
    ui: &Ui,
    id: &str,
) -> Markup {
    let currency = text(doc, "currency_code");
    let noun = noun(change);
    let edit = change.change_type.as_deref() == Some("edit");
    let settles = change.change_type.as_deref() != Some("transfer");
    html! {
        section class="card" aria-labelledby="change-h" {
            h2 id="change-h" { "Open " (noun) }
            dl class="pairs" {
                dt { "Status" } dd { (badge(&change.status)) }
                dt { "Begun" } dd { (super::view::when(&change.created_at)) }
                dt { "Current total" } dd { (doc_amount(doc, "total", currency)) }
                dt { "New total" } dd { strong { (doc_amount(preview, "total", currency)) } }
                dt { "Difference to settle" } dd {
                    (summary_minor(preview, "pending_difference")
                        .map_or_else(|| "—".to_string(), |m| super::view::amount(m, currency)))
                }
            }
            table {
                caption class="muted" { "Actions of the " (noun) }
                thead { tr {
                    th scope="col" { "Action" } th scope="col" { "Item" }
                    th scope="col" class="num" { "Quantity" } th scope="col" class="num" { "Amount" }
                    @if edit { th scope="col" { span class="muted" { "Remove" } } }
                } }
                tbody {
                    @if actions.is_empty() { tr { td colspan="4" { "No actions yet." } } }
                    @for a in actions {
                        tr {
                            td { (a.action.replace('_', " ").to_lowercase()) }
                            td { (action_item(preview, a)) }
                            td class="num" { (a.details["quantity"].as_i64().map(|q| q.to_string()).unwrap_or_default()) }
                            td class="num" { (a.amount.map(|m| super::view::amount(m, currency)).unwrap_or_default()) }
                            @if edit {
                                td { @if a.action == ITEM_ADD {
                                    (super::view::post_button(ui, &format!("/app/orders/{id}/edit/actions/{}/remove", a.id), &format!("Remove added {}", action_item(preview, a)), "secondary"))
                                } }
                            }
                        }
                    }
                }
            }
            @if edit { (edit_forms(doc, preview, ui, id)) }
            @if settles {
                div class="actions" {
                    (super::view::post_button(ui, &format!("/app/orders/{id}/changes/confirm"), &format!("Confirm {noun}"), ""))
                    (super::view::post_button(ui, &format!("/app/orders/{id}/changes/cancel"), &format!("Cancel {noun}"), "danger"))
                }
            }
        }
    }
}

/// The title of the line an action is about (its `reference_id`, or the preview's new line).
fn action_item(preview: &Value, action: &ChangeAction) -> String {
    let target = action
        .reference_id
        .as_deref()
        .or_else(|| action.details["reference_id"].as_str());
    let line = preview["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| target.is_some_and(|t| i["id"].as_str() == Some(t)));
    match line {
        Some(line) => format!("{} · {}", text(line, "product_title"), text(line, "title")),
        None => action.details["variant_id"]
            .as_str()
            .or(target)
            .unwrap_or("")
            .to_string(),
    }
}

fn edit_forms(doc: &Value, preview: &Value, ui: &Ui, id: &str) -> Markup {
    let originals: Vec<&Value> = doc["items"].as_array().into_iter().flatten().collect();
    let quantity_in_preview = |line: &str| {
        preview["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["id"].as_str() == Some(line))
            .and_then(|i| i["quantity"].as_i64())
            .unwrap_or(0)
    };
    html! {
        form method="post" action={ "/app/orders/" (id) "/edit/quantities" } {
            (layout::csrf(ui))
            h3 { "Quantities" }
            @for item in &originals {
                @let line = text(item, "id");
                div class="field" {
                    label for={ "edit_" (line) } { "New quantity of " (text(item, "title")) }
                    input id={ "edit_" (line) } name={ "edit_" (line) } type="number" min="0" value=(quantity_in_preview(line));
                }
            }
            button type="submit" class="secondary" { "Update quantities" }
        }
        form method="post" action={ "/app/orders/" (id) "/edit/items" } class="filters" {
            (layout::csrf(ui))
            div {
                label for="edit-sku" { "SKU or barcode to add" }
                input id="edit-sku" name="sku" required;
            }
            div {
                label for="edit-quantity" { "Quantity to add" }
                input id="edit-quantity" name="quantity" type="number" min="1" value="1";
            }
            button type="submit" class="secondary" { "Add item" }
        }
    }
}

fn returns_card(doc: &Value, sales: &AfterSales, ui: &Ui, id: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="returns-h" {
            h2 id="returns-h" { "Returns" }
            @if sales.returns.is_empty() { p class="muted" { "No returns." } }
            @for r in &sales.returns {
                @let number = r["display_id"].to_string();
                div class="field" {
                    h3 { "Return " (number) " " (badge(text(r, "status"))) }
                    ul {
                        @for item in r["items"].as_array().into_iter().flatten() {
                            li {
                                (item["quantity"]) " × " (line_title(doc, text(item, "item_id")))
                                @if let Some(reason) = item["reason"]["label"].as_str() { " (" (reason) ")" }
                                " — received " (item["received_quantity"]) ", damaged " (item["damaged_quantity"])
                            }
                        }
                    }
                    @if matches!(text(r, "status"), "requested" | "partially_received") && sales.open.is_none() {
                        (receive_form(doc, r, ui, id, &number))
                    }
                }
            }
        }
    }
}

/// The title of the order line `line` (a return item's `item_id`).
fn line_title(doc: &Value, line: &str) -> String {
    doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"].as_str() == Some(line))
        .map_or_else(|| line.to_string(), |i| text(i, "title").to_string())
}

fn receive_form(doc: &Value, r: &Value, ui: &Ui, id: &str, number: &str) -> Markup {
    let rid = text(r, "id");
    html! {
        form method="post" action={ "/app/orders/" (id) "/returns/" (rid) "/receive" } {
            (layout::csrf(ui))
            @for item in r["items"].as_array().into_iter().flatten() {
                @let line = text(item, "item_id");
                @let left = item["quantity"].as_i64().unwrap_or(0)
                    - item["received_quantity"].as_i64().unwrap_or(0)
                    - item["damaged_quantity"].as_i64().unwrap_or(0);
                div class="filters" {
                    div {
                        label for={ "received_" (rid) "_" (line) } { "Return " (number) ": received in good condition of " (line_title(doc, line)) }
                        input id={ "received_" (rid) "_" (line) } name={ "received_" (line) } type="number" min="0" value=(left);
                    }
                    div {
                        label for={ "damaged_" (rid) "_" (line) } { "Return " (number) ": received damaged of " (line_title(doc, line)) }
                        input id={ "damaged_" (rid) "_" (line) } name={ "damaged_" (line) } type="number" min="0" value="0";
                    }
                }
            }
            button type="submit" { "Receive return " (number) }
        }
    }
}

fn options(list: &[(String, String)], none: Option<&str>) -> Markup {
    html! {
        @if let Some(none) = none { option value="" { (none) } }
        @for (value, label) in list { option value=(value) { (label) } }
    }
}

/// One quantity field per order line, named `<prefix><line id>`.
fn line_quantities(doc: &Value, prefix: &str, label: &str) -> Markup {
    html! {
        @for item in doc["items"].as_array().into_iter().flatten() {
            @let line = text(item, "id");
            div class="field" {
                label for={ (prefix) (line) } { (label) " " (text(item, "title")) }
                input id={ (prefix) (line) } name={ (prefix) (line) } type="number" min="0" value="0";
            }
        }
    }
}

fn return_form(doc: &Value, sales: &AfterSales, ui: &Ui, id: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="return-new-h" {
            h2 id="return-new-h" { "Request a return" }
            form method="post" action={ "/app/orders/" (id) "/returns" } {
                (layout::csrf(ui))
                (line_quantities(doc, "return_", "Quantity to return of"))
                div class="filters" {
                    div {
                        label for="return-reason" { "Return reason" }
                        select id="return-reason" name="reason_id" { (options(&sales.reasons, Some("No reason"))) }
                    }
                    div {
                        label for="return-location" { "Return location" }
                        select id="return-location" name="location_id" { (options(&sales.locations, None)) }
                    }
                    div {
                        label for="return-shipping" { "Return shipping" }
                        select id="return-shipping" name="shipping_option_id" { (options(&sales.return_options, Some("No return shipping"))) }
                    }
                    div {
                        label for="return-note" { "Return note" }
                        input id="return-note" name="note";
                    }
                }
                button type="submit" { "Request return" }
            }
        }
    }
}

fn exchange_form<const CLAIM: bool>(doc: &Value, sales: &AfterSales, ui: &Ui, id: &str) -> Markup {
    let (word, path) = if CLAIM {
        ("claim", "claims")
    } else {
        ("exchange", "exchanges")
    };
    let title = if CLAIM { "Claim" } else { "Exchange" };
    let claim_reasons: Vec<(String, String)> = CLAIM_REASONS
        .iter()
        .map(|r| ((*r).to_string(), r.replace('_', " ")))
        .collect();
    html! {
        section class="card" aria-labelledby={ (word) "-new-h" } {
            h2 id={ (word) "-new-h" } { "Create " (if CLAIM { "a claim" } else { "an exchange" }) }
            form method="post" action={ "/app/orders/" (id) "/" (path) } {
                (layout::csrf(ui))
                (line_quantities(doc, &format!("{word}_in_"), if CLAIM { "Claimed quantity of" } else { "Quantity sent back of" }))
                div class="filters" {
                    @if CLAIM {
                        div {
                            label for="claim-type" { "Claim type" }
                            select id="claim-type" name="type" {
                                option value="replace" { "Replace the items" }
                                option value="refund" { "Refund the items" }
                            }
                        }
                        div {
                            label for="claim-reason" { "Claim reason" }
                            select id="claim-reason" name="reason" { (options(&claim_reasons, None)) }
                        }
                    } @else {
                        div {
                            label for="exchange-reason" { "Exchange reason" }
                            select id="exchange-reason" name="reason_id" { (options(&sales.reasons, Some("No reason"))) }
                        }
                    }
                    div {
                        label for={ (word) "-return-shipping" } { (title) " return shipping" }
                        select id={ (word) "-return-shipping" } name="return_shipping_option_id" { (options(&sales.return_options, Some("No return shipping"))) }
                    }
                    div {
                        label for={ (word) "-shipping" } { (title) " outbound shipping" }
                        select id={ (word) "-shipping" } name="shipping_option_id" { (options(&sales.outbound_options, Some("No outbound shipping"))) }
                    }
                }
                fieldset {
                    legend { "New items to send" }
                    @for row in 1..=NEW_ROWS {
                        @let suffix = if row == 1 { String::new() } else { format!("_{row}") };
                        div class="filters" {
                            div {
                                label for={ (word) "-sku" (suffix) } { (title) " new item " (row) " SKU or barcode" }
                                input id={ (word) "-sku" (suffix) } name={ "sku" (suffix) };
                            }
                            div {
                                label for={ (word) "-quantity" (suffix) } { (title) " new item " (row) " quantity" }
                                input id={ (word) "-quantity" (suffix) } name={ "quantity" (suffix) } type="number" min="1" value="1";
                            }
                        }
                    }
                }
                button type="submit" class="secondary" { "Create " (word) }
            }
        }
    }
}
