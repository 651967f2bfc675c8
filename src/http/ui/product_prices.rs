//! A variant's prices on `/app/products/:id`: a field per store currency (a price without
//! rules) and a field per region (a price in the region's currency with the rule
//! `region_id` = the region: Medusa's region price, which the Store API prefers in that
//! region). They are saved together through `flows::product_parts::update_variant`, as
//! `POST /admin/products/:id/variants/:variant_id` with `prices` does, in one write job.
//! Prices the form does not show — other rules, quantity tiers, currencies the store no
//! longer offers, set through the API — are read in that job and kept.

use super::view::amount;
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::flows::product_parts::{self, VariantUpdate};
use crate::http::{Request, Response, Route};
use crate::modules::pricing::{self, NewPrice, StoredPrice};
use crate::modules::region::{self, RegionFilter};
use crate::money;
use maud::{Markup, html};
use rusqlite::Connection;

/// Regions the forms offer a price for at most.
const REGIONS_SHOWN: u64 = 100;

/// The rule attribute of a region price.
const REGION_RULE: &str = "region_id";

/// The price route.
pub fn routes() -> Vec<Route> {
    vec![ui_route(
        "POST",
        "/app/products/:id/variants/:variant_id/prices",
        "Change a variant's prices",
        update_prices,
    )]
}

/// A region a price can be set for.
#[derive(Debug, Clone)]
pub struct RegionChoice {
    /// `reg_…`
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its currency (the price's).
    pub currency: String,
}

/// What a price can be set in: the store's currencies and the regions.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// Lower-case currency codes.
    pub currencies: Vec<String>,
    /// The regions, oldest first.
    pub regions: Vec<RegionChoice>,
}

/// The store's currencies and its regions.
///
/// # Errors
/// Database failures.
pub fn targets(engine: &Engine) -> Result<Targets> {
    let currencies = super::products::currencies(engine)?;
    let regions = engine
        .store()
        .read(|conn| region::list(conn, &RegionFilter::default(), REGIONS_SHOWN, 0))?
        .0
        .into_iter()
        .map(|r| RegionChoice {
            id: r.id,
            name: r.name,
            currency: r.currency_code,
        })
        .collect();
    Ok(Targets {
        currencies,
        regions,
    })
}

/// A variant's prices as the forms show them.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// `(currency, amount)` of the prices without rules.
    pub by_currency: Vec<(String, i64)>,
    /// `(region id, currency, amount)` of the region prices.
    pub by_region: Vec<(String, String, i64)>,
    /// How many other prices the variant has (kept by the form).
    pub others: usize,
}

fn region_of(p: &StoredPrice) -> Option<&str> {
    match p.rules.as_slice() {
        [(attribute, value)] if attribute == REGION_RULE => Some(value),
        _ => None,
    }
}

/// Whether the form shows `p` (and so replaces it when saved).
fn is_shown(p: &StoredPrice, targets: &Targets) -> bool {
    if p.min_quantity.is_some() || p.max_quantity.is_some() {
        return false;
    }
    match region_of(p) {
        Some(id) => targets
            .regions
            .iter()
            .any(|r| r.id == id && r.currency == p.currency_code),
        None => p.rules.is_empty() && targets.currencies.contains(&p.currency_code),
    }
}

/// Sorts a variant's stored prices into what the form shows and what it keeps.
pub fn shown(prices: &[StoredPrice], targets: &Targets) -> Shown {
    let mut out = Shown::default();
    for p in prices {
        if !is_shown(p, targets) {
            out.others += 1;
        } else if let Some(region) = region_of(p) {
            out.by_region
                .push((region.to_string(), p.currency_code.clone(), p.amount));
        } else {
            out.by_currency.push((p.currency_code.clone(), p.amount));
        }
    }
    out
}

/// The prices as a short text for the variant table.
pub fn summary(prices: &Shown, targets: &Targets) -> String {
    let mut parts: Vec<String> = prices
        .by_currency
        .iter()
        .map(|(c, a)| amount(*a, c))
        .collect();
    for (region, currency, minor) in &prices.by_region {
        let name = targets
            .regions
            .iter()
            .find(|r| r.id == *region)
            .map_or(region.as_str(), |r| r.name.as_str());
        parts.push(format!("{} in {name}", amount(*minor, currency)));
    }
    if prices.others > 0 {
        parts.push(format!("and {} more set through the API", prices.others));
    }
    parts.join(", ")
}

/// An amount as typed into a field (`12.50`), without the currency.
fn typed(minor: i64, currency: &str) -> String {
    amount(minor, currency)
        .split(' ')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The price fields of a form: `price_<currency>` and `region_price_<region id>`, labelled
/// with `what` ("Price of Blue", "New variant price"); `key` makes the ids unique on the
/// page. Values: what was posted when `posted` (the form comes back with an error), else
/// `current`.
pub fn fields(
    ui: &Ui,
    key: &str,
    what: &str,
    targets: &Targets,
    current: Option<&Shown>,
    posted: bool,
) -> Markup {
    let value = |name: &str, stored: Option<String>| {
        if posted {
            ui.form.get(name).unwrap_or("").to_string()
        } else {
            stored.unwrap_or_default()
        }
    };
    html! {
        @for c in &targets.currencies {
            @let name = format!("price_{c}");
            @let stored = current.and_then(|s| s.by_currency.iter().find(|(x, _)| x == c)).map(|(_, a)| typed(*a, c));
            div {
                label for={ (key) "-price-" (c) } { (what) " (" (c.to_uppercase()) ")" }
                input id={ (key) "-price-" (c) } name=(name) inputmode="decimal" value=(value(&name, stored));
            }
        }
        @for r in &targets.regions {
            @let name = format!("region_price_{}", r.id);
            @let stored = current.and_then(|s| s.by_region.iter().find(|(x, _, _)| *x == r.id)).map(|(_, c, a)| typed(*a, c));
            div {
                label for={ (key) "-rprice-" (r.id) } { (what) " in " (r.name) " (" (r.currency.to_uppercase()) ")" }
                input id={ (key) "-rprice-" (r.id) } name=(name) inputmode="decimal" value=(value(&name, stored));
            }
        }
    }
}

/// The prices form of one variant.
pub fn form(
    ui: &Ui,
    product: &str,
    variant: (&str, &str),
    prices: &Shown,
    targets: &Targets,
) -> Markup {
    let (vid, title) = variant;
    let posted = ui.form.get("for_variant") == Some(vid);
    html! {
        form method="post" action={ "/app/products/" (product) "/variants/" (vid) "/prices" } class="filters" {
            (layout::csrf(ui))
            input type="hidden" name="for_variant" value=(vid);
            (fields(ui, vid, &format!("Price of {title}"), targets, Some(prices), posted))
            @if prices.others > 0 {
                p class="muted" { (prices.others) " more prices (other rules or quantity tiers) are kept." }
            }
            button type="submit" class="secondary" { "Save prices of " (title) }
        }
    }
}

fn parse_amount(text: &str, currency: &str, what: &str) -> Result<i64> {
    money::parse_major_non_negative(text, currency)
        .map_err(|_| Error::invalid(format!("{what} must be an amount like 12.50")))
}

/// The posted price fields as prices (blank ones left out): per currency without rules, per
/// region in its currency with the `region_id` rule.
///
/// # Errors
/// 400 naming the field for an amount that is not one (negative, too many decimals, text).
pub fn posted(ui: &Ui, targets: &Targets) -> Result<Vec<NewPrice>> {
    let mut out = Vec::new();
    for c in &targets.currencies {
        if let Some(text) = ui.form.optional(&format!("price_{c}")) {
            let what = format!("The {} price", c.to_uppercase());
            out.push(NewPrice {
                currency_code: c.clone(),
                amount: parse_amount(text, c, &what)?,
                ..NewPrice::default()
            });
        }
    }
    for r in &targets.regions {
        if let Some(text) = ui.form.optional(&format!("region_price_{}", r.id)) {
            let what = format!("The price in {}", r.name);
            out.push(NewPrice {
                currency_code: r.currency.clone(),
                amount: parse_amount(text, &r.currency, &what)?,
                rules: vec![(REGION_RULE.to_string(), r.id.clone())],
                ..NewPrice::default()
            });
        }
    }
    Ok(out)
}

/// The variant's prices the form does not show, as prices to write again.
fn kept(conn: &Connection, variant: &str, targets: &Targets) -> Result<Vec<NewPrice>> {
    let Some(set) = links::variant_price_set()
        .rights_of(conn, variant)?
        .into_iter()
        .next()
    else {
        return Ok(Vec::new());
    };
    let stored = pricing::prices_of(conn, std::slice::from_ref(&set))?
        .remove(&set)
        .unwrap_or_default();
    Ok(stored
        .into_iter()
        .filter(|p| !is_shown(p, targets))
        .map(|p| NewPrice {
            currency_code: p.currency_code,
            amount: p.amount,
            min_quantity: p.min_quantity,
            max_quantity: p.max_quantity,
            rules: p.rules,
        })
        .collect())
}

fn update_prices(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let (id, variant) = (
        request.param("id").to_string(),
        request.param("variant_id").to_string(),
    );
    let targets = targets(engine)?;
    let result = posted(ui, &targets).and_then(|mut prices| {
        let (ctx, product) = (engine.ctx().clone(), id.clone());
        engine.store().write(move |tx| {
            prices.extend(kept(tx, &variant, &targets)?);
            let input = VariantUpdate {
                prices: Some(prices),
                ..VariantUpdate::default()
            };
            product_parts::update_variant(tx, &ctx, &product, &variant, &input)
        })
    });
    match result {
        Ok(()) => Ok(respond::redirect(&format!("/app/products/{id}?done=saved"))),
        Err(err) if err.status() < 500 => {
            super::products::render(engine, &id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(currency: &str, amount: i64, rules: &[(&str, &str)]) -> StoredPrice {
        StoredPrice {
            id: "price_1".into(),
            price_set_id: "pset_1".into(),
            currency_code: currency.into(),
            amount,
            min_quantity: None,
            max_quantity: None,
            rules: rules
                .iter()
                .map(|(a, v)| ((*a).to_string(), (*v).to_string()))
                .collect(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_form_shows_currency_and_region_prices_and_keeps_the_rest() {
        let targets = Targets {
            currencies: vec!["usd".into()],
            regions: vec![RegionChoice {
                id: "reg_us".into(),
                name: "US".into(),
                currency: "usd".into(),
            }],
        };
        let mut tiered = stored("usd", 900, &[]);
        tiered.min_quantity = Some(10);
        let prices = [
            stored("usd", 1000, &[]),
            stored("usd", 800, &[("region_id", "reg_us")]),
            stored("usd", 700, &[("customer_group_id", "cusgroup_1")]),
            stored("usd", 600, &[("region_id", "reg_gone")]),
            stored("gbp", 500, &[]),
            tiered,
        ];
        let s = shown(&prices, &targets);
        assert_eq!(s.by_currency, vec![("usd".to_string(), 1000)]);
        assert_eq!(
            s.by_region,
            vec![("reg_us".to_string(), "usd".to_string(), 800)]
        );
        assert_eq!(s.others, 4);
        assert_eq!(
            summary(&s, &targets),
            "10.00 USD, 8.00 USD in US, and 4 more set through the API"
        );
    }
}
