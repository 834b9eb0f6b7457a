//! Every list pages along an index (keyset paging): page after page gives each row once, in
//! order, also across rows with the same time; a position the list never handed out is
//! refused; and the query plans read an index, not the table.

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_store::tables::cursor::Cursor;
use eingang_store::tables::{batches, drafts, outbox};

/// Walks a list page by page (`limit` rows each) and returns every key it saw, in order.
fn walk<T>(
    limit: u32,
    mut page: impl FnMut(Option<&Cursor>, u32) -> (Vec<T>, Option<String>),
    key: impl Fn(&T) -> String,
) -> (Vec<String>, usize) {
    let (mut seen, mut pages, mut after) = (Vec::new(), 0, None::<Cursor>);
    loop {
        let (rows, next) = page(after.as_ref(), limit);
        pages += 1;
        assert!(rows.len() <= limit as usize);
        seen.extend(rows.iter().map(&key));
        match next {
            Some(n) => after = Cursor::parse(Some(&n)).unwrap(),
            None => return (seen, pages),
        }
    }
}

#[test]
fn batches_come_page_by_page_newest_first_each_once() {
    let (_dir, store) = super::fresh();
    // 130 batches made within a few milliseconds: many share their created_at.
    store
        .with_tx(|c| {
            for i in 0..130 {
                batches::create_batch(c, &format!("Stapel {i}"), None, "{}")?;
            }
            Ok(())
        })
        .unwrap();
    let all = store
        .with_conn(|c| batches::batches(c, None, 1000))
        .unwrap()
        .0;
    assert_eq!(all.len(), 130);
    let (seen, pages) = walk(
        50,
        |after, limit| {
            store
                .with_conn(|c| batches::batches(c, after, limit))
                .unwrap()
        },
        |b| b.id.to_string(),
    );
    assert_eq!(pages, 3);
    let expected: Vec<String> = all.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(
        seen, expected,
        "every batch once, in the order of the whole list"
    );
    assert!(all
        .windows(2)
        .all(|w| (w[0].created_at, w[0].id.to_string()) > (w[1].created_at, w[1].id.to_string())));
}

#[test]
fn drafts_page_by_their_last_change() {
    let (_dir, store) = super::fresh();
    store
        .with_tx(|c| {
            for _ in 0..75 {
                drafts::create(c, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
            }
            Ok(())
        })
        .unwrap();
    let (seen, pages) = walk(
        25,
        |after, limit| store.with_conn(|c| drafts::list(c, after, limit)).unwrap(),
        |d| d.id.to_string(),
    );
    // 75 rows in pages of 25: the third page is full, so a fourth (empty) one ends it.
    assert_eq!((seen.len(), pages), (75, 4));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 75);
}

#[test]
fn the_outbox_lists_what_waits_then_the_receipts_across_a_page_boundary() {
    let (_dir, store) = super::fresh();
    store
        .with_tx(|c| {
            for i in 0..30 {
                outbox::enqueue(c, "submission", &format!("s{i:02}"), "dms", 1_000 + i)?;
            }
            // 18 of them delivered, the later ones with later receipts.
            for id in 1..=18 {
                outbox::mark_delivered(c, id, &format!("dms/{id}"), "ab", 5_000 + id)?;
            }
            Ok(())
        })
        .unwrap();
    let (seen, _) = walk(
        7,
        |after, limit| store.with_conn(|c| outbox::items(c, after, limit)).unwrap(),
        |i| i.id.to_string(),
    );
    let waiting: Vec<String> = (19..=30).map(|i: i64| i.to_string()).collect();
    let delivered: Vec<String> = (1..=18).rev().map(|i: i64| i.to_string()).collect();
    assert_eq!(seen, [waiting, delivered].concat());
}

#[test]
fn a_position_the_list_never_handed_out_is_refused() {
    for bad in ["", "12", "x~abc", "12~", "12~a\u{7}b"] {
        let e = Cursor::parse(Some(bad)).unwrap_err();
        assert_eq!(e.code(), "store.bad_cursor", "{bad:?}");
    }
    let (_dir, store) = super::fresh();
    let after = Cursor {
        key: 5,
        id: "not-a-number".into(),
    };
    let e = store
        .with_conn(|c| outbox::items(c, Some(&after), 10))
        .unwrap_err();
    assert_eq!(e.code(), "store.bad_cursor");
}

#[test]
fn the_lists_and_the_audit_lookups_read_an_index_not_the_table() {
    let (_dir, store) = super::fresh();
    let plans = [
        (
            "SELECT id FROM batches WHERE (created_at, id) < (?1, ?2) ORDER BY created_at DESC, id DESC LIMIT 50",
            "batches_by_created",
        ),
        (
            "SELECT id FROM drafts WHERE (updated_at, id) < (?1, ?2) ORDER BY updated_at DESC, id DESC LIMIT 50",
            "drafts_by_updated",
        ),
        (
            "SELECT id FROM submissions WHERE (created_at, id) < (?1, ?2) ORDER BY created_at DESC, id DESC LIMIT 50",
            "submissions_by_created",
        ),
        (
            "SELECT id FROM outbox WHERE state = 'delivered' AND (receipt_at, id) < (?1, ?2) ORDER BY receipt_at DESC, id DESC LIMIT 50",
            "outbox_delivered",
        ),
        (
            "SELECT id FROM outbox WHERE state <> 'delivered' AND id > ?1 ORDER BY id LIMIT 50",
            "outbox_waiting",
        ),
        (
            "SELECT MAX(at) FROM audit_log WHERE kind = ?1 AND subject = ?2",
            "audit_by_kind",
        ),
        (
            "SELECT id FROM batches WHERE name = ?1 ORDER BY created_at DESC LIMIT 1",
            "batches_by_name",
        ),
        (
            "SELECT count(*) FROM pages p WHERE p.batch_id = ?1 AND NOT p.deleted AND p.blank",
            "COVERING INDEX pages_counts",
        ),
        (
            "SELECT 1 FROM outbox o WHERE o.item_kind = 'document' AND o.item_id = ?1 AND o.state <> 'delivered'",
            "COVERING INDEX outbox_item_state",
        ),
    ];
    for (sql, index) in plans {
        let plan: Vec<String> = store
            .with_conn(|c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let zeros = vec![0i64; stmt.parameter_count()];
                let rows =
                    stmt.query_map(rusqlite::params_from_iter(zeros), |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        let plan = plan.join(" | ");
        assert!(plan.contains(index), "{sql}\n  → {plan}");
        assert!(
            !plan.contains("TEMP B-TREE"),
            "sorts the whole table: {sql}\n  → {plan}"
        );
    }
}
