//! The WebDAV connector (nscale's WebDAV interface, Nextcloud, any RFC 4918 server).
//!
//! Per file: `PUT` to a temporary name beside the target (`.<name>.part`, unconditional —
//! it is ours), check the bytes sent against the stored hash, `MOVE` it onto the final name
//! with `Overwrite: F`, then `GET` the final file and compare its SHA-256. A `412` on the
//! `MOVE` means the name exists: the same hash counts as delivered (a retry after a lost
//! answer), a different one is a conflict that is never overwritten. The index file goes
//! last, the same way, as the completion marker. Nothing relies on `If-None-Match` on
//! `PUT`, which `rclone serve webdav` and nginx ignore; `MOVE` with `Overwrite: F` is
//! honoured by every server we tested (WsgiDAV, Apache mod_dav).
//!
//! Bodies are streamed from the blob store and hashed on the way; nothing is buffered whole.

use crate::connector::{BoxFuture, Connector, Receipt};
use crate::error::Failure;
use crate::http::{body_of, is_html, method, shown, status_failure, transport, Endpoint};
use crate::package::{Content, Package, PackageFile};
use crate::template::{fill_folder, IndexTemplate, Render as _};
use futures_util::StreamExt;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Mutex;
use url::Url;

pub use eingang_config::Verify;

/// Printed without the password (see [`Endpoint`]).
#[derive(Debug, Clone)]
pub struct WebDavOptions {
    /// The collection deliveries go into, and the account.
    pub endpoint: Endpoint,
    /// Sub-folders under `url`, a template over the item's metadata (`{{formular}}/{{jahr}}`).
    pub folder: String,
    pub index: Option<IndexTemplate>,
    pub verify: Verify,
    /// Nextcloud: folders are created by the `PUT` itself (`X-NC-WebDAV-AutoMkcol`) and the
    /// server checks the `OC-Checksum` it is sent.
    pub nextcloud: bool,
    /// Nextcloud: files larger than this go up in chunks of this size (chunked upload v2).
    pub chunk_size: u64,
}

impl WebDavOptions {
    pub fn new(url: Url) -> Self {
        Self {
            endpoint: Endpoint::new(url),
            folder: String::new(),
            index: None,
            verify: Verify::Hash,
            nextcloud: false,
            chunk_size: 10 * 1024 * 1024,
        }
    }
}

#[derive(Debug)]
pub struct WebDav {
    opts: WebDavOptions,
    client: reqwest::Client,
    /// Collections known to exist (made or seen by this process).
    known: Mutex<HashSet<String>>,
    /// One folder creation at a time (Apache answers a racing `MKCOL` with 403).
    making: tokio::sync::Mutex<()>,
}

impl WebDav {
    pub fn new(mut opts: WebDavOptions) -> Result<Self, Failure> {
        opts.endpoint.as_collection();
        let client = opts.endpoint.connect()?;
        Ok(Self {
            opts,
            client,
            known: Mutex::new(HashSet::new()),
            making: tokio::sync::Mutex::new(()),
        })
    }

    fn req(&self, m: Method, url: &Url) -> RequestBuilder {
        self.opts.endpoint.request(&self.client, m, url.clone())
    }

    async fn send(&self, r: RequestBuilder, what: &str) -> Result<Response, Failure> {
        r.send().await.map_err(|e| transport(&e, what))
    }

    fn child(dir: &Url, name: &str) -> Url {
        let mut u = dir.clone();
        if let Ok(mut segs) = u.path_segments_mut() {
            segs.pop_if_empty().push(name);
        }
        u
    }

    fn dir_of(&self, p: &Package) -> Url {
        let mut u = self.opts.endpoint.url.clone();
        if let Ok(mut segs) = u.path_segments_mut() {
            segs.pop_if_empty();
            for seg in fill_folder(&self.opts.folder, p) {
                segs.push(&seg);
            }
            segs.push("");
        }
        u
    }

    /// Makes `dir` (and missing parents down from the base URL) exist.
    async fn ensure_dir(&self, dir: &Url) -> Result<(), Failure> {
        let known = |u: &Url| self.known.lock().is_ok_and(|k| k.contains(u.as_str()));
        if known(dir) {
            return Ok(());
        }
        let _one_at_a_time = self.making.lock().await;
        if known(dir) {
            return Ok(());
        }
        let mut chain = vec![dir.clone()];
        while let Some(cur) = chain.last().cloned() {
            let what = format!("creating the folder {}", shown(&cur));
            let resp = self.send(self.req(method("MKCOL"), &cur), &what).await?;
            match resp.status().as_u16() {
                // Made, or already there (405 by RFC 4918; some servers answer 301 for a
                // collection addressed without its slash).
                200 | 201 | 204 | 301 | 405 => {
                    if let Ok(mut k) = self.known.lock() {
                        k.insert(cur.to_string());
                    }
                    chain.pop();
                    if chain.is_empty() {
                        return Ok(());
                    }
                }
                // The parent is missing: make it first (up to the server root).
                409 if cur.path() != "/" && chain.len() < 32 => {
                    let mut parent = cur.clone();
                    if let Ok(mut segs) = parent.path_segments_mut() {
                        segs.pop_if_empty().pop().push("");
                    }
                    chain.push(parent);
                }
                // Apache: 403 when the folder appeared meanwhile; look before giving up.
                403 if self.is_collection(&cur).await => {
                    if let Ok(mut k) = self.known.lock() {
                        k.insert(cur.to_string());
                    }
                    chain.pop();
                    if chain.is_empty() {
                        return Ok(());
                    }
                }
                _ => return Err(status_failure(resp.status(), resp.headers(), &what)),
            }
        }
        Ok(())
    }

    async fn is_collection(&self, url: &Url) -> bool {
        let r = self
            .req(method("PROPFIND"), url)
            .header("Depth", "0")
            .send()
            .await;
        r.is_ok_and(|r| r.status().as_u16() == 207)
    }

    /// SHA-256 and size of what the server holds at `url`, or `None` if nothing is there.
    async fn remote_hash(&self, url: &Url) -> Result<Option<(String, u64)>, Failure> {
        let what = format!("reading back {}", shown(url));
        let resp = self.send(self.req(Method::GET, url), &what).await?;
        match resp.status() {
            StatusCode::NOT_FOUND | StatusCode::GONE => return Ok(None),
            s if s.is_success() => {}
            s => return Err(status_failure(s, resp.headers(), &what)),
        }
        if is_html(resp.headers()) {
            return Err(Failure::transient(
                "sync.captive_portal",
                format!("{what}: the server answered with a web page instead of the file (a network login page?)"),
            ));
        }
        let mut h = Sha256::new();
        let mut n = 0u64;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| transport(&e, &what))?;
            n += chunk.len() as u64;
            h.update(&chunk);
        }
        Ok(Some((hex::encode(h.finalize()), n)))
    }

    async fn remote_size(&self, url: &Url) -> Result<Option<u64>, Failure> {
        let what = format!("checking {}", shown(url));
        let resp = self.send(self.req(Method::HEAD, url), &what).await?;
        match resp.status() {
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            s if s.is_success() => Ok(resp
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())),
            s => Err(status_failure(s, resp.headers(), &what)),
        }
    }

    /// Whether the server holds exactly this file at `url` (`None`: nothing there).
    async fn holds(&self, url: &Url, sha256: &str, size: u64) -> Result<Option<bool>, Failure> {
        match self.opts.verify {
            Verify::Hash => Ok(self
                .remote_hash(url)
                .await?
                .map(|(h, n)| h == sha256 && n == size)),
            Verify::Size => Ok(self.remote_size(url).await?.map(|n| n == size)),
        }
    }

    fn conflict(url: &Url) -> Failure {
        Failure::permanent(
            "sync.conflict",
            format!(
                "{} already holds a different file; it was left untouched — move it aside on the server and retry",
                shown(url)
            ),
        )
    }

    async fn delete_quietly(&self, url: &Url) {
        let _ = self.req(Method::DELETE, url).send().await;
    }

    /// Removes our temporary file; a failure fails the attempt, so the retry cleans up.
    async fn delete_tmp(&self, url: &Url) -> Result<(), Failure> {
        let what = format!("removing the temporary {}", shown(url));
        let resp = self.send(self.req(Method::DELETE, url), &what).await?;
        match resp.status().as_u16() {
            200 | 204 | 404 => Ok(()),
            _ => Err(status_failure(resp.status(), resp.headers(), &what)),
        }
    }

    /// Nextcloud's upload area for chunked uploads (`…/remote.php/dav/uploads/<user>/`),
    /// derived from a target URL under `…/remote.php/dav/files/<user>/`.
    fn uploads_url(&self) -> Option<Url> {
        let path = self.opts.endpoint.url.path();
        let at = path.find("/remote.php/dav/files/")?;
        let rest = &path[at + "/remote.php/dav/files/".len()..];
        let user = rest.split('/').next().filter(|u| !u.is_empty())?;
        let mut u = self.opts.endpoint.url.clone();
        u.set_path(&format!("{}/remote.php/dav/uploads/{user}/", &path[..at]));
        Some(u)
    }

    /// The chunks of `file`, streamed; returns the SHA-256 of what was sent.
    async fn send_chunks(
        &self,
        folder: &Url,
        dest: &Url,
        file: &PackageFile,
        src: &eingang_store::blobs::BlobSource,
        what: &str,
    ) -> Result<String, Failure> {
        let total = file.size.to_string();
        let digest = std::sync::Arc::new(Mutex::new(Sha256::new()));
        let chunk = self.opts.chunk_size.max(1);
        let mut offset = 0u64;
        let mut n = 1u32;
        while offset < file.size {
            let len = chunk.min(file.size - offset);
            let d = digest.clone();
            let stream = crate::http::blob_stream(file, src, offset, len)?.inspect(move |r| {
                if let (Ok(bytes), Ok(mut d)) = (r, d.lock()) {
                    d.update(bytes);
                }
            });
            let put = self
                .req(Method::PUT, &Self::child(folder, &n.to_string()))
                .header("Destination", dest.as_str())
                .header("OC-Total-Length", &total)
                .header(CONTENT_LENGTH, len)
                .body(reqwest::Body::wrap_stream(stream));
            let resp = self.send(put, what).await?;
            if !resp.status().is_success() {
                return Err(status_failure(resp.status(), resp.headers(), what));
            }
            offset += len;
            n += 1;
        }
        Ok(digest
            .lock()
            .map(|d| hex::encode(d.clone().finalize()))
            .unwrap_or_default())
    }

    /// Nextcloud chunked upload v2: the chunks into an upload folder (each `PUT` naming the
    /// destination), then `MOVE .file` onto the final name with `Overwrite: F`, so the
    /// server assembles it there atomically; then the same read-back check as a plain upload.
    async fn put_chunked(
        &self,
        dest: &Url,
        file: &PackageFile,
        src: &eingang_store::blobs::BlobSource,
        uploads: &Url,
    ) -> Result<(), Failure> {
        let mut folder = Self::child(uploads, &format!("eingang-{}", &file.sha256[..32]));
        folder.set_path(&format!("{}/", folder.path()));
        let what = format!("uploading {} in chunks", shown(dest));
        let total = file.size.to_string();
        let resp = self
            .send(
                self.req(method("MKCOL"), &folder)
                    .header("Destination", dest.as_str()),
                &what,
            )
            .await?;
        if !matches!(resp.status().as_u16(), 201 | 405) {
            return Err(status_failure(resp.status(), resp.headers(), &what));
        }
        let sent = self.send_chunks(&folder, dest, file, src, &what).await?;
        if sent != file.sha256 {
            self.delete_quietly(&folder).await;
            return Err(Failure::permanent(
                "sync.local_missing",
                format!(
                    "the stored file for {} does not match its hash (damaged on this machine)",
                    file.name
                ),
            ));
        }
        let mv = self
            .req(method("MOVE"), &Self::child(&folder, ".file"))
            .header("Destination", dest.as_str())
            .header("Overwrite", "F")
            .header("OC-Total-Length", &total)
            .header("OC-Checksum", format!("SHA256:{}", file.sha256));
        let resp = self
            .send(mv, &format!("assembling {}", shown(dest)))
            .await?;
        let status = resp.status().as_u16();
        let result = match status {
            201 | 204 => match self.holds(dest, &file.sha256, file.size).await? {
                Some(true) => Ok(()),
                _ => Err(Failure::transient(
                    "sync.protocol",
                    format!(
                        "{}: the server holds other bytes than were sent",
                        shown(dest)
                    ),
                )),
            },
            412 => match self.holds(dest, &file.sha256, file.size).await? {
                Some(true) => Ok(()),
                Some(false) => Err(Self::conflict(dest)),
                None => Err(Failure::transient(
                    "sync.protocol",
                    format!("{what}: 412 but nothing is there"),
                )),
            },
            _ => Err(status_failure(resp.status(), resp.headers(), &what)),
        };
        if status != 201 && status != 204 {
            self.delete_quietly(&folder).await;
        }
        result
    }

    /// Uploads one file under a temporary name and moves it onto `name` without overwriting.
    /// PUTs `file` to `tmp` in `dir`; the answer and the digest of what was sent. A 409 (RFC
    /// 4918: the folder is gone — removed on the server since it was made) forgets what we
    /// knew, makes the folder again and sends once more.
    async fn put_tmp(
        &self,
        dir: &Url,
        tmp: &Url,
        file: &PackageFile,
        what: &str,
    ) -> Result<(reqwest::Response, std::sync::Arc<std::sync::Mutex<Sha256>>), Failure> {
        let mut remade = false;
        loop {
            let (body, digest) = body_of(file)?;
            let mut put = self
                .req(Method::PUT, tmp)
                .header(CONTENT_LENGTH, file.size)
                .header(CONTENT_TYPE, "application/octet-stream")
                .body(body);
            if self.opts.nextcloud {
                put = put
                    .header("X-NC-WebDAV-AutoMkcol", "1")
                    .header("OC-Checksum", format!("SHA256:{}", file.sha256));
            }
            let resp = self.send(put, what).await?;
            if resp.status() == StatusCode::CONFLICT && !remade {
                if let Ok(mut k) = self.known.lock() {
                    k.clear();
                }
                self.ensure_dir(dir).await?;
                remade = true;
                continue;
            }
            return Ok((resp, digest));
        }
    }

    async fn put_file(&self, dir: &Url, file: &PackageFile) -> Result<(), Failure> {
        let dest = Self::child(dir, &file.name);
        if let (true, Content::Blob(src), Some(uploads)) = (
            self.opts.nextcloud && file.size > self.opts.chunk_size,
            &file.content,
            self.uploads_url(),
        ) {
            return self.put_chunked(&dest, file, src, &uploads).await;
        }
        let tmp = Self::child(dir, &format!(".{}.part", file.name));
        let what = format!("uploading {}", shown(&dest));
        let (resp, digest) = self.put_tmp(dir, &tmp, file, &what).await?;
        if !resp.status().is_success() {
            let f = status_failure(resp.status(), resp.headers(), &what);
            // A 403 on one file while the target accepts us: the name or type is refused.
            if resp.status() == StatusCode::FORBIDDEN && self.probe_inner().await.is_ok() {
                return Err(Failure::permanent(
                    "sync.name_rejected",
                    format!("{what}: 403 — the server refuses this file name or type"),
                ));
            }
            return Err(f);
        }
        let sent = digest
            .lock()
            .map(|d| hex::encode(d.clone().finalize()))
            .unwrap_or_default();
        if sent != file.sha256 {
            self.delete_quietly(&tmp).await;
            return Err(Failure::permanent(
                "sync.local_missing",
                format!(
                    "the stored file for {} does not match its hash (damaged on this machine)",
                    file.name
                ),
            ));
        }
        let what = format!("moving into place {}", shown(&dest));
        let mv = self
            .req(method("MOVE"), &tmp)
            .header("Destination", dest.as_str())
            .header("Overwrite", "F");
        let resp = self.send(mv, &what).await?;
        match resp.status().as_u16() {
            201 | 204 => {
                if self.holds(&dest, &file.sha256, file.size).await? == Some(true) {
                    return Ok(());
                }
                // We just put it there; it is ours to remove so the retry starts clean.
                self.delete_quietly(&dest).await;
                Err(Failure::transient(
                    "sync.protocol",
                    format!(
                        "{}: the server holds other bytes than were sent",
                        shown(&dest)
                    ),
                ))
            }
            412 => {
                let same = self.holds(&dest, &file.sha256, file.size).await?;
                self.delete_tmp(&tmp).await?;
                match same {
                    Some(true) => Ok(()),
                    Some(false) => Err(Self::conflict(&dest)),
                    None => Err(Failure::transient(
                        "sync.protocol",
                        format!("{what}: 412 but nothing is there"),
                    )),
                }
            }
            // The temporary file vanished (a retry whose earlier MOVE succeeded, seen by a
            // server that checks the source first): look at the destination.
            404 => match self.holds(&dest, &file.sha256, file.size).await? {
                Some(true) => Ok(()),
                Some(false) => Err(Self::conflict(&dest)),
                None => Err(Failure::transient(
                    "sync.protocol",
                    format!("{what}: the uploaded file disappeared before it was moved"),
                )),
            },
            _ => Err(status_failure(resp.status(), resp.headers(), &what)),
        }
    }

    async fn probe_inner(&self) -> Result<(), Failure> {
        let url = &self.opts.endpoint.url;
        crate::http::require_password(
            self.opts.endpoint.user.as_ref(),
            self.opts.endpoint.password.as_ref(),
            url,
        )?;
        let what = format!("checking {}", shown(url));
        let body = r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>"#;
        let resp = self
            .send(
                self.req(method("PROPFIND"), url)
                    .header("Depth", "0")
                    .header(CONTENT_TYPE, "application/xml; charset=utf-8")
                    .body(body),
                &what,
            )
            .await?;
        match resp.status().as_u16() {
            // 404: reachable and accepted; the base collection is made on the first delivery.
            207 | 404 => Ok(()),
            200 if is_html(resp.headers()) => Err(Failure::offline(
                "sync.captive_portal",
                format!("{what}: a web page answered instead of the WebDAV server (a network login page?)"),
            )),
            _ => Err(status_failure(resp.status(), resp.headers(), &what)),
        }
    }

    async fn deliver_inner(&self, p: &Package, retry: bool) -> Result<Receipt, Failure> {
        let dir = self.dir_of(p);
        let (index_name, index) = match &self.opts.index {
            Some(t) => (t.file_name(p), t.render(p)),
            None => (format!("{}.index.xml", p.id), p.index_xml.clone()),
        };
        let index_sha = hex::encode(Sha256::digest(index.as_bytes()));
        let index_url = Self::child(&dir, &index_name);
        let receipt = Receipt {
            location: shown(&index_url),
            sha256: index_sha.clone(),
        };
        self.ensure_dir(&dir).await?;
        if retry {
            // The completion marker is there: the whole delivery is.
            match self.remote_hash(&index_url).await? {
                Some((h, _)) if h == index_sha => return Ok(receipt),
                Some(_) => return Err(Self::conflict(&index_url)),
                None => {}
            }
        }
        for f in &p.files {
            self.put_file(&dir, f).await?;
        }
        let marker = PackageFile {
            name: index_name,
            sha256: index_sha,
            size: index.len() as u64,
            content: Content::Inline(index.into_bytes()),
        };
        self.put_file(&dir, &marker).await?;
        Ok(receipt)
    }
}

/// One entry of a collection listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub etag: Option<String>,
    pub is_collection: bool,
}

/// Parses a `207 Multi-Status` answer to `PROPFIND` (no DTDs, no entities: roxmltree).
pub fn parse_multistatus(xml: &str) -> Result<Vec<(String, Entry)>, roxmltree::Error> {
    let doc = roxmltree::Document::parse(xml)?;
    let dav = |n: &roxmltree::Node<'_, '_>, name: &str| {
        n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some("DAV:")
    };
    let mut out = Vec::new();
    for resp in doc.descendants().filter(|n| dav(n, "response")) {
        let Some(href) = resp
            .children()
            .find(|n| dav(n, "href"))
            .and_then(|n| n.text())
        else {
            continue;
        };
        let href = percent_encoding::percent_decode_str(href.trim())
            .decode_utf8_lossy()
            .into_owned();
        let ok_props = resp.children().filter(|n| dav(n, "propstat")).filter(|ps| {
            ps.children()
                .find(|n| dav(n, "status"))
                .and_then(|n| n.text())
                .is_none_or(|t| t.contains(" 200"))
        });
        let mut entry = Entry {
            name: href
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            size: 0,
            etag: None,
            is_collection: false,
        };
        for ps in ok_props {
            for prop in ps.descendants().filter(roxmltree::Node::is_element) {
                match (prop.tag_name().namespace(), prop.tag_name().name()) {
                    (Some("DAV:"), "getcontentlength") => {
                        entry.size = prop.text().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
                    }
                    (Some("DAV:"), "getetag") => {
                        entry.etag = prop.text().map(|t| t.trim().to_owned());
                    }
                    (Some("DAV:"), "collection") => entry.is_collection = true,
                    _ => {}
                }
            }
        }
        out.push((href, entry));
    }
    Ok(out)
}

impl WebDav {
    /// The files in `folder` (relative to the target URL), without sub-collections.
    pub async fn list(&self, folder: &str) -> Result<Vec<Entry>, Failure> {
        let mut url = self.opts.endpoint.url.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty();
            for seg in folder.split('/').filter(|s| !s.is_empty()) {
                segs.push(seg);
            }
            segs.push("");
        }
        let what = format!("listing {}", shown(&url));
        let body = r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getetag/></d:prop></d:propfind>"#;
        let resp = self
            .send(
                self.req(method("PROPFIND"), &url)
                    .header("Depth", "1")
                    .header(CONTENT_TYPE, "application/xml; charset=utf-8")
                    .body(body),
                &what,
            )
            .await?;
        match resp.status().as_u16() {
            207 => {}
            404 => return Ok(Vec::new()),
            _ => return Err(status_failure(resp.status(), resp.headers(), &what)),
        }
        let text = resp.text().await.map_err(|e| transport(&e, &what))?;
        let own = url.path().trim_end_matches('/').to_owned();
        let entries = parse_multistatus(&text)
            .map_err(|e| Failure::transient("sync.protocol", format!("{what}: {e}")))?;
        Ok(entries
            .into_iter()
            .filter(|(href, e)| {
                !e.is_collection && href.trim_end_matches('/') != own && !e.name.starts_with('.')
            })
            .map(|(_, e)| e)
            .collect())
    }

    /// Reads one file of `folder`, refusing anything larger than `limit` bytes.
    pub async fn fetch(&self, folder: &str, name: &str, limit: u64) -> Result<Vec<u8>, Failure> {
        let mut url = self.opts.endpoint.url.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty();
            for seg in folder.split('/').filter(|s| !s.is_empty()) {
                segs.push(seg);
            }
            segs.push(name);
        }
        let what = format!("reading {}", shown(&url));
        let resp = self.send(self.req(Method::GET, &url), &what).await?;
        if !resp.status().is_success() {
            return Err(status_failure(resp.status(), resp.headers(), &what));
        }
        let mut out = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| transport(&e, &what))?;
            out.extend_from_slice(&chunk);
            if out.len() as u64 > limit {
                return Err(Failure::permanent(
                    "sync.too_large",
                    format!("{what}: larger than {limit} bytes; not a form definition"),
                ));
            }
        }
        Ok(out)
    }
}

impl Connector for WebDav {
    fn location(&self) -> String {
        shown(&self.opts.endpoint.url)
    }

    fn probe(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(self.probe_inner())
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package,
        retry: bool,
    ) -> BoxFuture<'a, Result<Receipt, Failure>> {
        Box::pin(self.deliver_inner(package, retry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_move_to_the_header_and_never_show() {
        let w = WebDav::new(WebDavOptions::new(
            Url::parse("http://svc:geheim@127.0.0.1:1/dav/eingang").unwrap(),
        ))
        .unwrap();
        assert_eq!(w.location(), "http://127.0.0.1:1/dav/eingang/");
        assert_eq!(w.opts.endpoint.user.as_deref(), Some("svc"));
        assert_eq!(w.opts.endpoint.password.as_deref(), Some("geheim"));
    }
}
