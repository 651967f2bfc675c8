//! The catalog's `/admin` route table: products (options, variants, batch), regions and
//! tax, price lists, taxonomy (categories, collections, tags, types), sales channels,
//! publishable keys and stores. One row per route: method, pattern, summary, handler.

use super::{
    channels, options, price_lists, products, products_batch, regions, taxonomy, variants,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::{Access, Request, Response, Route};

type Row = (
    &'static str,
    &'static str,
    &'static str,
    fn(&Engine, &Request) -> Result<Response>,
);

fn table(rows: &[Row]) -> Vec<Route> {
    rows.iter()
        .map(|(method, pattern, summary, handler)| {
            Route::new(method, pattern, Access::Admin, summary, *handler)
        })
        .collect()
}

/// The catalog's admin routes.
pub fn catalog_routes() -> Vec<Route> {
    let mut routes = products_routes();
    routes.extend(pricing_routes());
    routes.extend(taxonomy_routes());
    routes.extend(channel_routes());
    routes
}

fn products_routes() -> Vec<Route> {
    table(&[
        ("GET", "/admin/products", "List products", products::list),
        (
            "POST",
            "/admin/products",
            "Create a product",
            products::create,
        ),
        (
            "GET",
            "/admin/products/:id",
            "Retrieve a product",
            products::retrieve,
        ),
        (
            "POST",
            "/admin/products/:id",
            "Update a product",
            products::update,
        ),
        (
            "DELETE",
            "/admin/products/:id",
            "Delete a product",
            products::delete,
        ),
        (
            "POST",
            "/admin/products/:id/variants",
            "Add a variant",
            variants::create,
        ),
        (
            "DELETE",
            "/admin/products/:id/variants/:variant_id",
            "Delete a variant",
            variants::delete,
        ),
        (
            "POST",
            "/admin/products/batch",
            "Create, update and delete products",
            products_batch::batch,
        ),
        (
            "POST",
            "/admin/products/:id/variants/:variant_id",
            "Update a variant",
            variants::update,
        ),
        (
            "POST",
            "/admin/products/:id/options",
            "Add an option",
            options::create,
        ),
        (
            "POST",
            "/admin/products/:id/options/:option_id",
            "Update an option",
            options::update,
        ),
        (
            "DELETE",
            "/admin/products/:id/options/:option_id",
            "Delete an option",
            options::delete,
        ),
    ])
}

fn pricing_routes() -> Vec<Route> {
    table(&[
        ("GET", "/admin/regions", "List regions", regions::list),
        ("POST", "/admin/regions", "Create a region", regions::create),
        (
            "GET",
            "/admin/regions/:id",
            "Retrieve a region",
            regions::retrieve,
        ),
        (
            "DELETE",
            "/admin/regions/:id",
            "Delete a region",
            regions::delete,
        ),
        (
            "GET",
            "/admin/tax-regions",
            "List tax regions",
            regions::list_tax_regions,
        ),
        (
            "POST",
            "/admin/tax-regions",
            "Create a tax region",
            regions::create_tax_region,
        ),
        (
            "POST",
            "/admin/tax-rates",
            "Create a tax rate",
            regions::create_tax_rate,
        ),
        (
            "POST",
            "/admin/price-lists",
            "Create a price list",
            price_lists::create,
        ),
        (
            "GET",
            "/admin/price-lists/:id",
            "Retrieve a price list",
            price_lists::retrieve,
        ),
        (
            "POST",
            "/admin/regions/:id",
            "Update a region",
            regions::update,
        ),
        (
            "GET",
            "/admin/tax-rates/:id",
            "Retrieve a tax rate",
            regions::retrieve_tax_rate,
        ),
        (
            "POST",
            "/admin/tax-rates/:id",
            "Update a tax rate",
            regions::update_tax_rate,
        ),
        (
            "DELETE",
            "/admin/tax-rates/:id",
            "Delete a tax rate",
            regions::delete_tax_rate,
        ),
        (
            "GET",
            "/admin/price-lists",
            "List price lists",
            price_lists::list,
        ),
        (
            "POST",
            "/admin/price-lists/:id",
            "Update a price list",
            price_lists::update,
        ),
        (
            "DELETE",
            "/admin/price-lists/:id",
            "Delete a price list",
            price_lists::delete,
        ),
        (
            "POST",
            "/admin/price-lists/:id/prices/batch",
            "Add, update and remove price list prices",
            price_lists::batch_prices,
        ),
    ])
}

fn taxonomy_routes() -> Vec<Route> {
    table(&[
        (
            "GET",
            "/admin/product-categories",
            "List categories",
            taxonomy::list_categories,
        ),
        (
            "POST",
            "/admin/product-categories",
            "Create a category",
            taxonomy::create_category,
        ),
        (
            "GET",
            "/admin/product-categories/:id",
            "Retrieve a category",
            taxonomy::retrieve_category,
        ),
        (
            "GET",
            "/admin/collections",
            "List collections",
            taxonomy::list_collections,
        ),
        (
            "POST",
            "/admin/collections",
            "Create a collection",
            taxonomy::create_collection,
        ),
        (
            "GET",
            "/admin/collections/:id",
            "Retrieve a collection",
            taxonomy::retrieve_collection,
        ),
        (
            "GET",
            "/admin/product-tags",
            "List tags",
            taxonomy::list_tags,
        ),
        (
            "POST",
            "/admin/product-tags",
            "Create a tag",
            taxonomy::create_tag,
        ),
        (
            "GET",
            "/admin/product-tags/:id",
            "Retrieve a tag",
            taxonomy::retrieve_tag,
        ),
        (
            "GET",
            "/admin/product-types",
            "List types",
            taxonomy::list_types,
        ),
        (
            "POST",
            "/admin/product-types",
            "Create a type",
            taxonomy::create_type,
        ),
        (
            "GET",
            "/admin/product-types/:id",
            "Retrieve a type",
            taxonomy::retrieve_type,
        ),
        (
            "DELETE",
            "/admin/product-categories/:id",
            "Delete a category",
            taxonomy::delete_category,
        ),
        (
            "DELETE",
            "/admin/collections/:id",
            "Delete a collection",
            taxonomy::delete_collection,
        ),
        (
            "DELETE",
            "/admin/product-tags/:id",
            "Delete a tag",
            taxonomy::delete_tag,
        ),
        (
            "DELETE",
            "/admin/product-types/:id",
            "Delete a type",
            taxonomy::delete_type,
        ),
        (
            "POST",
            "/admin/product-categories/:id",
            "Update a category",
            taxonomy::update_category,
        ),
        (
            "POST",
            "/admin/collections/:id",
            "Update a collection",
            taxonomy::update_collection,
        ),
        (
            "POST",
            "/admin/product-tags/:id",
            "Update a tag",
            taxonomy::update_tag,
        ),
        (
            "POST",
            "/admin/product-types/:id",
            "Update a type",
            taxonomy::update_type,
        ),
    ])
}

fn channel_routes() -> Vec<Route> {
    table(&[
        (
            "GET",
            "/admin/sales-channels",
            "List sales channels",
            channels::list_channels,
        ),
        (
            "POST",
            "/admin/sales-channels",
            "Create a sales channel",
            channels::create_channel,
        ),
        (
            "GET",
            "/admin/sales-channels/:id",
            "Retrieve a sales channel",
            channels::retrieve_channel,
        ),
        (
            "POST",
            "/admin/api-keys",
            "Create a publishable key",
            channels::create_key,
        ),
        (
            "GET",
            "/admin/api-keys/:id",
            "Retrieve an API key",
            channels::retrieve_key,
        ),
        (
            "POST",
            "/admin/api-keys/:id/revoke",
            "Revoke an API key",
            channels::revoke_key,
        ),
        (
            "POST",
            "/admin/api-keys/:id/sales-channels",
            "Link sales channels to a key",
            channels::key_channels,
        ),
        ("GET", "/admin/stores", "List stores", channels::list_stores),
        (
            "GET",
            "/admin/stores/:id",
            "Retrieve a store",
            channels::retrieve_store,
        ),
        (
            "POST",
            "/admin/sales-channels/:id",
            "Update a sales channel",
            channels::update_channel,
        ),
        (
            "DELETE",
            "/admin/sales-channels/:id",
            "Delete a sales channel",
            channels::delete_channel,
        ),
        (
            "GET",
            "/admin/price-lists/:id/prices",
            "List a price list's prices",
            price_lists::list_prices,
        ),
        (
            "POST",
            "/admin/product-categories/:id/products",
            "Add products to or remove them from a category",
            taxonomy::link_category_products,
        ),
        (
            "POST",
            "/admin/collections/:id/products",
            "Add products to or remove them from a collection",
            taxonomy::link_collection_products,
        ),
        (
            "POST",
            "/admin/sales-channels/:id/products",
            "Add products to or remove them from a sales channel",
            channels::link_products,
        ),
        (
            "POST",
            "/admin/stores/:id",
            "Update a store",
            channels::update_store,
        ),
    ])
}
