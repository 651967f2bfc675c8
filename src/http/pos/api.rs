//! The till's Admin API (`/admin/pos/…`, admin access: a user's token or session, or a secret
//! key), the same workflows the `/pos` pages run. Amounts sent are in major units like the
//! rest of the Admin API (`12.5`), in the register's currency; reports and sale results
//! answer minor units (integers) with their `currency_code`. (`/admin/pos/sales*` and
//! `/admin/pos/changes*` belong to the till ↔ central sync.)

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::pos::lookup;
use crate::flows::pos::types::{
    CASH_MOVEMENT, CLOSE_SESSION, COMPLETE_SALE, CREATE_REGISTER, CloseSession, OPEN_SESSION,
    OpenSession, TILL_RETURN, UPDATE_BASKET,
};
use crate::http::{Access, Request, Response, Route};
use crate::modules::pos::{self, Register, report, sessions};
use crate::money;
use serde_json::{Value, json};

/// The Admin API routes of the till.
pub fn routes() -> Vec<Route> {
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let r = |method, pattern, summary, handler: Handler| {
        Route::new(method, pattern, Access::Admin, summary, handler)
    };
    vec![
        r(
            "GET",
            "/admin/pos/registers",
            "List registers (tills)",
            list_registers,
        ),
        r(
            "POST",
            "/admin/pos/registers",
            "Create a register with its POS sales channel",
            create_register,
        ),
        r(
            "GET",
            "/admin/pos/lookup",
            "Find a variant by scanned code (SKU, barcode, EAN, UPC)",
            lookup_code,
        ),
        r(
            "POST",
            "/admin/pos/registers/:id/sessions",
            "Open a cash session",
            open_session,
        ),
        r(
            "GET",
            "/admin/pos/sessions/:id/report",
            "X-report (open) or Z-report (closed)",
            report_of,
        ),
        r(
            "POST",
            "/admin/pos/sessions/:id/movements",
            "Pay-in or pay-out",
            movement,
        ),
        r(
            "POST",
            "/admin/pos/sessions/:id/basket",
            "Change the basket",
            basket_change,
        ),
        r(
            "POST",
            "/admin/pos/sessions/:id/sale",
            "Tender and complete the sale",
            complete,
        ),
        r(
            "POST",
            "/admin/pos/sessions/:id/close",
            "Close the session with the counted cash",
            close,
        ),
        r(
            "POST",
            "/admin/pos/sessions/:id/return",
            "Take back items of a till sale and refund them",
            take_return,
        ),
    ]
}

fn staff(request: &Request) -> Result<String> {
    request
        .actor
        .user_id
        .clone()
        .or_else(|| request.actor.api_key_id.clone())
        .ok_or(Error::Unauthorized)
}

fn register_currency(engine: &Engine, register: &Register) -> Result<String> {
    let region = register.region_id.clone();
    engine
        .store()
        .read(move |c| crate::flows::checkout::catalog::region(c, &region))
        .map(|r| r.currency_code)
}

fn session_currency(engine: &Engine, session_id: &str) -> Result<String> {
    let id = session_id.to_string();
    let register = engine.store().read(move |c| {
        let s = sessions::retrieve(c, &id)?;
        pos::retrieve_register(c, &s.register_id)
    })?;
    register_currency(engine, &register)
}

/// A text field of a body; absent or `null` is empty (the step says what it needs).
fn text(body: &Value, field: &str) -> Result<String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Error::invalid(format!("{field} must be a string"))),
    }
}

fn minor(value: &Value, currency: &str, field: &str) -> Result<i64> {
    money::parse_major(value, currency).map_err(|e| Error::invalid(format!("{field}: {e}")))
}

fn list_registers(engine: &Engine, _: &Request) -> Result<Response> {
    let registers = engine.store().read(pos::list_registers)?;
    Ok(Response::json(json!({ "registers": registers })))
}

fn create_register(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let mut input = json!({});
    for key in [
        "code",
        "name",
        "stock_location_id",
        "region_id",
        "sales_channel_id",
    ] {
        match body.get(key) {
            Some(Value::String(s)) => input[key] = json!(s),
            Some(Value::Null) | None => {}
            Some(_) => return Err(Error::invalid(format!("{key} must be a string"))),
        }
    }
    for key in ["code", "name", "stock_location_id"] {
        if input.get(key).is_none() {
            return Err(Error::invalid(format!("{key} is required")));
        }
    }
    let made = CREATE_REGISTER.run_json(engine, input, None)?;
    Ok(Response::json(json!(made)))
}

fn lookup_code(engine: &Engine, request: &Request) -> Result<Response> {
    let code = request
        .query_str("code")
        .ok_or_else(|| Error::invalid("code is required"))?
        .to_string();
    let register_id = request.query_str("register_id").map(str::to_string);
    let ctx = engine.ctx().clone();
    let hit = engine.store().read(move |c| {
        let register = match register_id {
            Some(id) => pos::retrieve_register(c, &id)?,
            None => pos::list_registers(c)?
                .into_iter()
                .next()
                .ok_or_else(|| Error::invalid("No register exists; name a register_id"))?,
        };
        lookup::by_code(c, &ctx, &register, &code)
    })?;
    let hit = hit.ok_or_else(|| Error::NotFound("No variant has this code".into()))?;
    Ok(Response::json(json!({ "variant": hit })))
}

fn open_session(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let id = request.param("id").to_string();
    let register = engine
        .store()
        .read(move |c| pos::retrieve_register(c, &id))?;
    let currency = register_currency(engine, &register)?;
    let float = match body.get("opening_float") {
        None | Some(Value::Null) => 0,
        Some(v) => minor(v, &currency, "opening_float")?,
    };
    let input = OpenSession {
        register_id: register.id,
        user_id: staff(request)?,
        opening_float: float,
    };
    Ok(Response::json(json!(
        OPEN_SESSION.run(engine, &input, None)?
    )))
}

fn report_of(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (session, report) = engine.store().read(move |c| {
        let s = sessions::retrieve(c, &id)?;
        let r = report::of_session(c, &s.id, s.opening_float)?;
        Ok((s, r))
    })?;
    let currency = session_currency(engine, &session.id)?;
    let kind = if session.status == "closed" { "z" } else { "x" };
    Ok(Response::json(
        json!({"kind": kind, "currency_code": currency, "session": session, "report": report}),
    ))
}

fn movement(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let session = request.param("id").to_string();
    let currency = session_currency(engine, &session)?;
    let input = json!({
        "session_id": session, "kind": text(&body, "kind")?, "reason": text(&body, "reason")?,
        "amount": minor(&body["amount"], &currency, "amount")?, "user_id": staff(request)?,
    });
    Ok(Response::json(json!(
        CASH_MOVEMENT.run_json(engine, input, None)?
    )))
}

fn basket_change(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.json()?;
    if !body.is_object() {
        return Err(Error::invalid("The body must be an object"));
    }
    let session = request.param("id").to_string();
    if body.get("amount").is_some_and(|a| !a.is_null()) {
        let currency = session_currency(engine, &session)?;
        body["amount"] = json!(minor(&body["amount"], &currency, "amount")?);
    }
    body["session_id"] = json!(session);
    body["user_id"] = json!(staff(request)?);
    let done = UPDATE_BASKET.run_json(engine, body, None)?;
    Ok(Response::json(json!(done)))
}

fn complete(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let session = request.param("id").to_string();
    let currency = session_currency(engine, &session)?;
    let mut tenders = Vec::new();
    for t in body["tenders"].as_array().into_iter().flatten() {
        tenders.push(json!({
            "kind": t["kind"], "tendered": minor(&t["tendered"], &currency, "tendered")?,
            "reference": t.get("reference").and_then(Value::as_str),
        }));
    }
    let input = json!({"session_id": session, "user_id": staff(request)?, "tenders": tenders});
    let key = request.header("idempotency-key").map(str::to_string);
    let done = COMPLETE_SALE.run_json(engine, input, key.as_deref())?;
    Ok(Response::json(json!({
        "order_id": done.order_id, "receipt_number": done.receipt_number,
        "change": done.change, "currency_code": currency,
    })))
}

fn close(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let session = request.param("id").to_string();
    let currency = session_currency(engine, &session)?;
    let mut input = CloseSession {
        session_id: session,
        user_id: staff(request)?,
        counted: None,
        denominations: None,
    };
    match body.get("denominations").filter(|d| !d.is_null()) {
        Some(Value::Object(d)) => input.denominations = Some(d.clone()),
        Some(_) => return Err(Error::invalid("denominations must be an object")),
        None => input.counted = Some(minor(&body["counted"], &currency, "counted")?),
    }
    let done = CLOSE_SESSION.run(engine, &input, None)?;
    Ok(Response::json(json!({
        "session": done.session, "report": done.report, "currency_code": currency,
    })))
}

fn take_return(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.json()?;
    let input = json!({
        "session_id": request.param("id"), "user_id": staff(request)?,
        "receipt_number": text(&body, "receipt_number")?, "items": body["items"],
        "refund": text(&body, "refund")?,
    });
    Ok(Response::json(json!(
        TILL_RETURN.run_json(engine, input, None)?
    )))
}
