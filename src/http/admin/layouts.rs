//! `/admin/layouts`: the dashboard's widget layouts per zone (Medusa's settings module) —
//! `GET /admin/layouts/:zone/configuration` answers the caller's own layout, the zone's
//! system default and which one is active; `POST` saves one (`is_default: true` saves the
//! system default) and answers the same; `DELETE` drops the caller's own;
//! `GET /admin/layouts/configurations` lists the caller's layouts and the system defaults.
//! The caller is the signed-in user, or the secret key a call came with.

use super::{page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::{boolean, ids, selection, string, strings};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::settings::layouts::{self, LayoutConfiguration, LayoutFilter};
use serde_json::{Map, Value, json};

const DEFAULTS: &[&str] = &[
    "id",
    "zone",
    "user_id",
    "is_system_default",
    "configuration",
    "created_at",
    "updated_at",
];

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/layouts/configurations",
            Access::Admin,
            "List the caller's layouts and the system defaults",
            list,
        ),
        Route::new(
            "GET",
            "/admin/layouts/:zone/configuration",
            Access::Admin,
            "A zone's layouts for the caller",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/layouts/:zone/configuration",
            Access::Admin,
            "Save a zone's layout (the caller's, or the system default)",
            save,
        ),
        Route::new(
            "DELETE",
            "/admin/layouts/:zone/configuration",
            Access::Admin,
            "Delete the caller's layout of a zone",
            clear,
        ),
    ]
}

fn caller(request: &Request) -> Result<String> {
    request
        .actor
        .user_id
        .clone()
        .or_else(|| request.actor.api_key_id.clone())
        .ok_or(Error::Unauthorized)
}

/// `{personal_configuration, default_configuration, active_scope}` of `zone` for `user`.
fn state(engine: &Engine, zone: &str, user: &str) -> Result<Value> {
    let (personal, default, stored) = engine.store().read(|conn| {
        Ok((
            layouts::find(conn, zone, Some(user))?,
            layouts::find(conn, zone, None)?,
            layouts::stored_scope(conn, zone, user)?,
        ))
    })?;
    let active = layouts::active_scope(stored, personal.is_some());
    let doc = |l: Option<LayoutConfiguration>| l.as_ref().map(to_json).transpose();
    Ok(json!({
        "personal_configuration": doc(personal)?,
        "default_configuration": doc(default)?,
        "active_scope": active.as_str(),
    }))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let user = caller(request)?;
    Ok(Response::json(state(engine, request.param("zone"), &user)?))
}

fn expected(field: &str, kind: &str, got: &Value) -> Error {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    Error::invalid(format!(
        "Invalid request: Expected type: '{kind}' for field '{field}', got: '{got}'"
    ))
}

/// One widget's preference `{hidden?, section?, order?}`, other keys dropped (Medusa's zod
/// object is not strict).
fn widget(name: &str, value: &Value) -> Result<Value> {
    let Value::Object(map) = value else {
        return Err(expected(
            &format!("configuration, widgets, {name}"),
            "object",
            value,
        ));
    };
    let mut kept = Map::new();
    for (key, kind) in [
        ("hidden", "boolean"),
        ("section", "string"),
        ("order", "number"),
    ] {
        let Some(v) = map.get(key) else { continue };
        let fits = match kind {
            "boolean" => v.is_boolean(),
            "string" => v.is_string(),
            _ => v.is_number(),
        };
        if !fits {
            return Err(expected(
                &format!("configuration, widgets, {name}, {key}"),
                kind,
                v,
            ));
        }
        kept.insert(key.to_string(), v.clone());
    }
    Ok(Value::Object(kept))
}

/// The body `{is_default?, configuration: {widgets: {…}}}` → `(is_default, widgets)`.
fn parse_save(body: &Value) -> Result<(bool, Value)> {
    let Value::Object(body) = body else {
        return Err(expected("", "object", body));
    };
    let is_default = match body.get("is_default") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(expected("is_default", "boolean", other)),
    };
    let configuration = body
        .get("configuration")
        .ok_or_else(|| Error::invalid("Invalid request: Field 'configuration' is required"))?;
    let Value::Object(configuration) = configuration else {
        return Err(expected("configuration", "object", configuration));
    };
    let widgets = configuration.get("widgets").ok_or_else(|| {
        Error::invalid("Invalid request: Field 'configuration, widgets' is required")
    })?;
    let Value::Object(widgets) = widgets else {
        return Err(expected("configuration, widgets", "object", widgets));
    };
    let kept = widgets
        .iter()
        .map(|(name, v)| Ok((name.clone(), widget(name, v)?)))
        .collect::<Result<Map<_, _>>>()?;
    Ok((is_default, Value::Object(kept)))
}

fn save(engine: &Engine, request: &Request) -> Result<Response> {
    let user = caller(request)?;
    let (is_default, widgets) = parse_save(&request.json()?)?;
    let (ctx, zone) = (engine.ctx().clone(), request.param("zone").to_string());
    let owner = user.clone();
    engine
        .store()
        .write(move |tx| layouts::save(tx, &ctx, &zone, &owner, is_default, &widgets))?;
    Ok(Response::json(state(engine, request.param("zone"), &user)?))
}

fn clear(engine: &Engine, request: &Request) -> Result<Response> {
    let user = caller(request)?;
    let (ctx, zone) = (engine.ctx().clone(), request.param("zone").to_string());
    engine
        .store()
        .write(move |tx| layouts::clear(tx, &ctx, &zone, &user))?;
    Ok(Response::json(json!({ "success": true })))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let user = caller(request)?;
    let (offset, limit) = page(request, 20)?;
    let filter = LayoutFilter {
        ids: ids(&request.query)?,
        zones: strings(&request.query, "zone")?,
        is_system_default: boolean(&request.query, "is_system_default")?,
    };
    let (found, count) = engine
        .store()
        .read(|conn| layouts::list(conn, &user, &filter, offset, limit))?;
    let fields = string(&request.query, "fields")?;
    let chosen = selection(fields.as_deref(), DEFAULTS, &[]);
    let items = found
        .iter()
        .map(|l| {
            let mut doc = to_json(l)?;
            if let Value::Object(map) = &mut doc {
                map.retain(|key, _| key == "id" || chosen.includes(key));
            }
            Ok(doc)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "layout_configurations",
        items,
        count,
        offset,
        limit,
    )))
}
