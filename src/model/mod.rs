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

pub mod rows;

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
    fn of(name: &str, ty: FieldType) -> Self {
        Field {
            name: name.to_string(),
            ty,
            nullable: false,
            default: None,
        }
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
        let object = self.validate(input, true)?;
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
    /// 404 "<Model> with id: X was not found".
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
        let object = self.validate(changes, false)?;
        self.retrieve(conn, id)?;
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

    /// Checks a create/update body with Medusa's messages (at most three issues).
    fn validate<'v>(&self, input: &'v Value, creating: bool) -> Result<&'v Map<String, Value>> {
        let object = input
            .as_object()
            .ok_or_else(|| Error::invalid("Invalid request: Expected an object"))?;
        let mut issues = Vec::new();
        for field in &self.fields {
            match object.get(&field.name) {
                None if creating && field.required_on_create() => {
                    issues.push(format!("Field '{}' is required", field.name))
                }
                Some(v) if !type_fits(field, v) => issues.push(format!(
                    "Expected type: '{}' for field '{}', got: '{}'",
                    field.ty.name(),
                    field.name,
                    rows::json_type(v)
                )),
                _ => {}
            }
        }
        let unknown: Vec<&str> = object
            .keys()
            .filter(|k| !self.fields.iter().any(|f| &f.name == *k))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            issues.push(format!("Unrecognized fields: '{}'", unknown.join(", ")));
        }
        if issues.is_empty() {
            return Ok(object);
        }
        issues.truncate(3);
        Err(Error::invalid(format!(
            "Invalid request: {}",
            issues.join("; ")
        )))
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
            for v in values {
                args.push(filter_sql(field, v)?);
                marks.push(format!("?{}", args.len()));
            }
            parts.push(if marks.is_empty() {
                "0".into()
            } else {
                format!("{} IN ({})", field.name, marks.join(", "))
            });
        }
        Ok((parts.join(" AND "), args))
    }
}

fn type_fits(field: &Field, v: &Value) -> bool {
    match (field.ty, v) {
        (_, Value::Null) => field.nullable,
        (FieldType::Text, Value::String(_))
        | (FieldType::Boolean, Value::Bool(_))
        | (FieldType::Json, _) => true,
        (FieldType::Integer, Value::Number(n)) => n.is_i64(),
        _ => false,
    }
}

fn to_sql(field: &Field, v: &Value) -> Sql {
    match (field.ty, v) {
        (_, Value::Null) => Sql::Null,
        (FieldType::Text, Value::String(s)) => Sql::Text(s.clone()),
        (FieldType::Integer, Value::Number(n)) => n.as_i64().map_or(Sql::Null, Sql::Integer),
        (FieldType::Boolean, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (_, other) => Sql::Text(other.to_string()),
    }
}

/// Query-string filters arrive as strings: coerce them to the field's type.
fn filter_sql(field: &Field, v: &Value) -> Result<Sql> {
    let bad = || {
        Error::invalid(format!(
            "Invalid request: Expected type: '{}' for field '{}', got: '{}'",
            field.ty.name(),
            field.name,
            rows::json_type(v)
        ))
    };
    Ok(match (field.ty, v) {
        (FieldType::Integer, Value::String(s)) => Sql::Integer(s.parse().map_err(|_| bad())?),
        (FieldType::Boolean, Value::String(s)) => Sql::Integer(match s.as_str() {
            "true" => 1,
            "false" => 0,
            _ => return Err(bad()),
        }),
        _ if type_fits(field, v) => to_sql(field, v),
        _ => return Err(bad()),
    })
}

fn from_sql(ty: FieldType, v: Sql) -> Value {
    match (ty, v) {
        (_, Sql::Null) => Value::Null,
        (FieldType::Boolean, Sql::Integer(i)) => Value::Bool(i != 0),
        (FieldType::Json, Sql::Text(t)) => serde_json::from_str(&t).unwrap_or(Value::String(t)),
        (_, other) => rows::sql_to_json(other),
    }
}
