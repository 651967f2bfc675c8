//! Cash sessions as journaled workflows (amounts in minor units of the register's currency):
//!
//! * `pos-open-session` `{register_id, user_id, opening_float}` → `{session}`; one open
//!   session per register (checked, and held by a unique partial index).
//! * `pos-cash-movement` `{session_id, kind: pay_in|pay_out, amount, reason, user_id}`.
//! * `pos-close-session` `{session_id, user_id, counted? | denominations?}` → `{session,
//!   report}`: the expected cash is computed from the session's rows in the same write job
//!   that closes it, so the Z-report and the closing agree; a closed session is never
//!   written again (every write checks `status = 'open'` in its own job).

use super::input_str;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::pos::{self, report, sessions};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::{Value, json};

/// `pos-open-session`.
pub const OPEN: &str = "pos-open-session";
/// `pos-cash-movement`.
pub const MOVEMENT: &str = "pos-cash-movement";
/// `pos-close-session`.
pub const CLOSE: &str = "pos-close-session";

/// The session workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        Workflow::new(OPEN).step(Step::local(OPEN, open)),
        Workflow::new(MOVEMENT).step(Step::local(MOVEMENT, movement)),
        Workflow::new(CLOSE).step(Step::local(CLOSE, close)),
    ]
}

fn open(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let register = pos::retrieve_register(tx, input_str(step, "register_id"))?;
    let float = step.input["opening_float"].as_i64().unwrap_or_default();
    let session = sessions::open(tx, ctx, &register.id, input_str(step, "user_id"), float)?;
    ctx.emit(
        tx,
        "pos-session.opened",
        json!({"id": session.id, "register_id": register.id}),
    )?;
    Ok(Done::new(json!({ "session": session })))
}

fn movement(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let kind = input_str(step, "kind");
    if !matches!(kind, "pay_in" | "pay_out") {
        return Err(Error::invalid("kind must be pay_in or pay_out"));
    }
    let id = sessions::add_movement(
        tx,
        step.engine.ctx(),
        input_str(step, "session_id"),
        &sessions::Movement {
            kind,
            amount: step.input["amount"].as_i64().unwrap_or_default(),
            reason: input_str(step, "reason"),
            user_id: input_str(step, "user_id"),
            order_id: None,
        },
    )?;
    Ok(Done::new(json!({ "movement_id": id })))
}

/// Counted cash from `denominations` (`{"<minor units>": pieces}`) or `counted`.
fn counted(input: &Value) -> Result<(i64, Option<Value>)> {
    let Some(pieces) = input["denominations"].as_object().filter(|d| !d.is_empty()) else {
        let total = input["counted"]
            .as_i64()
            .ok_or_else(|| Error::invalid("Give the counted cash (or a count by denomination)"))?;
        return Ok((total, None));
    };
    let mut total: i64 = 0;
    for (face, count) in pieces {
        let face: i64 = face
            .parse()
            .ok()
            .filter(|f| *f > 0)
            .ok_or_else(|| Error::invalid(format!("Unknown denomination {face}")))?;
        let count = count
            .as_i64()
            .filter(|c| *c >= 0)
            .ok_or_else(|| Error::invalid("A denomination's count is a whole number ≥ 0"))?;
        total = face
            .checked_mul(count)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| Error::invalid("The count is too large"))?;
    }
    Ok((total, Some(input["denominations"].clone())))
}

fn close(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let session = sessions::ensure_open(tx, input_str(step, "session_id"))?;
    let (total, detail) = counted(step.input)?;
    let report = report::of_session(tx, &session.id, session.opening_float)?;
    let closed = sessions::close(
        tx,
        ctx,
        &session.id,
        &sessions::Closing {
            counted: total,
            detail: detail.as_ref(),
            expected: report.expected_cash,
            user_id: input_str(step, "user_id"),
        },
    )?;
    ctx.emit(
        tx,
        "pos-session.closed",
        json!({"id": closed.id, "register_id": closed.register_id}),
    )?;
    Ok(Done::new(json!({ "session": closed, "report": report })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_denomination_or_total() {
        let (t, d) = counted(&json!({"denominations": {"2000": 2, "500": 3, "5": 1}})).unwrap();
        assert_eq!(t, 5505);
        assert!(d.is_some());
        assert_eq!(counted(&json!({"counted": 1234})).unwrap().0, 1234);
        assert!(counted(&json!({"denominations": {"abc": 1}})).is_err());
        assert!(counted(&json!({"denominations": {"100": -1}})).is_err());
        assert!(counted(&json!({})).is_err());
    }
}
