//! Account flows spanning modules: a registered customer bound to its auth identity, an admin
//! user with its identity (CLI, fixtures, invites). Passwords are hashed by the caller before
//! the write job (see `flows::auth`).

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::auth::normalize_email;
use crate::modules::auth::{self, AuthContext, password};
use crate::modules::customer::{self, Customer, NewCustomer};
use crate::modules::user::{self, User};
use crate::workflow::hooks::{self, points};
use serde_json::Map;

/// Creates the registered customer of a registration token's identity and binds it
/// (`app_metadata.customer_id`), in one transaction.
///
/// # Errors
/// 400 "Request already authenticated as a customer." when the token is already bound;
/// 422 when a registered customer has the email; 400 without an email.
pub fn register_customer(
    engine: &Engine,
    context: &AuthContext,
    input: NewCustomer,
) -> Result<Customer> {
    register_customer_with(engine, context, input, serde_json::Value::Null)
}

/// [`register_customer`] with the request's `additional_data`, which the
/// `customer_created` hooks see (and may refuse: then nothing is created or bound).
///
/// # Errors
/// As [`register_customer`], and a hook's refusal.
pub fn register_customer_with(
    engine: &Engine,
    context: &AuthContext,
    input: NewCustomer,
    additional_data: serde_json::Value,
) -> Result<Customer> {
    if !context.actor_id.is_empty() {
        return Err(Error::invalid(
            "Request already authenticated as a customer.",
        ));
    }
    let (ctx, hooked) = (engine.ctx().clone(), engine.clone());
    let identity_id = context.auth_identity_id.clone();
    engine.store().write(move |tx| {
        let metadata = auth::app_metadata(tx, &identity_id).map_err(|_| Error::Unauthorized)?;
        if metadata.contains_key("customer_id") {
            return Err(Error::invalid(
                "Request already authenticated as a customer.",
            ));
        }
        let input = NewCustomer {
            has_account: true,
            ..input
        };
        let created = customer::create(tx, &ctx, &input)?;
        auth::set_app_metadata(tx, &ctx, &identity_id, "customer_id", &created.id)?;
        ctx.emit(
            tx,
            "customer.created",
            serde_json::json!({"id": created.id}),
        )?;
        let data = serde_json::json!({ "customer_id": created.id });
        hooks::run(
            tx,
            &hooked,
            points::CUSTOMER_CREATED,
            &data,
            &additional_data,
        )?;
        Ok(created)
    })
}

/// Creates an admin user and its email/password identity from an already computed hash
/// (inside a write job: fixtures and the CLI share it).
///
/// # Errors
/// 422 when a user has the email; 401 when an identity has it.
pub fn create_user_in(tx: &Tx, ctx: &Ctx, email: &str, password_hash: &str) -> Result<User> {
    let email = normalize_email(email);
    let created = user::create(tx, ctx, &email, None, None)?;
    let mut metadata = Map::new();
    metadata.insert("user_id".into(), created.id.clone().into());
    auth::create_emailpass(tx, ctx, &email, password_hash, &metadata)?;
    ctx.emit(tx, "user.created", serde_json::json!({"id": created.id}))?;
    Ok(created)
}

/// Creates an admin user with a password (hashed here, outside the write).
///
/// # Errors
/// As [`create_user_in`]; 400 for an empty email or password.
pub fn create_user(engine: &Engine, email: &str, pass: &str) -> Result<User> {
    if email.trim().is_empty() || pass.is_empty() {
        return Err(Error::invalid("Email and password are required"));
    }
    password::check_length(pass)?;
    let hash = password::hash(pass, engine.auth().hash_cost)?;
    let (ctx, email) = (engine.ctx().clone(), email.to_string());
    engine
        .store()
        .write(move |tx| create_user_in(tx, &ctx, &email, &hash))
}

/// Accepts an invite: creates the user for the invited email and binds the registering
/// identity (`app_metadata.user_id`), in one transaction.
///
/// # Errors
/// 401 "Invalid invite" for an unknown, used or expired token; 400 when the identity is
/// already a user.
pub fn accept_invite(
    engine: &Engine,
    context: &AuthContext,
    invite_token: &str,
    first_name: Option<String>,
    last_name: Option<String>,
) -> Result<User> {
    if !context.actor_id.is_empty() {
        return Err(Error::invalid("Request already authenticated as a user."));
    }
    let ctx = engine.ctx().clone();
    let (identity_id, token) = (context.auth_identity_id.clone(), invite_token.to_string());
    engine.store().write(move |tx| {
        let metadata = auth::app_metadata(tx, &identity_id).map_err(|_| Error::Unauthorized)?;
        if metadata.contains_key("user_id") {
            return Err(Error::invalid("Request already authenticated as a user."));
        }
        let invite = user::accept_invite(tx, &ctx, &token)?;
        let created = user::create(
            tx,
            &ctx,
            &invite.email,
            first_name.as_deref(),
            last_name.as_deref(),
        )?;
        auth::set_app_metadata(tx, &ctx, &identity_id, "user_id", &created.id)?;
        ctx.emit(tx, "user.created", serde_json::json!({"id": created.id}))?;
        Ok(created)
    })
}

/// Deletes a customer (Medusa's `removeCustomerAccountWorkflow`): the customer module drops
/// the customer, its addresses and group memberships; the auth module detaches the identity
/// (and deletes it when nothing else uses it), so the same email can register again. One
/// write job.
///
/// # Errors
/// 404 for an unknown customer.
pub fn delete_customer(engine: &Engine, customer_id: &str) -> Result<()> {
    let (ctx, id) = (engine.ctx().clone(), customer_id.to_string());
    engine.store().write(move |tx| {
        crate::modules::customer::delete(tx, &ctx, &id)?;
        crate::modules::auth::forget_actor(tx, &ctx, "customer_id", &id)
    })
}

/// Deletes a staff user (Medusa's `removeUserAccountWorkflow`): the user module drops the
/// user; the auth module detaches the identity and deletes it when nothing else uses it, so
/// the email can be invited again. A user cannot delete itself (Medusa's rule): that is how
/// a shop keeps at least the admin who is acting. One write job.
///
/// # Errors
/// 400 `not_allowed` for oneself; 404 for an unknown user.
pub fn delete_user(engine: &Engine, user_id: &str, acting: Option<&str>) -> Result<()> {
    if acting == Some(user_id) {
        return Err(Error::not_allowed("A user cannot delete itself"));
    }
    let (ctx, id) = (engine.ctx().clone(), user_id.to_string());
    engine.store().write(move |tx| {
        user::delete(tx, &ctx, &id)?;
        auth::forget_actor(tx, &ctx, "user_id", &id)
    })
}

/// How user `user_id` signs in: the providers of their identity (`emailpass` here), for
/// `GET /admin/users/:id/auth-providers`.
///
/// # Errors
/// 404 for an unknown user (Medusa answers an empty list).
pub fn user_providers(engine: &Engine, user_id: &str) -> Result<Vec<String>> {
    engine.store().read(|conn| {
        user::retrieve(conn, user_id)?;
        let mut providers: Vec<String> = auth::providers_of_actor(conn, "user_id", user_id)?
            .into_iter()
            .map(|(provider, _)| provider)
            .collect();
        providers.dedup();
        Ok(providers)
    })
}

/// A password-reset token for user `user_id`, made by an admin for them
/// (`POST /admin/users/:id/reset-password`, Medusa's `generateResetPasswordTokenWorkflow`):
/// the same single-use token, and the same `auth.password_reset` event, as a reset the user
/// asks for themselves.
///
/// # Errors
/// 404 for an unknown user, or one without an email/password identity.
pub fn user_reset_token(engine: &Engine, user_id: &str) -> Result<String> {
    let email = engine.store().read(|conn| {
        user::retrieve(conn, user_id)?;
        Ok(auth::providers_of_actor(conn, "user_id", user_id)?
            .into_iter()
            .find(|(provider, _)| provider == "emailpass")
            .map(|(_, email)| email))
    })?;
    let email = email.ok_or_else(|| {
        Error::NotFound(format!(
            "User with id: {user_id} has no email/password identity"
        ))
    })?;
    crate::flows::auth::request_password_reset(engine, "user", &email)?.ok_or_else(|| {
        Error::NotFound(format!(
            "User with id: {user_id} has no email/password identity"
        ))
    })
}
