//! `/app/settings`: the store (name, currencies, the `store.details.*` widget zones), regions,
//! sales channels, users and invites (their forms and handlers: `settings_edit.rs`), and API
//! keys — listed with their redacted tokens, each linking to its page (`settings_keys.rs`:
//! sales channels, revoke), a form creating a publishable key, and one that creates a secret key
//! (`api_key::create_secret`, as `POST /admin/api-keys` does) whose token is shown once, on
//! the answer to that form, and never again (only its salted hash is kept). An invite's token
//! is shown once the same way.

use super::view::{self, badge};
use super::{Ui, layout, respond, settings_edit, ui_route, widgets};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::{Request, Response, Route};
use crate::modules::region::{self, RegionFilter};
use crate::modules::{api_key, sales_channel, store, user};
use maud::{Markup, html};

/// The settings routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/settings", "Admin UI settings", show),
        ui_route(
            "POST",
            "/app/settings/api-keys",
            "Create a secret API key",
            create_secret_key,
        ),
    ]
}

fn show(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    render(engine, ui, None, 200)
}

/// A credential shown once, on the answer to the form that made it.
#[derive(Debug, Clone, Copy)]
pub enum ShownOnce<'a> {
    /// A new secret API key: its title and token.
    SecretKey(&'a str, &'a str),
    /// A new invite: its email and token.
    Invite(&'a str, &'a str),
}

/// The settings page (with `shown` once, if given).
///
/// # Errors
/// Database failures.
pub fn render(engine: &Engine, ui: &Ui, shown: Option<ShownOnce>, status: u16) -> Result<Response> {
    let (stores, regions, channels, users, invites, keys, places) =
        engine.store().read(|conn| {
            let stores = store::list(conn, &[])?;
            let (regions, _) = region::list(conn, &RegionFilter::default(), 100, 0)?;
            let channels = sales_channel::list(conn)?;
            let (users, _) = user::list(conn, None, &[], 0, 100)?;
            let invites: Vec<user::Invite> = user::list_invites(conn, &[])?
                .into_iter()
                .filter(|i| !i.accepted)
                .collect();
            let (keys, _) = api_key::list(conn, None, &[], 0, 100)?;
            let places = super::settings_places::load(conn)?;
            Ok((stores, regions, channels, users, invites, keys, places))
        })?;
    let store_id = stores.first().map(|s| s.id.clone()).unwrap_or_default();
    let body = html! {
        (widgets::zone(engine, "store.details.before", &store_id))
        @match shown {
            Some(ShownOnce::SecretKey(title, token)) => div class="notice ok" role="status" {
                "Secret key “" (title) "” created. Copy it now: it is shown only once." br;
                code { (token) }
            },
            Some(ShownOnce::Invite(email, token)) => div class="notice ok" role="status" {
                "Invite for " (email) " created. Send them this invite token now: it is shown only once." br;
                code { (token) }
            },
            None => {},
        }
        @for s in &stores {
            section class="card" aria-labelledby="store-h" {
                h2 id="store-h" { "Store" }
                dl class="pairs" {
                    dt { "Name" } dd { (s.name) }
                    dt { "Currencies" } dd {
                        @for c in &s.supported_currencies {
                            (c.currency_code.to_uppercase()) @if c.is_default { " (default)" } " "
                        }
                    }
                }
                (settings_edit::store_form(ui, &s.id, &s.name))
            }
        }
        (widgets::zone(engine, "store.details.after", &store_id))
        (settings_edit::regions_card(ui, &regions))
        (super::settings_places::cards(engine, ui, &places.0, &places.1))
        (settings_edit::channels_card(ui, &channels))
        (settings_edit::users_card(ui, &users, &invites))
        (keys_card(ui, &keys))
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Settings", "/app/settings", body),
    ))
}

fn keys_card(ui: &Ui, keys: &[api_key::ApiKey]) -> Markup {
    html! {
        section class="card" aria-labelledby="keys-h" {
            h2 id="keys-h" { "API keys" }
            table {
                thead { tr {
                    th scope="col" { "Title" } th scope="col" { "Type" } th scope="col" { "Token" }
                    th scope="col" { "Created" } th scope="col" { "Status" }
                } }
                tbody {
                    @for k in keys {
                        tr {
                            td { a href={ "/app/settings/api-keys/" (k.id) } { (k.title) } }
                            td { (k.kind) }
                            td { code { (k.redacted) } }
                            td { (view::when(&k.created_at)) }
                            td { (badge(if k.revoked_at.is_some() { "revoked" } else { "active" })) }
                        }
                    }
                }
            }
            form method="post" action="/app/settings/api-keys" class="actions" {
                (layout::csrf(ui))
                div {
                    label for="key-title" { "Secret key title" }
                    input id="key-title" name="title" required;
                }
                button type="submit" { "Create secret key" }
            }
            form method="post" action="/app/settings/publishable-keys" class="actions" {
                (layout::csrf(ui))
                div {
                    label for="publishable-title" { "Publishable key title" }
                    input id="publishable-title" name="title" required;
                }
                button type="submit" { "Create publishable key" }
            }
        }
    }
}

fn create_secret_key(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let title = match ui.form.required("title", "Secret key title") {
        Ok(title) => title.to_string(),
        Err(err) => return render(engine, &ui.with_error(err.to_string()), None, 400),
    };
    let (ctx, by, name) = (
        engine.ctx().clone(),
        ui.session.user_id.clone(),
        title.clone(),
    );
    let (_, token) = engine
        .store()
        .write(move |tx| api_key::create_secret(tx, &ctx, &name, &by))?;
    render(engine, ui, Some(ShownOnce::SecretKey(&title, &token)), 201)
}
