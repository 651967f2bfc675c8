//! The till's workflows' typed inputs, outputs and handles (issue 20 part 2). Field names are
//! the journal's: a run journaled before the types recovers on them.

use super::tenders::{Offered, Plan};
use crate::flows::orders::payments::ProviderPlan;
use crate::flows::orders::return_types::ReturnItem;
use crate::modules::pos::Register;
use crate::modules::pos::report::Report;
use crate::modules::pos::sessions::Session;
use crate::workflow::Handle;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `pos-create-register`'s input (`POST /admin/pos/registers`, the registers page).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTill {
    /// The till's short code (receipt numbers start with it).
    pub code: String,
    /// Its name (and its own channel's).
    pub name: String,
    /// Where it sells from.
    pub stock_location_id: String,
    /// Its region; the region of the location's country when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// An existing channel; a new channel of its own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_channel_id: Option<String>,
}

/// `pos-create-register`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterMade {
    /// The new till.
    pub register: Register,
}

/// `pos-open-session`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionOpened {
    /// The open session.
    pub session: Session,
}

/// `pos-close-session`'s output: the closed session and its Z-report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClosed {
    /// The closed session.
    pub session: Session,
    /// The figures it closed on.
    pub report: Report,
}

/// `pos-open-session`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSession {
    /// The register.
    pub register_id: String,
    /// Who opens it.
    pub user_id: String,
    /// Cash in the drawer at the start, minor units.
    pub opening_float: i64,
}

/// `pos-cash-movement`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashMovement {
    /// The open session.
    pub session_id: String,
    /// `pay_in` | `pay_out` (checked by the step).
    pub kind: String,
    /// Minor units.
    pub amount: i64,
    /// Why.
    pub reason: String,
    /// Who.
    pub user_id: String,
}

/// `pos-cash-movement`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MovementMade {
    /// The movement's id.
    pub movement_id: String,
}

/// `pos-close-session`'s input: the counted cash as a total or by denomination.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseSession {
    /// The open session.
    pub session_id: String,
    /// Who closes it.
    pub user_id: String,
    /// The counted cash, minor units (used when no denominations are given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<i64>,
    /// `{"<minor units>": pieces}`; stored on the session as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominations: Option<Map<String, Value>>,
}

/// `pos-update-basket`'s input: the request body of `POST /admin/pos/sessions/:id/basket`
/// with the session and staff member set by the route, so other fields are ignored as
/// before. Which fields an action needs is checked by the step.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BasketChange {
    /// The open session.
    pub session_id: String,
    /// Who rings it up.
    pub user_id: String,
    /// `add`, `quantity`, `remove`, `customer`, `promo_add`, `promo_remove`, `discount`,
    /// `clear`.
    pub action: String,
    /// `add`: the variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<String>,
    /// `add`, `quantity`: units (0 removes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    /// `quantity`, `remove`, `discount`: the cart line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<String>,
    /// `customer`: the customer, or `null` / absent / empty for a walk-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// `promo_add`, `promo_remove`: the promotion code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `discount`: per unit, minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// `discount`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `pos-update-basket`'s output: the session's basket (`None` once cleared).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BasketRef {
    /// The cart.
    pub cart_id: Option<String>,
}

/// `pos-complete-sale`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteSale {
    /// The open session whose basket is sold.
    pub session_id: String,
    /// Who sells it.
    pub user_id: String,
    /// What the customer handed over.
    pub tenders: Vec<Offered>,
}

/// `plan-sale`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SalePlan {
    /// The basket.
    pub cart_id: String,
    /// The till.
    pub register_id: String,
    /// The basket's total when planned, minor units.
    pub total: i64,
    /// Its currency.
    pub currency_code: String,
    /// The tenders split.
    pub plan: Plan,
}

/// `authorize-tenders`' output: the provider's data per tender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorized {
    /// In the plan's tender order.
    pub data: Vec<Value>,
}

/// `place-sale`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Placed {
    /// The order.
    pub order_id: String,
    /// The receipt's number.
    pub receipt_number: String,
    /// Change given, minor units.
    pub change: i64,
    /// One payment per tender.
    pub payments: Vec<String>,
    /// The captures to make at the provider.
    pub captures: Vec<ProviderPlan>,
}

/// `pos-complete-sale`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SaleDone {
    /// The order.
    pub order_id: String,
    /// The receipt's number.
    pub receipt_number: String,
    /// Change given, minor units.
    pub change: i64,
}

/// `pos-return`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TillReturnIn {
    /// The open session the refund leaves.
    pub session_id: String,
    /// Who takes it back.
    pub user_id: String,
    /// The sale's receipt number (any case, trimmed by the step).
    pub receipt_number: String,
    /// The order lines and units brought back.
    pub items: Vec<ReturnItem>,
    /// `cash` | `original` (checked by the step).
    pub refund: String,
}

/// `take-return`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Taken {
    /// The return.
    pub return_id: String,
    /// The sale's order.
    pub order_id: String,
    /// Refunded, minor units.
    pub amount: i64,
    /// Paid out of this session's drawer, minor units.
    pub from_drawer: i64,
    /// The refunds to make at the providers.
    pub refunds: Vec<ProviderPlan>,
    /// The payments refunded.
    pub payments: Vec<String>,
}

/// `pos-return`'s output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReturnDone {
    /// The return.
    pub return_id: String,
    /// The sale's order.
    pub order_id: String,
    /// Refunded, minor units.
    pub amount: i64,
    /// Paid out of this session's drawer, minor units.
    pub from_drawer: i64,
}

/// `pos-create-register`.
pub const CREATE_REGISTER: Handle<NewTill, RegisterMade> = Handle::new("pos-create-register");
/// `pos-open-session`.
pub const OPEN_SESSION: Handle<OpenSession, SessionOpened> = Handle::new("pos-open-session");
/// `pos-cash-movement`.
pub const CASH_MOVEMENT: Handle<CashMovement, MovementMade> = Handle::new("pos-cash-movement");
/// `pos-close-session`.
pub const CLOSE_SESSION: Handle<CloseSession, SessionClosed> = Handle::new("pos-close-session");
/// `pos-update-basket`.
pub const UPDATE_BASKET: Handle<BasketChange, BasketRef> = Handle::new("pos-update-basket");
/// `pos-complete-sale`.
pub const COMPLETE_SALE: Handle<CompleteSale, SaleDone> = Handle::new("pos-complete-sale");
/// `pos-return`.
pub const TILL_RETURN: Handle<TillReturnIn, ReturnDone> = Handle::new("pos-return");
