//! API keys in `/app/settings`: create a publishable key (its token is not a secret — the
//! storefront sends it — so its page always shows it, as Medusa's dashboard does), and on a
//! key's page (`/app/settings/api-keys/:id`) link and unlink its sales channels
//! (`flows::publishable_keys::link_sales_channels`, as `POST
//! /admin/api-keys/:id/sales-channels`), revoke it, and delete it once revoked
//! (`flows::publishable_keys::delete_key`). A secret key is created on the settings page
//! (`settings.rs`) and its token shown once; its page shows only the redacted form.

use super::settings_fields::{answer, start};
use super::view::{self, badge, post_button};
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::{links, publishable_keys};
use crate::http::{Request, Response, Route};
use crate::modules::{api_key, sales_channel};
use maud::html;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/settings/publishable-keys",
            "Create a publishable API key",
            create,
        ),
        ui_route(
            "GET",
            "/app/settings/api-keys/:id",
            "Admin UI API key",
            show,
        ),
        ui_route(
            "POST",
            "/app/settings/api-keys/:id/sales-channels",
            "Link or unlink a sales channel of a publishable API key",
            channels,
        ),
        ui_route(
            "POST",
            "/app/settings/api-keys/:id/revoke",
            "Revoke an API key",
            revoke,
        ),
        ui_route(
            "POST",
            "/app/settings/api-keys/:id/delete",
            "Delete a revoked API key",
            delete,
        ),
    ]
}

fn key_path(id: &str) -> String {
    format!("/app/settings/api-keys/{}", respond::encode(id))
}

fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let outcome = ui
        .form
        .required("title", "Publishable key title")
        .and_then(|title| {
            let (ctx, by, title) = (
                engine.ctx().clone(),
                ui.session.user_id.clone(),
                title.to_string(),
            );
            engine
                .store()
                .write(move |tx| api_key::create_publishable(tx, &ctx, &title, None, &by))
        });
    match outcome {
        Ok(key) => Ok(respond::redirect(&format!(
            "{}?done=created",
            key_path(&key.id)
        ))),
        Err(err) if err.status() < 500 => {
            super::settings::render(engine, &ui.with_error(err.to_string()), None, err.status())
        }
        Err(err) => Err(err),
    }
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, ui, request.param("id"), 200)
}

/// A key's page.
///
/// # Errors
/// 404 for an unknown key; database failures.
pub fn render(engine: &Engine, ui: &Ui, id: &str, status: u16) -> Result<Response> {
    let (key, linked, all) = engine.store().read(|conn| {
        let key = api_key::retrieve(conn, id)?;
        let linked = links::publishable_key_sales_channel().rights_of(conn, id)?;
        Ok((key, linked, sales_channel::list(conn)?))
    })?;
    let publishable = key.kind == "publishable";
    let (on, off): (Vec<_>, Vec<_>) = all.iter().partition(|c| linked.contains(&c.id));
    let body = html! {
        p { a href="/app/settings" { "Back to settings" } }
        section class="card" aria-labelledby="key-h" {
            h2 id="key-h" { "Key" }
            dl class="pairs" {
                dt { "Type" } dd { (key.kind) }
                dt { "Token" } dd {
                    @if publishable { code { (key.token) } } @else { code { (key.redacted) } " (a secret key is shown only when it is made)" }
                }
                dt { "Created" } dd { (view::when(&key.created_at)) }
                dt { "Status" } dd { (badge(if key.revoked_at.is_some() { "revoked" } else { "active" })) }
            }
            div class="actions" {
                @if key.revoked_at.is_none() {
                    (post_button(ui, &format!("{}/revoke", key_path(&key.id)), "Revoke key", "danger"))
                } @else {
                    (post_button(ui, &format!("{}/delete", key_path(&key.id)), "Delete key", "danger"))
                }
            }
        }
        @if publishable {
            section class="card" aria-labelledby="key-channels-h" {
                h2 id="key-channels-h" { "Sales channels" }
                p class="muted" { "The storefront sees the products of these channels with this key." }
                @if on.is_empty() { p { "No sales channels linked." } }
                ul {
                    @for c in &on {
                        li {
                            (c.name) " "
                            form method="post" action={ (key_path(&key.id)) "/sales-channels" } class="inline" {
                                (start(ui, "unlink"))
                                input type="hidden" name="remove" value=(c.id);
                                button type="submit" class="secondary" { "Unlink " (c.name) }
                            }
                        }
                    }
                }
                @if !off.is_empty() {
                    form method="post" action={ (key_path(&key.id)) "/sales-channels" } class="actions" {
                        (start(ui, "link"))
                        div {
                            label for="key-channel" { "Sales channel to link" }
                            select id="key-channel" name="add" {
                                @for c in &off { option value=(c.id) { (c.name) } }
                            }
                        }
                        button type="submit" { "Link sales channel" }
                    }
                }
            }
        }
    };
    let title = format!("API key “{}”", key.title);
    let markup = layout::page(engine, ui, &title, "/app/settings", body);
    Ok(respond::html_page(status, markup))
}

/// Links (`add`) or unlinks (`remove`) one sales channel.
fn channels(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let one = |name: &str| ui.form.optional(name).map(|c| vec![c.to_string()]);
    let (add, remove) = (one("add"), one("remove"));
    let outcome = if add.is_none() && remove.is_none() {
        Err(Error::invalid("Choose a sales channel"))
    } else {
        let (ctx, key) = (engine.ctx().clone(), id.clone());
        engine.store().write(move |tx| {
            publishable_keys::link_sales_channels(
                tx,
                &ctx,
                &key,
                &add.unwrap_or_default(),
                &remove.unwrap_or_default(),
            )
        })
    };
    let to = format!("{}?done=saved", key_path(&id));
    answer(outcome, &to, |ui, s| render(engine, ui, &id, s), ui)
}

fn revoke(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, by, key) = (engine.ctx().clone(), ui.session.user_id.clone(), id.clone());
    let outcome = engine
        .store()
        .write(move |tx| api_key::revoke(tx, &ctx, &key, &by));
    let to = format!("{}?done=revoked", key_path(&id));
    answer(outcome, &to, |ui, s| render(engine, ui, &id, s), ui)
}

fn delete(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, key) = (engine.ctx().clone(), id.clone());
    let outcome = engine
        .store()
        .write(move |tx| publishable_keys::delete_key(tx, &ctx, &key));
    answer(
        outcome,
        "/app/settings?done=deleted",
        |ui, s| render(engine, ui, &id, s),
        ui,
    )
}
