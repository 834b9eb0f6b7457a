//! The CMIS connector against the in-process Browser Binding server, for the faults the
//! real repository (cmis_opencmis.rs) cannot produce: a lost answer, a conflicting
//! document planted under the item's name (and refused credentials, as the real one does).

use crate::cmis_server::{self, TYPE};
use crate::servers::{PASSWORD, USER};
use crate::support::{finalised, row, store};
use eingang_model::OutboxState;
use eingang_store::tables::sync_status;
use eingang_sync::cmis::{Cmis, CmisOptions};
use eingang_sync::{run_round, Settings, Target};
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn target(url: &str, password: &str) -> Target {
    let mut o = CmisOptions::new(url::Url::parse(url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(password.into());
    o.folder = "Posteingang/{{formular}}".into();
    o.properties
        .insert("eingang:formular".into(), "{{formular}}".into());
    Target {
        id: "cmis".into(),
        name: "CMIS".into(),
        kind: "cmis".into(),
        connector: Arc::new(Cmis::new(o).unwrap()),
        catalogue: None,
    }
}

#[tokio::test]
async fn documents_arrive_once_with_type_and_properties_even_after_a_lost_answer() {
    let server = cmis_server::start(USER, PASSWORD).await;
    let (_d, store) = store();
    let ids: Vec<String> = (0..2).map(|_| finalised(&store, &["cmis"])).collect();
    let t = target(&server.url, PASSWORD);

    // The first create is stored but its answer lost: the retry must not add a copy.
    server.lose_next_create.store(true, Ordering::SeqCst);
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(r.failed, 1, "one item met the lost answer");
    store
        .with_conn(|c| Ok(c.execute("UPDATE outbox SET next_attempt_at = NULL", [])?))
        .unwrap();
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(r.delivered, 1);

    let docs = server.repo.lock().unwrap().documents();
    assert_eq!(
        docs.len(),
        6,
        "2 items × (PDF, JSON, index): {:?}",
        docs.iter().map(|d| &d.name).collect::<Vec<_>>()
    );
    for id in &ids {
        let p = store
            .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), id))
            .unwrap();
        let mine: Vec<_> = docs
            .iter()
            .filter(|d| d.props.get("eingang:vorgang") == Some(id))
            .collect();
        assert_eq!(mine.len(), 3);
        for f in &p.files {
            let d = mine.iter().find(|d| d.name == f.name).unwrap();
            assert_eq!(d.type_id, TYPE);
            assert_eq!(hex::encode(Sha256::digest(&d.content)), f.sha256);
            assert_eq!(d.props.get("eingang:sha256"), Some(&f.sha256));
            assert_eq!(
                d.props.get("eingang:formular").map(String::as_str),
                Some("ortstermin")
            );
        }
        let item = row(&store, id);
        assert_eq!(item.state, OutboxState::Delivered);
        let index = mine
            .iter()
            .find(|d| d.name.ends_with(".index.xml"))
            .unwrap();
        assert_eq!(item.receipt.unwrap().location, format!("cmis:{}", index.id));
    }
    // Folders were made along the path.
    let repo = server.repo.lock().unwrap();
    assert!(repo
        .objects
        .values()
        .any(|o| o.folder && o.name == "Posteingang"));
    assert!(repo
        .objects
        .values()
        .any(|o| o.folder && o.name == "ortstermin"));
}

#[tokio::test]
async fn a_different_document_under_the_name_is_a_conflict_and_refused_credentials_pause() {
    let server = cmis_server::start(USER, PASSWORD).await;
    let (_d, store) = store();
    let id = finalised(&store, &["cmis"]);
    // Someone stored another file under the item's JSON name, with the item's id.
    {
        let t = target(&server.url, PASSWORD);
        let mut p = store
            .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), &id))
            .unwrap();
        p.files.retain(|f| f.name == format!("{id}.json"));
        p.files[0].content = eingang_sync::package::Content::Inline(b"other".to_vec());
        p.files[0].sha256 = hex::encode(Sha256::digest(b"other"));
        p.files[0].size = 5;
        p.index_xml = "<x/>".into();
        let _ = t.connector.deliver(&p, false).await.unwrap();
        // Remove the stand-in's index so the real delivery does not stop at it.
        server
            .repo
            .lock()
            .unwrap()
            .objects
            .retain(|_, o| o.name != format!("{id}.index.xml"));
    }
    let r = run_round(&store, &target(&server.url, PASSWORD), Settings::default())
        .await
        .unwrap();
    assert_eq!(r.failed, 1);
    let item = row(&store, &id);
    assert_eq!(item.state, OutboxState::FailedPermanently);
    assert_eq!(item.error.unwrap().code, "sync.conflict");

    let (_d2, store2) = crate::support::store();
    finalised(&store2, &["cmis"]);
    let r = run_round(&store2, &target(&server.url, "wrong"), Settings::default())
        .await
        .unwrap();
    assert!(r.paused);
    let st = store2.with_conn(|c| sync_status::get(c, "cmis")).unwrap();
    assert_eq!(st.paused.unwrap().code, "sync.auth_refused");
}
