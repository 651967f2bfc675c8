//! Currencies as Medusa lists them (`code, name, symbol, symbol_native, decimal_digits,
//! rounding`). Static reference data: nothing is stored, so the module has no tables.

use serde::Serialize;

/// One currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Currency {
    /// Lower-case ISO 4217.
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// International symbol.
    pub symbol: &'static str,
    /// Local symbol.
    pub symbol_native: &'static str,
    /// Minor-unit digits.
    pub decimal_digits: u32,
    /// Cash rounding step (0 = none).
    pub rounding: u32,
}

const fn c(
    code: &'static str,
    name: &'static str,
    symbol: &'static str,
    symbol_native: &'static str,
    decimal_digits: u32,
) -> Currency {
    Currency {
        code,
        name,
        symbol,
        symbol_native,
        decimal_digits,
        rounding: 0,
    }
}

/// Every known currency, by code.
pub const CURRENCIES: &[Currency] = &[
    c("aud", "Australian Dollar", "AU$", "$", 2),
    c("brl", "Brazilian Real", "R$", "R$", 2),
    c("cad", "Canadian Dollar", "CA$", "$", 2),
    c("chf", "Swiss Franc", "CHF", "CHF", 2),
    c("cny", "Chinese Yuan", "CN¥", "CN¥", 2),
    c("czk", "Czech Republic Koruna", "Kč", "Kč", 2),
    c("dkk", "Danish Krone", "Dkr", "kr", 2),
    c("eur", "Euro", "€", "€", 2),
    c("gbp", "British Pound Sterling", "£", "£", 2),
    c("hkd", "Hong Kong Dollar", "HK$", "$", 2),
    c("huf", "Hungarian Forint", "Ft", "Ft", 2),
    c("inr", "Indian Rupee", "Rs", "টকা", 2),
    c("jpy", "Japanese Yen", "¥", "￥", 0),
    c("krw", "South Korean Won", "₩", "₩", 0),
    c("kwd", "Kuwaiti Dinar", "KD", "د.ك.\u{200f}", 3),
    c("mxn", "Mexican Peso", "MX$", "$", 2),
    c("nok", "Norwegian Krone", "Nkr", "kr", 2),
    c("nzd", "New Zealand Dollar", "NZ$", "$", 2),
    c("pln", "Polish Zloty", "zł", "zł", 2),
    c("sek", "Swedish Krona", "Skr", "kr", 2),
    c("sgd", "Singapore Dollar", "S$", "$", 2),
    c("usd", "US Dollar", "$", "$", 2),
];

/// Currencies matching the optional `codes` and `q` (substring of code or name), sorted by
/// code.
pub fn list(codes: &[String], q: Option<&str>) -> Vec<Currency> {
    let q = q.map(str::to_lowercase);
    CURRENCIES
        .iter()
        .filter(|c| codes.is_empty() || codes.iter().any(|k| k.eq_ignore_ascii_case(c.code)))
        .filter(|c| {
            q.as_deref()
                .is_none_or(|q| c.code.contains(q) || c.name.to_lowercase().contains(q))
        })
        .cloned()
        .collect()
}

/// The currency with this code.
pub fn find(code: &str) -> Option<Currency> {
    CURRENCIES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code))
        .cloned()
}
