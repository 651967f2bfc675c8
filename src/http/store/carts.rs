//! `/store/carts`, `/store/shipping-options`, `/store/payment-collections` (reference
//! §2.3–2.6). Handlers validate the body strictly, run the cart workflow, and answer the
//! cart as that workflow's write job left it: the cart text is rendered inside the job that
//! changed it (or replayed the change), on the writer's connection, not read back afterwards
//! on a pooled reader (whose page cache every commit resets: ~14 % of a checkout's samples
//! went to that read-back, BENCHMARKS.md, issue 19).

use super::cart_text::cart_text;
use super::checkout_json::{order_text, write_collection};
use super::option_text::write_option;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::checkout::create::{CREATE_CARTS, CreateCarts};
use crate::flows::checkout::inputs::{CartChange, CollectionRef};
use crate::flows::checkout::{self, CartRef, complete, refresh};
use crate::http::json_out::{self, Obj};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::{cart, payment};
use crate::workflow::{self, Handle};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/store/carts",
            Access::Store,
            "Create a cart",
            create,
        ),
        Route::new(
            "GET",
            "/store/carts/:id",
            Access::Store,
            "Retrieve a cart",
            retrieve,
        ),
        Route::new(
            "POST",
            "/store/carts/:id",
            Access::Store,
            "Update a cart",
            update,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/line-items",
            Access::Store,
            "Add a line item",
            add_item,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/line-items/:line_id",
            Access::Store,
            "Update a line item",
            update_item,
        ),
        Route::new(
            "DELETE",
            "/store/carts/:id/line-items/:line_id",
            Access::Store,
            "Remove a line item",
            delete_item,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/shipping-methods",
            Access::Store,
            "Choose a shipping method",
            shipping_method,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/promotions",
            Access::Store,
            "Add promotion codes",
            add_promotions,
        ),
        Route::new(
            "DELETE",
            "/store/carts/:id/promotions",
            Access::Store,
            "Remove promotion codes",
            remove_promotions,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/taxes",
            Access::Store,
            "Compute the cart's taxes",
            taxes,
        ),
        Route::new(
            "POST",
            "/store/carts/:id/complete",
            Access::Store,
            "Place the order",
            complete_cart,
        ),
        Route::new(
            "GET",
            "/store/shipping-options",
            Access::Store,
            "Shipping options for a cart",
            shipping_options,
        ),
        Route::new(
            "POST",
            "/store/payment-collections",
            Access::Store,
            "The cart's payment collection",
            create_collection,
        ),
        Route::new(
            "POST",
            "/store/payment-collections/:id/payment-sessions",
            Access::Store,
            "Start a payment session",
            create_session,
        ),
    ]
}

fn text() -> Kind {
    Kind::String.nullable()
}

/// A cart address body.
pub fn address_schema() -> Schema {
    let mut schema = Schema::new()
        .optional("metadata", Kind::Object.nullable())
        .optional("id", Kind::String);
    for field in cart::ADDRESS_FIELDS
        .iter()
        .filter(|f| !matches!(**f, "metadata" | "customer_id"))
    {
        schema = schema.optional(field, text());
    }
    schema
}

fn address() -> Kind {
    Kind::shape(address_schema()).nullable()
}

fn item_schema() -> Schema {
    Schema::new()
        .required("variant_id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("metadata", Kind::Object.nullable())
}

fn cart_reply(engine: &Engine, cart_id: &str) -> Result<Response> {
    let cart = engine.store().read(|conn| cart_text(conn, cart_id))?;
    Ok(Response::raw_envelope("cart", &cart))
}

/// The request's `Idempotency-Key`, scoped to the path so one key reused on another cart or
/// collection never replays that one's answer.
fn workflow_key(request: &Request) -> Option<String> {
    request
        .header("idempotency-key")
        .map(|k| format!("{}:{k}", request.path))
}

/// Runs a cart workflow under the request's key and answers the text of the cart it changed,
/// rendered inside the write job that changed it — or, for a replay, inside the job that
/// found the stored run: the current cart, as a read-back answered.
fn run_cart<I: Serialize + DeserializeOwned + 'static>(
    engine: &Engine,
    request: &Request,
    handle: Handle<I, CartRef>,
    input: Value,
) -> Result<String> {
    let key = workflow_key(request);
    handle.run_json_replying(engine, input, key.as_deref(), |tx, made| {
        cart_text(tx, &made.cart_id)
    })
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    static BODY: LazyLock<Schema> = LazyLock::new(|| {
        Schema::new()
            .optional("region_id", Kind::String)
            .optional("currency_code", Kind::String)
            .optional("email", Kind::Email)
            .optional("shipping_address", address())
            .optional("billing_address", address())
            .optional_array("items", item_schema())
            .optional("sales_channel_id", Kind::String)
            .optional("promo_codes", Kind::array_of(Kind::String))
            .optional("metadata", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable())
    });
    let mut body = request.body_with(&BODY)?;
    body["key_channels"] = json!(key_channels(request));
    body["customer_id"] = json!(request.actor.customer_id);
    let input: CreateCarts = workflow::parse_input(&json!({ "body": body }))?;
    let key = workflow_key(request);
    let cart = CREATE_CARTS.run_replying(engine, &input, key.as_deref(), |tx, made| {
        cart_text(tx, &made.cart_id)
    })?;
    Ok(Response::raw_envelope("cart", &cart))
}

/// The sales channels of the request's publishable key (a cart may only use these).
fn key_channels(request: &Request) -> Vec<String> {
    request
        .actor
        .publishable
        .as_ref()
        .map(|p| p.sales_channel_ids.clone())
        .unwrap_or_default()
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    cart_reply(engine, request.param("id"))
}

fn cart_op<B: Serialize + DeserializeOwned + 'static>(
    engine: &Engine,
    request: &Request,
    handle: Handle<CartChange<B>, CartRef>,
    body: Value,
) -> Result<Response> {
    let input =
        json!({"cart_id": request.param("id"), "line_id": request.param("line_id"), "body": body});
    let cart = run_cart(engine, request, handle, input)?;
    Ok(Response::raw_envelope("cart", &cart))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    static BODY: LazyLock<Schema> = LazyLock::new(|| {
        Schema::new()
            .optional("region_id", Kind::String)
            .optional("email", Kind::Email.nullable())
            .optional("shipping_address", address())
            .optional("billing_address", address())
            .optional("sales_channel_id", Kind::String)
            .optional("promo_codes", Kind::array_of(Kind::String))
            .optional("metadata", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable())
    });
    let body = request.body_with(&BODY)?;
    let mut body = body;
    body["key_channels"] = json!(key_channels(request));
    cart_op(engine, request, checkout::UPDATE_CART, body)
}

fn add_item(engine: &Engine, request: &Request) -> Result<Response> {
    static BODY: LazyLock<Schema> =
        LazyLock::new(|| item_schema().optional("additional_data", Kind::Object.nullable()));
    let body = request.body_with(&BODY)?;
    cart_op(engine, request, checkout::ADD_TO_CART, body)
}

fn update_item(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("quantity", Kind::Integer)
            .optional("metadata", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable()),
    )?;
    cart_op(engine, request, checkout::UPDATE_LINE_ITEM, body)
}

fn delete_item(engine: &Engine, request: &Request) -> Result<Response> {
    let input =
        json!({"cart_id": request.param("id"), "line_id": request.param("line_id"), "body": {}});
    let parent = run_cart(engine, request, checkout::DELETE_LINE_ITEMS, input)?;
    let mut out = String::with_capacity(parent.len() + 128);
    let mut o = Obj::start(&mut out);
    o.str("id", Some(request.param("line_id")));
    o.str("object", Some("line-item"));
    o.bool("deleted", true);
    o.raw("parent", &parent);
    o.end();
    Ok(Response::raw_json(out))
}

fn shipping_method(engine: &Engine, request: &Request) -> Result<Response> {
    static BODY: LazyLock<Schema> = LazyLock::new(|| {
        Schema::new()
            .required("option_id", Kind::String)
            .optional("data", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable())
    });
    let body = request.body_with(&BODY)?;
    cart_op(engine, request, checkout::ADD_SHIPPING_METHOD, body)
}

fn promotions_op(engine: &Engine, request: &Request, action: &str) -> Result<Response> {
    let body =
        request.body_with(&Schema::new().required("promo_codes", Kind::array_of(Kind::String)))?;
    let input = json!({"cart_id": request.param("id"), "action": action, "body": body});
    let cart = run_cart(engine, request, checkout::UPDATE_CART_PROMOTIONS, input)?;
    Ok(Response::raw_envelope("cart", &cart))
}

fn add_promotions(engine: &Engine, request: &Request) -> Result<Response> {
    promotions_op(engine, request, "add")
}

fn remove_promotions(engine: &Engine, request: &Request) -> Result<Response> {
    promotions_op(engine, request, "remove")
}

fn taxes(engine: &Engine, request: &Request) -> Result<Response> {
    cart_op(engine, request, checkout::UPDATE_TAX_LINES, json!({}))
}

fn complete_cart(engine: &Engine, request: &Request) -> Result<Response> {
    let cart_id = request.param("id");
    let key = match request.header("idempotency-key") {
        Some(k) => format!("{cart_id}:{k}"),
        None => cart_id.to_string(),
    };
    let cart = CartRef {
        cart_id: cart_id.to_string(),
    };
    // The order document is rendered inside the write job that placed the order (or found
    // the stored run, for a replay): a read-back on a reader would start with a page cache
    // the commit just reset.
    let placed = checkout::COMPLETE_CART.run_replying(engine, &cart, Some(&key), |tx, placed| {
        order_text(tx, &placed.order_id)
    });
    match placed {
        Ok(order) => {
            let mut out = String::with_capacity(order.len() + 32);
            let mut o = Obj::start(&mut out);
            o.raw("order", &order);
            o.str("type", Some("order"));
            o.end();
            Ok(Response::raw_json(out))
        }
        Err(Error::PaymentAuthorization(message)) => {
            let cart = engine.store().read(|conn| cart_text(conn, cart_id))?;
            let error =
                json!({"message": message, "name": "Error", "type": "payment_authorization_error"});
            let mut out = String::with_capacity(cart.len() + 256);
            let mut o = Obj::start(&mut out);
            o.str("type", Some("cart"));
            o.raw("cart", &cart);
            o.value("error", Some(&error));
            o.end();
            Ok(Response::raw_json(out))
        }
        Err(Error::Conflict(_)) => Err(Error::Conflict(format!(
            "Cart {cart_id} is already being completed by another request"
        ))),
        Err(other) => Err(other),
    }
}

fn shipping_options(engine: &Engine, request: &Request) -> Result<Response> {
    let cart_id = request
        .query_str("cart_id")
        .ok_or_else(|| Error::invalid("Invalid request: Field 'cart_id' is required"))?;
    let options = engine.store().read(|conn| {
        let found = cart::shared(conn, cart_id)?;
        let offered = refresh::options_for(conn, engine.providers(), &found)?;
        let options: Vec<_> = offered.iter().collect();
        let inclusive = crate::flows::checkout::catalog::prices_include_tax(
            conn,
            &found.currency_code,
            found.region_id.as_deref(),
        )?;
        let mut out = String::with_capacity(1024 * options.len().max(1));
        out.push_str("{\"shipping_options\":");
        json_out::array(&mut out, &options, |out, &(o, amount)| {
            write_option(out, o, amount, inclusive, &found.currency_code);
        });
        out.push('}');
        Ok(out)
    })?;
    Ok(Response::raw_json(options))
}

fn create_collection(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&Schema::new().required("cart_id", Kind::String))?;
    let input = json!({"cart_id": body["cart_id"]});
    run_collection(engine, request, checkout::CREATE_PAYMENT_COLLECTION, input)
}

/// Runs a payment workflow under the request's key and answers the collection it changed,
/// read inside the write job that changed it (or found the stored run, for a replay), so
/// no reader re-reads pages the commit reset.
fn run_collection<I: Serialize + DeserializeOwned + 'static>(
    engine: &Engine,
    request: &Request,
    handle: Handle<I, CollectionRef>,
    input: Value,
) -> Result<Response> {
    let key = workflow_key(request);
    let collection = handle.run_json_replying(engine, input, key.as_deref(), |tx, made| {
        let collection = payment::retrieve_collection(tx, &made.payment_collection_id)?;
        let mut out = String::with_capacity(1024);
        write_collection(&mut out, &collection);
        Ok(out)
    })?;
    Ok(Response::raw_envelope("payment_collection", &collection))
}

fn create_session(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("provider_id", Kind::String)
            .optional("data", Kind::Object.nullable())
            .optional("context", Kind::Object.nullable()),
    )?;
    let id = request.param("id");
    let input = json!({"payment_collection_id": id, "provider_id": body["provider_id"], "data": body.get("data")});
    run_collection(engine, request, checkout::CREATE_PAYMENT_SESSION, input)
}

/// The message a failed authorization carries (re-exported for tests and docs).
pub const AUTHORIZATION_FAILED: &str = complete::AUTHORIZATION_FAILED;
