//! Small pieces every page uses: amounts, dates, badges, one-button forms, the pager, and
//! reading the list pages' query (page number, search text, a choice among known values).

use super::{Ui, layout};
use crate::error::{Error, Result};
use crate::http::Request;
use crate::money;
use maud::{Markup, html};
use serde_json::Value;

/// Rows per list page.
pub const PAGE_SIZE: u64 = 50;

/// `12.50 USD` from integer minor units: always the currency's decimals (money is shown to
/// staff as it is counted, not trimmed like the API's numbers).
pub fn amount(minor: i64, currency: &str) -> String {
    let exponent = money::currency_exponent(currency).unwrap_or(2);
    let unit = 10_i128.pow(exponent);
    let value = i128::from(minor);
    let sign = if value < 0 { "-" } else { "" };
    let (whole, frac) = (value.abs() / unit, value.abs() % unit);
    let code = currency.to_uppercase();
    if exponent == 0 {
        format!("{sign}{whole} {code}")
    } else {
        let width = exponent as usize;
        format!("{sign}{whole}.{frac:0width$} {code}")
    }
}

/// An amount of a JSON document (the checkout documents carry `raw_<key>` as exact decimal
/// text beside the number): formatted exactly, never through a float.
pub fn doc_amount(doc: &Value, key: &str, currency: &str) -> String {
    let raw = doc
        .get(format!("raw_{key}"))
        .and_then(|r| r.get("value"))
        .and_then(Value::as_str)
        .and_then(|text| money::parse_major(text, currency).ok());
    match raw {
        Some(minor) => amount(minor, currency),
        None => match doc.get(key) {
            Some(Value::Number(n)) => format!("{n} {}", currency.to_uppercase()),
            _ => "—".into(),
        },
    }
}

/// `2024-01-01 10:00` from an ISO-8601 timestamp.
pub fn when(iso: &str) -> String {
    let trimmed = iso.get(..16).unwrap_or(iso);
    trimmed.replacen('T', " ", 1)
}

/// A status shown as a small badge.
pub fn badge(text: &str) -> Markup {
    html! { span class="badge" { (text.replace('_', " ")) } }
}

/// A form with one submit button posting to `action` (with the CSRF token).
pub fn post_button(ui: &Ui, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form method="post" action=(action) class="inline" {
            (layout::csrf(ui))
            button type="submit" class=(class) { (label) }
        }
    }
}

/// The 1-based page number of a list page (`?page=`).
///
/// # Errors
/// 400 for a page that is not a positive whole number.
pub fn page_number(request: &Request) -> Result<u64> {
    match request.query_str("page").filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(p) => p
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or_else(|| Error::invalid("The page must be a whole number from 1")),
    }
}

/// The search text of a list page (`?q=`), trimmed; blank is none.
pub fn search(request: &Request) -> Option<String> {
    request
        .query_str("q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string)
}

/// One of `allowed` from the query at `key`; absent or blank is `None`.
///
/// # Errors
/// 400 naming the key for any other value.
pub fn choice(request: &Request, key: &str, allowed: &[&str]) -> Result<Option<String>> {
    match request.query_str(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
        Some(v) => Err(Error::invalid(format!("Unknown {key} '{v}'"))),
    }
}

/// Previous / next links keeping the other query parameters.
pub fn pager(request: &Request, page: u64, shown: usize, total: u64) -> Markup {
    let link = |to: u64| {
        let mut parts: Vec<String> = request
            .query
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "done")
            .filter_map(|(k, v)| {
                v.as_str().map(|v| {
                    format!(
                        "{}={}",
                        super::respond::encode(k),
                        super::respond::encode(v)
                    )
                })
            })
            .collect();
        parts.push(format!("page={to}"));
        format!("{}?{}", request.path, parts.join("&"))
    };
    let first = (page - 1) * PAGE_SIZE;
    let last = first + shown as u64;
    html! {
        nav class="pager" aria-label="Pagination" {
            span { "Showing " (if shown == 0 { 0 } else { first + 1 }) "–" (last) " of " (total) }
            @if page > 1 { a href=(link(page - 1)) rel="prev" { "Previous page" } }
            @if last < total { a href=(link(page + 1)) rel="next" { "Next page" } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(amount(1250, "usd"), "12.50 USD");
        assert_eq!(amount(500, "jpy"), "500 JPY");
        assert_eq!(amount(-5, "usd"), "-0.05 USD");
        assert_eq!(amount(2450, "usd"), "24.50 USD");
        let doc = serde_json::json!({"total": 0.3, "raw_total": {"value": "0.3"}});
        assert_eq!(doc_amount(&doc, "total", "eur"), "0.30 EUR");
    }

    #[test]
    fn dates_are_short() {
        assert_eq!(when("2024-01-02T10:20:30.000Z"), "2024-01-02 10:20");
        assert_eq!(when("x"), "x");
    }

    #[test]
    fn page_numbers_are_checked() {
        let mut request = Request::default();
        assert_eq!(page_number(&request).unwrap(), 1);
        request.query.insert("page".into(), "3".into());
        assert_eq!(page_number(&request).unwrap(), 3);
        for bad in ["0", "-1", "x", "99999999999"] {
            request.query.insert("page".into(), bad.into());
            assert_eq!(page_number(&request).unwrap_err().status(), 400, "{bad}");
        }
    }
}
