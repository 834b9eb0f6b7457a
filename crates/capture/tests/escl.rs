//! eSCL network scanners against an in-process eSCL server: no eSCL device or emulator can
//! run on this machine, so the test server follows the protocol as devices implement it
//! (Mopria/Apple eSCL 2.x): `ScannerCapabilities`, `POST ScanJobs` → `201` + `Location`,
//! `GET <job>/NextDocument` → one JPEG page per request, `503` while the page is not ready,
//! `404` when the feeder is empty, `DELETE <job>`.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod drawn;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use eingang_capture::escl::EsclScanner;
use eingang_capture::intake::scan_into;
use eingang_capture::profile::profiles;
use eingang_capture::{ScanSettings, Source as _};
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Device {
    pages: Vec<Vec<u8>>,
    /// After this many pages the connection is dropped (a pulled cable), if set.
    unplug_after: Option<usize>,
    served: AtomicUsize,
    busy_once: AtomicBool,
    settings: Mutex<Vec<String>>,
    deleted: AtomicUsize,
}

async fn capabilities() -> Response {
    (
        [("Content-Type", "text/xml")],
        r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScannerCapabilities xmlns:scan="http://schemas.hp.com/imaging/escl/2011/05/03" xmlns:pwg="http://www.pwg.org/schemas/2010/12/sm">
<pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>Rathaus MFP 4711</pwg:MakeAndModel>
<scan:Platen/><scan:Adf><scan:AdfSimplexInputCaps/></scan:Adf></scan:ScannerCapabilities>"#,
    )
        .into_response()
}

async fn create(State(d): State<Arc<Device>>, body: String) -> Response {
    if !body.contains("<scan:ScanSettings") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    d.settings.lock().unwrap().push(body);
    let mut h = HeaderMap::new();
    h.insert("Location", "/eSCL/ScanJobs/7f3e".parse().unwrap());
    (StatusCode::CREATED, h).into_response()
}

async fn next(State(d): State<Arc<Device>>, Path(job): Path<String>) -> Response {
    assert_eq!(job, "7f3e");
    if !d.busy_once.swap(true, Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let n = d.served.fetch_add(1, Ordering::SeqCst);
    if d.unplug_after == Some(n) {
        // The device is gone: the response never completes.
        return (
            [("Content-Type", "image/jpeg"), ("Content-Length", "100000")],
            vec![0xFF, 0xD8],
        )
            .into_response();
    }
    match d.pages.get(n) {
        Some(p) => ([("Content-Type", "image/jpeg")], p.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn delete(State(d): State<Arc<Device>>) -> StatusCode {
    d.deleted.fetch_add(1, Ordering::SeqCst);
    StatusCode::OK
}

fn serve(device: Arc<Device>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new()
                .route("/eSCL/ScannerCapabilities", get(capabilities))
                .route("/eSCL/ScanJobs", post(create))
                .route("/eSCL/ScanJobs/{job}/NextDocument", get(next))
                .route("/eSCL/ScanJobs/{job}", axum::routing::delete(delete))
                .with_state(device);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://127.0.0.1:{}/eSCL", rx.recv().unwrap())
}

fn jpeg_page(seed: u64) -> Vec<u8> {
    let (w, h) = (620, 877);
    let img = image::GrayImage::from_raw(
        w,
        h,
        drawn::text_page(w as usize, h as usize, 0.0, 20, seed),
    )
    .unwrap();
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(75));
    enc.encode_image(&img).unwrap();
    out
}

fn settings() -> ScanSettings {
    ScanSettings {
        source: Some("Automatic Document Feeder".into()),
        mode: Some("Gray".into()),
        resolution: 75,
        max_pages: None,
    }
}

/// A fresh store, a batch with the profile `profile_id`, and a scan from `scanner` into it.
fn scan_into_new_batch(
    scanner: &EsclScanner,
    profile_id: &str,
) -> (
    tempfile::TempDir,
    Store,
    eingang_model::BatchId,
    (
        eingang_capture::intake::Report,
        Option<eingang_capture::CaptureError>,
    ),
) {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let profile = profiles(&store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == profile_id)
        .unwrap();
    let batch = store
        .with_tx(|c| {
            batches::create_batch(c, "eSCL", None, &serde_json::to_string(&profile).unwrap())
        })
        .unwrap();
    let result = scan_into(
        &store,
        &batch,
        scanner,
        &settings(),
        &profile.processing,
        &AtomicBool::new(false),
        &|_| {},
    );
    (data, store, batch, result)
}

#[test]
fn a_feeder_batch_from_an_escl_scanner_lands_in_the_store_page_by_page() {
    let pages: Vec<Vec<u8>> = (1..=3).map(jpeg_page).collect();
    let device = Arc::new(Device {
        pages: pages.clone(),
        ..Device::default()
    });
    let base = serve(device.clone());
    let scanner = EsclScanner::new(&base);
    let caps = scanner.capabilities().unwrap();
    assert_eq!(caps.make_and_model, "Rathaus MFP 4711");
    assert!(caps.feeder && caps.platen);

    let (_data, store, batch, (report, error)) = scan_into_new_batch(&scanner, "farbe");
    assert!(error.is_none(), "{error:?}");
    assert_eq!((report.received, report.processed), (3, 3));
    let body = device.settings.lock().unwrap()[0].clone();
    assert!(
        body.contains("<pwg:InputSource>Feeder</pwg:InputSource>"),
        "{body}"
    );
    assert!(body.contains("<scan:ColorMode>Grayscale8</scan:ColorMode>"));
    assert_eq!(
        device.deleted.load(Ordering::SeqCst),
        1,
        "the job is deleted afterwards"
    );
    let stored = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    for (p, sent) in stored.iter().zip(&pages) {
        assert_eq!(p.source, format!("eSCL {base}"));
        // The raw scan is what the scanner sent; an upright JPEG also passes through.
        assert_eq!(&store.blobs().get(&p.raw_blob).unwrap(), sent);
        assert_eq!(
            &store.blobs().get(p.image_blob.as_ref().unwrap()).unwrap(),
            sent
        );
    }
}

#[test]
fn an_escl_scanner_that_drops_off_mid_batch_keeps_the_pages_received() {
    let device = Arc::new(Device {
        pages: (1..=4).map(jpeg_page).collect(),
        unplug_after: Some(2),
        ..Device::default()
    });
    let base = serve(device.clone());
    let mut scanner = EsclScanner::new(&base);
    scanner.page_timeout = std::time::Duration::from_secs(3);
    let (data, store, batch, (report, error)) = scan_into_new_batch(&scanner, "farbe");
    let e = error.expect("the lost scanner is reported");
    assert_eq!(e.code(), "capture.scanner");
    assert!(e.to_string().contains("NextDocument"), "{e}");
    assert_eq!(report.received, 2);
    assert_eq!(
        store.with_conn(|c| pages::pages(c, &batch)).unwrap().len(),
        2
    );

    // A scanner that is not there at all: named, with what to check.
    let gone = EsclScanner::new("http://127.0.0.1:9/eSCL");
    let e = gone.capabilities().unwrap_err().to_string();
    assert!(
        e.contains("127.0.0.1:9") && e.contains("not reachable"),
        "{e}"
    );
    let mut pages = 0;
    let e = gone
        .scan(
            &settings(),
            data.path(),
            &AtomicBool::new(false),
            &mut |_| pages += 1,
        )
        .unwrap_err();
    assert_eq!(e.code(), "capture.scanner");
    assert_eq!(pages, 0);
}
