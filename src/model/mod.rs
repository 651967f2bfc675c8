//! Declared models for custom modules (the idea of Medusa's DML): describe a table's fields
//! once and get create / retrieve / list / update / soft-delete over JSON, with Medusa's
//! validation messages.
//!
//! The table itself comes from the module's own `.sql` migration (append-only, checksummed);
//! the model only describes it, and the engine checks at start-up that every declared column
//! exists — so a model and its migrations cannot silently drift. [`Model::create_table_sql`]
//! prints a first migration to start from.
//!
//! Every model table has `id`, `created_at`, `updated_at`, `deleted_at` besides its fields.

#[macro_use]
mod macros;
pub mod rows;
mod typed;
mod values;

pub use typed::{BelongsTo, Column, Entity};
use values::{filter_sql, from_sql, to_sql};

/// A default value as the model stores it (used by [`model!`](crate::model!)).
#[doc(hidden)]
pub fn default_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, params_from_iter};
use serde_json::{Map, Value};

/// Storage type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// TEXT ↔ JSON string.
    Text,
    /// INTEGER ↔ JSON integer.
    Integer,
    /// INTEGER 0/1 ↔ JSON boolean.
    Boolean,
    /// TEXT holding JSON ↔ any JSON value.
    Json,
}

impl FieldType {
    fn sql(self) -> &'static str {
        match self {
            FieldType::Text | FieldType::Json => "TEXT",
            FieldType::Integer | FieldType::Boolean => "INTEGER",
        }
    }

    fn name(self) -> &'static str {
        match self {
            FieldType::Text => "string",
            FieldType::Integer => "number",
            FieldType::Boolean => "boolean",
            FieldType::Json => "object",
        }
    }
}

/// One declared field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    name: String,
    ty: FieldType,
    nullable: bool,
    default: Option<Value>,
    /// The allowed texts of an enumeration field.
    values: Option<&'static [&'static str]>,
    /// The model table a belongs-to field points into (its parent must be live).
    parent: Option<(String, String)>,
}

impl Field {
    /// A required text field.
    pub fn text(name: &str) -> Self {
        Field::of(name, FieldType::Text)
    }
    /// A required integer field.
    pub fn integer(name: &str) -> Self {
        Field::of(name, FieldType::Integer)
    }
    /// A required boolean field.
    pub fn boolean(name: &str) -> Self {
        Field::of(name, FieldType::Boolean)
    }
    /// A JSON field (metadata and the like).
    pub fn json(name: &str) -> Self {
        Field::of(name, FieldType::Json)
    }
    /// A text field that only takes one of `values` (Medusa's `model.enum`).
    pub fn enumeration(name: &str, values: &'static [&'static str]) -> Self {
        let mut field = Field::text(name);
        field.values = Some(values);
        field
    }
    /// A field typed by its Rust type (what the [`model!`](crate::model!) macro declares).
    pub fn column<T: Column>(name: &str) -> Self {
        let mut field = Field::of(name, T::TYPE);
        field.nullable = T::NULLABLE;
        field.values = T::values();
        field
    }
    fn of(name: &str, ty: FieldType) -> Self {
        Field {
            name: name.to_string(),
            ty,
            nullable: false,
            default: None,
            values: None,
            parent: None,
        }
    }
    /// Makes this field a belongs-to reference: it holds the id of a live record of the model
    /// over `table`, checked on create, update and restore (404 naming the parent otherwise).
    pub fn belongs_to(mut self, table: &str) -> Self {
        self.parent = Some((table.to_string(), rows::humanize(table)));
        self
    }
    /// The table a belongs-to field points into.
    pub fn parent_table(&self) -> Option<&str> {
        self.parent.as_ref().map(|(table, _)| table.as_str())
    }
    /// May be null (and is then optional on create).
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }
    /// Value used on create when the field is absent.
    pub fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }
    fn required_on_create(&self) -> bool {
        !self.nullable && self.default.is_none()
    }
    fn allows(&self, text: &str) -> bool {
        self.values.is_none_or(|values| values.contains(&text))
    }
    /// The field's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the field may be absent on create (it is nullable or has a default).
    pub fn optional_on_create(&self) -> bool {
        !self.required_on_create()
    }
}

/// A declared model: a table, its ID prefix and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    table: String,
    id_prefix: String,
    label: String,
    fields: Vec<Field>,
}

impl Model {
    /// A model over `table` whose IDs look like `<id_prefix>_01…`.
    pub fn new(table: &str, id_prefix: &str) -> Self {
        let label = rows::humanize(table);
        Model {
            table: table.to_string(),
            id_prefix: id_prefix.to_string(),
            label,
            fields: Vec::new(),
        }
    }

    /// Adds a field.
    pub fn field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// A first `CREATE TABLE` for the model, to copy into `migrations/<module>/0001_….sql`.
    pub fn create_table_sql(&self) -> String {
        let mut columns = vec!["    id TEXT PRIMARY KEY".to_string()];
        for f in &self.fields {
            let null = if f.nullable { "" } else { " NOT NULL" };
            columns.push(format!("    {} {}{null}", f.name, f.ty.sql()));
        }
        columns.extend(["created_at", "updated_at"].map(|c| format!("    {c} TEXT NOT NULL")));
        columns.push("    deleted_at TEXT".into());
        format!(
            "CREATE TABLE {} (\n{}\n);\n",
            self.table,
            columns.join(",\n")
        )
    }

    /// Checks that the table has every declared column (run by the engine after migrating).
    ///
    /// # Errors
    /// `unexpected_state` naming the missing columns.
    pub fn check_table(&self, conn: &Connection) -> Result<()> {
        let present = rows::columns(conn, &self.table)?;
        let missing: Vec<&str> = self
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .chain(["id", "created_at", "updated_at", "deleted_at"])
            .filter(|c| !present.iter().any(|p| p == c))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::UnexpectedState(format!(
            "model {} declares columns its table lacks: {} (add a migration)",
            self.table,
            missing.join(", ")
        )))
    }

    /// Creates a record from a JSON object; absent fields take their defaults.
    ///
    /// # Errors
    /// 400 `invalid_data` for unknown, missing or mistyped fields.
    pub fn create(&self, conn: &Connection, ctx: &Ctx, input: &Value) -> Result<Value> {
        let object = values::validate(&self.fields, input, true)?;
        self.check_parents(conn, object)?;
        let id = ctx.id(&self.id_prefix);
        let now = ctx.now();
        let mut names = vec!["id".to_string(), "created_at".into(), "updated_at".into()];
        let mut values = vec![
            Sql::Text(id.clone()),
            Sql::Text(now.clone()),
            Sql::Text(now),
        ];
        for field in &self.fields {
            let value = object
                .get(&field.name)
                .or(field.default.as_ref())
                .unwrap_or(&Value::Null);
            names.push(field.name.clone());
            values.push(to_sql(field, value));
        }
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.table,
            names.join(", "),
            marks.join(", ")
        );
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(values))?;
        self.retrieve(conn, &id)
    }

    /// A live record by id.
    ///
    /// # Errors
    /// 404 "`<Model>` with id: X was not found".
    pub fn retrieve(&self, conn: &Connection, id: &str) -> Result<Value> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = ?1 AND deleted_at IS NULL",
            self.select_list(),
            self.table
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut found = stmt.query_map([id], |r| self.row_json(r))?;
        match found.next() {
            Some(row) => Ok(row?),
            None => Err(Error::not_found(&self.label, id)),
        }
    }

    /// Live records matching `filters` (field → value, or array of values), oldest first,
    /// with the total count.
    ///
    /// # Errors
    /// 400 for a filter on an undeclared field or of the wrong type.
    pub fn list(
        &self,
        conn: &Connection,
        filters: &Map<String, Value>,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<Value>, u64)> {
        let (clause, args) = self.where_clause(filters)?;
        let count_sql = format!("SELECT count(*) FROM {} WHERE {clause}", self.table);
        let count: i64 = conn
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        let sql = format!(
            "SELECT {} FROM {} WHERE {clause} ORDER BY id LIMIT {} OFFSET {}",
            self.select_list(),
            self.table,
            limit.min(i64::MAX as u64),
            offset.min(i64::MAX as u64)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let items = stmt
            .query_map(params_from_iter(args.iter()), |r| self.row_json(r))?
            .collect::<rusqlite::Result<_>>()?;
        Ok((items, count.max(0) as u64))
    }

    /// Updates the given fields of a live record.
    ///
    /// # Errors
    /// 404 if absent; 400 for unknown or mistyped fields.
    pub fn update(&self, conn: &Connection, ctx: &Ctx, id: &str, changes: &Value) -> Result<Value> {
        let object = values::validate(&self.fields, changes, false)?;
        self.retrieve(conn, id)?;
        self.check_parents(conn, object)?;
        let mut sets = vec!["updated_at = ?1".to_string()];
        let mut values = vec![Sql::Text(ctx.now())];
        for field in self.fields.iter().filter(|f| object.contains_key(&f.name)) {
            values.push(to_sql(field, &object[&field.name]));
            sets.push(format!("{} = ?{}", field.name, values.len()));
        }
        values.push(Sql::Text(id.to_string()));
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?{}",
            self.table,
            sets.join(", "),
            values.len()
        );
        conn.prepare_cached(&sql)?
            .execute(params_from_iter(values))?;
        self.retrieve(conn, id)
    }

    /// Soft-deletes a live record.
    ///
    /// # Errors
    /// 404 if absent.
    pub fn soft_delete(&self, conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            self.table
        );
        match conn
            .prepare_cached(&sql)?
            .execute(rusqlite::params![id, ctx.now()])?
        {
            0 => Err(Error::not_found(&self.label, id)),
            _ => Ok(()),
        }
    }

    /// Brings a soft-deleted record back (Medusa's `restore`). Its belongs-to parents must be
    /// live; a live record taking its place under a unique index answers 409 `duplicate_error`.
    ///
    /// # Errors
    /// 404 if there is no soft-deleted record with this id, or a parent is gone.
    pub fn restore(&self, conn: &Connection, ctx: &Ctx, id: &str) -> Result<Value> {
        let sql = format!(
            "SELECT {} FROM {} WHERE id = ?1 AND deleted_at IS NOT NULL",
            self.select_list(),
            self.table
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let deleted = stmt.query_map([id], |r| self.row_json(r))?.next();
        let Some(row) = deleted else {
            return Err(Error::not_found(
                &format!("Deleted {}", self.label.to_lowercase()),
                id,
            ));
        };
        if let Value::Object(fields) = row? {
            self.check_parents(conn, &fields)?;
        }
        let sql = format!(
            "UPDATE {} SET deleted_at = NULL, updated_at = ?2 WHERE id = ?1",
            self.table
        );
        conn.prepare_cached(&sql)?
            .execute(rusqlite::params![id, ctx.now()])?;
        self.retrieve(conn, id)
    }

    /// Marks the field `name` as a belongs-to reference into `table` (see
    /// [`Field::belongs_to`]); the [`model!`](crate::model!) macro calls it.
    pub fn references(mut self, name: &str, table: &str) -> Self {
        if let Some(field) = self.fields.iter_mut().find(|f| f.name == name) {
            *field = field.clone().belongs_to(table);
        }
        self
    }

    /// The declared fields.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Every belongs-to value in `object` names a live parent.
    fn check_parents(&self, conn: &Connection, object: &Map<String, Value>) -> Result<()> {
        for field in &self.fields {
            let (Some((table, label)), Some(Value::String(id))) =
                (&field.parent, object.get(&field.name))
            else {
                continue;
            };
            let sql = format!(
                "SELECT count(*) FROM {} WHERE id = ?1 AND deleted_at IS NULL",
                rows::check_identifier(table)?
            );
            let live: i64 = conn.prepare_cached(&sql)?.query_row([id], |r| r.get(0))?;
            if live == 0 {
                return Err(Error::not_found(label, id));
            }
        }
        Ok(())
    }

    fn select_list(&self) -> String {
        let mut cols = vec!["id"];
        cols.extend(self.fields.iter().map(|f| f.name.as_str()));
        cols.extend(["created_at", "updated_at", "deleted_at"]);
        cols.join(", ")
    }

    fn row_json(&self, row: &rusqlite::Row) -> rusqlite::Result<Value> {
        let mut out = Map::new();
        out.insert("id".into(), Value::String(row.get(0)?));
        for (i, field) in self.fields.iter().enumerate() {
            out.insert(
                field.name.clone(),
                from_sql(field.ty, row.get::<_, Sql>(i + 1)?),
            );
        }
        let n = self.fields.len();
        for (j, name) in ["created_at", "updated_at", "deleted_at"]
            .iter()
            .enumerate()
        {
            out.insert(
                (*name).into(),
                from_sql(FieldType::Text, row.get::<_, Sql>(n + 1 + j)?),
            );
        }
        Ok(Value::Object(out))
    }

    fn where_clause(&self, filters: &Map<String, Value>) -> Result<(String, Vec<Sql>)> {
        let mut parts = vec!["deleted_at IS NULL".to_string()];
        let mut args = Vec::new();
        for (key, value) in filters {
            let field = self.fields.iter().find(|f| &f.name == key).ok_or_else(|| {
                Error::invalid(format!("Invalid request: Unrecognized fields: '{key}'"))
            })?;
            let values: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let mut marks = Vec::new();
            let mut alternatives = Vec::new();
            for v in values {
                if v.is_null() && field.nullable {
                    alternatives.push(format!("{} IS NULL", field.name));
                    continue;
                }
                args.push(filter_sql(field, v)?);
                marks.push(format!("?{}", args.len()));
            }
            if !marks.is_empty() {
                alternatives.push(format!("{} IN ({})", field.name, marks.join(", ")));
            }
            parts.push(match alternatives.len() {
                0 => "0".into(),
                _ => format!("({})", alternatives.join(" OR ")),
            });
        }
        Ok((parts.join(" AND "), args))
    }
}
