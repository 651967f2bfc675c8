//! A stock location's page (`/app/settings/locations/:id`): its name and address, sales
//! channels, fulfillment providers, sets and service zones, and shipping options, each with
//! its forms (handled by `settings_locations.rs` and `settings_shipping.rs`), plus the
//! settings page's form creating a location. Labels carry the set's name or the option's
//! number, so none repeats on the page.

use super::settings_fields::{self as fields, start};
use super::settings_locations::location_path;
use super::view::{amount, post_button};
use super::{Ui, layout, respond};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::fulfillment_setup_locations::{providers_of_location, sets_of_location};
use crate::flows::links;
use crate::http::Response;
use crate::modules::fulfillment::ShippingOption;
use crate::modules::fulfillment::option_admin::{self, OptionFilter};
use crate::modules::fulfillment::profiles::{self, ProfileFilter, ShippingProfile};
use crate::modules::fulfillment::zones::FulfillmentSet;
use crate::modules::sales_channel::{self, SalesChannel};
use crate::modules::stock_location::{self, StockLocation};
use maud::{Markup, html};

/// The address fields of the location forms: (name, label).
const ADDRESS: &[(&str, &str)] = &[
    ("address_1", "Street address"),
    ("city", "City"),
    ("postal_code", "Postal code"),
    ("country_code", "Country code"),
];

/// The settings page's form creating a location with its address.
pub fn create_form(ui: &Ui) -> Markup {
    let form = "new-location";
    html! {
        form method="post" action="/app/settings/locations" {
            (start(ui, form))
            div class="filters" {
                (fields::text(ui, form, ("new-location-name", "name", "New location name"), ""))
                @for (name, label) in ADDRESS {
                    (fields::text(ui, form, (&format!("new-location-{name}"), name, &format!("New location {}", label.to_lowercase())), ""))
                }
            }
            button type="submit" { "Create location" }
        }
    }
}

/// What the page shows.
struct Place {
    location: StockLocation,
    channels: Vec<SalesChannel>,
    linked: Vec<String>,
    providers: Vec<String>,
    sets: Vec<FulfillmentSet>,
    options: Vec<ShippingOption>,
    profiles: Vec<ShippingProfile>,
}

fn load(engine: &Engine, id: &str) -> Result<Place> {
    engine.store().read(|conn| {
        let location = stock_location::retrieve(conn, id)?;
        let sets = sets_of_location(conn, id)?;
        let filter = OptionFilter {
            set_ids: Some(sets.iter().map(|s| s.id.clone()).collect()),
            ..OptionFilter::default()
        };
        Ok(Place {
            linked: links::sales_channel_stock_location().lefts_of(conn, id)?,
            channels: sales_channel::list(conn)?,
            providers: providers_of_location(conn, id)?,
            options: option_admin::list(conn, &filter, None, (0, 200))?.0,
            profiles: profiles::list(conn, &ProfileFilter::default(), None, (0, 100))?.0,
            location,
            sets,
        })
    })
}

fn location_card(ui: &Ui, place: &Place) -> Markup {
    let l = &place.location;
    let form = "location";
    let address = l.address.clone().unwrap_or_default();
    let stored = |name: &str| match name {
        "address_1" => address.address_1.clone(),
        "city" => address.city.clone().unwrap_or_default(),
        "postal_code" => address.postal_code.clone().unwrap_or_default(),
        "country_code" => address.country_code.clone(),
        _ => String::new(),
    };
    html! {
        section class="card" aria-labelledby="location-h" {
            h2 id="location-h" { "Name and address" }
            form method="post" action=(location_path(&l.id)) {
                (start(ui, form))
                div class="filters" {
                    (fields::text(ui, form, ("location-name", "name", "Location name"), &l.name))
                    @for (name, label) in ADDRESS {
                        (fields::text(ui, form, (&format!("location-{name}"), name, label), &stored(name)))
                    }
                }
                button type="submit" { "Save location" }
            }
            p class="muted" { "Deleting the location removes its stock levels there and its links." }
            (post_button(ui, &format!("{}/delete", location_path(&l.id)), &format!("Delete location {}", l.name), "danger"))
        }
    }
}

fn channels_card(ui: &Ui, place: &Place) -> Markup {
    let path = format!("{}/sales-channels", location_path(&place.location.id));
    let (on, off): (Vec<_>, Vec<_>) = place
        .channels
        .iter()
        .partition(|c| place.linked.contains(&c.id));
    html! {
        section class="card" aria-labelledby="location-channels-h" {
            h2 id="location-channels-h" { "Sales channels" }
            @if on.is_empty() { p { "No sales channels sell from this location." } }
            ul {
                @for c in &on {
                    li {
                        (c.name) " "
                        form method="post" action=(path) class="inline" {
                            (start(ui, "unlink"))
                            input type="hidden" name="remove" value=(c.id);
                            button type="submit" class="secondary" { "Unlink " (c.name) }
                        }
                    }
                }
            }
            @if !off.is_empty() {
                form method="post" action=(path) class="actions" {
                    (start(ui, "link"))
                    div {
                        label for="location-channel" { "Sales channel to link" }
                        select id="location-channel" name="add" { @for c in &off { option value=(c.id) { (c.name) } } }
                    }
                    button type="submit" { "Link sales channel" }
                }
            }
        }
    }
}

fn fulfillment_card(engine: &Engine, ui: &Ui, place: &Place) -> Markup {
    let base = location_path(&place.location.id);
    let off: Vec<&str> = engine
        .providers()
        .fulfillment_ids()
        .into_iter()
        .filter(|p| !place.providers.iter().any(|on| on == p))
        .collect();
    let set_form = "new-set";
    html! {
        section class="card" aria-labelledby="fulfillment-h" {
            h2 id="fulfillment-h" { "Fulfillment" }
            p { "Providers: " (if place.providers.is_empty() { "none".to_string() } else { place.providers.join(", ") }) }
            @if !off.is_empty() {
                form method="post" action={ (base) "/providers" } class="actions" {
                    (start(ui, "provider"))
                    div {
                        label for="location-provider" { "Fulfillment provider to enable" }
                        select id="location-provider" name="provider_id" { @for p in &off { option value=(p) { (p) } } }
                    }
                    button type="submit" class="secondary" { "Enable provider" }
                }
            }
            @for set in &place.sets {
                h3 { (set.name) " (" (set.kind) ")" }
                ul {
                    @for z in &set.service_zones {
                        li { (z.name) ": " (z.geo_zones.iter().map(|g| g.country_code.to_uppercase()).collect::<Vec<_>>().join(", ")) }
                    }
                }
                @let form = format!("zone-{}", set.id);
                form method="post" action={ (base) "/zones" } class="actions" {
                    (start(ui, &form))
                    input type="hidden" name="fulfillment_set_id" value=(set.id);
                    (fields::text(ui, &form, (&format!("zone-name-{}", set.id), "name", &format!("Zone name in {}", set.name)), ""))
                    (fields::text(ui, &form, (&format!("zone-countries-{}", set.id), "countries", &format!("Zone countries in {} (ISO codes, comma-separated)", set.name)), ""))
                    button type="submit" class="secondary" { "Add zone to " (set.name) }
                }
            }
            form method="post" action={ (base) "/fulfillment-sets" } class="actions" {
                (start(ui, set_form))
                (fields::text(ui, set_form, ("new-set-name", "name", "New fulfillment set name"), ""))
                div {
                    label for="new-set-type" { "Fulfillment set type" }
                    select id="new-set-type" name="type" {
                        option value="shipping" { "Shipping" }
                        option value="pickup" selected[fields::value(ui, set_form, "type", "") == "pickup"] { "Pickup" }
                    }
                }
                button type="submit" class="secondary" { "Create fulfillment set" }
            }
        }
    }
}

fn price_fields(
    ui: &Ui,
    form: &str,
    prefix: &str,
    label: &str,
    currencies: &[String],
    option: Option<&ShippingOption>,
) -> Markup {
    let stored = |currency: &str| {
        option
            .and_then(|o| {
                o.prices
                    .iter()
                    .find(|p| p.region_id.is_none() && p.currency_code == currency)
            })
            .map(|p| {
                amount(p.amount, currency)
                    .split(' ')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default()
    };
    html! {
        @for c in currencies {
            (fields::text(ui, form, (&format!("{prefix}-{c}"), &format!("amount_{c}"), &format!("{label} price ({})", c.to_uppercase())), &stored(c)))
        }
    }
}

fn options_card(ui: &Ui, place: &Place, currencies: &[String]) -> Markup {
    let base = location_path(&place.location.id);
    let zones: Vec<(String, String)> = place
        .sets
        .iter()
        .flat_map(|s| {
            s.service_zones
                .iter()
                .map(move |z| (z.id.clone(), format!("{} · {}", s.name, z.name)))
        })
        .collect();
    let form = "new-option";
    let chosen = |name: &str| fields::value(ui, form, name, "");
    html! {
        section class="card" aria-labelledby="options-h" {
            h2 id="options-h" { "Shipping options" }
            @if place.options.is_empty() { p { "No shipping options." } }
            @for (i, o) in place.options.iter().enumerate() {
                @let n = i + 1;
                @let edit = format!("option-{}", o.id);
                div class="card" {
                    h3 { "Option " (n) ": " (o.name) @if o.rule_allows("is_return", "true") { " (returns)" } }
                    form method="post" action={ "/app/settings/shipping-options/" (o.id) } class="actions" {
                        (start(ui, &edit))
                        (fields::text(ui, &edit, (&format!("option-{n}-name"), "name", &format!("Option {n} name")), &o.name))
                        (price_fields(ui, &edit, &format!("option-{n}-amount"), &format!("Option {n}"), currencies, Some(o)))
                        button type="submit" { "Save option " (n) }
                    }
                    (post_button(ui, &format!("/app/settings/shipping-options/{}/delete", o.id), &format!("Delete option {n}"), "danger"))
                }
            }
            h3 { "New shipping option" }
            @if zones.is_empty() || place.providers.is_empty() {
                p class="muted" { "Enable a fulfillment provider and add a service zone first." }
            } @else {
                form method="post" action={ (base) "/shipping-options" } {
                    (start(ui, form))
                    div class="filters" {
                        (fields::text(ui, form, ("new-option-name", "name", "New option name"), ""))
                        div {
                            label for="new-option-zone" { "Service zone" }
                            select id="new-option-zone" name="service_zone_id" {
                                @for (id, label) in &zones { option value=(id) selected[chosen("service_zone_id") == *id] { (label) } }
                            }
                        }
                        div {
                            label for="new-option-provider" { "Fulfillment provider" }
                            select id="new-option-provider" name="provider_id" {
                                @for p in &place.providers { option value=(p) selected[chosen("provider_id") == *p] { (p) } }
                            }
                        }
                        div {
                            label for="new-option-profile" { "Shipping profile" }
                            select id="new-option-profile" name="shipping_profile_id" {
                                @for p in &place.profiles { option value=(p.id) selected[chosen("shipping_profile_id") == p.id] { (p.name) } }
                            }
                        }
                        (price_fields(ui, form, "new-option-amount", "New option", currencies, None))
                    }
                    button type="submit" { "Create shipping option" }
                }
            }
        }
    }
}

/// A location's page.
///
/// # Errors
/// 404 for an unknown location; database failures.
pub fn render(engine: &Engine, ui: &Ui, id: &str, status: u16) -> Result<Response> {
    let place = load(engine, id)?;
    let currencies = super::settings_shipping::currencies(engine)?;
    let body = html! {
        p { a href="/app/settings" { "Back to settings" } }
        (location_card(ui, &place))
        (channels_card(ui, &place))
        (fulfillment_card(engine, ui, &place))
        (options_card(ui, &place, &currencies))
    };
    let title = format!("Location {}", place.location.name);
    let markup = layout::page(engine, ui, &title, "/app/settings", body);
    Ok(respond::html_page(status, markup))
}
