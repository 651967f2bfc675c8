//! Central's side of till sync (issue 17): `POST /admin/pos/sales` ingests till sales
//! (each through the `ingest-pos-sale` workflow under its till order id),
//! `GET /admin/pos/sales[/:till_order_id]` lists what was ingested (`?stock_short=true`: the
//! sales that took more than was available), `GET /admin/pos/changes?since=&limit=&register=`
//! pages through the change log a till pulls (the register's cursor is kept for compaction;
//! a till a compaction left behind is answered 400 `not_allowed`, code `till_reinit_needed`).

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::till_sync::{changes, ingest};
use crate::http::query::list_params;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::pos;
use crate::modules::till_sync::{self, compaction};
use serde_json::{Value, json};

/// The error code of a pull from a till a compaction left behind.
pub const REINIT_NEEDED: &str = "till_reinit_needed";

/// The most sales one push may carry.
pub const MAX_SALES: usize = 100;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/pos/sales",
            Access::Admin,
            "Ingest till sales (idempotent per till order id)",
            push,
        ),
        Route::new(
            "GET",
            "/admin/pos/sales",
            Access::Admin,
            "List ingested till sales",
            list,
        ),
        Route::new(
            "GET",
            "/admin/pos/sales/:till_order_id",
            Access::Admin,
            "Retrieve an ingested till sale by the till's order id",
            retrieve,
        ),
        Route::new(
            "GET",
            "/admin/pos/changes",
            Access::Admin,
            "Catalog changes since a cursor, for tills",
            changes_page,
        ),
    ]
}

/// Each sale is answered on its own: `{till_order_id, order_id, display_id, …}` when it is
/// recorded (now or by an earlier push), `{till_order_id, error}` when refused; one refused
/// sale does not hold back the others.
fn push(engine: &Engine, req: &Request) -> Result<Response> {
    let body = req.json()?;
    let sales = body["sales"]
        .as_array()
        .ok_or_else(|| Error::invalid("Invalid request: Field 'sales' must be an array"))?;
    if sales.len() > MAX_SALES {
        return Err(Error::invalid(format!(
            "Invalid request: at most {MAX_SALES} sales per push"
        )));
    }
    let mut results = Vec::with_capacity(sales.len());
    for sale in sales {
        let till_order_id = sale["till_order_id"].as_str().unwrap_or_default();
        if till_order_id.is_empty() {
            results.push(json!({"till_order_id": null, "error": {"type": "invalid_data", "message": "till_order_id is required"}}));
            continue;
        }
        let key = ingest::key(till_order_id);
        let outcome = ingest::INGEST_POS_SALE
            .run_json(engine, sale.clone(), Some(&key))
            .and_then(|recorded| Ok(serde_json::to_value(recorded)?));
        results.push(match outcome {
            Ok(result) => result,
            Err(e) => json!({"till_order_id": till_order_id, "error": e.to_json()}),
        });
    }
    Ok(Response::json(json!({ "results": results })))
}

fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let params = list_params(&req.query).map_err(|e| Error::invalid(e.to_string()))?;
    let (limit, offset) = (params.limit.unwrap_or(20), params.offset.unwrap_or(0));
    let short_only = match req.query_str("stock_short") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "Invalid request: 'stock_short' must be true or false, got '{other}'"
            )));
        }
    };
    let (items, count) = engine
        .store()
        .read(|c| till_sync::list_sales(c, short_only, offset, limit))?;
    Ok(Response::json(list_envelope(
        "sales", items, count, offset, limit,
    )))
}

fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("till_order_id");
    let found = engine.store().read(|c| till_sync::sale(c, id))?;
    let sale = found.ok_or_else(|| Error::not_found("Till sale", id))?;
    Ok(Response::json(json!({ "sale": sale.result })))
}

fn changes_page(engine: &Engine, req: &Request) -> Result<Response> {
    let number = |name: &str, default: i64| -> Result<i64> {
        match req.query_str(name) {
            None => Ok(default),
            Some(text) => text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid request: '{name}' must be a non-negative integer"
                ))
            }),
        }
    };
    let since = number("since", 0)?;
    let limit = u32::try_from(number("limit", 500)?).unwrap_or(changes::MAX_PAGE);
    let register = match req.query_str("register") {
        Some(code) if pos::valid_code(code) => Some(code.to_string()),
        Some(other) => {
            return Err(Error::invalid(format!(
                "Invalid request: 'register' must be a register code, got '{other}'"
            )));
        }
        None => None,
    };
    let behind = match register {
        // A till names itself: central keeps its cursor (compaction waits for it) and knows
        // whether a compaction left it behind.
        Some(code) => {
            let ctx = engine.ctx().clone();
            engine
                .store()
                .write(move |tx| compaction::record_till(tx, &ctx, &code, since))?
        }
        None => {
            let through = engine.store().read(compaction::compacted_through)?;
            since > 0 && since < through
        }
    };
    if behind {
        return Err(Error::NotAllowed {
            message: format!(
                "Re-init needed: this till's cursor {since} is behind central's compacted change log; \
                 make a new till file with `stockroom till init`"
            ),
            code: Some(REINIT_NEEDED),
        });
    }
    let page = engine.store().read(|c| changes::page(c, since, limit))?;
    let value: Value = serde_json::to_value(page).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(Response::json(value))
}
