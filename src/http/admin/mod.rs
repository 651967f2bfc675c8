//! `/admin` route handlers, one file per route family. All of them run behind
//! `Access::Admin` (an authenticated user; until the accounts work lands every call is 401).

pub mod channels;
pub mod price_lists;
pub mod products;
pub mod regions;
pub mod taxonomy;
pub mod variants;

use super::{Access, Route};

/// The catalog's admin routes.
pub fn catalog_routes() -> Vec<Route> {
    let a = Access::Admin;
    let mut routes = vec![
        Route::new("GET", "/admin/products", a, "List products", products::list),
        Route::new(
            "POST",
            "/admin/products",
            a,
            "Create a product",
            products::create,
        ),
        Route::new(
            "GET",
            "/admin/products/:id",
            a,
            "Retrieve a product",
            products::retrieve,
        ),
        Route::new(
            "POST",
            "/admin/products/:id",
            a,
            "Update a product",
            products::update,
        ),
        Route::new(
            "DELETE",
            "/admin/products/:id",
            a,
            "Delete a product",
            products::delete,
        ),
        Route::new("GET", "/admin/regions", a, "List regions", regions::list),
        Route::new(
            "POST",
            "/admin/regions",
            a,
            "Create a region",
            regions::create,
        ),
        Route::new(
            "GET",
            "/admin/regions/:id",
            a,
            "Retrieve a region",
            regions::retrieve,
        ),
        Route::new(
            "DELETE",
            "/admin/regions/:id",
            a,
            "Delete a region",
            regions::delete,
        ),
        Route::new(
            "GET",
            "/admin/tax-regions",
            a,
            "List tax regions",
            regions::list_tax_regions,
        ),
        Route::new(
            "POST",
            "/admin/tax-regions",
            a,
            "Create a tax region",
            regions::create_tax_region,
        ),
        Route::new(
            "POST",
            "/admin/tax-rates",
            a,
            "Create a tax rate",
            regions::create_tax_rate,
        ),
        Route::new(
            "POST",
            "/admin/price-lists",
            a,
            "Create a price list",
            price_lists::create,
        ),
        Route::new(
            "GET",
            "/admin/price-lists/:id",
            a,
            "Retrieve a price list",
            price_lists::retrieve,
        ),
    ];
    routes.push(Route::new(
        "POST",
        "/admin/products/:id/variants",
        a,
        "Add a variant",
        variants::create,
    ));
    routes.push(Route::new(
        "DELETE",
        "/admin/products/:id/variants/:variant_id",
        a,
        "Delete a variant",
        variants::delete,
    ));
    routes.extend(taxonomy_routes());
    routes.extend(channel_routes());
    routes
}

fn taxonomy_routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/product-categories",
            a,
            "List categories",
            taxonomy::list_categories,
        ),
        Route::new(
            "POST",
            "/admin/product-categories",
            a,
            "Create a category",
            taxonomy::create_category,
        ),
        Route::new(
            "GET",
            "/admin/product-categories/:id",
            a,
            "Retrieve a category",
            taxonomy::retrieve_category,
        ),
        Route::new(
            "GET",
            "/admin/collections",
            a,
            "List collections",
            taxonomy::list_collections,
        ),
        Route::new(
            "POST",
            "/admin/collections",
            a,
            "Create a collection",
            taxonomy::create_collection,
        ),
        Route::new(
            "GET",
            "/admin/collections/:id",
            a,
            "Retrieve a collection",
            taxonomy::retrieve_collection,
        ),
        Route::new(
            "GET",
            "/admin/product-tags",
            a,
            "List tags",
            taxonomy::list_tags,
        ),
        Route::new(
            "POST",
            "/admin/product-tags",
            a,
            "Create a tag",
            taxonomy::create_tag,
        ),
        Route::new(
            "GET",
            "/admin/product-tags/:id",
            a,
            "Retrieve a tag",
            taxonomy::retrieve_tag,
        ),
        Route::new(
            "GET",
            "/admin/product-types",
            a,
            "List types",
            taxonomy::list_types,
        ),
        Route::new(
            "POST",
            "/admin/product-types",
            a,
            "Create a type",
            taxonomy::create_type,
        ),
        Route::new(
            "GET",
            "/admin/product-types/:id",
            a,
            "Retrieve a type",
            taxonomy::retrieve_type,
        ),
        Route::new(
            "DELETE",
            "/admin/product-categories/:id",
            a,
            "Delete a category",
            taxonomy::delete_category,
        ),
        Route::new(
            "DELETE",
            "/admin/collections/:id",
            a,
            "Delete a collection",
            taxonomy::delete_collection,
        ),
        Route::new(
            "DELETE",
            "/admin/product-tags/:id",
            a,
            "Delete a tag",
            taxonomy::delete_tag,
        ),
        Route::new(
            "DELETE",
            "/admin/product-types/:id",
            a,
            "Delete a type",
            taxonomy::delete_type,
        ),
    ]
}

fn channel_routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/sales-channels",
            a,
            "List sales channels",
            channels::list_channels,
        ),
        Route::new(
            "POST",
            "/admin/sales-channels",
            a,
            "Create a sales channel",
            channels::create_channel,
        ),
        Route::new(
            "GET",
            "/admin/sales-channels/:id",
            a,
            "Retrieve a sales channel",
            channels::retrieve_channel,
        ),
        Route::new(
            "POST",
            "/admin/api-keys",
            a,
            "Create a publishable key",
            channels::create_key,
        ),
        Route::new(
            "GET",
            "/admin/api-keys/:id",
            a,
            "Retrieve an API key",
            channels::retrieve_key,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id/revoke",
            a,
            "Revoke an API key",
            channels::revoke_key,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id/sales-channels",
            a,
            "Link sales channels to a key",
            channels::key_channels,
        ),
        Route::new(
            "GET",
            "/admin/stores",
            a,
            "List stores",
            channels::list_stores,
        ),
        Route::new(
            "GET",
            "/admin/stores/:id",
            a,
            "Retrieve a store",
            channels::retrieve_store,
        ),
    ]
}
