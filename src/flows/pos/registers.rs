//! `pos-create-register`: a till. Input `{code, name, stock_location_id, region_id?,
//! sales_channel_id?}`; result `{register}`.
//!
//! Without a `sales_channel_id` the till gets a channel of its own named after it ("POS
//! channel" in Medusa's terms), carrying every product of the store's default channel; the
//! channel is linked to the till's stock location, so carts in it check and reserve stock
//! there and nowhere else. The region (prices, currency, taxes) defaults to the region that
//! contains the location's country.

use super::types::{CREATE_REGISTER, NewTill, RegisterMade};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::{links, sales_channels};
use crate::modules::pos::{self, NewRegister};
use crate::modules::region::{self, RegionFilter};
use crate::modules::sales_channel::NewSalesChannel;
use crate::modules::{stock_location, store};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::json;

/// The workflow ([`CREATE_REGISTER`]).
pub fn workflow() -> Workflow {
    CREATE_REGISTER
        .workflow()
        .step(Step::local(CREATE_REGISTER.name(), create))
}

fn create(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: NewTill = step.input_as()?;
    let location = stock_location::retrieve(tx, &input.stock_location_id)?;
    let country = location
        .address
        .as_ref()
        .map(|a| a.country_code.to_ascii_lowercase());
    let region = match input.region_id.as_deref() {
        Some(id) => region::retrieve(tx, id)?,
        None => region_of(tx, country.as_deref())?,
    };
    if let Some(country) = &country {
        if !region.countries.iter().any(|c| &c.iso_2 == country) {
            return Err(Error::invalid(format!(
                "Region {} does not include the till's country ({country}): taxes could not be computed",
                region.name
            )));
        }
    } else {
        return Err(Error::invalid(
            "The till's stock location needs an address with a country (taxes are computed there)",
        ));
    }
    let name = input.name.trim().to_string();
    let channel = match input.sales_channel_id.as_deref() {
        Some(id) => crate::modules::sales_channel::retrieve(tx, id)?.id,
        None => own_channel(tx, step, &name)?,
    };
    let now = ctx.now();
    links::sales_channel_stock_location().create(
        tx,
        &ctx.id("scloc"),
        &channel,
        &location.id,
        &now,
    )?;
    let made = pos::create_register(
        tx,
        ctx,
        &NewRegister {
            code: input.code,
            name,
            sales_channel_id: channel,
            stock_location_id: location.id,
            region_id: region.id,
        },
    )?;
    ctx.emit(tx, "pos-register.created", json!({ "id": made.id }))?;
    Done::of(&RegisterMade { register: made })
}

/// A new channel for the till, selling what the store's default channel sells.
fn own_channel(tx: &Tx, step: &StepCtx, name: &str) -> Result<String> {
    let ctx = step.engine.ctx();
    let made = sales_channels::create(
        tx,
        ctx,
        &NewSalesChannel {
            name: if name.is_empty() {
                "Point of sale".into()
            } else {
                name.to_string()
            },
            description: Some("Point of sale (till)".into()),
            is_disabled: false,
        },
    )?;
    if let Some(default) = store::default_store(tx)?.and_then(|s| s.default_sales_channel_id) {
        let products = links::product_sales_channel().lefts_of(tx, &default)?;
        sales_channels::link_products(tx, ctx, &made.id, &products, &[])?;
    }
    Ok(made.id)
}

/// The region whose countries include `country`.
fn region_of(tx: &Tx, country: Option<&str>) -> Result<region::Region> {
    let (regions, _) = region::list(tx, &RegionFilter::default(), 1000, 0)?;
    regions
        .into_iter()
        .find(|r| country.is_some_and(|c| r.countries.iter().any(|k| k.iso_2 == c)))
        .ok_or_else(|| {
            Error::invalid("No region includes the till's country; create one or name a region_id")
        })
}
