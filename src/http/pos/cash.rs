//! The drawer: `/pos/till/:code/cash` (pay-in / pay-out with a reason, the X-report of the
//! open session, closing with the counted cash — a total, or pieces per denomination — and
//! the register's past sessions) and `/pos/sessions/:id/report` (X-report while open,
//! Z-report once closed: expected vs counted, over / short).

use super::till::{region_currency, register_of};
use super::{layout, parse_amount, pos_route, price};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::pos::types::{CASH_MOVEMENT, CLOSE_SESSION, CashMovement, CloseSession};
use crate::http::ui::layout::csrf;
use crate::http::ui::{Ui, respond};
use crate::http::{Request, Response, Route};
use crate::modules::pos::report::{self, Report};
use crate::modules::pos::sessions::{self, Session};
use crate::modules::pos::{self, Register};
use maud::{Markup, html};
use serde_json::{Map, json};

/// Denominations offered on the closing form (minor units), for two-decimal currencies.
const DENOMINATIONS: &[i64] = &[10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1];

/// The cash routes.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route(
            "GET",
            "/pos/till/:code/cash",
            "Till: cash drawer",
            |e, r, ui| show(e, r, ui, 200),
        ),
        pos_route(
            "POST",
            "/pos/till/:code/cash/movement",
            "Till: pay-in or pay-out",
            movement,
        ),
        pos_route(
            "POST",
            "/pos/till/:code/cash/close",
            "Till: close the session",
            close,
        ),
        pos_route(
            "GET",
            "/pos/sessions/:id/report",
            "Till: X- or Z-report",
            report_page,
        ),
    ]
}

fn show(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let id = register.id.clone();
    let (open, past, report) = engine.store().read(move |c| {
        let open = sessions::current(c, &id)?;
        let report = match &open {
            Some(s) => Some(report::of_session(c, &s.id, s.opening_float)?),
            None => None,
        };
        Ok((open, sessions::list(c, &id, 20)?, report))
    })?;
    let base = format!("/pos/till/{}/cash", register.code);
    let body = html! {
        @match (&open, &report) {
            (Some(s), Some(r)) => {
                h2 { "Pay in / pay out" }
                form method="post" action={(base) "/movement"} {
                    (csrf(ui))
                    label for="kind" { "Movement" }
                    select id="kind" name="kind" { option value="pay_in" { "Pay in" } option value="pay_out" { "Pay out" } }
                    label for="amount" { "Amount" }
                    input id="amount" name="amount" inputmode="decimal" required;
                    label for="reason" { "Reason" }
                    input id="reason" name="reason" required;
                    button type="submit" { "Record" }
                }
                h2 { "X-report" }
                (report_table(r, &currency))
                h2 { "Close the session" }
                form method="post" action={(base) "/close"} {
                    (csrf(ui))
                    div class="field" {
                        label for="counted" { "Counted cash (total)" }
                        input id="counted" name="counted" inputmode="decimal";
                    }
                    details {
                        summary { "Or count by denomination" }
                        @for d in DENOMINATIONS {
                            div class="field" {
                                label for={"d-" (d)} { (price(*d, &currency)) }
                                input id={"d-" (d)} name={"d_" (d)} type="number" min="0";
                            }
                        }
                    }
                    input type="hidden" name="session_id" value=(s.id);
                    button type="submit" { "Close session and print Z-report" }
                }
            }
            _ => p { "No session is open. " a href={"/pos/till/" (register.code)} { "Open one on the till" } "." },
        }
        h2 { "Sessions" }
        table {
            thead { tr { th { "Opened" } th { "Status" } th { "Report" } } }
            tbody {
                @for s in &past {
                    tr {
                        td { (s.opened_at) }
                        td { (s.status) }
                        td { a href={"/pos/sessions/" (s.id) "/report"} { @if s.status == "open" { "X-report" } @else { "Z-report" } } }
                    }
                }
            }
        }
    };
    let markup = layout::page(ui, "Cash", Some(&register), body);
    Ok(respond::html_page(status, markup))
}

/// A report as a table.
pub fn report_table(r: &Report, currency: &str) -> Markup {
    let money = |v: i64| price(v, currency);
    html! {
        table class="report" {
            tbody {
                tr { th { "Sales" } td class="num" { (r.sales_count) } }
                tr { th { "Items before discounts" } td class="num" { (money(r.subtotal)) } }
                tr { th { "Promotion discounts" } td class="num" { (money(r.discount_total)) } }
                tr { th { "Manual discounts" } td class="num" { (money(r.manual_discount_total)) } }
                tr { th { "Tax" } td class="num" { (money(r.tax_total)) } }
                tr { th { "Sales total" } td class="num" { strong { (money(r.sales_total)) } } }
                tr { th { "Cash rounding" } td class="num" { (money(r.cash_rounding)) } }
                @for (kind, t) in &r.tenders {
                    tr { th { "Tender: " (kind) " (" (t.count) ")" } td class="num" { (money(t.amount)) } }
                }
                tr { th { "Returns (" (r.returns_count) ")" } td class="num" { (money(r.returns_total)) } }
                tr { th { "Cash refunds" } td class="num" { (money(r.cash_refunds)) } }
                tr { th { "Pay-ins" } td class="num" { (money(r.pay_ins)) } }
                tr { th { "Pay-outs" } td class="num" { (money(r.pay_outs)) } }
                tr { th { "Opening float" } td class="num" { (money(r.opening_float)) } }
                tr { th { "Expected cash" } td class="num" { strong { (money(r.expected_cash)) } } }
                @for (user, s) in &r.staff {
                    tr { th { "Staff " (user) " (" (s.sales) " sales)" } td class="num" { (money(s.total)) } }
                }
            }
        }
    }
}

fn open_session(engine: &Engine, register: &Register) -> Result<Option<Session>> {
    let id = register.id.clone();
    engine.store().read(move |c| sessions::current(c, &id))
}

fn movement(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let Some(session) = open_session(engine, &register)? else {
        return show(engine, request, &ui.with_error("No session is open"), 400);
    };
    let amount = match parse_amount(ui.form.get("amount"), &currency, "Amount") {
        Ok(a) => a.unwrap_or(0),
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let input = CashMovement {
        session_id: session.id,
        kind: ui.form.get("kind").unwrap_or("").to_string(),
        amount,
        reason: ui.form.get("reason").unwrap_or("").to_string(),
        user_id: ui.session.user_id.clone(),
    };
    match CASH_MOVEMENT.run(engine, &input, None) {
        Ok(_) => Ok(respond::redirect(&format!(
            "/pos/till/{}/cash?done=moved",
            register.code
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}

fn close(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let session_id = ui.form.get("session_id").unwrap_or("").to_string();
    let mut pieces = Map::new();
    for d in DENOMINATIONS {
        let field = format!("d_{d}");
        if let Some(v) = ui.form.get(&field).map(str::trim).filter(|v| !v.is_empty()) {
            match v.parse::<i64>() {
                Ok(n) if n >= 0 => {
                    pieces.insert(d.to_string(), json!(n));
                }
                _ => {
                    return show(
                        engine,
                        request,
                        &ui.with_error("A count is a whole number ≥ 0"),
                        400,
                    );
                }
            }
        }
    }
    let counted = match parse_amount(ui.form.get("counted"), &currency, "Counted cash") {
        Ok(c) => c,
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let mut input = CloseSession {
        session_id: session_id.clone(),
        user_id: ui.session.user_id.clone(),
        counted: None,
        denominations: None,
    };
    if !pieces.is_empty() {
        input.denominations = Some(pieces);
    } else {
        input.counted = counted;
    }
    match CLOSE_SESSION.run(engine, &input, None) {
        Ok(_) => Ok(respond::redirect(&format!(
            "/pos/sessions/{session_id}/report"
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}

fn report_page(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (session, register, report) = engine.store().read(move |c| {
        let s = sessions::retrieve(c, &id)?;
        let r = pos::retrieve_register(c, &s.register_id)?;
        let report = report::of_session(c, &s.id, s.opening_float)?;
        Ok((s, r, report))
    })?;
    let currency = region_currency(engine, &register)?;
    let closed = session.status == "closed";
    let title = if closed { "Z-report" } else { "X-report" };
    let body = html! {
        p { (register.name) " (" (register.code) ") · opened " (session.opened_at)
            @if let Some(at) = &session.closed_at { " · closed " (at) } }
        (report_table(&report, &currency))
        @if let (Some(counted), Some(expected)) = (session.counted_cash, session.expected_cash) {
            table class="report" {
                tr { th { "Expected cash" } td class="num" { (price(expected, &currency)) } }
                tr { th { "Counted cash" } td class="num" { (price(counted, &currency)) } }
                tr { th { @if counted >= expected { "Over" } @else { "Short" } }
                     td class="num" { strong { (price((counted - expected).abs(), &currency)) } } }
            }
        }
    };
    let markup = layout::page(ui, title, Some(&register), body);
    Ok(respond::html_page(200, markup))
}
