//! Tax providers (Medusa's `ITaxProvider`): given a line and the rates the tax module
//! resolved for it (its tax region's overrides or default, province over country), the
//! provider answers the tax lines. A country's tax region names its provider
//! (`provider_id`, `tp_system` by default); registered with `EngineBuilder::tax_provider`.
//! Runs inside the cart's write job (every refresh recomputes tax lines): no network calls.

use super::TaxRate;
use crate::error::Result;

/// The system provider's id.
pub const SYSTEM: &str = "tp_system";

/// What a line is taxed as, for a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxableLine<'a> {
    /// The product (empty for a shipping method).
    pub product_id: &'a str,
    /// The product's type.
    pub product_type_id: Option<&'a str>,
    /// Lower-case ISO-2 of the shipping address.
    pub country_code: &'a str,
    /// Lower-case province code, if any.
    pub province_code: Option<&'a str>,
    /// Whether the line is a shipping method.
    pub is_shipping: bool,
}

/// One rate a provider applies to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRate {
    /// The tax module's rate it comes from, if any.
    pub tax_rate_id: Option<String>,
    /// Code, e.g. `VAT`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Millionths of a percent (8.25 % is 8_250_000).
    pub rate_ppm: i64,
}

/// A tax provider.
pub trait TaxProvider: Send + Sync {
    /// The provider id (`tp_…`).
    fn id(&self) -> &'static str;
    /// The rates that apply to `line`, given the rates the tax module resolved for it.
    ///
    /// # Errors
    /// The provider cannot tax the line (the cart change is then refused).
    fn rates_for_line(&self, line: &TaxableLine, resolved: &[TaxRate]) -> Result<Vec<LineRate>>;
}

/// `tp_system`: applies the resolved rates as they are (a rate-less default applies none).
pub struct SystemProvider;

impl TaxProvider for SystemProvider {
    fn id(&self) -> &'static str {
        SYSTEM
    }
    fn rates_for_line(&self, _: &TaxableLine, resolved: &[TaxRate]) -> Result<Vec<LineRate>> {
        Ok(resolved
            .iter()
            .filter_map(|r| {
                Some(LineRate {
                    tax_rate_id: Some(r.id.clone()),
                    code: r.code.clone(),
                    name: r.name.clone(),
                    rate_ppm: r.rate?.percent_ppm(),
                })
            })
            .collect())
    }
}
