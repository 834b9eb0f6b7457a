//! The hot folder on a real folder: a file still being written is left alone, a complete
//! one is read and archived, the same content again is not imported twice (also after a
//! restart), a broken file moves aside with its reason, others go on.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use eingang_capture::hotfolder::{HotFolder, Taken};
use eingang_capture::Limits;
use std::time::Duration;

fn png(path: &std::path::Path, shade: u8) {
    image::GrayImage::from_fn(20, 10, |x, _| image::Luma([shade.wrapping_add(x as u8)]))
        .save(path)
        .unwrap();
}

#[test]
fn complete_files_are_taken_once_archived_and_bad_ones_set_aside() {
    let root = tempfile::tempdir().unwrap();
    let (inbox, archive) = (root.path().join("eingang"), root.path().join("archiv"));
    let settle = Duration::from_millis(150);
    let mut hot = HotFolder::new(&inbox, &archive, settle, Limits::default()).unwrap();
    let mut got: Vec<(String, usize)> = Vec::new();
    let take = |h: &mut HotFolder| {
        let mut files = Vec::new();
        let t = h
            .poll(&mut |f, pages| files.push((f.to_owned(), pages.len())))
            .unwrap();
        (t, files)
    };

    // Still being written (a .part name) and just arrived: nothing is taken yet.
    png(&inbox.join("scan-1.png"), 10);
    std::fs::write(inbox.join("scan-2.png.part"), b"half").unwrap();
    std::fs::write(inbox.join("kaputt.tif"), b"II*\0 not a tiff").unwrap();
    let (t, files) = take(&mut hot);
    assert!(t.is_empty() && files.is_empty(), "not settled yet: {t:?}");

    // Settled: the good one is handed over and archived, the broken one set aside.
    std::thread::sleep(settle + Duration::from_millis(50));
    let (t, files) = take(&mut hot);
    got.extend(files);
    assert_eq!(got, [("scan-1.png".to_owned(), 1)]);
    assert!(t
        .iter()
        .any(|x| matches!(x, Taken::Imported { file, .. } if file == "scan-1.png")));
    let failed = t.iter().find_map(|x| match x {
        Taken::Failed {
            file,
            reason,
            moved,
        } => Some((file.clone(), reason.clone(), moved.clone())),
        _ => None,
    });
    let (file, reason, moved) = failed.unwrap();
    assert_eq!(file, "kaputt.tif");
    assert!(reason.starts_with("kaputt.tif: damaged"), "{reason}");
    assert!(moved.is_file());
    let note = std::fs::read_to_string(moved.with_file_name("kaputt.tif.txt")).unwrap();
    assert!(note.contains("damaged"), "{note}");
    assert!(!inbox.join("scan-1.png").exists() && !inbox.join("kaputt.tif").exists());
    assert!(
        inbox.join("scan-2.png.part").exists(),
        "a file being written is never touched"
    );

    // The same content again — after a restart — is archived, not imported twice; the
    // archive keeps both files (nothing overwritten).
    drop(hot);
    let mut hot = HotFolder::new(&inbox, &archive, settle, Limits::default()).unwrap();
    png(&inbox.join("scan-1.png"), 10);
    take(&mut hot);
    std::thread::sleep(settle + Duration::from_millis(50));
    let (t, files) = take(&mut hot);
    assert!(files.is_empty(), "{files:?}");
    assert!(
        matches!(&t[0], Taken::Duplicate { file, .. } if file == "scan-1.png"),
        "{t:?}"
    );
    let archived: Vec<_> = std::fs::read_dir(
        archive
            .read_dir()
            .unwrap()
            .flatten()
            .find(|e| e.path().is_dir())
            .unwrap()
            .path(),
    )
    .unwrap()
    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
    .collect();
    assert_eq!(archived.len(), 2, "{archived:?}");

    // The renamed-when-done file is taken once complete.
    std::fs::rename(inbox.join("scan-2.png.part"), inbox.join("scan-2.png")).unwrap();
    png(&inbox.join("scan-2.png"), 99);
    take(&mut hot);
    std::thread::sleep(settle + Duration::from_millis(50));
    let (_, files) = take(&mut hot);
    assert_eq!(files, [("scan-2.png".to_owned(), 1)]);
}

#[test]
fn an_over_large_file_is_refused_by_its_size_without_being_read() {
    let root = tempfile::tempdir().unwrap();
    let (inbox, archive) = (root.path().join("eingang"), root.path().join("archiv"));
    let settle = Duration::from_millis(100);
    let mut hot = HotFolder::new(&inbox, &archive, settle, Limits::default()).unwrap();
    // 64 GiB, sparse: reading it into memory would end this test (and the machine's day).
    let huge = std::fs::File::create(inbox.join("riesig.tif")).unwrap();
    huge.set_len(64 << 30).unwrap();
    drop(huge);
    png(&inbox.join("klein.png"), 40);
    // Seen, then settled: taken.
    let mut taken = Vec::new();
    for _ in 0..2 {
        std::thread::sleep(settle + Duration::from_millis(50));
        taken.extend(hot.poll(&mut |_, _| {}).unwrap());
    }
    assert!(taken
        .iter()
        .any(|t| matches!(t, Taken::Imported { file, .. } if file == "klein.png")));
    let refused = taken.iter().find_map(|t| match t {
        Taken::Failed {
            file,
            reason,
            moved,
        } if file == "riesig.tif" => Some((reason.clone(), moved.clone())),
        _ => None,
    });
    let (reason, moved) = refused.expect("the huge file is refused");
    assert!(
        reason.contains("too large") && reason.contains("larger than 512 MiB"),
        "{reason}"
    );
    assert!(moved.is_file() && moved.with_file_name("riesig.tif.txt").is_file());
}
