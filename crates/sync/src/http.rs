//! What every HTTP connector shares: the client (system roots plus an optional extra CA
//! bundle, no redirects, timeouts), how transport errors and statuses become
//! [`Failure`]s, and streamed, hashed request bodies.

use crate::error::Failure;
use crate::package::{Content, PackageFile};
use futures_util::TryStreamExt;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use url::Url;

/// Moves credentials written into a URL (`https://user:pw@host/`) to `user`/`password`:
/// they travel in the Authorization header only, never in URLs, receipts or logs.
fn take_credentials(url: &mut Url, user: &mut Option<String>, password: &mut Option<String>) {
    if user.is_none() && !url.username().is_empty() {
        *user = Some(url.username().to_owned());
        if password.is_none() {
            *password = url.password().map(str::to_owned);
        }
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
}

/// A target with a user but no stored password cannot log in: it pauses with this reason.
pub(crate) fn require_password(
    user: Option<&String>,
    password: Option<&String>,
    url: &Url,
) -> Result<(), Failure> {
    if user.is_some() && password.is_none() {
        return Err(Failure {
            code: "sync.credentials_missing",
            ..Failure::auth(format!(
                "no password is stored for {} (eingang targets password ID, or in the app)",
                shown(url)
            ))
        });
    }
    Ok(())
}

/// A blob's plaintext from `offset`, at most `limit` bytes, as a body stream: read (and
/// decrypted) on a blocking thread, a few chunks ahead of the network. Opened here, so a
/// missing file is named before anything is sent.
pub(crate) fn blob_stream(
    file: &PackageFile,
    src: &eingang_store::blobs::BlobSource,
    offset: u64,
    limit: u64,
) -> Result<impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static, Failure>
{
    use std::io::Read as _;
    let reader = src.open(offset).map_err(|e| {
        Failure::permanent(
            "sync.local_missing",
            format!("the stored file for {} cannot be read: {e}", file.name),
        )
    })?;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut r = reader.take(limit);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let item = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => Ok(bytes::Bytes::copy_from_slice(&buf[..n])),
                Err(e) => Err(e),
            };
            let stop = item.is_err();
            if tx.blocking_send(item).is_err() || stop {
                break;
            }
        }
    });
    Ok(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// A file as a multipart part, streamed from the blob store.
pub(crate) fn multipart_part(file: &PackageFile) -> Result<reqwest::multipart::Part, Failure> {
    let part = match &file.content {
        Content::Inline(bytes) => reqwest::multipart::Part::bytes(bytes.clone()),
        Content::Blob(src) => {
            let stream = blob_stream(file, src, 0, u64::MAX)?;
            reqwest::multipart::Part::stream_with_length(
                reqwest::Body::wrap_stream(stream),
                file.size,
            )
        }
    };
    part.file_name(file.name.clone())
        .mime_str("application/octet-stream")
        .map_err(|e| Failure::permanent("sync.protocol", e.to_string()))
}

/// Where an HTTP target is and how it is reached — what the WebDAV, CMIS and Mayan
/// connectors share: its URL, the account, the stall timeout and extra trusted roots.
#[derive(Clone)]
pub struct Endpoint {
    pub url: Url,
    pub user: Option<String>,
    pub password: Option<String>,
    /// No byte for this long → the attempt fails as stalled.
    pub timeout: Duration,
    /// Extra trusted roots (PEM), e.g. the city's own CA, on top of the system's.
    pub ca_bundle: Option<Vec<u8>>,
}

impl Endpoint {
    pub fn new(url: Url) -> Self {
        Self {
            url,
            user: None,
            password: None,
            timeout: Duration::from_secs(60),
            ca_bundle: None,
        }
    }

    /// Makes the URL a collection (a folder: its path ends with `/`), so relative paths
    /// resolve below it.
    pub(crate) fn as_collection(&mut self) {
        if !self.url.path().ends_with('/') {
            let p = format!("{}/", self.url.path());
            self.url.set_path(&p);
        }
    }

    /// Moves credentials written into the URL to `user`/`password` (they never travel in
    /// URLs or logs) and makes the client.
    pub(crate) fn connect(&mut self) -> Result<reqwest::Client, Failure> {
        take_credentials(&mut self.url, &mut self.user, &mut self.password);
        client(self.timeout, self.ca_bundle.as_deref())
    }

    /// A request with the endpoint's credentials.
    pub(crate) fn request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        url: Url,
    ) -> reqwest::RequestBuilder {
        let r = client.request(method, url);
        match &self.user {
            Some(u) => r.basic_auth(u, self.password.as_deref()),
            None => r,
        }
    }
}

/// Never shows the password.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &shown(&self.url))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The HTTP client for one target.
fn client(timeout: Duration, ca_bundle: Option<&[u8]>) -> Result<reqwest::Client, Failure> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(timeout)
        .pool_max_idle_per_host(32)
        // A connection idle longer than the server's keep-alive (gunicorn, which serves
        // Mayan, closes after 2 s) may be closed by the server just as a request is sent on
        // it: "connection closed before message completed" on a POST that cannot simply be
        // repeated. Idle connections are dropped before any common server closes them.
        .pool_idle_timeout(Duration::from_millis(1500))
        .user_agent(concat!("Eingang/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = ca_bundle {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            Failure::permanent(
                "sync.tls",
                format!("the extra CA bundle cannot be read: {e}"),
            )
        })?;
        b = b.tls_certs_merge(certs);
    }
    b.build().map_err(|e| {
        Failure::permanent(
            "sync.tls",
            format!("the HTTP client cannot start: {}", cause_chain(&e)),
        )
    })
}

pub(crate) fn method(name: &'static str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET)
}

/// A URL as the user may see it: no credentials.
pub(crate) fn shown(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// A web page answered where an API was expected — a network's login page — but not a
/// refusal of the credentials: servlet containers and reverse proxies send their 401/403 as
/// an HTML page, and that is a wrong password, not a captive portal.
pub(crate) fn is_portal(status: StatusCode, headers: &HeaderMap) -> bool {
    is_html(headers) && !matches!(status.as_u16(), 401 | 403)
}

pub(crate) fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"))
}

/// A transport error in words, with the root cause (`reqwest` nests it).
pub(crate) fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

pub(crate) fn transport(e: &reqwest::Error, what: &str) -> Failure {
    classify(&cause_chain(e), e.is_timeout(), e.is_connect(), what)
}

/// A transport error by its cause chain (the words hyper and the resolver use).
fn classify(chain: &str, timeout: bool, connect: bool, what: &str) -> Failure {
    let lower = chain.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return Failure::transient(
            "sync.tls",
            format!("{what}: the server's certificate is not trusted ({chain}); if the city uses its own CA, set ca_bundle"),
        );
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        // Offline laptops cannot resolve names either: it waits like any unreachable target.
        return Failure::offline(
            "sync.dns",
            format!("{what}: the server's name cannot be resolved — no network, or a misspelt address ({chain})"),
        );
    }
    if timeout {
        return Failure::transient(
            "sync.timeout",
            format!("{what}: the server stopped answering ({chain})"),
        );
    }
    if connect {
        return Failure::offline("sync.offline", format!("{what}: cannot connect ({chain})"));
    }
    Failure::transient(
        "sync.connection_lost",
        format!("{what}: the connection broke off ({chain})"),
    )
}

/// The failure an unexpected status stands for.
pub(crate) fn status_failure(status: StatusCode, headers: &HeaderMap, what: &str) -> Failure {
    let code = status.as_u16();
    let d = |text: &str| format!("{what}: {status} — {text}");
    match code {
        401 | 403 => Failure::auth(d("the server refused the user name or password")),
        404 | 410 => Failure::transient(
            "sync.not_found",
            d("the address does not exist on the server (check the target's URL and folder)"),
        ),
        413 => Failure::permanent("sync.too_large", d("the server refuses files this large")),
        400 | 414 | 415 | 422 => Failure::permanent(
            "sync.name_rejected",
            d("the server refused the request (a name or type it does not accept)"),
        ),
        429 => Failure::transient("sync.rate_limited", d("the server asks to slow down"))
            .with_retry_after(retry_after(headers)),
        503 => Failure::transient(
            "sync.unavailable",
            d("the server is temporarily unavailable"),
        )
        .with_retry_after(retry_after(headers)),
        507 => Failure::transient(
            "sync.server_full",
            d("the server has no space left; its administrator must free some"),
        )
        .with_retry_after(retry_after(headers)),
        300..=399 => Failure::transient(
            "sync.redirected",
            d("the server redirects elsewhere (a network login page, or a wrong URL)"),
        ),
        500..=599 => Failure::transient("sync.server_error", d("the server failed"))
            .with_retry_after(retry_after(headers)),
        _ => Failure::transient("sync.protocol", d("unexpected answer")),
    }
}

/// A file's body, streamed and hashed on the way; `digest` holds the hash once sent.
pub(crate) fn body_of(file: &PackageFile) -> Result<(reqwest::Body, Arc<Mutex<Sha256>>), Failure> {
    let digest = Arc::new(Mutex::new(Sha256::new()));
    let body = match &file.content {
        Content::Inline(bytes) => {
            if let Ok(mut d) = digest.lock() {
                d.update(bytes);
            }
            reqwest::Body::from(bytes.clone())
        }
        Content::Blob(src) => {
            let d = digest.clone();
            let stream = blob_stream(file, src, 0, u64::MAX)?.inspect_ok(move |chunk| {
                if let Ok(mut d) = d.lock() {
                    d.update(chunk);
                }
            });
            reqwest::Body::wrap_stream(stream)
        }
    };
    Ok((body, digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn dns_tls_timeouts_and_refused_connections_each_have_their_code() {
        let code =
            |chain: &str, timeout: bool, connect: bool| classify(chain, timeout, connect, "x").code;
        assert_eq!(
            code("error sending request: client error (Connect): dns error: failed to lookup address information: Name or service not known", false, true),
            "sync.dns"
        );
        assert_eq!(
            code(
                "client error (Connect): invalid peer certificate: UnknownIssuer",
                false,
                true
            ),
            "sync.tls"
        );
        assert_eq!(code("operation timed out", true, false), "sync.timeout");
        assert_eq!(
            code(
                "tcp connect error: Connection refused (os error 111)",
                false,
                true
            ),
            "sync.offline"
        );
        assert_eq!(
            code("connection closed before message completed", false, false),
            "sync.connection_lost"
        );
        let h = HeaderMap::new();
        assert_eq!(
            status_failure(StatusCode::NOT_FOUND, &h, "x").code,
            "sync.not_found"
        );
        assert!(!status_failure(StatusCode::NOT_FOUND, &h, "x").is_permanent());
    }

    #[test]
    fn an_html_refusal_of_the_password_is_not_a_captive_portal() {
        let mut html = HeaderMap::new();
        html.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html;charset=iso-8859-1"),
        );
        let mut json = HeaderMap::new();
        json.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        assert!(is_portal(StatusCode::OK, &html));
        assert!(is_portal(StatusCode::FOUND, &html));
        assert!(
            !is_portal(StatusCode::UNAUTHORIZED, &html),
            "Jetty's 401 page"
        );
        assert!(!is_portal(StatusCode::FORBIDDEN, &html));
        assert!(!is_portal(StatusCode::OK, &json));
    }

    #[test]
    fn statuses_map_to_what_the_worker_does() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        let f = status_failure(StatusCode::TOO_MANY_REQUESTS, &h, "x");
        assert_eq!(
            (f.code, f.retry_after),
            ("sync.rate_limited", Some(Duration::from_secs(7)))
        );
        assert!(!f.is_permanent());
        assert!(status_failure(StatusCode::PAYLOAD_TOO_LARGE, &h, "x").is_permanent());
        assert_eq!(
            status_failure(StatusCode::UNAUTHORIZED, &h, "x").kind,
            crate::error::Kind::Auth
        );
        let full = status_failure(StatusCode::INSUFFICIENT_STORAGE, &HeaderMap::new(), "x");
        assert_eq!(full.code, "sync.server_full");
        assert!(
            !full.is_permanent(),
            "space can be freed: retried, with the reason shown"
        );
        assert_eq!(
            status_failure(StatusCode::FOUND, &h, "x").code,
            "sync.redirected"
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut h = HeaderMap::new();
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!((110..=120).contains(&d.as_secs()), "{d:?}");
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }
}
