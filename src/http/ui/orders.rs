//! `/app/orders`: the order list — search by order number (exact, indexed) or email, status filter, newest or
//! oldest first, 50 rows a page — through the admin list query
//! (`modules::order::admin::list`, the `order_live_created` index) and the admin order
//! document for each row's payment and fulfillment status and total.

use super::view::{self, PAGE_SIZE, badge, doc_amount};
use super::{Ui, layout, respond::html_page, ui_route, widgets};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::admin::order_json::admin_order_json;
use crate::http::{Request, Response, Route};
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use maud::{Markup, html};
use serde_json::Value;

/// Order statuses the filter offers.
pub const STATUSES: &[&str] = &[
    "pending",
    "completed",
    "draft",
    "archived",
    "canceled",
    "requires_action",
];

const SORTS: &[&str] = &["newest", "oldest"];

/// The order list route.
pub fn routes() -> Vec<Route> {
    vec![ui_route("GET", "/app/orders", "Admin UI order list", list)]
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let status = view::choice(request, "status", STATUSES)?;
    let sort = view::choice(request, "sort", SORTS)?;
    let q = view::search(request);
    // An order number (`42` or `#42`) is looked up by its unique index; anything else
    // searches the emails.
    let display_id = q
        .as_deref()
        .and_then(|q| q.trim_start_matches('#').parse::<i64>().ok());
    let filter = OrderFilter {
        statuses: status.iter().cloned().collect(),
        q: if display_id.is_some() {
            None
        } else {
            q.clone()
        },
        display_id,
        oldest_first: sort.as_deref() == Some("oldest"),
        ..OrderFilter::default()
    };
    let offset = (page - 1) * PAGE_SIZE;
    let (docs, total) = engine.store().read(|conn| {
        let (orders, total) = order_admin::list(conn, &filter, offset, PAGE_SIZE)?;
        let docs = orders
            .iter()
            .map(|o| admin_order_json(conn, &o.id))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, total))
    })?;
    let body = html! {
        (widgets::zone(engine, "order.list.before", ""))
        (filters(q.as_deref(), status.as_deref(), sort.as_deref()))
        (table(&docs))
        (view::pager(request, page, docs.len(), total))
        (widgets::zone(engine, "order.list.after", ""))
    };
    Ok(html_page(
        200,
        layout::page(engine, ui, "Orders", "/app/orders", body),
    ))
}

fn filters(q: Option<&str>, status: Option<&str>, sort: Option<&str>) -> Markup {
    html! {
        form method="get" action="/app/orders" class="filters" role="search" aria-label="Filter orders" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Order number or email" value=(q.unwrap_or(""));
            }
            div {
                label for="status" { "Status" }
                select id="status" name="status" {
                    option value="" { "Any status" }
                    @for s in STATUSES {
                        option value=(s) selected[status == Some(*s)] { (s.replace('_', " ")) }
                    }
                }
            }
            div {
                label for="sort" { "Sort" }
                select id="sort" name="sort" {
                    option value="newest" selected[sort != Some("oldest")] { "Newest first" }
                    option value="oldest" selected[sort == Some("oldest")] { "Oldest first" }
                }
            }
            button type="submit" { "Filter" }
        }
    }
}

fn text<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc.get(key).and_then(Value::as_str).unwrap_or("")
}

fn table(docs: &[Value]) -> Markup {
    html! {
        table {
            caption class="muted" { "Orders" }
            thead {
                tr {
                    th scope="col" { "Order" }
                    th scope="col" { "Date" }
                    th scope="col" { "Customer" }
                    th scope="col" { "Status" }
                    th scope="col" { "Payment" }
                    th scope="col" { "Fulfillment" }
                    th scope="col" class="num" { "Total" }
                }
            }
            tbody {
                @if docs.is_empty() {
                    tr { td colspan="7" { "No orders match." } }
                }
                @for doc in docs {
                    @let id = text(doc, "id");
                    @let currency = text(doc, "currency_code");
                    tr {
                        td { a href={ "/app/orders/" (id) } { "#" (doc["display_id"]) } }
                        td { (view::when(text(doc, "created_at"))) }
                        td { (text(doc, "email")) }
                        td { (badge(text(doc, "status"))) }
                        td { (badge(text(doc, "payment_status"))) }
                        td { (badge(text(doc, "fulfillment_status"))) }
                        td class="num" { (doc_amount(doc, "total", currency)) }
                    }
                }
            }
        }
    }
}
