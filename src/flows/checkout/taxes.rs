//! A cart's tax lines, recomputed by every refresh when its region taxes automatically (or
//! when asked, `POST /store/carts/:id/taxes`), and the one way carts, order edits, draft
//! orders and after-sales shipping turn a tax region's rates into lines: its provider.

use super::refresh::{CartLines, Place};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::cart::{self, TaxLine};
use crate::modules::tax;
use crate::modules::tax::provider::TaxableLine;
use crate::providers::Providers;
use rusqlite::Connection;

/// Recomputes every tax line of a cart from its shipping place: each item gets the rates
/// that apply to its product (and product type) there, shipping methods the default rates,
/// as the country's tax provider turns them into lines. Only changed lines are rewritten.
///
/// # Errors
/// 400 when `forced` and the cart has no shipping country; a provider's refusal; database
/// failures.
pub(super) fn apply(
    conn: &Connection,
    engine: &Engine,
    place: Option<&Place>,
    forced: bool,
    lines: &mut CartLines,
) -> Result<()> {
    let ctx = engine.ctx();
    if place.is_none() && forced {
        return Err(Error::invalid(
            "country code is required to calculate taxes",
        ));
    }
    // The place's rates are read once for all the cart's lines.
    let rates = match place {
        Some((country, province)) => Some(tax::place_rates(conn, country, province.as_deref())?),
        None => None,
    };
    let lines_for = |product: &str, product_type: Option<&str>| -> Result<Vec<TaxLine>> {
        let (Some((country, province)), Some(rates)) = (place, &rates) else {
            return Ok(Vec::new());
        };
        let place = (country.as_str(), province.as_deref());
        lines_from(engine.providers(), rates, place, product, product_type)
    };
    for item in &mut lines.items {
        let wanted = lines_for(
            item.product_id.as_deref().unwrap_or_default(),
            item.product_type_id.as_deref(),
        )?;
        if same_lines(&item.tax_lines, &wanted) {
            continue;
        }
        cart::set_tax_lines(
            conn,
            ctx,
            "cart_line_item_tax_line",
            "item_id",
            &item.id,
            &wanted,
        )?;
        item.tax_lines = wanted;
    }
    let shipping_lines = lines_for("", None)?;
    for method in &mut lines.methods {
        if same_lines(&method.tax_lines, &shipping_lines) {
            continue;
        }
        cart::set_tax_lines(
            conn,
            ctx,
            "cart_shipping_method_tax_line",
            "shipping_method_id",
            &method.id,
            &shipping_lines,
        )?;
        method.tax_lines = shipping_lines.clone();
    }
    Ok(())
}

/// The tax lines of a product (`""`: shipping) shipped to `(country, province)`, as the
/// provider of the country's tax region computes them from its rates: the one way carts,
/// order edits, draft orders and after-sales shipping are taxed.
///
/// # Errors
/// 400 when the tax region names a provider this build does not register; a provider's
/// refusal; database failures.
pub fn provider_tax_lines(
    conn: &Connection,
    providers: &Providers,
    (country, province): (&str, Option<&str>),
    product: &str,
    product_type: Option<&str>,
) -> Result<Vec<TaxLine>> {
    let rates = tax::place_rates(conn, country, province)?;
    lines_from(
        providers,
        &rates,
        (country, province),
        product,
        product_type,
    )
}

/// [`provider_tax_lines`] from the place's rates, already read.
///
/// # Errors
/// 400 when the tax region names a provider this build does not register; a provider's
/// refusal.
fn lines_from(
    providers: &Providers,
    rates: &tax::PlaceRates,
    (country, province): (&str, Option<&str>),
    product: &str,
    product_type: Option<&str>,
) -> Result<Vec<TaxLine>> {
    let resolved = rates.resolve(product, product_type);
    let provider = providers.tax_for(resolved.provider_id.as_deref())?;
    let line = TaxableLine {
        product_id: product,
        product_type_id: product_type,
        country_code: country,
        province_code: province,
        is_shipping: product.is_empty(),
    };
    Ok(provider
        .rates_for_line(&line, &resolved.rates)?
        .into_iter()
        .map(|r| TaxLine {
            id: String::new(),
            description: Some(r.name),
            tax_rate_id: r.tax_rate_id,
            code: r.code,
            rate_ppm: r.rate_ppm,
            provider_id: Some(provider.id().into()),
        })
        .collect())
}

/// Whether two sets of tax lines apply the same rates (ids aside).
fn same_lines(old: &[TaxLine], new: &[TaxLine]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            (&a.tax_rate_id, a.rate_ppm, &a.code, &a.description)
                == (&b.tax_rate_id, b.rate_ppm, &b.code, &b.description)
        })
}
