//! Importing products from a CSV (Medusa's `import-products` /
//! `import-products-as-chunks` and their confirmation), as two journaled workflows under the
//! same transaction id:
//!
//! * the upload runs [`UPLOAD`] (`import-products`, the CSV text in its input) or
//!   [`UPLOAD_BY_KEY`] (`import-products-as-chunks`, a file key of the file module): one step,
//!   `normalize-product-csv`, reads the rows (every refusal names its row) and answers the
//!   summary `{toCreate, toUpdate}` — nothing is written to the catalog;
//! * the confirmation runs [`CONFIRM`] (`confirm-product-import`) under that transaction id:
//!   `notify-on-failure` (its compensation posts the failure to the admin feed),
//!   `import-products` (every product created or updated in one write job — a bad row fails
//!   it with `Row N: …` and nothing is kept), `send-notifications`.
//!
//! Medusa's workflow waits inside one execution for the confirmation; here every run ends in
//! its request, so the wait is the gap between the two executions, and the confirmation
//! reads the upload's execution to find its file. A product whose `Product Id` the store
//! has is updated; one it does not have is created under that id (Medusa's upsert), so an
//! export imported into an empty store comes back with the same ids.

use super::csv_text;
use super::exports::{feed, notify_on_failure};
use super::product_rows::{self, RowPrice, RowProduct, RowVariant};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_product::{self, ProductInput};
use crate::flows::product_parts::{self, VariantUpdate};
use crate::modules::file;
use crate::modules::pricing::NewPrice;
use crate::modules::product::taxonomy::{self, ValueKind};
use crate::modules::product::update::ProductUpdate;
use crate::modules::product::{self, NewImage, NewOption, NewProduct, NewVariant};
use crate::modules::region::{self, RegionFilter};
use crate::workflow::{self, Done, Handle, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The multipart upload's workflow (Medusa's `importProductsWorkflowId`).
pub const UPLOAD: Handle<UploadInput, Summary> = Handle::new("import-products");
/// The file-key upload's workflow (Medusa's `importProductsAsChunksWorkflowId`).
pub const UPLOAD_BY_KEY: Handle<UploadInput, Summary> = Handle::new("import-products-as-chunks");
/// The confirmation's workflow: the upload's input again, what was applied back.
pub const CONFIRM: Handle<UploadInput, Applied> = Handle::new("confirm-product-import");

/// An upload's input: the file's name and either its text or its file key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadInput {
    /// The name the file was sent under.
    pub filename: String,
    /// The CSV text (`import-products`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_content: Option<String>,
    /// A file of the file module (`import-products-as-chunks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_key: Option<String>,
}

/// Medusa's summary of an upload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Products the confirmation will create.
    #[serde(rename = "toCreate")]
    pub to_create: usize,
    /// Products it will update.
    #[serde(rename = "toUpdate")]
    pub to_update: usize,
}

/// The workflows.
pub fn workflows() -> Vec<Workflow> {
    let upload = |handle: Handle<UploadInput, Summary>| {
        handle
            .workflow()
            .step(Step::local("normalize-product-csv", |tx, ctx| {
                let input: UploadInput = ctx.input_as()?;
                let products = read(tx, &input)?;
                Done::of(&summary(tx, &products)?)
            }))
    };
    vec![
        upload(UPLOAD),
        upload(UPLOAD_BY_KEY),
        CONFIRM
            .workflow()
            .step(notify_on_failure("Product import", |ctx| {
                let name = filename(ctx)?;
                Ok(format!("Failed to import products from file {name}"))
            }))
            .step(Step::local("import-products", |tx, ctx| {
                let input: UploadInput = ctx.input_as()?;
                let products = read(tx, &input)?;
                Done::of(&apply(tx, ctx.engine, &products)?)
            }))
            .step(Step::local("send-notifications", |tx, ctx| {
                let name = filename(ctx)?;
                let data = json!({
                    "title": "Product import",
                    "description": format!("Product import of file {name} completed successfully!"),
                });
                feed(tx, ctx.engine, &format!("{}:done", ctx.execution_id), data)?;
                Done::of(&ctx.result_as::<Applied>("import-products")?)
            })),
    ]
}

/// The uploaded file's name, from the workflow's input.
fn filename(ctx: &StepCtx) -> Result<String> {
    Ok(ctx.input_as::<UploadInput>()?.filename)
}

/// Runs an upload under a fresh transaction id: `(transaction id, summary)`.
///
/// # Errors
/// 400 naming the row or the columns that cannot be read; 404 for an unknown file key.
pub fn upload(
    engine: &Engine,
    workflow: Handle<UploadInput, Summary>,
    input: &UploadInput,
) -> Result<(String, Summary)> {
    let transaction = engine.ctx().id("trx");
    let summary = workflow.run(engine, input, Some(&transaction))?;
    Ok((transaction, summary))
}

/// Confirms the upload `transaction` of `workflow`: runs [`CONFIRM`] under the same id (a
/// repeat answers the first confirmation).
///
/// # Errors
/// 404 when no such upload finished; the import's own refusals (`Row N: …`, 400);
/// `unexpected_state` when the upload's journaled input is not an [`UploadInput`].
pub fn confirm(
    engine: &Engine,
    workflow: Handle<UploadInput, Summary>,
    transaction: &str,
) -> Result<Applied> {
    let upload = engine
        .store()
        .read(|c| workflow::load_execution_by_key(c, workflow.name(), transaction))?;
    if upload.status != "done" {
        return Err(Error::not_found("Product import", transaction));
    }
    let input = UploadInput::deserialize(&upload.input).map_err(|e| {
        Error::UnexpectedState(format!("the journaled input of {}: {e}", workflow.name()))
    })?;
    CONFIRM.run(engine, &input, Some(transaction))
}

fn read(conn: &Connection, input: &UploadInput) -> Result<Vec<RowProduct>> {
    let bytes = match (&input.file_content, &input.file_key) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(key)) => {
            let stored = file::retrieve(conn, key)?;
            file::read_bytes(conn, key, 0, stored.size as u64)?
        }
        (None, None) => return Err(Error::invalid("No file was uploaded for importing")),
    };
    let products = product_rows::products(&csv_text::read(&bytes)?)?;
    if products.is_empty() {
        return Err(Error::invalid("The CSV file has no product rows"));
    }
    Ok(products)
}

fn existing(conn: &Connection, product: &RowProduct) -> Result<Option<String>> {
    let Some(id) = &product.id else {
        return Ok(None);
    };
    match product::read::retrieve_any(conn, id) {
        Ok(found) => Ok(Some(found.id)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn summary(conn: &Connection, products: &[RowProduct]) -> Result<Summary> {
    let mut out = Summary::default();
    for product in products {
        match existing(conn, product)? {
            Some(_) => out.to_update += 1,
            None => out.to_create += 1,
        }
    }
    Ok(out)
}

/// What the import did: product ids created and updated.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Applied {
    /// Created products.
    pub created: Vec<String>,
    /// Updated products.
    pub updated: Vec<String>,
}

/// A refusal of a product or variant of row `row`, as `Row N: …` (server faults are kept).
fn at_row(row: usize) -> impl Fn(Error) -> Error {
    move |e| {
        if e.status() < 500 && !e.to_string().starts_with("Row ") {
            Error::invalid(format!("Row {row}: {e}"))
        } else {
            e
        }
    }
}

fn apply(tx: &Tx, engine: &Engine, products: &[RowProduct]) -> Result<Applied> {
    let regions = Regions::load(tx)?;
    let mut done = Applied::default();
    for product in products {
        check_references(tx, product).map_err(at_row(product.row))?;
        match existing(tx, product)? {
            Some(id) => {
                update(tx, engine, &id, product, &regions)?;
                done.updated.push(id);
            }
            None => done.created.push(create(tx, engine, product, &regions)?),
        }
    }
    Ok(done)
}

/// Region names (lower-case) → (id, currency), for `Variant Price <Region> [CUR]`.
struct Regions(HashMap<String, (String, String)>);

impl Regions {
    fn load(conn: &Connection) -> Result<Regions> {
        let (all, _) = region::list(conn, &RegionFilter::default(), u64::MAX, 0)?;
        Ok(Regions(
            all.into_iter()
                .map(|r| (r.name.to_lowercase(), (r.id, r.currency_code)))
                .collect(),
        ))
    }

    fn prices(&self, variant: &RowVariant) -> Result<Vec<NewPrice>> {
        let prices = variant.prices.as_deref().unwrap_or_default();
        prices.iter().map(|p| self.price(p)).collect()
    }

    fn price(&self, p: &RowPrice) -> Result<NewPrice> {
        let mut rules = Vec::new();
        if let Some(name) = &p.region {
            let (id, currency) = self
                .0
                .get(&name.to_lowercase())
                .ok_or_else(|| Error::invalid(format!("Region with name {name} not found")))?;
            if *currency != p.currency {
                return Err(Error::invalid(format!(
                    "Region {name} uses {}, not {}",
                    currency.to_uppercase(),
                    p.currency.to_uppercase()
                )));
            }
            rules.push(("region_id".to_string(), id.clone()));
        }
        Ok(NewPrice {
            currency_code: p.currency.clone(),
            amount: p.amount,
            rules,
            ..NewPrice::default()
        })
    }
}

/// The collection, type, tags and categories a product names must exist.
fn check_references(conn: &Connection, p: &RowProduct) -> Result<()> {
    let text = |key: &str| p.columns.get(key).and_then(Value::as_str);
    if let Some(id) = text("collection_id") {
        taxonomy::retrieve_collection(conn, id)?;
    }
    if let Some(id) = text("type_id") {
        taxonomy::retrieve_value(conn, ValueKind::Type, id)?;
    }
    for id in p.tags.iter().flatten() {
        taxonomy::retrieve_value(conn, ValueKind::Tag, id)?;
    }
    for id in p.categories.iter().flatten() {
        product::category::retrieve_category(conn, id, false)?;
    }
    Ok(())
}

fn text(columns: &Map<String, Value>, key: &str) -> Option<String> {
    columns.get(key).and_then(Value::as_str).map(str::to_string)
}

fn number(columns: &Map<String, Value>, key: &str) -> Option<f64> {
    columns.get(key).and_then(Value::as_f64)
}

fn flag(columns: &Map<String, Value>, key: &str) -> Option<bool> {
    columns.get(key).and_then(Value::as_bool)
}

/// The columns `keys` of `columns` (what the create inputs cannot carry).
fn only(columns: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| Some(((*k).to_string(), columns.get(*k)?.clone())))
        .collect()
}

/// Variant columns set after a variant is created.
const VARIANT_EXTRAS: &[&str] = &[
    "hs_code",
    "mid_code",
    "origin_country",
    "material",
    "length",
    "height",
    "width",
    "variant_rank",
];

fn new_variant(v: &RowVariant) -> NewVariant {
    let c = &v.columns;
    let mut options = v.options.clone();
    options.sort();
    NewVariant {
        id: v.id.clone(),
        title: text(c, "title").unwrap_or_default(),
        sku: text(c, "sku"),
        barcode: text(c, "barcode"),
        ean: text(c, "ean"),
        upc: text(c, "upc"),
        allow_backorder: flag(c, "allow_backorder").unwrap_or(false),
        manage_inventory: flag(c, "manage_inventory").unwrap_or(true),
        weight: number(c, "weight"),
        options,
        // Set with the other extras once the variant exists (VARIANT_EXTRAS).
        variant_rank: None,
        metadata: c.get("metadata").cloned(),
    }
}

fn create(tx: &Tx, engine: &Engine, p: &RowProduct, regions: &Regions) -> Result<String> {
    let c = &p.columns;
    let product = NewProduct {
        id: p.id.clone(),
        title: text(c, "title").unwrap_or_default(),
        handle: text(c, "handle"),
        subtitle: text(c, "subtitle"),
        description: text(c, "description"),
        is_giftcard: flag(c, "is_giftcard").unwrap_or(false),
        discountable: flag(c, "discountable").unwrap_or(true),
        status: text(c, "status"),
        thumbnail: text(c, "thumbnail"),
        images: p
            .images
            .iter()
            .flatten()
            .map(|url| NewImage { url: url.clone() })
            .collect(),
        weight: number(c, "weight"),
        length: number(c, "length"),
        height: number(c, "height"),
        width: number(c, "width"),
        material: text(c, "material"),
        origin_country: text(c, "origin_country"),
        external_id: text(c, "external_id"),
        collection_id: text(c, "collection_id"),
        type_id: text(c, "type_id"),
        category_ids: p.categories.clone().unwrap_or_default(),
        tag_ids: p.tags.clone().unwrap_or_default(),
        options: p
            .options
            .iter()
            .map(|(title, values)| NewOption {
                title: title.clone(),
                values: values.clone(),
            })
            .collect(),
        variants: p.variants.iter().map(new_variant).collect(),
        metadata: c.get("metadata").cloned(),
    };
    let variant_prices = p
        .variants
        .iter()
        .map(|v| regions.prices(v).map_err(at_row(v.row)))
        .collect::<Result<Vec<_>>>()?;
    let input = ProductInput {
        product,
        variant_prices,
        sales_channel_ids: p.sales_channels.clone().unwrap_or_default(),
    };
    let id = create_product::run(tx, engine, &input, &Value::Null).map_err(at_row(p.row))?;
    let ctx = engine.ctx();
    let extras = only(c, &["hs_code", "mid_code"]);
    if !extras.is_empty() {
        product::update::set_columns(tx, ctx, &id, &extras).map_err(at_row(p.row))?;
    }
    let ids = variant_ids(tx, &id)?;
    for (variant, vid) in p.variants.iter().zip(ids) {
        let extras = only(&variant.columns, VARIANT_EXTRAS);
        if !extras.is_empty() {
            product::variants::update(tx, ctx, &id, &vid, &extras, None)
                .map_err(at_row(variant.row))?;
        }
    }
    Ok(id)
}

/// The product's live variant ids, in rank order (the order they were created in).
fn variant_ids(conn: &Connection, product_id: &str) -> Result<Vec<String>> {
    let ids = [product_id.to_string()];
    Ok(product::relations::variants_of(conn, &ids)?
        .remove(product_id)
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.id)
        .collect())
}

fn update(tx: &Tx, engine: &Engine, id: &str, p: &RowProduct, regions: &Regions) -> Result<()> {
    let ctx = engine.ctx();
    let row = at_row(p.row);
    let mut columns = p.columns.clone();
    let metadata = columns.remove("metadata");
    if !columns.is_empty() {
        product::update::set_columns(tx, ctx, id, &columns).map_err(&row)?;
    }
    let change = ProductUpdate {
        metadata: metadata.map(Some),
        tag_ids: p.tags.clone(),
        category_ids: p.categories.clone(),
        ..ProductUpdate::default()
    };
    create_product::update(tx, ctx, id, &change, p.sales_channels.as_deref()).map_err(&row)?;
    if let Some(images) = &p.images {
        product::update::replace_images(tx, ctx, id, images).map_err(&row)?;
    }
    ensure_options(tx, engine, id, &p.options).map_err(&row)?;
    let live = variant_ids(tx, id)?;
    for variant in &p.variants {
        let at = at_row(variant.row);
        let prices = variant
            .prices
            .as_ref()
            .map(|_| regions.prices(variant))
            .transpose()
            .map_err(&at)?;
        match &variant.id {
            Some(vid) if live.contains(vid) => {
                let prices = match prices {
                    Some(mut prices) => {
                        prices.extend(kept_prices(tx, vid)?);
                        Some(prices)
                    }
                    None => None,
                };
                let change = VariantUpdate {
                    changes: variant.columns.clone(),
                    options: (!variant.options.is_empty()).then(|| variant.options.clone()),
                    prices,
                };
                product_parts::update_variant(tx, ctx, id, vid, &change).map_err(&at)?;
            }
            _ => {
                let vid = create_product::add_variant(
                    tx,
                    ctx,
                    id,
                    &new_variant(variant),
                    &prices.unwrap_or_default(),
                )
                .map_err(&at)?;
                let extras = only(&variant.columns, VARIANT_EXTRAS);
                if !extras.is_empty() {
                    product::variants::update(tx, ctx, id, &vid, &extras, None).map_err(&at)?;
                }
            }
        }
    }
    Ok(())
}

/// A variant's prices the CSV layout cannot express (quantity bounds, rules other than one
/// region), which an import replacing its prices keeps.
fn kept_prices(conn: &Connection, variant_id: &str) -> Result<Vec<NewPrice>> {
    let sets = crate::flows::links::variant_price_set().rights_of(conn, variant_id)?;
    let stored = crate::modules::pricing::prices_of(conn, &sets)?;
    Ok(stored
        .into_values()
        .flatten()
        .filter(|p| !super::product_export::expressible(p))
        .map(|p| NewPrice {
            currency_code: p.currency_code,
            amount: p.amount,
            min_quantity: p.min_quantity,
            max_quantity: p.max_quantity,
            rules: p.rules,
        })
        .collect())
}

/// Adds the options and values the rows name that the product lacks.
fn ensure_options(
    tx: &Tx,
    engine: &Engine,
    id: &str,
    wanted: &[(String, Vec<String>)],
) -> Result<()> {
    let ctx = engine.ctx();
    let ids = [id.to_string()];
    let current = product::relations::options_of(tx, &ids)?
        .remove(id)
        .unwrap_or_default();
    for (title, values) in wanted {
        match current.iter().find(|(o, _)| &o.title == title) {
            None => {
                let option = NewOption {
                    title: title.clone(),
                    values: values.clone(),
                };
                product_parts::add_option(tx, ctx, id, &option)?;
            }
            Some((option, have)) => {
                let mut all: Vec<String> = have.iter().map(|v| v.value.clone()).collect();
                let before = all.len();
                all.extend(
                    values
                        .iter()
                        .filter(|v| !have.iter().any(|h| &h.value == *v))
                        .cloned(),
                );
                if all.len() > before {
                    product_parts::update_option(tx, ctx, id, &option.id, None, Some(&all))?;
                }
            }
        }
    }
    Ok(())
}
