//! `/store/regions`, `/store/currencies`, `/store/payment-providers`.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::http::Paged;
use crate::http::catalog_json::object;
use crate::http::fields::{self, Graph, page, project, string, strings};
use crate::http::query::FieldSelection;
use crate::http::{Request, Response, list_envelope};
use crate::modules::currency;
use crate::modules::region::{self, Region, RegionFilter};
use serde_json::{Value, json};

const REGION_DEFAULTS: &[&str] = &[
    "id",
    "name",
    "currency_code",
    "created_at",
    "updated_at",
    "deleted_at",
    "metadata",
    "*countries",
];

const REGION_GRAPH: Graph = Graph {
    relations: &["countries"],
    opaque: &[],
    embedded: &[],
};

fn render(region: &Region, selection: &FieldSelection) -> Value {
    let mut map = object(region);
    project(&mut map, selection, &REGION_GRAPH, "");
    Value::Object(map)
}

/// `GET /store/regions`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&req.query, 50)?;
    let selection = fields::selection(fields.as_deref(), REGION_DEFAULTS, &[]);
    let filter = RegionFilter {
        ids: strings(&req.query, "id")?,
        currency_codes: strings(&req.query, "currency_code")?,
        names: strings(&req.query, "name")?,
        q: string(&req.query, "q")?,
    };
    let (regions, count) = engine
        .store()
        .read(|conn| region::list(conn, &filter, limit, offset))?;
    let items = regions.iter().map(|r| render(r, &selection)).collect();
    Ok(Response::json(list_envelope(
        "regions", items, count, offset, limit,
    )))
}

/// `GET /store/regions/:id`.
///
/// # Errors
/// 404 "Region with id: X was not found".
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), REGION_DEFAULTS, &[]);
    let id = req.param("id").to_string();
    let region = engine.store().read(|conn| region::retrieve(conn, &id))?;
    Ok(Response::json(
        json!({ "region": render(&region, &selection) }),
    ))
}

/// `GET /store/currencies`.
///
/// # Errors
/// 400 for bad parameters.
pub fn currencies(_: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 50)?;
    let all = currency::list(
        &strings(&req.query, "code")?,
        string(&req.query, "q")?.as_deref(),
    );
    let count = all.len() as u64;
    let items = all
        .iter()
        .page(offset, limit)
        .map(|c| Value::Object(object(c)))
        .collect();
    Ok(Response::json(list_envelope(
        "currencies",
        items,
        count,
        offset,
        limit,
    )))
}

/// `GET /store/currencies/:code`.
///
/// # Errors
/// 404 for an unknown code.
pub fn currency(_: &Engine, req: &Request) -> Result<Response> {
    let code = req.param("code");
    let found = currency::find(code)
        .ok_or_else(|| Error::NotFound(format!("Currency with code: {code} was not found")))?;
    Ok(Response::json(json!({ "currency": object(&found) })))
}

/// `GET /store/payment-providers?region_id=`.
///
/// # Errors
/// 400 "Invalid request: Field 'region_id' is required".
pub fn payment_providers(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 20)?;
    let region_id = string(&req.query, "region_id")?
        .ok_or_else(|| Error::invalid("Invalid request: Field 'region_id' is required"))?;
    let ids = engine
        .store()
        .read(|conn| links::region_payment_provider().rights_of(conn, &region_id))?;
    let count = ids.len() as u64;
    let items = ids
        .iter()
        .page(offset, limit)
        .map(|id| json!({ "id": id, "is_enabled": true }))
        .collect();
    Ok(Response::json(list_envelope(
        "payment_providers",
        items,
        count,
        offset,
        limit,
    )))
}
