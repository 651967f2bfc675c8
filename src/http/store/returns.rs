//! `POST /store/returns` (Medusa 2.21.2's `createAndCompleteReturnOrderWorkflow`): a
//! customer asks to send items back — `order_id`, `items` (`id`, `quantity`, `reason_id`,
//! `note`), `return_shipping.option_id` (a return option), `location_id`, `note` — and the
//! return is begun, filled and requested in one write job (`create-complete-return-order`),
//! emitting `order.return_requested`. Answers `{return}`.
//!
//! Unlike Medusa, the customer's `return_shipping.price` is accepted but never used (the
//! option's own price is what they pay: a client must not set it), `receive_now` is
//! accepted and ignored (only staff receive), and an order of a registered customer can only
//! be returned by that customer, signed in (others get 404); a guest's order by whoever holds
//! its id, as on Medusa. A return without `location_id` takes the order's fulfillment
//! location, so it can always be received (Medusa 2.21.2 answers 500 at receipt there).

use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::return_types::STORE_RETURN;
use crate::http::admin::orders::run_handle;
use crate::http::admin::return_json::{return_json, select};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use serde_json::json;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/store/returns",
        Access::Store,
        "Create a return for an order",
        create,
    )]
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("reason_id", Kind::String.nullable())
        .optional("note", Kind::String.nullable());
    let shipping = Schema::new()
        .required("option_id", Kind::String)
        .optional("price", Kind::Number);
    let mut body = request.body_with(
        &Schema::new()
            .required("order_id", Kind::String)
            .array("items", item)
            .optional_object("return_shipping", shipping)
            .optional("note", Kind::String.nullable())
            .optional("receive_now", Kind::Boolean)
            .optional("location_id", Kind::String.nullable()),
    )?;
    if body.get("return_shipping").is_none() {
        return Err(crate::error::Error::invalid(
            "Invalid request: Field 'return_shipping' is required",
        ));
    }
    body["customer_id"] = json!(request.actor.customer_id);
    let made = run_handle(engine, request, STORE_RETURN, body)?;
    let doc = engine
        .store()
        .read(|conn| return_json(conn, &made.return_id))?;
    Ok(Response::json(
        json!({ "return": select(doc, None, false) }),
    ))
}
