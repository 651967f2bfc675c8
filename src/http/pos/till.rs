//! The till's selling screen `/pos/till/:code`: the scan field (focused; a scanner types the
//! code and Enter), title search, the basket (quantities, removal, manual discounts for
//! managers), customer, promotion codes, the totals and the tender form. Every action is a
//! form post running `pos-update-basket` or `pos-complete-sale`, then a redirect back here
//! (or to the receipt); a refusal re-renders this page with the message.

use super::till_view::{Basket, closed_body, selling_body};
use super::{layout, parse_amount, pos_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::checkout::refresh;
use crate::flows::pos::{basket, lookup, sale, sessions as session_flows};
use crate::http::ui::{Ui, respond};
use crate::http::{Request, Response, Route};
use crate::modules::cart;
use crate::modules::customer::{self, CustomerFilter};
use crate::modules::pos::{self, Register, sessions::Session};
use crate::workflow::run;
use serde_json::{Value, json};

/// The selling routes.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route("GET", "/pos/till/:code", "Till: sell", |e, r, ui| {
            show(e, r, ui, 200)
        }),
        pos_route("POST", "/pos/till/:code/open", "Till: open a session", open),
        pos_route("POST", "/pos/till/:code/scan", "Till: scan or search", scan),
        pos_route("POST", "/pos/till/:code/add", "Till: add a variant", add),
        pos_route("POST", "/pos/till/:code/line", "Till: change a line", line),
        pos_route(
            "POST",
            "/pos/till/:code/customer",
            "Till: attach a customer",
            customer,
        ),
        pos_route(
            "POST",
            "/pos/till/:code/promotion",
            "Till: promotion code",
            promotion,
        ),
        pos_route(
            "POST",
            "/pos/till/:code/clear",
            "Till: cancel the sale",
            clear,
        ),
        pos_route(
            "POST",
            "/pos/till/:code/pay",
            "Till: tender and complete",
            pay,
        ),
    ]
}

/// The register named in the path.
///
/// # Errors
/// 404 for an unknown code.
pub fn register_of(engine: &Engine, request: &Request) -> Result<Register> {
    let code = request.param("code").to_string();
    engine
        .store()
        .read(move |c| pos::find_by_code(c, &code))?
        .ok_or_else(|| Error::not_found("Register", request.param("code")))
}

fn state(engine: &Engine, register: &Register) -> Result<(Option<Session>, Option<Basket>)> {
    let id = register.id.clone();
    engine.store().read(move |c| {
        let Some(session) = pos::sessions::current(c, &id)? else {
            return Ok((None, None));
        };
        let basket = match session.cart_id.as_deref() {
            Some(cart_id) => {
                let found = cart::retrieve(c, cart_id)?;
                let (items, _, totals) = refresh::totals(c, cart_id)?;
                (found.completed_at.is_none()).then_some(Basket {
                    cart: found,
                    items,
                    totals,
                })
            }
            None => None,
        };
        Ok((Some(session), basket))
    })
}

fn show(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let register = register_of(engine, request)?;
    let (session, basket) = state(engine, &register)?;
    let body = match &session {
        None => closed_body(ui, &register),
        Some(s) => {
            let hits = match request.query_str("q").filter(|q| !q.trim().is_empty()) {
                Some(q) => {
                    let (ctx, r, q) = (engine.ctx().clone(), register.clone(), q.to_string());
                    engine
                        .store()
                        .read(move |c| lookup::search(c, &ctx, &r, &q, 20))?
                }
                None => Vec::new(),
            };
            let manager = {
                let user = ui.session.user_id.clone();
                engine
                    .store()
                    .read(move |c| basket::may_discount(c, &user))?
            };
            selling_body(ui, &register, s, basket.as_ref(), &hits, manager)
        }
    };
    let markup = layout::page(
        ui,
        &format!("Till {}", register.code),
        Some(&register),
        body,
    );
    Ok(respond::html_page(status, markup))
}

/// Runs a till workflow; a refusal re-renders the selling screen with its message.
fn act(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    workflow: &str,
    input: Value,
    done: &str,
) -> Result<Response> {
    match run(engine, workflow, input, None) {
        Ok(_) => Ok(respond::redirect(&format!(
            "/pos/till/{}?done={done}",
            request.param("code")
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}

fn open_session_id(engine: &Engine, register: &Register) -> Result<String> {
    let id = register.id.clone();
    engine
        .store()
        .read(move |c| pos::sessions::current(c, &id))?
        .map(|s| s.id)
        .ok_or_else(|| Error::invalid("No cash session is open on this register"))
}

fn basket_action(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    mut input: Value,
) -> Result<Response> {
    let register = register_of(engine, request)?;
    let session = match open_session_id(engine, &register) {
        Ok(s) => s,
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    input["session_id"] = json!(session);
    input["user_id"] = json!(ui.session.user_id);
    act(engine, request, ui, basket::UPDATE, input, "saved")
}

fn open(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let float = match parse_amount(ui.form.get("float"), &currency, "Opening float") {
        Ok(f) => f.unwrap_or(0),
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let input =
        json!({"register_id": register.id, "user_id": ui.session.user_id, "opening_float": float});
    act(engine, request, ui, session_flows::OPEN, input, "opened")
}

/// The register's currency.
///
/// # Errors
/// 404 when its region is gone.
pub fn region_currency(engine: &Engine, register: &Register) -> Result<String> {
    let region = register.region_id.clone();
    engine
        .store()
        .read(move |c| crate::flows::checkout::catalog::region(c, &region))
        .map(|r| r.currency_code)
}

fn scan(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let code = ui.form.get("code").unwrap_or("").trim().to_string();
    let (ctx, r, c2) = (engine.ctx().clone(), register.clone(), code.clone());
    let hit = engine
        .store()
        .read(move |c| lookup::by_code(c, &ctx, &r, &c2))?;
    match hit {
        Some(h) => basket_action(
            engine,
            request,
            ui,
            json!({"action": "add", "variant_id": h.variant_id, "quantity": 1}),
        ),
        None => Ok(respond::redirect(&format!(
            "/pos/till/{}?q={}",
            register.code,
            respond::encode(&code)
        ))),
    }
}

fn add(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let variant = ui.form.get("variant_id").unwrap_or("");
    basket_action(
        engine,
        request,
        ui,
        json!({"action": "add", "variant_id": variant, "quantity": 1}),
    )
}

fn line(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let line_id = ui.form.get("line_id").unwrap_or("");
    let input = match ui.form.get("op").unwrap_or("") {
        "quantity" => {
            let quantity = ui
                .form
                .get("quantity")
                .and_then(|q| q.trim().parse::<i64>().ok());
            match quantity {
                Some(q) if q >= 0 => {
                    json!({"action": "quantity", "line_id": line_id, "quantity": q})
                }
                _ => {
                    return show(
                        engine,
                        request,
                        &ui.with_error("The quantity is a whole number ≥ 0"),
                        400,
                    );
                }
            }
        }
        "remove" => json!({"action": "remove", "line_id": line_id}),
        "discount" => {
            let register = register_of(engine, request)?;
            let currency = region_currency(engine, &register)?;
            match parse_amount(ui.form.get("amount"), &currency, "Discount") {
                Ok(Some(amount)) => {
                    json!({"action": "discount", "line_id": line_id, "amount": amount,
                    "reason": ui.form.get("reason").unwrap_or("")})
                }
                Ok(None) => {
                    return show(
                        engine,
                        request,
                        &ui.with_error("Enter the discount per unit"),
                        400,
                    );
                }
                Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
            }
        }
        _ => return show(engine, request, &ui.with_error("Unknown line action"), 400),
    };
    basket_action(engine, request, ui, input)
}

fn customer(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let email = ui
        .form
        .get("email")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let customer_id = if email.is_empty() {
        Value::Null
    } else {
        let filter = CustomerFilter {
            email: vec![email.clone()],
            ..CustomerFilter::default()
        };
        let found = engine
            .store()
            .read(move |c| customer::list(c, &filter, 0, 1))?
            .0;
        match found.into_iter().next() {
            Some(c) => json!(c.id),
            None => {
                return show(
                    engine,
                    request,
                    &ui.with_error(format!("No customer with email {email}")),
                    404,
                );
            }
        }
    };
    basket_action(
        engine,
        request,
        ui,
        json!({"action": "customer", "customer_id": customer_id}),
    )
}

fn promotion(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let action = if ui.form.get("op") == Some("remove") {
        "promo_remove"
    } else {
        "promo_add"
    };
    let code = ui.form.get("code").unwrap_or("");
    basket_action(engine, request, ui, json!({"action": action, "code": code}))
}

fn clear(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    basket_action(engine, request, ui, json!({"action": "clear"}))
}

fn pay(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let session = match open_session_id(engine, &register) {
        Ok(s) => s,
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let mut tenders = Vec::new();
    let parsed = parse_amount(ui.form.get("card"), &currency, "Card amount").and_then(|card| {
        Ok((
            card,
            parse_amount(ui.form.get("cash"), &currency, "Cash tendered")?,
        ))
    });
    let (card, cash) = match parsed {
        Ok(v) => v,
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    if let Some(card) = card.filter(|c| *c > 0) {
        tenders.push(
            json!({"kind": "card", "tendered": card, "reference": ui.form.get("card_reference")}),
        );
    }
    if let Some(cash) = cash.filter(|c| *c > 0) {
        tenders.push(json!({"kind": "cash", "tendered": cash}));
    }
    let input = json!({"session_id": session, "user_id": ui.session.user_id, "tenders": tenders});
    match run(engine, sale::COMPLETE, input, None) {
        Ok(done) => Ok(respond::redirect(&format!(
            "/pos/receipts/{}",
            crate::workflow::output_str(&done, "order_id")?
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}
