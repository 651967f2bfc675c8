//! `/app/promotions`: the promotion list (search by code, 50 a page, newest first or sorted
//! by a column header: code, used, status, created) with each promotion's
//! method, usage and status (its code links to its page, `promotion_form.rs`; creating one
//! and campaigns, `campaigns.rs`, are linked above the list), and activating / deactivating
//! one through
//! `flows::promotions::update_promotion` (the `POST /admin/promotions/:id` write, with its
//! `promotion.updated` event), in one write job.

use super::view::{self, PAGE_SIZE, badge, post_button};
use super::{Ui, layout, respond, sorting, ui_route};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::promotions as flow;
use crate::http::{Request, Response, Route};
use crate::modules::SortKey;
use crate::modules::promotion::{self, model::Promotion};
use maud::{Markup, html};
use serde_json::{Map, Value, json};

/// The list's order when none is asked for.
const NEWEST: SortKey = SortKey {
    column: "created_at",
    descending: true,
};

/// The promotion routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/promotions", "Admin UI promotions", list),
        ui_route(
            "POST",
            "/app/promotions/:id/activate",
            "Activate a promotion",
            |e, r, ui| set_status(e, r, ui, "active", "activated"),
        ),
        ui_route(
            "POST",
            "/app/promotions/:id/deactivate",
            "Deactivate a promotion",
            |e, r, ui| set_status(e, r, ui, "inactive", "deactivated"),
        ),
    ]
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request, ui, 200)
}

fn render(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let filter = promotion::Filter {
        q: q.clone(),
        ..promotion::Filter::default()
    };
    let order = sorting::order_of(request, promotion::SORTABLE, NEWEST)?;
    let offset = (page - 1) * PAGE_SIZE;
    let (found, total) = engine
        .store()
        .read(|conn| promotion::list_sorted(conn, &filter, &order, offset, PAGE_SIZE))?;
    let body = html! {
        p { a href="/app/promotions/new" { "Create promotion" } " · " a href="/app/campaigns" { "Campaigns" } }
        form method="get" action="/app/promotions" class="filters" role="search" aria-label="Search promotions" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Code" value=(q.as_deref().unwrap_or(""));
            }
            button type="submit" { "Search" }
        }
        table {
            caption class="muted" { "Promotions" }
            thead { tr {
                (sorting::header(request, "Code", "code", &order, None))
                th scope="col" { "Method" }
                (sorting::header(request, "Used", "used", &order, None))
                (sorting::header(request, "Status", "status", &order, None))
                (sorting::header(request, "Created", "created_at", &order, None))
                th scope="col" { "Action" }
            } }
            tbody {
                @if found.is_empty() { tr { td colspan="6" { "No promotions match." } } }
                @for p in &found { (row(ui, p)) }
            }
        }
        (view::pager(request, page, found.len(), total))
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Promotions", "/app/promotions", body),
    ))
}

/// `10% off order`, `5 USD off items`: a promotion's discount in words.
pub fn method(p: &Promotion) -> String {
    match &p.application_method {
        Some(m) => {
            let value = match (m.kind.as_str(), &m.currency_code) {
                ("percentage", _) => format!("{}%", m.value),
                (_, Some(c)) => format!("{} {}", m.value, c.to_uppercase()),
                _ => m.value.clone(),
            };
            format!("{value} off {}", m.target_type.replace('_', " "))
        }
        None => p.kind.clone(),
    }
}

fn row(ui: &Ui, p: &Promotion) -> Markup {
    html! {
        tr {
            td { a href={ "/app/promotions/" (p.id) } { code { (p.code) } } @if p.is_automatic { " " (badge("automatic")) } }
            td { (method(p)) }
            td { (p.used) @if let Some(limit) = p.limit { " of " (limit) } }
            td { (badge(&p.status)) }
            td { (view::when(&p.created_at)) }
            td {
                @if p.status == "active" {
                    (post_button(ui, &format!("/app/promotions/{}/deactivate", p.id), &format!("Deactivate {}", p.code), "secondary"))
                } @else {
                    (post_button(ui, &format!("/app/promotions/{}/activate", p.id), &format!("Activate {}", p.code), ""))
                }
            }
        }
    }
}

fn set_status(
    engine: &Engine,
    request: &Request,
    ui: &Ui,
    status: &str,
    done: &str,
) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let mut changes = Map::new();
    changes.insert("status".into(), json!(status));
    let outcome = engine
        .store()
        .write(move |tx| flow::update_promotion(tx, &ctx, &id, &changes, None));
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!("/app/promotions?done={done}"))),
        Err(err) if err.status() < 500 => {
            let mut listing = request.clone();
            listing.query = Map::<String, Value>::new();
            render(
                engine,
                &listing,
                &ui.with_error(err.to_string()),
                err.status(),
            )
        }
        Err(err) => Err(err),
    }
}
