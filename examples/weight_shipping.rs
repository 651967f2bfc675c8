//! A fulfillment provider built only on Stockroom's public API: flat rate by weight, the
//! way a Medusa plugin implements `AbstractFulfillmentProviderService`.
//!
//! A shipping option of provider `weight_weight` with `price_type: "calculated"` and data
//! `{"base": 500, "per_kg": 250}` (minor units) costs `base + per_kg × ⌈weight / 1000⌉` for
//! a cart whose lines weigh `weight` grams in all (a variant's weight, else its product's).
//! A cart with a line of unknown weight is not offered the option. Creating a fulfillment
//! books a (pretend) carrier pickup and stores its reference; canceling cancels it.
//!
//! ```sh
//! cargo run --example weight_shipping -- serve --demo   # the demo store + this provider
//! ```

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::modules::fulfillment::provider::{
    FulfillmentCall, FulfillmentOption, FulfillmentProvider, PriceRequest,
};
use stockroom::{EngineBuilder, Error, Result};

/// The provider id.
pub const ID: &str = "weight_weight";

/// Flat rate by weight. `bookings` is the pretend carrier's ledger: `book <key>` and
/// `cancel <key>` lines, so a test (or a curious reader) can see what the carrier was told.
#[derive(Clone, Default)]
pub struct WeightShipping {
    /// The carrier's ledger.
    pub bookings: Arc<Mutex<Vec<String>>>,
}

/// The option's rate: `(base, per_kg)` in minor units.
fn rate(data: &Value) -> Result<(i64, i64)> {
    let field = |name: &str| {
        data.get(name)
            .and_then(Value::as_i64)
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "weight shipping: data.{name} must be a non-negative integer (minor units)"
                ))
            })
    };
    Ok((field("base")?, field("per_kg")?))
}

impl WeightShipping {
    fn note(&self, line: String) -> Result<()> {
        self.bookings
            .lock()
            .map_err(|_| Error::Internal("weight shipping: ledger poisoned".into()))?
            .push(line);
        Ok(())
    }
}

impl FulfillmentProvider for WeightShipping {
    fn id(&self) -> &'static str {
        ID
    }

    fn options(&self) -> Vec<FulfillmentOption> {
        vec![FulfillmentOption {
            id: "weight-standard".into(),
            is_return: false,
        }]
    }

    fn validate_option(&self, data: &Value) -> Result<()> {
        rate(data).map(|_| ())
    }

    fn can_calculate(&self, data: &Value) -> bool {
        rate(data).is_ok()
    }

    fn calculate_price(&self, request: &PriceRequest) -> Result<i64> {
        let (base, per_kg) = rate(&request.option_data)?;
        let mut grams = 0.0;
        for item in &request.items {
            let weight = item.weight.ok_or_else(|| {
                Error::invalid("weight shipping: a line has no weight".to_string())
            })?;
            grams += weight * item.quantity as f64;
        }
        // Whole kilograms started, as carriers bill.
        let kilos = (grams / 1000.0).ceil() as i64;
        Ok(base + per_kg * kilos)
    }

    fn create_fulfillment(&self, call: &FulfillmentCall) -> Result<Value> {
        self.note(format!("book {}", call.idempotency_key))?;
        Ok(json!({"pickup": format!("WT-{}", call.order_id)}))
    }

    fn cancel_fulfillment(&self, call: &FulfillmentCall) -> Result<()> {
        self.note(format!("cancel {}", call.idempotency_key))
    }
}

/// Registers the provider (a stock location still has to enable it, as in Medusa).
pub fn register(builder: EngineBuilder, provider: WeightShipping) -> EngineBuilder {
    builder.fulfillment_provider(provider)
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = || -> Result<()> {
        let stockroom::config::Command::Serve(config) =
            stockroom::config::parse(&args, &|k| std::env::var(k).ok())?
        else {
            return Err(Error::invalid("usage: weight_shipping serve [serve flags]"));
        };
        let builder = register(stockroom::Engine::builder(), WeightShipping::default());
        let app = stockroom::app::start(&config, builder)?;
        println!(
            "Stockroom + weight shipping on http://{}",
            app.server.addr()
        );
        std::thread::park();
        Ok(())
    };
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("weight_shipping: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
