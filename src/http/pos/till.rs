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
use crate::flows::pos::tenders::Offered;
use crate::flows::pos::types::{
    BasketChange, COMPLETE_SALE, CompleteSale, OPEN_SESSION, OpenSession, UPDATE_BASKET,
};
use crate::flows::pos::{basket, lookup};
use crate::http::ui::{Ui, respond};
use crate::http::{Request, Response, Route};
use crate::modules::cart;
use crate::modules::customer::{self, CustomerFilter};
use crate::modules::pos::{self, Register, sessions::Session};
use crate::workflow::Handle;
use serde::Serialize;
use serde::de::DeserializeOwned;

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
                    items: std::rc::Rc::unwrap_or_clone(items),
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
fn act<I, O>(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    workflow: Handle<I, O>,
    input: &I,
    done: &str,
) -> Result<Response>
where
    I: Serialize + DeserializeOwned + 'static,
    O: DeserializeOwned,
{
    match workflow.run(engine, input, None) {
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

/// Runs `pos-update-basket` with `change` on the register's open session.
fn basket_action(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    change: BasketChange,
) -> Result<Response> {
    let register = register_of(engine, request)?;
    let session = match open_session_id(engine, &register) {
        Ok(s) => s,
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let input = BasketChange {
        session_id: session,
        user_id: ui.session.user_id.clone(),
        ..change
    };
    act(engine, request, ui, UPDATE_BASKET, &input, "saved")
}

/// A basket change doing `action` (the session and staff member are set by
/// [`basket_action`]).
fn change(action: &str) -> BasketChange {
    BasketChange {
        action: action.to_string(),
        ..BasketChange::default()
    }
}

/// Adding one unit of `variant`.
fn add_one(variant: &str) -> BasketChange {
    BasketChange {
        variant_id: Some(variant.to_string()),
        quantity: Some(1),
        ..change("add")
    }
}

fn open(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let register = register_of(engine, request)?;
    let currency = region_currency(engine, &register)?;
    let float = match parse_amount(ui.form.get("float"), &currency, "Opening float") {
        Ok(f) => f.unwrap_or(0),
        Err(e) => return show(engine, request, &ui.with_error(e.to_string()), 400),
    };
    let input = OpenSession {
        register_id: register.id,
        user_id: ui.session.user_id.clone(),
        opening_float: float,
    };
    act(engine, request, ui, OPEN_SESSION, &input, "opened")
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
        Some(h) => basket_action(engine, request, ui, add_one(&h.variant_id)),
        None => Ok(respond::redirect(&format!(
            "/pos/till/{}?q={}",
            register.code,
            respond::encode(&code)
        ))),
    }
}

fn add(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let variant = ui.form.get("variant_id").unwrap_or("");
    basket_action(engine, request, ui, add_one(variant))
}

fn line(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let line_id = Some(ui.form.get("line_id").unwrap_or("").to_string());
    let input = match ui.form.get("op").unwrap_or("") {
        "quantity" => {
            let quantity = ui
                .form
                .get("quantity")
                .and_then(|q| q.trim().parse::<i64>().ok());
            match quantity {
                Some(q) if q >= 0 => BasketChange {
                    line_id,
                    quantity: Some(q),
                    ..change("quantity")
                },
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
        "remove" => BasketChange {
            line_id,
            ..change("remove")
        },
        "discount" => {
            let register = register_of(engine, request)?;
            let currency = region_currency(engine, &register)?;
            match parse_amount(ui.form.get("amount"), &currency, "Discount") {
                Ok(Some(amount)) => BasketChange {
                    line_id,
                    amount: Some(amount),
                    reason: Some(ui.form.get("reason").unwrap_or("").to_string()),
                    ..change("discount")
                },
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
        None
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
            Some(c) => Some(c.id),
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
    let input = BasketChange {
        customer_id,
        ..change("customer")
    };
    basket_action(engine, request, ui, input)
}

fn promotion(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let action = if ui.form.get("op") == Some("remove") {
        "promo_remove"
    } else {
        "promo_add"
    };
    let input = BasketChange {
        code: Some(ui.form.get("code").unwrap_or("").to_string()),
        ..change(action)
    };
    basket_action(engine, request, ui, input)
}

fn clear(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    basket_action(engine, request, ui, change("clear"))
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
        tenders.push(Offered {
            kind: "card".into(),
            tendered: card,
            reference: ui.form.get("card_reference").map(str::to_string),
        });
    }
    if let Some(cash) = cash.filter(|c| *c > 0) {
        tenders.push(Offered {
            kind: "cash".into(),
            tendered: cash,
            reference: None,
        });
    }
    let input = CompleteSale {
        session_id: session,
        user_id: ui.session.user_id.clone(),
        tenders,
    };
    match COMPLETE_SALE.run(engine, &input, None) {
        Ok(done) => Ok(respond::redirect(&format!(
            "/pos/receipts/{}",
            done.order_id
        ))),
        Err(e) if e.status() < 500 => {
            show(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}
