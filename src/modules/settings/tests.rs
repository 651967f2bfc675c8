//! Unit tests of the settings module over an in-memory database.

use super::labels::{self, LabelChange, LabelFilter, NewLabel};
use super::layouts::{self, LayoutFilter, Scope};
use super::*;
use crate::clock::Clock;
use crate::ctx::Ctx;
use crate::error::Error;
use crate::id::IdGenerator;
use rusqlite::Connection;
use serde_json::json;

fn setup() -> (Connection, Ctx) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 5));
    (conn, ctx)
}

fn label(entity: &str, property: &str, text: &str) -> NewLabel {
    NewLabel {
        entity: entity.into(),
        property: property.into(),
        label: text.into(),
        description: None,
    }
}

#[test]
fn a_property_has_one_label_which_updates_and_deletes() {
    let (conn, ctx) = setup();
    let ids = labels::create(&conn, &ctx, &[label("order", "display_id", "Order no.")]).unwrap();
    let again = labels::create(&conn, &ctx, &[label("order", "display_id", "Number")]);
    assert!(matches!(again, Err(Error::Duplicate(_))));
    let change = LabelChange {
        id: ids[0].clone(),
        label: Some("Order number".into()),
        description: Some(Some("Shown to customers".into())),
    };
    labels::update(&conn, &ctx, &[change]).unwrap();
    let found = labels::retrieve(&conn, &ids[0]).unwrap();
    assert_eq!(found.label, "Order number");
    assert_eq!(found.description.as_deref(), Some("Shown to customers"));
    let keep = LabelChange {
        id: ids[0].clone(),
        ..LabelChange::default()
    };
    labels::update(&conn, &ctx, &[keep]).unwrap();
    assert_eq!(labels::retrieve(&conn, &ids[0]).unwrap(), found);
    assert!(matches!(
        labels::delete(&conn, &[ids[0].clone(), "plbl_missing".into()]),
        Err(Error::NotFound(_))
    ));
    labels::delete(&conn, &ids).unwrap();
    assert!(matches!(
        labels::retrieve(&conn, &ids[0]),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn labels_filter_search_sort_and_page() {
    let (conn, ctx) = setup();
    labels::create(
        &conn,
        &ctx,
        &[
            label("order", "email", "E-mail"),
            label("order", "display_id", "Number"),
            label("product", "title", "Name"),
        ],
    )
    .unwrap();
    let names = |filter: &LabelFilter, offset, limit| {
        let (found, count) = labels::list(&conn, filter, offset, limit).unwrap();
        (
            found.into_iter().map(|l| l.label).collect::<Vec<_>>(),
            count,
        )
    };
    let orders = LabelFilter {
        entity: Some("order".into()),
        order: Some("-label".into()),
        ..LabelFilter::default()
    };
    assert_eq!(
        names(&orders, 0, 10),
        (vec!["Number".into(), "E-mail".into()], 2)
    );
    assert_eq!(names(&orders, 1, 1), (vec!["E-mail".into()], 2));
    let q = LabelFilter {
        q: Some("TIT".into()),
        ..LabelFilter::default()
    };
    assert_eq!(names(&q, 0, 10), (vec!["Name".into()], 1));
    let injected = LabelFilter {
        order: Some("label; DROP TABLE x".into()),
        ..LabelFilter::default()
    };
    assert_eq!(names(&injected, 0, 10).1, 3);
}

#[test]
fn layouts_are_personal_or_default_and_remember_the_choice() {
    let (conn, ctx) = setup();
    let zone = "order.details";
    layouts::save(
        &conn,
        &ctx,
        zone,
        "user_a",
        true,
        &json!({"w": {"hidden": true}}),
    )
    .unwrap();
    assert_eq!(
        layouts::stored_scope(&conn, zone, "user_a").unwrap(),
        Some(Scope::Default)
    );
    let mine = layouts::save(&conn, &ctx, zone, "user_a", false, &json!({})).unwrap();
    assert_eq!(mine.user_id.as_deref(), Some("user_a"));
    let replaced = layouts::save(&conn, &ctx, zone, "user_a", false, &json!({"x": {}})).unwrap();
    assert_eq!(replaced.id, mine.id);
    assert_eq!(replaced.configuration, json!({"widgets": {"x": {}}}));
    assert_eq!(
        layouts::stored_scope(&conn, zone, "user_a").unwrap(),
        Some(Scope::Personal)
    );
    layouts::save(&conn, &ctx, zone, "user_b", false, &json!({})).unwrap();

    let (seen, count) = layouts::list(&conn, "user_a", &LayoutFilter::default(), 0, 10).unwrap();
    assert_eq!(count, 2, "user_b's layout is not user_a's to see");
    assert!(seen.iter().all(|l| l.user_id.as_deref() != Some("user_b")));

    layouts::clear(&conn, &ctx, zone, "user_a").unwrap();
    assert_eq!(layouts::find(&conn, zone, Some("user_a")).unwrap(), None);
    assert_eq!(layouts::stored_scope(&conn, zone, "user_a").unwrap(), None);
    assert!(layouts::find(&conn, zone, None).unwrap().is_some());
}

#[test]
fn the_active_scope_falls_back_as_medusa_does() {
    use layouts::active_scope;
    assert_eq!(active_scope(Some(Scope::Personal), false), Scope::Default);
    assert_eq!(active_scope(Some(Scope::Personal), true), Scope::Personal);
    assert_eq!(active_scope(Some(Scope::Default), true), Scope::Default);
    assert_eq!(active_scope(None, true), Scope::Personal);
    assert_eq!(active_scope(None, false), Scope::Default);
}

#[test]
fn order_by_accepts_only_listed_columns() {
    assert_eq!(
        order_by(Some("-label"), &["label"]).as_deref(),
        Some("label DESC, id DESC")
    );
    assert_eq!(order_by(Some("secret"), &["label"]), None);
    assert_eq!(order_by(None, &["label"]), None);
}
