//! Settings that staff edit in `/app/settings`: the store's name, regions (create; rename),
//! sales channels (create; rename, enable / disable), and invites (create — the invite token
//! is shown once on the answer, as `POST /admin/invites` returns it once; delete). Each form
//! runs the flow or service the Admin API route runs, in one write job, and redirects with a
//! notice; a refusal re-renders the settings page with its message.

use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_region::{self, RegionInput, RegionUpdate};
use crate::flows::sales_channels;
use crate::http::{Request, Response, Route};
use crate::modules::region::{NewRegion, Region};
use crate::modules::sales_channel::{NewSalesChannel, SalesChannel};
use crate::modules::{store, user};
use maud::{Markup, html};
use serde_json::{Map, json};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/settings/store",
            "Rename the store",
            save_store,
        ),
        ui_route(
            "POST",
            "/app/settings/regions",
            "Create a region",
            create_region,
        ),
        ui_route(
            "POST",
            "/app/settings/regions/:id",
            "Rename a region",
            rename_region,
        ),
        ui_route(
            "POST",
            "/app/settings/sales-channels",
            "Create a sales channel",
            create_channel,
        ),
        ui_route(
            "POST",
            "/app/settings/sales-channels/:id",
            "Update a sales channel",
            update_channel,
        ),
        ui_route("POST", "/app/settings/invites", "Invite a user", invite),
        ui_route(
            "POST",
            "/app/settings/invites/:id/delete",
            "Delete an invite",
            delete_invite,
        ),
    ]
}

/// Runs a settings write; success redirects with `done`, a 4xx re-renders the page with
/// the message.
fn answer(engine: &Engine, ui: &Ui, outcome: Result<()>, done: &str) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!("/app/settings?done={done}"))),
        Err(err) if err.status() < 500 => {
            super::settings::render(engine, &ui.with_error(err.to_string()), None, err.status())
        }
        Err(err) => Err(err),
    }
}

fn save_store(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let outcome = ui.form.required("name", "Store name").and_then(|name| {
        let mut changes = Map::new();
        changes.insert("name".into(), json!(name.trim()));
        let ctx = engine.ctx().clone();
        let id = ui.form.required("store_id", "Store")?.to_string();
        engine
            .store()
            .write(move |tx| store::update(tx, &ctx, &id, &changes, None).map(|_| ()))
    });
    answer(engine, ui, outcome, "saved")
}

/// `de, FR ,nl` → `["de", "fr", "nl"]`.
fn countries(text: &str) -> Vec<String> {
    text.split(',')
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

fn create_region(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let f = &ui.form;
    let outcome = (|| {
        let input = RegionInput {
            region: NewRegion {
                name: f.required("name", "Region name")?.trim().to_string(),
                currency_code: f
                    .required("currency_code", "Currency")?
                    .trim()
                    .to_lowercase(),
                countries: countries(f.optional("countries").unwrap_or("")),
                automatic_taxes: true,
                metadata: None,
            },
            payment_providers: vec![crate::modules::payment::provider::SYSTEM.to_string()],
            is_tax_inclusive: f.get("is_tax_inclusive") == Some("true"),
        };
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| create_region::create(tx, &ctx, &input).map(|_| ()))
    })();
    answer(engine, ui, outcome, "created")
}

fn rename_region(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let outcome = ui.form.required("name", "Region name").and_then(|name| {
        let mut update = RegionUpdate::default();
        update.changes.insert("name".into(), json!(name.trim()));
        let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
        engine
            .store()
            .write(move |tx| create_region::update(tx, &ctx, &id, &update).map(|_| ()))
    });
    answer(engine, ui, outcome, "saved")
}

fn create_channel(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let f = &ui.form;
    let outcome = f.required("name", "Channel name").and_then(|name| {
        let input = NewSalesChannel {
            name: name.trim().to_string(),
            description: f.optional("description").map(str::to_string),
            is_disabled: false,
        };
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| sales_channels::create(tx, &ctx, &input).map(|_| ()))
    });
    answer(engine, ui, outcome, "created")
}

/// A rename (`name`) or a switch (`is_disabled` = `true` / `false`).
fn update_channel(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let f = &ui.form;
    let mut changes = Map::new();
    if let Some(name) = f.optional("name") {
        changes.insert("name".into(), json!(name.trim()));
    }
    match f.get("is_disabled") {
        Some("true") => {
            changes.insert("is_disabled".into(), json!(true));
        }
        Some("false") => {
            changes.insert("is_disabled".into(), json!(false));
        }
        _ => {}
    }
    let outcome = if changes.is_empty() {
        Err(Error::invalid("Nothing to change"))
    } else {
        let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
        engine
            .store()
            .write(move |tx| sales_channels::update(tx, &ctx, &id, &changes).map(|_| ()))
    };
    answer(engine, ui, outcome, "saved")
}

fn invite(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let email = match ui.form.required("email", "Email") {
        Ok(email) if email.contains('@') => email.trim().to_string(),
        Ok(_) => {
            return answer(
                engine,
                ui,
                Err(Error::invalid("Email is not an email address")),
                "",
            );
        }
        Err(err) => return answer(engine, ui, Err(err), ""),
    };
    match crate::http::admin::invites::create_for(engine, email) {
        Ok(made) => {
            let shown = super::settings::ShownOnce::Invite(&made.email, &made.token);
            super::settings::render(engine, ui, Some(shown), 201)
        }
        Err(err) => answer(engine, ui, Err(err), ""),
    }
}

fn delete_invite(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let outcome = engine
        .store()
        .write(move |tx| user::delete_invite(tx, &ctx, &id).map(|_| ()));
    answer(engine, ui, outcome, "deleted")
}

/// The store card's rename form.
pub fn store_form(ui: &Ui, id: &str, name: &str) -> Markup {
    html! {
        form method="post" action="/app/settings/store" class="actions" {
            (layout::csrf(ui))
            input type="hidden" name="store_id" value=(id);
            div { label for="store-name" { "Store name" } input id="store-name" name="name" required value=(name); }
            button type="submit" { "Save store" }
        }
    }
}

/// The regions card: each region with a rename form, then a create form.
pub fn regions_card(ui: &Ui, regions: &[Region]) -> Markup {
    html! {
        section class="card" aria-labelledby="regions-h" {
            h2 id="regions-h" { "Regions" }
            @for r in regions {
                form method="post" action={ "/app/settings/regions/" (r.id) } class="actions" {
                    (layout::csrf(ui))
                    div {
                        label for={ "region-" (r.id) } { "Name of " (r.name) " (" (r.currency_code.to_uppercase()) ")" }
                        input id={ "region-" (r.id) } name="name" required value=(r.name);
                    }
                    span class="muted" { (r.countries.iter().map(|c| c.iso_2.to_uppercase()).collect::<Vec<_>>().join(", ")) }
                    button type="submit" class="secondary" { "Rename " (r.name) }
                }
            }
            form method="post" action="/app/settings/regions" class="actions" {
                (layout::csrf(ui))
                div { label for="new-region-name" { "New region name" } input id="new-region-name" name="name" required; }
                div { label for="new-region-currency" { "Currency" } input id="new-region-currency" name="currency_code" required maxlength="3"; }
                div { label for="new-region-countries" { "Countries (ISO codes, comma-separated)" } input id="new-region-countries" name="countries"; }
                div {
                    input type="checkbox" id="new-region-inclusive" name="is_tax_inclusive" value="true";
                    " " label for="new-region-inclusive" class="inline" { "Prices include tax" }
                }
                button type="submit" { "Create region" }
            }
        }
    }
}

/// The sales channels card: rename, enable / disable, create.
pub fn channels_card(ui: &Ui, channels: &[SalesChannel]) -> Markup {
    html! {
        section class="card" aria-labelledby="channels-h" {
            h2 id="channels-h" { "Sales channels" }
            @for c in channels {
                div class="actions" {
                    form method="post" action={ "/app/settings/sales-channels/" (c.id) } class="inline" {
                        (layout::csrf(ui))
                        label for={ "channel-" (c.id) } { "Name of " (c.name) }
                        input id={ "channel-" (c.id) } name="name" required value=(c.name);
                        button type="submit" class="secondary" { "Rename " (c.name) }
                    }
                    form method="post" action={ "/app/settings/sales-channels/" (c.id) } class="inline" {
                        (layout::csrf(ui))
                        @if c.is_disabled {
                            input type="hidden" name="is_disabled" value="false";
                            button type="submit" { "Enable " (c.name) }
                        } @else {
                            input type="hidden" name="is_disabled" value="true";
                            button type="submit" class="secondary" { "Disable " (c.name) }
                        }
                    }
                }
            }
            form method="post" action="/app/settings/sales-channels" class="actions" {
                (layout::csrf(ui))
                div { label for="new-channel-name" { "New channel name" } input id="new-channel-name" name="name" required; }
                div { label for="new-channel-description" { "Description" } input id="new-channel-description" name="description"; }
                button type="submit" { "Create sales channel" }
            }
        }
    }
}

/// The users card: users, open invites (with delete), and the invite form.
pub fn users_card(ui: &Ui, users: &[user::User], invites: &[user::Invite]) -> Markup {
    html! {
        section class="card" aria-labelledby="users-h" {
            h2 id="users-h" { "Users" }
            ul { @for u in users { li { (u.email) } } }
            h3 { "Invites" }
            @if invites.is_empty() { p class="muted" { "No open invites." } }
            ul {
                @for i in invites {
                    li {
                        (i.email) " — expires " (super::view::when(&i.expires_at)) " "
                        (super::view::post_button(ui, &format!("/app/settings/invites/{}/delete", i.id), &format!("Delete invite for {}", i.email), "secondary"))
                    }
                }
            }
            form method="post" action="/app/settings/invites" class="actions" {
                (layout::csrf(ui))
                div { label for="invite-email" { "Invite by email" } input id="invite-email" name="email" type="email" required; }
                button type="submit" { "Send invite" }
            }
        }
    }
}
