//! `/admin/shipping-profiles` and `/admin/shipping-option-types`: list, create, retrieve,
//! update, delete (Medusa's `AdminCreateShippingProfile` / `AdminCreateShippingOptionType`
//! bodies, strict; envelopes `{shipping_profile}` / `{shipping_option_type}`).

use super::deleted;
use super::shipping_json::select;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::fulfillment_setup;
use crate::http::fields::{ids, page, string, strings};
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::fulfillment::option_types::{self, TypeFilter};
use crate::modules::fulfillment::profiles::{self, ProfileFilter};
use serde::Serialize;
use serde_json::{Value, json};

const PROFILE_DEFAULTS: &[&str] = &["id", "name", "type", "metadata", "created_at", "updated_at"];
const TYPE_DEFAULTS: &[&str] = &[
    "id",
    "label",
    "code",
    "description",
    "created_at",
    "updated_at",
];

/// The routes of both families.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    let (profiles, profile) = ("/admin/shipping-profiles", "/admin/shipping-profiles/:id");
    let (types, one_type) = (
        "/admin/shipping-option-types",
        "/admin/shipping-option-types/:id",
    );
    vec![
        Route::new("GET", profiles, a, "List shipping profiles", list_profiles),
        Route::new(
            "POST",
            profiles,
            a,
            "Create a shipping profile",
            create_profile,
        ),
        Route::new(
            "GET",
            profile,
            a,
            "Retrieve a shipping profile",
            retrieve_profile,
        ),
        Route::new(
            "POST",
            profile,
            a,
            "Update a shipping profile",
            update_profile,
        ),
        Route::new(
            "DELETE",
            profile,
            a,
            "Delete a shipping profile",
            delete_profile,
        ),
        Route::new("GET", types, a, "List shipping option types", list_types),
        Route::new(
            "POST",
            types,
            a,
            "Create a shipping option type",
            create_type,
        ),
        Route::new(
            "GET",
            one_type,
            a,
            "Retrieve a shipping option type",
            retrieve_type,
        ),
        Route::new(
            "POST",
            one_type,
            a,
            "Update a shipping option type",
            update_type,
        ),
        Route::new(
            "DELETE",
            one_type,
            a,
            "Delete a shipping option type",
            delete_type,
        ),
    ]
}

fn one<T: Serialize>(
    key: &str,
    value: &T,
    request: &Request,
    defaults: &[&str],
) -> Result<Response> {
    let doc = select(
        serde_json::to_value(value)?,
        request.query_str("fields"),
        defaults,
    );
    Ok(Response::json(json!({ key: doc })))
}

fn list_profiles(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&request.query, 20)?;
    let q = &request.query;
    let filter = ProfileFilter {
        q: string(q, "q")?,
        ids: ids(q)?,
        name: string(q, "name")?,
        kind: string(q, "type")?,
    };
    let (rows, count) = engine
        .store()
        .read(|conn| profiles::list(conn, &filter, order.as_deref(), (offset, limit)))?;
    let docs = rows
        .iter()
        .map(|p| {
            Ok(select(
                serde_json::to_value(p)?,
                fields.as_deref(),
                PROFILE_DEFAULTS,
            ))
        })
        .collect::<Result<Vec<Value>>>()?;
    Ok(Response::json(list_envelope(
        "shipping_profiles",
        docs,
        count,
        offset,
        limit,
    )))
}

fn create_profile(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("name", Kind::String)
            .required("type", Kind::String)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let name = get_str(&body, "name").unwrap_or_default().to_string();
    let kind = get_str(&body, "type").unwrap_or_default().to_string();
    let metadata = body.get("metadata").filter(|m| m.is_object()).cloned();
    let ctx = engine.ctx().clone();
    let made = engine.store().write(move |tx| {
        fulfillment_setup::create_profile(tx, &ctx, &name, &kind, metadata.as_ref())
    })?;
    one("shipping_profile", &made, request, PROFILE_DEFAULTS)
}

fn retrieve_profile(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let found = engine.store().read(|conn| profiles::retrieve(conn, id))?;
    one("shipping_profile", &found, request, PROFILE_DEFAULTS)
}

fn update_profile(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("name", Kind::String)
            .optional("type", Kind::String)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let name = get_str(&body, "name").map(str::to_string);
    let kind = get_str(&body, "type").map(str::to_string);
    let metadata = body.get("metadata").cloned();
    let id = request.param("id").to_string();
    let ctx = engine.ctx().clone();
    let updated = engine.store().write(move |tx| {
        let metadata = metadata.as_ref().map(|m| Some(m).filter(|m| m.is_object()));
        fulfillment_setup::update_profile(tx, &ctx, &id, name.as_deref(), kind.as_deref(), metadata)
    })?;
    one("shipping_profile", &updated, request, PROFILE_DEFAULTS)
}

fn delete_profile(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| fulfillment_setup::delete_profile(tx, &ctx, &target))?;
    Ok(deleted(&id, "shipping_profile"))
}

fn list_types(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&request.query, 10)?;
    let q = &request.query;
    let filter = TypeFilter {
        q: string(q, "q")?,
        ids: ids(q)?,
        labels: strings(q, "label")?,
        codes: strings(q, "code")?,
    };
    let (rows, count) = engine
        .store()
        .read(|conn| option_types::list(conn, &filter, order.as_deref(), (offset, limit)))?;
    let docs = rows
        .iter()
        .map(|t| {
            Ok(select(
                serde_json::to_value(t)?,
                fields.as_deref(),
                TYPE_DEFAULTS,
            ))
        })
        .collect::<Result<Vec<Value>>>()?;
    Ok(Response::json(list_envelope(
        "shipping_option_types",
        docs,
        count,
        offset,
        limit,
    )))
}

fn create_type(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("label", Kind::String)
            .required("code", Kind::String)
            .optional("description", Kind::String),
    )?;
    let text = |k: &str| get_str(&body, k).unwrap_or_default().to_string();
    let (label, code, description) = (text("label"), text("code"), text("description"));
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| fulfillment_setup::create_type(tx, &ctx, &label, &code, &description))?;
    one("shipping_option_type", &made, request, TYPE_DEFAULTS)
}

fn retrieve_type(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let found = engine
        .store()
        .read(|conn| option_types::retrieve(conn, id))?;
    one("shipping_option_type", &found, request, TYPE_DEFAULTS)
}

fn update_type(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("label", Kind::String)
            .optional("code", Kind::String)
            .optional("description", Kind::String),
    )?;
    let text = |k: &str| get_str(&body, k).map(str::to_string);
    let (label, code, description) = (text("label"), text("code"), text("description"));
    let id = request.param("id").to_string();
    let ctx = engine.ctx().clone();
    let updated = engine.store().write(move |tx| {
        fulfillment_setup::update_type(
            tx,
            &ctx,
            &id,
            label.as_deref(),
            code.as_deref(),
            description.as_deref(),
        )
    })?;
    one("shipping_option_type", &updated, request, TYPE_DEFAULTS)
}

fn delete_type(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| fulfillment_setup::delete_type(tx, &ctx, &target))?;
    Ok(deleted(&id, "shipping_option_type"))
}
