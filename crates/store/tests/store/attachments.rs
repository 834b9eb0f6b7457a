use eingang_store::tables::{attachments, drafts};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn draft(store: &eingang_store::Store) -> eingang_model::DraftId {
    store
        .with_tx(|tx| drafts::create(tx, "sondernutzung-infostand", "1.0"))
        .unwrap()
        .id
}

#[test]
fn an_accepted_file_lands_in_the_blob_store_by_its_content_type() {
    let (_dir, store) = super::fresh();
    let id = draft(&store);
    let a = store
        .with_tx(|tx| attachments::add(tx, store.blobs(), id, "lageplan", "Plan/../x.pdf", PDF))
        .unwrap();
    assert_eq!(a.media_type, "application/pdf");
    assert_eq!(a.name, "Plan..x.pdf", "no path separators survive in names");
    assert_eq!(store.blobs().get(&a.blob).unwrap(), PDF);
}

#[test]
fn refusals_name_the_file_and_the_reason_and_store_nothing() {
    let (_dir, store) = super::fresh();
    let id = draft(&store);
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    let cases: [(&str, &str, &[u8], &str); 4] = [
        ("lageplan", "tool.pdf", exe, "not a PDF or an image"),
        ("einverstanden", "a.pdf", PDF, "not an attachment field"),
        ("lageplan", "leer.pdf", b"", "empty"),
        ("gibtsnicht", "a.pdf", PDF, "not an attachment field"),
    ];
    for (path, name, bytes, why) in cases {
        let err = store
            .with_tx(|tx| attachments::add(tx, store.blobs(), id, path, name, bytes))
            .unwrap_err();
        assert!(err.code().starts_with("attachment."), "{}", err.code());
        let msg = err.to_string();
        assert!(msg.contains(name) && msg.contains(why), "{msg}");
    }
    let mut big = PDF.to_vec();
    big.resize(attachments::MAX_ATTACHMENT_BYTES + 1, 0);
    let err = store
        .with_tx(|tx| attachments::add(tx, store.blobs(), id, "lageplan", "riesig.pdf", &big))
        .unwrap_err();
    assert!(err.to_string().contains("at most 25 MiB"), "{err}");
    let files = walk(store.blobs().root());
    assert_eq!(files, 0, "nothing was stored");
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn a_field_that_accepts_only_pdf_refuses_an_image() {
    let (_dir, store) = super::fresh();
    let id = store
        .with_tx(|tx| drafts::create(tx, "veranstaltungsanzeige", "1.0"))
        .unwrap()
        .id;
    let png =
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00";
    let err = store
        .with_tx(|tx| {
            attachments::add(
                tx,
                store.blobs(),
                id,
                "veranstaltung.sicherheitskonzept",
                "foto.png",
                png,
            )
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("it is image/png; this field accepts application/pdf"),
        "{err}"
    );
}
