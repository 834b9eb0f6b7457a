//! One instance per data folder (so per user): a second start brings the running window to
//! the front and ends. Two processes on one outbox would both deliver and both write drafts.
//!
//! The first instance holds an exclusive lock on `<data>/instance.lock` for its lifetime
//! (the OS drops it when the process dies, so a crash leaves no stale lock) and listens on a
//! loopback port; port and a random token are in `<data>/instance`. A second start finds
//! the lock taken, sends the token to the port and exits. (tauri-plugin-single-instance
//! needs a session D-Bus on Linux, which kiosk sessions and Xvfb do not have.)

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

const LOCK: &str = "instance.lock";
const ADDRESS: &str = "instance";

/// This process is the instance: keep it alive as long as the app runs.
#[derive(Debug)]
pub struct Held {
    lock: File,
    listener: TcpListener,
    token: String,
}

/// Another process is the instance.
#[derive(Debug)]
pub struct Running {
    port: u16,
    token: String,
}

pub enum Claim {
    Held(Held),
    Running(Running),
}

/// Takes the data folder's instance lock, or finds who has it.
pub fn claim(dir: &Path) -> std::io::Result<Claim> {
    std::fs::create_dir_all(dir)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK))?;
    if fs4::FileExt::try_lock(&lock).is_err() {
        // The running instance writes its address right after locking; give it a moment.
        for _ in 0..50 {
            if let Some(r) = read_address(dir) {
                return Ok(Claim::Running(r));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        return Err(std::io::Error::new(
            std::io::ErrorKind::ResourceBusy,
            format!(
                "{} is locked by another Eingang that does not answer; end it (or wait until it has ended) and start again",
                dir.join(LOCK).display()
            ),
        ));
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let port = listener.local_addr()?.port();
    write_private(&dir.join(ADDRESS), &format!("{port} {token}\n"))?;
    Ok(Claim::Held(Held {
        lock,
        listener,
        token,
    }))
}

fn read_address(dir: &Path) -> Option<Running> {
    let text = std::fs::read_to_string(dir.join(ADDRESS)).ok()?;
    let (port, token) = text.trim().split_once(' ')?;
    Some(Running {
        port: port.parse().ok()?,
        token: token.to_owned(),
    })
}

/// The address file is readable by its owner only: the token is what makes a knock genuine.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).truncate(true).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

impl Running {
    /// Asks the running instance to show its window.
    pub fn signal(&self) -> std::io::Result<()> {
        let mut s = TcpStream::connect_timeout(
            &(Ipv4Addr::LOCALHOST, self.port).into(),
            Duration::from_secs(2),
        )?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        writeln!(s, "{} show", self.token)?;
        let mut answer = String::new();
        BufReader::new(s).read_line(&mut answer)?;
        if answer.trim() == "ok" {
            Ok(())
        } else {
            Err(std::io::Error::other("the running instance did not answer"))
        }
    }
}

impl Held {
    /// Answers knocks on a background thread for the life of the process; `show` is called
    /// for each genuine one.
    pub fn serve(self, show: impl Fn() + Send + 'static) {
        let spawned = std::thread::Builder::new()
            .name("single-instance".into())
            .spawn(move || {
                // Held for the life of the thread, which is the life of the process.
                let _lock = self.lock;
                for stream in self.listener.incoming().flatten() {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut line = String::new();
                    let mut reader = BufReader::new(&stream);
                    if reader.take_line(&mut line).is_err() {
                        continue;
                    }
                    if line.trim() == format!("{} show", self.token) {
                        show();
                        let _ = (&stream).write_all(b"ok\n");
                    } else {
                        tracing::warn!("a local connection without the instance token was refused");
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "single-instance listener not started");
        }
    }
}

/// Reads one line of at most 200 bytes (a knock is short; anything else is refused).
trait TakeLine {
    fn take_line(&mut self, line: &mut String) -> std::io::Result<()>;
}

impl<R: BufRead> TakeLine for R {
    fn take_line(&mut self, line: &mut String) -> std::io::Result<()> {
        use std::io::Read as _;
        self.take(200).read_line(line).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_second_claim_finds_the_first_and_its_knock_shows_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let Claim::Held(held) = claim(dir.path()).unwrap() else {
            panic!("the first claim holds the lock");
        };
        let shown = Arc::new(AtomicUsize::new(0));
        let counter = shown.clone();
        held.serve(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let Claim::Running(running) = claim(dir.path()).unwrap() else {
            panic!("the second claim finds the first running");
        };
        running.signal().unwrap();
        running.signal().unwrap();
        assert_eq!(shown.load(Ordering::SeqCst), 2);
        // A knock without the token is refused and shows nothing.
        let forged = Running {
            port: running.port,
            token: "guess".into(),
        };
        assert!(forged.signal().is_err());
        assert_eq!(shown.load(Ordering::SeqCst), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(ADDRESS))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "the token is the owner's only");
        }
    }
}
