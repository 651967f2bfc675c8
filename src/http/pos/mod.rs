//! The till at `/pos` (issue 17): server-rendered like the admin UI (maud, escaped by default,
//! no JavaScript — a scanner is a keyboard, the focused scan field takes a code and Enter),
//! with the UI's security rules: its own staff session cookie (`auth.rs`), the session's
//! CSRF token on every form, the UI's CSP and headers, post/redirect/get. Handlers are thin:
//! parse the form, run the `flows::pos` workflow the Admin API runs, redirect or re-render
//! with the message. `api.rs` is the JSON Admin API under `/admin/pos/…`.

pub mod api;
pub mod auth;
pub mod cash;
pub mod layout;
pub mod receipt;
pub mod registers;
pub mod returns;
pub mod staff;
pub mod till;
pub mod till_view;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::form::Form;
use crate::http::ui::{Ui, respond};
use crate::http::{Access, Request, Response, Route};
use crate::money;

/// A route of the signed-in till: session and CSRF checks, then `handler`.
pub fn pos_route(
    method: &'static str,
    pattern: &str,
    summary: &'static str,
    handler: impl Fn(&Engine, &Request, &Ui) -> Result<Response> + Send + Sync + 'static,
) -> Route {
    Route::new(
        method,
        pattern,
        Access::Public,
        summary,
        move |engine, request| {
            Ok(guarded(engine, request, &handler).unwrap_or_else(|e| error_page(&e)))
        },
    )
}

fn guarded(
    engine: &Engine,
    request: &Request,
    handler: &dyn Fn(&Engine, &Request, &Ui) -> Result<Response>,
) -> Result<Response> {
    let Some(mut session) = auth::current(engine, request)? else {
        return Ok(auth::to_sign_in(request));
    };
    // A staff member who took over this signed-in till by PIN serves while they have a PIN.
    if let Some(staff) = staff::switched_to(engine, request, &session.sid)
        && crate::flows::pos::pins::current(engine, &staff)?.is_some()
    {
        session.user_id = staff;
    }
    let form = if request.method == "POST" {
        let form = Form::of(request)?;
        if !session.csrf_matches(form.get(crate::http::ui::session::CSRF_FIELD)) {
            return Ok(forbidden());
        }
        form
    } else {
        Form::default()
    };
    let ui = Ui {
        session,
        form,
        files: Vec::new(),
        error: None,
        notice: notice_of(request),
    };
    handler(engine, request, &ui)
}

/// The shared error page, linking back to the till.
pub fn error_page(err: &Error) -> Response {
    respond::error_page_from(err, respond::Home::Till)
}

/// The shared 403 page of a form without this session's CSRF token, linking to the till.
pub fn forbidden() -> Response {
    respond::forbidden_from(respond::Home::Till)
}

/// Confirmations a redirect may ask for with `?done=<key>` (a fixed list).
const NOTICES: &[(&str, &str)] = &[
    ("added", "Added."),
    ("opened", "Session opened."),
    ("moved", "Cash movement recorded."),
    ("closed", "Session closed."),
    ("created", "Register created."),
    ("cleared", "Sale canceled; the basket is empty."),
    ("saved", "Saved."),
    ("returned", "Return taken and refunded."),
    ("switched", "Staff switched."),
    ("pin", "PIN saved."),
    ("emailed", "Receipt emailed."),
];

fn notice_of(request: &Request) -> Option<String> {
    let key = request.query_str("done")?;
    NOTICES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| (*text).to_string())
}

/// Every `/pos` route.
pub fn routes() -> Vec<Route> {
    let mut routes = auth::routes();
    routes.extend(registers::routes());
    routes.extend(till::routes());
    routes.extend(cash::routes());
    routes.extend(receipt::routes());
    routes.extend(returns::routes());
    routes.extend(staff::routes());
    routes.extend(api::routes());
    routes
}

/// `minor` as `12.30` with all of the currency's decimals (a till shows `34.40`, not
/// `34.4`).
pub fn amount(minor: i64, currency: &str) -> String {
    let exponent = money::exponent_or_default(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let units = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{units}");
    }
    let scale = 10u64.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        units / scale,
        units % scale,
        width = exponent as usize
    )
}

/// `12.34 EUR`.
pub fn price(minor: i64, currency: &str) -> String {
    format!("{} {}", amount(minor, currency), currency.to_uppercase())
}

/// A major-unit amount typed into a form, in minor units (empty → `None`).
///
/// # Errors
/// 400 for text that is not an amount in the currency.
pub fn parse_amount(text: Option<&str>, currency: &str, field: &str) -> Result<Option<i64>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => money::parse_major_non_negative(t, currency)
            .map(Some)
            .map_err(|_| Error::invalid(format!("{field}: \"{t}\" is not an amount"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_every_decimal() {
        assert_eq!(amount(3440, "usd"), "34.40");
        assert_eq!(amount(0, "usd"), "0.00");
        assert_eq!(amount(-5, "eur"), "-0.05");
        assert_eq!(amount(1200, "jpy"), "1200");
        assert_eq!(price(100_000, "chf"), "1000.00 CHF");
    }
}
