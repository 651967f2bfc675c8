//! Payment providers: the trait the checkout calls (outside the writer, as an external
//! workflow step, unless the provider is [`in_process`](PaymentProvider::in_process)), the
//! system provider `pp_system_default` (authorizes at once), and the test
//! provider `pp_test_test` whose next outcomes a test scripts (decline, error, slow). Both are
//! registered by `Engine::builder`; others with `EngineBuilder::payment_provider`, and a
//! region offers those its `payment_providers` name.
//!
//! Every call carries an idempotency key derived from the logical operation (for example
//! `cart_…:authorize:2`, never a fresh row id), so a retried call acts once at the provider.

use crate::error::{Error, Result};
use serde_json::{Value, json};
use std::time::Duration;

/// The system provider's id.
pub const SYSTEM: &str = "pp_system_default";
/// The scriptable test provider's id.
pub const TEST: &str = "pp_test_test";

/// One provider call.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// Stable key of the logical operation.
    pub idempotency_key: String,
    /// Minor units.
    pub amount: i64,
    /// Currency.
    pub currency_code: String,
    /// The session's provider data.
    pub data: Value,
    /// The test provider's scripted outcome for this call, if any.
    pub scripted: Option<Scripted>,
}

/// What the provider says.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Session status: `pending`, `authorized`, `captured`, `error`, `canceled`,
    /// `requires_more`.
    pub status: &'static str,
    /// Provider data to store on the session.
    pub data: Value,
}

/// A scripted outcome of the test provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripted {
    /// The authorization is declined (status `error`).
    Decline,
    /// The provider fails (an error, as a network failure would be).
    Error,
    /// The provider answers after this many milliseconds.
    Slow(u64),
}

impl Scripted {
    /// Parses `decline`, `error`, `slow` (250 ms) or `slow:MS`.
    pub fn parse(text: &str) -> Option<Scripted> {
        match text {
            "decline" => Some(Scripted::Decline),
            "error" => Some(Scripted::Error),
            "slow" => Some(Scripted::Slow(250)),
            other => other
                .strip_prefix("slow:")
                .and_then(|ms| ms.parse().ok())
                .map(Scripted::Slow),
        }
    }

    /// The text form stored in the script.
    pub fn as_text(self) -> String {
        match self {
            Scripted::Decline => "decline".into(),
            Scripted::Error => "error".into(),
            Scripted::Slow(ms) => format!("slow:{ms}"),
        }
    }
}

/// A payment provider.
pub trait PaymentProvider: Send + Sync {
    /// `pp_…`
    fn id(&self) -> &'static str;
    /// Starts a payment; the reply's data goes on the session.
    ///
    /// # Errors
    /// The provider failed.
    fn initiate(&self, call: &Call) -> Result<Reply>;
    /// Authorizes the session's amount.
    ///
    /// # Errors
    /// The provider failed (a decline is an `Ok` reply with status `error`).
    fn authorize(&self, call: &Call) -> Result<Reply>;
    /// Captures an authorized payment.
    ///
    /// # Errors
    /// The provider failed.
    fn capture(&self, call: &Call) -> Result<Reply>;
    /// Refunds (part of) a captured payment.
    ///
    /// # Errors
    /// The provider failed.
    fn refund(&self, call: &Call) -> Result<Reply>;
    /// Cancels an authorization (by key alone when recovering).
    ///
    /// # Errors
    /// The provider failed.
    fn cancel(&self, call: &Call) -> Result<Reply>;
    /// Whether this provider lives entirely in this process, so the checkout may call it
    /// inside a write job instead of as a journaled external step (one commit instead of
    /// two for a payment session and for a completion).
    ///
    /// Answering `true` promises, for `initiate`, `authorize` and `cancel`: no effect outside
    /// this process (nothing to undo after a crash that loses the write job), no blocking
    /// I/O and no waiting (the writer, which every write in the shop queues on, runs the
    /// call), no write to the store of its own, and an answer that depends only on the call,
    /// so a re-run (by recovery, or after a rolled-back job) does the same. The default,
    /// `false`, keeps every call outside the writer with its intent journaled first: the
    /// only safe answer for a provider that talks to anyone.
    fn in_process(&self) -> bool {
        false
    }
}

/// `pp_system_default`: no outside party; everything succeeds at once.
pub struct SystemProvider;

fn ok(status: &'static str, call: &Call) -> Result<Reply> {
    Ok(Reply {
        status,
        data: call.data.clone(),
    })
}

impl PaymentProvider for SystemProvider {
    fn id(&self) -> &'static str {
        SYSTEM
    }
    /// Every answer is computed from the call alone, at once.
    fn in_process(&self) -> bool {
        true
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        ok("pending", call)
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        ok("authorized", call)
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        ok("captured", call)
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        ok("captured", call)
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        ok("canceled", call)
    }
}

/// `pp_test_test`: like the system provider unless the call carries a scripted outcome. Its
/// data records the idempotency key of the last call, so tests can see it.
///
/// It is not [`in_process`](PaymentProvider::in_process): a scripted outcome is consumed by
/// a write job of its own and may sleep (`slow`), and it stands for a remote provider — the
/// tests of the journaled external path (crashes at its failpoints, 409 while it
/// authorizes, declines compensated) run through it.
pub struct TestProvider;

impl TestProvider {
    fn answer(call: &Call, success: &'static str) -> Result<Reply> {
        let data = json!({"idempotency_key": call.idempotency_key, "amount": call.amount});
        match call.scripted {
            Some(Scripted::Error) => Err(Error::Internal("test provider: scripted error".into())),
            Some(Scripted::Decline) => Ok(Reply {
                status: "error",
                data: json!({"declined": true, "idempotency_key": call.idempotency_key}),
            }),
            Some(Scripted::Slow(ms)) => {
                std::thread::sleep(Duration::from_millis(ms));
                Ok(Reply {
                    status: success,
                    data,
                })
            }
            None => Ok(Reply {
                status: success,
                data,
            }),
        }
    }
}

impl PaymentProvider for TestProvider {
    fn id(&self) -> &'static str {
        TEST
    }
    fn initiate(&self, call: &Call) -> Result<Reply> {
        Self::answer(call, "pending")
    }
    fn authorize(&self, call: &Call) -> Result<Reply> {
        Self::answer(call, "authorized")
    }
    fn capture(&self, call: &Call) -> Result<Reply> {
        Self::answer(call, "captured")
    }
    fn refund(&self, call: &Call) -> Result<Reply> {
        Self::answer(call, "captured")
    }
    fn cancel(&self, call: &Call) -> Result<Reply> {
        ok("canceled", call)
    }
}
