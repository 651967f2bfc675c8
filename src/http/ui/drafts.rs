//! `/app/draft-orders`: draft orders — a phone order staff write for a customer. The list
//! (search by email, newest or oldest first, 50 a page) is the admin order list query with
//! `drafts` set (`modules::order::admin::list`, the same index as the order list); the new
//! draft form is `drafts_new.rs`; a draft's page shows its lines and totals, lets staff
//! change its customer (`drafts_customer.rs`), and runs `convert-draft-order-to-order` or
//! `delete-draft-order`, as `/admin/draft-orders` does.

use super::view::{self, PAGE_SIZE, doc_amount, post_button};
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::drafts;
use crate::http::admin::order_json::{admin_order_json, list_summary};
use crate::http::{Request, Response, Route};
use crate::modules::order;
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use crate::workflow;
use maud::{Markup, html};
use serde_json::{Value, json};

const SORTS: &[&str] = &["newest", "oldest"];

/// The draft order routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/draft-orders", "Admin UI draft orders", list),
        ui_route("GET", "/app/draft-orders/:id", "Admin UI draft order", show),
        ui_route(
            "POST",
            "/app/draft-orders/:id/convert",
            "Convert a draft order to an order",
            convert,
        ),
        ui_route(
            "POST",
            "/app/draft-orders/:id/delete",
            "Delete a draft order",
            delete,
        ),
    ]
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let sort = view::choice(request, "sort", SORTS)?;
    let q = view::search(request);
    let filter = OrderFilter {
        q: q.clone(),
        drafts: true,
        oldest_first: sort.as_deref() == Some("oldest"),
        ..OrderFilter::default()
    };
    let offset = (page - 1) * PAGE_SIZE;
    let (rows, total) = engine.store().read(|conn| {
        let (found, total) = order_admin::list(conn, &filter, offset, PAGE_SIZE)?;
        let rows = found
            .into_iter()
            .map(|o| list_summary(conn, &o).map(|s| (o, s)))
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    })?;
    let body = html! {
        p { a href="/app/draft-orders/new" { "New draft order" } }
        form method="get" action="/app/draft-orders" class="filters" role="search" aria-label="Filter draft orders" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Email" value=(q.as_deref().unwrap_or(""));
            }
            div {
                label for="sort" { "Sort" }
                select id="sort" name="sort" {
                    option value="newest" selected[sort.as_deref() != Some("oldest")] { "Newest first" }
                    option value="oldest" selected[sort.as_deref() == Some("oldest")] { "Oldest first" }
                }
            }
            button type="submit" { "Filter" }
        }
        table {
            caption class="muted" { "Draft orders" }
            thead { tr {
                th scope="col" { "Draft" } th scope="col" { "Date" } th scope="col" { "Customer" }
                th scope="col" class="num" { "Total" }
            } }
            tbody {
                @if rows.is_empty() { tr { td colspan="4" { "No draft orders match." } } }
                @for (o, summary) in &rows {
                    tr {
                        td { a href={ "/app/draft-orders/" (o.id) } { "Draft #" (o.display_id) } }
                        td { (view::when(&o.created_at)) }
                        td { (o.email.as_deref().unwrap_or("")) }
                        td class="num" { (view::amount(summary.total, &o.currency_code)) }
                    }
                }
            }
        }
        (view::pager(request, page, rows.len(), total))
    };
    let markup = layout::page(engine, ui, "Draft orders", "/app/orders", body);
    Ok(respond::html_page(200, markup))
}

/// A draft's admin document; 404 when `id` names no draft.
fn draft(engine: &Engine, id: &str) -> Result<Value> {
    engine.store().read(|conn| {
        let found = order::retrieve(conn, id).map_err(|_| Error::not_found("Draft order", id))?;
        if found.status != "draft" {
            return Err(Error::not_found("Draft order", id));
        }
        admin_order_json(conn, id)
    })
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A draft's page (its lines, totals, customer picker and actions).
///
/// # Errors
/// 404 when `id` names no draft; database failures.
pub fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let doc = draft(engine, id)?;
    let customer = doc
        .get("customer_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let picker = super::drafts_customer::draft_card(engine, ui, id, customer.as_deref())?;
    let currency = text(&doc, "currency_code");
    let body = html! {
        section class="card" aria-labelledby="draft-items-h" {
            h2 id="draft-items-h" { "Items" }
            table {
                thead { tr {
                    th scope="col" { "Item" } th scope="col" { "SKU" }
                    th scope="col" class="num" { "Quantity" } th scope="col" class="num" { "Total" }
                } }
                tbody {
                    @for item in doc["items"].as_array().into_iter().flatten() {
                        tr {
                            td { (text(item, "product_title")) " · " (text(item, "title")) }
                            td { (text(item, "variant_sku")) }
                            td class="num" { (item["quantity"]) }
                            td class="num" { (doc_amount(item, "total", currency)) }
                        }
                    }
                }
            }
            dl class="pairs" {
                dt { "Customer" } dd { (text(&doc, "email")) }
                dt { "Shipping" } dd { (doc_amount(&doc, "shipping_total", currency)) }
                dt { "Tax" } dd { (doc_amount(&doc, "tax_total", currency)) }
                dt { "Total" } dd { strong { (doc_amount(&doc, "total", currency)) } }
            }
        }
        (picker)
        (actions(ui, id))
    };
    let title = format!("Draft order #{}", doc["display_id"]);
    let markup = layout::page(engine, ui, &title, "/app/orders", body);
    Ok(respond::html_page(status, markup))
}

fn actions(ui: &Ui, id: &str) -> Markup {
    html! {
        section class="card" aria-labelledby="draft-actions-h" {
            h2 id="draft-actions-h" { "Actions" }
            p class="muted" { "Converting places the order: its stock is reserved and the customer is linked." }
            div class="actions" {
                (post_button(ui, &format!("/app/draft-orders/{id}/convert"), "Convert to order", ""))
                (post_button(ui, &format!("/app/draft-orders/{id}/delete"), "Delete draft order", "danger"))
            }
        }
    }
}

fn settle(engine: &Engine, ui: &Ui, id: &str, name: &str, to: &str) -> Result<Response> {
    draft(engine, id)?;
    match workflow::run(engine, name, json!({ "order_id": id }), None) {
        Ok(_) => Ok(respond::redirect(to)),
        Err(err) if err.status() < 500 => {
            render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn convert(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let to = format!("/app/orders/{id}?done=converted");
    settle(engine, ui, id, drafts::CONVERT, &to)
}

fn delete(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    settle(
        engine,
        ui,
        id,
        drafts::DELETE,
        "/app/draft-orders?done=deleted",
    )
}

/// The link to the drafts from the order list.
pub fn link() -> Markup {
    html! { p { a href="/app/draft-orders" { "Draft orders" } " · " a href="/app/draft-orders/new" { "New draft order" } } }
}
