//! Receipts: `GET /pos/receipts/:order_id` — the printable 80 mm receipt (print CSS: the
//! browser's print dialog prints the receipt alone), its plain-text version with
//! `Accept: text/plain` or a `.txt` suffix, and the same page is the reprint (any sale of the
//! store, by its order id; `/pos/receipts/by-number/:receipt` finds it by receipt number).
//! The receipt number is the register's prefix and the order's display id (`T1-000042`).

use super::{amount, layout, pos_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::checkout::refresh;
use crate::flows::pos::receipt_email;
use crate::http::ui::layout::csrf;
use crate::http::ui::{Ui, respond};
use crate::http::validate::is_email;
use crate::http::{Access, Body, Request, Response, Route};
use crate::modules::notification::Notification;
use crate::modules::order::{self, LineItem, Order};
use crate::modules::pos::sales::{self, Sale, Tender};
use crate::modules::{pos, store};
use maud::{Markup, html};
use serde_json::json;
use std::fmt::Write as _;

/// The receipt routes.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route(
            "GET",
            "/pos/receipts/:order_id",
            "Till: receipt (HTML or text)",
            show,
        ),
        pos_route(
            "GET",
            "/pos/receipts/by-number/:receipt",
            "Till: receipt by receipt number",
            |engine, request, _| {
                let number = request.param("receipt").trim().to_ascii_uppercase();
                let found = engine
                    .store()
                    .read(move |c| sales::by_receipt(c, &number))?;
                let sale =
                    found.ok_or_else(|| Error::not_found("Receipt", request.param("receipt")))?;
                Ok(respond::redirect(&format!(
                    "/pos/receipts/{}",
                    sale.order_id
                )))
            },
        ),
        pos_route(
            "POST",
            "/pos/receipts/:order_id/email",
            "Till: email the receipt",
            email_from_till,
        ),
        Route::new(
            "POST",
            "/admin/pos/receipts/:order_id/email",
            Access::Admin,
            "Email a till receipt (once per order and address)",
            |engine, request| {
                let body = request.json()?;
                let to = body["email"].as_str().unwrap_or("");
                let sent = email(engine, request.param("order_id"), to)?;
                Ok(Response::json(json!({ "notification": sent })))
            },
        ),
    ]
}

/// Sends the receipt of `order_id` to `to` through the notification module.
///
/// # Errors
/// 400 for a bad address; 404 for an order not sold at a till; the provider's refusal.
pub fn email(engine: &Engine, order_id: &str, to: &str) -> Result<Notification> {
    if !is_email(to.trim()) {
        return Err(Error::invalid(format!(
            "\"{}\" is not an email address",
            to.trim()
        )));
    }
    let receipt = load(engine, order_id)?;
    let data = json!({
        "receipt_number": receipt.sale.receipt_number, "store_name": receipt.store_name,
        "text": plain(&receipt), "total": receipt.sale.total,
        "currency_code": receipt.sale.currency_code,
    });
    receipt_email::send(engine, order_id, to, data)
}

fn email_from_till(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("order_id");
    let to = ui.form.get("email").unwrap_or("");
    match email(engine, id, to) {
        Ok(_) => Ok(respond::redirect(&format!(
            "/pos/receipts/{id}?done=emailed"
        ))),
        Err(e) if e.status() < 500 && e.status() != 404 => {
            render(engine, id, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}

/// Everything a receipt prints.
pub struct Receipt {
    /// The store's name.
    pub store_name: String,
    /// The register's name.
    pub register_name: String,
    /// The order.
    pub order: Order,
    /// Its lines.
    pub items: Vec<LineItem>,
    /// The sale's figures.
    pub sale: Sale,
    /// Its tenders.
    pub tenders: Vec<Tender>,
}

/// The receipt of an order sold at a till.
///
/// # Errors
/// 404 when the order was not sold at a till.
pub fn load(engine: &Engine, order_id: &str) -> Result<Receipt> {
    let id = order_id.to_string();
    engine.store().read(move |c| {
        let sale = sales::of_order(c, &id)?.ok_or_else(|| Error::not_found("Receipt", &id))?;
        let register = pos::retrieve_register(c, &sale.register_id)?;
        Ok(Receipt {
            store_name: store::default_store(c)?.map(|s| s.name).unwrap_or_default(),
            register_name: register.name,
            order: order::retrieve(c, &id)?,
            items: order::items::items_of(c, &id)?,
            tenders: sales::tenders_of(c, &sale.id)?,
            sale,
        })
    })
}

fn line_total(item: &LineItem) -> i64 {
    refresh::item_line(item).totals().map_or(0, |t| t.total)
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let raw = request.param("order_id");
    let (id, text) = match raw.strip_suffix(".txt") {
        Some(id) => (id, true),
        None => (
            raw,
            request
                .header("accept")
                .is_some_and(|a| a.contains("text/plain") && !a.contains("text/html")),
        ),
    };
    if !text {
        return render(engine, id, ui, 200);
    }
    let receipt = load(engine, id)?;
    let response = Response {
        status: 200,
        body: Body::Bytes {
            content_type: "text/plain; charset=utf-8".into(),
            data: plain(&receipt).into_bytes(),
        },
        headers: vec![("Cache-Control".into(), "no-store".into())],
    };
    Ok(respond::secure(response))
}

fn render(engine: &Engine, order_id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let receipt = load(engine, order_id)?;
    let suggested = match ui.form.get("email") {
        Some(typed) => Some(typed.to_string()),
        None => receipt_email::suggested_address(engine, order_id)?,
    };
    let markup = layout::page(
        ui,
        &format!("Receipt {}", receipt.sale.receipt_number),
        None,
        html! {
            (html(&receipt))
            form class="no-print" method="post" action={"/pos/receipts/" (receipt.order.id) "/email"} {
                (csrf(ui))
                div class="field" {
                    label for="receipt_email" { "Email address" }
                    input id="receipt_email" name="email" type="email" required value=(suggested.unwrap_or_default());
                }
                button type="submit" class="secondary" { "Email receipt" }
            }
        },
    );
    Ok(respond::html_page(status, markup))
}

fn tender_name(kind: &str) -> &str {
    if kind == "card" { "Card" } else { "Cash" }
}

fn html(r: &Receipt) -> Markup {
    let cur = &r.sale.currency_code;
    html! {
        p class="no-print pos-bar" {
            a href={"/pos/receipts/" (r.order.id) ".txt"} { "Plain text" }
            a href="/pos" { "Back to the till" }
            " Print with the browser's print dialog (80 mm paper)."
        }
        article class="receipt" {
            h1 { (r.store_name) }
            p class="center" { (r.register_name) br; "Receipt " strong { (r.sale.receipt_number) } br; (r.sale.created_at) }
            hr;
            table {
                @for item in &r.items {
                    tr { td colspan="2" { (item.title) @if let Some(v) = &item.variant_title { " " (v) } } }
                    tr { td { (item.quantity) " × " (amount(item.unit_price, cur)) } td class="num" { (amount(line_total(item), cur)) } }
                }
            }
            hr;
            table {
                tr { td { "Subtotal" } td class="num" { (amount(r.sale.subtotal, cur)) } }
                @if r.sale.manual_discount_total > 0 { tr { td { "Manual discounts" } td class="num" { "-" (amount(r.sale.manual_discount_total, cur)) } } }
                @if r.sale.discount_total > 0 { tr { td { "Promotions" } td class="num" { "-" (amount(r.sale.discount_total, cur)) } } }
                tr { td { "Tax" } td class="num" { (amount(r.sale.tax_total, cur)) } }
                tr { td { strong { "Total " (cur.to_uppercase()) } } td class="num" { strong { (amount(r.sale.total, cur)) } } }
                @if r.sale.cash_rounding != 0 { tr { td { "Cash rounding" } td class="num" { (amount(-r.sale.cash_rounding, cur)) } } }
                @for t in &r.tenders {
                    tr { td { (tender_name(&t.kind)) @if let Some(reference) = &t.reference { " " (reference) } } td class="num" { (amount(t.tendered, cur)) } }
                    @if t.change_given > 0 { tr { td { "Change" } td class="num" { (amount(t.change_given, cur)) } } }
                }
            }
            hr;
            p class="center" { "Thank you!" }
        }
    }
}

/// The plain-text receipt: 42 columns (a common 80 mm printer width).
pub fn plain(r: &Receipt) -> String {
    const WIDTH: usize = 42;
    let cur = &r.sale.currency_code;
    let mut out = String::new();
    let row = |out: &mut String, left: &str, right: &str| {
        let space = WIDTH
            .saturating_sub(left.chars().count() + right.chars().count())
            .max(1);
        let _ = writeln!(out, "{left}{}{right}", " ".repeat(space));
    };
    let _ = writeln!(out, "{}", r.store_name);
    let _ = writeln!(out, "{}", r.register_name);
    let _ = writeln!(out, "Receipt {}", r.sale.receipt_number);
    let _ = writeln!(out, "{}", r.sale.created_at);
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    for item in &r.items {
        let title = match &item.variant_title {
            Some(v) => format!("{} {v}", item.title),
            None => item.title.clone(),
        };
        let _ = writeln!(out, "{title}");
        row(
            &mut out,
            &format!("  {} x {}", item.quantity, amount(item.unit_price, cur)),
            &amount(line_total(item), cur),
        );
    }
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    row(&mut out, "Subtotal", &amount(r.sale.subtotal, cur));
    if r.sale.manual_discount_total > 0 {
        row(
            &mut out,
            "Manual discounts",
            &format!("-{}", amount(r.sale.manual_discount_total, cur)),
        );
    }
    if r.sale.discount_total > 0 {
        row(
            &mut out,
            "Promotions",
            &format!("-{}", amount(r.sale.discount_total, cur)),
        );
    }
    row(&mut out, "Tax", &amount(r.sale.tax_total, cur));
    row(
        &mut out,
        &format!("TOTAL {}", cur.to_uppercase()),
        &amount(r.sale.total, cur),
    );
    if r.sale.cash_rounding != 0 {
        row(
            &mut out,
            "Cash rounding",
            &amount(-r.sale.cash_rounding, cur),
        );
    }
    for t in &r.tenders {
        row(&mut out, tender_name(&t.kind), &amount(t.tendered, cur));
        if t.change_given > 0 {
            row(&mut out, "Change", &amount(t.change_given, cur));
        }
    }
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    let _ = writeln!(out, "Thank you!");
    out
}
