//! Who places the historical orders: registered customers made through the real
//! registration flows, and a seeded, skewed choice of customer per order (a few customers
//! place many orders, most place few).

use stockroom::flows::{accounts, auth};
use stockroom::modules::customer::NewCustomer;
use stockroom::{Engine, Error, Result};

/// The password every generated customer registers with.
pub const PASSWORD: &str = "supersecret";

/// A registered customer: `cus_…` id and email.
#[derive(Debug, Clone)]
pub struct Customer {
    /// `cus_…`
    pub id: String,
    /// Lower-case email.
    pub email: String,
}

/// The email of generated customer `index`; customer 0 places the most orders.
pub fn email(index: usize) -> String {
    format!("history-{index:05}@example.com")
}

/// Registers `count` customers through `POST /auth/customer/emailpass/register` and
/// `POST /store/customers`'s flows (argon2 at the engine's cost, identity, customer, link).
///
/// # Errors
/// Any failure of the registration flows.
pub fn register(engine: &Engine, count: usize) -> Result<Vec<Customer>> {
    (0..count).map(|i| register_one(engine, i)).collect()
}

fn register_one(engine: &Engine, index: usize) -> Result<Customer> {
    let email = email(index);
    let token = auth::register(engine, "customer", &email, PASSWORD, None)?;
    let context = auth::verify_token(engine, &token).ok_or(Error::Unauthorized)?;
    let input = NewCustomer {
        email: email.clone(),
        first_name: Some("History".into()),
        last_name: Some(format!("Shopper {index}")),
        ..NewCustomer::default()
    };
    let created = accounts::register_customer(engine, &context, input)?;
    Ok(Customer {
        id: created.id,
        email,
    })
}

/// A small seeded generator (SplitMix64): the same seed gives the same history.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

/// Picks the customer of one order among `count`: index `⌊count·u²⌋`, so customer 0 gets
/// about `1/√count` of the orders (≈ 6 % of 300) and the tail a handful each.
pub fn pick(rng: &mut Rng, count: usize) -> usize {
    let u = rng.unit();
    ((u * u * count as f64) as usize).min(count.saturating_sub(1))
}
