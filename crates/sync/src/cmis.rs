//! The CMIS 1.1 Browser Binding connector (nscale's CMIS interface, Alfresco, Nuxeo).
//!
//! Per item: the folder (path resolved from the root, missing folders made with
//! `createFolder`); a query for documents whose id property holds the item's id (what an
//! earlier attempt stored); then for each file not yet there a `createDocument` (multipart,
//! the content streamed) with the configured custom type and properties; the index
//! document last as the completion marker. A file already there with the same SHA-256 counts
//! as delivered; another file under the same name is a conflict, never overwritten. The
//! repository's own name uniqueness (`contentAlreadyExists`) is the second guard when a
//! query index lags behind. Every created document is read back and its hash compared.

use crate::connector::{BoxFuture, Connector, Receipt};
use crate::error::Failure;
use crate::http::{is_portal, shown, status_failure, transport, Endpoint};
use crate::package::{Content, Package, PackageFile};
use crate::template::{fill_folder, fill_value, IndexTemplate, Render as _};
use futures_util::StreamExt;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use url::Url;

/// Printed without the password (see [`Endpoint`]).
#[derive(Debug, Clone)]
pub struct CmisOptions {
    /// The Browser Binding service URL (`…/browser`), and the account.
    pub endpoint: Endpoint,
    /// The repository id; the first one the service lists when `None`.
    pub repository: Option<String>,
    /// Folder path below the root (a template over the item's metadata).
    pub folder: String,
    /// The document type to create (a custom type that has the properties below).
    pub type_id: String,
    /// The property holding the item's id (idempotency: queried before writing).
    pub id_property: String,
    /// The property holding a file's SHA-256.
    pub hash_property: String,
    /// More properties: id → template over the item's metadata.
    pub properties: BTreeMap<String, String>,
    pub index: Option<IndexTemplate>,
}

impl CmisOptions {
    pub fn new(url: Url) -> Self {
        Self {
            endpoint: Endpoint::new(url),
            repository: None,
            folder: String::new(),
            type_id: "eingang:dokument".into(),
            id_property: "eingang:vorgang".into(),
            hash_property: "eingang:sha256".into(),
            properties: BTreeMap::new(),
            index: None,
        }
    }
}

#[derive(Debug, Clone)]
struct Repo {
    repository_url: Url,
    root_folder_url: Url,
}

#[derive(Debug)]
pub struct Cmis {
    opts: CmisOptions,
    client: reqwest::Client,
    repo: tokio::sync::OnceCell<Repo>,
    /// One folder creation at a time.
    making: tokio::sync::Mutex<()>,
}

/// A document the repository already holds for an item.
#[derive(Debug, Clone)]
struct Existing {
    object_id: String,
    sha256: Option<String>,
}

/// CMIS SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn prop(obj: &Value, id: &str) -> Option<String> {
    let v = obj
        .get("succinctProperties")
        .and_then(|p| p.get(id))
        .or_else(|| {
            obj.get("properties")
                .and_then(|p| p.get(id))
                .and_then(|p| p.get("value"))
        })?;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
        other => Some(other.to_string()),
    }
}

impl Cmis {
    pub fn new(mut opts: CmisOptions) -> Result<Self, Failure> {
        let client = opts.endpoint.connect()?;
        Ok(Self {
            opts,
            client,
            repo: tokio::sync::OnceCell::new(),
            making: tokio::sync::Mutex::new(()),
        })
    }

    fn req(&self, m: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.opts.endpoint.request(&self.client, m, url)
    }

    /// Reads a JSON answer; a web page (captive portal) or a CMIS exception is a failure.
    async fn json(&self, resp: Response, what: &str) -> Result<Value, Failure> {
        let status = resp.status();
        let headers = resp.headers().clone();
        if is_portal(status, &headers) {
            return Err(Failure::offline(
                "sync.captive_portal",
                format!("{what}: a web page answered instead of the CMIS service (a network login page?)"),
            ));
        }
        let text = resp.text().await.map_err(|e| transport(&e, what))?;
        if !status.is_success() {
            let exception = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| {
                    v.get("exception")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            let mut f = status_failure(status, &headers, what);
            if !exception.is_empty() {
                f.detail = format!("{} ({exception})", f.detail);
            }
            return Err(f);
        }
        serde_json::from_str(&text).map_err(|e| {
            Failure::transient(
                "sync.protocol",
                format!("{what}: not the JSON CMIS answers with ({e})"),
            )
        })
    }

    async fn repo(&self) -> Result<&Repo, Failure> {
        self.repo
            .get_or_try_init(|| async {
                let what = format!(
                    "reading the repositories of {}",
                    shown(&self.opts.endpoint.url)
                );
                let resp = self
                    .req(reqwest::Method::GET, self.opts.endpoint.url.clone())
                    .send()
                    .await
                    .map_err(|e| transport(&e, &what))?;
                let infos = self.json(resp, &what).await?;
                let info = match &self.opts.repository {
                    Some(id) => infos.get(id),
                    None => infos.as_object().and_then(|m| m.values().next()),
                }
                .ok_or_else(|| {
                    Failure::permanent(
                        "sync.protocol",
                        format!(
                            "{what}: no repository {}",
                            self.opts.repository.as_deref().unwrap_or("at all")
                        ),
                    )
                })?;
                let url = |key: &str| {
                    info.get(key)
                        .and_then(Value::as_str)
                        .and_then(|u| Url::parse(u).ok())
                        .ok_or_else(|| {
                            Failure::permanent("sync.protocol", format!("{what}: no {key}"))
                        })
                };
                Ok(Repo {
                    repository_url: url("repositoryUrl")?,
                    root_folder_url: url("rootFolderUrl")?,
                })
            })
            .await
    }

    fn at_path(root: &Url, segments: &[String]) -> Url {
        let mut u = root.clone();
        if let Ok(mut segs) = u.path_segments_mut() {
            segs.pop_if_empty();
            for s in segments {
                segs.push(s);
            }
        }
        u
    }

    /// The object at `segments` below the root, `None` if there is none.
    async fn object_by_path(&self, segments: &[String]) -> Result<Option<Value>, Failure> {
        let repo = self.repo().await?;
        let mut url = Self::at_path(&repo.root_folder_url, segments);
        url.query_pairs_mut()
            .append_pair("cmisselector", "object")
            .append_pair("succinct", "true");
        let what = format!("looking up /{}", segments.join("/"));
        let resp = self
            .req(reqwest::Method::GET, url)
            .send()
            .await
            .map_err(|e| transport(&e, &what))?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.json(resp, &what).await.map(Some)
    }

    async fn ensure_folder(&self, segments: &[String]) -> Result<(), Failure> {
        let _one = self.making.lock().await;
        for i in 1..=segments.len() {
            if self.object_by_path(&segments[..i]).await?.is_some() {
                continue;
            }
            let repo = self.repo().await?;
            let url = Self::at_path(&repo.root_folder_url, &segments[..i - 1]);
            let what = format!("creating the folder /{}", segments[..i].join("/"));
            let form = reqwest::multipart::Form::new()
                .text("cmisaction", "createFolder")
                .text("propertyId[0]", "cmis:objectTypeId")
                .text("propertyValue[0]", "cmis:folder")
                .text("propertyId[1]", "cmis:name")
                .text("propertyValue[1]", segments[i - 1].clone())
                .text("succinct", "true");
            let resp = self
                .req(reqwest::Method::POST, url)
                .multipart(form)
                .send()
                .await
                .map_err(|e| transport(&e, &what))?;
            // 409: made meanwhile by someone else (name constraint) — fine.
            if resp.status() != StatusCode::CONFLICT {
                self.json(resp, &what).await?;
            }
        }
        Ok(())
    }

    /// What the repository already holds for `item` (by the id property), by name.
    async fn existing(&self, item: &str) -> Result<HashMap<String, Existing>, Failure> {
        let repo = self.repo().await?;
        let q = format!(
            "SELECT cmis:objectId, cmis:name, {} FROM {} WHERE {} = {}",
            self.opts.hash_property,
            self.opts.type_id,
            self.opts.id_property,
            literal(item)
        );
        let mut url = repo.repository_url.clone();
        url.query_pairs_mut()
            .append_pair("cmisselector", "query")
            .append_pair("q", &q)
            .append_pair("succinct", "true")
            .append_pair("maxItems", "1000");
        let what = format!("asking the repository what it holds of {item}");
        let resp = self
            .req(reqwest::Method::GET, url)
            .send()
            .await
            .map_err(|e| transport(&e, &what))?;
        let v = self.json(resp, &what).await?;
        let mut out = HashMap::new();
        for r in v
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(name), Some(id)) = (prop(r, "cmis:name"), prop(r, "cmis:objectId")) {
                out.insert(
                    name,
                    Existing {
                        object_id: id,
                        sha256: prop(r, &self.opts.hash_property),
                    },
                );
            }
        }
        Ok(out)
    }

    /// SHA-256 of a document's content stream.
    async fn content_hash(&self, object_id: &str) -> Result<String, Failure> {
        let repo = self.repo().await?;
        let mut url = repo.root_folder_url.clone();
        url.query_pairs_mut()
            .append_pair("objectId", object_id)
            .append_pair("cmisselector", "content");
        let what = format!("reading back document {object_id}");
        let resp = self
            .req(reqwest::Method::GET, url)
            .send()
            .await
            .map_err(|e| transport(&e, &what))?;
        if !resp.status().is_success() {
            return Err(status_failure(resp.status(), resp.headers(), &what));
        }
        let mut h = Sha256::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            h.update(&chunk.map_err(|e| transport(&e, &what))?);
        }
        Ok(hex::encode(h.finalize()))
    }

    fn conflict(name: &str) -> Failure {
        Failure::permanent(
            "sync.conflict",
            format!(
                "{name}: the repository already holds a different document under this name for this item; it was left untouched — clear it there and retry"
            ),
        )
    }

    /// Checks an existing document against the file: same hash → delivered.
    async fn same(&self, e: &Existing, file: &PackageFile) -> Result<(), Failure> {
        let remote = match &e.sha256 {
            Some(h) if h == &file.sha256 => self.content_hash(&e.object_id).await?,
            Some(_) => return Err(Self::conflict(&file.name)),
            None => self.content_hash(&e.object_id).await?,
        };
        if remote == file.sha256 {
            Ok(())
        } else {
            Err(Self::conflict(&file.name))
        }
    }

    async fn create(
        &self,
        folder: &[String],
        p: &Package,
        file: &PackageFile,
    ) -> Result<String, Failure> {
        let repo = self.repo().await?;
        let url = Self::at_path(&repo.root_folder_url, folder);
        let what = format!("creating {} in /{}", file.name, folder.join("/"));
        let mut props: Vec<(String, String)> = vec![
            ("cmis:objectTypeId".into(), self.opts.type_id.clone()),
            ("cmis:name".into(), file.name.clone()),
            (self.opts.id_property.clone(), p.id.clone()),
            (self.opts.hash_property.clone(), file.sha256.clone()),
        ];
        for (id, template) in &self.opts.properties {
            let value = fill_value(template, p);
            props.push((id.clone(), value));
        }
        let mut form = reqwest::multipart::Form::new()
            .text("cmisaction", "createDocument")
            .text("succinct", "true");
        for (i, (id, value)) in props.into_iter().enumerate() {
            form = form
                .text(format!("propertyId[{i}]"), id)
                .text(format!("propertyValue[{i}]"), value);
        }
        let part = crate::http::multipart_part(file)?;
        form = form.part("content", part);
        let resp = self
            .req(reqwest::Method::POST, url)
            .multipart(form)
            .send()
            .await
            .map_err(|e| transport(&e, &what))?;
        if resp.status() == StatusCode::CONFLICT {
            // The name is taken in that folder: an earlier attempt, or someone else's.
            let mut path = folder.to_vec();
            path.push(file.name.clone());
            let obj = self.object_by_path(&path).await?.ok_or_else(|| {
                Failure::transient("sync.protocol", format!("{what}: 409 but nothing is there"))
            })?;
            let existing = Existing {
                object_id: prop(&obj, "cmis:objectId").unwrap_or_default(),
                sha256: prop(&obj, &self.opts.hash_property),
            };
            self.same(&existing, file).await?;
            return Ok(existing.object_id);
        }
        let obj = self.json(resp, &what).await?;
        let id = prop(&obj, "cmis:objectId").ok_or_else(|| {
            Failure::transient(
                "sync.protocol",
                format!("{what}: the answer has no cmis:objectId"),
            )
        })?;
        if self.content_hash(&id).await? != file.sha256 {
            return Err(Failure::transient(
                "sync.protocol",
                format!("{what}: the repository holds other bytes than were sent"),
            ));
        }
        Ok(id)
    }

    async fn deliver_inner(&self, p: &Package) -> Result<Receipt, Failure> {
        let folder = fill_folder(&self.opts.folder, p);
        let (index_name, index) = match &self.opts.index {
            Some(t) => (t.file_name(p), t.render(p)),
            None => (format!("{}.index.xml", p.id), p.index_xml.clone()),
        };
        let marker = PackageFile {
            name: index_name,
            sha256: hex::encode(Sha256::digest(index.as_bytes())),
            size: index.len() as u64,
            content: Content::Inline(index.into_bytes()),
        };
        self.ensure_folder(&folder).await?;
        let existing = self.existing(&p.id).await?;
        if let Some(e) = existing.get(&marker.name) {
            self.same(e, &marker).await?;
            return Ok(Receipt {
                location: format!("cmis:{}", e.object_id),
                sha256: marker.sha256,
            });
        }
        for f in &p.files {
            match existing.get(&f.name) {
                Some(e) => self.same(e, f).await?,
                None => {
                    self.create(&folder, p, f).await?;
                }
            }
        }
        let id = self.create(&folder, p, &marker).await?;
        Ok(Receipt {
            location: format!("cmis:{id}"),
            sha256: marker.sha256,
        })
    }
}

impl Connector for Cmis {
    fn location(&self) -> String {
        match &self.opts.repository {
            Some(r) => format!("{} ({r})", shown(&self.opts.endpoint.url)),
            None => shown(&self.opts.endpoint.url),
        }
    }

    fn probe(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async move {
            crate::http::require_password(
                self.opts.endpoint.user.as_ref(),
                self.opts.endpoint.password.as_ref(),
                &self.opts.endpoint.url,
            )?;
            // The repository list needs the credentials; the root folder proves them.
            self.repo().await?;
            self.object_by_path(&[]).await?;
            Ok(())
        })
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package,
        _retry: bool,
    ) -> BoxFuture<'a, Result<Receipt, Failure>> {
        Box::pin(self.deliver_inner(package))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_literals_are_escaped() {
        assert_eq!(super::literal("a'b\\c"), "'a\\'b\\\\c'");
    }
}
