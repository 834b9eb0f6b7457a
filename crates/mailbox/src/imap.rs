//! The IMAP connection: TLS from the first byte (IMAPS) or after STARTTLS, never plain;
//! the server's certificate checked against the system's roots and `ca_bundle`; every
//! command under a time limit.

use crate::{Account, MailError};
use async_imap::{Client, Session};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

pub(crate) type Stream = TlsStream<TcpStream>;

/// A logged-in connection with the folder selected.
#[derive(Debug)]
pub struct Connection {
    pub(crate) session: Session<Stream>,
    /// The folder's UIDVALIDITY as selected.
    pub uidvalidity: u32,
    pub(crate) about: About,
}

/// What is known about the server once logged in.
#[derive(Debug)]
pub(crate) struct About {
    pub(crate) server: String,
    pub(crate) timeout: Duration,
    /// Server extensions used when present.
    pub(crate) idle: bool,
    pub(crate) moves: bool,
    pub(crate) uidplus: bool,
    /// The server's hierarchy delimiter (configured folder names use `/`).
    pub(crate) delimiter: Option<String>,
}

fn tls_config(a: &Account) -> Result<rustls::ClientConfig, MailError> {
    let ca: Vec<std::path::PathBuf> = a.ca_bundle.iter().cloned().collect();
    eingang_seal::tls::client_config(&ca).map_err(|e| MailError::Tls {
        server: a.server(),
        reason: e.0,
    })
}

/// Runs `f` under the account's time limit; `what` names the step in the error.
pub(crate) async fn timed<T>(
    server: &str,
    timeout: Duration,
    what: &str,
    f: impl std::future::Future<Output = Result<T, MailError>>,
) -> Result<T, MailError> {
    tokio::time::timeout(timeout, f)
        .await
        .map_err(|_| MailError::Timeout {
            server: server.to_owned(),
            what: what.to_owned(),
        })?
}

pub(crate) fn lost(server: &str, e: &async_imap::error::Error) -> MailError {
    use async_imap::error::Error as E;
    match e {
        E::Io(_) | E::ConnectionLost => MailError::Lost {
            server: server.to_owned(),
            reason: e.to_string(),
        },
        _ => MailError::Protocol {
            server: server.to_owned(),
            reason: e.to_string(),
        },
    }
}

async fn tls(a: &Account, tcp: TcpStream) -> Result<Stream, MailError> {
    let config = tls_config(a)?;
    let name =
        rustls::pki_types::ServerName::try_from(a.host.clone()).map_err(|e| MailError::Tls {
            server: a.server(),
            reason: e.to_string(),
        })?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| {
            // A certificate the roots do not vouch for comes as InvalidData.
            if e.kind() == std::io::ErrorKind::InvalidData {
                MailError::Tls {
                    server: a.server(),
                    reason: e.to_string(),
                }
            } else {
                MailError::Connect {
                    server: a.server(),
                    reason: e.to_string(),
                }
            }
        })
}

/// Reads the server's greeting (there is none after STARTTLS).
async fn greeting<T>(client: &mut Client<T>, server: &str) -> Result<(), MailError>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let lost = |reason: String| MailError::Lost {
        server: server.to_owned(),
        reason,
    };
    client
        .read_response()
        .await
        .map_err(|e| lost(e.to_string()))?
        .ok_or_else(|| lost("closed before its greeting".into()))?;
    Ok(())
}

impl Connection {
    /// Connects, logs in and selects the account's folder.
    pub async fn open(a: &Account, password: &str) -> Result<Self, MailError> {
        let server = a.server();
        timed(
            &server,
            a.timeout,
            "connecting",
            Self::open_inner(a, password),
        )
        .await
    }

    async fn open_inner(a: &Account, password: &str) -> Result<Self, MailError> {
        let server = a.server();
        let tcp = TcpStream::connect((a.host.as_str(), a.port))
            .await
            .map_err(|e| MailError::Connect {
                server: server.clone(),
                reason: e.to_string(),
            })?;
        let stream = match a.security {
            eingang_config::mailbox::Security::Tls => tls(a, tcp).await?,
            eingang_config::mailbox::Security::StartTls => {
                let mut client = Client::new(tcp);
                greeting(&mut client, &server).await?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| MailError::Protocol {
                        server: server.clone(),
                        reason: format!("STARTTLS refused: {e}"),
                    })?;
                tls(a, client.into_inner()).await?
            }
        };
        let mut client = Client::new(stream);
        if a.security == eingang_config::mailbox::Security::Tls {
            greeting(&mut client, &server).await?;
        }
        let mut session = client
            .login(&a.user, password)
            .await
            .map_err(|(e, _)| match e {
                async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_) => {
                    MailError::Login {
                        server: server.clone(),
                        user: a.user.clone(),
                    }
                }
                e => lost(&server, &e),
            })?;
        let caps = session
            .capabilities()
            .await
            .map_err(|e| lost(&server, &e))?;
        let (idle, moves, uidplus) = (
            caps.has_str("IDLE"),
            caps.has_str("MOVE"),
            caps.has_str("UIDPLUS"),
        );
        let mailbox = session.select(&a.folder).await.map_err(|e| match e {
            async_imap::error::Error::No(r) => MailError::Folder {
                folder: a.folder.clone(),
                reason: r,
            },
            e => lost(&server, &e),
        })?;
        let uidvalidity = mailbox.uid_validity.ok_or_else(|| MailError::Protocol {
            server: server.clone(),
            reason: format!("the folder {:?} has no UIDVALIDITY", a.folder),
        })?;
        // `LIST "" ""` names the hierarchy delimiter.
        let delimiter = {
            let list = session
                .list(Some(""), Some("\"\""))
                .await
                .map_err(|e| lost(&server, &e))?;
            let names: Vec<_> = list.collect().await;
            names
                .into_iter()
                .find_map(|n| n.ok().and_then(|n| n.delimiter().map(str::to_owned)))
        };
        Ok(Self {
            session,
            uidvalidity,
            about: About {
                server,
                timeout: a.timeout,
                idle,
                moves,
                uidplus,
                delimiter,
            },
        })
    }

    /// A configured folder name (levels joined by `/`) as this server spells it.
    pub(crate) fn on_server(&self, folder: &str) -> String {
        match self.about.delimiter.as_deref() {
            Some(d) if d != "/" => folder.replace('/', d),
            _ => folder.to_owned(),
        }
    }

    /// Makes `folder` if it does not exist (a folder that exists already is fine).
    pub(crate) async fn ensure_folder(&mut self, folder: &str) -> Result<(), MailError> {
        let server = self.about.server.clone();
        let folder = self.on_server(folder);
        let folder = folder.as_str();
        let exists = {
            let list = self
                .session
                // The pattern goes out as it is: quoted here (config forbids quotes).
                .list(None, Some(&format!("\"{folder}\"")))
                .await
                .map_err(|e| lost(&server, &e))?;
            let names: Vec<_> = list.collect().await;
            names
                .iter()
                .any(|n| n.as_ref().is_ok_and(|n| n.name() == folder))
        };
        if !exists {
            self.session
                .create(folder)
                .await
                .map_err(|e| MailError::Folder {
                    folder: folder.to_owned(),
                    reason: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// The folder's UIDs from `first` on, ascending.
    pub async fn uids_from(&mut self, first: u32) -> Result<Vec<u32>, MailError> {
        let server = self.about.server.clone();
        let found = timed(&server, self.about.timeout, "searching the folder", async {
            self.session
                .uid_search(format!("UID {first}:*"))
                .await
                .map_err(|e| lost(&server, &e))
        })
        .await?;
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u >= first).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The sizes of these messages (RFC822.SIZE), by UID.
    pub(crate) async fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, u64)>, MailError> {
        let server = self.about.server.clone();
        let set = uid_set(uids);
        timed(
            &server,
            self.about.timeout,
            "reading message sizes",
            async {
                let mut stream = self
                    .session
                    .uid_fetch(&set, "(UID RFC822.SIZE)")
                    .await
                    .map_err(|e| lost(&server, &e))?;
                let mut out = Vec::new();
                while let Some(f) = stream.next().await {
                    let f = f.map_err(|e| lost(&server, &e))?;
                    if let (Some(uid), Some(size)) = (f.uid, f.size) {
                        out.push((uid, u64::from(size)));
                    }
                }
                Ok(out)
            },
        )
        .await
    }

    /// One message's bytes, without setting \Seen.
    pub(crate) async fn message(&mut self, uid: u32) -> Result<Option<Vec<u8>>, MailError> {
        let server = self.about.server.clone();
        timed(&server, self.about.timeout, "reading a message", async {
            let mut stream = self
                .session
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(|e| lost(&server, &e))?;
            let mut body = None;
            while let Some(f) = stream.next().await {
                let f = f.map_err(|e| lost(&server, &e))?;
                if f.uid == Some(uid) {
                    body = f.body().map(<[u8]>::to_vec);
                }
            }
            Ok(body)
        })
        .await
    }

    /// Moves messages to `folder` (MOVE, or COPY + \Deleted + UID EXPUNGE), or flags them
    /// — one command for the set.
    pub(crate) async fn settle(&mut self, uids: &[u32], to: Settle<'_>) -> Result<(), MailError> {
        if uids.is_empty() {
            return Ok(());
        }
        let server = self.about.server.clone();
        let (moves, uidplus) = (self.about.moves, self.about.uidplus);
        let target = match to {
            Settle::Move(folder) => Some(self.on_server(folder)),
            Settle::Flag(_) => None,
        };
        timed(&server, self.about.timeout, "moving messages", async {
            let s = &mut self.session;
            let id = uid_set(uids);
            match to {
                Settle::Flag(flags) => {
                    let stream = s
                        .uid_store(&id, format!("+FLAGS.SILENT ({flags})"))
                        .await
                        .map_err(|e| lost(&server, &e))?;
                    let _: Vec<_> = stream.collect().await;
                }
                Settle::Move(_) if moves => {
                    let folder = target.as_deref().unwrap_or_default();
                    s.uid_mv(&id, folder).await.map_err(|e| lost(&server, &e))?;
                }
                Settle::Move(_) => {
                    let folder = target.as_deref().unwrap_or_default();
                    s.uid_copy(&id, folder)
                        .await
                        .map_err(|e| lost(&server, &e))?;
                    let stream = s
                        .uid_store(&id, "+FLAGS.SILENT (\\Deleted)")
                        .await
                        .map_err(|e| lost(&server, &e))?;
                    let _: Vec<_> = stream.collect().await;
                    if uidplus {
                        let stream = s.uid_expunge(&id).await.map_err(|e| lost(&server, &e))?;
                        let _: Vec<_> = stream.collect().await;
                    }
                }
            }
            Ok(())
        })
        .await
    }

    /// Waits for news in the folder: IDLE where the server has it (woken at once by a new
    /// message), else a plain wait; at most `max`, less when `stop` is set. Gives the
    /// connection back, or `None` when it broke (the caller connects again).
    pub async fn wait(mut self, max: Duration, stop: &AtomicBool) -> Option<Self> {
        let stopped = async {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        };
        if !self.about.idle {
            tokio::select! {
                () = tokio::time::sleep(max) => {}
                () = stopped => {}
            }
            // Poll: a NOOP keeps the connection and tells whether it still stands.
            return self.session.noop().await.ok().map(|()| self);
        }
        let Self {
            session,
            uidvalidity,
            about,
        } = self;
        let mut handle = session.idle();
        handle.init().await.ok()?;
        {
            let (news, _interrupt) = handle.wait_with_timeout(max);
            tokio::select! {
                r = news => { r.ok()?; }
                () = stopped => {}
            }
        }
        let session = tokio::time::timeout(about.timeout, handle.done())
            .await
            .ok()?
            .ok()?;
        Some(Self {
            session,
            uidvalidity,
            about,
        })
    }

    /// Says goodbye (a broken connection is simply dropped).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.session.logout()).await;
    }
}

/// Where a taken message goes on the server.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Settle<'a> {
    Move(&'a str),
    Flag(&'a str),
}

/// UIDs as an IMAP set, runs joined ("1:5,7,9:10").
pub(crate) fn uid_set(uids: &[u32]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut k = 0;
    while k < uids.len() {
        let start = uids[k];
        let mut end = start;
        while k + 1 < uids.len() && uids[k + 1] == end + 1 {
            k += 1;
            end = uids[k];
        }
        if !out.is_empty() {
            out.push(',');
        }
        let _ = if start == end {
            write!(out, "{start}")
        } else {
            write!(out, "{start}:{end}")
        };
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn uid_sets_join_runs() {
        assert_eq!(super::uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(super::uid_set(&[4]), "4");
        assert_eq!(super::uid_set(&[]), "");
    }
}
