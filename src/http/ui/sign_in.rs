//! Sign-in and sign-out of the admin UI. Sign-in is the `/auth/user/emailpass` login flow
//! itself (`flows::auth::login`: the same throttle per email and client address, the same
//! hashing gate, the same answer for an unknown email and a wrong password); a success starts
//! a new session (rotation: any session the browser had is ended first).

use super::layout;
use super::respond::{self, html_page, is_safe_next, redirect};
use super::session::{self, SIGNIN_COOKIE};
use super::{Ui, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::auth as auth_flow;
use crate::http::form::Form;
use crate::http::{Access, Request, Response, Route};
use maud::html;

/// The sign-in and sign-out routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/app/sign-in",
            Access::Public,
            "Admin UI sign-in page",
            |engine, request| Ok(show(engine, request).unwrap_or_else(|e| respond::error_page(&e))),
        ),
        Route::new(
            "POST",
            "/app/sign-in",
            Access::Public,
            "Admin UI sign-in",
            |engine, request| {
                Ok(sign_in(engine, request).unwrap_or_else(|e| respond::error_page(&e)))
            },
        ),
        ui_route("POST", "/app/sign-out", "Admin UI sign-out", sign_out),
    ]
}

/// Where to go after signing in: a safe `next`, else the home page.
fn destination(next: Option<&str>) -> &str {
    next.filter(|n| is_safe_next(n)).unwrap_or("/app")
}

fn show(engine: &Engine, request: &Request) -> Result<Response> {
    let next = request.query_str("next");
    if session::current(engine, request)?.is_some() {
        return Ok(redirect(destination(next)));
    }
    Ok(form_page(engine, request, 200, destination(next), "", None))
}

/// The sign-in form, with a fresh nonce cookie binding it to this browser.
fn form_page(
    engine: &Engine,
    request: &Request,
    status: u16,
    next: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let (nonce, cookie) = session::new_signin_nonce(session::over_tls(request));
    let token = session::signin_token(engine, &nonce);
    let markup = layout::bare(
        "Sign in",
        html! {
            h1 { "Sign in to Stockroom" }
            @if let Some(message) = error {
                div class="notice error" role="alert" { (message) }
            }
            form method="post" action="/app/sign-in" {
                input type="hidden" name="_signin" value=(token);
                input type="hidden" name="next" value=(next);
                div class="field" {
                    label for="email" { "Email" }
                    input id="email" name="email" type="email" autocomplete="username" required value=(email);
                }
                div class="field" {
                    label for="password" { "Password" }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button type="submit" { "Sign in" }
            }
        },
    );
    html_page(status, markup).with_header("Set-Cookie", cookie)
}

/// Why a staff sign-in form was refused: the status and message it shows again, with the
/// throttle's `Retry-After` when there is one.
pub(crate) struct Refusal {
    status: u16,
    message: String,
    retry_after_secs: Option<u64>,
}

impl Refusal {
    /// The form page `page(status, message)` makes, with `Retry-After` when throttled.
    pub(crate) fn show(self, page: impl Fn(u16, &str) -> Response) -> Response {
        let response = page(self.status, &self.message);
        match self.retry_after_secs {
            Some(secs) => response.with_header("Retry-After", secs.to_string()),
            None => response,
        }
    }
}

/// Signs a store user in with the API's login flow and throttle (`/app` and `/pos` alike):
/// their context, or the refusal the form shows.
///
/// # Errors
/// Server-side failures (5xx) only; every refusal is a [`Refusal`].
pub(crate) fn staff_login(
    engine: &Engine,
    request: &Request,
    email: &str,
    password: &str,
) -> Result<std::result::Result<crate::modules::auth::AuthContext, Refusal>> {
    let refusal = |status, message: String, retry_after_secs| {
        Ok(Err(Refusal {
            status,
            message,
            retry_after_secs,
        }))
    };
    let token = match auth_flow::login(engine, "user", email, password, request.remote_addr) {
        Ok(token) => token,
        Err(Error::TooManyRequests {
            message,
            retry_after_secs,
        }) => return refusal(429, message, Some(retry_after_secs)),
        Err(err) if err.status() < 500 => return refusal(err.status(), err.to_string(), None),
        Err(err) => return Err(err),
    };
    match auth_flow::verify_token(engine, &token).filter(|c| !c.actor_id.is_empty()) {
        Some(context) => Ok(Ok(context)),
        None => refusal(401, auth_flow::INVALID_CREDENTIALS.to_string(), None),
    }
}

fn sign_in(engine: &Engine, request: &Request) -> Result<Response> {
    let form = Form::of(request)?;
    if !session::signin_token_matches(engine, request, form.get("_signin")) {
        return Ok(respond::forbidden());
    }
    let next = destination(form.get("next")).to_string();
    let email = form.get("email").unwrap_or("");
    let password = form.get("password").unwrap_or("");
    let refused = |status: u16, message: &str| {
        form_page(engine, request, status, &next, email, Some(message))
    };
    let context = match staff_login(engine, request, email, password)? {
        Ok(context) => context,
        Err(refusal) => return Ok(refusal.show(refused)),
    };
    if let Some(old) = session::signed_sid(engine, request) {
        auth_flow::end_session(engine, &old)?;
    }
    let sid = auth_flow::start_session(engine, &context)?;
    let tls = session::over_tls(request);
    Ok(redirect(&next)
        .with_header("Set-Cookie", session::set_session_cookie(engine, &sid, tls))
        .with_header(
            "Set-Cookie",
            format!("{SIGNIN_COOKIE}=; Path=/app; Max-Age=0; HttpOnly; SameSite=Strict"),
        ))
}

fn sign_out(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    auth_flow::end_session(engine, &ui.session.sid)?;
    Ok(redirect("/app/sign-in").with_header(
        "Set-Cookie",
        session::clear_session_cookie(session::over_tls(request)),
    ))
}
