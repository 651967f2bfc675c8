//! The declarative macros behind typed models: [`model!`](crate::model!) and
//! [`model_enum!`](crate::model_enum!). A declarative macro rather than a derive keeps the
//! crate free of a proc-macro dependency; the price is a fixed syntax, shown below.

/// Declares a typed model: the record struct, its create / update / filter companions, its
/// [`Model`](crate::model::Model) and its [`Entity`](crate::model::Entity) service.
///
/// ```text
/// model! {
///     /// docs…
///     pub struct Name in "table" as "id_prefix" {
///         field: Type,               // required on create
///         field: Type = default,     // optional on create
///         field: Option<Type>,       // nullable, optional on create
///     }
///     belongs_to Parent by parent_field;   // zero or more, parents of the same module
///     new NewName, changes NameChanges, filter NameFilter
/// }
/// ```
///
/// Field types are those with a [`Column`](crate::model::Column) impl: `String`, `i64`,
/// `bool`, `serde_json::Value`, enums from [`model_enum!`](crate::model_enum!), and `Option`
/// of any of them. The record struct also gets `id`, `created_at`, `updated_at` and
/// `deleted_at`. The caller's crate must depend on `serde` (the structs derive its traits).
///
/// ```
/// use stockroom::model::{BelongsTo, Entity};
///
/// stockroom::model_enum! {
///     /// How a note is shown.
///     pub enum Mood { Calm = "calm", Loud = "loud" }
/// }
///
/// stockroom::model! {
///     /// A notebook.
///     pub struct Notebook in "notes_book" as "nb" {
///         title: String,
///     }
///     new NewNotebook, changes NotebookChanges, filter NotebookFilter
/// }
///
/// stockroom::model! {
///     /// A note in a notebook.
///     pub struct Note in "notes_note" as "note" {
///         book_id: String,
///         text: String,
///         mood: Mood = Mood::Calm,
///         pinned_by: Option<String>,
///     }
///     belongs_to Notebook by book_id;
///     new NewNote, changes NoteChanges, filter NoteFilter
/// }
///
/// # fn main() -> stockroom::Result<()> {
/// # use stockroom::db::module::{Migration, Module};
/// # use stockroom::{Engine, db::{Store, StoreOptions}};
/// let sql = format!("{}{}", Notebook::model().create_table_sql(), Note::model().create_table_sql());
/// let init = Migration { name: "0001_init.sql".into(), sql: sql.into() };
/// let module = Module::new("notes", "notes")
///     .migration(init)
///     .model(Notebook::model().clone())
///     .model(Note::model().clone());
/// let engine = Engine::builder().module(module).deterministic(1).build(Store::memory(StoreOptions::default())?)?;
/// let ctx = engine.ctx().clone();
/// engine.store().write(move |tx| {
///     let book = Notebook::create(tx, &ctx, &NewNotebook { title: "Ideas".into() })?;
///     let new = NewNote { book_id: book.id.clone(), text: "hi".into(), mood: None, pinned_by: None };
///     let note = Note::create(tx, &ctx, &new)?;
///     assert_eq!(note.mood, Mood::Calm);
///     let loud = NoteChanges { mood: Some(Mood::Loud), ..Default::default() };
///     Note::update(tx, &ctx, &note.id, &loud)?;
///     let (found, count) = Note::list(tx, &NoteFilter::default().mood(Mood::Loud), 10, 0)?;
///     assert_eq!((found[0].text.as_str(), count), ("hi", 1));
///     assert_eq!(note.parent(tx)?.title, "Ideas");
///     assert_eq!(book.children::<Note>(tx)?.len(), 1);
///     Ok(())
/// })
/// # }
/// ```
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident in $table:literal as $prefix:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty $(= $default:expr)? ),* $(,)?
        }
        $( belongs_to $parent:ident by $fk:ident ; )*
        new $new:ident, changes $changes:ident, filter $filter:ident $(;)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        $vis struct $name {
            /// The record's id.
            pub id: ::std::string::String,
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// When it was created (ISO 8601, the engine's clock).
            pub created_at: ::std::string::String,
            /// When it last changed.
            pub updated_at: ::std::string::String,
            /// When it was soft-deleted (`None` while live).
            pub deleted_at: ::std::option::Option<::std::string::String>,
        }

        #[doc = concat!("What creating a [`", stringify!($name), "`] takes (`None` on a defaulted field: its default).")]
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        $vis struct $new {
            $( $(#[$fmeta])* pub $field: $crate::__model_new_type!($ty $(, $default)?), )*
        }

        #[doc = concat!("The fields an update of a [`", stringify!($name), "`] sets (`None`: unchanged).")]
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize)]
        $vis struct $changes {
            $(
                $(#[$fmeta])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: ::std::option::Option<$ty>,
            )*
        }

        #[doc = concat!("Which [`", stringify!($name), "`] records a list returns: per field, the values it may have (`None`: any).")]
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize)]
        $vis struct $filter {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: ::std::option::Option<::std::vec::Vec<$ty>>,
            )*
        }

        #[allow(dead_code)]
        impl $filter {
            $(
                #[doc = concat!("Also matches records whose `", stringify!($field), "` is `value`.")]
                pub fn $field(mut self, value: impl ::std::convert::Into<$ty>) -> Self {
                    self.$field.get_or_insert_with(::std::vec::Vec::new).push(value.into());
                    self
                }
            )*
        }

        impl $crate::model::Entity for $name {
            type New = $new;
            type Changes = $changes;
            type Filter = $filter;

            fn model() -> &'static $crate::model::Model {
                static MODEL: ::std::sync::OnceLock<$crate::model::Model> =
                    ::std::sync::OnceLock::new();
                MODEL.get_or_init(|| {
                    $crate::model::Model::new($table, $prefix)
                        $( .field($crate::__model_field!($field : $ty $(= $default)?)) )*
                        $( .references(
                            stringify!($fk),
                            <$parent as $crate::model::Entity>::model().table(),
                        ) )*
                })
            }

            fn id(&self) -> &str {
                &self.id
            }
        }

        $(
            impl $crate::model::BelongsTo<$parent> for $name {
                const FOREIGN_KEY: &'static str = stringify!($fk);
                fn parent_id(&self) -> &str {
                    &self.$fk
                }
            }
        )*
    };
}

/// Declares an enumeration stored as text (Medusa's `model.enum`): serde names are the given
/// texts, and a model field of this type refuses any other text with a 400.
///
/// ```
/// stockroom::model_enum! {
///     /// A loyalty tier.
///     pub enum Tier { Bronze = "bronze", Gold = "gold" }
/// }
/// assert_eq!(Tier::Gold.as_str(), "gold");
/// assert_eq!(Tier::VALUES, &["bronze", "gold"]);
/// ```
#[macro_export]
macro_rules! model_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        #[allow(dead_code)]
        impl $name {
            /// Every stored text, in declaration order.
            pub const VALUES: &'static [&'static str] = &[$($text),+];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }
        }

        impl $crate::model::Column for $name {
            const TYPE: $crate::model::FieldType = $crate::model::FieldType::Text;
            fn values() -> ::std::option::Option<&'static [&'static str]> {
                ::std::option::Option::Some(Self::VALUES)
            }
        }
    };
}

/// A field's type in the create companion: `Option` when the field has a default.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_new_type {
    ($ty:ty) => { $ty };
    ($ty:ty, $default:expr) => { ::std::option::Option<$ty> };
}

/// One declared field, typed by its Rust type, with its default.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_field {
    ($field:ident : $ty:ty) => {
        $crate::model::Field::column::<$ty>(stringify!($field))
    };
    ($field:ident : $ty:ty = $default:expr) => {
        $crate::model::Field::column::<$ty>(stringify!($field))
            .default($crate::model::default_json::<$ty>($default))
    };
}
