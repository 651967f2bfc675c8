//! Unit tests of the auth module's services on an in-memory database.

use super::*;
use crate::clock::Clock;
use crate::id::IdGenerator;

fn setup() -> (Connection, Ctx) {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::module::migrate(&conn, &[module()], "t").unwrap();
    let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
    (conn, ctx)
}

#[test]
fn duplicate_identity_is_401_with_medusa_message() {
    let (conn, ctx) = setup();
    create_emailpass(&conn, &ctx, "a@x.io", "h", &Map::new()).unwrap();
    let err = create_emailpass(&conn, &ctx, "a@x.io", "h", &Map::new()).unwrap_err();
    assert_eq!(
        (err.status(), err.to_string()),
        (401, "Identity with email already exists".into())
    );
}

#[test]
fn app_metadata_binds_the_actor() {
    let (conn, ctx) = setup();
    let id = create_emailpass(&conn, &ctx, "a@x.io", "h", &Map::new()).unwrap();
    set_app_metadata(&conn, &ctx, &id, "customer_id", "cus_1").unwrap();
    let record = find_emailpass(&conn, "a@x.io").unwrap().unwrap();
    let context = AuthContext::for_identity(&id, "customer", record.app_metadata.clone());
    assert_eq!(context.actor_id, "cus_1");
    assert_eq!(
        AuthContext::for_identity(&id, "user", record.app_metadata).actor_id,
        ""
    );
}

#[test]
fn failures_throttle_one_address_not_the_others() {
    let (conn, _) = setup();
    let t = Throttle::default();
    for i in 0..4 {
        assert_eq!(
            throttle::record_failure(&conn, "a@x.io", "A", i, &t).unwrap(),
            0
        );
    }
    let until = throttle::record_failure(&conn, "a@x.io", "A", 10, &t).unwrap();
    assert_eq!(until, 10 + t.base_delay_ms);
    assert_eq!(
        throttle::wait_ms(&conn, "a@x.io", "A", 10).unwrap(),
        t.base_delay_ms
    );
    assert_eq!(throttle::wait_ms(&conn, "a@x.io", "B", 10).unwrap(), 0);
    throttle::clear(&conn, "a@x.io", "A").unwrap();
    assert_eq!(throttle::wait_ms(&conn, "a@x.io", "A", 10).unwrap(), 0);
}

#[test]
fn a_crowd_of_failures_leaves_each_address_one_free_failure() {
    let (conn, _) = setup();
    let t = Throttle::default();
    for i in 0..t.crowd_threshold {
        throttle::record_failure(&conn, "a@x.io", &format!("10.0.0.{i}"), i, &t).unwrap();
    }
    let now = t.crowd_threshold;
    assert_eq!(throttle::wait_ms(&conn, "a@x.io", "fresh", now).unwrap(), 0);
    let until = throttle::record_failure(&conn, "a@x.io", "fresh", now, &t).unwrap();
    assert_eq!(until, now + t.base_delay_ms);
    let (rows, count) = throttle::list(&conn, now, 10, 0).unwrap();
    assert_eq!(count as i64, t.crowd_threshold + 1);
    assert_eq!(rows[0].address, "fresh");
    assert!(rows[0].blocked_until.is_some());
}

#[test]
fn a_quiet_window_forgets_the_streak() {
    let (conn, _) = setup();
    let t = Throttle::default();
    for i in 0..4 {
        throttle::record_failure(&conn, "a@x.io", "A", i, &t).unwrap();
    }
    let later = 3 + t.window_ms + 1;
    assert_eq!(
        throttle::record_failure(&conn, "a@x.io", "A", later, &t).unwrap(),
        0
    );
    let (rows, _) = throttle::list(&conn, later, 10, 0).unwrap();
    assert_eq!(rows[0].count, 1);
}

#[test]
fn sessions_expire_and_can_be_deleted() {
    let (conn, ctx) = setup();
    let context = AuthContext {
        actor_id: "cus_1".into(),
        actor_type: "customer".into(),
        ..AuthContext::default()
    };
    create_session(&conn, &ctx, "s1", &context, 100).unwrap();
    assert_eq!(find_session(&conn, "s1", 99).unwrap(), Some(context));
    assert_eq!(find_session(&conn, "s1", 100).unwrap(), None);
    delete_session(&conn, "s1", 0).unwrap();
    assert_eq!(find_session(&conn, "s1", 0).unwrap(), None);
}
