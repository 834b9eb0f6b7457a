//! A disk that never fills by surprise: on a 640 MiB tmpfs, intake takes pages while there
//! is room, refuses them below the floor (512 MiB free) naming the folder and what to do —
//! the status says `full` — and takes them again once space is freed. Mounting needs root,
//! as `scripts/test.sh` and CI run.

use eingang_api::{batches, disk};
use eingang_store::Store;
use std::process::Command;

struct Tmpfs(tempfile::TempDir);

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.0.path()).status();
    }
}

fn page(dir: &std::path::Path, n: u8) -> std::path::PathBuf {
    let f = dir.join(format!("seite-{n}.png"));
    image::GrayImage::from_fn(300, 400, |x, y| {
        image::Luma([if (x + y + u32::from(n)) % 9 == 0 {
            20
        } else {
            235
        }])
    })
    .save(&f)
    .unwrap();
    f
}

#[test]
fn below_the_floor_intake_stops_with_a_clear_reason_and_resumes_when_space_is_freed() {
    let disk = Tmpfs(tempfile::tempdir().unwrap());
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=640m", "tmpfs"])
        .arg(disk.0.path())
        .status()
        .unwrap();
    assert!(
        mounted.success(),
        "mounting a tmpfs needs root (scripts/test.sh and CI run as root)"
    );
    let data = disk.0.path().join("daten");
    let store = Store::open(&data).unwrap();
    let files = tempfile::tempdir().unwrap();
    let batch = batches::create(&store, "Post", Some("standard"))
        .unwrap()
        .id
        .parse()
        .unwrap();
    // 640 MiB is under the 2 GiB at which intake warns, above the floor.
    assert_eq!(disk::room(&store).1, "low");

    let r = batches::import_paths(&store, &batch, &[page(files.path(), 1)], &|_| {}).unwrap();
    assert_eq!(r.processed, 1);

    // Something else fills the disk to under 512 MiB free.
    let filler = disk.0.path().join("anderes.bin");
    std::fs::write(&filler, vec![7u8; 160 << 20]).unwrap();
    assert_eq!(disk::room(&store).1, "full");
    let e = batches::import_paths(&store, &batch, &[page(files.path(), 2)], &|_| {}).unwrap_err();
    assert_eq!(e.code(), "store.disk_floor", "{e}");
    let said = e.to_string();
    assert!(
        said.contains(&data.display().to_string()) && said.contains("512 MiB"),
        "{said}"
    );
    assert_eq!(
        batches::get(&store, &batch).unwrap().pages,
        1,
        "what was taken stays"
    );

    // Space freed: pages are taken again.
    std::fs::remove_file(&filler).unwrap();
    let r = batches::import_paths(&store, &batch, &[page(files.path(), 3)], &|_| {}).unwrap();
    assert_eq!(r.processed, 1);
    assert_eq!(batches::get(&store, &batch).unwrap().pages, 2);
}

/// The status bar's "Speicher nach Art": what the pages hold, all files, the database, and
/// what came in this week — the two pages imported are counted under pages and the week.
#[test]
fn the_store_by_kind_counts_the_pages_imported() {
    let (dir, store) = super::fresh();
    let empty = disk::usage(&store).unwrap();
    assert_eq!((empty.pages, empty.documents, empty.submissions), (0, 0, 0));
    assert!(empty.database > 0);
    let batch = batches::create(&store, "Post", Some("standard"))
        .unwrap()
        .id
        .parse()
        .unwrap();
    let files = [page(dir.path(), 1), page(dir.path(), 2)];
    let r = batches::import_paths(&store, &batch, &files, &|_| {}).unwrap();
    assert_eq!(r.processed, 2);
    let u = disk::usage(&store).unwrap();
    assert!(u.pages > 0, "{u:?}");
    assert!(u.files >= u.pages + u.documents + u.submissions, "{u:?}");
    assert_eq!(u.last_week, u.files, "everything came in this week: {u:?}");
}
