//! `/store/product-categories` (a tree), `/store/collections`, `/store/product-tags`,
//! `/store/product-types`.

use crate::engine::Engine;
use crate::error::Result;
use crate::http::catalog_json::object;
use crate::http::fields::{self, Graph, boolean, page, project, string, strings};
use crate::http::query::FieldSelection;
use crate::http::{Request, Response, list_envelope};
use crate::modules::product::taxonomy::{self, SimpleFilter, ValueKind};
use crate::modules::product::{Category, Product};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const CATEGORY_DEFAULTS: &[&str] = &[
    "id",
    "name",
    "description",
    "handle",
    "rank",
    "parent_category_id",
    "created_at",
    "updated_at",
    "metadata",
    "*parent_category",
    "*category_children",
];

const CATEGORY_GRAPH: Graph = Graph {
    relations: &["parent_category", "category_children", "products"],
    opaque: &[],
    embedded: &[],
};

const DEEP_CHILDREN: &[&str] = &[
    "*category_children",
    "*category_children.category_children",
    "*category_children.category_children.category_children",
    "*category_children.category_children.category_children.category_children",
];
const DEEP_PARENTS: &[&str] = &[
    "*parent_category",
    "*parent_category.parent_category",
    "*parent_category.parent_category.parent_category",
    "*parent_category.parent_category.parent_category.parent_category",
];

/// The whole public tree, indexed for walking up and down.
struct Tree {
    by_id: HashMap<String, Category>,
    children: HashMap<String, Vec<String>>,
}

impl Tree {
    fn new(all: Vec<Category>) -> Tree {
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for c in &all {
            if let Some(parent) = &c.parent_category_id {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(c.id.clone());
            }
        }
        let by_id = all.into_iter().map(|c| (c.id.clone(), c)).collect();
        Tree { by_id, children }
    }

    /// The category with parents up and children down to `depth` levels.
    fn node(
        &self,
        c: &Category,
        up: usize,
        down: usize,
        products: &HashMap<String, Vec<Product>>,
    ) -> Value {
        let mut map = object(c);
        let parent = c
            .parent_category_id
            .as_ref()
            .and_then(|p| self.by_id.get(p));
        map.insert(
            "parent_category".into(),
            match parent {
                Some(p) if up > 0 => self.node(p, up - 1, 0, products),
                _ => Value::Null,
            },
        );
        let kids = self
            .children
            .get(&c.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let kids: Vec<Value> = if down == 0 {
            Vec::new()
        } else {
            kids.iter()
                .filter_map(|k| self.by_id.get(k))
                .map(|k| self.node(k, 0, down - 1, products))
                .collect()
        };
        map.insert("category_children".into(), Value::Array(kids));
        let list = products.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        map.insert(
            "products".into(),
            Value::Array(list.iter().map(|p| Value::Object(object(p))).collect()),
        );
        Value::Object(map)
    }
}

fn category_selection(req: &Request, fields: Option<&str>) -> Result<FieldSelection> {
    let mut extra = Vec::new();
    if boolean(&req.query, "include_descendants_tree")? == Some(true) {
        extra.extend_from_slice(DEEP_CHILDREN);
    }
    if boolean(&req.query, "include_ancestors_tree")? == Some(true) {
        extra.extend_from_slice(DEEP_PARENTS);
    }
    Ok(fields::selection(fields, CATEGORY_DEFAULTS, &extra))
}

fn render_categories(
    engine: &Engine,
    page: &[Category],
    selection: &FieldSelection,
) -> Result<Vec<Value>> {
    let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
    let wants_products = selection.includes_relation("products");
    let (all, products) = engine.store().read(|conn| {
        let products = if wants_products {
            taxonomy::products_of_categories(conn, &ids)?
        } else {
            HashMap::new()
        };
        Ok((taxonomy::all_categories(conn, true)?, products))
    })?;
    let tree = Tree::new(all);
    Ok(page
        .iter()
        .map(|c| {
            let mut value = tree.node(c, 6, 6, &products);
            if let Value::Object(map) = &mut value {
                project(map, selection, &CATEGORY_GRAPH, "");
            }
            value
        })
        .collect())
}

fn parent_filter(req: &Request) -> Result<Option<Option<String>>> {
    Ok(string(&req.query, "parent_category_id")?.map(|p| (p != "null").then_some(p)))
}

/// `GET /store/product-categories`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_categories(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&req.query, 50)?;
    let selection = category_selection(req, fields.as_deref())?;
    let filter = SimpleFilter {
        ids: strings(&req.query, "id")?,
        keys: strings(&req.query, "handle")?,
        q: string(&req.query, "q")?,
        parent: parent_filter(req)?,
        public_only: true,
    };
    let (page, count) = engine
        .store()
        .read(|conn| taxonomy::list_categories(conn, &filter, limit, offset))?;
    let items = render_categories(engine, &page, &selection)?;
    Ok(Response::json(list_envelope(
        "product_categories",
        items,
        count,
        offset,
        limit,
    )))
}

/// `GET /store/product-categories/:id`.
///
/// # Errors
/// 404 "Product category with id: X was not found".
pub fn retrieve_category(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = category_selection(req, fields.as_deref())?;
    let id = req.param("id").to_string();
    let category = engine
        .store()
        .read(|conn| taxonomy::retrieve_category(conn, &id, true))?;
    let mut items = render_categories(engine, &[category], &selection)?;
    Ok(Response::json(json!({ "product_category": items.pop() })))
}

const COLLECTION_DEFAULTS: &[&str] = &["id", "title", "handle", "created_at", "updated_at"];

const COLLECTION_GRAPH: Graph = Graph {
    relations: &["products"],
    opaque: &[],
    embedded: &[],
};

fn render_collections(
    engine: &Engine,
    page: Vec<crate::modules::product::Collection>,
    selection: &FieldSelection,
) -> Result<Vec<Value>> {
    let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
    let products = if selection.includes_relation("products") {
        engine
            .store()
            .read(|conn| taxonomy::products_of_collections(conn, &ids))?
    } else {
        HashMap::new()
    };
    Ok(page
        .iter()
        .map(|c| {
            let mut map: Map<String, Value> = object(c);
            let list = products.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            map.insert(
                "products".into(),
                Value::Array(list.iter().map(|p| Value::Object(object(p))).collect()),
            );
            project(&mut map, selection, &COLLECTION_GRAPH, "");
            Value::Object(map)
        })
        .collect())
}

/// `GET /store/collections`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_collections(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&req.query, 10)?;
    let selection = fields::selection(fields.as_deref(), COLLECTION_DEFAULTS, &[]);
    let filter = SimpleFilter {
        ids: strings(&req.query, "id")?,
        keys: strings(&req.query, "handle")?,
        q: string(&req.query, "q")?,
        ..SimpleFilter::default()
    };
    let (page, count) = engine
        .store()
        .read(|conn| taxonomy::list_collections(conn, &filter, limit, offset))?;
    let items = render_collections(engine, page, &selection)?;
    Ok(Response::json(list_envelope(
        "collections",
        items,
        count,
        offset,
        limit,
    )))
}

/// `GET /store/collections/:id`.
///
/// # Errors
/// 404 "Collection with id: X was not found".
pub fn retrieve_collection(engine: &Engine, req: &Request) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), COLLECTION_DEFAULTS, &[]);
    let id = req.param("id").to_string();
    let collection = engine
        .store()
        .read(|conn| taxonomy::retrieve_collection(conn, &id))?;
    let mut items = render_collections(engine, vec![collection], &selection)?;
    Ok(Response::json(json!({ "collection": items.pop() })))
}

const VALUE_DEFAULTS: &[&str] = &["id", "value", "created_at", "updated_at", "metadata"];

const VALUE_GRAPH: Graph = Graph {
    relations: &[],
    opaque: &[],
    embedded: &[],
};

fn values(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let (limit, offset, _, fields) = page(&req.query, 50)?;
    let selection = fields::selection(fields.as_deref(), VALUE_DEFAULTS, &[]);
    let filter = SimpleFilter {
        ids: strings(&req.query, "id")?,
        keys: strings(&req.query, "value")?,
        q: string(&req.query, "q")?,
        ..SimpleFilter::default()
    };
    let (page, count) = engine
        .store()
        .read(|conn| taxonomy::list_values(conn, kind, &filter, limit, offset))?;
    let items = page
        .iter()
        .map(|t| {
            let mut map = object(t);
            project(&mut map, &selection, &VALUE_GRAPH, "");
            Value::Object(map)
        })
        .collect();
    Ok(Response::json(list_envelope(
        key, items, count, offset, limit,
    )))
}

fn value(engine: &Engine, req: &Request, kind: ValueKind, key: &str) -> Result<Response> {
    let fields = string(&req.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), VALUE_DEFAULTS, &[]);
    let id = req.param("id").to_string();
    let found = engine
        .store()
        .read(|conn| taxonomy::retrieve_value(conn, kind, &id))?;
    let mut map = object(&found);
    project(&mut map, &selection, &VALUE_GRAPH, "");
    let mut body = Map::new();
    body.insert(key.into(), Value::Object(map));
    Ok(Response::json(Value::Object(body)))
}

/// `GET /store/product-tags`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_tags(engine: &Engine, req: &Request) -> Result<Response> {
    values(engine, req, ValueKind::Tag, "product_tags")
}

/// `GET /store/product-tags/:id`.
///
/// # Errors
/// 404 "Product tag with id: X was not found".
pub fn retrieve_tag(engine: &Engine, req: &Request) -> Result<Response> {
    value(engine, req, ValueKind::Tag, "product_tag")
}

/// `GET /store/product-types`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list_types(engine: &Engine, req: &Request) -> Result<Response> {
    values(engine, req, ValueKind::Type, "product_types")
}

/// `GET /store/product-types/:id`.
///
/// # Errors
/// 404 "Product type with id: X was not found".
pub fn retrieve_type(engine: &Engine, req: &Request) -> Result<Response> {
    value(engine, req, ValueKind::Type, "product_type")
}
