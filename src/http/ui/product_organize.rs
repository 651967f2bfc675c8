//! How an existing product is organised, on `/app/products/:id`: its collection and type
//! (a choice among the store's, or none), its tags and its sales channels (a checkbox each:
//! a multi-select without JavaScript). Saved through `flows::create_product::update`
//! (`collection_id`, `type_id`, `tag_ids`, and the sales channels replaced), as
//! `POST /admin/products/:id` does, in one write job. Categories have their own card
//! (`product_media.rs`).

use super::{Ui, layout, respond, ui_route};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::{create_product, links};
use crate::http::{Request, Response, Route};
use crate::modules::product::taxonomy::{self, SimpleFilter, ValueKind};
use crate::modules::product::update::ProductUpdate;
use crate::modules::product::{Collection, Product, Tag, relations};
use crate::modules::sales_channel::{self, SalesChannel};
use maud::{Markup, html};

/// Collections, types and tags the pickers list at most (each).
const CHOICES: u64 = 500;

/// The route.
pub fn routes() -> Vec<Route> {
    vec![ui_route(
        "POST",
        "/app/products/:id/organize",
        "Set a product's collection, type, tags and sales channels",
        organize,
    )]
}

/// The store's collections, types, tags and channels, and which the product has.
pub struct Choices {
    collections: Vec<Collection>,
    types: Vec<Tag>,
    tags: Vec<Tag>,
    channels: Vec<SalesChannel>,
    product_tags: Vec<String>,
    product_channels: Vec<String>,
}

/// What the card offers for product `id`.
///
/// # Errors
/// Database failures.
pub fn choices(engine: &Engine, id: &str) -> Result<Choices> {
    engine.store().read(|conn| {
        let all = SimpleFilter::default();
        let ids = [id.to_string()];
        Ok(Choices {
            collections: taxonomy::list_collections(conn, &all, CHOICES, 0)?.0,
            types: taxonomy::list_values(conn, ValueKind::Type, &all, CHOICES, 0)?.0,
            tags: taxonomy::list_values(conn, ValueKind::Tag, &all, CHOICES, 0)?.0,
            channels: sales_channel::list(conn)?,
            product_tags: relations::tags_of(conn, &ids)?
                .remove(id)
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.id)
                .collect(),
            product_channels: links::product_sales_channel().rights_of(conn, id)?,
        })
    })
}

/// The Organize card. When the form comes back with an error, it shows what was posted.
pub fn card(ui: &Ui, product: &Product, c: &Choices) -> Markup {
    let posted = ui.form.get("form") == Some("organize");
    let collection = if posted {
        ui.form.get("collection_id").map(str::to_string)
    } else {
        product.collection_id.clone()
    };
    let kind = if posted {
        ui.form.get("type_id").map(str::to_string)
    } else {
        product.type_id.clone()
    };
    let tags: Vec<String> = if posted {
        ui.form.all("tag").into_iter().map(str::to_string).collect()
    } else {
        c.product_tags.clone()
    };
    let channels: Vec<String> = if posted {
        ui.form
            .all("sales_channel")
            .into_iter()
            .map(str::to_string)
            .collect()
    } else {
        c.product_channels.clone()
    };
    html! {
        section class="card" aria-labelledby="org-h" {
            h2 id="org-h" { "Organize" }
            form method="post" action={ "/app/products/" (product.id) "/organize" } {
                (layout::csrf(ui))
                input type="hidden" name="form" value="organize";
                div class="field" {
                    label for="collection_id" { "Collection" }
                    select id="collection_id" name="collection_id" {
                        option value="" { "No collection" }
                        @for x in &c.collections {
                            option value=(x.id) selected[collection.as_deref() == Some(x.id.as_str())] { (x.title) }
                        }
                    }
                }
                div class="field" {
                    label for="type_id" { "Type" }
                    select id="type_id" name="type_id" {
                        option value="" { "No type" }
                        @for x in &c.types {
                            option value=(x.id) selected[kind.as_deref() == Some(x.id.as_str())] { (x.value) }
                        }
                    }
                }
                fieldset {
                    legend { "Tags" }
                    @if c.tags.is_empty() { p class="muted" { "No tags exist yet." } }
                    @for t in &c.tags {
                        div {
                            input type="checkbox" id={ "tag-" (t.id) } name="tag" value=(t.id) checked[tags.contains(&t.id)];
                            " " label for={ "tag-" (t.id) } class="inline" { (t.value) }
                        }
                    }
                }
                fieldset {
                    legend { "Sales channels" }
                    @for ch in &c.channels {
                        div {
                            input type="checkbox" id={ "org-sc-" (ch.id) } name="sales_channel" value=(ch.id) checked[channels.contains(&ch.id)];
                            " " label for={ "org-sc-" (ch.id) } class="inline" { (ch.name) }
                        }
                    }
                }
                button type="submit" class="secondary" { "Save organization" }
            }
        }
    }
}

/// The posted form as the product update: a blank choice clears the collection or type,
/// unchecked boxes remove tags and channels.
fn change_of(ui: &Ui) -> (ProductUpdate, Vec<String>) {
    let picked = |name: &str| ui.form.optional(name).map(str::to_string);
    let all = |name: &str| -> Vec<String> {
        ui.form
            .all(name)
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    };
    let change = ProductUpdate {
        collection_id: Some(picked("collection_id")),
        type_id: Some(picked("type_id")),
        tag_ids: Some(all("tag")),
        ..ProductUpdate::default()
    };
    (change, all("sales_channel"))
}

fn organize(engine: &Engine, request: &Request, ui: &Ui) -> Result<Response> {
    let id = request.param("id").to_string();
    let (change, channels) = change_of(ui);
    let (hooked, target) = (engine.clone(), id.clone());
    let outcome = engine.store().write(move |tx| {
        let channels = Some(channels.as_slice());
        create_product::update_hooked(
            tx,
            &hooked,
            &target,
            &change,
            channels,
            &serde_json::Value::Null,
        )
    });
    match outcome {
        Ok(()) => Ok(respond::redirect(&format!("/app/products/{id}?done=saved"))),
        Err(err) if err.status() < 500 => {
            super::products::render(engine, &id, &ui.with_error(err.to_string()), err.status())
        }
        Err(err) => Err(err),
    }
}
