//! `/admin/products`: list, retrieve, create (with options, variants, prices, images,
//! categories, tags, sales channels), update and delete.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_product::{self, ProductInput};
use crate::flows::product_graph::{self, Wanted};
use crate::http::fields::{self, boolean, page, string, strings};
use crate::http::product_json::{self, Document, Plan, Priced};
use crate::http::query::FieldSelection;
use crate::http::validate::{Kind, Schema, get_array, get_bool, get_f64, get_str};
use crate::http::{Request, Response};
use crate::modules::pricing::NewPrice;
use crate::modules::product::update::ProductUpdate;
use crate::modules::product::{
    self, NewImage, NewOption, NewProduct, NewVariant, ProductFilter, ProductOrder,
};
use serde_json::{Value, json};

use std::sync::Arc;

/// Medusa's default admin product fields.
pub(super) const ADMIN_PRODUCT_DEFAULTS: &[&str] = &[
    "id",
    "title",
    "subtitle",
    "status",
    "external_id",
    "description",
    "handle",
    "is_giftcard",
    "discountable",
    "thumbnail",
    "collection_id",
    "type_id",
    "weight",
    "length",
    "height",
    "width",
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "created_at",
    "updated_at",
    "deleted_at",
    "metadata",
    "*type",
    "*collection",
    "*options",
    "*options.values",
    "*tags",
    "*images",
    "*variants",
    "*variants.prices",
    "*variants.options",
    "*sales_channels",
    "*categories",
];

fn wanted(selection: &FieldSelection) -> Wanted {
    let rel = |r: &str| selection.includes_relation(r);
    Wanted {
        variants: rel("variants"),
        variant_options: rel("variants.options"),
        prices: None,
        stored_prices: rel("variants.prices"),
        options: rel("options"),
        images: rel("images"),
        tags: rel("tags"),
        categories: rel("categories"),
        product_type: rel("type"),
        collection: rel("collection"),
        sales_channels: rel("sales_channels"),
        inventory: selection.fields().contains("variants.inventory_quantity"),
    }
}

/// `GET /admin/products`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&req.query, 50)?;
    let order = order
        .as_deref()
        .map(ProductOrder::parse)
        .transpose()?
        .unwrap_or_default();
    let selection = fields::selection(fields.as_deref(), ADMIN_PRODUCT_DEFAULTS, &[]);
    let filter = ProductFilter {
        ids: fields::ids(&req.query)?,
        handles: strings(&req.query, "handle")?,
        statuses: strings(&req.query, "status")?,
        q: string(&req.query, "q")?,
        category_ids: strings(&req.query, "category_id")?,
        collection_ids: strings(&req.query, "collection_id")?,
        tag_ids: strings(&req.query, "tag_id")?,
        type_ids: strings(&req.query, "type_id")?,
        is_giftcard: boolean(&req.query, "is_giftcard")?,
        scope: sales_channel_scope(&strings(&req.query, "sales_channel_id")?),
        ..ProductFilter::default()
    };
    let wanted = wanted(&selection);
    let (nodes, count) = engine.store().read(|conn| {
        let (rows, count) = product::list(conn, &filter, &order, limit, offset)?;
        Ok((product_graph::load(conn, rows, &wanted)?, count))
    })?;
    let plan = Plan::new(&selection);
    let docs: Vec<Arc<Document>> = nodes
        .iter()
        .map(|n| Arc::new(Document::render(n, &plan)))
        .collect();
    let body = product_json::page(&docs, &Priced::default(), count, offset, limit);
    Ok(Response::raw_json(body))
}

/// `{"product": …}` with the admin default fields.
pub(super) fn retrieve_json(
    engine: &Engine,
    id: &str,
    selection: &FieldSelection,
) -> Result<String> {
    let wanted = wanted(selection);
    let id = id.to_string();
    let node = engine.store().read(move |conn| {
        let row = product::read::retrieve_any(conn, &id)?;
        product_graph::load(conn, vec![row], &wanted)?
            .pop()
            .ok_or_else(|| Error::not_found("Product", &id))
    })?;
    let doc = Document::render(&node, &Plan::new(selection));
    Ok(product_json::single("product", &doc, &Priced::default()))
}

/// `GET /admin/products/:id`.
///
/// # Errors
/// 404 "Product with id: X was not found".
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), ADMIN_PRODUCT_DEFAULTS, &[]);
    Ok(Response::raw_json(retrieve_json(
        engine,
        req.param("id"),
        &selection,
    )?))
}

/// The body of one variant (create product, add variant).
pub(super) fn variant_schema() -> Schema {
    let price = Schema::new()
        .required("currency_code", Kind::String)
        .required("amount", Kind::Any)
        .optional("min_quantity", Kind::Integer.nullable())
        .optional("max_quantity", Kind::Integer.nullable())
        .optional("rules", Kind::Object);
    Schema::new()
        .required("title", Kind::String)
        .optional("sku", Kind::String.nullable())
        .optional("ean", Kind::String.nullable())
        .optional("upc", Kind::String.nullable())
        .optional("barcode", Kind::String.nullable())
        .optional("manage_inventory", Kind::Boolean)
        .optional("allow_backorder", Kind::Boolean)
        .optional("weight", Kind::Number.nullable())
        .optional("metadata", Kind::Object.nullable())
        .optional("options", Kind::Object)
        .optional("variant_rank", Kind::Integer)
        .optional_array(
            "inventory_items",
            Schema::new()
                .required("inventory_item_id", Kind::String)
                .required("required_quantity", Kind::Integer),
        )
        .array("prices", price)
}

pub(crate) fn schema() -> Schema {
    let id_ref = Schema::new().required("id", Kind::String);
    let variant = variant_schema();
    Schema::new()
        .required("title", Kind::String)
        .optional("subtitle", Kind::String.nullable())
        .optional("description", Kind::String.nullable())
        .optional("handle", Kind::String)
        .optional("status", Kind::String)
        .optional("is_giftcard", Kind::Boolean)
        .optional("discountable", Kind::Boolean)
        .optional("thumbnail", Kind::String.nullable())
        .optional_array("images", Schema::new().required("url", Kind::String))
        .optional("weight", Kind::Number.nullable())
        .optional("length", Kind::Number.nullable())
        .optional("height", Kind::Number.nullable())
        .optional("width", Kind::Number.nullable())
        .optional("material", Kind::String.nullable())
        .optional("origin_country", Kind::String.nullable())
        .optional("external_id", Kind::String.nullable())
        .optional("collection_id", Kind::String.nullable())
        .optional("type_id", Kind::String.nullable())
        .optional_array("categories", id_ref.clone())
        .optional_array("tags", id_ref.clone())
        .optional_array("sales_channels", id_ref)
        .optional_array(
            "options",
            Schema::new()
                .required("title", Kind::String)
                .required("values", Kind::array_of(Kind::String))
                .optional("is_exclusive", Kind::Boolean),
        )
        .optional_array("variants", variant)
        .optional("metadata", Kind::Object.nullable())
}

fn ids(body: &Value, key: &str) -> Vec<String> {
    get_array(body, key)
        .map(|a| {
            a.iter()
                .filter_map(|i| get_str(i, "id").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn opt_str(body: &Value, key: &str) -> Option<String> {
    get_str(body, key).map(str::to_string)
}

/// Parses a create body into the flow's input.
///
/// # Errors
/// 400 for amounts that are not exact money in their currency.
pub fn product_input(body: &Value) -> Result<ProductInput> {
    let options = get_array(body, "options")
        .map(Vec::as_slice)
        .unwrap_or_default();
    let variants = get_array(body, "variants")
        .map(Vec::as_slice)
        .unwrap_or_default();
    let product = NewProduct {
        id: None,
        title: opt_str(body, "title").unwrap_or_default(),
        handle: opt_str(body, "handle"),
        subtitle: opt_str(body, "subtitle"),
        description: opt_str(body, "description"),
        is_giftcard: get_bool(body, "is_giftcard").unwrap_or(false),
        discountable: get_bool(body, "discountable").unwrap_or(true),
        status: opt_str(body, "status"),
        thumbnail: opt_str(body, "thumbnail"),
        images: get_array(body, "images")
            .map(|a| {
                a.iter()
                    .filter_map(|i| get_str(i, "url"))
                    .map(|url| NewImage { url: url.into() })
                    .collect()
            })
            .unwrap_or_default(),
        weight: get_f64(body, "weight"),
        length: get_f64(body, "length"),
        height: get_f64(body, "height"),
        width: get_f64(body, "width"),
        material: opt_str(body, "material"),
        origin_country: opt_str(body, "origin_country"),
        external_id: opt_str(body, "external_id"),
        collection_id: opt_str(body, "collection_id"),
        type_id: opt_str(body, "type_id"),
        category_ids: ids(body, "categories"),
        tag_ids: ids(body, "tags"),
        options: options.iter().map(option_input).collect::<Result<_>>()?,
        variants: variants.iter().map(variant_input).collect::<Result<_>>()?,
        metadata: body.get("metadata").filter(|m| m.is_object()).cloned(),
    };
    let variant_prices = variants
        .iter()
        .map(|v| {
            get_array(v, "prices")
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(price_input)
                .collect()
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ProductInput {
        product,
        variant_prices,
        sales_channel_ids: ids(body, "sales_channels"),
    })
}

fn option_input(o: &Value) -> Result<NewOption> {
    // Medusa's dashboard sends `is_exclusive: true` with every new option.
    if get_bool(o, "is_exclusive") == Some(false) {
        return Err(Error::invalid(
            "Options shared between products are not supported: every option belongs to its product (is_exclusive: true)",
        ));
    }
    Ok(NewOption {
        title: opt_str(o, "title").unwrap_or_default(),
        values: get_array(o, "values")
            .map(|v| {
                v.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// A variant body as the product module's input.
///
/// # Errors
/// 400 for inventory items to link at creation (an inventory kit): link them afterwards
/// through `/admin/products/:id/variants/:variant_id/inventory-items`.
pub(super) fn variant_input(v: &Value) -> Result<NewVariant> {
    if get_array(v, "inventory_items").is_some_and(|items| !items.is_empty()) {
        return Err(Error::invalid(
            "Inventory items cannot be linked while creating a variant here: create it, then link them with POST /admin/products/:id/variants/:variant_id/inventory-items",
        ));
    }
    let mut options: Vec<(String, String)> = v
        .get("options")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    options.sort();
    Ok(NewVariant {
        id: None,
        title: opt_str(v, "title").unwrap_or_default(),
        sku: opt_str(v, "sku"),
        barcode: opt_str(v, "barcode"),
        ean: opt_str(v, "ean"),
        upc: opt_str(v, "upc"),
        allow_backorder: get_bool(v, "allow_backorder").unwrap_or(false),
        manage_inventory: get_bool(v, "manage_inventory").unwrap_or(true),
        weight: get_f64(v, "weight"),
        options,
        metadata: v.get("metadata").filter(|m| m.is_object()).cloned(),
        variant_rank: v.get("variant_rank").and_then(Value::as_i64),
    })
}

/// A price body in exact minor units.
pub(super) fn price_input(p: &Value) -> Result<NewPrice> {
    let currency = opt_str(p, "currency_code")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let amount = p.get("amount").unwrap_or(&Value::Null);
    let amount =
        crate::money::parse_major(amount, &currency).map_err(|e| Error::invalid(e.to_string()))?;
    let rules = p
        .get("rules")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok(NewPrice {
        currency_code: currency,
        amount,
        min_quantity: p.get("min_quantity").and_then(Value::as_i64),
        max_quantity: p.get("max_quantity").and_then(Value::as_i64),
        rules,
    })
}

/// `POST /admin/products`.
///
/// # Errors
/// 400 for an invalid body, 422 for a duplicate handle or SKU.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let body = req.body_with(&schema().optional("additional_data", Kind::Object.nullable()))?;
    let input = product_input(&body)?;
    let additional = body.get("additional_data").cloned().unwrap_or(Value::Null);
    let hooked = engine.clone();
    let id = engine
        .store()
        .write(move |tx| create_product::run(tx, &hooked, &input, &additional))?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    Ok(Response::raw_json(retrieve_json(engine, &id, &selection)?))
}

/// `DELETE /admin/products/:id`.
///
/// # Errors
/// 404 when absent.
pub fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let ctx = engine.ctx().clone();
    let done = id.clone();
    engine
        .store()
        .write(move |tx| create_product::delete(tx, &ctx, &id))?;
    Ok(Response::json(
        json!({"id": done, "object": "product", "deleted": true}),
    ))
}

fn change_str(body: &Value, key: &str) -> Option<Option<String>> {
    match body.get(key) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(v.as_str().map(str::to_string)),
    }
}

pub(super) fn update_schema() -> Schema {
    let id_ref = Schema::new().required("id", Kind::String);
    let text = || Kind::String.nullable();
    Schema::new()
        .optional("title", Kind::String)
        .optional("handle", Kind::String)
        .optional("status", Kind::String)
        .optional("subtitle", text())
        .optional("description", text())
        .optional("thumbnail", text())
        .optional("material", text())
        .optional("collection_id", text())
        .optional("type_id", text())
        .optional("weight", Kind::Number.nullable())
        .optional("discountable", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable())
        .optional_array("tags", id_ref.clone())
        .optional_array("categories", id_ref.clone())
        .optional_array("sales_channels", id_ref)
}

/// Parses an update body: `(change, replacement sales channel ids)`.
pub fn product_update(body: &Value) -> (ProductUpdate, Option<Vec<String>>) {
    let replace = |key: &str| body.get(key).map(|_| ids(body, key));
    let change = ProductUpdate {
        title: opt_str(body, "title"),
        handle: opt_str(body, "handle"),
        status: opt_str(body, "status"),
        subtitle: change_str(body, "subtitle"),
        description: change_str(body, "description"),
        thumbnail: change_str(body, "thumbnail"),
        material: change_str(body, "material"),
        collection_id: change_str(body, "collection_id"),
        type_id: change_str(body, "type_id"),
        weight: body.get("weight").map(Value::as_f64),
        discountable: get_bool(body, "discountable"),
        metadata: body
            .get("metadata")
            .map(|m| m.is_object().then(|| m.clone())),
        tag_ids: replace("tags"),
        category_ids: replace("categories"),
    };
    (change, replace("sales_channels"))
}

/// `POST /admin/products/:id`.
///
/// # Errors
/// 400 for an invalid body; 404 when absent; 422 for a duplicate handle.
pub fn update(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = update_schema().optional("additional_data", Kind::Object.nullable());
    let body = req.body_with(&schema)?;
    let (change, channels) = product_update(&body);
    let additional = body.get("additional_data").cloned().unwrap_or(Value::Null);
    let id = req.param("id").to_string();
    let (hooked, target) = (engine.clone(), id.clone());
    engine.store().write(move |tx| {
        let channels = channels.as_deref();
        create_product::update_hooked(tx, &hooked, &target, &change, channels, &additional)
    })?;
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    Ok(Response::raw_json(retrieve_json(engine, &id, &selection)?))
}

/// `sales_channel_id` on the admin list: products linked to any of the channels.
fn sales_channel_scope(channels: &[String]) -> Option<(String, String)> {
    (!channels.is_empty()).then(|| {
        (
            crate::flows::links::product_sales_channel().left_linked_to_any("p.id"),
            crate::modules::json_list(channels),
        )
    })
}
