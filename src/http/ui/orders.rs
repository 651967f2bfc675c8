//! `/app/orders`: the order list — search by order number (exact, indexed) or else Medusa's `q`
//! (email, names, display ids), status filter, newest or
//! oldest first, 50 rows a page — through the admin list query
//! (`modules::order::listing`: an index walk, trigger-kept counts, the `order_search` index for `q`) and each row's
//! `order_json::list_summary` (total, payment and fulfillment status, derived as in the admin
//! order document without building it).

use super::view::{self, PAGE_SIZE, badge};
use super::{Ui, layout, respond::html_page, ui_route, widgets};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::admin::order_json::{ListSummary, list_summary};
use crate::http::{Request, Response, Route};
use crate::modules::order::Order;
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use maud::{Markup, html};

/// Order statuses the filter offers. Not `draft`: draft orders are never in this list (the
/// admin order list leaves them out), so the choice could only ever match nothing.
pub const STATUSES: &[&str] = &[
    "pending",
    "completed",
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
    let (rows, total) = engine.store().read(|conn| {
        let (orders, total) = order_admin::list(conn, &filter, offset, PAGE_SIZE)?;
        let rows = orders
            .into_iter()
            .map(|o| list_summary(conn, &o).map(|s| (o, s)))
            .collect::<Result<Vec<_>>>()?;
        Ok((rows, total))
    })?;
    let body = html! {
        (widgets::zone(engine, "order.list.before", ""))
        (super::drafts::link())
        (filters(q.as_deref(), status.as_deref(), sort.as_deref()))
        (table(&rows, true))
        (view::pager(request, page, rows.len(), total))
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
                input id="q" name="q" type="search" placeholder="Order number, email or name" value=(q.unwrap_or(""));
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

/// The order table: one order and its summary per row; `with_customer` adds the customer's
/// email (left out on a customer's own page, where it says nothing and makes the table too
/// wide for its card).
pub fn table(rows: &[(Order, ListSummary)], with_customer: bool) -> Markup {
    let columns = if with_customer { 7 } else { 6 };
    html! {
        table {
            caption class="muted" { "Orders" }
            thead {
                tr {
                    th scope="col" { "Order" }
                    th scope="col" { "Date" }
                    @if with_customer { th scope="col" { "Customer" } }
                    th scope="col" { "Status" }
                    th scope="col" { "Payment" }
                    th scope="col" { "Fulfillment" }
                    th scope="col" class="num" { "Total" }
                }
            }
            tbody {
                @if rows.is_empty() {
                    tr { td colspan=(columns) { "No orders match." } }
                }
                @for (order, summary) in rows {
                    tr {
                        td { a href={ "/app/orders/" (order.id) } { "#" (order.display_id) } }
                        td { (view::when(&order.created_at)) }
                        @if with_customer { td { (order.email.as_deref().unwrap_or("")) } }
                        td { (badge(&order.status)) }
                        td { (badge(&summary.payment_status)) }
                        td { (badge(&summary.fulfillment_status)) }
                        td class="num" { (view::amount(summary.total, &order.currency_code)) }
                    }
                }
            }
        }
    }
}
