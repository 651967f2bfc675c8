//! Cash sessions as journaled workflows (amounts in minor units of the register's currency):
//!
//! * `pos-open-session` `{register_id, user_id, opening_float}` → `{session}`; one open
//!   session per register (checked, and held by a unique partial index).
//! * `pos-cash-movement` `{session_id, kind: pay_in|pay_out, amount, reason, user_id}`.
//! * `pos-close-session` `{session_id, user_id, counted? | denominations?}` → `{session,
//!   report}`: the expected cash is computed from the session's rows in the same write job
//!   that closes it, so the Z-report and the closing agree; a closed session is never
//!   written again (every write checks `status = 'open'` in its own job).

use super::types::{
    CASH_MOVEMENT, CLOSE_SESSION, CashMovement, CloseSession, MovementMade, OPEN_SESSION,
    OpenSession, SessionClosed, SessionOpened,
};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::pos::{self, report, sessions};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::{Value, json};

/// The session workflows ([`OPEN_SESSION`], [`CASH_MOVEMENT`], [`CLOSE_SESSION`]).
pub fn workflows() -> Vec<Workflow> {
    vec![
        OPEN_SESSION
            .workflow()
            .step(Step::local(OPEN_SESSION.name(), open)),
        CASH_MOVEMENT
            .workflow()
            .step(Step::local(CASH_MOVEMENT.name(), movement)),
        CLOSE_SESSION
            .workflow()
            .step(Step::local(CLOSE_SESSION.name(), close)),
    ]
}

fn open(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OpenSession = step.input_as()?;
    let register = pos::retrieve_register(tx, &input.register_id)?;
    let session = sessions::open(tx, ctx, &register.id, &input.user_id, input.opening_float)?;
    ctx.emit(
        tx,
        "pos-session.opened",
        json!({"id": session.id, "register_id": register.id}),
    )?;
    Done::of(&SessionOpened { session })
}

fn movement(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: CashMovement = step.input_as()?;
    let kind = input.kind.as_str();
    if !matches!(kind, "pay_in" | "pay_out") {
        return Err(Error::invalid("kind must be pay_in or pay_out"));
    }
    let movement_id = sessions::add_movement(
        tx,
        step.engine.ctx(),
        &input.session_id,
        &sessions::Movement {
            kind,
            amount: input.amount,
            reason: &input.reason,
            user_id: &input.user_id,
            order_id: None,
        },
    )?;
    Done::of(&MovementMade { movement_id })
}

/// Counted cash from `denominations` (`{"<minor units>": pieces}`) or `counted`.
fn counted(input: &CloseSession) -> Result<(i64, Option<Value>)> {
    let Some(pieces) = input.denominations.as_ref().filter(|d| !d.is_empty()) else {
        let total = input
            .counted
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
    Ok((total, Some(Value::Object(pieces.clone()))))
}

fn close(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: CloseSession = step.input_as()?;
    let session = sessions::ensure_open(tx, &input.session_id)?;
    let (total, detail) = counted(&input)?;
    let report = report::of_session(tx, &session.id, session.opening_float)?;
    let closed = sessions::close(
        tx,
        ctx,
        &session.id,
        &sessions::Closing {
            counted: total,
            detail: detail.as_ref(),
            expected: report.expected_cash,
            user_id: &input.user_id,
        },
    )?;
    ctx.emit(
        tx,
        "pos-session.closed",
        json!({"id": closed.id, "register_id": closed.register_id}),
    )?;
    Done::of(&SessionClosed {
        session: closed,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(v: Value) -> Result<(i64, Option<Value>)> {
        let mut input = json!({"session_id": "s", "user_id": "u"});
        input
            .as_object_mut()
            .expect("object")
            .extend(v.as_object().cloned().expect("object"));
        super::counted(&crate::workflow::parse_input(&input)?)
    }

    #[test]
    fn counts_by_denomination_or_total() {
        let (t, d) = counted(json!({"denominations": {"2000": 2, "500": 3, "5": 1}})).unwrap();
        assert_eq!(t, 5505);
        assert_eq!(d, Some(json!({"2000": 2, "500": 3, "5": 1})));
        assert_eq!(counted(json!({"counted": 1234})).unwrap().0, 1234);
        assert!(counted(json!({"denominations": {"abc": 1}})).is_err());
        assert!(counted(json!({"denominations": {"100": -1}})).is_err());
        assert!(counted(json!({})).is_err());
        // An empty count by denomination falls back to the total, as before.
        assert_eq!(
            counted(json!({"denominations": {}, "counted": 7})).unwrap(),
            (7, None)
        );
    }
}
