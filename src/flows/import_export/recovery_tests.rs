//! Exports and imports journaled before they were typed recover on the typed steps: the rows
//! are written with the JSON the untyped route and steps journaled. Both workflows recover by
//! compensating (the admin was answered nothing), which reads the typed input and the typed
//! compensation data.

use crate::engine::Engine;
use crate::flows::checkout::recovery_tests::{Recorder, engine, journal, status};
use crate::modules::file::{self, NewFile};
use serde_json::{Value, json};

/// The feed notifications' descriptions.
fn feed(engine: &Engine) -> Vec<String> {
    engine
        .store()
        .read(|c| {
            let mut stmt = c.prepare("SELECT data FROM notification WHERE channel = 'feed'")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .expect("feed")
        .iter()
        .map(|d| {
            let data: Value = serde_json::from_str(d).expect("json");
            data["description"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn an_export_journaled_untyped_deletes_its_file_and_tells_the_admin() {
    let engine = engine(&Recorder::default());
    let ctx = engine.ctx().clone();
    let stored = engine
        .store()
        .write(move |tx| {
            file::create(
                tx,
                &ctx,
                &[NewFile::new(
                    "1-product-exports.csv".into(),
                    Some("text/csv"),
                    b"a,b\n".to_vec(),
                )],
            )
        })
        .expect("file");
    let file_id = stored[0].id.clone();
    // The untyped `start` journaled `{filter, base_url}` and the export step `{"id": …}` as
    // its compensation; the crash came before `send-notifications`.
    let input = json!({"filter": {"id": null, "q": null}, "base_url": "http://shop.test"});
    let output = json!({"id": file_id, "filename": "1-product-exports.csv", "url": "http://shop.test/static/x"});
    journal(
        &engine,
        "wf_exec_old_export",
        "export-products",
        &input,
        &[
            (
                0,
                "notify-on-failure",
                "external",
                "done",
                Value::Null,
                Value::Null,
            ),
            (
                1,
                "export-products",
                "external",
                "done",
                output,
                json!({ "id": file_id }),
            ),
        ],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_export"), "reverted");
    let gone = engine.store().read(|c| file::retrieve(c, &file_id));
    assert!(gone.is_err(), "the export's file is deleted");
    assert_eq!(
        feed(&engine),
        ["Failed to export products, please try again later."]
    );
}

#[test]
fn an_import_confirmation_journaled_untyped_names_its_file_when_it_fails() {
    let engine = engine(&Recorder::default());
    let csv = "Product Handle,Product Title\nposter,Poster\n";
    let input = json!({"filename": "posters.csv", "file_content": csv});
    journal(
        &engine,
        "wf_exec_old_import",
        "confirm-product-import",
        &input,
        &[(
            0,
            "notify-on-failure",
            "external",
            "done",
            Value::Null,
            Value::Null,
        )],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_old_import"), "reverted");
    assert_eq!(
        feed(&engine),
        ["Failed to import products from file posters.csv"]
    );
}

#[test]
fn a_journaled_input_without_its_file_name_is_left_for_an_operator_not_named_empty() {
    let engine = engine(&Recorder::default());
    // No typed run writes this row: the untyped step would have posted "… from file " with
    // no name; the typed one refuses, and the execution waits for an operator.
    let input = json!({"file_content": "Product Handle,Product Title\nposter,Poster\n"});
    journal(
        &engine,
        "wf_exec_bad_import",
        "confirm-product-import",
        &input,
        &[(
            0,
            "notify-on-failure",
            "external",
            "done",
            Value::Null,
            Value::Null,
        )],
    );
    assert_eq!(crate::workflow::recover(&engine).expect("recover"), 1);
    assert_eq!(status(&engine, "wf_exec_bad_import"), "failed_compensation");
    assert!(feed(&engine).is_empty());
}
