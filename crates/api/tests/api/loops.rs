// The long-running loops as the app and the CLI start them: they do their work, report it,
// and end when their shutdown is requested.

use eingang_api::loops::{self, HotFolderSettings, HotFolderWatch, Shutdown};
use eingang_capture::hotfolder::Taken;
use eingang_capture::ocr::Unavailable;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn png(path: &std::path::Path) {
    image::GrayImage::from_fn(200, 100, |x, y| image::Luma([((x * y) % 251) as u8]))
        .save(path)
        .unwrap();
}

#[test]
fn the_hot_folder_loop_takes_a_dropped_file_into_the_days_batch_and_ends_on_shutdown() {
    let (dir, store) = super::fresh();
    let inbox = dir.path().join("eingang");
    std::fs::create_dir_all(&inbox).unwrap();
    png(&inbox.join("scan-1.png"));
    std::fs::write(inbox.join("kaputt.tif"), b"II*\0 not a tiff").unwrap();
    let settings = HotFolderSettings {
        inbox: inbox.clone(),
        profile_id: "standard".into(),
        settle: Duration::from_millis(100),
    };
    let shutdown = Shutdown::default();
    let taken: Mutex<Vec<String>> = Mutex::default();
    let started = Instant::now();
    let on_look = |w: &HotFolderWatch, t: eingang_api::Result<Vec<Taken>>| {
        for t in t.unwrap() {
            taken.lock().unwrap().push(match t {
                Taken::Imported { file, pages, .. } => format!("{file}: {pages}"),
                Taken::Duplicate { file, .. } => format!("{file}: again"),
                Taken::Failed { file, .. } => format!("{file}: refused"),
            });
        }
        if w.waiting() == 0 || started.elapsed() > Duration::from_secs(20) {
            shutdown.request();
        }
    };
    let fixed = || Some(settings.clone());
    loops::hot_folder_forever(&store, None, &fixed, &shutdown, &|_| {}, &on_look);
    let mut taken = taken.into_inner().unwrap();
    taken.sort();
    assert_eq!(taken, ["kaputt.tif: refused", "scan-1.png: 1"]);
    let batches = eingang_api::batches::list(&store, None, None)
        .unwrap()
        .items;
    assert_eq!(batches.len(), 1, "one batch for the day");
    assert_eq!(batches[0].pages, 1);
    assert!(
        inbox.join("failed").join("kaputt.tif").exists(),
        "set aside with its reason"
    );
}

#[test]
fn an_unknown_hot_folder_profile_is_named_before_anything_is_taken() {
    let (dir, store) = super::fresh();
    let e = HotFolderWatch::open(
        &store,
        HotFolderSettings {
            inbox: dir.path().join("eingang"),
            profile_id: "gibt-es-nicht".into(),
            settle: Duration::from_secs(1),
        },
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("scan.profile_unknown", Some("profile"))
    );
}

#[test]
fn the_ocr_loop_says_why_ocr_cannot_run_and_ends_at_once_on_shutdown() {
    let (_dir, store) = super::fresh();
    let shutdown = Arc::new(Shutdown::default());
    let notices: Mutex<Vec<Option<String>>> = Mutex::default();
    let looked = AtomicUsize::new(0);
    let find = || {
        looked.fetch_add(1, Ordering::SeqCst);
        Err(Unavailable::Missing)
    };
    let stop = shutdown.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        stop.request();
    });
    let on_notice = |n: Option<String>| notices.lock().unwrap().push(n);
    // Returns (the test would hang otherwise) once the shutdown is requested.
    loops::ocr_forever(&store, &find, 1, &shutdown, &on_notice, &|_, _| {}, &|| {});
    stopper.join().unwrap();
    assert!(shutdown.is_requested());
    assert_eq!(
        looked.load(Ordering::SeqCst),
        1,
        "Tesseract is looked for once a minute"
    );
    let notices = notices.into_inner().unwrap();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]
            .as_deref()
            .is_some_and(|n| n.contains("not installed")),
        "{notices:?}"
    );
}
