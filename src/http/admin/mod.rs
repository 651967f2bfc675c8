//! `/admin` route handlers, one file per route family. All of them run behind
//! `Access::Admin` (an authenticated user; until the accounts work lands every call is 401).

pub mod products;

use super::{Access, Route};

/// The catalog's admin routes.
pub fn catalog_routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
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
            "DELETE",
            "/admin/products/:id",
            a,
            "Delete a product",
            products::delete,
        ),
    ]
}
