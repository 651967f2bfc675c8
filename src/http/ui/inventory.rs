//! `/app/inventory`: inventory items (search over SKU and title, 50 a page, newest first or
//! sorted by a column header: title, SKU, created) with their
//! stocked, reserved and available units; an item's page with its levels per location, a form
//! per level to adjust stock with a note (`flows::stock_adjust`, one write job), and the
//! item's stock history from the outbox; the `inventory_item.details.*` widget zones.

use super::view::{self, PAGE_SIZE};
use super::{Ui, layout, respond, sorting, ui_route, widgets};
use crate::engine::Engine;
use crate::error::Result;
use crate::events;
use crate::flows::stock_adjust::{self, Adjustment};
use crate::http::{Request, Response, Route};
use crate::modules::inventory::manage::{self, Item};
use crate::modules::inventory::reservations::{self, Reservation, ReservationFilter};
use crate::modules::{SortKey, stock_location};
use maud::{Markup, html};
use serde_json::Value;

/// The list's order when none is asked for.
const NEWEST: SortKey = SortKey {
    column: "created_at",
    descending: true,
};

/// The inventory routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/inventory", "Admin UI inventory", list),
        ui_route("GET", "/app/inventory/:id", "Admin UI inventory item", show),
        ui_route(
            "POST",
            "/app/inventory/:id/locations/:location_id/adjust",
            "Adjust stock at a location",
            adjust,
        ),
    ]
}

fn field<'a>(item: &'a Item, key: &str) -> &'a str {
    item.fields.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let order = sorting::order_of(request, manage::SORTABLE, NEWEST)?;
    let offset = (page - 1) * PAGE_SIZE;
    let (items, total) = engine.store().read(|conn| {
        manage::list_sorted(conn, q.as_deref(), None, &[], &order, offset, PAGE_SIZE)
    })?;
    let body = html! {
        form method="get" action="/app/inventory" class="filters" role="search" aria-label="Search inventory" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="SKU or title" value=(q.as_deref().unwrap_or(""));
            }
            button type="submit" { "Search" }
        }
        table {
            caption class="muted" { "Inventory items" }
            thead { tr {
                (sorting::header(request, "Item", "title", &order, None))
                (sorting::header(request, "SKU", "sku", &order, None))
                th scope="col" class="num" { "Stocked" } th scope="col" class="num" { "Reserved" }
                th scope="col" class="num" { "Available" }
                (sorting::header(request, "Created", "created_at", &order, None))
            } }
            tbody {
                @if items.is_empty() { tr { td colspan="6" { "No items match." } } }
                @for item in &items {
                    tr {
                        td { a href={ "/app/inventory/" (item.id) } { (title_of(item)) } }
                        td { (field(item, "sku")) }
                        td class="num" { (item.stocked_quantity) }
                        td class="num" { (item.reserved_quantity) }
                        td class="num" { (item.stocked_quantity - item.reserved_quantity) }
                        td { (view::when(field(item, "created_at"))) }
                    }
                }
            }
        }
        (view::pager(request, page, items.len(), total))
    };
    Ok(respond::html_page(
        200,
        layout::page(engine, ui, "Inventory", "/app/inventory", body),
    ))
}

fn title_of(item: &Item) -> String {
    let title = field(item, "title");
    if title.is_empty() {
        item.id.clone()
    } else {
        title.to_string()
    }
}

/// Reservations the item page lists (the oldest first; the count says how many there are).
const RESERVATIONS_SHOWN: u64 = 50;

/// The item's reservations: where, how many, for what (an order line or a note).
fn reservations_card(item: &Item, names: &[String], held: &(Vec<Reservation>, u64)) -> Markup {
    let location = |id: &str| {
        item.location_levels
            .iter()
            .zip(names)
            .find(|(l, _)| l.location_id == id)
            .map_or(id.to_string(), |(_, n)| n.clone())
    };
    html! {
        section class="card" aria-labelledby="res-h" {
            h2 id="res-h" { "Reservations (" (held.1) ")" }
            @if held.0.is_empty() { p class="muted" { "Nothing reserved." } }
            @else {
                table {
                    thead { tr {
                        th scope="col" { "Location" } th scope="col" class="num" { "Quantity" }
                        th scope="col" { "For" } th scope="col" { "Since" }
                    } }
                    tbody {
                        @for r in &held.0 {
                            tr {
                                td { (location(&r.location_id)) }
                                td class="num" { (r.quantity) }
                                td { (r.description.as_deref().or(r.line_item_id.as_deref()).unwrap_or("")) }
                                td { (view::when(&r.created_at)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let (item, names, history, held) = engine.store().read(|conn| {
        let item = manage::retrieve(conn, id)?;
        let names = item
            .location_levels
            .iter()
            .map(|l| Ok(stock_location::retrieve(conn, &l.location_id)?.name))
            .collect::<Result<Vec<String>>>()?;
        let history = events::about(conn, &[id.to_string()], 100)?;
        let filter = ReservationFilter {
            inventory_item_ids: vec![id.to_string()],
            ..ReservationFilter::default()
        };
        let held = reservations::list(conn, &filter, 0, RESERVATIONS_SHOWN)?;
        Ok((item, names, history, held))
    })?;
    let body = html! {
        (widgets::zone(engine, "inventory_item.details.before", id))
        div class="grid" {
            div {
                section class="card" aria-labelledby="levels-h" {
                    h2 id="levels-h" { "Locations" }
                    @if item.location_levels.is_empty() { p class="muted" { "Not stocked at any location." } }
                    @for (level, name) in item.location_levels.iter().zip(&names) {
                        div class="field" {
                            h3 { (name) }
                            p {
                                "Stocked " strong { (level.stocked_quantity) } ", reserved " (level.reserved_quantity)
                                ", available " (level.available_quantity) "."
                            }
                            (adjust_form(ui, id, &level.location_id, name))
                        }
                    }
                }
                (reservations_card(&item, &names, &held))
                (history_card(&history))
            }
            div {
                (widgets::zone(engine, "inventory_item.details.side.before", id))
                section class="card" aria-labelledby="item-h" {
                    h2 id="item-h" { "Item" }
                    dl class="pairs" {
                        dt { "SKU" } dd { (field(&item, "sku")) }
                        dt { "Stocked" } dd { (item.stocked_quantity) }
                        dt { "Reserved" } dd { (item.reserved_quantity) }
                    }
                }
                (widgets::zone(engine, "inventory_item.details.side.after", id))
            }
        }
        (widgets::zone(engine, "inventory_item.details.after", id))
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, &title_of(&item), "/app/inventory", body),
    ))
}

fn adjust_form(ui: &Ui, item: &str, location: &str, name: &str) -> Markup {
    html! {
        form method="post" action={ "/app/inventory/" (item) "/locations/" (location) "/adjust" } class="actions" {
            (layout::csrf(ui))
            div {
                label for={ "delta-" (location) } { "Units to add at " (name) " (negative removes)" }
                input id={ "delta-" (location) } name="delta" type="number" required;
            }
            div {
                label for={ "note-" (location) } { "Note for " (name) }
                input id={ "note-" (location) } name="note";
            }
            button type="submit" { "Adjust stock at " (name) }
        }
    }
}

fn history_card(history: &[Value]) -> Markup {
    let adjustments: Vec<&Value> = history
        .iter()
        .filter(|e| e["name"] == "inventory-level.adjusted")
        .collect();
    html! {
        section class="card" aria-labelledby="hist-h" {
            h2 id="hist-h" { "Stock adjustments" }
            @if adjustments.is_empty() { p class="muted" { "No adjustments yet." } }
            ol class="timeline" {
                @for e in adjustments {
                    @let d = &e["data"];
                    li {
                        (view::when(e["created_at"].as_str().unwrap_or(""))) " — "
                        @if d["delta"].as_i64().unwrap_or(0) > 0 { "+" }
                        (d["delta"]) " → " (d["stocked_quantity"])
                        @if let Some(note) = d["note"].as_str() { ": " (note) }
                    }
                }
            }
        }
    }
}

fn adjust(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = ui.form.integer("delta", "Units to add").and_then(|delta| {
        let adjustment = Adjustment {
            item_id: id.clone(),
            location_id: request.param("location_id").to_string(),
            delta: delta.unwrap_or(0),
            note: ui.form.optional("note").map(str::to_string),
            user_id: ui.session.user_id.clone(),
        };
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| stock_adjust::adjust(tx, &ctx, &adjustment))
    });
    match outcome {
        Ok(_) => Ok(respond::redirect(&format!(
            "/app/inventory/{id}?done=adjusted"
        ))),
        Err(err) if err.status() < 500 => {
            render(engine, &id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}
