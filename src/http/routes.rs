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
    routes.push(Route::new(
        "GET",
        "/health/ready",
        Access::Public,
        "Readiness probe: 200 once the store is migrated and recovered, answers reads and \
         is warm (503 from the starting responder before that, and while the warm-up runs)",
        |engine, _| {
            if engine.store().warming() {
                let body = serde_json::json!({"status": "warming", "message": "warming the catalog; retry shortly"});
                let mut response = Response::json(body).with_status(503);
                response.headers.push(("Retry-After".into(), "1".into()));
                return Ok(response);
            }
            engine.store().read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))?;
            Ok(Response::json(
                serde_json::json!({"status": "ready", "writer_queue": engine.store().queued_writes()}),
            ))
        },
    ));
    routes.push(Route::new(
        "GET",
        "/openapi.json",
        Access::Public,
        "This API as an OpenAPI 3 document",
        |engine, _| Ok(Response::json(super::openapi::document(engine.router()))),
    ));
    routes.extend(super::store::catalog_routes());
    routes.extend(super::admin::catalog_routes());
    // Registered after the catalog's: `/admin/api-keys` here also handles secret keys, and a
    // later route with the same method and pattern replaces an earlier one.
    routes.extend(super::auth_routes::routes());
    routes.extend(super::store::customers::routes());
    routes.extend(super::store::carts::routes());
    routes.extend(super::store::orders::routes());
    routes.extend(super::store::extra_routes());
    routes.extend(super::admin::routes());
    routes.extend(super::static_files::routes());
    routes.extend(super::ui::routes());
    routes.extend(super::pos::routes());
    routes
}
