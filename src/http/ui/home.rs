//! `/app`: the home page — today's orders and their revenue per currency, the latest orders
//! still waiting for fulfillment, and low-stock inventory levels.

use super::view::amount;
use super::{Ui, layout, orders, respond, ui_route};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::admin::order_json::{ListSummary, list_summary};
use crate::http::store::checkout_json::order_lines;
use crate::http::{Request, Response, Route};
use crate::modules::inventory::low_stock::{self, LowLevel};
use crate::modules::order::Order;
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use maud::{Markup, html};
use std::collections::BTreeMap;

/// Orders of today whose totals are added up (a busier day shows "at least").
const TODAY_SCAN: u64 = 500;
/// Recent open orders looked at for the "to fulfill" list.
const OPEN_SCAN: u64 = 25;
/// Available units at or under which a level counts as low.
pub const LOW_STOCK: i64 = 5;

/// The home route.
pub fn routes() -> Vec<Route> {
    vec![ui_route("GET", "/app", "Admin UI home", home)]
}

struct Today {
    count: u64,
    revenue: BTreeMap<String, i64>,
    partial: bool,
}

fn home(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let now = engine.ctx().now();
    let midnight = format!("{}T00:00:00.000Z", now.get(..10).unwrap_or("1970-01-01"));
    let (today, open, low) = engine.store().read(|conn| {
        let filter = OrderFilter {
            created_at: vec![("$gte".into(), midnight.clone())],
            ..OrderFilter::default()
        };
        let (orders, count) = order_admin::list(conn, &filter, 0, TODAY_SCAN)?;
        let mut revenue = BTreeMap::new();
        for o in orders.iter().filter(|o| o.status != "canceled") {
            // Only the total: the order's lines, not its payments and fulfillments.
            let total = order_lines(conn, &o.id)?.totals.total();
            *revenue.entry(o.currency_code.clone()).or_insert(0) += total;
        }
        let today = Today {
            count,
            revenue,
            partial: count > TODAY_SCAN,
        };
        let pending = OrderFilter {
            statuses: vec!["pending".into()],
            ..OrderFilter::default()
        };
        let (recent, _) = order_admin::list(conn, &pending, 0, OPEN_SCAN)?;
        let mut open = Vec::new();
        for o in recent {
            let summary = list_summary(conn, &o)?;
            let status = summary.fulfillment_status.as_str();
            if matches!(status, "not_fulfilled" | "partially_fulfilled") {
                open.push((o, summary));
            }
            if open.len() == 10 {
                break;
            }
        }
        let low = low_stock::low_stock(conn, LOW_STOCK, 10)?;
        Ok((today, open, low))
    })?;
    let body = html! {
        div class="stats" {
            div class="card stat" { "Orders today" strong { (today.count) } }
            div class="card stat" {
                "Revenue today" @if today.partial { " (first " (TODAY_SCAN) " orders)" }
                @if today.revenue.is_empty() { strong { "0" } }
                @for (currency, total) in &today.revenue { strong { (amount(*total, currency)) } }
            }
        }
        (open_orders(&open))
        (low_levels(&low))
    };
    Ok(respond::html_page(
        200,
        layout::page(engine, ui, "Home", "/app", body),
    ))
}

fn open_orders(rows: &[(Order, ListSummary)]) -> Markup {
    html! {
        section class="card" aria-labelledby="open-h" {
            h2 id="open-h" { "Orders to fulfill" }
            @if rows.is_empty() { p class="muted" { "Every recent order is fulfilled." } }
            @else { (orders::table(rows, true)) }
        }
    }
}

fn low_levels(levels: &[LowLevel]) -> Markup {
    html! {
        section class="card" aria-labelledby="low-h" {
            h2 id="low-h" { "Low stock" }
            @if levels.is_empty() { p class="muted" { "Nothing is at or under " (LOW_STOCK) " units." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Item" } th scope="col" { "SKU" } th scope="col" class="num" { "Available" } } }
                    tbody {
                        @for l in levels {
                            tr {
                                td { a href={ "/app/inventory/" (l.item_id) } { (l.title.as_deref().unwrap_or(&l.item_id)) } }
                                td { (l.sku.as_deref().unwrap_or("")) }
                                td class="num" { (l.available) }
                            }
                        }
                    }
                }
            }
        }
    }
}
