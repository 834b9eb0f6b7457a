//! The CMIS connector against a real repository: Apache Chemistry's OpenCMIS InMemory server
//! (Browser Binding, CMIS 1.1) with Eingang's document type (`scripts/opencmis/`), behind
//! Jetty's BASIC authentication. What arrived is read back through the repository's own
//! query and content services; a wrong password pauses the target.

use crate::servers::{opencmis, PASSWORD, USER};
use crate::support::{finalised, row, store};
use eingang_model::OutboxState;
use eingang_sync::cmis::{Cmis, CmisOptions};
use eingang_sync::{run_round, Settings, Target};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

const REPO: &str = "stadt";

fn target(url: &str) -> Target {
    target_as(url, PASSWORD)
}

fn target_as(url: &str, password: &str) -> Target {
    let mut o = CmisOptions::new(url::Url::parse(url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(password.into());
    o.repository = Some(REPO.into());
    o.folder = "Posteingang/{{formular}}".into();
    o.properties
        .insert("eingang:formular".into(), "{{formular}}".into());
    Target {
        id: "cmis".into(),
        name: "OpenCMIS".into(),
        kind: "cmis".into(),
        connector: Arc::new(Cmis::new(o).unwrap()),
        catalogue: None,
    }
}

/// `GET base?pairs` with the account; the body.
async fn get(base: &str, pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut u = url::Url::parse(base).unwrap();
    u.query_pairs_mut().extend_pairs(pairs);
    let answer = reqwest::Client::new()
        .get(u)
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    answer
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// The repository's documents of Eingang's type whose `eingang:vorgang` is `id`
/// (the repository's own query service, succinct properties).
async fn documents_of(url: &str, id: &str) -> Vec<Value> {
    let q = format!("SELECT * FROM eingang:dokument WHERE eingang:vorgang = '{id}'");
    let query = [("cmisselector", "query"), ("q", &q), ("succinct", "true")];
    let answer: Value =
        serde_json::from_slice(&get(&format!("{url}/{REPO}"), &query).await).unwrap();
    answer["results"].as_array().cloned().unwrap_or_default()
}

/// A document's content as the repository gives it back.
async fn content(url: &str, object_id: &str) -> Vec<u8> {
    let query = [("objectId", object_id), ("cmisselector", "content")];
    get(&format!("{url}/{REPO}/root"), &query).await
}

#[tokio::test]
async fn documents_arrive_once_in_a_real_repository_with_type_properties_and_content() {
    let server = opencmis();
    let (_d, store) = store();
    let ids: Vec<String> = (0..3).map(|_| finalised(&store, &["cmis"])).collect();
    let t = target(&server.url);
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (3, 0), "{r:?}");

    // Delivered again from the start (as after a crash before the receipt was stored): the
    // connector finds what is there by the item's id and adds nothing.
    store
        .with_conn(|c| {
            Ok(c.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = NULL",
                [],
            )?)
        })
        .unwrap();
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(r.delivered, 3, "{r:?}");

    for id in &ids {
        let docs = documents_of(&server.url, id).await;
        let p = store
            .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), id))
            .unwrap();
        let names: Vec<&str> = docs
            .iter()
            .filter_map(|d| d["succinctProperties"]["cmis:name"].as_str())
            .collect();
        assert_eq!(docs.len(), 3, "PDF, JSON, index once each: {names:?}");
        for f in &p.files {
            let d = docs
                .iter()
                .find(|d| d["succinctProperties"]["cmis:name"] == f.name.as_str())
                .unwrap_or_else(|| panic!("{} is missing: {names:?}", f.name));
            let props = &d["succinctProperties"];
            assert_eq!(props["cmis:objectTypeId"], "eingang:dokument");
            assert_eq!(props["eingang:sha256"], f.sha256.as_str());
            assert_eq!(props["eingang:formular"], "ortstermin");
            let object_id = props["cmis:objectId"].as_str().unwrap();
            let bytes = content(&server.url, object_id).await;
            assert_eq!(hex::encode(Sha256::digest(&bytes)), f.sha256, "{}", f.name);
        }
        let item = row(&store, id);
        assert_eq!(item.state, OutboxState::Delivered);
        let index = docs
            .iter()
            .find(|d| {
                d["succinctProperties"]["cmis:name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with(".index.xml"))
            })
            .unwrap();
        let index_id = index["succinctProperties"]["cmis:objectId"]
            .as_str()
            .unwrap();
        assert_eq!(item.receipt.unwrap().location, format!("cmis:{index_id}"));
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_by_the_server_and_pauses_the_target() {
    let server = opencmis();
    let (_d, store) = store();
    let id = finalised(&store, &["cmis"]);
    let r = run_round(
        &store,
        &target_as(&server.url, "falsch"),
        Settings::default(),
    )
    .await
    .unwrap();
    assert!(r.paused, "{r:?}");
    let st = store
        .with_conn(|c| eingang_store::tables::sync_status::get(c, "cmis"))
        .unwrap();
    assert_eq!(st.paused.unwrap().code, "sync.auth_refused");
    assert_ne!(row(&store, &id).state, OutboxState::Delivered);
    // Nothing arrived.
    let q = format!("SELECT * FROM eingang:dokument WHERE eingang:vorgang = '{id}'");
    let mut u = url::Url::parse(&format!("{}/{REPO}", server.url)).unwrap();
    u.query_pairs_mut()
        .extend_pairs([("cmisselector", "query"), ("q", &q), ("succinct", "true")]);
    let anonymous = reqwest::Client::new().get(u.clone()).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "the repository is behind BASIC");
    assert!(documents_of(&server.url, &id).await.is_empty());
}
