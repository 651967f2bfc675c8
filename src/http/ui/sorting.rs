//! Sortable list columns: the `order` query parameter (Medusa's: `field`, or `-field` for
//! descending) read against the list module's whitelist (an unknown field is a 400 page,
//! never SQL: `modules::SortKey`), and column headers that are links to the other order,
//! with `aria-sort` on the sorted one.

use super::respond::encode;
use crate::error::Result;
use crate::http::Request;
use crate::modules::SortKey;
use maud::{Markup, html};

/// The list's order: `?order=` among `allowed`, else `default`.
///
/// # Errors
/// 400 for a field that is not in `allowed`.
pub fn order_of(request: &Request, allowed: &[&'static str], default: SortKey) -> Result<SortKey> {
    match request.query_str("order").filter(|o| !o.is_empty()) {
        None => Ok(default),
        Some(order) => SortKey::parse(order, allowed),
    }
}

/// The link that sorts the list by `field`: ascending, unless it is sorted ascending by
/// `field` already. The other query parameters are kept, the page is not (a new order
/// starts at the first page).
fn link(request: &Request, field: &'static str, current: &SortKey) -> String {
    let next = SortKey {
        column: field,
        descending: current.column == field && !current.descending,
    };
    let mut parts: Vec<String> = request
        .query
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "page" | "done" | "order"))
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{}={}", encode(k), encode(v))))
        .collect();
    parts.push(format!("order={}", encode(&next.param())));
    format!("{}?{}", request.path, parts.join("&"))
}

/// A column header `label` that sorts by `field` (`class` for numbers).
pub fn header(
    request: &Request,
    label: &str,
    field: &'static str,
    current: &SortKey,
    class: Option<&str>,
) -> Markup {
    let sorted = (current.column == field).then_some(if current.descending {
        "descending"
    } else {
        "ascending"
    });
    let arrow = match sorted {
        Some("ascending") => " ▲",
        Some(_) => " ▼",
        None => "",
    };
    html! {
        th scope="col" class=[class] aria-sort=[sorted] {
            a href=(link(request, field, current)) { (label) span aria-hidden="true" { (arrow) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &[(&str, &str)]) -> Request {
        let mut r = Request {
            path: "/app/customers".into(),
            ..Request::default()
        };
        for (k, v) in query {
            r.query.insert((*k).into(), (*v).into());
        }
        r
    }

    const ALLOWED: &[&str] = &["created_at", "email"];
    const NEWEST: SortKey = SortKey {
        column: "created_at",
        descending: true,
    };

    #[test]
    fn the_order_is_one_of_the_allowed_fields() {
        assert_eq!(order_of(&request(&[]), ALLOWED, NEWEST).unwrap(), NEWEST);
        let email = order_of(&request(&[("order", "-email")]), ALLOWED, NEWEST).unwrap();
        assert_eq!((email.column, email.descending), ("email", true));
        let bad = order_of(&request(&[("order", "password_hash")]), ALLOWED, NEWEST);
        assert_eq!(bad.unwrap_err().status(), 400);
    }

    #[test]
    fn headers_link_to_the_other_order_and_keep_the_filters() {
        let r = request(&[("q", "ada b"), ("page", "3"), ("order", "email")]);
        let current = SortKey {
            column: "email",
            descending: false,
        };
        let sorted = header(&r, "Email", "email", &current, None).into_string();
        assert!(sorted.contains("aria-sort=\"ascending\""), "{sorted}");
        assert!(
            sorted.contains("href=\"/app/customers?q=ada%20b&amp;order=-email\""),
            "{sorted}"
        );
        let other = header(&r, "Created", "created_at", &current, None).into_string();
        assert!(!other.contains("aria-sort"), "{other}");
        assert!(other.contains("order=created_at\""), "{other}");
    }
}
