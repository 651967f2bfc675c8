//! `GET /store/product-variants` and `/:id` (Medusa 2.11.2+) and `GET /store/product-options`
//! and `/:id` (2.16+): variants and options of published products in the publishable key's
//! sales channels. Variants carry `calculated_price` for a region (or a cart's region) and
//! `inventory_quantity` when asked for by name, as Medusa's product routes do.
//!
//! Medusa 2.21.2 lists every product option whatever its product; here options are scoped
//! like variants (published products in the key's channels), so a draft product's options
//! stay private.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::store_catalog::{self, PricingInput};
use crate::flows::store_variants::{self, VariantDoc, VariantQuery};
use crate::http::catalog_json::object;
use crate::http::fields::{self, Graph, boolean, page, project, string, strings};
use crate::http::product_parts_json::calculated_price;
use crate::http::query::FieldSelection;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::product::store_read::{self, OptionFilter, Order, VariantFilter};
use crate::modules::product::{OptionValue, ProductOption};
use serde_json::{Map, Value, json};

/// Medusa's `defaultStoreProductVariantFields`.
const VARIANT_DEFAULTS: &[&str] = &[
    "id",
    "title",
    "sku",
    "barcode",
    "ean",
    "upc",
    "allow_backorder",
    "manage_inventory",
    "variant_rank",
    "product_id",
    "thumbnail",
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "weight",
    "length",
    "height",
    "width",
    "created_at",
    "updated_at",
    "metadata",
    "*options",
    "*images",
    "product.id",
    "product.type_id",
];

const VARIANT_GRAPH: Graph = Graph {
    relations: &["options", "images", "product"],
    opaque: &["calculated_price"],
    embedded: &["options.option"],
};

/// Medusa's store product option defaults.
const OPTION_DEFAULTS: &[&str] = &[
    "id",
    "title",
    "is_exclusive",
    "values.*",
    "created_at",
    "updated_at",
    "metadata",
];

const OPTION_GRAPH: Graph = Graph {
    relations: &["values"],
    opaque: &[],
    embedded: &[],
};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let s = Access::Store;
    vec![
        Route::new(
            "GET",
            "/store/product-variants",
            s,
            "List product variants",
            list_variants,
        ),
        Route::new(
            "GET",
            "/store/product-variants/:id",
            s,
            "Retrieve a product variant",
            retrieve_variant,
        ),
        Route::new(
            "GET",
            "/store/product-options",
            s,
            "List product options",
            list_options,
        ),
        Route::new(
            "GET",
            "/store/product-options/:id",
            s,
            "Retrieve a product option",
            retrieve_option,
        ),
    ]
}

fn channels(req: &Request) -> Result<Vec<String>> {
    let key = req
        .actor
        .publishable
        .as_ref()
        .map(|p| p.sales_channel_ids.clone())
        .unwrap_or_default();
    store_catalog::effective_channels(&key, &strings(&req.query, "sales_channel_id")?)
}

/// The selection and the read's context. A `region_id` adds the price, as in Medusa.
fn variant_shape(
    engine: &Engine,
    req: &Request,
    fields: Option<&str>,
) -> Result<(FieldSelection, VariantQuery)> {
    let region_id = string(&req.query, "region_id")?;
    let extra: &[&str] = if region_id.is_some() {
        &["*calculated_price"]
    } else {
        &[]
    };
    let selection = fields::selection(fields, VARIANT_DEFAULTS, extra);
    fields::check_restricted(&selection)?;
    let pricing = if selection.includes_relation("calculated_price") {
        Some(PricingInput {
            region_id,
            currency_code: None,
            country_code: string(&req.query, "country_code")?,
            customer_group_ids: Vec::new(),
            required: true,
            now: engine.ctx().now(),
        })
    } else {
        None
    };
    let query = VariantQuery {
        channels: channels(req)?,
        pricing,
        cart_id: string(&req.query, "cart_id")?,
        customer_id: req.actor.customer_id.clone(),
        inventory: selection.fields().contains("inventory_quantity"),
    };
    Ok((selection, query))
}

pub(crate) fn variant_filter(query: &Map<String, Value>) -> Result<VariantFilter> {
    let options = match query.get("options") {
        None => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(Error::invalid(
                "Invalid request: Expected type: 'object' for field 'options', got: 'string'",
            ));
        }
    };
    Ok(VariantFilter {
        ids: strings(query, "id")?,
        skus: strings(query, "sku")?,
        product_ids: strings(query, "product_id")?,
        option_value: string(&options, "value")?,
        option_id: string(&options, "option_id")?,
        allow_backorder: boolean(query, "allow_backorder")?,
        manage_inventory: boolean(query, "manage_inventory")?,
        q: string(query, "q")?,
    })
}

fn variant_json(doc: VariantDoc, selection: &FieldSelection) -> Value {
    let mut map = object(&doc.variant);
    let options: Vec<Value> = doc
        .options
        .iter()
        .map(|(value, option)| {
            let mut v = object(value);
            v.insert("option".into(), Value::Object(object(option)));
            Value::Object(v)
        })
        .collect();
    map.insert("options".into(), Value::Array(options));
    map.insert("images".into(), json!([]));
    map.insert(
        "product".into(),
        doc.product
            .as_ref()
            .map_or(Value::Null, |p| Value::Object(object(p))),
    );
    if let Some(price) = &doc.price {
        let mut out = String::new();
        calculated_price(&mut out, price, None);
        map.insert(
            "calculated_price".into(),
            serde_json::from_str(&out).unwrap_or(Value::Null),
        );
    } else if selection.includes_relation("calculated_price") {
        map.insert("calculated_price".into(), Value::Null);
    }
    if selection.fields().contains("inventory_quantity") {
        map.insert("inventory_quantity".into(), json!(doc.inventory_quantity));
    }
    project(&mut map, selection, &VARIANT_GRAPH, "");
    Value::Object(map)
}

fn list_variants(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&req.query, 20)?;
    let order = Order::parse(
        order.as_deref().unwrap_or("variant_rank"),
        store_read::VARIANT_ORDER,
    )?;
    let (selection, query) = variant_shape(engine, req, fields.as_deref())?;
    let filter = variant_filter(&req.query)?;
    let (docs, count) = engine
        .store()
        .read(|conn| store_variants::variant_page(conn, &query, &filter, order, (limit, offset)))?;
    let items = docs
        .into_iter()
        .map(|d| variant_json(d, &selection))
        .collect();
    Ok(Response::json(list_envelope(
        "variants", items, count, offset, limit,
    )))
}

fn retrieve_variant(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let (selection, query) = variant_shape(engine, req, fields.as_deref())?;
    let id = req.param("id");
    let doc = engine
        .store()
        .read(|conn| store_variants::variant(conn, &query, id))?;
    Ok(Response::json(
        json!({ "variant": variant_json(doc, &selection) }),
    ))
}

fn option_json(
    (option, values): (ProductOption, Vec<OptionValue>),
    selection: &FieldSelection,
) -> Value {
    let mut map = object(&option);
    let values: Vec<Value> = values.iter().map(|v| Value::Object(object(v))).collect();
    map.insert("values".into(), Value::Array(values));
    project(&mut map, selection, &OPTION_GRAPH, "");
    Value::Object(map)
}

fn option_filter(query: &Map<String, Value>) -> Result<OptionFilter> {
    Ok(OptionFilter {
        ids: strings(query, "id")?,
        titles: strings(query, "title")?,
        q: string(query, "q")?,
        is_exclusive: boolean(query, "is_exclusive")?,
    })
}

fn list_options(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&req.query, 50)?;
    let order = Order::parse(order.as_deref().unwrap_or("id"), store_read::OPTION_ORDER)?;
    let selection = fields::selection(fields.as_deref(), OPTION_DEFAULTS, &[]);
    let channels = channels(req)?;
    let filter = option_filter(&req.query)?;
    let (docs, count) = engine.store().read(|conn| {
        store_variants::option_page(conn, &channels, &filter, order, (limit, offset))
    })?;
    let items = docs
        .into_iter()
        .map(|d| option_json(d, &selection))
        .collect();
    Ok(Response::json(list_envelope(
        "product_options",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve_option(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), OPTION_DEFAULTS, &[]);
    let channels = channels(req)?;
    let id = req.param("id");
    let filter = OptionFilter {
        ids: vec![id.to_string()],
        ..OptionFilter::default()
    };
    let order = Order::parse("id", store_read::OPTION_ORDER)?;
    let (mut docs, _) = engine
        .store()
        .read(|conn| store_variants::option_page(conn, &channels, &filter, order, (1, 0)))?;
    let doc = docs
        .pop()
        .ok_or_else(|| Error::NotFound(format!("Product option with id: {id} was not found")))?;
    Ok(Response::json(
        json!({ "product_option": option_json(doc, &selection) }),
    ))
}
