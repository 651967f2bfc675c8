//! Who is calling: resolves the publishable key (→ sales channels) and the authenticated actor
//! before a handler runs, and enforces the route's [`Access`].
//!
//! Admin and customer authentication (JWT, sessions, secret keys) arrive with the accounts
//! work; until then those routes answer Medusa's bare 401, which is what a caller without
//! credentials gets anyway.

use super::{Access, Request};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::api_key;

/// The caller, as far as it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The publishable key context on `/store` routes.
    pub publishable: Option<PublishableContext>,
    /// The authenticated customer, if any.
    pub customer_id: Option<String>,
    /// The authenticated admin user, if any.
    pub user_id: Option<String>,
}

/// What a valid publishable key grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishableContext {
    /// The key's id (`apk_…`).
    pub key_id: String,
    /// Sales channels the key is linked to.
    pub sales_channel_ids: Vec<String>,
}

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
        Access::Store => resolve_publishable_key(engine, request),
        Access::Customer => {
            resolve_publishable_key(engine, request)?;
            request
                .actor
                .customer_id
                .as_ref()
                .map(|_| ())
                .ok_or(Error::Unauthorized)
        }
        Access::Admin => request
            .actor
            .user_id
            .as_ref()
            .map(|_| ())
            .ok_or(Error::Unauthorized),
    }
}

fn resolve_publishable_key(engine: &Engine, request: &mut Request) -> Result<()> {
    let token = request
        .header(KEY_HEADER)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::not_allowed(KEY_REQUIRED))?
        .to_string();
    let now = engine.ctx().now();
    let context = engine.store().read(move |conn| {
        let Some(key) = api_key::find_valid_publishable(conn, &token, &now)? else {
            return Ok(None);
        };
        let sales_channel_ids = links::publishable_key_sales_channel().rights_of(conn, &key.id)?;
        Ok(Some(PublishableContext {
            key_id: key.id,
            sales_channel_ids,
        }))
    })?;
    request.actor.publishable = Some(context.ok_or_else(|| Error::not_allowed(KEY_INVALID))?);
    Ok(())
}
