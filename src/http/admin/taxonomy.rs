//! `/admin/product-categories`, `/admin/collections`, `/admin/product-tags`,
//! `/admin/product-types`: create, list, retrieve, update, delete (events through
//! `flows::taxonomy`).

use super::as_map;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::taxonomy as flow;
use crate::http::catalog_json::object;
use crate::http::fields::{ids, page, string, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Request, Response, list_envelope};
use crate::modules::product::membership;
use crate::modules::product::taxonomy::{self, Deletable, NewCategory, SimpleFilter, ValueKind};
use crate::workflow::parse_input;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

fn one<T: Serialize>(key: &str, item: &T) -> Response {
    let mut body = Map::new();
    body.insert(key.into(), Value::Object(object(item)));
    Response::json(Value::Object(body))
}

fn many<T: Serialize>(key: &str, items: &[T], count: u64, offset: u64, limit: u64) -> Response {
    let items = items.iter().map(|i| Value::Object(object(i))).collect();
    Response::json(list_envelope(key, items, count, offset, limit))
}

fn filter(req: &Request, key_param: &str) -> Result<SimpleFilter> {
    Ok(SimpleFilter {
        ids: ids(&req.query)?,
        keys: strings(&req.query, key_param)?,
        q: string(&req.query, "q")?,
        ..SimpleFilter::default()
    })
}

/// `POST /admin/product-categories`'s body, once its schema (Medusa's wording) has passed.
/// A category is inactive, public and without a description unless told (Medusa's defaults).
#[derive(Deserialize)]
struct CategoryBody {
    name: String,
    handle: Option<String>,
    #[serde(default)]
    description: String,
    parent_category_id: Option<String>,
    #[serde(default)]
    is_active: bool,
    #[serde(default)]
    is_internal: bool,
    metadata: Option<Value>,
}

/// `POST /admin/collections`'s body.
#[derive(Deserialize)]
struct CollectionBody {
    title: String,
    handle: Option<String>,
    metadata: Option<Value>,
}

/// `POST /admin/product-tags|types`'s body.
#[derive(Deserialize)]
struct ValueBody {
    value: String,
    metadata: Option<Value>,
}

/// `POST /admin/product-categories`.
///
/// # Errors
/// 400 for an invalid body or unknown parent; 422 for a duplicate handle.
pub fn create_category(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("name", Kind::String)
        .optional("handle", Kind::String)
        .optional("description", Kind::String)
        .optional("parent_category_id", Kind::String.nullable())
        .optional("is_active", Kind::Boolean)
        .optional("is_internal", Kind::Boolean)
        .optional("rank", Kind::Integer)
        .optional("metadata", Kind::Object.nullable());
    let body: CategoryBody = parse_input(&req.body_with(&schema)?)?;
    let input = NewCategory {
        name: body.name,
        handle: body.handle,
        description: body.description,
        parent_category_id: body.parent_category_id,
        is_active: body.is_active,
        is_internal: body.is_internal,
    };
    let metadata = body.metadata.filter(Value::is_object);
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| flow::create_category(tx, &ctx, &input, metadata))?;
    Ok(one("product_category", &made))
}

/// `GET /admin/product-categories`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_categories(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 50)?;
    let f = filter(req, "handle")?;
    let (list, count) = engine
        .store()
        .read(|c| taxonomy::list_categories(c, &f, limit, offset))?;
    Ok(many("product_categories", &list, count, offset, limit))
}

/// `GET /admin/product-categories/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_category(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let found = engine
        .store()
        .read(|c| taxonomy::retrieve_category(c, &id, false))?;
    Ok(one("product_category", &found))
}

/// `POST /admin/collections`.
///
/// # Errors
/// 400 for an invalid body; 422 for a duplicate handle.
pub fn create_collection(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("title", Kind::String)
        .optional("handle", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let body: CollectionBody = parse_input(&req.body_with(&schema)?)?;
    let (title, handle) = (body.title, body.handle);
    let metadata = body.metadata.filter(Value::is_object);
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| flow::create_collection(tx, &ctx, &title, handle.as_deref(), metadata))?;
    Ok(one("collection", &made))
}

/// `GET /admin/collections`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_collections(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 10)?;
    let f = filter(req, "handle")?;
    let (list, count) = engine
        .store()
        .read(|c| taxonomy::list_collections(c, &f, limit, offset))?;
    Ok(many("collections", &list, count, offset, limit))
}

/// `GET /admin/collections/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_collection(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let found = engine
        .store()
        .read(|c| taxonomy::retrieve_collection(c, &id))?;
    Ok(one("collection", &found))
}

fn create_value(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let schema = Schema::new()
        .required("value", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let body: ValueBody = parse_input(&req.body_with(&schema)?)?;
    let (value, metadata) = (body.value, body.metadata.filter(Value::is_object));
    let ctx = engine.ctx().clone();
    let made = engine
        .store()
        .write(move |tx| flow::create_value(tx, &ctx, kind, &value, metadata))?;
    Ok(one(key, &made))
}

fn list_values(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 50)?;
    let f = filter(req, "value")?;
    let (list, count) = engine
        .store()
        .read(|c| taxonomy::list_values(c, kind, &f, limit, offset))?;
    Ok(many(key, &list, count, offset, limit))
}

fn retrieve_value(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let id = req.param("id").to_string();
    let found = engine
        .store()
        .read(|c| taxonomy::retrieve_value(c, kind, &id))?;
    Ok(one(key, &found))
}

/// `POST /admin/product-tags`.
///
/// # Errors
/// 400 for an invalid body; 422 for a duplicate value.
pub fn create_tag(engine: &Engine, req: &Request) -> Result<Response> {
    create_value(engine, req, ValueKind::Tag, "product_tag")
}

/// `GET /admin/product-tags`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_tags(engine: &Engine, req: &Request) -> Result<Response> {
    list_values(engine, req, ValueKind::Tag, "product_tags")
}

/// `GET /admin/product-tags/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_tag(engine: &Engine, req: &Request) -> Result<Response> {
    retrieve_value(engine, req, ValueKind::Tag, "product_tag")
}

/// `POST /admin/product-types`.
///
/// # Errors
/// 400 for an invalid body; 422 for a duplicate value.
pub fn create_type(engine: &Engine, req: &Request) -> Result<Response> {
    create_value(engine, req, ValueKind::Type, "product_type")
}

/// `GET /admin/product-types`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_types(engine: &Engine, req: &Request) -> Result<Response> {
    list_values(engine, req, ValueKind::Type, "product_types")
}

/// `GET /admin/product-types/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_type(engine: &Engine, req: &Request) -> Result<Response> {
    retrieve_value(engine, req, ValueKind::Type, "product_type")
}

fn delete(engine: &Engine, req: &Request, kind: Deletable, object: &str) -> Result<Response> {
    let id = req.param("id").to_string();
    let ctx = engine.ctx().clone();
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::delete(tx, &ctx, kind, &target))?;
    Ok(Response::json(
        json!({"id": id, "object": object, "deleted": true}),
    ))
}

/// `DELETE /admin/product-categories/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete_category(engine: &Engine, req: &Request) -> Result<Response> {
    delete(engine, req, Deletable::Category, "product_category")
}

/// `DELETE /admin/collections/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete_collection(engine: &Engine, req: &Request) -> Result<Response> {
    delete(engine, req, Deletable::Collection, "collection")
}

/// `DELETE /admin/product-tags/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete_tag(engine: &Engine, req: &Request) -> Result<Response> {
    delete(engine, req, Deletable::Tag, "product_tag")
}

/// `DELETE /admin/product-types/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete_type(engine: &Engine, req: &Request) -> Result<Response> {
    delete(engine, req, Deletable::Type, "product_type")
}

/// `POST /admin/product-categories/:id` → `{product_category}`.
///
/// # Errors
/// 400 for an invalid body or a parent inside the category's subtree; 404 for an unknown
/// category or parent; 422 for a duplicate handle.
pub fn update_category(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("name", Kind::String)
        .optional("handle", Kind::String)
        .optional("description", Kind::String)
        .optional("parent_category_id", Kind::String.nullable())
        .optional("is_active", Kind::Boolean)
        .optional("is_internal", Kind::Boolean)
        .optional("rank", Kind::Integer)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(req.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| flow::update_category(tx, &ctx, &id, &changes))?;
    Ok(one("product_category", &updated))
}

/// `POST /admin/collections/:id` → `{collection}`.
///
/// # Errors
/// 400 for an invalid body; 404 when absent; 422 for a duplicate handle.
pub fn update_collection(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("title", Kind::String)
        .optional("handle", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(req.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| flow::update_collection(tx, &ctx, &id, &changes))?;
    Ok(one("collection", &updated))
}

fn update_value(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let schema = Schema::new()
        .optional("value", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(req.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| flow::update_value(tx, &ctx, kind, &id, &changes))?;
    Ok(one(key, &updated))
}

/// `POST /admin/product-tags/:id` → `{product_tag}`.
///
/// # Errors
/// 400 for an invalid body; 404 when absent; 422 for a duplicate value.
pub fn update_tag(engine: &Engine, req: &Request) -> Result<Response> {
    update_value(engine, req, ValueKind::Tag, "product_tag")
}

/// `POST /admin/product-types/:id` → `{product_type}`.
///
/// # Errors
/// 400 for an invalid body; 404 when absent; 422 for a duplicate value.
pub fn update_type(engine: &Engine, req: &Request) -> Result<Response> {
    update_value(engine, req, ValueKind::Type, "product_type")
}

/// The `add` / `remove` product id lists of a batch body.
fn product_batch(req: &Request) -> Result<(Vec<String>, Vec<String>)> {
    let schema = Schema::new()
        .optional("add", Kind::array_of(Kind::String))
        .optional("remove", Kind::array_of(Kind::String));
    let body = req.body_with(&schema)?;
    Ok((
        super::strings(&body, "add"),
        super::strings(&body, "remove"),
    ))
}

/// `POST /admin/product-categories/:id/products` with `{add?, remove?}` → `{product_category}`.
///
/// # Errors
/// 400 for an invalid body; 404 for an unknown category or added product.
pub fn link_category_products(engine: &Engine, req: &Request) -> Result<Response> {
    let (add, remove) = product_batch(req)?;
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let found = engine.store().write(move |tx| {
        membership::link_to_category(tx, &ctx, &id, &add, &remove)?;
        taxonomy::retrieve_category(tx, &id, false)
    })?;
    Ok(one("product_category", &found))
}

/// `POST /admin/collections/:id/products` with `{add?, remove?}` → `{collection}`.
///
/// # Errors
/// 400 for an invalid body; 404 for an unknown collection or added product.
pub fn link_collection_products(engine: &Engine, req: &Request) -> Result<Response> {
    let (add, remove) = product_batch(req)?;
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let found = engine.store().write(move |tx| {
        membership::link_to_collection(tx, &ctx, &id, &add, &remove)?;
        taxonomy::retrieve_collection(tx, &id)
    })?;
    Ok(one("collection", &found))
}
