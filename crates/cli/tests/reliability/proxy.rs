//! A fault-injecting HTTP/1.1 proxy between the sync worker and a real WebDAV server.
//!
//! One request per connection (it asks the server for `Connection: close`, so a response
//! ends where the server closes). Per request, by a seeded random draw:
//! - pass it through;
//! - reset the connection half-way through the request body (the server sees a torn
//!   upload);
//! - stall (say nothing, longer than the client's timeout);
//! - forward it, then send the client only part of the server's response;
//! - answer 500, 503 or 429 with `Retry-After` without forwarding;
//! - forward it, let the server store it, then drop the response ("lost response").

// `set_linger(0)` makes dropping a socket send a reset — the fault wanted here; with a
// zero timeout it never blocks (tokio deprecates it for the blocking case).
#![allow(deprecated)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ResetMidBody,
    Stall,
    Truncate,
    Status500,
    Status503,
    Status429,
    LostResponse,
}

pub const FAULTS: [Fault; 7] = [
    Fault::ResetMidBody,
    Fault::Stall,
    Fault::Truncate,
    Fault::Status500,
    Fault::Status503,
    Fault::Status429,
    Fault::LostResponse,
];

#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub by_fault: [AtomicU64; 7],
}

impl Counters {
    pub fn faults(&self) -> u64 {
        self.by_fault
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
}

pub struct Proxy {
    pub port: u16,
    pub counters: Arc<Counters>,
    /// Off: pass everything (the final phase that lets the run finish).
    pub enabled: Arc<AtomicBool>,
}

/// xorshift64*: deterministic per seed, good enough to pick faults.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Starts the proxy to `upstream_port`; `rate` in percent of requests get a fault.
pub async fn start(upstream_port: u16, rate: u64, seed: u64, stall: Duration) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counters = Arc::new(Counters::default());
    let enabled = Arc::new(AtomicBool::new(true));
    let (c, e) = (counters.clone(), enabled.clone());
    tokio::spawn(async move {
        let mut rng = Rng(seed | 1);
        loop {
            let Ok((client, _)) = listener.accept().await else {
                continue;
            };
            c.requests.fetch_add(1, Ordering::Relaxed);
            let fault = if e.load(Ordering::Relaxed) && rng.next() % 100 < rate {
                let f = FAULTS[usize::try_from(rng.next() % 7).unwrap()];
                Some(f)
            } else {
                None
            };
            let c = c.clone();
            tokio::spawn(async move {
                let _ = Box::pin(handle(client, upstream_port, fault, stall, &c)).await;
            });
        }
    });
    Proxy {
        port,
        counters,
        enabled,
    }
}

fn count(c: &Counters, f: Fault) {
    let i = FAULTS.iter().position(|x| *x == f).unwrap();
    c.by_fault[i].fetch_add(1, Ordering::Relaxed);
}

/// Reads the request head (up to the blank line) and returns it with any body bytes
/// that came along.
async fn read_head(s: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 8192];
    loop {
        let n = s.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Ok((head, buf[end + 4..].to_vec()));
        }
    }
}

async fn handle(
    mut client: TcpStream,
    upstream_port: u16,
    fault: Option<Fault>,
    stall: Duration,
    c: &Counters,
) -> std::io::Result<()> {
    let (head, mut body) = read_head(&mut client).await?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    // Only requests with a body can be torn mid-body.
    let fault = match fault {
        Some(Fault::ResetMidBody) if length < 2 => None,
        f => f,
    };
    if let Some(f) = fault {
        count(c, f);
    }
    if fault == Some(Fault::ResetMidBody) {
        // Forward the head and half the body, then tear both connections down.
        let mut up = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
        up.write_all(rewrite(&head).as_bytes()).await?;
        let mut sent = body.len().min(length / 2);
        up.write_all(&body[..sent]).await?;
        let mut chunk = vec![0u8; 16384];
        while sent < length / 2 {
            let n = client.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            let take = n.min(length / 2 - sent);
            up.write_all(&chunk[..take]).await?;
            sent += take;
        }
        let _ = client.set_linger(Some(Duration::ZERO));
        let _ = up.set_linger(Some(Duration::ZERO));
        return Ok(());
    }
    // The whole body.
    let mut chunk = vec![0u8; 65536];
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    match fault {
        Some(Fault::Stall) => {
            tokio::time::sleep(stall).await;
            return Ok(());
        }
        Some(f @ (Fault::Status500 | Fault::Status503 | Fault::Status429)) => {
            let status = match f {
                Fault::Status500 => "500 Internal Server Error",
                Fault::Status503 => "503 Service Unavailable",
                _ => "429 Too Many Requests",
            };
            let resp = format!(
                "HTTP/1.1 {status}\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            client.write_all(resp.as_bytes()).await?;
            return Ok(());
        }
        _ => {}
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream_port)).await?;
    up.write_all(rewrite(&head).as_bytes()).await?;
    up.write_all(&body).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    match fault {
        Some(Fault::LostResponse) => {
            let _ = client.set_linger(Some(Duration::ZERO));
        }
        Some(Fault::Truncate) => {
            let cut = resp.len().saturating_sub(1).max(1) / 2;
            client.write_all(&resp[..cut]).await?;
            let _ = client.set_linger(Some(Duration::ZERO));
        }
        _ => client.write_all(&resp).await?,
    }
    Ok(())
}

/// The request head for the server: one request per connection.
fn rewrite(head: &str) -> String {
    let mut out = String::new();
    for line in head.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out
}
