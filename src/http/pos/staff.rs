//! Staff PINs at the till (`/pos/staff`) and in the Admin API (`/admin/pos/staff-pins`).
//!
//! A till is signed in by a staff member's password (`auth.rs`); on it, another staff member
//! takes over with their PIN (`flows::pos::pins::check`: hashed, throttled like logins). Who
//! serves is a second cookie, `stockroom_pos_staff`, holding the staff member's id with an
//! HMAC bound to the till's session id, so it is worthless in another session and ends with
//! it (sign-out, a new sign-in). While it holds — and only while that staff member still has
//! a PIN — every till action runs as them (`mod.rs` swaps the session's user): the sale's
//! `metadata.staff_user_id`, the Z-report's per-staff lines, drawer movements and the manager
//! check for manual discounts.

use super::{auth, layout, pos_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::pos::pins;
use crate::http::ui::session::{cookie, over_tls, tag, tag_matches};
use crate::http::ui::{Ui, respond};
use crate::http::{Access, Request, Response, Route};
use crate::modules::user;
use maud::html;
use serde_json::json;

/// The cookie naming the staff member serving on this till session.
pub const STAFF_COOKIE: &str = "stockroom_pos_staff";

fn staff_tag(engine: &Engine, sid: &str, user_id: &str) -> String {
    tag(
        &engine.auth().cookie_secret,
        "pos-staff",
        &format!("{sid}|{user_id}"),
    )
}

/// The staff member a PIN switch put on this session, if its cookie is valid for `sid`.
pub fn switched_to(engine: &Engine, request: &Request, sid: &str) -> Option<String> {
    let (user_id, sig) = cookie(request, STAFF_COOKIE)?.rsplit_once('.')?;
    let message = format!("{sid}|{user_id}");
    tag_matches(&engine.auth().cookie_secret, "pos-staff", &message, sig)
        .then(|| user_id.to_string())
}

/// The `Set-Cookie` that ends a PIN switch.
pub fn clear_cookie(request: &Request) -> String {
    auth::cookie_header(STAFF_COOKIE, "", 0, over_tls(request))
}

/// The till's staff routes and the PIN Admin API.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route(
            "GET",
            "/pos/staff",
            "Till: who serves, switch by PIN",
            |e, r, ui| page(e, r, ui, 200, None),
        ),
        pos_route(
            "POST",
            "/pos/staff/switch",
            "Till: switch the serving staff member by PIN",
            switch,
        ),
        pos_route(
            "POST",
            "/pos/staff/pin",
            "Till: set the serving staff member's own PIN",
            set_own,
        ),
        Route::new(
            "GET",
            "/admin/pos/staff-pins",
            Access::Admin,
            "List the staff members who have a till PIN",
            |engine, _| Ok(Response::json(json!({ "staff_pins": pins::list(engine)? }))),
        ),
        Route::new(
            "POST",
            "/admin/pos/staff-pins",
            Access::Admin,
            "Set a staff member's till PIN",
            |engine, request| {
                let body = request.json()?;
                let field = |name: &str| {
                    body[name].as_str().ok_or_else(|| {
                        Error::invalid(format!("Invalid request: Field '{name}' is required"))
                    })
                };
                let set = pins::set(engine, field("user_id")?, field("pin")?)?;
                Ok(Response::json(json!({ "staff_pin": set })))
            },
        ),
        Route::new(
            "DELETE",
            "/admin/pos/staff-pins/:user_id",
            Access::Admin,
            "Remove a staff member's till PIN",
            |engine, request| {
                let id = request.param("user_id");
                pins::remove(engine, id)?;
                Ok(Response::json(
                    json!({ "id": id, "object": "staff_pin", "deleted": true }),
                ))
            },
        ),
    ]
}

/// The serving staff member's name: their PIN record's, else their user's email.
fn serving_name(engine: &Engine, user_id: &str) -> Result<String> {
    if let Some(pin) = pins::current(engine, user_id)? {
        return Ok(pin.display_name);
    }
    let id = user_id.to_string();
    Ok(engine
        .store()
        .read(move |c| user::retrieve(c, &id))
        .map_or_else(|_| user_id.to_string(), |u| u.email))
}

fn page(
    engine: &Engine,
    _request: &Request,
    ui: &Ui,
    status: u16,
    error: Option<&str>,
) -> Result<Response> {
    let staff = pins::list(engine)?;
    let serving = serving_name(engine, &ui.session.user_id)?;
    let csrf = layout_csrf(ui);
    let markup = layout::page(
        ui,
        "Staff",
        None,
        html! {
            @if let Some(message) = error {
                div class="notice error" role="alert" { (message) }
            }
            p { "Serving now: " strong { (serving) } }
            section {
                h2 { "Switch staff" }
                @if staff.is_empty() {
                    p { "No staff member has a PIN yet: set yours below." }
                } @else {
                    form method="post" action="/pos/staff/switch" {
                        (csrf)
                        div class="field" {
                            label for="user_id" { "Staff member" }
                            select id="user_id" name="user_id" required {
                                @for s in &staff {
                                    option value=(s.user_id) selected[s.user_id == ui.session.user_id] { (s.display_name) }
                                }
                            }
                        }
                        div class="field" {
                            label for="pin" { "PIN" }
                            input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{4,8}" required autofocus;
                        }
                        button type="submit" { "Switch" }
                    }
                }
            }
            section {
                h2 { "Set my PIN" }
                p { "4 to 8 digits, for " (serving) "." }
                form method="post" action="/pos/staff/pin" {
                    (layout_csrf(ui))
                    div class="field" {
                        label for="new_pin" { "New PIN" }
                        input id="new_pin" name="pin" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{4,8}" required;
                    }
                    div class="field" {
                        label for="confirm_pin" { "New PIN again" }
                        input id="confirm_pin" name="pin_confirm" type="password" inputmode="numeric" autocomplete="off" pattern="[0-9]{4,8}" required;
                    }
                    button type="submit" class="secondary" { "Set my PIN" }
                }
            }
        },
    );
    Ok(respond::html_page(status, markup))
}

fn layout_csrf(ui: &Ui) -> maud::Markup {
    crate::http::ui::layout::csrf(ui)
}

fn switch(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let user_id = ui.form.get("user_id").unwrap_or("").trim();
    let pin = ui.form.get("pin").unwrap_or("").trim();
    match pins::check(engine, user_id, pin, request.remote_addr) {
        Ok(staff) => {
            let value = format!(
                "{}.{}",
                staff.user_id,
                staff_tag(engine, &ui.session.sid, &staff.user_id)
            );
            Ok(respond::redirect("/pos?done=switched").with_header(
                "Set-Cookie",
                auth::cookie_header(
                    STAFF_COOKIE,
                    &value,
                    engine.auth().session_ttl_secs,
                    over_tls(request),
                ),
            ))
        }
        Err(Error::TooManyRequests {
            message,
            retry_after_secs,
        }) => Ok(page(engine, request, ui, 429, Some(&message))?
            .with_header("Retry-After", retry_after_secs.to_string())),
        Err(e) if e.status() < 500 => page(engine, request, ui, e.status(), Some(&e.to_string())),
        Err(e) => Err(e),
    }
}

fn set_own(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let pin = ui.form.get("pin").unwrap_or("").trim();
    if ui.form.get("pin_confirm").unwrap_or("").trim() != pin {
        return page(engine, request, ui, 400, Some("The two PINs differ"));
    }
    match pins::set(engine, &ui.session.user_id, pin) {
        Ok(_) => Ok(respond::redirect("/pos/staff?done=pin")),
        Err(e) if e.status() < 500 => page(engine, request, ui, e.status(), Some(&e.to_string())),
        Err(e) => Err(e),
    }
}
