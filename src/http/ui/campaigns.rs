//! `/app/campaigns`: the campaign list (newest first or sorted by a column header: name,
//! identifier, start, end; search by name or identifier) with
//! each budget's use, and creating a campaign — name, identifier, dates, a `usage` or
//! `spend` budget — from a form turned into the `POST /admin/campaigns` body and checked by
//! the route's own `campaign_input` before `flows::promotions::create_campaign`.

use super::view::{self, PAGE_SIZE};
use super::{Ui, layout, respond, sorting, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::promotions as flow;
use crate::http::admin::campaigns::{campaign_input, campaign_schema};
use crate::http::{Request, Response, Route};
use crate::modules::SortKey;
use crate::modules::promotion::campaign::{self, Budget};
use maud::html;
use serde_json::{Value, json};

/// The list's order when none is asked for.
const NEWEST: SortKey = SortKey {
    column: "created_at",
    descending: true,
};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/campaigns", "Admin UI campaigns", |e, r, ui| {
            render(e, r, ui, 200)
        }),
        ui_route("POST", "/app/campaigns", "Create a campaign", create),
    ]
}

/// `3 of 10 uses`, `12.00 of 50.00 USD spent`, or without a limit.
pub fn budget_text(b: &Budget) -> String {
    let amount = |n: i64| match &b.currency_code {
        Some(c) => view::amount(n, c),
        None => n.to_string(),
    };
    let used = amount(b.used);
    match (b.kind.as_str(), b.limit) {
        ("usage", Some(limit)) => format!("{used} of {limit} uses"),
        ("usage", None) => format!("{used} uses, no limit"),
        (_, Some(limit)) => format!("{used} of {} spent", amount(limit)),
        (_, None) => format!("{used} spent, no limit"),
    }
}

fn render(engine: &Engine, request: &Request, ui: &Ui, status: u16) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let order = sorting::order_of(request, campaign::SORTABLE, NEWEST)?;
    let offset = (page - 1) * PAGE_SIZE;
    let (found, total) = engine
        .store()
        .read(|conn| campaign::list_sorted(conn, q.as_deref(), &[], &order, offset, PAGE_SIZE))?;
    let f = &ui.form;
    let value = |name: &str| f.get(name).unwrap_or("").to_string();
    let body = html! {
        p { a href="/app/promotions" { "Back to promotions" } }
        form method="get" action="/app/campaigns" class="filters" role="search" aria-label="Search campaigns" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" placeholder="Name or identifier" value=(q.as_deref().unwrap_or(""));
            }
            button type="submit" { "Search" }
        }
        table {
            caption class="muted" { "Campaigns" }
            thead { tr {
                (sorting::header(request, "Name", "name", &order, None))
                (sorting::header(request, "Identifier", "campaign_identifier", &order, None))
                th scope="col" { "Budget" }
                (sorting::header(request, "Starts", "starts_at", &order, None))
                (sorting::header(request, "Ends", "ends_at", &order, None))
            } }
            tbody {
                @if found.is_empty() { tr { td colspan="5" { "No campaigns match." } } }
                @for c in &found {
                    tr {
                        td { (c.name) }
                        td { code { (c.campaign_identifier) } }
                        td { (c.budget.as_ref().map(budget_text).unwrap_or_else(|| "None".into())) }
                        td { (c.starts_at.as_deref().map(view::when).unwrap_or_default()) }
                        td { (c.ends_at.as_deref().map(view::when).unwrap_or_default()) }
                    }
                }
            }
        }
        (view::pager(request, page, found.len(), total))
        form method="post" action="/app/campaigns" class="card" {
            (layout::csrf(ui))
            h2 { "New campaign" }
            div class="field" { label for="name" { "Name" } input id="name" name="name" required value=(value("name")); }
            div class="field" { label for="campaign_identifier" { "Identifier" } input id="campaign_identifier" name="campaign_identifier" required value=(value("campaign_identifier")); }
            div class="field" { label for="starts_at" { "Starts (YYYY-MM-DD)" } input id="starts_at" name="starts_at" type="date" value=(value("starts_at")); }
            div class="field" { label for="ends_at" { "Ends (YYYY-MM-DD)" } input id="ends_at" name="ends_at" type="date" value=(value("ends_at")); }
            div class="field" {
                label for="budget_type" { "Budget" }
                select id="budget_type" name="budget_type" {
                    option value="" { "None" }
                    option value="usage" selected[f.get("budget_type") == Some("usage")] { "Uses" }
                    option value="spend" selected[f.get("budget_type") == Some("spend")] { "Spend" }
                }
            }
            div class="field" { label for="budget_limit" { "Budget limit" } input id="budget_limit" name="budget_limit" inputmode="decimal" value=(value("budget_limit")); }
            div class="field" { label for="budget_currency" { "Budget currency (spend)" } input id="budget_currency" name="budget_currency" maxlength="3" value=(value("budget_currency")); }
            button type="submit" { "Create campaign" }
        }
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Campaigns", "/app/promotions", body),
    ))
}

/// A date from the form as the ISO-8601 instant the API takes.
fn instant(text: &str, label: &str) -> Result<Value> {
    let date = text.trim();
    let ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok {
        return Err(Error::invalid(format!(
            "{label} must be a date (YYYY-MM-DD)"
        )));
    }
    Ok(json!(format!("{date}T00:00:00.000Z")))
}

/// The Admin API's create body for the form.
fn create_body(ui: &Ui) -> Result<Value> {
    let f = &ui.form;
    let mut body = json!({
        "name": f.required("name", "Name")?.trim(),
        "campaign_identifier": f.required("campaign_identifier", "Identifier")?.trim(),
    });
    for (key, label) in [("starts_at", "Start"), ("ends_at", "End")] {
        if let Some(text) = f.optional(key) {
            body[key] = instant(text, label)?;
        }
    }
    if let Some(kind) = f.optional("budget_type") {
        let mut budget = json!({ "type": kind });
        if let Some(limit) = f.optional("budget_limit").map(str::trim)
            && let Ok(whole) = limit.parse::<i64>()
        {
            budget["limit"] = json!(whole);
        } else if let Some(limit) = f.optional("budget_limit") {
            let parsed: f64 = limit
                .trim()
                .parse()
                .map_err(|_| Error::invalid("Budget limit must be a number"))?;
            budget["limit"] = serde_json::Number::from_f64(parsed)
                .map(Value::Number)
                .ok_or_else(|| Error::invalid("Budget limit must be a number"))?;
        }
        if let Some(currency) = f.optional("budget_currency") {
            budget["currency_code"] = json!(currency.trim().to_lowercase());
        }
        body["budget"] = budget;
    }
    campaign_schema()
        .check(&body)
        .map_err(|e| Error::InvalidData(e.to_string()))?;
    Ok(body)
}

fn create(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let created = create_body(ui).and_then(|body| {
        let input = campaign_input(&body)?;
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| flow::create_campaign(tx, &ctx, &input, &[]))
    });
    match created {
        Ok(_) => Ok(respond::redirect("/app/campaigns?done=created")),
        Err(err) if err.status() < 500 => {
            let mut listing = request.clone();
            listing.query = serde_json::Map::new();
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
