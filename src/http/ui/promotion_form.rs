//! `/app/promotions/new` and `/app/promotions/:id`: creating a promotion — code, method,
//! value, target, up to three rules, an optional campaign — from a form turned into the
//! `POST /admin/promotions` body and checked by the route's own checks
//! (`admin::promotions::create_input`) before `flows::promotions::create_promotion`; and a
//! promotion's page (details, method, rules, campaign and budget) with the
//! `promotion.details.*` widget zones.

use super::view::{self, badge, post_button};
use super::{Ui, layout, respond, ui_route, widgets};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::promotions as flow;
use crate::http::admin::promotions::create_input;
use crate::http::{Request, Response, Route};
use crate::modules::promotion::campaign::{self, Campaign};
use crate::modules::promotion::model::{self, Promotion};
use maud::{Markup, html};
use serde_json::{Value, json};

/// Cart rules the form offers (rows `rule_*_1`, `rule_*_2`) and item-target rules (`target_*_1`).
const CART_RULES: usize = 2;
/// Operators a rule row may use (Medusa's).
const OPERATORS: &[&str] = &["eq", "ne", "in", "gt", "gte", "lt", "lte"];

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "GET",
            "/app/promotions/new",
            "Admin UI new promotion form",
            |e, _, ui| form_page(e, ui, 200),
        ),
        ui_route("POST", "/app/promotions", "Create a promotion", create),
        ui_route("GET", "/app/promotions/:id", "Admin UI promotion", show),
    ]
}

fn campaigns(engine: &Engine) -> Result<Vec<Campaign>> {
    let (found, _) = engine
        .store()
        .read(|conn| campaign::list(conn, None, &[], 0, 200))?;
    Ok(found)
}

fn select(id: &str, label: &str, options: &[&str], chosen: Option<&str>) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(id) {
                @for o in options { option value=(o) selected[chosen == Some(*o)] { (o.replace('_', " ")) } }
            }
        }
    }
}

fn rule_row(ui: &Ui, prefix: &str, n: usize, legend: &str) -> Markup {
    let f = &ui.form;
    let name = |part: &str| format!("{prefix}_{part}_{n}");
    html! {
        fieldset {
            legend { (legend) }
            div class="field" {
                label for=(name("attribute")) { "Attribute" }
                input id=(name("attribute")) name=(name("attribute")) placeholder="e.g. customer.groups.id"
                    value=(f.get(&name("attribute")).unwrap_or(""));
            }
            (select(&name("operator"), "Operator", OPERATORS, f.get(&name("operator"))))
            div class="field" {
                label for=(name("values")) { "Values" }
                input id=(name("values")) name=(name("values")) aria-describedby={ (name("values")) "-help" }
                    value=(f.get(&name("values")).unwrap_or(""));
                span id={ (name("values")) "-help" } class="muted" { " Separate several with commas." }
            }
        }
    }
}

fn form_page(engine: &Engine, ui: &Ui, status: u16) -> Result<Response> {
    let campaigns = campaigns(engine)?;
    let f = &ui.form;
    let value = |name: &str| f.get(name).unwrap_or("").to_string();
    let body = html! {
        form method="post" action="/app/promotions" class="card" {
            (layout::csrf(ui))
            h2 { "Promotion" }
            div class="field" { label for="code" { "Code" } input id="code" name="code" required value=(value("code")); }
            (select("status", "Status", &["draft", "active", "inactive"], f.get("status")))
            div class="field" {
                input type="checkbox" id="is_automatic" name="is_automatic" value="true" checked[f.get("is_automatic") == Some("true")];
                " " label for="is_automatic" class="inline" { "Apply automatically (no code needed)" }
            }
            div class="field" { label for="limit" { "Usage limit" } input id="limit" name="limit" inputmode="numeric" value=(value("limit")); }
            h2 { "Discount" }
            (select("method_type", "Discount type", &["percentage", "fixed"], f.get("method_type")))
            div class="field" { label for="value" { "Value" } input id="value" name="value" required inputmode="decimal" value=(value("value")); }
            div class="field" {
                label for="currency_code" { "Currency (fixed amounts)" }
                input id="currency_code" name="currency_code" maxlength="3" value=(value("currency_code"));
            }
            (select("target_type", "Applies to", &["order", "items", "shipping_methods"], f.get("target_type")))
            (select("allocation", "Allocation", &["across", "each"], f.get("allocation")))
            div class="field" { label for="max_quantity" { "Max quantity (each)" } input id="max_quantity" name="max_quantity" inputmode="numeric" value=(value("max_quantity")); }
            h2 { "Conditions" }
            @for n in 1..=CART_RULES { (rule_row(ui, "rule", n, &format!("Cart rule {n}"))) }
            (rule_row(ui, "target", 1, "Items the discount targets"))
            h2 { "Campaign" }
            div class="field" {
                label for="campaign_id" { "Campaign" }
                select id="campaign_id" name="campaign_id" {
                    option value="" { "None" }
                    @for c in &campaigns { option value=(c.id) selected[f.get("campaign_id") == Some(c.id.as_str())] { (c.name) } }
                }
            }
            button type="submit" { "Create promotion" }
        }
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Create promotion", "/app/promotions", body),
    ))
}

/// A number typed into the form, as JSON (a whole number stays one, as `10` sent to the API
/// is stored as `10`, not `10.0`).
fn number(text: &str, label: &str) -> Result<Value> {
    if let Ok(whole) = text.trim().parse::<i64>() {
        return Ok(json!(whole));
    }
    let parsed: f64 = text
        .trim()
        .parse()
        .map_err(|_| Error::invalid(format!("{label} must be a number")))?;
    serde_json::Number::from_f64(parsed)
        .map(Value::Number)
        .ok_or_else(|| Error::invalid(format!("{label} must be a number")))
}

fn whole(text: &str, label: &str) -> Result<Value> {
    text.trim()
        .parse::<i64>()
        .map(|n| json!(n))
        .map_err(|_| Error::invalid(format!("{label} must be a whole number")))
}

/// The rows of `prefix` that have an attribute, as the API's rule objects.
fn rules_of(ui: &Ui, prefix: &str, rows: usize) -> Result<Vec<Value>> {
    let f = &ui.form;
    let mut rules = Vec::new();
    for n in 1..=rows {
        let Some(attribute) = f.optional(&format!("{prefix}_attribute_{n}")) else {
            continue;
        };
        let values: Vec<&str> = f
            .optional(&format!("{prefix}_values_{n}"))
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(Error::invalid(format!("Rule {attribute} needs a value")));
        }
        let operator = f
            .optional(&format!("{prefix}_operator_{n}"))
            .unwrap_or("eq");
        let values = match (operator, values.as_slice()) {
            ("in", _) => json!(values),
            (_, [one]) => json!(one),
            _ => json!(values),
        };
        rules.push(json!({"attribute": attribute.trim(), "operator": operator, "values": values}));
    }
    Ok(rules)
}

/// The Admin API's create body for the form.
fn create_body(ui: &Ui) -> Result<Value> {
    let f = &ui.form;
    let code = f.required("code", "Code")?;
    let value = number(f.required("value", "Value")?, "Value")?;
    let mut method = json!({
        "type": f.optional("method_type").unwrap_or("percentage"),
        "target_type": f.optional("target_type").unwrap_or("order"),
        "allocation": f.optional("allocation").unwrap_or("across"),
        "value": value,
    });
    if let Some(currency) = f.optional("currency_code") {
        method["currency_code"] = json!(currency.trim().to_lowercase());
    }
    if let Some(max) = f.optional("max_quantity") {
        method["max_quantity"] = whole(max, "Max quantity")?;
    }
    let targets = rules_of(ui, "target", 1)?;
    if !targets.is_empty() {
        method["target_rules"] = json!(targets);
    }
    let mut body = json!({
        "code": code.trim(),
        "type": "standard",
        "status": f.optional("status").unwrap_or("draft"),
        "is_automatic": f.get("is_automatic") == Some("true"),
        "application_method": method,
        "rules": rules_of(ui, "rule", CART_RULES)?,
    });
    if let Some(limit) = f.optional("limit") {
        body["limit"] = whole(limit, "Usage limit")?;
    }
    if let Some(campaign) = f.optional("campaign_id") {
        body["campaign_id"] = json!(campaign);
    }
    Ok(body)
}

fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let created = create_body(ui).and_then(|body| {
        let (input, campaign) = create_input(&body)?;
        let ctx = engine.ctx().clone();
        engine
            .store()
            .write(move |tx| flow::create_promotion(tx, &ctx, &input, campaign.as_ref()))
    });
    match created {
        Ok(id) => Ok(respond::redirect(&format!(
            "/app/promotions/{id}?done=created"
        ))),
        Err(err) if err.status() < 500 => {
            form_page(engine, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let found = engine.store().read(|conn| model::retrieve(conn, id))?;
    let body = html! {
        (widgets::zone(engine, "promotion.details.before", id))
        div class="grid" {
            div {
                (details(ui, &found))
                (rules(&found))
            }
            div {
                (widgets::zone(engine, "promotion.details.side.before", id))
                (campaign_card(&found))
                (widgets::zone(engine, "promotion.details.side.after", id))
            }
        }
        (widgets::zone(engine, "promotion.details.after", id))
    };
    Ok(respond::html_page(
        200,
        layout::page(engine, ui, &found.code, "/app/promotions", body),
    ))
}

fn details(ui: &Ui, p: &Promotion) -> Markup {
    html! {
        section class="card" aria-labelledby="details-h" {
            h2 id="details-h" { "Details" }
            dl class="pairs" {
                dt { "Code" } dd { code { (p.code) } }
                dt { "Status" } dd { (badge(&p.status)) }
                dt { "Type" } dd { (p.kind) }
                dt { "Automatic" } dd { (if p.is_automatic { "yes" } else { "no" }) }
                dt { "Discount" } dd { (super::promotions::method(p)) }
                dt { "Used" } dd { (p.used) @if let Some(limit) = p.limit { " of " (limit) } }
                dt { "Created" } dd { (view::when(&p.created_at)) }
            }
            @if p.status == "active" {
                (post_button(ui, &format!("/app/promotions/{}/deactivate", p.id), &format!("Deactivate {}", p.code), "secondary"))
            } @else {
                (post_button(ui, &format!("/app/promotions/{}/activate", p.id), &format!("Activate {}", p.code), ""))
            }
        }
    }
}

fn rules(p: &Promotion) -> Markup {
    html! {
        section class="card" aria-labelledby="rules-h" {
            h2 id="rules-h" { "Conditions" }
            @if p.rules.is_empty() { p class="muted" { "Every cart qualifies." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Attribute" } th scope="col" { "Operator" } th scope="col" { "Values" } } }
                    tbody {
                        @for r in &p.rules {
                            tr {
                                td { code { (r.attribute) } }
                                td { (r.operator) }
                                td { (r.values.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", ")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn campaign_card(p: &Promotion) -> Markup {
    html! {
        section class="card" aria-labelledby="campaign-h" {
            h2 id="campaign-h" { "Campaign" }
            @match &p.campaign {
                None => p class="muted" { "In no campaign." },
                Some(c) => dl class="pairs" {
                    dt { "Name" } dd { (c.name) }
                    dt { "Identifier" } dd { code { (c.campaign_identifier) } }
                    @if let Some(b) = &c.budget {
                        dt { "Budget" }
                        dd { (super::campaigns::budget_text(b)) }
                    }
                },
            }
        }
    }
}
