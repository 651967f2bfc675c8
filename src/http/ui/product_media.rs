//! A product's images and categories in `/app/products/:id`: images are uploaded through the
//! engine's file provider (the file module; `multipart/form-data`, the CSRF token among its
//! plain fields) and appended to the product with `flows::create_product::add_images`; the
//! categories are replaced with `flows::create_product::update` (`category_ids`), as
//! `POST /admin/products/:id` does.

use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::create_product;
use crate::http::admin::uploads::base_url;
use crate::http::{Request, Response, Route};
use crate::modules::file::NewFile;
use crate::modules::file::provider::FileCall;
use crate::modules::product::update::ProductUpdate;
use crate::modules::product::{Category, Image};
use maud::{Markup, html};

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        ui_route(
            "POST",
            "/app/products/:id/images",
            "Upload product images",
            upload,
        ),
        ui_route(
            "POST",
            "/app/products/:id/categories",
            "Set a product's categories",
            set_categories,
        ),
    ]
}

/// Re-renders the product page with a refusal, or redirects after a success.
fn answer(engine: &Engine, id: &str, ui: &Ui, outcome: Result<()>) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!("/app/products/{id}?done=saved"))),
        Err(err) if err.status() < 500 => {
            super::products::render(engine, id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}

fn upload(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let outcome = (|| {
        engine
            .store()
            .read(|conn| crate::modules::product::read::retrieve_any(conn, id))?;
        let files: Vec<NewFile> = ui
            .files
            .iter()
            .filter(|f| f.field == "images" && !f.content.is_empty())
            .map(|f| {
                NewFile::new(
                    f.filename.clone(),
                    f.content_type.as_deref(),
                    f.content.clone(),
                )
            })
            .collect();
        if files.is_empty() {
            return Err(Error::invalid("Choose an image to upload"));
        }
        if let Some(other) = files.iter().find(|f| !f.mime_type().starts_with("image/")) {
            return Err(Error::invalid(format!(
                "{} is not an image",
                other.filename()
            )));
        }
        let base = base_url(request);
        let call = FileCall {
            store: engine.store(),
            ctx: engine.ctx(),
            base_url: &base,
        };
        let stored = engine.providers().file().upload(&call, files)?;
        let urls: Vec<String> = stored.into_iter().map(|f| f.url).collect();
        let (ctx, target) = (engine.ctx().clone(), id.to_string());
        engine
            .store()
            .write(move |tx| create_product::add_images(tx, &ctx, &target, &urls))
    })();
    answer(engine, id, ui, outcome)
}

fn set_categories(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id");
    let change = ProductUpdate {
        category_ids: Some(
            ui.form
                .all("category")
                .into_iter()
                .map(str::to_string)
                .collect(),
        ),
        ..ProductUpdate::default()
    };
    let (hooked, target) = (engine.clone(), id.to_string());
    let outcome = engine.store().write(move |tx| {
        create_product::update_hooked(
            tx,
            &hooked,
            &target,
            &change,
            None,
            &serde_json::Value::Null,
        )
    });
    answer(engine, id, ui, outcome)
}

/// The images card: the product's images and the upload form.
pub fn images_card(ui: &Ui, id: &str, title: &str, images: &[Image]) -> Markup {
    html! {
        section class="card" aria-labelledby="img-h" {
            h2 id="img-h" { "Images" }
            @if images.is_empty() { p class="muted" { "No images yet." } }
            div class="thumbs" {
                @for (n, image) in (1..).zip(images) {
                    img src=(image.url) alt={ (title) " image " (n) } width="96" height="96";
                }
            }
            form method="post" action={ "/app/products/" (id) "/images" } enctype="multipart/form-data" class="actions" {
                (layout::csrf(ui))
                div { label for="images" { "Upload images" } input id="images" name="images" type="file" accept="image/*" multiple required; }
                button type="submit" { "Upload" }
            }
        }
    }
}

/// The categories card: every category as a checkbox, the product's checked.
pub fn categories_card(ui: &Ui, id: &str, all: &[Category], chosen: &[Category]) -> Markup {
    html! {
        section class="card" aria-labelledby="cat-h" {
            h2 id="cat-h" { "Categories" }
            form method="post" action={ "/app/products/" (id) "/categories" } {
                (layout::csrf(ui))
                @if all.is_empty() { p class="muted" { "No categories exist yet." } }
                @for c in all {
                    div {
                        input type="checkbox" id={ "cat-" (c.id) } name="category" value=(c.id)
                            checked[chosen.iter().any(|x| x.id == c.id)];
                        " " label for={ "cat-" (c.id) } class="inline" { (c.name) }
                    }
                }
                button type="submit" class="secondary" { "Save categories" }
            }
        }
    }
}
