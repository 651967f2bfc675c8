//! `GET /openapi.json`: an OpenAPI 3.0 document generated from the route table at request time,
//! so it lists exactly the routes the server answers (custom ones included) and cannot drift.
//! Bodies are described loosely (any JSON object); the server validates them strictly.

use super::{Access, Route, Router};
use serde_json::{Map, Value, json};

/// The OpenAPI document for every route in `router`.
pub fn document(router: &Router) -> Value {
    let mut paths = Map::new();
    // The admin UI's pages are HTML for browsers, not part of the API.
    for route in router
        .routes()
        .iter()
        .filter(|r| !r.pattern.starts_with("/app"))
    {
        let path = openapi_path(&route.pattern);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        if let Value::Object(methods) = entry {
            methods.insert(route.method.to_ascii_lowercase(), operation(route));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Stockroom",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Medusa v2 compatible Store and Admin API of a Stockroom engine. Generated from the route table.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "publishableKey": {"type": "apiKey", "in": "header", "name": "x-publishable-api-key"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "secretKey": {"type": "http", "scheme": "basic"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"type": {"type": "string"}, "message": {"type": "string"}, "code": {"type": "string"}},
                    "required": ["message"],
                },
            },
        },
    })
}

/// `/store/products/:id` → `/store/products/{id}`.
fn openapi_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|s| {
            s.strip_prefix(':')
                .map_or_else(|| s.to_string(), |p| format!("{{{p}}}"))
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn operation(route: &Route) -> Value {
    let mut op = json!({
        "summary": route.summary,
        "operationId": format!("{} {}", route.method, route.pattern),
        "parameters": route.param_names().iter().map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}})).collect::<Vec<_>>(),
        "responses": responses(route.access),
    });
    if let Some(security) = security(route.access) {
        op["security"] = security;
    }
    if matches!(route.method, "POST" | "PUT" | "PATCH") {
        op["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": {"type": "object"}}}});
    }
    op
}

fn security(access: Access) -> Option<Value> {
    match access {
        Access::Public => None,
        Access::Store => Some(json!([{"publishableKey": []}])),
        Access::Customer => Some(json!([{"publishableKey": [], "bearer": []}])),
        Access::Admin => Some(json!([{"bearer": []}, {"secretKey": []}])),
        Access::SecretKey => Some(json!([{"secretKey": []}])),
    }
}

fn responses(access: Access) -> Value {
    let error = json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let mut out = json!({
        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": {"description": "Invalid request", "content": error["content"]},
        "404": {"description": "Not found", "content": error["content"]},
    });
    if access != Access::Public {
        out["401"] = json!({"description": "Unauthorized", "content": error["content"]});
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Response;

    #[test]
    fn every_route_appears_with_its_parameters_and_security() {
        let mut router = Router::default();
        router.add(Route::new(
            "GET",
            "/store/carts/:id",
            Access::Store,
            "Get a cart",
            |_, _| Ok(Response::empty(200)),
        ));
        router.add(Route::new(
            "POST",
            "/store/carts/:id",
            Access::Store,
            "Update a cart",
            |_, _| Ok(Response::empty(200)),
        ));
        router.add(Route::new(
            "GET",
            "/health",
            Access::Public,
            "Health",
            |_, _| Ok(Response::empty(200)),
        ));
        let doc = document(&router);
        let cart = &doc["paths"]["/store/carts/{id}"];
        assert_eq!(cart["get"]["parameters"][0]["name"], "id");
        assert_eq!(cart["post"]["security"], json!([{"publishableKey": []}]));
        assert!(cart["post"]["requestBody"].is_object());
        assert!(doc["paths"]["/health"]["get"].get("security").is_none());
    }
}
