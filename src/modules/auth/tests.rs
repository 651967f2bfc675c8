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
fn five_failures_in_the_window_lock_the_identity() {
    let (conn, ctx) = setup();
    create_emailpass(&conn, &ctx, "a@x.io", "h", &Map::new()).unwrap();
    let pid = find_emailpass(&conn, "a@x.io")
        .unwrap()
        .unwrap()
        .provider_identity_id;
    let throttle = Throttle::default();
    for i in 0..4 {
        record_failure(&conn, &pid, i * 1000, &throttle).unwrap();
    }
    assert_eq!(
        find_emailpass(&conn, "a@x.io")
            .unwrap()
            .unwrap()
            .locked_until,
        0
    );
    record_failure(&conn, &pid, 5000, &throttle).unwrap();
    let locked = find_emailpass(&conn, "a@x.io")
        .unwrap()
        .unwrap()
        .locked_until;
    assert_eq!(locked, 5000 + throttle.lock_ms);
}

#[test]
fn failures_outside_the_window_start_over() {
    let (conn, ctx) = setup();
    create_emailpass(&conn, &ctx, "a@x.io", "h", &Map::new()).unwrap();
    let pid = find_emailpass(&conn, "a@x.io")
        .unwrap()
        .unwrap()
        .provider_identity_id;
    let throttle = Throttle::default();
    for i in 0..10 {
        record_failure(&conn, &pid, i * (throttle.window_ms / 3), &throttle).unwrap();
    }
    assert_eq!(
        find_emailpass(&conn, "a@x.io")
            .unwrap()
            .unwrap()
            .locked_until,
        0
    );
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
