//! The options and variants of an existing product on `/app/products/:id`: add an option
//! with its values, add a variant (title, SKU, barcode, a value of each option, a price per
//! store currency and per region), delete a variant; a variant's prices are changed in
//! `product_prices.rs`. Each write is the Admin
//! API's (`POST /admin/products/:id/options`, `…/variants`, `…/variants/:variant_id`,
//! `DELETE …/variants/:variant_id`): the same `flows::create_product` /
//! `flows::product_parts` function in one write job, with its events.

use super::product_prices::{self, Shown, Targets};
use super::products::render;
use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::product_parts;
use crate::flows::{create_product, links};
use crate::http::{Request, Response, Route};
use crate::modules::pricing::{self, StoredPrice};
use crate::modules::product::{NewOption, NewVariant, Variant, relations};
use maud::{Markup, html};

/// The option and variant routes of a product.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/products/:id/options",
            "Add a product option",
            add_option,
        ),
        ui_route(
            "POST",
            "/app/products/:id/variants",
            "Add a product variant",
            add_variant,
        ),
        ui_route(
            "POST",
            "/app/products/:id/variants/:variant_id/delete",
            "Delete a variant",
            delete_variant,
        ),
    ]
}

/// A variant with its option values `(option title, value)` and default prices.
struct Row {
    variant: Variant,
    options: Vec<(String, String)>,
    prices: Vec<StoredPrice>,
}

/// An option's title and values.
type OptionRow = (String, Vec<String>);

fn load(engine: &Engine, id: &str) -> Result<(Vec<OptionRow>, Vec<Row>)> {
    engine.store().read(|conn| {
        let ids = [id.to_string()];
        let options = relations::options_of(conn, &ids)?
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|(o, values)| (o.title, values.into_iter().map(|v| v.value).collect()))
            .collect();
        let variants = relations::variants_of(conn, &ids)?
            .remove(id)
            .unwrap_or_default();
        let variant_ids: Vec<String> = variants.iter().map(|v| v.id.clone()).collect();
        let mut values = relations::variant_options_of(conn, &variant_ids)?;
        let sets = links::variant_price_set().rights_of_many(conn, &variant_ids)?;
        let set_ids: Vec<String> = sets.values().flatten().cloned().collect();
        let prices = pricing::prices_of(conn, &set_ids)?;
        let rows = variants
            .into_iter()
            .map(|v| {
                let prices = sets
                    .get(&v.id)
                    .into_iter()
                    .flatten()
                    .flat_map(|set| prices.get(set).into_iter().flatten())
                    .cloned()
                    .collect();
                let options = values
                    .remove(&v.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(value, option)| (option.title, value.value))
                    .collect();
                Row {
                    variant: v,
                    options,
                    prices,
                }
            })
            .collect();
        Ok((options, rows))
    })
}

/// The Options and Variants cards of the product page; `targets` are the store's currencies
/// and regions (a price field each).
///
/// # Errors
/// Database failures.
pub fn cards(engine: &Engine, ui: &Ui, id: &str, targets: &Targets) -> Result<Markup> {
    let (options, rows) = load(engine, id)?;
    let shown: Vec<Shown> = rows
        .iter()
        .map(|r| product_prices::shown(&r.prices, targets))
        .collect();
    Ok(html! {
        section class="card" aria-labelledby="opt-h" {
            h2 id="opt-h" { "Options" }
            dl class="pairs" {
                @for (title, values) in &options { dt { (title) } dd { (values.join(", ")) } }
            }
            form method="post" action={ "/app/products/" (id) "/options" } class="filters" {
                (layout::csrf(ui))
                div { label for="option-title" { "Option title" } input id="option-title" name="title" required; }
                div { label for="option-values" { "Option values (comma-separated)" } input id="option-values" name="values" required; }
                button type="submit" class="secondary" { "Add option" }
            }
        }
        section class="card" aria-labelledby="var-h" {
            h2 id="var-h" { "Variants" }
            table {
                thead { tr {
                    th scope="col" { "Variant" } th scope="col" { "SKU" } th scope="col" { "Barcode" }
                    th scope="col" { "Options" } th scope="col" { "Prices" } th scope="col" { "Delete" }
                } }
                tbody {
                    @for (row, prices) in rows.iter().zip(&shown) {
                        tr {
                            td { (row.variant.title) }
                            td { (row.variant.sku.as_deref().unwrap_or("")) }
                            td { (row.variant.barcode.as_deref().unwrap_or("")) }
                            td { @for (o, v) in &row.options { (o) ": " (v) " " } }
                            td { (product_prices::summary(prices, targets)) }
                            td { (super::view::post_button(ui, &format!("/app/products/{id}/variants/{}/delete", row.variant.id), &format!("Delete variant {}", row.variant.title), "danger")) }
                        }
                    }
                }
            }
            @for (row, prices) in rows.iter().zip(&shown) {
                (product_prices::form(ui, id, (&row.variant.id, &row.variant.title), prices, targets))
            }
            (new_variant_form(ui, id, &options, targets))
        }
    })
}

fn new_variant_form(ui: &Ui, id: &str, options: &[OptionRow], targets: &Targets) -> Markup {
    // The form comes back with what was typed when adding the variant was refused.
    let posted = ui.form.get("form") == Some("new_variant");
    let value = |name: &str| {
        if posted {
            ui.form.get(name).unwrap_or("")
        } else {
            ""
        }
    };
    html! {
        form method="post" action={ "/app/products/" (id) "/variants" } {
            (layout::csrf(ui))
            input type="hidden" name="form" value="new_variant";
            h3 { "Add a variant" }
            div class="filters" {
                div { label for="variant-title" { "Variant title" } input id="variant-title" name="title" required value=(value("title")); }
                div { label for="variant-sku" { "SKU" } input id="variant-sku" name="sku" value=(value("sku")); }
                div { label for="variant-barcode" { "Barcode" } input id="variant-barcode" name="barcode" value=(value("barcode")); }
                @for (n, (title, values)) in options.iter().enumerate() {
                    div {
                        label for={ "variant-option-" (n) } { "Option " (title) }
                        input type="hidden" name="option_title" value=(title);
                        select id={ "variant-option-" (n) } name="option_value" {
                            @for v in values { option value=(v) { (v) } }
                        }
                    }
                }
                (product_prices::fields(ui, "variant", "New variant price", targets, None, posted))
                div {
                    input id="variant-inventory" name="manage_inventory" type="checkbox" value="true" checked;
                    label for="variant-inventory" { "Manage inventory" }
                }
            }
            button type="submit" { "Add variant" }
        }
    }
}

/// Runs `write`; back to the product with `done`, or its page with the refusal.
fn outcome(engine: &Engine, ui: &Ui, id: &str, result: Result<()>, done: &str) -> Result<Response> {
    match result {
        Ok(()) => Ok(respond::redirect(&format!(
            "/app/products/{id}?done={done}"
        ))),
        Err(err) if err.status() < 500 => {
            render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn add_option(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let result = (|| {
        let title = ui.form.required("title", "Option title")?.to_string();
        let values: Vec<String> = ui
            .form
            .required("values", "Option values")?
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        let option = NewOption { title, values };
        let (ctx, product) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| product_parts::add_option(tx, &ctx, &product, &option))
            .map(|_| ())
    })();
    outcome(engine, ui, &id, result, "saved")
}

fn add_variant(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let targets = product_prices::targets(engine)?;
    let result = (|| {
        let (titles, values) = (ui.form.all("option_title"), ui.form.all("option_value"));
        if titles.len() != values.len() {
            return Err(Error::invalid("Choose a value of every option"));
        }
        let variant = NewVariant {
            title: ui.form.required("title", "Variant title")?.to_string(),
            sku: ui.form.optional("sku").map(str::to_string),
            barcode: ui.form.optional("barcode").map(str::to_string),
            manage_inventory: ui.form.get("manage_inventory") == Some("true"),
            options: titles
                .iter()
                .zip(&values)
                .map(|(t, v)| ((*t).to_string(), (*v).to_string()))
                .collect(),
            ..NewVariant::default()
        };
        let prices = product_prices::posted(ui, &targets)?;
        let (ctx, product) = (engine.ctx().clone(), id.clone());
        engine
            .store()
            .write(move |tx| create_product::add_variant(tx, &ctx, &product, &variant, &prices))
            .map(|_| ())
    })();
    outcome(engine, ui, &id, result, "created")
}

fn delete_variant(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let (id, variant) = (
        request.param("id").to_string(),
        request.param("variant_id").to_string(),
    );
    let (ctx, product) = (engine.ctx().clone(), id.clone());
    let result = engine
        .store()
        .write(move |tx| create_product::delete_variant(tx, &ctx, &product, &variant));
    outcome(engine, ui, &id, result, "deleted")
}
