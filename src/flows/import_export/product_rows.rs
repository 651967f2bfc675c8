//! Reading a product CSV into products (Medusa's `CSVNormalizer`): rows are grouped by
//! `Product Id` (or, without one, by `Product Handle`); each row is one variant; counted
//! columns (`Product Image 1`, `Product Tag 2`, …) become lists; `Variant Option N
//! Name/Value` pairs become the variant's options and the product's option values;
//! `Variant Price EUR` and `Variant Price <Region> [EUR]` become prices. Column names are
//! matched without regard to case, as Medusa's are. Every refusal names its row: `Row 3:
//! …`, and an unknown column is `Invalid column name(s) "A","B"` (Medusa's wording).
//!
//! Pure: no store access. Whether an id names a product the store has is the import's
//! business (`product_import`).

use super::csv_text::Sheet;
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How a plain column's cell is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Integer,
    Bool,
    Json,
}

/// Where a plain column goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Product(&'static str, Kind),
    Variant(&'static str, Kind),
    /// Known and ignored (timestamps; the variant's product id).
    Ignored,
    /// Known to Medusa, not supported here: a non-empty cell is refused.
    Unsupported(&'static str),
}

fn plain_column(name: &str) -> Option<Target> {
    use Kind::*;
    use Target::*;
    Some(match name {
        "product id" => Product("id", Text),
        "product handle" => Product("handle", Text),
        "product title" => Product("title", Text),
        "product subtitle" => Product("subtitle", Text),
        "product status" => Product("status", Text),
        "product description" => Product("description", Text),
        "product external id" => Product("external_id", Text),
        "product thumbnail" => Product("thumbnail", Text),
        "product collection id" => Product("collection_id", Text),
        "product type id" => Product("type_id", Text),
        "product discountable" => Product("discountable", Bool),
        "product is giftcard" => Product("is_giftcard", Bool),
        "product height" => Product("height", Number),
        "product length" => Product("length", Number),
        "product weight" => Product("weight", Number),
        "product width" => Product("width", Number),
        "product hs code" => Product("hs_code", Text),
        "product material" => Product("material", Text),
        "product mid code" => Product("mid_code", Text),
        "product origin country" => Product("origin_country", Text),
        "product metadata" => Product("metadata", Json),
        "variant id" => Variant("id", Text),
        "variant title" => Variant("title", Text),
        "variant sku" => Variant("sku", Text),
        "variant upc" => Variant("upc", Text),
        "variant ean" => Variant("ean", Text),
        "variant barcode" => Variant("barcode", Text),
        "variant hs code" => Variant("hs_code", Text),
        "variant mid code" => Variant("mid_code", Text),
        "variant material" => Variant("material", Text),
        "variant origin country" => Variant("origin_country", Text),
        "variant manage inventory" => Variant("manage_inventory", Bool),
        "variant allow backorder" => Variant("allow_backorder", Bool),
        "variant height" => Variant("height", Number),
        "variant length" => Variant("length", Number),
        "variant width" => Variant("width", Number),
        "variant weight" => Variant("weight", Number),
        "variant variant rank" => Variant("variant_rank", Integer),
        "variant metadata" => Variant("metadata", Json),
        "product created at" | "product updated at" | "product deleted at" => Ignored,
        "variant created at" | "variant updated at" | "variant deleted at" => Ignored,
        "variant product id" => Ignored,
        "shipping profile id" => Unsupported("products are not tied to shipping profiles here"),
        _ => return None,
    })
}

/// The counted product columns: prefix → list.
const COUNTED: &[(&str, List)] = &[
    ("product image ", List::Images),
    ("product tag ", List::Tags),
    ("product sales channel ", List::SalesChannels),
    ("product category ", List::Categories),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum List {
    Images,
    Tags,
    SalesChannels,
    Categories,
}

/// One column of the sheet, understood.
#[derive(Debug, Clone, PartialEq)]
enum Column {
    Plain(Target),
    Counted(List),
    /// `variant price …`: currency and region name.
    Price(String, Option<String>),
    /// `variant option N name|value|id|is exclusive`.
    Option(u32, String),
}

fn understand(name: &str) -> Option<Column> {
    if let Some(target) = plain_column(name) {
        return Some(Column::Plain(target));
    }
    for (prefix, list) in COUNTED {
        if name
            .strip_prefix(prefix)
            .is_some_and(|n| n.parse::<u32>().is_ok())
        {
            return Some(Column::Counted(*list));
        }
    }
    if let Some(rest) = name.strip_prefix("variant option ") {
        let (n, part) = rest.split_once(' ')?;
        let n = n.parse::<u32>().ok()?;
        return ["name", "value", "id", "is exclusive"]
            .contains(&part)
            .then(|| Column::Option(n, part.to_string()));
    }
    name.strip_prefix("variant price ").map(price_column)
}

/// `eur` → (eur, none); `europe [eur]` and `[europe] eur` → (eur, europe). Anything else
/// keeps an empty currency, refused when a row has a value in it.
fn price_column(rest: &str) -> Column {
    let code = |c: &str| {
        (c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic())).then(|| c.to_string())
    };
    let parsed = if let Some(region) = rest.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        code(region.1.trim()).map(|c| (c, Some(region.0.trim().to_string())))
    } else if let Some((region, currency)) = rest.rsplit_once(" [") {
        currency
            .strip_suffix(']')
            .and_then(code)
            .map(|c| (c, Some(region.trim().to_string())))
    } else {
        code(rest.trim()).map(|c| (c, None))
    };
    let (currency, region) = parsed.unwrap_or_default();
    Column::Price(currency, region)
}

/// A price read from a row: minor units of a currency, for a region when named.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPrice {
    /// Lower-case ISO 4217.
    pub currency: String,
    /// A region's name, as written.
    pub region: Option<String>,
    /// Exact minor units.
    pub amount: i64,
}

/// One variant (one row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowVariant {
    /// The row it came from.
    pub row: usize,
    /// `Variant Id`, when given.
    pub id: Option<String>,
    /// Its own columns (`title`, `sku`, `weight`, …) with their values.
    pub columns: Map<String, Value>,
    /// Prices; `None` when the sheet has no price column.
    pub prices: Option<Vec<RowPrice>>,
    /// Option title → value.
    pub options: Vec<(String, String)>,
}

/// One product (the rows sharing its id or handle).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowProduct {
    /// Its first row.
    pub row: usize,
    /// `Product Id`, when given.
    pub id: Option<String>,
    /// Its own columns (`title`, `handle`, `status`, `metadata`, …).
    pub columns: Map<String, Value>,
    /// Image URLs; `None` when the sheet has no such column (then left as they are).
    pub images: Option<Vec<String>>,
    /// Tag ids (likewise).
    pub tags: Option<Vec<String>>,
    /// Sales channel ids (likewise).
    pub sales_channels: Option<Vec<String>>,
    /// Category ids (likewise).
    pub categories: Option<Vec<String>>,
    /// Option titles with their values, in the order first seen.
    pub options: Vec<(String, Vec<String>)>,
    /// Variants, in row order.
    pub variants: Vec<RowVariant>,
}

fn row_error(row: usize, message: impl std::fmt::Display) -> Error {
    Error::invalid(format!("Row {row}: {message}"))
}

/// Reads the products of a sheet.
///
/// # Errors
/// 400 `invalid_data`: unknown columns; a row without product id and handle; a value that
/// is not what its column holds; an option name without a value; a price column that names
/// no currency.
pub fn products(sheet: &Sheet) -> Result<Vec<RowProduct>> {
    let names: Vec<String> = sheet.header.iter().map(|h| h.to_lowercase()).collect();
    let columns: Vec<Option<Column>> = names.iter().map(|n| understand(n)).collect();
    let unknown: Vec<&str> = sheet
        .header
        .iter()
        .zip(&columns)
        .filter(|(_, c)| c.is_none())
        .map(|(h, _)| h.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(Error::invalid(format!(
            "Invalid column name(s) \"{}\"",
            unknown.join("\",\"")
        )));
    }
    let columns: Vec<Column> = columns.into_iter().flatten().collect();
    let has_prices = columns.iter().any(|c| matches!(c, Column::Price(..)));
    let mut out: Vec<RowProduct> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (row, cells) in &sheet.rows {
        let read = Row {
            row: *row,
            names: &names,
            columns: &columns,
            cells,
        };
        let key = read.product_key()?;
        let index = *by_key.entry(key).or_insert_with(|| {
            out.push(RowProduct {
                row: *row,
                ..RowProduct::default()
            });
            out.len() - 1
        });
        read.into_product(&mut out[index], has_prices)?;
    }
    Ok(out)
}

/// One row being read.
struct Row<'a> {
    row: usize,
    names: &'a [String],
    columns: &'a [Column],
    cells: &'a [String],
}

impl Row<'_> {
    fn cells(&self) -> impl Iterator<Item = (&String, &Column, &str)> {
        self.names
            .iter()
            .zip(self.columns)
            .zip(self.cells)
            .map(|((n, c), v)| (n, c, v.trim()))
    }

    fn plain(&self, wanted: Target) -> Option<&str> {
        self.cells()
            .find(|(_, c, v)| **c == Column::Plain(wanted) && !v.is_empty())
            .map(|(_, _, v)| v)
    }

    /// `id:<Product Id>` or `handle:<Product Handle>`.
    fn product_key(&self) -> Result<String> {
        if let Some(id) = self.plain(Target::Product("id", Kind::Text)) {
            return Ok(format!("id:{id}"));
        }
        if let Some(handle) = self.plain(Target::Product("handle", Kind::Text)) {
            return Ok(format!("handle:{handle}"));
        }
        Err(row_error(
            self.row,
            "Missing product id and handle. One of these columns are required to process the row",
        ))
    }

    fn value(&self, name: &str, kind: Kind, cell: &str) -> Result<Value> {
        let wrong = |expected: &str| {
            row_error(
                self.row,
                format!(
                    "Invalid value provided for \"{name}\". Expected {expected}, received \"{cell}\""
                ),
            )
        };
        Ok(match kind {
            Kind::Text => Value::String(cell.to_string()),
            Kind::Number => cell
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| wrong("value to be a number"))?,
            Kind::Integer => Value::from(
                cell.parse::<i64>()
                    .map_err(|_| wrong("value to be an integer"))?,
            ),
            Kind::Bool => match cell.to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(wrong("value to be a boolean (true or false)")),
            },
            Kind::Json => match serde_json::from_str::<Value>(cell) {
                Ok(v @ Value::Object(_)) => v,
                _ => return Err(wrong("a valid JSON string")),
            },
        })
    }

    fn into_product(self, product: &mut RowProduct, has_prices: bool) -> Result<()> {
        let mut variant = RowVariant {
            row: self.row,
            prices: has_prices.then(Vec::new),
            ..RowVariant::default()
        };
        let mut option_parts: HashMap<u32, HashMap<&str, &str>> = HashMap::new();
        let mut lists: Vec<(List, Vec<String>)> = Vec::new();
        for (name, column, cell) in self.cells() {
            match column {
                Column::Counted(list) => {
                    let entry = match lists.iter_mut().find(|(l, _)| l == list) {
                        Some(entry) => entry,
                        None => {
                            lists.push((*list, Vec::new()));
                            lists.last_mut().expect("just pushed")
                        }
                    };
                    if !cell.is_empty() && !entry.1.iter().any(|v| v == cell) {
                        entry.1.push(cell.to_string());
                    }
                }
                _ if cell.is_empty() => {}
                Column::Plain(Target::Product(key, kind)) => {
                    let value = self.value(name, *kind, cell)?;
                    if *key == "id" {
                        product.id = Some(cell.to_string());
                    } else {
                        product.columns.insert((*key).to_string(), value);
                    }
                }
                Column::Plain(Target::Variant(key, kind)) => {
                    let value = self.value(name, *kind, cell)?;
                    if *key == "id" {
                        variant.id = Some(cell.to_string());
                    } else {
                        variant.columns.insert((*key).to_string(), value);
                    }
                }
                Column::Plain(Target::Ignored) => {}
                Column::Plain(Target::Unsupported(why)) => {
                    return Err(row_error(
                        self.row,
                        format!("\"{name}\" cannot be imported: {why}"),
                    ));
                }
                Column::Price(currency, region) => {
                    variant
                        .prices
                        .get_or_insert_with(Vec::new)
                        .push(self.price(name, currency, region, cell)?);
                }
                Column::Option(n, part) => {
                    option_parts
                        .entry(*n)
                        .or_default()
                        .insert(part.as_str(), cell);
                }
            }
        }
        for (list, values) in lists {
            let slot = match list {
                List::Images => &mut product.images,
                List::Tags => &mut product.tags,
                List::SalesChannels => &mut product.sales_channels,
                List::Categories => &mut product.categories,
            };
            let slot = slot.get_or_insert_with(Vec::new);
            for value in values {
                if !slot.contains(&value) {
                    slot.push(value);
                }
            }
        }
        self.options(option_parts, product, &mut variant)?;
        let has_variant = variant.id.is_some()
            || !variant.columns.is_empty()
            || !variant.options.is_empty()
            || variant.prices.as_ref().is_some_and(|p| !p.is_empty());
        if has_variant {
            product.variants.push(variant);
        }
        Ok(())
    }

    fn price(
        &self,
        name: &str,
        currency: &str,
        region: &Option<String>,
        cell: &str,
    ) -> Result<RowPrice> {
        if currency.is_empty() {
            return Err(row_error(
                self.row,
                format!(
                    "Invalid price format used by \"{name}\". Expect column name to contain the ISO code as the last segment. For example: \"Variant Price Europe [EUR]\" or \"Variant Price EUR\""
                ),
            ));
        }
        let amount = crate::money::parse_major(cell, currency).map_err(|e| {
            row_error(
                self.row,
                format!("Invalid value provided for \"{name}\". Expected value to be a number, received \"{cell}\" ({e})"),
            )
        })?;
        if amount < 0 {
            return Err(row_error(
                self.row,
                format!("\"{name}\" cannot be negative"),
            ));
        }
        Ok(RowPrice {
            currency: currency.to_string(),
            region: region.clone(),
            amount,
        })
    }

    fn options(
        &self,
        parts: HashMap<u32, HashMap<&str, &str>>,
        product: &mut RowProduct,
        variant: &mut RowVariant,
    ) -> Result<()> {
        let mut numbers: Vec<u32> = parts.keys().copied().collect();
        numbers.sort_unstable();
        for n in numbers {
            let part = &parts[&n];
            if part
                .get("is exclusive")
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
            {
                return Err(row_error(
                    self.row,
                    "options shared between products (\"is exclusive\": false) are not supported",
                ));
            }
            let Some(title) = part.get("name") else {
                continue;
            };
            let value = part.get("value").ok_or_else(|| {
                row_error(
                    self.row,
                    format!("Missing option value for \"variant option {n} name\""),
                )
            })?;
            variant
                .options
                .push(((*title).to_string(), (*value).to_string()));
            match product.options.iter_mut().find(|(t, _)| t == title) {
                Some((_, values)) if !values.iter().any(|v| v == value) => {
                    values.push((*value).to_string())
                }
                Some(_) => {}
                None => product
                    .options
                    .push(((*title).to_string(), vec![(*value).to_string()])),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::import_export::csv_text::read;

    fn parse(text: &str) -> Result<Vec<RowProduct>> {
        products(&read(text.as_bytes())?)
    }

    #[test]
    fn rows_group_into_products_with_options_and_prices() {
        let products = parse(
            "Product Handle,Product Title,Product Tag 1,Variant Title,Variant Price EUR,Variant Price Europe [EUR],Variant Option 1 Name,Variant Option 1 Value\n\
             shirt,Shirt,ptag_1,S,10.5,9,Size,S\n\
             shirt,,,M,11,,Size,M\n\
             mug,Mug,,,,,,\n",
        )
        .unwrap();
        assert_eq!(products.len(), 2);
        let shirt = &products[0];
        assert_eq!((shirt.row, shirt.id.as_deref()), (1, None));
        assert_eq!(shirt.columns["title"], "Shirt");
        assert_eq!(shirt.tags.as_deref(), Some(&["ptag_1".to_string()][..]));
        assert_eq!(shirt.images, None);
        assert_eq!(
            shirt.options,
            vec![("Size".into(), vec!["S".into(), "M".into()])]
        );
        assert_eq!(shirt.variants.len(), 2);
        let prices = shirt.variants[0].prices.clone().unwrap();
        assert_eq!(
            prices[0],
            RowPrice {
                currency: "eur".into(),
                region: None,
                amount: 1050
            }
        );
        assert_eq!(prices[1].region.as_deref(), Some("europe"));
        assert_eq!(shirt.variants[1].row, 2);
        assert!(
            products[1].variants.is_empty(),
            "a row without variant cells is no variant"
        );
    }

    #[test]
    fn refusals_name_the_row_or_columns() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert_eq!(
            err("Product Handle,Colour,Size\nx,1,2\n"),
            "Invalid column name(s) \"Colour\",\"Size\""
        );
        assert_eq!(
            err("Product Handle,Product Title\n,T\n"),
            "Row 1: Missing product id and handle. One of these columns are required to process the row"
        );
        assert!(
            err("Product Handle,Product Weight\na,1\nb,heavy\n")
                .starts_with("Row 2: Invalid value provided for \"product weight\"")
        );
        assert_eq!(
            err("Product Handle,Variant Option 1 Name\na,Size\n"),
            "Row 1: Missing option value for \"variant option 1 name\""
        );
        assert!(
            err("Product Handle,Variant Price Euro\na,1\n")
                .starts_with("Row 1: Invalid price format")
        );
        assert!(
            err("Product Handle,Variant Price EUR\na,1.234\n").starts_with("Row 1: Invalid value")
        );
        assert!(err("Product Handle,Product Metadata\na,[1]\n").contains("a valid JSON string"));
    }
}
