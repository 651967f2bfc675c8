//! Who is calling: resolves the publishable key (→ sales channels) and the authenticated actor
//! before a handler runs, and enforces the route's [`Access`].
//!
//! Credentials, in Medusa's order: the session cookie, then `Authorization: Bearer <jwt>`,
//! then (admin only) `Authorization: Basic` with a secret API key (`base64("sk_…:")` or the
//! bare `sk_…`). A credential of another actor type is ignored, so a customer token on
//! `/admin` is a bare 401. `/store` routes resolve an optional customer; routes needing one
//! answer 401 without it.

use super::{Access, Request, session};
use crate::crypto;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::{auth as auth_flow, links};
use crate::modules::api_key;
use crate::modules::auth::AuthContext;
use std::sync::Arc;

/// The caller, as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The publishable key context on `/store` routes.
    pub publishable: Option<PublishableContext>,
    /// The authenticated customer, if any.
    pub customer_id: Option<String>,
    /// The authenticated admin user, if any.
    pub user_id: Option<String>,
    /// The secret API key authenticating an admin call, if that is how it came.
    pub api_key_id: Option<String>,
    /// The verified auth context of the route's actor type (also registration tokens, whose
    /// `actor_id` is empty).
    pub auth: Option<AuthContext>,
}

impl Actor {
    /// Who acts on an admin route: the signed-in user, or the secret key (Medusa's
    /// `auth_context.actor_id`).
    pub fn admin_id(&self) -> Option<String> {
        self.user_id.clone().or_else(|| self.api_key_id.clone())
    }
}

/// What a valid publishable key grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishableContext {
    /// The key's id (`apk_…`).
    pub key_id: String,
    /// Sales channels the key is linked to.
    pub sales_channel_ids: Vec<String>,
}

/// The api-key module's table, whose changes end a memoized publishable key.
const KEY_TABLE: &str = "api_key";
const KEY_HEADER: &str = "x-publishable-api-key";
const KEY_REQUIRED: &str = "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard.";
const KEY_INVALID: &str = "A valid publishable key is required to proceed with the request";

/// Checks `access` for `request` and records the resolved actor on it.
///
/// # Errors
/// 400 `not_allowed` for a missing or invalid publishable key (Medusa's messages); bare 401
/// for routes that need an authenticated customer or user.
pub fn authorize(engine: &Engine, request: &mut Request, access: Access) -> Result<()> {
    match access {
        Access::Public => Ok(()),
        Access::Store => {
            resolve_publishable_key(engine, request)?;
            resolve_customer(engine, request)
        }
        Access::Customer => {
            resolve_publishable_key(engine, request)?;
            resolve_customer(engine, request)?;
            request
                .actor
                .customer_id
                .as_ref()
                .map(|_| ())
                .ok_or(Error::Unauthorized)
        }
        Access::Admin => {
            resolve_admin(engine, request)?;
            let actor = &request.actor;
            match (&actor.user_id, &actor.api_key_id) {
                (None, None) => Err(Error::Unauthorized),
                _ => Ok(()),
            }
        }
        Access::SecretKey => {
            resolve_admin(engine, request)?;
            match &request.actor.api_key_id {
                Some(_) => Ok(()),
                None => Err(Error::Unauthorized),
            }
        }
    }
}

/// The verified auth context of `actor_type` from the session cookie or else the bearer
/// token; `None` when neither carries one (invalid credentials are simply ignored).
///
/// # Errors
/// Database failures reading the session.
pub fn auth_context(
    engine: &Engine,
    request: &Request,
    actor_type: &str,
) -> Result<Option<AuthContext>> {
    if let Some(context) = session_context(engine, request)?
        && context.actor_type == actor_type
    {
        return Ok(Some(context));
    }
    Ok(bearer_context(engine, request).filter(|c| c.actor_type == actor_type))
}

/// The context of a valid bearer token, of any actor type.
pub fn bearer_context(engine: &Engine, request: &Request) -> Option<AuthContext> {
    let token = bearer_token(request)?;
    auth_flow::verify_token(engine, token)
}

/// The raw bearer token, if the request has one.
pub fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.header("authorization")?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The id of the session named by a validly signed session cookie.
pub fn session_id(engine: &Engine, request: &Request) -> Option<String> {
    let header = request.header("cookie")?;
    session::session_id(header, &engine.auth().cookie_secret)
}

fn session_context(engine: &Engine, request: &Request) -> Result<Option<AuthContext>> {
    match session_id(engine, request) {
        Some(sid) => auth_flow::session_context(engine, &sid),
        None => Ok(None),
    }
}

fn resolve_customer(engine: &Engine, request: &mut Request) -> Result<()> {
    if request.header("authorization").is_none() && request.header("cookie").is_none() {
        return Ok(());
    }
    let context = auth_context(engine, request, "customer")?;
    request.actor.customer_id = context
        .as_ref()
        .map(|c| c.actor_id.clone())
        .filter(|id| !id.is_empty());
    request.actor.auth = context;
    Ok(())
}

fn resolve_admin(engine: &Engine, request: &mut Request) -> Result<()> {
    let context = auth_context(engine, request, "user")?;
    if let Some(context) = context.filter(|c| !c.actor_id.is_empty()) {
        request.actor.user_id = Some(context.actor_id.clone());
        request.actor.auth = Some(context);
        return Ok(());
    }
    let Some(token) = basic_secret(request) else {
        return Ok(());
    };
    let now = engine.ctx().now();
    let key = engine
        .store()
        .read(move |conn| api_key::find_valid_secret(conn, &token, &now))?;
    request.actor.api_key_id = key.map(|k| k.id);
    Ok(())
}

/// The `sk_…` token of `Authorization: Basic base64("sk_…:")` or `Basic sk_…`.
fn basic_secret(request: &Request) -> Option<String> {
    let value = request.header("authorization")?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let credential = credential.trim();
    if credential.starts_with("sk_") {
        return Some(credential.trim_end_matches(':').to_string());
    }
    let decoded = String::from_utf8(crypto::b64_decode(credential)?).ok()?;
    let token = decoded.split(':').next()?;
    token.starts_with("sk_").then(|| token.to_string())
}

fn resolve_publishable_key(engine: &Engine, request: &mut Request) -> Result<()> {
    let token = request
        .header(KEY_HEADER)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::not_allowed(KEY_REQUIRED))?;
    let key = publishable_key(engine, token)?;
    let now = engine.ctx().now();
    let context = key
        .filter(|k| k.revoked_at.as_deref().is_none_or(|at| at > now.as_str()))
        .map(|k| k.context.clone());
    request.actor.publishable = Some(context.ok_or_else(|| Error::not_allowed(KEY_INVALID))?);
    Ok(())
}

/// A publishable key as every store request checks it: what it grants and when it is (or
/// will be) revoked, which is compared with the clock on each use.
#[derive(Debug)]
struct PublishableKey {
    context: PublishableContext,
    revoked_at: Option<String>,
}

/// The key of `token` (revoked or not; deleted keys are not found). Every store request
/// asks, so a found key is memoized until a committed write changes the key table or the
/// key–sales-channel links ([`crate::db::memo::Memo::table_generation`]): a revocation, a
/// deletion or a new link is seen by the next request. Unknown tokens are not kept (anyone
/// can send any number of them) and cost a read each, as before.
fn publishable_key(engine: &Engine, token: &str) -> Result<Option<Arc<PublishableKey>>> {
    let link = links::publishable_key_sales_channel();
    let tables = [KEY_TABLE, link.table()];
    let memo = engine.store().memo();
    let generation = memo.table_generation(&tables);
    let memo_key = ["publishable-key:", token].concat();
    if let Some(key) = memo.get::<PublishableKey>(&memo_key, generation) {
        return Ok(Some(key));
    }
    let owned = token.to_string();
    let found = engine.store().read(move |conn| {
        // Revocation is checked against the clock on each use, so the row is read whatever
        // its `revoked_at` (every timestamp sorts after "").
        let Some(key) = api_key::find_valid_publishable(conn, &owned, "")? else {
            return Ok(None);
        };
        let sales_channel_ids = link.rights_of(conn, &key.id)?;
        Ok(Some(PublishableKey {
            context: PublishableContext {
                key_id: key.id,
                sales_channel_ids,
            },
            revoked_at: key.revoked_at,
        }))
    })?;
    Ok(found.map(|key| {
        let key = Arc::new(key);
        memo.put(memo_key, generation, Arc::clone(&key));
        key
    }))
}
