//! Draft orders (Medusa 2.21.2's `/admin/draft-orders`): an order staff write for a customer
//! — a phone order, later the point of sale — kept with status `draft` (left out of
//! `/admin/orders`, `/store/orders` and the live order count) until it is converted.
//!
//! `create-draft-order` prices and taxes its lines as an order edit does (a variant at the
//! region's price, or a custom `title` + `unit_price`), takes one shipping method (a name and
//! an amount, or an option at its price) and the addresses; `convert-draft-order-to-order`
//! moves it to `pending` (the same id) with `order::manage::place_draft`, guarded, so
//! converting twice is refused, gives it a customer (the guest of its email, created when
//! needed), reserves its stock at the channel's locations (refused when short — nothing is
//! written then) and emits `order.placed`, all in one write job. `delete-draft-order`
//! removes a draft and nothing else. [`convert`] is the conversion as a Rust call, for flows
//! (the point of sale) that run it inside their own step (and register promotion usage
//! themselves). Updating a draft, its promotions and its existing shipping methods are in
//! `draft_update`, `draft_promotions` and `draft_shipping`; lines and taxes are computed
//! through the tax region's provider in the engine's registry, as the cart's are.

use super::change_inputs::{option_amount, optional_amount};
use super::draft_types::{self as types, DraftItem, DraftMethod, NewDraft};
use super::edit_types::{EditedOrder, OnOrder};
use super::edits::tax_lines;
use super::returns::one;
use super::targets::NoBody;
use super::transfer_guest::find_or_create;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::catalog;
use crate::flows::checkout::complete;
use crate::flows::checkout::stock;
use crate::modules::fulfillment as options;
use crate::modules::order::{self, LineItem, NewOrder, Order, ShippingMethod};
use crate::modules::product::codes::{self, Code};
use crate::modules::promotion::usage;
use crate::modules::{customer, region, store};
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// `POST /admin/draft-orders`.
pub const CREATE: &str = "create-draft-order";
/// `POST /admin/draft-orders/:id/convert-to-order`.
pub const CONVERT: &str = "convert-draft-order-to-order";
/// `DELETE /admin/draft-orders/:id`.
pub const DELETE: &str = "delete-draft-order";

/// The draft-order workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::CREATE_DRAFT, create_step),
        one(types::CONVERT_DRAFT, convert_step),
        one(types::DELETE_DRAFT, delete_step),
    ]
    .into_iter()
    .chain(super::draft_update::workflows())
    .chain(super::draft_promotions::workflows())
    .chain(super::draft_shipping::workflows())
    .collect()
}

/// `convert-draft-order-to-order`: [`convert`], then the usage of the promotions its
/// adjustments name is registered (guarded by each promotion's limit and budget, as at cart
/// completion), in the same write job — so a draft's codes count once it is an order, never
/// before, and a used-up promotion refuses the conversion with nothing written.
fn convert_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<NoBody> = step.input_as()?;
    let placed = convert(tx, step, &input.id)?;
    let uses = complete::order_usage(tx, &placed.id)?;
    super::draft_promotions::ensure_still_active(tx, &placed.id, &uses)?;
    usage::register(tx, step.engine.ctx(), &uses)?;
    Done::of(&EditedOrder {
        order_id: placed.id,
    })
}

/// One line: a variant at the region's price (or the sent `unit_price`), or a custom
/// `title` with its `unit_price`.
fn line(tx: &Tx, ctx: &Ctx, draft: &NewOrder, want: &DraftItem) -> Result<LineItem> {
    let quantity = want.quantity;
    if quantity < 1 {
        return Err(Error::invalid("Item quantity must be at least 1"));
    }
    let sent_price = want.unit_price.clone().unwrap_or(Value::Null);
    let price = optional_amount(&sent_price, &draft.currency_code, "unit_price")?;
    let mut item = match variant_of(tx, want)?.as_deref() {
        Some(variant) => {
            let channels: Vec<String> = draft.sales_channel_id.iter().cloned().collect();
            let region = draft.region_id.as_deref();
            let mut item = catalog::variant(
                tx,
                variant,
                &channels,
                &draft.currency_code,
                region,
                &ctx.now(),
            )?
            .item;
            if let Some(price) = price {
                (item.unit_price, item.is_custom_price) = (price, true);
            }
            item
        }
        None => {
            let title = want.title.as_deref().filter(|t| !t.is_empty());
            let (Some(title), Some(price)) = (title, price) else {
                return Err(Error::invalid(
                    "An item needs a variant_id, variant_sku or variant_barcode, or a title and a unit_price",
                ));
            };
            LineItem {
                title: title.to_string(),
                unit_price: price,
                is_custom_price: true,
                requires_shipping: true,
                metadata: json!({}),
                ..LineItem::default()
            }
        }
    };
    item.quantity = quantity;
    if let Some(m) = want.metadata.as_ref().filter(|m| m.is_object()) {
        item.metadata = m.clone();
    }
    Ok(item)
}

/// The variant a line names: its `variant_id`, or the variant whose SKU (`variant_sku`, or
/// the deprecated `sku`) or barcode (`variant_barcode` / `barcode`) it gives — as Medusa
/// 2.21.2's draft items accept them. Every code sent must name a live variant, and all the
/// ways a line names one must agree.
///
/// # Errors
/// 400 naming an unknown SKU or barcode, or codes that name different variants.
fn variant_of(tx: &Tx, want: &DraftItem) -> Result<Option<String>> {
    let mut found: Option<String> = want.variant_id.clone();
    let codes = [
        (Code::Sku, "SKU", &want.variant_sku),
        (Code::Sku, "SKU", &want.sku),
        (Code::Barcode, "barcode", &want.variant_barcode),
        (Code::Barcode, "barcode", &want.barcode),
    ];
    for (column, name, code) in codes {
        let Some(code) = code.as_deref() else {
            continue;
        };
        let variant = codes::variant_with(tx, column, code)?
            .ok_or_else(|| Error::invalid(format!("No variant has the {name} '{code}'")))?;
        match &found {
            Some(other) if *other != variant => {
                return Err(Error::invalid(format!(
                    "The {name} '{code}' names variant {variant}, not {other}"
                )));
            }
            _ => found = Some(variant),
        }
    }
    Ok(found)
}

/// The draft's shipping method: `{name, amount}` or `{shipping_option_id}` at its price.
fn method(tx: &Tx, draft: &NewOrder, want: &DraftMethod) -> Result<ShippingMethod> {
    let sent_amount = want.amount.clone().unwrap_or(Value::Null);
    let (name, option, amount) = match want.shipping_option_id.as_deref() {
        Some(id) => {
            let found = options::retrieve_option(tx, id)?;
            let region = draft.region_id.as_deref();
            let amount = option_amount(
                &found,
                &draft.currency_code,
                region,
                (&sent_amount, "amount"),
            )?;
            (
                want.name.clone().unwrap_or_else(|| found.name.clone()),
                Some(found.id),
                amount,
            )
        }
        None => {
            let amount = optional_amount(&sent_amount, &draft.currency_code, "amount")?;
            let name = want.name.as_deref().filter(|n| !n.is_empty());
            let (Some(name), Some(amount)) = (name, amount) else {
                return Err(Error::invalid(
                    "A shipping method needs a shipping_option_id, or a name and an amount",
                ));
            };
            (name.to_string(), None, amount)
        }
    };
    Ok(ShippingMethod {
        name,
        amount,
        shipping_option_id: option,
        data: want
            .data
            .clone()
            .filter(Value::is_object)
            .unwrap_or(json!({})),
        ..ShippingMethod::default()
    })
}

fn create_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: NewDraft = step.input_as()?;
    let order_id = create_draft(tx, step.engine, &input, Methods::One)?;
    Done::of(&EditedOrder { order_id })
}

/// How many shipping methods a new draft may have: one through the API (Medusa's rule), any
/// number when a fixture recreates a draft that was edited to hold more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Methods {
    /// `POST /admin/draft-orders`.
    One,
    /// A fixture's draft.
    Any,
}

/// Creates a draft from a create request's fields (see the module documentation) in the
/// caller's write job. Returns its id.
///
/// # Errors
/// 400 for missing contact, items without a price, a second shipping method when `methods`
/// is [`Methods::One`], unknown or inactive promotion codes; 404 for unknown records.
pub(crate) fn create_draft(
    tx: &Tx,
    engine: &crate::engine::Engine,
    input: &NewDraft,
    methods: Methods,
) -> Result<String> {
    let ctx = engine.ctx();
    let found_region = region::retrieve(tx, &input.region_id)?;
    let customer_id = match input.customer_id.as_deref() {
        Some(id) => Some(customer::retrieve(tx, id)?.id),
        None => None,
    };
    let email = match (input.email.as_deref(), &customer_id) {
        (Some(e), _) => Some(e.to_string()),
        (None, Some(id)) => customer::retrieve(tx, id)?.email,
        (None, None) => {
            return Err(Error::invalid(
                "Either email or customer_id must be provided",
            ));
        }
    };
    let channel = match input.sales_channel_id.as_deref() {
        Some(id) => Some(crate::modules::sales_channel::retrieve(tx, id)?.id),
        None => store::default_store(tx)?.and_then(|s| s.default_sales_channel_id),
    };
    let mut draft = NewOrder {
        region_id: Some(found_region.id.clone()),
        customer_id,
        sales_channel_id: channel,
        email,
        currency_code: found_region.currency_code.clone(),
        metadata: input.metadata.clone().filter(Value::is_object),
        shipping_address: input.shipping_address.clone(),
        billing_address: input.billing_address.clone(),
        ..NewOrder::default()
    };
    for want in &input.items {
        let mut item = line(tx, ctx, &draft, want)?;
        item.tax_lines = taxes(tx, engine, &draft, &item)?;
        draft.items.push(item);
    }
    let wanted = &input.shipping_methods;
    if wanted.len() > 1 && methods == Methods::One {
        return Err(Error::invalid("A draft order takes one shipping method"));
    }
    let mut shipping = Vec::new();
    for want in wanted {
        let mut m = method(tx, &draft, want)?;
        m.tax_lines = taxes(tx, engine, &draft, &LineItem::default())?;
        shipping.push(m);
    }
    // `order::create` gives an order one method; the others join it after.
    let mut rest = shipping.into_iter();
    draft.shipping_methods.extend(rest.next());
    let id = order::create(tx, ctx, &draft)?;
    for more in rest {
        order::shipping::add_method(tx, ctx, &id, &more)?;
    }
    order::manage::mark_draft(tx, &id)?;
    let codes = &input.promo_codes;
    super::draft_promotions::set_initial(tx, ctx, &order::retrieve(tx, &id)?, codes)?;
    Ok(id)
}

/// Tax lines of a line (or, for an empty line, of shipping) at the draft's address, from the
/// tax region's provider.
fn taxes(
    conn: &Connection,
    engine: &crate::engine::Engine,
    draft: &NewOrder,
    item: &LineItem,
) -> Result<Vec<order::TaxLine>> {
    let Some(address) = draft.shipping_address.as_ref() else {
        return Ok(Vec::new());
    };
    tax_lines(conn, engine, address_fields(address), item)
}

fn address_fields(address: &Map<String, Value>) -> (Option<&str>, Option<&str>) {
    (
        address.get("country_code").and_then(Value::as_str),
        address.get("province").and_then(Value::as_str),
    )
}

/// Converts a draft into an order (the same id, `pending`) in the caller's write job: a
/// customer for its email (found, or a guest created), its stock reserved, `order.placed`.
///
/// # Errors
/// 400 "Order X is not a draft" (also when converting twice); `insufficient_inventory`
/// when its stock is short; 404 for an unknown order.
pub fn convert(tx: &Tx, step: &StepCtx, id: &str) -> Result<Order> {
    let ctx = step.engine.ctx();
    let found = order::retrieve(tx, id)?;
    order::manage::place_draft(tx, ctx, id)?;
    if found.customer_id.is_none() {
        let email = found
            .email
            .as_deref()
            .ok_or_else(|| Error::invalid(format!("Draft order {id} has no email")))?;
        let guest = find_or_create(tx, step, email)?;
        order::manage::set_customer(tx, ctx, id, &guest.id)?;
    }
    let wants: Vec<stock::Line> = order::items::items_of(tx, id)?
        .into_iter()
        .filter_map(|l| {
            l.variant_id.map(|variant| stock::Line {
                line_item_id: l.id,
                variant_id: variant,
                quantity: l.quantity,
            })
        })
        .collect();
    stock::reserve(tx, ctx, found.sales_channel_id.as_deref(), &wants)?;
    ctx.emit(tx, "order.placed", json!({ "id": id }))?;
    order::retrieve(tx, id)
}

fn delete_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<NoBody> = step.input_as()?;
    let id = input.id.as_str();
    let found = order::retrieve(tx, id)?;
    if found.status != "draft" {
        return Err(Error::invalid(format!("Order {id} is not a draft")));
    }
    order::delete(tx, id)?;
    Done::of(&EditedOrder { order_id: input.id })
}
