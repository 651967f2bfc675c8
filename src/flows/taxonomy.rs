//! Creating, updating and deleting categories, collections, tags and types with Medusa's
//! events (`product-category.*`, `product-collection.*`, `product-tag.*`, `product-type.*`
//! `created|updated|deleted`, data `{id}`), emitted in the same write job. Creation stores
//! the body's `metadata` too.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::Result;
use crate::modules::product::model::{Category, Collection, Tag};
use crate::modules::product::taxonomy::{self, Deletable, NewCategory, ValueKind};
use crate::modules::product::taxonomy_update::{self, Changes};
use serde_json::{Value, json};

fn value_event(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Tag => "product-tag",
        ValueKind::Type => "product-type",
    }
}

/// `{"metadata": m}` as a change, when `m` was sent.
fn metadata_change(metadata: Option<Value>) -> Option<Changes> {
    let metadata = metadata?;
    let mut changes = Changes::new();
    changes.insert("metadata".into(), metadata);
    Some(changes)
}

fn emit(tx: &Tx, ctx: &Ctx, entity: &str, action: &str, id: &str) -> Result<()> {
    ctx.emit(tx, &format!("{entity}.{action}"), json!({ "id": id }))
}

/// Creates a category.
///
/// # Errors
/// As `taxonomy::create_category`.
pub fn create_category(
    tx: &Tx,
    ctx: &Ctx,
    input: &NewCategory,
    metadata: Option<Value>,
) -> Result<Category> {
    let mut made = taxonomy::create_category(tx, ctx, input)?;
    if let Some(changes) = metadata_change(metadata) {
        made = taxonomy_update::update_category(tx, ctx, &made.id, &changes)?;
    }
    emit(tx, ctx, "product-category", "created", &made.id)?;
    Ok(made)
}

/// Updates a category.
///
/// # Errors
/// As `taxonomy_update::update_category`.
pub fn update_category(tx: &Tx, ctx: &Ctx, id: &str, changes: &Changes) -> Result<Category> {
    let updated = taxonomy_update::update_category(tx, ctx, id, changes)?;
    emit(tx, ctx, "product-category", "updated", id)?;
    Ok(updated)
}

/// Creates a collection.
///
/// # Errors
/// As `taxonomy::create_collection`.
pub fn create_collection(
    tx: &Tx,
    ctx: &Ctx,
    title: &str,
    handle: Option<&str>,
    metadata: Option<Value>,
) -> Result<Collection> {
    let mut made = taxonomy::create_collection(tx, ctx, title, handle)?;
    if let Some(changes) = metadata_change(metadata) {
        made = taxonomy_update::update_collection(tx, ctx, &made.id, &changes)?;
    }
    emit(tx, ctx, "product-collection", "created", &made.id)?;
    Ok(made)
}

/// Updates a collection.
///
/// # Errors
/// As `taxonomy_update::update_collection`.
pub fn update_collection(tx: &Tx, ctx: &Ctx, id: &str, changes: &Changes) -> Result<Collection> {
    let updated = taxonomy_update::update_collection(tx, ctx, id, changes)?;
    emit(tx, ctx, "product-collection", "updated", id)?;
    Ok(updated)
}

/// Creates a tag or a type.
///
/// # Errors
/// As `taxonomy::create_value`.
pub fn create_value(
    tx: &Tx,
    ctx: &Ctx,
    kind: ValueKind,
    value: &str,
    metadata: Option<Value>,
) -> Result<Tag> {
    let mut made = taxonomy::create_value(tx, ctx, kind, value)?;
    if let Some(changes) = metadata_change(metadata) {
        made = taxonomy_update::update_value(tx, ctx, kind, &made.id, &changes)?;
    }
    emit(tx, ctx, value_event(kind), "created", &made.id)?;
    Ok(made)
}

/// Updates a tag or a type.
///
/// # Errors
/// As `taxonomy_update::update_value`.
pub fn update_value(
    tx: &Tx,
    ctx: &Ctx,
    kind: ValueKind,
    id: &str,
    changes: &Changes,
) -> Result<Tag> {
    let updated = taxonomy_update::update_value(tx, ctx, kind, id, changes)?;
    emit(tx, ctx, value_event(kind), "updated", id)?;
    Ok(updated)
}

/// Soft-deletes a category, collection, tag or type.
///
/// # Errors
/// As `taxonomy::soft_delete`.
pub fn delete(tx: &Tx, ctx: &Ctx, kind: Deletable, id: &str) -> Result<()> {
    taxonomy::soft_delete(tx, ctx, kind, id)?;
    let entity = match kind {
        Deletable::Category => "product-category",
        Deletable::Collection => "product-collection",
        Deletable::Tag => "product-tag",
        Deletable::Type => "product-type",
    };
    emit(tx, ctx, entity, "deleted", id)
}
