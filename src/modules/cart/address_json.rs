//! A cart address as JSON text, written straight from its row.
//!
//! Every cart reply renders two addresses. Building each as a `serde_json::Map` (a `String`
//! per column name and value, a tree insert per column) and serializing the map cost ~27,000
//! instructions an address; writing the row's values in the map's key order costs a fraction
//! of that and gives the same bytes as [`super::address`] serialized (a test pins it).

use crate::error::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use std::io::Write;

/// The address columns in the order `serde_json::Map` (sorted by key) writes them.
const SORTED_COLUMNS: [&str; 16] = [
    "address_1",
    "address_2",
    "city",
    "company",
    "country_code",
    "created_at",
    "customer_id",
    "deleted_at",
    "first_name",
    "id",
    "last_name",
    "metadata",
    "phone",
    "postal_code",
    "province",
    "updated_at",
];

/// [`SORTED_COLUMNS`], selected (also what [`super::address`] reads).
pub(super) const SELECT: &str = "SELECT address_1, address_2, city, company, country_code, created_at, \
     customer_id, deleted_at, first_name, id, last_name, metadata, phone, postal_code, \
     province, updated_at FROM cart_address WHERE id = ?1 AND deleted_at IS NULL";

/// The address `id` as the JSON text of [`super::address`], or `None` (no id, or no live
/// address).
///
/// # Errors
/// Database failures.
pub fn address_json(conn: &Connection, id: Option<&str>) -> Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    crate::db::job_memo::remembered("cart_address_json", id, &["cart_address"], || {
        read(conn, id)
    })
}

fn read(conn: &Connection, id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached_static(SELECT)?;
    let bytes = stmt
        .query_row([id], |row| {
            let mut out = Vec::with_capacity(512);
            out.push(b'{');
            for (i, name) in SORTED_COLUMNS.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(b"\":");
                write_value(&mut out, *name == "metadata", row.get_ref(i)?)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            }
            out.push(b'}');
            Ok(out)
        })
        .optional()?;
    // Only JSON text was written, from UTF-8 (or lossily converted) input.
    Ok(bytes.map(|b| {
        String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }))
}

/// One column's value as [`crate::model::rows::sql_to_json`] renders it; `metadata` (JSON
/// text) parsed and written again, or `null` when it is not valid JSON text.
fn write_value(out: &mut Vec<u8>, metadata: bool, value: ValueRef<'_>) -> std::io::Result<()> {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => out.write_all(b"null"),
        _ if metadata => {
            let parsed = match value {
                ValueRef::Text(t) => serde_json::from_slice::<serde_json::Value>(t).ok(),
                _ => None,
            };
            match parsed {
                Some(v) => serde_json::to_writer(&mut *out, &v).map_err(std::io::Error::other),
                None => out.write_all(b"null"),
            }
        }
        ValueRef::Integer(i) => write!(out, "{i}"),
        ValueRef::Real(f) => match serde_json::Number::from_f64(f) {
            Some(n) => write!(out, "{n}"),
            None => out.write_all(b"null"),
        },
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            // Stored text is UTF-8 (SQLite's own encoding); only a foreign write could be
            // otherwise, and that is read lossily as before.
            Ok(text) => serde_json::to_writer(&mut *out, text).map_err(std::io::Error::other),
            Err(_) => serde_json::to_writer(&mut *out, String::from_utf8_lossy(t).as_ref())
                .map_err(std::io::Error::other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::ctx::Ctx;
    use crate::id::IdGenerator;
    use serde_json::json;

    #[test]
    fn writes_the_same_bytes_as_the_address_map() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[super::super::module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        let cart = super::super::create(&conn, &ctx, &super::super::NewCart::default()).unwrap();
        let fields = json!({
            "first_name": "Zoë \"Q\" <b>\\",
            "last_name": null,
            "address_1": "1 Rue\nde la Paix",
            "city": "Paris",
            "country_code": "FR",
            "postal_code": "75002",
            "phone": "+33 1 23",
            "metadata": {"z": [1, 2.5, {"b": true, "a": null}], "a": "x"}
        });
        let fields = fields.as_object().unwrap();
        super::super::set_address(&conn, &ctx, &cart, "shipping", Some(fields)).unwrap();
        let id: String = conn
            .query_row(
                "SELECT shipping_address_id FROM cart WHERE id = ?1",
                [&cart],
                |r| r.get(0),
            )
            .unwrap();
        let expected = |conn: &Connection| {
            serde_json::to_string(&super::super::address(conn, Some(&id)).unwrap()).unwrap()
        };
        assert_eq!(
            address_json(&conn, Some(&id)).unwrap().unwrap(),
            expected(&conn)
        );
        // Values no form writes but a column may hold: numbers, unparsable metadata.
        conn.execute(
            "UPDATE cart_address SET company = 42, province = 1.5, metadata = '{oops' WHERE id = ?1",
            [&id],
        )
        .unwrap();
        assert_eq!(
            address_json(&conn, Some(&id)).unwrap().unwrap(),
            expected(&conn)
        );
        assert_eq!(address_json(&conn, Some("caaddr_none")).unwrap(), None);
        assert_eq!(address_json(&conn, None).unwrap(), None);
    }
}
