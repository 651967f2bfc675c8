//! Order changes on the admin API (Medusa 2.21.2): `GET /admin/orders/:id/changes` (the
//! order's changes with their actions; filters `id`, `status`, `change_type`, `created_at`,
//! `updated_at`; `fields=`), `POST /admin/order-changes/:id` (a change's `internal_note` and
//! `carry_over_promotions` — the only order-changes route 2.21.2 has), and
//! `GET /admin/orders/:id/preview`: the order as it would be once its open change is
//! confirmed (the dashboard's order page reads it on every visit).

use super::order_json::admin_order_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::{Graph, ids, project, selection, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::order;
use crate::modules::order::changes::{
    self, ChangeAction, ITEM_ADD, ITEM_UPDATE, OrderChange, SHIPPING_REMOVE, TRANSFER_CUSTOMER,
    WRITE_OFF_ITEM,
};
use crate::modules::order::changes_admin::{self, ChangeFilter, ChangeUpdate};
use crate::modules::order::draft_lines::{PROMOTION_ADD, PROMOTION_REMOVE, SHIPPING_UPDATE};
use crate::modules::order::return_actions::{
    self, RECEIVE_DAMAGED_RETURN_ITEM, RECEIVE_RETURN_ITEM, RETURN_ITEM, SHIPPING_ADD,
};
use crate::money;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/orders/:id/changes",
            a,
            "List an order's changes",
            list,
        ),
        Route::new(
            "POST",
            "/admin/order-changes/:id",
            a,
            "Update an order change",
            update,
        ),
        Route::new(
            "GET",
            "/admin/orders/:id/preview",
            a,
            "Preview an order with its open change applied",
            preview,
        ),
    ]
}

/// Medusa's `defaultAdminRetrieveOrderChangesFields`.
const DEFAULTS: &[&str] = &[
    "id",
    "order_id",
    "return_id",
    "claim_id",
    "exchange_id",
    "version",
    "change_type",
    "*actions",
    "description",
    "status",
    "internal_note",
    "created_by",
    "requested_by",
    "requested_at",
    "confirmed_by",
    "confirmed_at",
    "declined_by",
    "declined_reason",
    "metadata",
    "declined_at",
    "canceled_by",
    "canceled_at",
    "created_at",
    "updated_at",
    "carry_over_promotions",
    "no_notification",
];

const GRAPH: Graph = Graph {
    relations: &["actions"],
    opaque: &["details"],
    embedded: &[],
};

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// An action as Medusa shows it: amounts in major units with `raw_amount`. A transfer's
/// token digest stays in the store (Medusa shows the token itself; here it is the
/// credential's fingerprint, and staff never need it).
fn action_json(action: &ChangeAction, currency: &str) -> Value {
    let mut m = object(action);
    if let Some(details) = m.get_mut("details").and_then(Value::as_object_mut) {
        details.remove("token_hash");
    }
    let amount = action
        .amount
        .map_or(Value::Null, |a| money::to_json(a, currency));
    let raw = action
        .amount
        .map_or(Value::Null, |a| money::raw_json(a, currency));
    m.insert("amount".into(), amount);
    m.insert("raw_amount".into(), raw);
    Value::Object(m)
}

/// A change with its actions.
fn change_json(conn: &Connection, change: &OrderChange, currency: &str) -> Result<Value> {
    let mut m = object(change);
    let actions = changes::actions_of(conn, &change.id)?;
    let docs = actions.iter().map(|a| action_json(a, currency)).collect();
    m.insert("actions".into(), Value::Array(docs));
    Ok(Value::Object(m))
}

/// A change with its actions, in its order's currency.
///
/// # Errors
/// Database failures.
pub fn change_doc(conn: &Connection, change: &OrderChange) -> Result<Value> {
    let currency = currency_of(conn, &change.order_id)?;
    change_json(conn, change, &currency)
}

fn currency_of(conn: &Connection, order_id: &str) -> Result<String> {
    Ok(order::retrieve(conn, order_id)
        .map(|o| o.currency_code)
        .unwrap_or_default())
}

fn select(mut doc: Value, fields: Option<&str>) -> Value {
    if let (Some(f), Value::Object(map)) = (fields, &mut doc) {
        project(map, &selection(Some(f), DEFAULTS, &[]), &GRAPH, "");
    }
    doc
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let q = &request.query;
    let filter = ChangeFilter {
        ids: ids(q)?,
        statuses: strings(q, "status")?,
        change_types: strings(q, "change_type")?,
        created_at: super::orders::ranges(q, "created_at")?,
        updated_at: super::orders::ranges(q, "updated_at")?,
    };
    let fields = request.query_str("fields").map(str::to_string);
    let order_id = request.param("id");
    let docs = engine.store().read(|conn| {
        let currency = currency_of(conn, order_id)?;
        changes_admin::list_for_order(conn, order_id, &filter)?
            .iter()
            .map(|c| change_json(conn, c, &currency).map(|d| select(d, fields.as_deref())))
            .collect::<Result<Vec<_>>>()
    })?;
    Ok(Response::json(json!({ "order_changes": docs })))
}

/// `Some(None)` for an explicit `null`, `None` when the key is absent.
fn nullish<T>(body: &Value, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
    body.get(key).map(read)
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("carry_over_promotions", Kind::Boolean.nullable())
            .optional("internal_note", Kind::String.nullable()),
    )?;
    let input = ChangeUpdate {
        internal_note: nullish(&body, "internal_note", |v| v.as_str().map(str::to_string)),
        carry_over_promotions: nullish(&body, "carry_over_promotions", Value::as_bool),
    };
    let id = request.param("id").to_string();
    let ctx = engine.ctx().clone();
    let change = engine
        .store()
        .write(move |tx| changes_admin::update(tx, &ctx, &id, &input))?;
    let fields = request.query_str("fields").map(str::to_string);
    let doc = engine.store().read(|conn| {
        let currency = currency_of(conn, &change.order_id)?;
        change_json(conn, &change, &currency)
    })?;
    Ok(Response::json(
        json!({ "order_change": select(doc, fields.as_deref()) }),
    ))
}

/// The open change's fields Medusa's preview carries as `order_change` (its
/// `getActiveOrderChange_` selection: no actions).
const OPEN_CHANGE_FIELDS: &[&str] = &[
    "id",
    "change_type",
    "order_id",
    "return_id",
    "claim_id",
    "exchange_id",
    "version",
    "requested_at",
    "requested_by",
    "status",
    "description",
    "internal_note",
    "carry_over_promotions",
    "no_notification",
];

/// The order document with the open change's actions applied in `ordering` order.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn preview_json(conn: &Connection, engine: &Engine, order_id: &str) -> Result<Value> {
    let mut doc = admin_order_json(conn, order_id)?;
    let Some(m) = doc.as_object_mut() else {
        return Ok(doc);
    };
    // Medusa's preview comes from the order module alone: no linked records.
    for key in ["customer", "sales_channel", "region", "promotions"] {
        m.remove(key);
    }
    let Some(change) = changes::open_change(conn, order_id)? else {
        return Ok(doc);
    };
    let currency = m["currency_code"].as_str().unwrap_or_default().to_string();
    let mut open = object(&change);
    open.retain(|k, _| OPEN_CHANGE_FIELDS.contains(&k.as_str()));
    m.insert("order_change".into(), Value::Object(open));
    let actions = changes::actions_of(conn, &change.id)?;
    for action in &actions {
        apply(m, action, &currency)?;
    }
    super::preview_totals::recompute(conn, engine, m, &change, &actions)?;
    Ok(doc)
}

/// Applies one action to the preview, and lists it under what it changed (`actions`), as
/// Medusa's `addActionReferenceToObject` does.
fn apply(order: &mut Map<String, Value>, action: &ChangeAction, currency: &str) -> Result<()> {
    match action.action.as_str() {
        TRANSFER_CUSTOMER => {
            let customer = action
                .reference_id
                .as_deref()
                .ok_or_else(|| Error::invalid("Reference to customer ID is required"))?;
            order.insert("customer_id".into(), json!(customer));
            if let Some(email) = action.details.get("new_email").filter(|e| e.is_string()) {
                order.insert("email".into(), email.clone());
            }
            let listed = order.entry("actions").or_insert_with(|| json!([]));
            if let Some(list) = listed.as_array_mut() {
                list.push(action_json(action, currency));
            }
            Ok(())
        }
        ITEM_ADD => {
            add_preview_item(order, action, currency);
            Ok(())
        }
        ITEM_UPDATE => {
            update_preview_item(order, action, currency);
            Ok(())
        }
        RETURN_ITEM
        | RECEIVE_RETURN_ITEM
        | RECEIVE_DAMAGED_RETURN_ITEM
        | SHIPPING_ADD
        | WRITE_OFF_ITEM
        | PROMOTION_ADD
        | PROMOTION_REMOVE => {
            list_return_action(order, action, currency);
            Ok(())
        }
        SHIPPING_UPDATE | SHIPPING_REMOVE => {
            change_preview_method(order, action, currency);
            list_return_action(order, action, currency);
            Ok(())
        }
        other => Err(Error::invalid(format!(
            "Action type {other} is not defined"
        ))),
    }
}

/// A draft edit's change to one of its shipping methods in the preview: re-priced, or gone.
fn change_preview_method(order: &mut Map<String, Value>, action: &ChangeAction, currency: &str) {
    let id = action.reference_id.as_deref();
    let Some(methods) = order
        .get_mut("shipping_methods")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    if action.action == SHIPPING_REMOVE {
        methods.retain(|m| m["id"].as_str() != id);
        return;
    }
    let d = &action.details;
    for method in methods.iter_mut().filter(|m| m["id"].as_str() == id) {
        method["name"] = d["new_name"].clone();
        method["shipping_option_id"] = d["new_shipping_option_id"].clone();
        let amount = d["new_amount"].as_i64().unwrap_or_default();
        method["amount"] = money::to_json(amount, currency);
    }
}

/// An edit's new line in the preview: the priced snapshot, `id` the action's (the line has
/// none yet), amounts in major units, the action under `actions`. Totals are not recomputed.
fn add_preview_item(order: &mut Map<String, Value>, action: &ChangeAction, currency: &str) {
    let mut item = action.details["item"].clone();
    if let Some(m) = item.as_object_mut() {
        m.insert("id".into(), json!(action.id));
        let price = m.get("unit_price").and_then(Value::as_i64).unwrap_or(0);
        m.insert("unit_price".into(), money::to_json(price, currency));
        m.insert("actions".into(), json!([action_json(action, currency)]));
    }
    if let Some(items) = order.get_mut("items").and_then(Value::as_array_mut) {
        items.push(item);
    }
}

/// An edit's quantity change in the preview: the line's new quantity, the action under it.
fn update_preview_item(order: &mut Map<String, Value>, action: &ChangeAction, currency: &str) {
    let line = action.details["reference_id"].as_str();
    let items = order.get_mut("items").and_then(Value::as_array_mut);
    for item in items.into_iter().flatten() {
        if item["id"].as_str() != line {
            continue;
        }
        item["quantity"] = action.details["quantity"].clone();
        if let Some(m) = item.as_object_mut()
            && let Some(list) = m
                .entry("actions")
                .or_insert_with(|| json!([]))
                .as_array_mut()
        {
            list.push(action_json(action, currency));
        }
    }
}

/// A return's action in the preview: listed under the order and, for an item action, under
/// its line, with the line's `return_requested_quantity` / `return_received_quantity` /
/// `return_dismissed_quantity` grown as Medusa's preview shows them.
fn list_return_action(order: &mut Map<String, Value>, action: &ChangeAction, currency: &str) {
    let doc = action_json(action, currency);
    if let Some(list) = order
        .entry("actions")
        .or_insert_with(|| json!([]))
        .as_array_mut()
    {
        list.push(doc.clone());
    }
    let key = match action.action.as_str() {
        RETURN_ITEM => "return_requested_quantity",
        RECEIVE_RETURN_ITEM => "return_received_quantity",
        RECEIVE_DAMAGED_RETURN_ITEM => "return_dismissed_quantity",
        WRITE_OFF_ITEM => "written_off_quantity",
        _ => return,
    };
    let line = return_actions::line_of(action);
    let units = return_actions::quantity_of(action);
    let items = order.get_mut("items").and_then(Value::as_array_mut);
    for item in items.into_iter().flatten() {
        if item["id"].as_str() != Some(line) {
            continue;
        }
        if let Some(detail) = item.get_mut("detail").and_then(Value::as_object_mut) {
            let before = detail.get(key).and_then(Value::as_i64).unwrap_or(0);
            detail.insert(key.into(), json!(before + units));
        }
        if let Some(m) = item.as_object_mut()
            && let Some(list) = m
                .entry("actions")
                .or_insert_with(|| json!([]))
                .as_array_mut()
        {
            list.push(doc.clone());
        }
    }
}

fn preview(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let doc = engine.store().read(|conn| preview_json(conn, engine, id))?;
    Ok(Response::json(json!({ "order": doc })))
}
