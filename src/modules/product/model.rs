//! The product module's structs, serialized with Medusa's field names.

use serde::Serialize;
use serde_json::Value;

/// A product row (relations are loaded separately, see `read`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// `prod_…`
    pub id: String,
    /// Title.
    pub title: String,
    /// Unique URL handle.
    pub handle: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Gift card product.
    pub is_giftcard: bool,
    /// `draft`, `proposed`, `published` or `rejected`.
    pub status: String,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// Weight.
    pub weight: Option<f64>,
    /// Length.
    pub length: Option<f64>,
    /// Height.
    pub height: Option<f64>,
    /// Width.
    pub width: Option<f64>,
    /// Origin country.
    pub origin_country: Option<String>,
    /// HS code.
    pub hs_code: Option<String>,
    /// MID code.
    pub mid_code: Option<String>,
    /// Material.
    pub material: Option<String>,
    /// Whether discounts apply.
    pub discountable: bool,
    /// External system id.
    pub external_id: Option<String>,
    /// Collection.
    pub collection_id: Option<String>,
    /// Type.
    pub type_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A variant row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// `variant_…`
    pub id: String,
    /// Title.
    pub title: String,
    /// SKU (unique when set).
    pub sku: Option<String>,
    /// Barcode (unique when set).
    pub barcode: Option<String>,
    /// EAN (unique when set).
    pub ean: Option<String>,
    /// UPC (unique when set).
    pub upc: Option<String>,
    /// Sell when out of stock.
    pub allow_backorder: bool,
    /// Track inventory.
    pub manage_inventory: bool,
    /// HS code.
    pub hs_code: Option<String>,
    /// Origin country.
    pub origin_country: Option<String>,
    /// MID code.
    pub mid_code: Option<String>,
    /// Material.
    pub material: Option<String>,
    /// Weight.
    pub weight: Option<f64>,
    /// Length.
    pub length: Option<f64>,
    /// Height.
    pub height: Option<f64>,
    /// Width.
    pub width: Option<f64>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Order among the product's variants.
    pub variant_rank: i64,
    /// Thumbnail URL.
    pub thumbnail: Option<String>,
    /// Owning product.
    pub product_id: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A product option (e.g. Size).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductOption {
    /// `opt_…`
    pub id: String,
    /// Title.
    pub title: String,
    /// Medusa 2.21 field; options are always exclusive here.
    pub is_exclusive: bool,
    /// Owning product.
    #[serde(skip)]
    pub product_id: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A value of an option (e.g. M).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionValue {
    /// `optval_…`
    pub id: String,
    /// The value.
    pub value: String,
    /// Order, if set.
    pub rank: Option<i64>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// Owning option.
    pub option_id: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A product image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Image {
    /// `img_…`
    pub id: String,
    /// URL.
    pub url: String,
    /// Order.
    pub rank: i64,
    /// Owning product.
    pub product_id: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A tag or a type: a value with metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tag {
    /// `ptag_…` / `ptyp_…`
    pub id: String,
    /// The value.
    pub value: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    /// `pcol_…`
    pub id: String,
    /// Title.
    pub title: String,
    /// Unique handle.
    pub handle: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// A category (node of the tree).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// `pcat_…`
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Unique handle.
    pub handle: String,
    /// Materialized path of ids (`root.child.`).
    pub mpath: String,
    /// Visible on the store.
    pub is_active: bool,
    /// Hidden from the store.
    pub is_internal: bool,
    /// Order among siblings.
    pub rank: i64,
    /// Parent, if any.
    pub parent_category_id: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}
