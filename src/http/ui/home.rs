//! `/app`: the home page — today's order count, the money per day (today and the 7 days
//! before, per currency: payments made less refunds, `payment::daily`, two index ranges),
//! the week's latest orders still waiting for fulfillment, and low-stock inventory levels.

use super::view::amount;
use super::{Ui, layout, orders, respond, ui_route};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::admin::order_json::{ListSummary, list_summary};
use crate::http::{Request, Response, Route};
use crate::modules::inventory::low_stock::{self, LowLevel};
use crate::modules::order::Order;
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use crate::modules::payment::daily::{self, DayTotal};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use std::collections::BTreeMap;

/// Days before today the revenue table shows.
pub const PAST_DAYS: u32 = 7;
/// Recent open orders (placed today or in the [`PAST_DAYS`] before) looked at for the "to
/// fulfill" list.
const OPEN_SCAN: u64 = 25;
/// Available units at or under which a level counts as low (the inventory module's, which
/// its low-stock index is built for).
pub const LOW_STOCK: i64 = low_stock::THRESHOLD;

/// The home route.
pub fn routes() -> Vec<Route> {
    vec![ui_route("GET", "/app", "Admin UI home", home)]
}

/// `YYYY-MM-DD` of today and the [`PAST_DAYS`] days before it, today first.
fn days(now: &str) -> Vec<String> {
    let parsed = now.get(..10).and_then(|d| {
        let mut parts = d.split('-').map(|p| p.parse::<u32>().ok());
        let (y, m, day) = (parts.next()??, parts.next()??, parts.next()??);
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, day)
    });
    let Some(mut day) = parsed else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for _ in 0..=PAST_DAYS {
        out.push(format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            day.month(),
            day.day()
        ));
        match day.pred_opt() {
            Some(previous) => day = previous,
            None => break,
        }
    }
    out
}

fn home(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let now = engine.ctx().now();
    let days = days(&now);
    let midnight = format!("{}T00:00:00.000Z", now.get(..10).unwrap_or("1970-01-01"));
    let (today_count, money, open, low) = engine.store().read(|conn| {
        let filter = OrderFilter {
            created_at: vec![("$gte".into(), midnight.clone())],
            ..OrderFilter::default()
        };
        let (_, today_count) = order_admin::list(conn, &filter, 0, 1)?;
        let since = days.last().cloned().unwrap_or_default();
        let money = daily::per_day(conn, &since)?;
        // The week's pending orders only: the list query also counts what matches, and a
        // count of every pending order of the store's history is a scan (≈ 20 ms at 100k).
        let pending = OrderFilter {
            statuses: vec!["pending".into()],
            created_at: vec![("$gte".into(), format!("{since}T00:00:00.000Z"))],
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
        let low = low_stock::low_stock(conn, 10)?;
        Ok((today_count, money, open, low))
    })?;
    let today = days.first().map(String::as_str).unwrap_or("");
    let body = html! {
        div class="stats" {
            div class="card stat" { "Orders today" strong { (today_count) } }
            div class="card stat" {
                "Revenue today"
                @let todays: Vec<_> = money.iter().filter(|((d, _), _)| d == today).collect();
                @if todays.is_empty() { strong { "0" } }
                @for ((_, currency), total) in todays { strong { (amount(total.net(), currency)) } }
            }
        }
        (revenue(&days, &money))
        (open_orders(&open))
        (low_levels(&low))
    };
    Ok(respond::html_page(
        200,
        layout::page(engine, ui, "Home", "/app", body),
    ))
}

/// The money of each day, per currency: payments made, refunds, and the difference.
fn revenue(days: &[String], money: &BTreeMap<(String, String), DayTotal>) -> Markup {
    html! {
        section class="card" aria-labelledby="revenue-h" {
            h2 id="revenue-h" { "Revenue by day" }
            p class="muted" { "Payments made each day (a checkout's payment is its order's total), less the day's refunds." }
            table {
                thead { tr {
                    th scope="col" { "Day" } th scope="col" class="num" { "Payments" }
                    th scope="col" class="num" { "Refunds" } th scope="col" class="num" { "Revenue" }
                } }
                tbody {
                    @for day in days {
                        @let rows: Vec<_> = money.iter().filter(|((d, _), _)| d == day).collect();
                        @if rows.is_empty() {
                            tr { th scope="row" { (day) } td class="num" { "0" } td class="num" { "0" } td class="num" { "0" } }
                        }
                        @for ((_, currency), total) in rows {
                            tr {
                                th scope="row" { (day) }
                                td class="num" { (amount(total.sales, currency)) }
                                td class="num" { (amount(total.refunds, currency)) }
                                td class="num" { (amount(total.net(), currency)) }
                            }
                        }
                    }
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revenue_days_go_back_across_months() {
        let days = days("2024-03-02T10:00:00.000Z");
        assert_eq!(days.len(), 8);
        assert_eq!(&days[..3], ["2024-03-02", "2024-03-01", "2024-02-29"]);
        assert_eq!(days[7], "2024-02-24");
        assert!(super::days("garbage").is_empty());
    }
}
