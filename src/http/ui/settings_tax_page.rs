//! The pages of tax regions: the settings page's card (each region with a link, and the
//! create form) and a region's own page (`/app/settings/tax-regions/:id`) with its provider,
//! rates, rules, provinces and delete. The forms post to `settings_taxes.rs`.

use super::settings_fields::{self as fields, start};
use super::settings_taxes::RULE_REFERENCES;
use super::view::post_button;
use super::{Ui, layout, respond};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::Response;
use crate::modules::tax::{self, TaxRate, TaxRegion, regions};
use maud::{Markup, html};

/// `US` or `US-CA`.
pub fn place(region: &TaxRegion) -> String {
    match &region.province_code {
        Some(p) => format!("{}-{}", region.country_code, p).to_uppercase(),
        None => region.country_code.to_uppercase(),
    }
}

/// `8.25% VAT`, or "—" without a rate.
pub fn rate_text(rate: &TaxRate) -> String {
    let percent = rate.rate.map(|r| format!("{}%", r.percent_string()));
    format!("{} {}", percent.as_deref().unwrap_or("—"), rate.code)
}

fn provider_select(engine: &Engine, ui: &Ui, form: &str, id: &str, stored: &str) -> Markup {
    let chosen = fields::value(ui, form, "provider_id", stored);
    html! {
        select id=(id) name="provider_id" {
            @for p in engine.providers().tax_ids() {
                option value=(p) selected[chosen == p] { (p) }
            }
        }
    }
}

/// The settings page's form creating a tax region with its default rate.
pub fn create_form(engine: &Engine, ui: &Ui) -> Markup {
    let form = "new-tax-region";
    let text = |id: &str, name: &str, label: &str| fields::text(ui, form, (id, name, label), "");
    html! {
        form method="post" action="/app/settings/tax-regions" {
            (start(ui, form))
            div class="filters" {
                (text("tax-country", "country_code", "Tax region country code"))
                (text("tax-province", "province_code", "Tax region province code (optional)"))
                div {
                    label for="tax-provider-new" { "Tax provider" }
                    (provider_select(engine, ui, form, "tax-provider-new", "tp_system"))
                }
            }
            div class="filters" {
                (text("tax-default-name", "default_name", "Default rate name"))
                (text("tax-default-code", "default_code", "Default rate code"))
                (text("tax-default-rate", "default_rate", "Default rate (%)"))
            }
            button type="submit" { "Create tax region" }
        }
    }
}

fn rate_form(ui: &Ui, n: usize, rate: &TaxRate) -> Markup {
    let form = format!("rate-{}", rate.id);
    let stored = rate.rate.map(|r| r.percent_string()).unwrap_or_default();
    let text = |field: &str, name: &str, label: String, value: &str| {
        let id = format!("rate-{n}-{field}");
        fields::text(ui, &form, (&id, name, &label), value)
    };
    let check = |field: &str, label: String, value: bool| {
        let id = format!("rate-{n}-{field}");
        fields::checkbox(ui, &form, (&id, field, &label), value)
    };
    html! {
        form method="post" action={ "/app/settings/tax-rates/" (rate.id) } class="actions" {
            (start(ui, &form))
            (text("name", "name", format!("Rate {n} name"), &rate.name))
            (text("code", "code", format!("Rate {n} code"), &rate.code))
            (text("rate", "rate", format!("Rate {n} (%)"), &stored))
            (check("is_default", format!("Rate {n} is the default"), rate.is_default))
            (check("is_combinable", format!("Rate {n} is combinable"), rate.is_combinable))
            button type="submit" { "Save rate " (n) }
        }
    }
}

fn rules(ui: &Ui, n: usize, rate: &TaxRate) -> Markup {
    let form = format!("rule-{}", rate.id);
    let chosen = fields::value(ui, &form, "reference", "product");
    html! {
        @if rate.rules.is_empty() {
            p class="muted" { "Rate " (n) " applies to every product." }
        } @else {
            ul {
                @for ((reference, target), rule_id) in rate.rules.iter().zip(&rate.rule_ids) {
                    li {
                        "Rate " (n) " applies to " (reference.replace('_', " ")) " " code { (target) } " "
                        (post_button(
                            ui,
                            &format!("/app/settings/tax-rates/{}/rules/{}/delete", rate.id, rule_id),
                            &format!("Remove rule {target} from rate {n}"),
                            "secondary",
                        ))
                    }
                }
            }
        }
        form method="post" action={ "/app/settings/tax-rates/" (rate.id) "/rules" } class="actions" {
            (start(ui, &form))
            div {
                label for={ "rule-" (n) "-reference" } { "Rule of rate " (n) " applies to" }
                select id={ "rule-" (n) "-reference" } name="reference" {
                    @for (value, label) in RULE_REFERENCES {
                        option value=(value) selected[chosen == *value] { (label) }
                    }
                }
            }
            (fields::text(ui, &form, (&format!("rule-{n}-target"), "reference_id", &format!("Rule of rate {n}: product or type id")), ""))
            button type="submit" class="secondary" { "Add rule to rate " (n) }
        }
    }
}

fn rates_card(ui: &Ui, region: &TaxRegion, rates: &[TaxRate]) -> Markup {
    let form = "new-rate";
    let text = |id: &str, name: &str, label: &str| fields::text(ui, form, (id, name, label), "");
    html! {
        section class="card" aria-labelledby="rates-h" {
            h2 id="rates-h" { "Tax rates" }
            @if rates.is_empty() { p class="muted" { "No rates yet." } }
            @for (i, rate) in rates.iter().enumerate() {
                div class="card" {
                    h3 { "Rate " (i + 1) ": " (rate.name) " — " (rate_text(rate)) @if rate.is_default { " (default)" } }
                    (rate_form(ui, i + 1, rate))
                    (rules(ui, i + 1, rate))
                    (post_button(ui, &format!("/app/settings/tax-rates/{}/delete", rate.id), &format!("Delete rate {}", i + 1), "danger"))
                }
            }
            h3 { "Add a rate" }
            form method="post" action={ "/app/settings/tax-regions/" (region.id) "/rates" } class="actions" {
                (start(ui, form))
                (text("new-rate-name", "name", "New rate name"))
                (text("new-rate-code", "code", "New rate code"))
                (text("new-rate-rate", "rate", "New rate (%)"))
                (fields::checkbox(ui, form, ("new-rate-default", "is_default", "New rate is the default"), false))
                (fields::checkbox(ui, form, ("new-rate-combinable", "is_combinable", "New rate is combinable"), false))
                button type="submit" { "Add tax rate" }
            }
        }
    }
}

/// A tax region's page.
///
/// # Errors
/// 404 for an unknown region; database failures.
pub fn render(engine: &Engine, ui: &Ui, id: &str, status: u16) -> Result<Response> {
    let (region, rates, children, parent) = engine.store().read(|conn| {
        let region = tax::retrieve_region(conn, id)?;
        let rates = tax::rates_of(conn, id)?;
        let children = regions::children_of(conn, id)?;
        let parent = match &region.parent_id {
            Some(p) => Some(tax::retrieve_region(conn, p)?),
            None => None,
        };
        Ok((region, rates, children, parent))
    })?;
    let name = place(&region);
    let body = html! {
        p { a href="/app/settings" { "Back to settings" } }
        section class="card" aria-labelledby="region-h" {
            h2 id="region-h" { "Region" }
            dl class="pairs" {
                dt { "Country" } dd { (region.country_code.to_uppercase()) }
                @if let Some(p) = &region.province_code { dt { "Province" } dd { (p.to_uppercase()) } }
                @if let Some(parent) = &parent {
                    dt { "Part of" } dd { a href={ "/app/settings/tax-regions/" (parent.id) } { (place(parent)) } }
                }
                dt { "Provider" } dd { (region.provider_id.as_deref().unwrap_or("— (the country's)")) }
            }
            @if parent.is_none() {
                form method="post" action={ "/app/settings/tax-regions/" (region.id) } class="actions" {
                    (start(ui, "provider"))
                    div {
                        label for="tax-provider" { "Tax provider" }
                        (provider_select(engine, ui, "provider", "tax-provider", region.provider_id.as_deref().unwrap_or("")))
                    }
                    button type="submit" class="secondary" { "Save provider" }
                }
            }
            @if !children.is_empty() {
                h3 { "Provinces" }
                ul { @for c in &children { li { a href={ "/app/settings/tax-regions/" (c.id) } { (place(c)) } } } }
            }
            p class="muted" { "Deleting the region deletes its provinces, rates and rules." }
            (post_button(ui, &format!("/app/settings/tax-regions/{}/delete", region.id), &format!("Delete tax region {name}"), "danger"))
        }
        (rates_card(ui, &region, &rates))
    };
    let title = format!("Tax region {name}");
    let markup = layout::page(engine, ui, &title, "/app/settings", body);
    Ok(respond::html_page(status, markup))
}
