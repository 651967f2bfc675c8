//! Discovery of the ids a scenario needs (region, currency, variant, country) from the store
//! API, unless they were given as flags.

use crate::client::{Client, enc};
use crate::config::Config;
use crate::http::Target;
use crate::scenarios::snippet;
use serde_json::Value;

/// Ids discovered from the store API (or taken from flags).
#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// Region id.
    pub region: Option<String>,
    /// Currency of the discovered region.
    pub currency: Option<String>,
    /// Variant id.
    pub variant: Option<String>,
    /// Address country (checkout).
    pub country: Option<String>,
}

/// GET `path` and parse the JSON body; any failure becomes a message.
fn fetch_json(client: &mut Client, path: &str) -> Result<Value, String> {
    let status = client
        .request("GET", path, None)
        .map_err(|e| format!("GET {path}: {}", e.as_str()))?;
    if !(200..300).contains(&status) {
        return Err(format!("GET {path} -> {status} {}", snippet(&client.body)));
    }
    serde_json::from_slice(&client.body).map_err(|e| format!("GET {path}: invalid JSON: {e}"))
}

/// Finds the region (and its currency/country) and variant the scenario needs.
pub fn discover(
    cfg: &Config,
    target: &Target,
    need_region: bool,
    need_variant: bool,
) -> Result<Discovered, String> {
    let mut d = Discovered {
        region: cfg.region.clone(),
        variant: cfg.variant.clone(),
        country: cfg.country.clone(),
        currency: None,
    };
    let mut client = Client::new(target, cfg);
    if need_region && d.region.is_none() {
        discover_region(&mut client, cfg.region_currency.as_deref(), &mut d)?;
    }
    if need_variant && d.variant.is_none() {
        d.variant = Some(discover_variant(&mut client, d.region.as_deref())?);
    }
    if d.country.is_none() {
        d.country = Some("us".into());
    }
    Ok(d)
}

/// Sets region, currency and (unless already set) country from `GET /store/regions`: the first
/// region, or the first with currency `currency`.
fn discover_region(
    client: &mut Client,
    currency: Option<&str>,
    d: &mut Discovered,
) -> Result<(), String> {
    let v = fetch_json(client, "/store/regions")?;
    let regions = v
        .get("regions")
        .and_then(Value::as_array)
        .ok_or("GET /store/regions: no `regions` array")?;
    let region = pick_region(regions, currency)?;
    let id = region
        .get("id")
        .and_then(Value::as_str)
        .ok_or("region without id")?;
    d.region = Some(id.to_string());
    d.currency = region
        .get("currency_code")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if d.country.is_none() {
        d.country = region_country(region);
    }
    Ok(())
}

/// The first region, or the first whose currency is `currency`.
fn pick_region<'v>(regions: &'v [Value], currency: Option<&str>) -> Result<&'v Value, String> {
    regions
        .iter()
        .find(|r| match currency {
            Some(cur) => r
                .get("currency_code")
                .and_then(Value::as_str)
                .is_some_and(|c| c.eq_ignore_ascii_case(cur)),
            None => true,
        })
        .ok_or_else(|| match currency {
            Some(cur) => format!("no region with currency {cur} (use --region)"),
            None => "GET /store/regions returned no region (use --region)".to_string(),
        })
}

/// The address country for `region`: `None` (meaning the default, us) when the region has no
/// countries or includes us, otherwise its first country, lower-cased.
fn region_country(region: &Value) -> Option<String> {
    let countries: Vec<&str> = region
        .get("countries")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("iso_2").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if !countries.is_empty() && !countries.iter().any(|c| c.eq_ignore_ascii_case("us")) {
        Some(countries[0].to_lowercase())
    } else {
        None
    }
}

/// The first variant id of `GET /store/products` (priced in `region`, if known).
fn discover_variant(client: &mut Client, region: Option<&str>) -> Result<String, String> {
    let path = match region {
        Some(r) => format!(
            "/store/products?limit=1&region_id={}&fields=*variants",
            enc(r)
        ),
        None => "/store/products?limit=1&fields=*variants".to_string(),
    };
    let v = fetch_json(client, &path)?;
    let id = v
        .pointer("/products/0/variants/0/id")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("GET {path}: no product with a variant (use --variant)"))?;
    Ok(id.to_string())
}
