//! One-hop graph queries over links (the idea of Medusa's `query.graph`): an entity with the
//! records linked to it, e.g. a customer with its loyalty account.

use super::Link;
use crate::error::{Error, Result};
use crate::model::rows::load_rows;
use rusqlite::Connection;
use serde_json::Value;

/// A relation to include: under `name`, the records of `table` linked through `link`.
pub struct Relation<'a> {
    /// Key under which the linked records appear.
    pub name: &'a str,
    /// The link to follow.
    pub link: &'a Link,
    /// The table holding the records on the other side.
    pub table: &'a str,
}

/// Loads the `entity` row `id` from `table` and, for each relation, the records linked to it
/// (an array under the relation's name). `entity` names this side of each link.
///
/// # Errors
/// 404 if the row does not exist; a relation whose link does not touch `entity`.
pub fn graph(
    conn: &Connection,
    entity: &str,
    table: &str,
    id: &str,
    relations: &[Relation],
) -> Result<Value> {
    let mut row = load_rows(conn, table, &[id.to_string()])?
        .pop()
        .ok_or_else(|| Error::not_found(&crate::model::rows::humanize(entity), id))?;
    for relation in relations {
        let ids = if relation.link.left.entity == entity {
            relation.link.rights_of(conn, id)?
        } else if relation.link.right.entity == entity {
            relation.link.lefts_of(conn, id)?
        } else {
            return Err(Error::UnexpectedState(format!(
                "link {} does not touch {entity}",
                relation.link.table()
            )));
        };
        let linked = load_rows(conn, relation.table, &ids)?;
        if let Value::Object(map) = &mut row {
            map.insert(relation.name.to_string(), Value::Array(linked));
        }
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::module::{Migration, Module, migrate};
    use crate::link::{LinkEnd, define_link};
    use serde_json::json;

    #[test]
    fn entity_comes_back_with_its_linked_records() {
        let conn = Connection::open_in_memory().unwrap();
        let link = define_link(
            LinkEnd::new("author", "author_id"),
            LinkEnd::new("book", "book_id"),
        );
        let modules = [
            Module::new("author", "author").migration(Migration::embedded(
                "0001.sql",
                "CREATE TABLE author (id TEXT PRIMARY KEY, name TEXT, deleted_at TEXT);
                 INSERT INTO author VALUES ('a1', 'Ada', NULL);",
            )),
            Module::new("book", "book").migration(Migration::embedded(
                "0001.sql",
                "CREATE TABLE book (id TEXT PRIMARY KEY, title TEXT, deleted_at TEXT);
                 INSERT INTO book VALUES ('b1', 'Notes', NULL), ('b2', 'Gone', 'yesterday');",
            )),
            link.module(),
        ];
        migrate(&conn, &modules, "t").unwrap();
        link.create(&conn, "l1", "a1", "b1", "t").unwrap();
        link.create(&conn, "l2", "a1", "b2", "t").unwrap();
        let relation = Relation {
            name: "books",
            link: &link,
            table: "book",
        };
        let author = graph(&conn, "author", "author", "a1", &[relation]).unwrap();
        assert_eq!(
            author,
            json!({"id": "a1", "name": "Ada", "deleted_at": null, "books": [{"id": "b1", "title": "Notes", "deleted_at": null}]})
        );
        let relation = Relation {
            name: "authors",
            link: &link,
            table: "author",
        };
        let book = graph(&conn, "book", "book", "b1", &[relation]).unwrap();
        assert_eq!(book["authors"][0]["name"], "Ada");
        assert_eq!(
            graph(&conn, "author", "author", "nope", &[])
                .unwrap_err()
                .status(),
            404
        );
    }
}
