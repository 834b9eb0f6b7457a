//! The Nextcloud profile against the in-process server of Nextcloud's documented dialect
//! (see nextcloud_server.rs for why not a real Nextcloud): large files go up in chunks
//! (chunked upload v2) and are assembled onto the final name without overwriting; small
//! files use the temporary name and `MOVE`; every `PUT` asks for missing folders to be made
//! and the server checks the SHA-256 it is sent.

use crate::nextcloud_server;
use crate::servers::{PASSWORD, USER};
use eingang_sync::package::{Content, Package, PackageFile};
use eingang_sync::webdav::{WebDav, WebDavOptions};
use eingang_sync::Connector;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_large_file_goes_up_in_chunks_and_arrives_once_with_its_hash() {
    let server = nextcloud_server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("scan.pdf");
    let bytes: Vec<u8> = (0..3_500_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0])
        .collect();
    std::fs::write(&big, &bytes).unwrap();
    let sha = hex::encode(Sha256::digest(&bytes));
    let id = "0193abcd-0000-7000-8000-000000000001";
    let package = Package {
        id: id.into(),
        files: vec![
            PackageFile {
                name: format!("{id}.pdf"),
                sha256: sha.clone(),
                size: bytes.len() as u64,
                content: Content::Blob(eingang_store::blobs::BlobSource::plain(big)),
            },
            PackageFile {
                name: format!("{id}.json"),
                sha256: hex::encode(Sha256::digest(b"{}")),
                size: 2,
                content: Content::Inline(b"{}".to_vec()),
            },
        ],
        metadata: vec![
            ("id".into(), id.into()),
            ("formular".into(), "ortstermin".into()),
        ],
        index_xml: "<eingang-lieferung/>".into(),
    };
    let mut o = WebDavOptions::new(url::Url::parse(&server.url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(PASSWORD.into());
    o.nextcloud = true;
    o.chunk_size = 1024 * 1024;
    o.folder = "{{formular}}".into();
    let dav = WebDav::new(o).unwrap();
    dav.probe().await.unwrap();
    let receipt = dav.deliver(&package, false).await.unwrap();
    assert!(receipt
        .location
        .ends_with(&format!("/Eingang/ortstermin/{id}.index.xml")));

    {
        let c = server.cloud.lock().unwrap();
        let base = "/remote.php/dav/files/eingang/Eingang/ortstermin";
        assert_eq!(
            hex::encode(Sha256::digest(&c.files[&format!("{base}/{id}.pdf")])),
            sha
        );
        assert_eq!(c.chunk_puts, 4, "3.5 MB in chunks of 1 MiB");
        assert_eq!(
            c.assembled_with_checksum, 1,
            "the server checked the SHA-256"
        );
        assert_eq!(
            c.plain_puts_with_automkcol, 2,
            "JSON and index: temporary name + MOVE"
        );
        assert!(c.uploads.is_empty(), "no upload session left behind");
        assert_eq!(c.files.len(), 3, "{:?}", c.files.keys().collect::<Vec<_>>());
    }
    // A retry after an unknown outcome: found complete, nothing written again.
    dav.deliver(&package, true).await.unwrap();
    let c = server.cloud.lock().unwrap();
    assert_eq!((c.chunk_puts, c.files.len()), (4, 3));
}
