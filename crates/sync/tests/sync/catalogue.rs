//! The form catalogue pull from a real WebDAV server (WsgiDAV): new versions published in
//! the folder are imported; the same files again change nothing; a broken file is named
//! and the rest still go in.

use crate::servers::{self, PASSWORD, USER};
use crate::support::store;
use eingang_store::tables::forms;
use eingang_sync::catalogue::{pull, Catalogue};
use eingang_sync::webdav::{WebDav, WebDavOptions};
use std::path::Path;
use std::sync::Arc;

#[tokio::test]
async fn new_form_versions_published_on_the_server_are_imported() {
    let server = servers::wsgidav();
    let folder = server.root.join("formulare");
    std::fs::create_dir_all(&folder).unwrap();
    // A new version of a sample form, a FIM schema with its code lists, and a broken file.
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/samples");
    let mut def: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(samples.join("hitzetelefon.json")).unwrap())
            .unwrap();
    def["version"] = "2.0".into();
    std::fs::write(folder.join("hitzetelefon-2.0.json"), def.to_string()).unwrap();
    let fim = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../forms/tests/fixtures/fim/xdf2/S00000094V1.0");
    for e in std::fs::read_dir(&fim).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xml") {
            std::fs::copy(&p, folder.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(folder.join("kaputt.json"), "{ not json").unwrap();
    std::fs::write(folder.join("liesmich.txt"), "ignored").unwrap();

    let (_d, store) = store();
    let mut o = WebDavOptions::new(url::Url::parse(&server.url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(PASSWORD.into());
    let c = Catalogue {
        dav: Arc::new(WebDav::new(o).unwrap()),
        folder: "formulare".into(),
    };
    let out = pull(&store, &c).await.unwrap();
    let result = |file: &str| {
        out.iter()
            .find(|o| o.file == file)
            .map(|o| (o.result.clone(), o.error.clone()))
    };
    assert_eq!(
        result("hitzetelefon-2.0.json").unwrap().0,
        "added",
        "{out:?}"
    );
    let (r, e) = result("kaputt.json").unwrap();
    assert_eq!(r, "failed");
    assert!(e.is_some_and(|e| !e.is_empty()), "a broken file says why");
    assert!(
        result("liesmich.txt").is_none(),
        "only .json and .xml are read"
    );
    assert!(
        out.iter()
            .any(|o| o.result == "added" && o.file.contains("S00000094")),
        "{out:?}"
    );
    assert_eq!(
        store
            .with_conn(|c| forms::newest_version(c, "hitzetelefon"))
            .unwrap()
            .as_deref(),
        Some("2.0")
    );

    // Pulled again: nothing changes.
    let again = pull(&store, &c).await.unwrap();
    assert!(
        again
            .iter()
            .filter(|o| o.file == "hitzetelefon-2.0.json")
            .all(|o| o.result == "unchanged"),
        "{again:?}"
    );
}
