//! Workflow hooks (Medusa's `createProductsWorkflow.hooks.productsCreated` pattern): named
//! points inside core operations where registered custom code runs in the same transaction,
//! sees what was just created and the request's `additional_data`, and may refuse.
//!
//! A [`Hook`] is registered with `EngineBuilder::hook`; an unknown point name is refused at
//! `build` (a typo would otherwise never run). Handlers only touch the store (they get the
//! caller's `Tx`), so:
//! * inside a plain write job, a refusal rolls the whole job back — nothing was created;
//! * inside a journaled workflow the point is a local step ([`step`]): a refusal compensates
//!   the steps before it, and a later failure calls each handler's compensation, newest first.
//!
//! Either way the route answers the handler's error (`Error::invalid` → 400 with its message).

use super::{Done, Step, StepCtx};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// The hook points core operations offer. The payload (`data`) of each is an object with the
/// ids it names.
pub mod points {
    /// `flows::create_product::run` — `POST /admin/products`, batch creates, the admin UI:
    /// `{product_id}` per product.
    pub const PRODUCT_CREATED: &str = "product_created";
    /// `POST /admin/products/:id`: `{product_id}`.
    pub const PRODUCT_UPDATED: &str = "product_updated";
    /// `POST /store/customers` and `POST /admin/customers`: `{customer_id}`.
    pub const CUSTOMER_CREATED: &str = "customer_created";
    /// `create-carts`: `{cart_id}`.
    pub const CART_CREATED: &str = "cart_created";
    /// `update-cart`: `{cart_id}`.
    pub const CART_UPDATED: &str = "cart_updated";
    /// `complete-cart`, once the order exists: `{order_id, cart_id}`.
    pub const ORDER_PLACED: &str = "order_placed";
    /// `cancel-order`, before any payment is settled: `{order_id}`.
    pub const ORDER_CANCELED: &str = "order_canceled";
    /// `create-order-fulfillment`: `{order_id, fulfillment_id}`.
    pub const FULFILLMENT_CREATED: &str = "fulfillment_created";

    /// Every point, for `build`'s check.
    pub const ALL: &[&str] = &[
        PRODUCT_CREATED,
        PRODUCT_UPDATED,
        CUSTOMER_CREATED,
        CART_CREATED,
        CART_UPDATED,
        ORDER_PLACED,
        ORDER_CANCELED,
        FULFILLMENT_CREATED,
    ];
}

/// What a hook handler sees.
pub struct HookCtx<'a> {
    /// The engine (`engine.ctx()` for ids and time).
    pub engine: &'a Engine,
    /// The point's payload: the ids of what was just created or changed.
    pub data: &'a Value,
    /// The request body's `additional_data` (`Null` when there was none).
    pub additional_data: &'a Value,
}

impl HookCtx<'_> {
    /// The payload as `T`.
    ///
    /// # Errors
    /// `unexpected_state` if the point's payload is not a `T`.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(self.data).map_err(|e| Error::UnexpectedState(format!("hook payload: {e}")))
    }

    /// `additional_data` as `T` (an absent one reads as `{}`, so a struct of `Option`s fits).
    ///
    /// # Errors
    /// 400 `invalid_data` naming the field that does not fit.
    pub fn additional_as<T: DeserializeOwned>(&self) -> Result<T> {
        match self.additional_data {
            Value::Null => super::parse_input(&Value::Object(Default::default())),
            other => super::parse_input(other),
        }
    }
}

type Invoke = Arc<dyn Fn(&Tx, &HookCtx) -> Result<Value> + Send + Sync>;
type Compensate = Arc<dyn Fn(&Tx, &HookCtx, &Value) -> Result<()> + Send + Sync>;

/// Custom code at a hook point.
#[derive(Clone)]
pub struct Hook {
    point: String,
    id: String,
    invoke: Invoke,
    compensate: Option<Compensate>,
}

impl Hook {
    /// Runs `invoke` at `point` (one of [`points`]); `id` names the handler in errors. What
    /// `invoke` returns is handed to its compensation.
    pub fn new(
        point: &str,
        id: &str,
        invoke: impl Fn(&Tx, &HookCtx) -> Result<Value> + Send + Sync + 'static,
    ) -> Self {
        Hook {
            point: point.to_string(),
            id: id.to_string(),
            invoke: Arc::new(invoke),
            compensate: None,
        }
    }

    /// Undoes the handler's effect when the workflow fails after the point.
    pub fn compensate(
        mut self,
        f: impl Fn(&Tx, &HookCtx, &Value) -> Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.compensate = Some(Arc::new(f));
        self
    }

    /// The point it runs at.
    pub fn point(&self) -> &str {
        &self.point
    }

    /// Its name.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Checks that every hook names a known point.
///
/// # Errors
/// `unexpected_state` naming the hook and its point.
pub fn check_points(hooks: &[Hook]) -> Result<()> {
    match hooks
        .iter()
        .find(|h| !points::ALL.contains(&h.point.as_str()))
    {
        Some(h) => Err(Error::UnexpectedState(format!(
            "hook {} names an unknown hook point '{}' (known: {})",
            h.id,
            h.point,
            points::ALL.join(", ")
        ))),
        None => Ok(()),
    }
}

/// Runs every handler of `point` in registration order inside the caller's write job and
/// returns what their compensations need. For a plain write job, returning the error is
/// enough: the job rolls back.
///
/// # Errors
/// The first handler's refusal.
pub fn run(
    tx: &Tx,
    engine: &Engine,
    point: &str,
    data: &Value,
    additional_data: &Value,
) -> Result<Vec<Value>> {
    let ctx = HookCtx {
        engine,
        data,
        additional_data,
    };
    engine
        .hooks(point)
        .iter()
        .map(|hook| (hook.invoke)(tx, &ctx))
        .collect()
}

/// What a hook step journals for its compensation: the payload and the handlers' outputs
/// (the request's `additional_data` is already in the workflow input, so the compensation
/// reads it from there rather than journaling it twice).
#[derive(Serialize, Deserialize)]
struct Ran {
    data: Value,
    outputs: Vec<Value>,
}

/// A local step running `point`'s handlers, for a journaled workflow: `payload` builds the
/// point's data from the step context (`None`: nothing happened this run, e.g. a replayed
/// completion, so no handler runs); `additional_data` is the workflow input's
/// `additional_data` (or its `body.additional_data`). The step's output is the payload, so
/// as a workflow's last step it keeps the result's shape. With no handler registered at the
/// point nothing more is journaled. Its compensation calls the handlers' compensations,
/// newest first (matched by registration order).
pub fn step(point: &'static str, payload: fn(&StepCtx) -> Result<Option<Value>>) -> Step {
    Step::local(&format!("hook-{point}"), move |tx, ctx| {
        let Some(data) = payload(ctx)? else {
            return Ok(Done::new(Value::Null));
        };
        if ctx.engine.hooks(point).is_empty() {
            return Ok(Done::new(data));
        }
        let additional_data = additional_data_of(ctx.input);
        let outputs = run(tx, ctx.engine, point, &data, &additional_data)?;
        let ran = Ran { data, outputs };
        Done::of(&ran.data)?.undo_with(&ran)
    })
    .compensate_with(move |tx, ctx, ran: Option<Ran>| {
        // Nothing ran (no handler registered, or no payload): nothing to undo.
        let Some(ran) = ran else {
            return Ok(());
        };
        let additional_data = additional_data_of(ctx.input);
        let hook_ctx = HookCtx {
            engine: ctx.engine,
            data: &ran.data,
            additional_data: &additional_data,
        };
        let hooks = ctx.engine.hooks(point);
        for (hook, output) in hooks.iter().zip(&ran.outputs).rev() {
            if let Some(undo) = &hook.compensate {
                undo(tx, &hook_ctx, output)?;
            }
        }
        Ok(())
    })
}

/// `additional_data` of a workflow input: top-level, else inside `body`.
pub fn additional_data_of(input: &Value) -> Value {
    match &input["additional_data"] {
        Value::Null => input["body"]["additional_data"].clone(),
        found => found.clone(),
    }
}
