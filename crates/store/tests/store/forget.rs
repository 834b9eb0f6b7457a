//! Forgetting a terminal session: its drafts and the files it stored go; what a submission
//! or another draft still names stays.

use eingang_store::tables::{attachments, drafts};
use serde_json::json;

fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {marker}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes()
}

#[test]
fn a_session_leaves_no_draft_and_no_file_but_keeps_what_others_name() {
    let (dir, store) = super::fresh();
    let secure: i64 = store
        .with_conn(|c| Ok(c.query_row("PRAGMA secure_delete", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(secure, 1, "deleted rows are overwritten");
    // The session's draft with two scans: one retaken (removed from the values, still a
    // file), one in the draft.
    let mine = store
        .with_tx(|tx| drafts::create(tx, "sondernutzung-infostand", "1.0"))
        .unwrap()
        .id;
    let add = |d, m: &str| {
        store
            .with_tx(|tx| attachments::add(tx, store.blobs(), d, "lageplan", "scan.pdf", &pdf(m)))
            .unwrap()
    };
    let retaken = add(mine, "first try");
    let kept_in_draft = add(mine, "second try");
    store
        .with_tx(|tx| {
            let v = json!({"lageplan": [kept_in_draft], "einverstanden": true});
            drafts::save_values(tx, mine, v.as_object().unwrap().clone())
        })
        .unwrap();
    // Another draft (a field worker's, on a machine with both roles) names a file too.
    let other = store
        .with_tx(|tx| drafts::create(tx, "sondernutzung-infostand", "1.0"))
        .unwrap()
        .id;
    let shared = add(other, "someone else's");
    store
        .with_tx(|tx| {
            let v = json!({"lageplan": [shared]});
            drafts::save_values(tx, other, v.as_object().unwrap().clone())
        })
        .unwrap();

    let gone = store
        .forget(
            &[mine.to_string(), "not-a-draft".into()],
            &[
                retaken.blob.clone(),
                shared.blob.clone(),
                "../../etc/passwd".into(),
            ],
        )
        .unwrap();
    assert_eq!(gone.drafts, 1);
    assert_eq!(gone.blobs, 2, "the retaken scan and the draft's scan");
    assert_eq!(gone.kept, 1, "the other draft's file stays");
    assert!(gone.bytes > 0);
    assert!(store.with_conn(|c| drafts::get(c, mine)).is_err());
    assert!(store.with_conn(|c| drafts::get(c, other)).is_ok());
    assert!(!store.blobs().contains(&retaken.blob).unwrap());
    assert!(!store.blobs().contains(&kept_in_draft.blob).unwrap());
    assert!(store.blobs().contains(&shared.blob).unwrap());
    // The write-ahead log was checkpointed and truncated: no old page lingers there.
    let wal = dir
        .path()
        .join(format!("{}-wal", eingang_store::DB_FILE_NAME));
    assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0);
    // Nothing dangling: no recorded blob is missing, no file unrecorded.
    let sweep = store.sweep_blobs(std::time::Duration::ZERO, true).unwrap();
    assert_eq!((sweep.orphans_removed, sweep.missing.len()), (0, 0));
}

#[test]
fn a_submitted_session_keeps_its_submission_and_the_files_it_names() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "sondernutzung-infostand", "1.0"))
        .unwrap()
        .id;
    let a = store
        .with_tx(|tx| attachments::add(tx, store.blobs(), d, "lageplan", "scan.pdf", &pdf("x")))
        .unwrap();
    store
        .with_tx(|tx| {
            let v = json!({"lageplan": [a]});
            drafts::save_values(tx, d, v.as_object().unwrap().clone())
        })
        .unwrap();
    // The submission names the file (as finalising does), the draft is already gone.
    store
        .with_tx(|tx| {
            tx.execute(
                "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, xml, attachments_json, sha256, created_at)
                 VALUES ('s1', ?1, 'sondernutzung-infostand', '1.0', '{}', '', ?2, ?3, 0)",
                rusqlite::params![d.to_string(), serde_json::to_string(&[&a]).unwrap(), "0".repeat(64)],
            )?;
            tx.execute("DELETE FROM drafts WHERE id = ?1", [d.to_string()])?;
            Ok(())
        })
        .unwrap();
    let gone = store
        .forget(&[d.to_string()], std::slice::from_ref(&a.blob))
        .unwrap();
    assert_eq!((gone.drafts, gone.blobs, gone.kept), (0, 0, 1));
    assert!(store.blobs().contains(&a.blob).unwrap());
}

#[test]
fn delivered_submissions_are_purged_with_their_files_waiting_ones_stay() {
    let (_dir, store) = super::fresh();
    let submit = |marker: &str| {
        store
            .with_tx(|tx| {
                let d = drafts::create(tx, "sondernutzung-infostand", "1.0")?.id;
                let a = attachments::add(tx, store.blobs(), d, "lageplan", "scan.pdf", &pdf(marker))?;
                let v = json!({"lageplan": [a]});
                drafts::save_values(tx, d, v.as_object().unwrap().clone())?;
                // Only the draft's attachment matters here; the rest of the form is not
                // complete, so the submission row is written as finalising would.
                tx.execute(
                    "INSERT INTO submissions (id, draft_id, form_id, form_version, data_json, xml, attachments_json, sha256, created_at)
                     VALUES (?1, ?2, 'sondernutzung-infostand', '1.0', '{}', '', ?3, ?4, 0)",
                    rusqlite::params![format!("s-{marker}"), d.to_string(), serde_json::to_string(&[&a]).unwrap(), "0".repeat(64)],
                )?;
                tx.execute("DELETE FROM drafts WHERE id = ?1", [d.to_string()])?;
                eingang_store::tables::outbox::enqueue(tx, "submission", &format!("s-{marker}"), "dms", 0)?;
                eingang_store::tables::outbox::enqueue(tx, "submission", &format!("s-{marker}"), "archiv", 0)?;
                Ok(a)
            })
            .unwrap()
    };
    let done = submit("delivered");
    let half = submit("half");
    store
        .with_tx(|tx| {
            tx.execute("UPDATE outbox SET state = 'delivered' WHERE item_id = 's-delivered' OR (item_id = 's-half' AND target = 'dms')", [])?;
            Ok(())
        })
        .unwrap();
    let gone = store.purge_delivered_submissions().unwrap();
    assert_eq!((gone.submissions, gone.blobs), (1, 1));
    assert!(!store.blobs().contains(&done.blob).unwrap());
    assert!(
        store.blobs().contains(&half.blob).unwrap(),
        "one target still waits"
    );
    let left: Vec<String> = store
        .with_conn(|c| {
            let mut st = c.prepare("SELECT id FROM submissions")?;
            let ids = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(ids)
        })
        .unwrap();
    assert_eq!(left, ["s-half"]);
    let rows: i64 = store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM outbox WHERE item_id = 's-delivered'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(rows, 0);
    assert_eq!(
        store.purge_delivered_submissions().unwrap().submissions,
        0,
        "idempotent"
    );
}
