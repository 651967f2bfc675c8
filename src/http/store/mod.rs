//! `/store` route handlers, one file per route family. All of them run behind
//! `Access::Store` (a valid publishable key) or `Access::Customer`: customers (accounts),
//! carts, shipping options, payment collections and orders (checkout), and the catalog.

pub mod cart_customer;
pub mod cart_text;
pub mod carts;
pub mod checkout_json;
pub mod customers;
pub mod item_text;
pub mod locales;
pub mod option_text;
pub mod order_transfer;
pub mod orders;
pub mod products;
pub mod regions;
pub mod returns;
pub mod shipping_calculate;
pub mod taxonomy;
pub mod variants;

use super::{Access, Route};

/// The catalog's store routes.
pub fn catalog_routes() -> Vec<Route> {
    let s = Access::Store;
    vec![
        Route::new("GET", "/store/regions", s, "List regions", regions::list),
        Route::new(
            "GET",
            "/store/regions/:id",
            s,
            "Retrieve a region",
            regions::retrieve,
        ),
        Route::new(
            "GET",
            "/store/currencies",
            s,
            "List currencies",
            regions::currencies,
        ),
        Route::new(
            "GET",
            "/store/currencies/:code",
            s,
            "Retrieve a currency",
            regions::currency,
        ),
        Route::new(
            "GET",
            "/store/payment-providers",
            s,
            "Payment providers of a region",
            regions::payment_providers,
        ),
        Route::new("GET", "/store/products", s, "List products", products::list),
        Route::new(
            "GET",
            "/store/products/:id",
            s,
            "Retrieve a product",
            products::retrieve,
        ),
        Route::new(
            "GET",
            "/store/product-categories",
            s,
            "List categories",
            taxonomy::list_categories,
        ),
        Route::new(
            "GET",
            "/store/product-categories/:id",
            s,
            "Retrieve a category",
            taxonomy::retrieve_category,
        ),
        Route::new(
            "GET",
            "/store/collections",
            s,
            "List collections",
            taxonomy::list_collections,
        ),
        Route::new(
            "GET",
            "/store/collections/:id",
            s,
            "Retrieve a collection",
            taxonomy::retrieve_collection,
        ),
        Route::new(
            "GET",
            "/store/product-tags",
            s,
            "List product tags",
            taxonomy::list_tags,
        ),
        Route::new(
            "GET",
            "/store/product-tags/:id",
            s,
            "Retrieve a product tag",
            taxonomy::retrieve_tag,
        ),
        Route::new(
            "GET",
            "/store/product-types",
            s,
            "List product types",
            taxonomy::list_types,
        ),
        Route::new(
            "GET",
            "/store/product-types/:id",
            s,
            "Retrieve a product type",
            taxonomy::retrieve_type,
        ),
    ]
}

/// The store operations added for issue 13 (cart transfer, variants, options, locales,
/// search, shipping price calculation, order transfers), each family in its own file.
pub fn extra_routes() -> Vec<Route> {
    let mut routes = cart_customer::routes();
    routes.extend(variants::routes());
    routes.extend(locales::routes());
    routes.extend(shipping_calculate::routes());
    routes.extend(order_transfer::routes());
    routes.extend(returns::routes());
    routes
}
