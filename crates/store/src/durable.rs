//! Making a file or a folder entry durable, the same way on every system.
//!
//! Windows flushes a file only through a handle opened for writing (`FlushFileBuffers` on
//! a read-only handle fails with "Access denied"), and has no directory fsync: NTFS
//! journals its metadata, so a completed rename survives a power cut there. Every "write a
//! temporary file, sync it, rename it into place" in Eingang goes through these two.

use std::fs::OpenOptions;
use std::io;
use std::path::Path;

/// Flushes the file at `path` to the disk (opened for writing: the only way on Windows).
pub fn sync_file(path: &Path) -> io::Result<()> {
    OpenOptions::new().write(true).open(path)?.sync_all()
}

/// Makes the entries of `dir` (a file created or renamed in it) durable: an fsync of the
/// folder on Unix, nothing to do on Windows.
#[cfg(unix)]
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Makes the entries of `dir` durable: on Windows NTFS journals them (a folder cannot be
/// flushed), so nothing is left to do.
#[cfg(not(unix))]
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    // The folder must still be there, as on Unix where opening it would fail.
    std::fs::metadata(dir).map(|_| ())
}

/// Renames `tmp` over `dest`. Windows refuses to replace a file while anyone has it open
/// (a reader of the blob store, a virus scanner, the search indexer): there the rename is
/// tried again for up to two seconds before the refusal is reported.
pub fn replace(tmp: &Path, dest: &Path) -> io::Result<()> {
    let mut waited = std::time::Duration::ZERO;
    loop {
        match std::fs::rename(tmp, dest) {
            Err(e)
                if cfg!(windows)
                    && e.kind() == io::ErrorKind::PermissionDenied
                    && waited < std::time::Duration::from_secs(2) =>
            {
                let pause = std::time::Duration::from_millis(50);
                std::thread::sleep(pause);
                waited += pause;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::Write as _;

    #[test]
    fn a_file_written_elsewhere_and_its_folder_are_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let mut f = File::create(&path).unwrap();
        f.write_all(b"inhalt").unwrap();
        drop(f);
        sync_file(&path).unwrap();
        sync_dir(dir.path()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"inhalt");
        // Neither makes what is missing.
        assert!(sync_file(&dir.path().join("fehlt")).is_err());
        assert!(sync_dir(&dir.path().join("fehlt")).is_err());
        assert!(!dir.path().join("fehlt").exists());
    }

    #[test]
    fn a_file_is_replaced_while_a_reader_has_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, dest) = (dir.path().join("neu.part"), dir.path().join("datei"));
        std::fs::write(&dest, b"alt").unwrap();
        std::fs::write(&tmp, b"neu").unwrap();
        let reader = File::open(&dest).unwrap();
        // The reader lets go a moment later (on Windows the rename waits for it).
        let closer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(reader);
        });
        replace(&tmp, &dest).unwrap();
        closer.join().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"neu");
        assert!(!tmp.exists());
    }
}
