//! `POST /store/carts/:id/customer` (Medusa 2.8+): the signed-in customer takes a guest cart
//! (the `transfer-cart-customer` workflow). Storefronts call it right after login; the SDK's
//! `store.cart.transferCart` posts no body at all.

use super::cart_text::cart_text;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::checkout::transfer;
use crate::http::validate::Schema;
use crate::http::{Access, Request, Response, Route};

/// The route of this family.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/store/carts/:id/customer",
        Access::Customer,
        "Transfer a cart to the signed-in customer",
        transfer_cart,
    )]
}

fn transfer_cart(engine: &Engine, request: &Request) -> Result<Response> {
    // Medusa's `StoreUpdateCartCustomer` is `z.object({}).strict()`: every key is refused.
    request.body_with(&Schema::new())?;
    let customer_id = request
        .actor
        .customer_id
        .clone()
        .ok_or(Error::Unauthorized)?;
    let cart_id = request.param("id");
    let input = transfer::TransferCart {
        cart_id: cart_id.into(),
        customer_id,
    };
    transfer::TRANSFER.run(engine, &input, None)?;
    let cart = engine.store().read(|conn| cart_text(conn, cart_id))?;
    Ok(Response::raw_envelope("cart", &cart))
}
