//! An in-process server that speaks Nextcloud's WebDAV dialect as documented (developer
//! manual, "WebDAV: chunked file upload v2"): `remote.php/dav/files/<user>/…` for files,
//! `remote.php/dav/uploads/<user>/<id>/` for upload sessions whose `MKCOL` and chunk `PUT`s
//! name the `Destination`, `MOVE …/.file` assembling the chunks (checking `OC-Total-Length`
//! and `OC-Checksum`, honouring `Overwrite: F`), `X-NC-WebDAV-AutoMkcol` on `PUT`. Nextcloud
//! itself is a PHP application that cannot be installed on this machine.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
pub struct Cloud {
    pub files: BTreeMap<String, Vec<u8>>,
    pub dirs: BTreeSet<String>,
    /// Upload sessions: id → (destination, chunks by number).
    pub uploads: HashMap<String, (String, BTreeMap<u32, Vec<u8>>)>,
    pub chunk_puts: usize,
    pub plain_puts_with_automkcol: usize,
    pub assembled_with_checksum: usize,
}

pub struct Server {
    /// The target URL (a folder under the user's files).
    pub url: String,
    pub cloud: Arc<Mutex<Cloud>>,
}

const FILES: &str = "/remote.php/dav/files/eingang/";
const UPLOADS: &str = "/remote.php/dav/uploads/eingang/";

pub async fn start() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cloud = Arc::new(Mutex::new(Cloud::default()));
    cloud
        .lock()
        .unwrap()
        .dirs
        .insert(FILES.trim_end_matches('/').to_owned());
    let app = Router::new().fallback(handle).with_state(cloud.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server {
        url: format!("http://127.0.0.1:{port}{FILES}Eingang/"),
        cloud,
    }
}

fn path_of(url: &str) -> String {
    let p = url.find("://").map_or(url, |i| {
        let rest = &url[i + 3..];
        rest.find('/').map_or("/", |j| &rest[j..])
    });
    percent_encoding::percent_decode_str(p)
        .decode_utf8_lossy()
        .trim_end_matches('/')
        .to_owned()
}

fn parent(p: &str) -> String {
    p.rsplit_once('/')
        .map(|(a, _)| a.to_owned())
        .unwrap_or_default()
}

async fn handle(
    State(cloud): State<Arc<Mutex<Cloud>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("eingang:geheim-42")
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let path = path_of(&uri.to_string());
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut c = cloud.lock().unwrap();
    match method.as_str() {
        "PROPFIND" => {
            if c.dirs.contains(&path) || c.files.contains_key(&path) {
                (StatusCode::MULTI_STATUS, [("content-type", "application/xml")], format!(
                    r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>{path}/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#
                )).into_response()
            } else {
                StatusCode::NOT_FOUND.into_response()
            }
        }
        "MKCOL" => {
            if let Some(id) = path
                .strip_prefix(UPLOADS.trim_end_matches('/'))
                .map(|s| s.trim_matches('/').to_owned())
            {
                let Some(dest) = header("destination") else {
                    return StatusCode::BAD_REQUEST.into_response();
                };
                if c.uploads.contains_key(&id) {
                    return StatusCode::METHOD_NOT_ALLOWED.into_response();
                }
                c.uploads.insert(id, (path_of(&dest), BTreeMap::new()));
                return StatusCode::CREATED.into_response();
            }
            if c.dirs.contains(&path) {
                return StatusCode::METHOD_NOT_ALLOWED.into_response();
            }
            if !c.dirs.contains(&parent(&path)) {
                return StatusCode::CONFLICT.into_response();
            }
            c.dirs.insert(path);
            StatusCode::CREATED.into_response()
        }
        "PUT" => {
            if let Some(rest) = path.strip_prefix(UPLOADS.trim_end_matches('/')) {
                let (id, n) = rest.trim_matches('/').split_once('/').unwrap_or_default();
                let (Some(dest), Some(_total), Ok(n)) = (
                    header("destination"),
                    header("oc-total-length"),
                    n.parse::<u32>(),
                ) else {
                    return StatusCode::BAD_REQUEST.into_response();
                };
                let id = id.to_owned();
                c.chunk_puts += 1;
                let Some(session) = c.uploads.get_mut(&id) else {
                    return StatusCode::NOT_FOUND.into_response();
                };
                if session.0 != path_of(&dest) {
                    return StatusCode::BAD_REQUEST.into_response();
                }
                session.1.insert(n, body.to_vec());
                return StatusCode::CREATED.into_response();
            }
            if header("x-nc-webdav-automkcol").as_deref() == Some("1") {
                c.plain_puts_with_automkcol += 1;
                let mut p = parent(&path);
                let mut missing = Vec::new();
                while !c.dirs.contains(&p) && p.len() > 1 {
                    missing.push(p.clone());
                    p = parent(&p);
                }
                c.dirs.extend(missing);
            }
            if !c.dirs.contains(&parent(&path)) {
                return StatusCode::CONFLICT.into_response();
            }
            let existed = c.files.insert(path, body.to_vec()).is_some();
            if existed {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::CREATED
            }
            .into_response()
        }
        "MOVE" => {
            let Some(dest) = header("destination").map(|d| path_of(&d)) else {
                return StatusCode::BAD_REQUEST.into_response();
            };
            let no_overwrite = header("overwrite").as_deref() == Some("F");
            if no_overwrite && c.files.contains_key(&dest) {
                return StatusCode::PRECONDITION_FAILED.into_response();
            }
            if let Some(rest) = path.strip_prefix(UPLOADS.trim_end_matches('/')) {
                let id = rest.trim_matches('/').trim_end_matches("/.file").to_owned();
                let Some((_, chunks)) = c.uploads.remove(&id) else {
                    return StatusCode::NOT_FOUND.into_response();
                };
                let whole: Vec<u8> = chunks.into_values().flatten().collect();
                if header("oc-total-length").and_then(|t| t.parse::<usize>().ok())
                    != Some(whole.len())
                {
                    return StatusCode::BAD_REQUEST.into_response();
                }
                if let Some(sum) = header("oc-checksum") {
                    if sum != format!("SHA256:{}", hex::encode(Sha256::digest(&whole))) {
                        return StatusCode::BAD_REQUEST.into_response();
                    }
                    c.assembled_with_checksum += 1;
                }
                c.files.insert(dest, whole);
                return StatusCode::CREATED.into_response();
            }
            let Some(bytes) = c.files.remove(&path) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            c.files.insert(dest, bytes);
            StatusCode::CREATED.into_response()
        }
        "GET" => match c.files.get(&path) {
            Some(b) => b.clone().into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        "DELETE" => {
            let gone = c.files.remove(&path).is_some()
                || path
                    .strip_prefix(UPLOADS.trim_end_matches('/'))
                    .is_some_and(|id| c.uploads.remove(id.trim_matches('/')).is_some());
            if gone {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::NOT_FOUND
            }
            .into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}
