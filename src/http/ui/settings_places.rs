//! The settings page's places: tax regions (country, province, provider, default rate — each
//! linking to its page, `settings_tax_page.rs`, and a form creating one) and stock locations
//! with the shipping options of their fulfillment sets (each linking to its page,
//! `settings_location_page.rs`, and a form creating one).

use super::Ui;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::links;
use crate::modules::fulfillment::option_admin::{self, OptionFilter};
use crate::modules::{stock_location, tax};
use maud::{Markup, html};
use rusqlite::Connection;

/// A tax region as listed: where, its provider, its default rate (`8.25% VAT`).
pub struct TaxRow {
    /// `txreg_…`
    pub id: String,
    /// `US` or `US-CA`.
    pub place: String,
    /// `tp_system`, or none.
    pub provider: String,
    /// The default rate, or "—".
    pub default_rate: String,
}

/// A stock location with the names of its shipping options.
pub struct LocationRow {
    /// `sloc_…`
    pub id: String,
    /// The location's name.
    pub name: String,
    /// Its shipping options' names (return options marked).
    pub options: Vec<String>,
}

/// Reads the tax regions and the locations (at most 100 each).
///
/// # Errors
/// Database failures.
pub fn load(conn: &Connection) -> Result<(Vec<TaxRow>, Vec<LocationRow>)> {
    let mut taxes = Vec::new();
    for r in tax::list_regions(conn, &[])?.into_iter().take(100) {
        let default_rate = tax::rates_of(conn, &r.id)?
            .into_iter()
            .find(|t| t.is_default)
            .map_or("—".to_string(), |t| {
                let rate = t.rate.map(|r| r.percent_string()).unwrap_or_default();
                format!("{rate}% {}", t.code)
            });
        taxes.push(TaxRow {
            place: super::settings_tax_page::place(&r),
            id: r.id,
            provider: r.provider_id.unwrap_or_else(|| "—".into()),
            default_rate,
        });
    }
    let (ids, _) = stock_location::manage::list(conn, None, &[], &[], 0, 100)?;
    let mut locations = Vec::new();
    for id in ids {
        let sets = links::location_fulfillment_set().rights_of(conn, &id)?;
        let filter = OptionFilter {
            set_ids: Some(sets),
            ..OptionFilter::default()
        };
        let options = option_admin::list(conn, &filter, None, (0, 100))?
            .0
            .into_iter()
            .map(|o| {
                let is_return = o.rules.iter().any(|r| r.attribute == "is_return")
                    && o.rule_allows("is_return", "true");
                if is_return {
                    format!("{} (returns)", o.name)
                } else {
                    o.name
                }
            })
            .collect();
        locations.push(LocationRow {
            name: stock_location::retrieve(conn, &id)?.name,
            id,
            options,
        });
    }
    Ok((taxes, locations))
}

/// The Tax regions and Locations cards.
pub fn cards(engine: &Engine, ui: &Ui, taxes: &[TaxRow], locations: &[LocationRow]) -> Markup {
    html! {
        section class="card" aria-labelledby="tax-h" {
            h2 id="tax-h" { "Tax regions" }
            table {
                thead { tr { th scope="col" { "Region" } th scope="col" { "Provider" } th scope="col" { "Default rate" } } }
                tbody {
                    @if taxes.is_empty() { tr { td colspan="3" { "No tax regions." } } }
                    @for t in taxes {
                        tr {
                            td { a href={ "/app/settings/tax-regions/" (t.id) } { (t.place) } }
                            td { (t.provider) } td { (t.default_rate) }
                        }
                    }
                }
            }
            h3 { "New tax region" }
            (super::settings_tax_page::create_form(engine, ui))
        }
        section class="card" aria-labelledby="loc-h" {
            h2 id="loc-h" { "Locations and shipping options" }
            table {
                thead { tr { th scope="col" { "Location" } th scope="col" { "Shipping options" } } }
                tbody {
                    @if locations.is_empty() { tr { td colspan="2" { "No stock locations." } } }
                    @for l in locations {
                        tr {
                            td { a href={ "/app/settings/locations/" (l.id) } { (l.name) } }
                            td { (if l.options.is_empty() { "None".to_string() } else { l.options.join(", ") }) }
                        }
                    }
                }
            }
            h3 { "New location" }
            (super::settings_location_page::create_form(ui))
        }
    }
}
