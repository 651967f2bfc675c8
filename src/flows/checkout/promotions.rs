//! A cart's promotions (Medusa's `updateCartPromotionsWorkflow` and the promotion step of
//! every refresh): which codes the cart keeps, what they and the active automatic
//! promotions take off its items and shipping methods, stored as adjustments.
//!
//! As in Medusa, a cart's codes are the codes of its adjustments: a code that gives nothing
//! (a draft promotion, rules the cart does not meet, a used-up limit) is not kept. Adding
//! or replacing with a code no promotion has is refused: 400 "The promotion code X is
//! invalid" (Medusa ≥ 2.10, `getPromotionCodesToApply`).

use super::refresh::{self, CartLines};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::cart::{self, Adjustment, Cart, LineItem, ShippingMethod};
use crate::modules::promotion::compute::{self, Adjust, Context, Target};
use crate::modules::promotion::{Promotion, model, rules::Attrs};
use crate::modules::{fulfillment, product};
use crate::totals::Line;
use rusqlite::Connection;
use std::collections::HashMap;

/// What to do with the cart's codes before computing.
#[derive(Debug, Clone, Copy)]
pub enum Codes<'a> {
    /// Keep the codes the cart has (every refresh).
    Keep,
    /// `POST /store/carts/:id/promotions`.
    Add(&'a [String]),
    /// `DELETE /store/carts/:id/promotions`.
    Remove(&'a [String]),
    /// `promo_codes` on cart update: the set becomes these.
    Replace(&'a [String]),
}

/// Recomputes the cart's adjustments for its codes (changed as `codes` says) and the
/// active automatic promotions. `lines` are the cart's items and methods as stored (the
/// refresh read them); the adjustments written are set on them too. `country` is the
/// shipping address's.
///
/// # Errors
/// 400 "The promotion code X is invalid" for an unknown code to add; database failures.
pub fn apply(
    conn: &Connection,
    ctx: &Ctx,
    cart: &Cart,
    country: Option<String>,
    lines: &mut CartLines,
    codes: Codes,
) -> Result<()> {
    let (wanted, added) = wanted_codes(&lines.items, &lines.methods, codes);
    let mut promotions = if wanted.is_empty() {
        Vec::new()
    } else {
        model::by_codes(conn, &wanted)?
    };
    // Every added code must name a promotion (loaded once, with the cart's other codes).
    if let Some(code) = added
        .iter()
        .find(|code| !promotions.iter().any(|p| &p.code == *code))
    {
        return Err(Error::invalid(format!(
            "The promotion code {code} is invalid"
        )));
    }
    for automatic in model::automatic(conn)? {
        if !promotions.iter().any(|p| p.id == automatic.id) {
            promotions.push(automatic);
        }
    }
    let had_any = lines.items.iter().any(|i| !i.adjustments.is_empty())
        || lines.methods.iter().any(|m| !m.adjustments.is_empty());
    if promotions.is_empty() && !had_any {
        return Ok(());
    }
    let buyer = Buyer {
        currency_code: cart.currency_code.clone(),
        region_id: cart.region_id.clone(),
        sales_channel_id: cart.sales_channel_id.clone(),
        customer_id: cart.customer_id.clone(),
        email: cart.email.clone(),
        country,
    };
    let adjusts = adjustments(
        conn,
        &ctx.now(),
        &buyer,
        &lines.items,
        &lines.methods,
        promotions,
    )?;
    store(conn, ctx, lines, &adjusts)
}

/// Whom and where promotions are computed for: a cart, or a draft order (whose promotions
/// go through this same computation).
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    /// The currency.
    pub currency_code: String,
    /// `reg_…`
    pub region_id: Option<String>,
    /// `sc_…`
    pub sales_channel_id: Option<String>,
    /// `cus_…` (its groups are read for `customer.groups.id` rules).
    pub customer_id: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// The shipping address's country.
    pub country: Option<String>,
}

/// The adjustments `promotions` give `items` and `methods` (each needs a distinct id) for
/// `buyer` at `now`: the one promotion computation carts and draft orders share.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn adjustments(
    conn: &Connection,
    now: &str,
    buyer: &Buyer,
    items: &[LineItem],
    methods: &[ShippingMethod],
    mut promotions: Vec<Promotion>,
) -> Result<Vec<Adjust>> {
    promotions.sort_by(|a, b| a.id.cmp(&b.id));
    let context = context(conn, now, buyer, items, methods, &promotions)?;
    Ok(compute::compute(&promotions, &context))
}

/// The adjustment rows `adjusts` give one item (`item`) or shipping method.
pub fn rows_for(adjusts: &[Adjust], item: bool, id: &str) -> Vec<Adjustment> {
    adjusts
        .iter()
        .filter(|a| a.item == item && a.target_id == id)
        .map(|a| Adjustment {
            id: String::new(),
            code: Some(a.code.clone()),
            amount: a.amount,
            is_tax_inclusive: a.is_tax_inclusive,
            promotion_id: Some(a.promotion_id.clone()),
            description: None,
        })
        .collect()
}

/// The codes of the cart's adjustments, changed as asked, in first-seen order, and the codes
/// the change adds (which must name promotions).
fn wanted_codes<'a>(
    items: &[LineItem],
    methods: &[ShippingMethod],
    codes: Codes<'a>,
) -> (Vec<String>, &'a [String]) {
    let mut wanted: Vec<String> = Vec::new();
    let current = items
        .iter()
        .flat_map(|i| &i.adjustments)
        .chain(methods.iter().flat_map(|m| &m.adjustments));
    for code in current.filter_map(|a| a.code.clone()) {
        if !wanted.contains(&code) {
            wanted.push(code);
        }
    }
    let added = match codes {
        Codes::Keep => return (wanted, &[]),
        Codes::Remove(gone) => {
            wanted.retain(|c| !gone.contains(c));
            return (wanted, &[]);
        }
        Codes::Replace(new) => {
            wanted.clear();
            new
        }
        Codes::Add(new) => new,
    };
    for code in added {
        if !wanted.contains(code) {
            wanted.push(code.clone());
        }
    }
    (wanted, added)
}

fn attr(map: &mut Attrs, keys: &[&str], values: Vec<String>) {
    for key in keys {
        map.insert((*key).to_string(), values.clone());
    }
}

/// The cart-level context of promotion rules, and each line's target-rule context.
fn context(
    conn: &Connection,
    now: &str,
    buyer: &Buyer,
    items: &[LineItem],
    methods: &[ShippingMethod],
    promotions: &[Promotion],
) -> Result<Context> {
    let mut attrs = Attrs::new();
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    attr(
        &mut attrs,
        &["currency_code"],
        vec![buyer.currency_code.clone()],
    );
    attr(
        &mut attrs,
        &["region.id", "region_id"],
        one(&buyer.region_id),
    );
    attr(
        &mut attrs,
        &["sales_channel_id", "sales_channel.id"],
        one(&buyer.sales_channel_id),
    );
    attr(
        &mut attrs,
        &["customer.id", "customer_id"],
        one(&buyer.customer_id),
    );
    attr(&mut attrs, &["email"], one(&buyer.email));
    attr(
        &mut attrs,
        &["shipping_address.country_code"],
        one(&buyer.country),
    );
    let groups = refresh::groups_of(conn, buyer.customer_id.as_deref())?;
    attr(
        &mut attrs,
        &["customer.groups.id", "customer_group.id"],
        groups,
    );
    let item_attrs = item_attrs(conn, items, promotions)?;
    let mut targets = Vec::with_capacity(items.len());
    for (item, a) in items.iter().zip(item_attrs) {
        for (key, values) in &a {
            attrs.entry(key.clone()).or_default().extend(values.clone());
        }
        let (subtotal, original_total) = undiscounted(&refresh::item_line(item))?;
        targets.push(Target {
            id: item.id.clone(),
            quantity: item.quantity,
            subtotal,
            original_total,
            is_discountable: item.is_discountable,
            attrs: a,
        });
    }
    let wants_option_type = promotions.iter().any(|p| {
        p.application_method
            .iter()
            .flat_map(|m| &m.target_rules)
            .any(|r| r.attribute.ends_with("shipping_option_type_id"))
    });
    let mut method_targets = Vec::with_capacity(methods.len());
    for method in methods {
        let (subtotal, original_total) = undiscounted(&refresh::method_line(method))?;
        let mut a = Attrs::new();
        attr(
            &mut a,
            &["shipping_methods.shipping_option_id", "shipping_option_id"],
            one(&method.shipping_option_id),
        );
        if wants_option_type {
            attr(
                &mut a,
                &[
                    "shipping_methods.shipping_option.shipping_option_type_id",
                    "shipping_option.shipping_option_type_id",
                ],
                option_type_of(conn, method.shipping_option_id.as_deref())?,
            );
        }
        method_targets.push(Target {
            id: method.id.clone(),
            quantity: 1,
            subtotal,
            original_total,
            is_discountable: true,
            attrs: a,
        });
    }
    Ok(Context {
        currency_code: buyer.currency_code.clone(),
        now: now.to_string(),
        attrs,
        items: targets,
        methods: method_targets,
    })
}

/// The shipping option type of a method's option (none when the option is gone).
fn option_type_of(conn: &Connection, option_id: Option<&str>) -> Result<Vec<String>> {
    let Some(option_id) = option_id else {
        return Ok(Vec::new());
    };
    match fulfillment::retrieve_option(conn, option_id) {
        Ok(option) => Ok(vec![option.type_id]),
        Err(Error::NotFound(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// `(subtotal, original total)` of a line before any discount.
fn undiscounted(line: &Line) -> Result<(i64, i64)> {
    let mut line = line.clone();
    line.discounts.clear();
    let (subtotal, tax) = line.before_discounts()?;
    Ok((subtotal, subtotal + tax))
}

/// Each item's target-rule context: its product, variant, type, collection, categories and
/// tags (read from the product module only when some rule looks at them).
fn item_attrs(
    conn: &Connection,
    items: &[LineItem],
    promotions: &[Promotion],
) -> Result<Vec<Attrs>> {
    let wants_product = promotions.iter().any(|p| {
        let target = p
            .application_method
            .iter()
            .flat_map(|m| m.target_rules.iter().chain(&m.buy_rules));
        p.rules.iter().chain(target).any(|r| {
            ["collection_id", "categories", "tags"]
                .iter()
                .any(|k| r.attribute.contains(k))
        })
    });
    let product_ids: Vec<String> = items.iter().filter_map(|i| i.product_id.clone()).collect();
    let (collections, categories, tags) = if wants_product {
        let collections: HashMap<String, Option<String>> =
            product::read::by_ids(conn, &product_ids)?
                .into_iter()
                .map(|p| (p.id, p.collection_id))
                .collect();
        (
            collections,
            product::relations::categories_of(conn, &product_ids)?,
            product::relations::tags_of(conn, &product_ids)?,
        )
    } else {
        Default::default()
    };
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    Ok(items
        .iter()
        .map(|item| {
            let mut a = Attrs::new();
            let product = item.product_id.clone().unwrap_or_default();
            attr(
                &mut a,
                &[
                    "items.product.id",
                    "items.product_id",
                    "product.id",
                    "product_id",
                ],
                one(&item.product_id),
            );
            attr(
                &mut a,
                &[
                    "items.variant.id",
                    "items.variant_id",
                    "variant.id",
                    "variant_id",
                ],
                one(&item.variant_id),
            );
            attr(
                &mut a,
                &["items.product.type_id", "product.type_id"],
                one(&item.product_type_id),
            );
            let collection = collections.get(&product).cloned().flatten();
            attr(
                &mut a,
                &["items.product.collection_id", "product.collection_id"],
                one(&collection),
            );
            let category_ids = categories
                .get(&product)
                .map(|c| c.iter().map(|c| c.id.clone()).collect())
                .unwrap_or_default();
            attr(
                &mut a,
                &["items.product.categories.id", "product.categories.id"],
                category_ids,
            );
            let tag_ids = tags
                .get(&product)
                .map(|t| t.iter().map(|t| t.id.clone()).collect())
                .unwrap_or_default();
            attr(
                &mut a,
                &["items.product.tags.id", "product.tags.id"],
                tag_ids,
            );
            a
        })
        .collect())
}

/// Writes the computed adjustments, touching only lines whose adjustments changed, and sets
/// them on `lines`.
fn store(conn: &Connection, ctx: &Ctx, lines: &mut CartLines, adjusts: &[Adjust]) -> Result<()> {
    for item in &mut lines.items {
        let wanted = rows_for(adjusts, true, &item.id);
        if !same(&item.adjustments, &wanted) {
            cart::set_adjustments(conn, ctx, true, &item.id, &wanted)?;
            item.adjustments = wanted;
        }
    }
    for method in &mut lines.methods {
        let wanted = rows_for(adjusts, false, &method.id);
        if !same(&method.adjustments, &wanted) {
            cart::set_adjustments(conn, ctx, false, &method.id, &wanted)?;
            method.adjustments = wanted;
        }
    }
    Ok(())
}

/// Whether two sets of adjustments take off the same (ids aside).
pub fn same(old: &[Adjustment], new: &[Adjustment]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| {
            (&a.code, a.amount, a.is_tax_inclusive, &a.promotion_id)
                == (&b.code, b.amount, b.is_tax_inclusive, &b.promotion_id)
        })
}
