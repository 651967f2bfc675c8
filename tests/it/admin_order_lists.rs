//! The admin order list's filters, counts and pages over HTTP (issue 19, goal 6): Medusa's
//! `q` (every word a case-insensitive substring of the display id, the email or an address
//! name), per-status counts that follow a cancel, several statuses merged newest first, and
//! `offset` pages that agree with the whole list.

use crate::common;

use common::orders::{Admin, id};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list["orders"].as_array().unwrap().iter().map(id).collect()
}

#[test]
fn q_matches_every_word_in_the_display_id_email_or_names() {
    let admin = Admin::start();
    let placed: Vec<Value> = (1..=3).map(|q| admin.order(q)).collect();
    let newest_first: Vec<String> = placed.iter().rev().map(id).collect();
    // The checkout's addresses are Ada Lovelace's, the email ada@example.com.
    for (q, expected) in [
        ("lovelace", newest_first.clone()),
        ("LOVELACE%20ada", newest_first.clone()),
        ("EXAMPLE.COM", newest_first.clone()),
        ("ada%20nobody", vec![]),
        ("3", vec![newest_first[0].clone()]),
        ("love%20%202", vec![newest_first[1].clone()]),
        ("%25", vec![]),
    ] {
        let list = admin.get(&format!("/admin/orders?q={q}"));
        assert_eq!(ids(&list), expected, "q={q}");
        assert_eq!(list["count"], json!(expected.len()), "q={q}");
    }
}

#[test]
fn status_counts_follow_a_cancel_and_several_statuses_merge_newest_first() {
    let admin = Admin::start();
    let placed: Vec<Value> = (1..=3).map(|q| admin.order(q)).collect();
    admin.post(
        &format!("/admin/orders/{}/cancel", id(&placed[1])),
        &json!({}),
    );
    let canceled = admin.get("/admin/orders?status=canceled");
    assert_eq!(
        (ids(&canceled), &canceled["count"]),
        (vec![id(&placed[1])], &json!(1))
    );
    let pending = admin.get("/admin/orders?status=pending");
    assert_eq!(
        (ids(&pending), &pending["count"]),
        (vec![id(&placed[2]), id(&placed[0])], &json!(2))
    );
    let both = admin.get("/admin/orders?status[]=canceled&status[]=pending&status[]=pending");
    let all: Vec<String> = placed.iter().rev().map(id).collect();
    assert_eq!((ids(&both), &both["count"]), (all.clone(), &json!(3)));
    let region = placed[0]["region_id"].as_str().unwrap();
    let by_region = admin.get(&format!("/admin/orders?region_id={region}"));
    assert_eq!((ids(&by_region), &by_region["count"]), (all, &json!(3)));
}

#[test]
fn offset_pages_agree_with_the_whole_list() {
    let admin = Admin::start();
    for q in 1..=4 {
        admin.order(q);
    }
    for filter in [
        "",
        "&status=pending",
        "&q=lovelace",
        "&created_at[$gte]=2000-01-01",
    ] {
        let whole = ids(&admin.get(&format!("/admin/orders?limit=50{filter}")));
        assert_eq!(whole.len(), 4, "{filter}");
        let paged: Vec<String> = (0..5)
            .flat_map(|offset| {
                let page = admin.get(&format!("/admin/orders?limit=1&offset={offset}{filter}"));
                assert_eq!(page["count"], 4, "{filter}");
                ids(&page)
            })
            .collect();
        assert_eq!(paged, whole, "{filter}");
    }
}
