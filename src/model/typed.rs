//! Typed models: a Rust struct over a declared [`Model`], with a typed service.
//!
//! [`model!`](crate::model!) declares the struct, its create / update / filter companions and
//! its [`Model`] in one place; [`Entity`] is the service every such struct gets. The dynamic
//! [`Model`] stays underneath: the same table, migration check, validation and messages, so a
//! typed caller and a JSON route agree on every rule.

use super::{FieldType, Model};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// How a Rust type is stored in a model's column.
pub trait Column {
    /// The column's storage type.
    const TYPE: FieldType;
    /// Whether the column may hold null (`Option<T>`).
    const NULLABLE: bool = false;
    /// The allowed texts of an enumeration (see [`model_enum!`](crate::model_enum!)).
    fn values() -> Option<&'static [&'static str]> {
        None
    }
}

impl Column for String {
    const TYPE: FieldType = FieldType::Text;
}

impl Column for i64 {
    const TYPE: FieldType = FieldType::Integer;
}

impl Column for bool {
    const TYPE: FieldType = FieldType::Boolean;
}

impl Column for Value {
    const TYPE: FieldType = FieldType::Json;
}

impl<T: Column> Column for Option<T> {
    const TYPE: FieldType = T::TYPE;
    const NULLABLE: bool = true;
    fn values() -> Option<&'static [&'static str]> {
        T::values()
    }
}

/// A record of a declared model, with its generated service. Implemented by
/// [`model!`](crate::model!); every method runs inside the caller's `store.read` /
/// `store.write` job, like a core module's service functions.
pub trait Entity: Serialize + DeserializeOwned + Sized {
    /// What `create` takes: every field, defaulted ones as `Option` (`None` → the default).
    type New: Serialize;
    /// What `update` takes: every field as `Option` (`None` → unchanged).
    type Changes: Serialize + Default;
    /// What `list` takes: per field, the values it may have (`None` → any).
    type Filter: Serialize + Default;

    /// The dynamic model underneath (register it with `Module::model`).
    fn model() -> &'static Model;

    /// The record's id.
    fn id(&self) -> &str;

    /// Creates a record.
    ///
    /// # Errors
    /// 400 for a value the model refuses (an enum text, …); 404 for a missing parent.
    fn create(conn: &Connection, ctx: &Ctx, new: &Self::New) -> Result<Self> {
        let mut input = to_object(new)?;
        drop_absent_defaults(Self::model(), &mut input);
        from_row(Self::model().create(conn, ctx, &Value::Object(input))?)
    }

    /// A live record by id.
    ///
    /// # Errors
    /// 404 "`<Model>` with id: X was not found".
    fn retrieve(conn: &Connection, id: &str) -> Result<Self> {
        from_row(Self::model().retrieve(conn, id)?)
    }

    /// Live records matching `filter`, oldest first, with the total count.
    ///
    /// # Errors
    /// Database failures.
    fn list(
        conn: &Connection,
        filter: &Self::Filter,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<Self>, u64)> {
        let (rows, count) = Self::model().list(conn, &to_object(filter)?, limit, offset)?;
        Ok((
            rows.into_iter().map(from_row).collect::<Result<_>>()?,
            count,
        ))
    }

    /// The oldest live record matching `filter`, if any.
    ///
    /// # Errors
    /// Database failures.
    fn first(conn: &Connection, filter: &Self::Filter) -> Result<Option<Self>> {
        Ok(Self::list(conn, filter, 1, 0)?.0.into_iter().next())
    }

    /// Updates the fields set in `changes`.
    ///
    /// # Errors
    /// 404 if absent (or a new parent is); 400 for a value the model refuses.
    fn update(conn: &Connection, ctx: &Ctx, id: &str, changes: &Self::Changes) -> Result<Self> {
        let changes = Value::Object(to_object(changes)?);
        from_row(Self::model().update(conn, ctx, id, &changes)?)
    }

    /// Soft-deletes a live record.
    ///
    /// # Errors
    /// 404 if absent.
    fn soft_delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
        Self::model().soft_delete(conn, ctx, id)
    }

    /// Brings a soft-deleted record back.
    ///
    /// # Errors
    /// 404 if there is none or its parent is gone; 409 if a live record took its place.
    fn restore(conn: &Connection, ctx: &Ctx, id: &str) -> Result<Self> {
        from_row(Self::model().restore(conn, ctx, id)?)
    }

    /// The live records of `C` that belong to this one (the has-many side of
    /// [`BelongsTo`]), oldest first.
    ///
    /// # Errors
    /// Database failures.
    fn children<C: BelongsTo<Self>>(&self, conn: &Connection) -> Result<Vec<C>> {
        let mut filter = Map::new();
        filter.insert(C::FOREIGN_KEY.into(), Value::String(self.id().into()));
        let (rows, _) = C::model().list(conn, &filter, i64::MAX as u64, 0)?;
        rows.into_iter().map(from_row).collect()
    }
}

/// A belongs-to relation between two models of one module: `Self` holds the id of its parent
/// `P` in the field [`FOREIGN_KEY`](BelongsTo::FOREIGN_KEY). Declared in
/// [`model!`](crate::model!) with `belongs_to Parent by field;`; the parent must be live
/// when a child is created, moved or restored. Soft-deleting a parent does not cascade.
pub trait BelongsTo<P: Entity>: Entity {
    /// The field holding the parent's id.
    const FOREIGN_KEY: &'static str;

    /// The parent's id.
    fn parent_id(&self) -> &str;

    /// The parent record.
    ///
    /// # Errors
    /// 404 if the parent was soft-deleted since.
    fn parent(&self, conn: &Connection) -> Result<P> {
        P::retrieve(conn, self.parent_id())
    }
}

fn to_object(value: &impl Serialize) -> Result<Map<String, Value>> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::UnexpectedState(
            "a model input is not a struct".into(),
        )),
        Err(e) => Err(Error::UnexpectedState(format!("model input: {e}"))),
    }
}

/// `None` for a defaulted, non-nullable field means "take the default", not null.
fn drop_absent_defaults(model: &Model, input: &mut Map<String, Value>) {
    for field in model.fields() {
        if field.default.is_some()
            && !field.nullable
            && input.get(field.name()).is_some_and(Value::is_null)
        {
            input.remove(field.name());
        }
    }
}

fn from_row<T: DeserializeOwned>(row: Value) -> Result<T> {
    serde_json::from_value(row).map_err(|e| {
        Error::UnexpectedState(format!("a stored row does not fit its model type: {e}"))
    })
}
