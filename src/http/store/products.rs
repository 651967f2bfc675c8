//! `GET /store/products` and `GET /store/products/:id`: published products in the
//! publishable key's sales channels, with prices for the region's pricing context.

use crate::db::Store;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::product_graph::Wanted;
use crate::flows::store_catalog::{self, PricingInput};
use crate::http::catalog_json::STORE_PRODUCT_DEFAULTS;
use crate::http::fields::{self, boolean, page, string, strings};
use crate::http::product_docs::{self, DocSpec};
use crate::http::product_json;
use crate::http::query::FieldSelection;
use crate::http::{Request, Response};
use crate::modules::product::{self, ProductFilter, ProductOrder};
use rusqlite::Connection;
use serde_json::{Map, Value};
use std::sync::Arc;

const PRICES: &str = "*variants.calculated_price";

/// What a request wants, parsed once.
struct Shape {
    selection: FieldSelection,
    wanted: Wanted,
    pricing: PricingInput,
    channels: Vec<String>,
}

fn shape(engine: &Engine, req: &Request, fields: Option<&str>, defaults: &[&str]) -> Result<Shape> {
    let region_id = string(&req.query, "region_id")?;
    let extra: &[&str] = if region_id.is_some() { &[PRICES] } else { &[] };
    let selection = fields::selection(fields, defaults, extra);
    fields::check_restricted(&selection)?;
    let key_channels = req
        .actor
        .publishable
        .as_ref()
        .map(|p| p.sales_channel_ids.clone())
        .unwrap_or_default();
    let requested = strings(&req.query, "sales_channel_id")?;
    let channels = store_catalog::effective_channels(&key_channels, &requested)?;
    let rel = |r: &str| selection.includes_relation(r);
    let pricing = PricingInput {
        region_id,
        currency_code: string(&req.query, "currency_code")?,
        country_code: string(&req.query, "country_code")?,
        customer_group_ids: customer_groups(engine, req)?,
        required: rel("variants.calculated_price"),
        now: engine.ctx().now(),
    };
    let wanted = Wanted {
        variants: rel("variants"),
        variant_options: rel("variants.options"),
        prices: None,
        stored_prices: false,
        options: rel("options"),
        images: rel("images"),
        tags: rel("tags"),
        categories: rel("categories"),
        product_type: rel("type"),
        collection: rel("collection"),
        sales_channels: false,
        inventory: selection.fields().contains("variants.inventory_quantity"),
    };
    Ok(Shape {
        selection,
        wanted,
        pricing,
        channels,
    })
}

/// The signed-in customer's groups, whose price lists apply to the prices shown (the cart
/// prices with them too, so a shopper sees what they will pay). Guests have none.
fn customer_groups(engine: &Engine, req: &Request) -> Result<Vec<String>> {
    let Some(customer_id) = req.actor.customer_id.as_deref() else {
        return Ok(Vec::new());
    };
    let groups = engine
        .store()
        .read(|conn| crate::modules::customer::group::groups_of(conn, customer_id))?;
    Ok(groups.into_iter().map(|g| g.id).collect())
}

fn filter(query: &Map<String, Value>) -> Result<ProductFilter> {
    Ok(ProductFilter {
        ids: fields::ids(query)?,
        handles: strings(query, "handle")?,
        titles: strings(query, "title")?,
        q: string(query, "q")?.filter(|q| !q.trim().is_empty()),
        category_ids: strings(query, "category_id")?,
        collection_ids: strings(query, "collection_id")?,
        tag_ids: strings(query, "tag_id")?,
        type_ids: strings(query, "type_id")?,
        is_giftcard: boolean(query, "is_giftcard")?,
        ..ProductFilter::default()
    })
}

/// `GET /store/products`.
///
/// # Errors
/// 400 for bad parameters or pricing context; database failures.
pub fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, order, fields) = page(&req.query, 50)?;
    let order = order
        .as_deref()
        .map(ProductOrder::parse)
        .transpose()?
        .unwrap_or_default();
    let Shape {
        selection,
        wanted,
        pricing,
        channels,
    } = shape(engine, req, fields.as_deref(), STORE_PRODUCT_DEFAULTS)?;
    let filter = store_catalog::store_filter(filter(&req.query)?, &channels);
    let store = engine.store();
    let generation = store.generation();
    // Shoppers without customer groups all see the same prices: their pages are kept whole.
    let page_key = pricing
        .customer_group_ids
        .is_empty()
        .then(|| format!("store products page {:?} {channels:?}", req.query));
    if let Some(page) = page_key
        .as_deref()
        .and_then(|key| store.memo().get::<RenderedPage>(key, generation))
        .filter(|page| page.holds_at(&pricing.now))
    {
        return Ok(Response::shared_json(Arc::clone(&page.body)));
    }
    let (plan, plan_key) = product_docs::plan(store, generation, &selection)?;
    let spec = DocSpec {
        store,
        generation,
        plan_key: &plan_key,
        plan: &plan,
        wanted: &wanted,
    };
    let (docs, prices, count, window) = store.read(|conn| {
        let ctx = store_catalog::pricing_context(conn, &pricing)?;
        let (ids, count) = page_ids(store, generation, conn, &filter, &order, (limit, offset))?;
        let docs = product_docs::documents(conn, &spec, ids)?;
        let prices = product_docs::prices(conn, &spec, ctx.as_ref(), &docs)?;
        let window = price_window(store, generation, conn, &pricing.now)?;
        Ok((docs, prices, count, window))
    })?;
    let body = product_json::page(&docs, &prices, count, offset, limit);
    let Some(key) = page_key else {
        return Ok(Response::raw_json(body));
    };
    let (from, until) = window;
    let page = RenderedPage {
        body: Arc::from(body),
        from,
        until,
    };
    let body = Arc::clone(&page.body);
    store
        .memo()
        .put_weighted(key, generation, Arc::new(page), 256 + body.len());
    Ok(Response::shared_json(body))
}

/// A rendered listing page, exact for one store generation and for the interval of time
/// `[from, until)` between two price-list boundaries (`None`: unbounded), inside which the
/// prices it shows cannot change. Memoizing whole pages takes the user-space cost of a
/// repeated listing to a lookup (BENCHMARKS.md, issue 19's listing).
struct RenderedPage {
    body: Arc<str>,
    from: Option<String>,
    until: Option<String>,
}

impl RenderedPage {
    fn holds_at(&self, now: &str) -> bool {
        self.from.as_deref().is_none_or(|from| from <= now)
            && self.until.as_deref().is_none_or(|until| now < until)
    }
}

/// The interval around `now` in which no price list starts or ends: the last boundary at or
/// before it and the first after it. The boundaries are memoized per generation.
fn price_window(
    store: &Store,
    generation: u64,
    conn: &Connection,
    now: &str,
) -> Result<(Option<String>, Option<String>)> {
    let boundaries = store
        .memo()
        .get_or("price list boundaries", generation, || {
            crate::modules::pricing::lists::window_boundaries(conn)
        })?;
    let from = boundaries.iter().rev().find(|b| b.as_str() <= now).cloned();
    let until = boundaries.iter().find(|b| b.as_str() > now).cloned();
    Ok((from, until))
}

/// The page's ids and the total. Without free text, the whole ordered id list of the
/// listing is memoized per generation (a storefront has few distinct listings), so any
/// page, however deep its offset, and the total cost nothing more than a slice. Free-text
/// searches vary too much to keep; they query the page and memoize only the count.
fn page_ids(
    store: &Store,
    generation: u64,
    conn: &Connection,
    filter: &ProductFilter,
    order: &ProductOrder,
    (limit, offset): (u64, u64),
) -> Result<(Vec<String>, u64)> {
    if filter.q.is_some() {
        let count = store.memo_count(generation, &format!("store products {filter:?}"), || {
            product::count(conn, filter)
        })?;
        return Ok((
            store_catalog::page(conn, filter, order, (limit, offset))?,
            count,
        ));
    }
    let key = format!("store product ids {filter:?} {order:?}");
    let memo = store.memo();
    let all = match memo.get::<Vec<String>>(&key, generation) {
        Some(all) => all,
        None => {
            let all = Arc::new(store_catalog::page(conn, filter, order, (u64::MAX, 0))?);
            let bytes = 64 + all.len() * 64;
            memo.put_weighted(key, generation, Arc::clone(&all), bytes);
            all
        }
    };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(all.len());
    let end = start
        .saturating_add(usize::try_from(limit).unwrap_or(usize::MAX))
        .min(all.len());
    Ok((all[start..end].to_vec(), all.len() as u64))
}

/// `GET /store/products/:id`.
///
/// # Errors
/// 404 "Product with id: X was not found"; 400 for a bad pricing context.
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let mut defaults = STORE_PRODUCT_DEFAULTS.to_vec();
    defaults.push("*categories");
    let Shape {
        selection,
        wanted,
        pricing,
        channels,
    } = shape(engine, req, fields.as_deref(), &defaults)?;
    let id = req.param("id").to_string();
    let filter = store_catalog::store_filter(ProductFilter::default(), &channels);
    let store = engine.store();
    let generation = store.generation();
    let (plan, plan_key) = product_docs::plan(store, generation, &selection)?;
    let spec = DocSpec {
        store,
        generation,
        plan_key: &plan_key,
        plan: &plan,
        wanted: &wanted,
    };
    let (docs, prices) = store.read(|conn| {
        let ctx = store_catalog::pricing_context(conn, &pricing)?;
        let row = store_catalog::retrieve(conn, &id, &filter)?;
        let docs = product_docs::documents(conn, &spec, vec![row.id])?;
        let prices = product_docs::prices(conn, &spec, ctx.as_ref(), &docs)?;
        Ok((docs, prices))
    })?;
    let doc = docs
        .first()
        .ok_or_else(|| Error::not_found("Product", &id))?;
    Ok(Response::raw_json(product_json::single(
        "product", doc, &prices,
    )))
}
