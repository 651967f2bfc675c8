//! `/admin/users`: list, the signed-in user (`/me`), retrieve, update, delete, how a user
//! signs in (`auth-providers`) and a password-reset token made for them (`reset-password`).

use super::{as_map, page, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::user;
use serde_json::json;

/// The `/admin/users` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new("GET", "/admin/users", Access::Admin, "List users", list),
        Route::new(
            "GET",
            "/admin/users/me",
            Access::Admin,
            "The signed-in user",
            me,
        ),
        Route::new(
            "DELETE",
            "/admin/users/:id",
            Access::Admin,
            "Delete a user (not oneself)",
            delete,
        ),
        Route::new(
            "GET",
            "/admin/users/:id",
            Access::Admin,
            "Retrieve a user",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/users/:id",
            Access::Admin,
            "Update a user",
            update,
        ),
        Route::new(
            "GET",
            "/admin/users/:id/auth-providers",
            Access::Admin,
            "How a user signs in",
            auth_providers,
        ),
        Route::new(
            "POST",
            "/admin/users/:id/reset-password",
            Access::Admin,
            "A password-reset token for a user",
            reset_password,
        ),
    ]
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let q = request.query_str("q").map(str::to_string);
    let ids = ids(&request.query)?;
    let (found, count) = engine
        .store()
        .read(|conn| user::list(conn, q.as_deref(), &ids, offset, limit))?;
    let items = found.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "users", items, count, offset, limit,
    )))
}

fn me(engine: &Engine, request: &Request) -> Result<Response> {
    // A secret API key authenticates calls but is no user.
    let id = request.actor.user_id.clone().ok_or(Error::Unauthorized)?;
    let found = engine.store().read(|conn| user::retrieve(conn, &id))?;
    Ok(Response::json(json!({ "user": to_json(&found)? })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|conn| user::retrieve(conn, request.param("id")))?;
    Ok(Response::json(json!({ "user": to_json(&found)? })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let text = || Kind::String.nullable();
    let schema = Schema::new()
        .optional("first_name", text())
        .optional("last_name", text())
        .optional("avatar_url", text())
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(request.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let updated = engine
        .store()
        .write(move |tx| user::update(tx, &ctx, &id, &changes))?;
    Ok(Response::json(json!({ "user": to_json(&updated)? })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    crate::flows::accounts::delete_user(engine, id, request.actor.user_id.as_deref())?;
    Ok(super::deleted(id, "user"))
}

fn auth_providers(engine: &Engine, request: &Request) -> Result<Response> {
    let providers = crate::flows::accounts::user_providers(engine, request.param("id"))?;
    Ok(Response::json(json!({ "providers": providers })))
}

/// Medusa answers the token itself, for the admin to pass on; the `auth.password_reset`
/// event lets a mailer send it as well.
fn reset_password(engine: &Engine, request: &Request) -> Result<Response> {
    let token = crate::flows::accounts::user_reset_token(engine, request.param("id"))?;
    Ok(Response::json(json!({ "token": token })))
}
