//! `/app/products`: the product list (search, status filter, sort, 50 a page), creating a
//! product with one variant (SKU, a price per store currency, sales channels), a product's
//! page with its variants and prices, editing its title, status and description, and
//! deleting it; its images (uploaded through the file module) and categories
//! (`product_media.rs`); its collection, type, tags and sales channels
//! (`product_organize.rs`); its options and variants (`product_variants.rs`) and their prices
//! per currency and region (`product_prices.rs`). Writes go through `flows::create_product` (`run`, `update`, `delete`) in one
//! write job, as `POST|DELETE /admin/products` do; the create form is checked against the
//! Admin API's own body schema and parsed by its own `product_input`.

use super::view::{self, PAGE_SIZE, badge};
use super::{
    Ui, layout, product_media, product_organize, product_prices, product_variants, respond,
    ui_route, widgets,
};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_product;
use crate::http::admin::products::{product_input, schema};
use crate::http::{Request, Response, Route};
use crate::modules::product::update::ProductUpdate;
use crate::modules::product::{self, Product, ProductFilter, ProductOrder, relations};
use crate::modules::{sales_channel, store};
use maud::html;
use serde_json::{Value, json};

const STATUSES: &[&str] = &["draft", "proposed", "published", "rejected"];
const SORTS: &[(&str, &str)] = &[
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
    ("title", "Title A–Z"),
    ("-title", "Title Z–A"),
];

/// The product routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route("GET", "/app/products", "Admin UI product list", list),
        ui_route(
            "GET",
            "/app/products/new",
            "Admin UI new product form",
            new_form,
        ),
        ui_route("POST", "/app/products", "Create a product", create),
        ui_route("GET", "/app/products/:id", "Admin UI product", show),
        ui_route("POST", "/app/products/:id", "Update a product", update),
        ui_route(
            "POST",
            "/app/products/:id/delete",
            "Delete a product",
            delete,
        ),
    ]
}

fn list(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let page = view::page_number(request)?;
    let q = view::search(request);
    let status = view::choice(request, "status", STATUSES)?;
    let sort_keys: Vec<&str> = SORTS.iter().map(|(k, _)| *k).collect();
    let sort = view::choice(request, "sort", &sort_keys)?;
    let order = ProductOrder::parse(sort.as_deref().unwrap_or("-created_at"))?;
    let filter = ProductFilter {
        q: q.clone(),
        statuses: status.iter().cloned().collect(),
        ..ProductFilter::default()
    };
    let offset = (page - 1) * PAGE_SIZE;
    let (products, total) = engine
        .store()
        .read(|conn| product::list(conn, &filter, &order, PAGE_SIZE, offset))?;
    let body = html! {
        (widgets::zone(engine, "product.list.before", ""))
        p { a href="/app/products/new" { "Create product" } }
        form method="get" action="/app/products" class="filters" role="search" aria-label="Filter products" {
            div {
                label for="q" { "Search" }
                input id="q" name="q" type="search" value=(q.as_deref().unwrap_or(""));
            }
            div {
                label for="status" { "Status" }
                select id="status" name="status" {
                    option value="" { "Any status" }
                    @for s in STATUSES { option value=(s) selected[status.as_deref() == Some(*s)] { (s) } }
                }
            }
            div {
                label for="sort" { "Sort" }
                select id="sort" name="sort" {
                    @for (key, label) in SORTS { option value=(key) selected[sort.as_deref() == Some(*key)] { (label) } }
                }
            }
            button type="submit" { "Filter" }
        }
        table {
            caption class="muted" { "Products" }
            thead { tr {
                th scope="col" { "Title" } th scope="col" { "Handle" }
                th scope="col" { "Status" } th scope="col" { "Created" }
            } }
            tbody {
                @if products.is_empty() { tr { td colspan="4" { "No products match." } } }
                @for p in &products {
                    tr {
                        td { a href={ "/app/products/" (p.id) } { (p.title) } }
                        td { (p.handle) }
                        td { (badge(&p.status)) }
                        td { (view::when(&p.created_at)) }
                    }
                }
            }
        }
        (view::pager(request, page, products.len(), total))
        (widgets::zone(engine, "product.list.after", ""))
    };
    Ok(respond::html_page(
        200,
        layout::page(engine, ui, "Products", "/app/products", body),
    ))
}

/// A sales channel the form offers: id, name, whether it is the store's default.
type ChannelChoice = (String, String, bool);

/// The store's currencies (for prices) and the sales channels.
fn choices(engine: &Engine) -> Result<(Vec<String>, Vec<ChannelChoice>)> {
    engine.store().read(|conn| {
        let stores = store::list(conn, &[])?;
        let main = stores.first();
        let currencies = main
            .map(|s| {
                s.supported_currencies
                    .iter()
                    .map(|c| c.currency_code.clone())
                    .collect()
            })
            .unwrap_or_default();
        let default_channel = main.and_then(|s| s.default_sales_channel_id.clone());
        let channels = sales_channel::list(conn)?
            .into_iter()
            .map(|c| {
                let is_default = Some(&c.id) == default_channel.as_ref();
                (c.id, c.name, is_default)
            })
            .collect();
        Ok((currencies, channels))
    })
}

/// The store's currencies (a price field each on the variant forms).
///
/// # Errors
/// Database failures.
pub fn currencies(engine: &Engine) -> Result<Vec<String>> {
    Ok(choices(engine)?.0)
}

fn new_form(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    form_page(engine, ui, 200)
}

fn form_page(engine: &Engine, ui: &Ui, status: u16) -> Result<Response> {
    let (currencies, channels) = choices(engine)?;
    let f = &ui.form;
    let value = |name: &str| f.get(name).unwrap_or("").to_string();
    let body = html! {
        form method="post" action="/app/products" class="card" {
            (layout::csrf(ui))
            h2 { "Product" }
            div class="field" { label for="title" { "Title" } input id="title" name="title" required value=(value("title")); }
            div class="field" { label for="handle" { "Handle" } input id="handle" name="handle" value=(value("handle")) aria-describedby="handle-help"; span id="handle-help" class="muted" { " Made from the title when blank." } }
            div class="field" { label for="description" { "Description" } textarea id="description" name="description" { (value("description")) } }
            div class="field" {
                label for="status" { "Status" }
                select id="status" name="status" {
                    @for s in STATUSES { option value=(s) selected[f.get("status").unwrap_or("published") == *s] { (s) } }
                }
            }
            fieldset {
                legend { "Sales channels" }
                @for (id, name, is_default) in &channels {
                    div {
                        input type="checkbox" id={ "sc-" (id) } name="sales_channel" value=(id)
                            checked[if f.fields().is_empty() { *is_default } else { f.all("sales_channel").contains(&id.as_str()) }];
                        " " label for={ "sc-" (id) } class="inline" { (name) }
                    }
                }
            }
            h2 { "Variant" }
            div class="field" { label for="variant_title" { "Variant title" } input id="variant_title" name="variant_title" required value=(value("variant_title")); }
            div class="field" { label for="sku" { "SKU" } input id="sku" name="sku" value=(value("sku")); }
            div class="field" {
                input type="checkbox" id="manage_inventory" name="manage_inventory" value="true" checked[f.get("manage_inventory") == Some("true")];
                " " label for="manage_inventory" class="inline" { "Track inventory" }
            }
            @for c in &currencies {
                div class="field" {
                    label for={ "price_" (c) } { "Price (" (c.to_uppercase()) ")" }
                    input id={ "price_" (c) } name={ "price_" (c) } inputmode="decimal" value=(value(&format!("price_{c}")));
                }
            }
            button type="submit" { "Create product" }
        }
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, "Create product", "/app/products", body),
    ))
}

/// The Admin API's create body for the form: one option "Variant" whose one value is the
/// variant's title, so the variant has its option value as Medusa requires.
fn create_body(ui: &Ui, currencies: &[String]) -> Result<Value> {
    let f = &ui.form;
    let title = f.required("title", "Title")?;
    let variant_title = f.required("variant_title", "Variant title")?;
    let mut prices = Vec::new();
    for c in currencies {
        if let Some(text) = f.optional(&format!("price_{c}")) {
            prices.push(json!({"currency_code": c, "amount": text}));
        }
    }
    let mut body = json!({
        "title": title,
        "status": f.optional("status").unwrap_or("draft"),
        "options": [{"title": "Variant", "values": [variant_title]}],
        "variants": [{
            "title": variant_title,
            "sku": f.optional("sku"),
            "manage_inventory": f.get("manage_inventory") == Some("true"),
            "options": {"Variant": variant_title},
            "prices": prices,
        }],
        "sales_channels": f.all("sales_channel").iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
    });
    if let Some(handle) = f.optional("handle") {
        body["handle"] = json!(handle);
    }
    if let Some(description) = f.optional("description") {
        body["description"] = json!(description);
    }
    schema()
        .check(&body)
        .map_err(|e| Error::InvalidData(e.to_string()))?;
    Ok(body)
}

fn create(engine: &Engine, _: &Request, ui: &Ui) -> Result<Response> {
    let (currencies, _) = choices(engine)?;
    let created = create_body(ui, &currencies).and_then(|body| {
        let input = product_input(&body)?;
        let hooked = engine.clone();
        engine
            .store()
            .write(move |tx| create_product::run(tx, &hooked, &input, &serde_json::Value::Null))
    });
    match created {
        Ok(id) => Ok(respond::redirect(&format!(
            "/app/products/{id}?done=created"
        ))),
        Err(err) if err.status() < 500 => {
            form_page(engine, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

/// What the product page shows besides the product and its variants.
struct Media {
    images: Vec<product::Image>,
    categories: Vec<product::Category>,
    all_categories: Vec<product::Category>,
}

fn load(engine: &Engine, id: &str) -> Result<(Product, Media)> {
    engine.store().read(|conn| {
        let found = product::read::retrieve_any(conn, id)?;
        let ids = [id.to_string()];
        let media = Media {
            images: relations::images_of(conn, &ids)?
                .remove(id)
                .unwrap_or_default(),
            categories: relations::categories_of(conn, &ids)?
                .remove(id)
                .unwrap_or_default(),
            all_categories: product::category::all_categories(conn, false)?,
        };
        Ok((found, media))
    })
}

fn show(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    render(engine, request.param("id"), ui, 200)
}

/// The product page (with `ui`'s error or notice).
///
/// # Errors
/// 404 for an unknown product; database failures.
pub fn render(engine: &Engine, id: &str, ui: &Ui, status: u16) -> Result<Response> {
    let (found, media) = load(engine, id)?;
    let parts = product_variants::cards(engine, ui, id, &product_prices::targets(engine)?)?;
    let organize = product_organize::card(ui, &found, &product_organize::choices(engine, id)?);
    let body = html! {
        (widgets::zone(engine, "product.details.before", id))
        div class="grid" {
            div {
                form method="post" action={ "/app/products/" (id) } class="card" {
                    (layout::csrf(ui))
                    h2 { "Edit" }
                    div class="field" { label for="title" { "Title" } input id="title" name="title" required value=(found.title); }
                    div class="field" {
                        label for="status" { "Status" }
                        select id="status" name="status" {
                            @for s in STATUSES { option value=(s) selected[found.status == *s] { (s) } }
                        }
                    }
                    div class="field" { label for="description" { "Description" } textarea id="description" name="description" { (found.description.as_deref().unwrap_or("")) } }
                    button type="submit" { "Save" }
                }
                (parts)
                (product_media::images_card(ui, id, &found.title, &media.images))
            }
            div {
                (widgets::zone(engine, "product.details.side.before", id))
                section class="card" aria-labelledby="info-h" {
                    h2 id="info-h" { "Details" }
                    dl class="pairs" {
                        dt { "Handle" } dd { (found.handle) }
                        dt { "Status" } dd { (badge(&found.status)) }
                        dt { "Created" } dd { (view::when(&found.created_at)) }
                    }
                }
                section class="card" aria-labelledby="del-h" {
                    h2 id="del-h" { "Delete" }
                    (view::post_button(ui, &format!("/app/products/{id}/delete"), "Delete product", "danger"))
                }
                (organize)
                (product_media::categories_card(ui, id, &media.all_categories, &media.categories))
                (widgets::zone(engine, "product.details.side.after", id))
            }
        }
        (widgets::zone(engine, "product.details.after", id))
    };
    Ok(respond::html_page(
        status,
        layout::page(engine, ui, &found.title, "/app/products", body),
    ))
}

fn update(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let outcome = (|| {
        let status = ui.form.required("status", "Status")?;
        if !STATUSES.contains(&status) {
            return Err(Error::invalid(format!("Unknown status '{status}'")));
        }
        let change = ProductUpdate {
            title: Some(ui.form.required("title", "Title")?.to_string()),
            status: Some(status.to_string()),
            description: Some(ui.form.optional("description").map(str::to_string)),
            ..ProductUpdate::default()
        };
        let (hooked, target) = (engine.clone(), id.clone());
        engine.store().write(move |tx| {
            create_product::update_hooked(tx, &hooked, &target, &change, None, &Value::Null)
        })
    })();
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!("/app/products/{id}?done=saved"))),
        Err(err) if err.status() < 500 => {
            render(engine, &id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn delete(engine: &Engine, request: &Request, _: &Ui) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    engine
        .store()
        .write(move |tx| create_product::delete(tx, &ctx, &id))?;
    Ok(respond::redirect("/app/products?done=deleted"))
}
