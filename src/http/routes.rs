//! The core route table. Handlers live beside their route family (`store/`, `admin/`,
//! `auth/` as they arrive) and stay thin: parse, call a service or workflow, serialize.

use super::{Access, Response, Route};

/// Every core route, registered by `Engine::builder` through the same call users make.
pub fn core_routes() -> Vec<Route> {
    let mut routes = vec![Route::new(
        "GET",
        "/health",
        Access::Public,
        "Liveness probe",
        |_, _| Ok(Response::text("OK")),
    )];
    routes.extend(super::store::catalog_routes());
    routes.extend(super::admin::catalog_routes());
    routes
}
