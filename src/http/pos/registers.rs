//! `/pos`: the registers (pick the till this device is) and register setup — a code (the
//! receipt prefix), a name, the stock location; the till's own POS sales channel is created
//! with it (`pos-create-register`, the workflow `POST /admin/pos/registers` runs).

use super::{layout, pos_route};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::pos::types::{CREATE_REGISTER, NewTill};
use crate::http::ui::layout::csrf;
use crate::http::ui::{Ui, respond};
use crate::http::{Request, Response, Route};
use crate::modules::{pos, stock_location};
use maud::html;

/// The register routes.
pub fn routes() -> Vec<Route> {
    vec![
        pos_route("GET", "/pos", "Till: registers", |e, r, ui| {
            list(e, r, ui, 200)
        }),
        pos_route("POST", "/pos/registers", "Till: create a register", create),
    ]
}

fn list(engine: &Engine, _: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let (registers, locations) = engine.store().read(|c| {
        let registers = pos::list_registers(c)?;
        let (ids, _) = stock_location::manage::list(c, None, &[], &[], 0, 200)?;
        let mut locations = Vec::new();
        for id in ids {
            locations.push(stock_location::retrieve(c, &id)?);
        }
        Ok((registers, locations))
    })?;
    let body = html! {
        @if registers.is_empty() {
            p { "No register yet. Create one below." }
        } @else {
            ul class="registers" {
                @for r in &registers {
                    li { a href={"/pos/till/" (r.code)} { (r.name) " (" (r.code) ")" } }
                }
            }
        }
        h2 { "New register" }
        form method="post" action="/pos/registers" {
            (csrf(ui))
            div class="field" {
                label for="code" { "Code (receipt prefix)" }
                input id="code" name="code" required maxlength="8" pattern="[A-Za-z0-9]{1,8}" value=(ui.form.get("code").unwrap_or(""));
            }
            div class="field" {
                label for="name" { "Name" }
                input id="name" name="name" required value=(ui.form.get("name").unwrap_or(""));
            }
            div class="field" {
                label for="location" { "Stock location" }
                select id="location" name="stock_location_id" required {
                    @for l in &locations { option value=(l.id) { (l.name) } }
                }
            }
            p { "The register gets a POS sales channel of its own, selling the store's products from this location; prices, currency and taxes are those of the region of the location's country." }
            button type="submit" { "Create register" }
        }
    };
    let markup = layout::page(ui, "Registers", None, body);
    Ok(respond::html_page(status, markup))
}

fn create(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let text = |field: &str| ui.form.get(field).unwrap_or("").to_string();
    let input = NewTill {
        code: text("code"),
        name: text("name"),
        stock_location_id: text("stock_location_id"),
        ..NewTill::default()
    };
    match CREATE_REGISTER.run(engine, &input, None) {
        Ok(made) => Ok(respond::redirect(&format!(
            "/pos/till/{}?done=created",
            made.register.code
        ))),
        Err(e) if e.status() < 500 => {
            list(engine, request, &ui.with_error(e.to_string()), e.status())
        }
        Err(e) => Err(e),
    }
}
