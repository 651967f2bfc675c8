//! `/admin/search-indexes`: Stockroom has no search module (Medusa's `Modules.SEARCH`, an
//! optional provider such as Meilisearch), so these answer as Medusa does without one: the
//! list is empty with `enabled: false`, and deleting or reindexing an index is a 404 "The
//! Search Module is not enabled" — after the reindex body is validated, as Medusa's
//! middleware does first.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route};
use serde_json::json;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/search-indexes",
            Access::Admin,
            "List search indexes (none without a search module)",
            list,
        ),
        Route::new(
            "DELETE",
            "/admin/search-indexes/:id",
            Access::Admin,
            "Delete a search index (404 without a search module)",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/search-indexes/:id/reindex",
            Access::Admin,
            "Reindex a search index (404 without a search module)",
            reindex,
        ),
    ]
}

fn disabled() -> Error {
    Error::NotFound("The Search Module is not enabled".into())
}

fn list(_: &Engine, _: &Request) -> Result<Response> {
    Ok(Response::json(
        json!({ "search_indexes": [], "enabled": false }),
    ))
}

fn delete(_: &Engine, _: &Request) -> Result<Response> {
    Err(disabled())
}

fn reindex(_: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("since", Kind::String)
        .optional("filters", Kind::Object)
        .optional("strategy", Kind::String);
    let body = request.body_with(&schema)?;
    if let Some(strategy) = get_str(&body, "strategy")
        && !["swap", "in_place"].contains(&strategy)
    {
        return Err(Error::invalid(format!(
            "Invalid request: Expected: 'swap, in_place' for field 'strategy', but got: '{strategy}'"
        )));
    }
    if let Some(since) = get_str(&body, "since")
        && chrono_like(since).is_none()
    {
        return Err(Error::invalid(
            "Invalid request: Invalid ISO datetime for field 'since'",
        ));
    }
    Err(disabled())
}

/// `Some(())` for an ISO-8601 date-time with a zone (`Z` or `±hh:mm`), as zod's
/// `iso.datetime({offset: true})` accepts.
fn chrono_like(text: &str) -> Option<()> {
    let (date, time) = text.split_once('T')?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut parts = date.split('-');
    let ok_date = digits(parts.next()?, 4) && digits(parts.next()?, 2) && digits(parts.next()?, 2);
    let (clock, zone) = match time.strip_suffix('Z') {
        Some(clock) => (clock, ""),
        None => time.split_at(time.rfind(['+', '-'])?),
    };
    let zone_ok = zone.is_empty() || {
        let z = &zone[1..];
        digits(z, 4)
            || z.split_once(':')
                .is_some_and(|(h, m)| digits(h, 2) && digits(m, 2))
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.split(':');
    let ok_clock = digits(hms.next()?, 2) && digits(hms.next()?, 2);
    (ok_date && ok_clock && zone_ok).then_some(())
}

#[cfg(test)]
mod tests {
    use super::chrono_like;

    #[test]
    fn since_is_an_iso_date_time_with_a_zone() {
        for good in [
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.123+02:00",
            "2026-01-02T03:04Z",
        ] {
            assert!(chrono_like(good).is_some(), "{good}");
        }
        for bad in [
            "2026-01-02",
            "2026-01-02T03:04:05",
            "yesterday",
            "2026-1-2T03:04Z",
        ] {
            assert!(chrono_like(bad).is_none(), "{bad}");
        }
    }
}
