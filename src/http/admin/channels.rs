//! `/admin/sales-channels`, `/admin/api-keys` (publishable keys and their channels),
//! `/admin/stores`: list, retrieve, create, update, delete (channels, keys), update (stores).

use super::{as_map, deleted};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::{links, publishable_keys, sales_channels};
use crate::http::catalog_json::object;
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Request, Response, list_envelope};
use crate::modules::api_key::{self, ApiKey};
use crate::modules::{sales_channel, store};
use crate::workflow::parse_input;
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /admin/sales-channels`.
///
/// # Errors
/// Database failures.
pub fn list_channels(engine: &Engine, req: &Request) -> Result<Response> {
    let ids = ids(&req.query)?;
    let list = engine
        .store()
        .read(|conn| sales_channel::list_ids(conn, &ids))?;
    let count = list.len() as u64;
    let items = list.iter().map(|c| Value::Object(object(c))).collect();
    Ok(Response::json(list_envelope(
        "sales_channels",
        items,
        count,
        0,
        count,
    )))
}

/// `GET /admin/sales-channels/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_channel(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let found = engine.store().read(|c| sales_channel::retrieve(c, &id))?;
    Ok(Response::json(json!({ "sales_channel": object(&found) })))
}

/// `POST /admin/sales-channels`'s body, once its schema (Medusa's wording) has passed.
#[derive(Deserialize)]
struct ChannelBody {
    name: String,
    description: Option<String>,
    #[serde(default)]
    is_disabled: bool,
}

/// `POST /admin/api-keys`'s body.
#[derive(Deserialize)]
struct KeyBody {
    title: String,
    #[serde(rename = "type")]
    kind: String,
}

/// `{add, remove}` id lists (each may be absent), once the route's schema has passed.
#[derive(Deserialize)]
pub(super) struct AddRemove {
    /// Ids to add.
    #[serde(default)]
    pub(super) add: Vec<String>,
    /// Ids to remove.
    #[serde(default)]
    pub(super) remove: Vec<String>,
}

/// One of a store's `supported_currencies`.
#[derive(Deserialize)]
struct StoreCurrency {
    currency_code: String,
    #[serde(default)]
    is_default: bool,
}

/// `POST /admin/sales-channels`.
///
/// # Errors
/// 400 for an invalid body.
pub fn create_channel(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("name", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("is_disabled", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable());
    let body: ChannelBody = parse_input(&req.body_with(&schema)?)?;
    let input = sales_channel::NewSalesChannel {
        name: body.name,
        description: body.description,
        is_disabled: body.is_disabled,
    };
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| sales_channels::create(tx, &ctx, &input))?;
    Ok(Response::json(json!({ "sales_channel": object(&made) })))
}

fn key_json(engine: &Engine, key: &ApiKey) -> Result<Value> {
    let id = key.id.clone();
    let channels = engine
        .store()
        .read(move |c| links::publishable_key_sales_channel().rights_of(c, &id))?;
    let mut map = object(key);
    let channels = channels.iter().map(|id| json!({ "id": id })).collect();
    map.insert("sales_channels".into(), Value::Array(channels));
    Ok(json!({ "api_key": map }))
}

/// `POST /admin/api-keys` (publishable keys; secret keys come with the accounts work).
///
/// # Errors
/// 400 for an invalid body or a secret key request.
pub fn create_key(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("title", Kind::String)
        .required("type", Kind::String);
    let body: KeyBody = parse_input(&req.body_with(&schema)?)?;
    if body.kind != "publishable" {
        return Err(Error::invalid(
            "Only publishable API keys can be created here",
        ));
    }
    let title = body.title;
    let user = req.actor.user_id.clone().unwrap_or_default();
    let ctx = engine.ctx().clone();
    let key = engine
        .store()
        .write(move |tx| api_key::create_publishable(tx, &ctx, &title, None, &user))?;
    Ok(Response::json(key_json(engine, &key)?))
}

/// `GET /admin/api-keys/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_key(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let key = engine.store().read(|c| api_key::retrieve(c, &id))?;
    Ok(Response::json(key_json(engine, &key)?))
}

/// `POST /admin/api-keys/:id/revoke`.
///
/// # Errors
/// 404 when absent.
pub fn revoke_key(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let user = req.actor.user_id.clone().unwrap_or_default();
    let ctx = engine.ctx().clone();
    let key = engine
        .store()
        .write(move |tx| api_key::revoke(tx, &ctx, &id, &user))?;
    Ok(Response::json(key_json(engine, &key)?))
}

/// `POST /admin/api-keys/:id/sales-channels` with `{add: [...], remove: [...]}`.
///
/// # Errors
/// 404 for an unknown key or channel.
pub fn key_channels(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("add", Kind::array_of(Kind::String))
        .optional("remove", Kind::array_of(Kind::String));
    let body: AddRemove = parse_input(&req.body_with(&schema)?)?;
    let (add, remove) = (body.add, body.remove);
    let id = req.param("id").to_string();
    let ctx = engine.ctx().clone();
    let key_id = id.clone();
    engine
        .store()
        .write(move |tx| publishable_keys::link_sales_channels(tx, &ctx, &key_id, &add, &remove))?;
    let key = engine.store().read(|c| api_key::retrieve(c, &id))?;
    Ok(Response::json(key_json(engine, &key)?))
}

/// `GET /admin/stores`.
///
/// # Errors
/// Database failures.
pub fn list_stores(engine: &Engine, req: &Request) -> Result<Response> {
    let ids = ids(&req.query)?;
    let found = engine.store().read(|conn| store::list(conn, &ids))?;
    let items: Vec<Value> = found.iter().map(|s| Value::Object(object(s))).collect();
    let count = items.len() as u64;
    Ok(Response::json(list_envelope("stores", items, count, 0, 20)))
}

/// `GET /admin/stores/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_store(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let found = engine.store().read(|c| store::retrieve(c, &id))?;
    Ok(Response::json(json!({ "store": object(&found) })))
}

/// `POST /admin/sales-channels/:id` → `{sales_channel}`.
///
/// # Errors
/// 400 for an invalid body; 404 when absent.
pub fn update_channel(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("name", Kind::String)
        .optional("description", Kind::String.nullable())
        .optional("is_disabled", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(req.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| sales_channels::update(tx, &ctx, &id, &changes))?;
    Ok(Response::json(json!({ "sales_channel": object(&updated) })))
}

/// `DELETE /admin/sales-channels/:id` → `{id, object: "sales-channel", deleted: true}`.
///
/// # Errors
/// 404 when absent; 400 for the store's default channel.
pub fn delete_channel(engine: &Engine, req: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| sales_channels::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "sales-channel"))
}

/// `POST /admin/stores/:id` → `{store}`.
///
/// # Errors
/// 400 for an invalid body, an unknown currency or not exactly one default currency; 404
/// when absent.
pub fn update_store(engine: &Engine, req: &Request) -> Result<Response> {
    let currency = Schema::new()
        .required("currency_code", Kind::String)
        .optional("is_default", Kind::Boolean);
    let schema = Schema::new()
        .optional("name", Kind::String)
        .optional_array("supported_currencies", currency)
        .optional("default_sales_channel_id", Kind::String.nullable())
        .optional("default_region_id", Kind::String.nullable())
        .optional("default_location_id", Kind::String.nullable())
        .optional("metadata", Kind::Object.nullable());
    let mut changes = as_map(req.body_with(&schema)?);
    let currencies = match changes.remove("supported_currencies") {
        Some(list) => Some(parse_input::<Vec<StoreCurrency>>(&list)?),
        None => None,
    };
    let currencies: Option<Vec<(String, bool)>> = currencies.map(|list| {
        list.into_iter()
            .map(|c| (c.currency_code, c.is_default))
            .collect()
    });
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| store::update(tx, &ctx, &id, &changes, currencies.as_deref()))?;
    Ok(Response::json(json!({ "store": object(&updated) })))
}

/// `POST /admin/sales-channels/:id/products` with `{add?, remove?}` (product ids) →
/// `{sales_channel}`.
///
/// # Errors
/// 400 for an invalid body; 404 for an unknown channel or product.
pub fn link_products(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("add", Kind::array_of(Kind::String))
        .optional("remove", Kind::array_of(Kind::String));
    let body: AddRemove = parse_input(&req.body_with(&schema)?)?;
    let (add, remove) = (body.add, body.remove);
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let channel = engine.store().write(move |tx| {
        crate::flows::sales_channels::link_products(tx, &ctx, &id, &add, &remove)
    })?;
    Ok(Response::json(json!({ "sales_channel": object(&channel) })))
}
