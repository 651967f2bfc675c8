//! `/admin/promotions/:id/rules/batch`, `…/target-rules/batch`, `…/buy-rules/batch`:
//! create, update and delete a promotion's rules of one kind, answered as Medusa's
//! `refetchBatchRules` does (`{created, updated, deleted: {ids, object, deleted}}`).

use super::promotion_json::rule_json;
use super::promotions::{one_of, parse_rules};
use super::strings;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::promotion::rule_batch::{self, RuleUpdate};
use crate::modules::promotion::rules::OPERATORS;
use serde_json::{Value, json};

/// The batch routes, one per rule kind.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/promotions/:id/rules/batch",
            Access::Admin,
            "Create, update or delete a promotion's rules",
            |e, r| batch(e, r, "rules"),
        ),
        Route::new(
            "POST",
            "/admin/promotions/:id/target-rules/batch",
            Access::Admin,
            "Create, update or delete a promotion's target rules",
            |e, r| batch(e, r, "target_rules"),
        ),
        Route::new(
            "POST",
            "/admin/promotions/:id/buy-rules/batch",
            Access::Admin,
            "Create, update or delete a promotion's buy rules",
            |e, r| batch(e, r, "buy_rules"),
        ),
    ]
}

fn schema() -> Schema {
    let create = Schema::new()
        .required("operator", Kind::String)
        .optional("description", Kind::String.nullable())
        .required("attribute", Kind::String)
        .required("values", Kind::Any);
    let update = Schema::new()
        .required("id", Kind::String)
        .optional("operator", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("attribute", Kind::String)
        .required("values", Kind::Any);
    Schema::new()
        .optional_array("create", create)
        .optional_array("update", update)
        .optional("delete", Kind::array_of(Kind::String))
}

fn updates(body: &Value) -> Result<Vec<RuleUpdate>> {
    let mut out = Vec::new();
    for (i, u) in body["update"].as_array().into_iter().flatten().enumerate() {
        one_of(u, &["operator"], &OPERATORS)?;
        let values = match &u["values"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => {
                return Err(Error::invalid(format!(
                    "Invalid request: Expected type: 'string, array' for field 'update, {i}, values'"
                )));
            }
        };
        let text = |k: &str| u[k].as_str().map(str::to_string);
        out.push(RuleUpdate {
            id: text("id").unwrap_or_default(),
            attribute: text("attribute"),
            operator: text("operator"),
            description: text("description"),
            values,
        });
    }
    Ok(out)
}

fn batch(engine: &Engine, request: &Request, kind: &'static str) -> Result<Response> {
    let body = request.body_with(&schema())?;
    let create = parse_rules(body.get("create"), "create")?;
    let update = updates(&body)?;
    let delete = strings(&body, "delete");
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let done = engine
        .store()
        .write(move |tx| rule_batch::batch(tx, &ctx, &id, kind, (&create, &update, &delete)))?;
    let (created, updated) = engine.store().read(|conn| {
        Ok((
            rule_batch::by_ids(conn, &done.created)?,
            rule_batch::by_ids(conn, &done.updated)?,
        ))
    })?;
    Ok(Response::json(json!({
        "created": created.iter().map(rule_json).collect::<Vec<_>>(),
        "updated": updated.iter().map(rule_json).collect::<Vec<_>>(),
        "deleted": {"ids": done.deleted, "object": "promotion-rule", "deleted": true},
    })))
}
