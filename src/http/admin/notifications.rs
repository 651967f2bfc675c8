//! `GET /admin/notifications` and `GET /admin/notifications/:id`, as Medusa's: the
//! `{notifications, count, offset, limit}` and `{notification}` envelopes, filters `id`,
//! `channel`, `to`, `template`, `status`, `resource_id` (each a value or a list), `order`
//! (`created_at` or `-created_at`, the default).

use super::{page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::notification::{self, NotificationFilter};
use serde_json::json;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/notifications",
            Access::Admin,
            "List notifications",
            list,
        ),
        Route::new(
            "GET",
            "/admin/notifications/:id",
            Access::Admin,
            "Retrieve a notification",
            retrieve,
        ),
    ]
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let values =
        |key: &str| exact_list(&request.query, key).map_err(|e| Error::invalid(e.to_string()));
    let ascending = match request.query_str("order") {
        None | Some("-created_at") => false,
        Some("created_at") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "order must be created_at or -created_at, not '{other}'"
            )));
        }
    };
    let filter = NotificationFilter {
        ids: ids(&request.query)?,
        channels: values("channel")?,
        to: values("to")?,
        templates: values("template")?,
        statuses: values("status")?,
        resource_ids: values("resource_id")?,
        ascending,
    };
    let (found, count) = engine
        .store()
        .read(|c| notification::list(c, &filter, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "notifications",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|c| notification::retrieve(c, request.param("id")))?;
    Ok(Response::json(json!({ "notification": to_json(&found)? })))
}
