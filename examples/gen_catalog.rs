//! Writes a large fixture for benchmarks: the demo store's regions, channel and key with N
//! products (default 10,000), each with one option and three variants priced in usd and eur.
//!
//! ```sh
//! cargo run --release --example gen_catalog -- 10000 > /tmp/catalog-10k.json
//! target/release/stockroom serve --fixture /tmp/catalog-10k.json --port 9000 --quiet
//! ```

use serde_json::{Value, json};

fn product(i: usize) -> Value {
    let sizes = ["S", "M", "L"];
    let category = ["shirts", "pants", "hats"][i % 3];
    let tag = ["new", "sale"][i % 2];
    let collection = ["summer", "winter"][i % 2];
    let variants: Vec<Value> = sizes
        .iter()
        .map(|s| {
            json!({
                "title": s,
                "sku": format!("BENCH-{i:05}-{s}"),
                "options": {"Size": s},
                "prices": [
                    {"currency_code": "usd", "amount": 10 + i % 90},
                    {"currency_code": "eur", "amount": format!("{}.99", 9 + i % 90)}
                ]
            })
        })
        .collect();
    json!({
        "title": format!("Bench Product {i:05}"),
        "handle": format!("bench-product-{i:05}"),
        "description": format!("Benchmark product number {i} of the large catalog."),
        "images": [format!("https://picsum.photos/seed/bench-{i}/800/800")],
        "weight": 400,
        "categories": [category],
        "tags": [tag],
        "collection": collection,
        "type": "clothing",
        "sales_channels": ["web"],
        "options": [{"title": "Size", "values": sizes}],
        "variants": variants
    })
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let fixture = json!({
        "store": {"name": "Bench Store", "currencies": ["usd", "eur"], "default_sales_channel": "web", "default_region": "us"},
        "sales_channels": [{"key": "web", "name": "Default Sales Channel"}],
        "publishable_keys": [{
            "title": "Bench",
            "token": "pk_demo_0000000000000000000000000000000000000000000000000000000000000000",
            "sales_channels": ["web"]
        }],
        "regions": [
            {"key": "us", "name": "US", "currency_code": "usd", "countries": ["us"], "payment_providers": ["pp_system_default"]},
            {"key": "eu", "name": "Europe", "currency_code": "eur", "countries": ["de", "fr"], "prices_include_tax": true, "payment_providers": ["pp_system_default"]}
        ],
        "collections": [{"key": "summer", "title": "Summer"}, {"key": "winter", "title": "Winter"}],
        "categories": [
            {"key": "apparel", "name": "Apparel"},
            {"key": "shirts", "name": "Shirts", "parent": "apparel"},
            {"key": "pants", "name": "Pants", "parent": "apparel"},
            {"key": "hats", "name": "Hats"}
        ],
        "tags": [{"key": "new", "value": "New"}, {"key": "sale", "value": "Sale"}],
        "types": [{"key": "clothing", "value": "Clothing"}],
        "products": (0..n).map(product).collect::<Vec<_>>()
    });
    println!("{fixture}");
}
