//! The Mayan EDMS connector against a real Mayan EDMS 4.12 started by the test.

use crate::servers::{self, PASSWORD, USER};
use crate::support::{finalised, row, store};
use eingang_model::OutboxState;
use eingang_store::tables::sync_status;
use eingang_sync::mayan::{Mayan, MayanOptions};
use eingang_sync::{run_round, Settings, Target};
use serde_json::Value;
use std::sync::Arc;

fn target(url: &str, password: &str) -> Target {
    let mut o = MayanOptions::new(url::Url::parse(url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(password.into());
    o.metadata
        .insert("eingang_formular".into(), "{{formular}}".into());
    Target {
        id: "mayan".into(),
        name: "Mayan".into(),
        kind: "mayan".into(),
        connector: Arc::new(Mayan::new(o).unwrap()),
        catalogue: None,
    }
}

/// Every document in Mayan with its label, checksum and metadata.
async fn documents(base: &str) -> Vec<(String, String, Vec<(String, String)>)> {
    let c = reqwest::Client::new();
    let get = |u: String| {
        c.get(u)
            .basic_auth(USER, Some(PASSWORD))
            .header("Accept", "application/json")
            .send()
    };
    let list: Value = get(format!("{base}api/v4/documents/?page_size=1000"))
        .await
        .unwrap()
        .text()
        .await
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap();
    let mut out = Vec::new();
    for d in list["results"].as_array().unwrap() {
        let id = d["id"].as_u64().unwrap();
        let meta: Value = get(format!("{base}api/v4/documents/{id}/metadata/"))
            .await
            .unwrap()
            .text()
            .await
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap();
        let mut m: Vec<(String, String)> = meta["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["metadata_type"]["name"].as_str().unwrap().to_owned(),
                    r["value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        m.sort();
        out.push((
            d["label"].as_str().unwrap().to_owned(),
            d["file_latest"]["checksum"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            m,
        ));
    }
    out
}

#[tokio::test]
async fn mayan_receives_each_file_once_with_metadata_even_after_an_interrupted_upload() {
    let server = servers::mayan();
    let (_d, store) = store();
    let id = finalised(&store, &["mayan"]);
    let t = target(&server.url, PASSWORD);

    // An earlier attempt uploaded the JSON but died before its metadata call.
    let p = store
        .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), &id))
        .unwrap();
    let json = p
        .files
        .iter()
        .find(|f| f.name == format!("{id}.json"))
        .unwrap()
        .clone();
    let form = reqwest::multipart::Form::new()
        .text(
            "arguments",
            serde_json::json!({"document_type_id": 2, "immediate_mode": true, "label": json.name})
                .to_string(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(match &json.content {
                eingang_sync::package::Content::Inline(b) => b.clone(),
                eingang_sync::package::Content::Blob(_) => unreachable!(),
            })
            .file_name(json.name.clone()),
        );
    let status = reqwest::Client::new()
        .post(format!(
            "{}api/v4/sources/1/actions/document_upload/execute/",
            server.url
        ))
        .basic_auth(USER, Some(PASSWORD))
        .header("Accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
    store
        .with_conn(|c| Ok(c.execute("UPDATE outbox SET attempts = 1", [])?))
        .unwrap();

    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(
        (r.delivered, r.failed),
        (1, 0),
        "{:?}",
        row(&store, &id).error
    );
    let docs = documents(&server.url).await;
    let mut labels: Vec<&str> = docs.iter().map(|d| d.0.as_str()).collect();
    labels.sort_unstable();
    assert_eq!(
        labels,
        [
            format!("{id}.index.xml"),
            format!("{id}.json"),
            format!("{id}.pdf")
        ],
        "each file once: the interrupted upload was adopted, not repeated"
    );
    for f in &p.files {
        let d = docs.iter().find(|d| d.0 == f.name).unwrap();
        assert_eq!(d.1, f.sha256, "{} checksum", f.name);
        assert!(
            d.2.contains(&("eingang_vorgang".into(), id.clone())),
            "{:?}",
            d.2
        );
        assert!(d.2.contains(&("eingang_datei".into(), f.name.clone())));
        assert!(d
            .2
            .contains(&("eingang_formular".into(), "ortstermin".into())));
    }
    let item = row(&store, &id);
    assert_eq!(item.state, OutboxState::Delivered);
    assert!(item
        .receipt
        .unwrap()
        .location
        .starts_with(&format!("{}api/v4/documents/", server.url)));

    // A retry after an unknown outcome finds everything and adds nothing.
    store
        .with_conn(|c| Ok(c.execute("UPDATE outbox SET state = 'in_flight'", [])?))
        .unwrap();
    assert_eq!(
        run_round(&store, &t, Settings::default())
            .await
            .unwrap()
            .delivered,
        1
    );
    assert_eq!(documents(&server.url).await.len(), 3);

    // A bad password: Mayan answers 403; the target pauses.
    let (_d2, store2) = crate::support::store();
    finalised(&store2, &["mayan"]);
    let r = run_round(&store2, &target(&server.url, "wrong"), Settings::default())
        .await
        .unwrap();
    assert!(r.paused);
    let st = store2.with_conn(|c| sync_status::get(c, "mayan")).unwrap();
    assert_eq!(st.paused.unwrap().code, "sync.auth_refused");
}
