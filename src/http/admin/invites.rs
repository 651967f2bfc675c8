//! `/admin/invites`: create and resend (each new token is shown once, in that answer), list,
//! retrieve, delete, and accept. Accepting is the one
//! `/admin` route a non-user calls: it needs a *registration* token of actor type `user`
//! (from `POST /auth/user/emailpass/register`), checked here rather than by the access layer,
//! and answers the same bare 401 without one.

use super::{page, to_json};
use crate::crypto;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::accounts;
use crate::http::auth_routes::require_context;
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::user;
use serde_json::{Value, json};

/// How long an invite stays valid.
const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

/// The `/admin/invites` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new("GET", "/admin/invites", Access::Admin, "List invites", list),
        Route::new(
            "POST",
            "/admin/invites",
            Access::Admin,
            "Invite a user",
            create,
        ),
        Route::new(
            "GET",
            "/admin/invites/:id",
            Access::Admin,
            "Retrieve an invite",
            retrieve,
        ),
        Route::new(
            "DELETE",
            "/admin/invites/:id",
            Access::Admin,
            "Delete an invite",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/invites/:id/resend",
            Access::Admin,
            "Resend an invite (new token and expiry; the token is in this answer only)",
            resend,
        ),
        Route::new(
            "POST",
            "/admin/invites/accept",
            Access::Public,
            "Accept an invite (registration token of a user identity)",
            accept,
        ),
    ]
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let ids = ids(&request.query)?;
    let all = engine.store().read(|conn| user::list_invites(conn, &ids))?;
    let count = all.len() as u64;
    let items = all
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(to_json)
        .collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "invites", items, count, offset, limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("email", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let token = crypto::random_hex(32);
    let expires_at = crate::clock::format_iso8601(engine.clock().now() + INVITE_TTL_MS);
    let ctx = engine.ctx().clone();
    let invite = engine.store().write(move |tx| {
        let invite = user::create_invite(tx, &ctx, &email, &token, &expires_at)?;
        emit_invite(tx, &ctx, "invite.created", &invite)?;
        Ok(invite)
    })?;
    Ok(Response::json(json!({ "invite": to_json(&invite)? })))
}

fn accept(engine: &Engine, request: &Request) -> Result<Response> {
    let context = require_context(engine, request, "user")?;
    let token = request
        .query_str("token")
        .ok_or_else(|| Error::AuthFailed("Invalid invite".into()))?;
    let schema = Schema::new()
        .optional("email", Kind::String)
        .optional("first_name", Kind::String.nullable())
        .optional("last_name", Kind::String.nullable());
    let body = request.body_with(&schema)?;
    let get = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let created =
        accounts::accept_invite(engine, &context, token, get("first_name"), get("last_name"))?;
    Ok(Response::json(json!({ "user": to_json(&created)? })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let invite = engine
        .store()
        .read(|conn| user::retrieve_invite(conn, request.param("id")))?;
    Ok(Response::json(json!({ "invite": to_json(&invite)? })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| user::delete_invite(tx, &ctx, &target))?;
    Ok(super::deleted(&id, "invite"))
}

fn resend(engine: &Engine, request: &Request) -> Result<Response> {
    let token = crypto::random_hex(32);
    let expires_at = crate::clock::format_iso8601(engine.clock().now() + INVITE_TTL_MS);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let invite = engine.store().write(move |tx| {
        let invite = user::refresh_invite(tx, &ctx, &id, &token, &expires_at)?;
        emit_invite(tx, &ctx, "invite.resent", &invite)?;
        Ok(invite)
    })?;
    Ok(Response::json(json!({ "invite": to_json(&invite)? })))
}

/// Medusa's `invite.created` / `invite.resent`, with the email and the token the invite mail
/// carries (the store keeps only the token's hash). Like `auth.*`, a webhook receives these
/// only by naming them.
fn emit_invite(
    tx: &crate::db::Tx,
    ctx: &crate::ctx::Ctx,
    name: &str,
    invite: &user::Invite,
) -> Result<()> {
    ctx.emit(
        tx,
        name,
        json!({"id": invite.id, "email": invite.email, "token": invite.token}),
    )
}
