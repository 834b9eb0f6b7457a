//! The Mayan EDMS connector (REST API v4), a real open-source DMS.
//!
//! Per file of an item: upload through the configured source's `document_upload` action
//! (document type, label = file name, `immediate_mode`), then the metadata (the item id, the
//! file name, the configured extra values), then wait until Mayan has processed the file
//! and compare the SHA-256 it reports (`file_latest.checksum`). The index document last.
//!
//! Mayan accepts duplicates, so idempotency is ours: before writing, the documents whose
//! item-id metadata holds the item's id are looked up; on a retry also documents labelled
//! with one of the item's file names (the names contain the item's UUID) that lack the
//! metadata — an upload whose metadata call never happened — are adopted and completed.

use crate::connector::{BoxFuture, Connector, Receipt};
use crate::error::Failure;
use crate::http::{is_portal, shown, status_failure, transport, Endpoint};
use crate::package::{Content, Package, PackageFile};
use crate::template::{fill_value, IndexTemplate, Render as _};
use reqwest::header::ACCEPT;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use url::Url;

/// Printed without the password (see [`Endpoint`]).
#[derive(Debug, Clone)]
pub struct MayanOptions {
    /// Mayan's base URL (`https://dms.example/`), and the account.
    pub endpoint: Endpoint,
    /// The document type's label.
    pub document_type: String,
    /// The source whose `document_upload` action is used; the first source when `None`.
    pub source: Option<u64>,
    /// Metadata type names: the item id and the file name.
    pub id_metadata: String,
    pub file_metadata: String,
    /// More metadata: type name → template over the item's metadata.
    pub metadata: BTreeMap<String, String>,
    pub index: Option<IndexTemplate>,
    /// How long to wait for Mayan to process an uploaded file.
    pub processing_timeout: Duration,
}

impl MayanOptions {
    pub fn new(url: Url) -> Self {
        Self {
            endpoint: Endpoint::new(url),
            document_type: "Eingang".into(),
            source: None,
            id_metadata: "eingang_vorgang".into(),
            file_metadata: "eingang_datei".into(),
            metadata: BTreeMap::new(),
            index: None,
            processing_timeout: Duration::from_secs(120),
        }
    }
}

/// Ids Mayan gave the configured names.
#[derive(Debug, Clone)]
struct Ids {
    document_type: u64,
    upload_url: Url,
    metadata: HashMap<String, u64>,
}

#[derive(Debug)]
pub struct Mayan {
    opts: MayanOptions,
    client: reqwest::Client,
    ids: tokio::sync::OnceCell<Ids>,
}

/// A document Mayan holds for an item.
#[derive(Debug, Clone)]
struct Doc {
    id: u64,
    checksum: Option<String>,
    has_metadata: bool,
}

impl Mayan {
    pub fn new(mut opts: MayanOptions) -> Result<Self, Failure> {
        opts.endpoint.as_collection();
        let client = opts.endpoint.connect()?;
        Ok(Self {
            opts,
            client,
            ids: tokio::sync::OnceCell::new(),
        })
    }

    fn api(&self, path: &str) -> Url {
        self.opts
            .endpoint
            .url
            .join(&format!("api/v4/{path}"))
            .unwrap_or_else(|_| self.opts.endpoint.url.clone())
    }

    fn req(&self, m: Method, url: Url) -> RequestBuilder {
        self.opts
            .endpoint
            .request(&self.client, m, url)
            .header(ACCEPT, "application/json")
    }

    async fn call(&self, r: RequestBuilder, what: &str) -> Result<Value, Failure> {
        let resp = r.send().await.map_err(|e| transport(&e, what))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        if is_portal(status, &headers) {
            return Err(Failure::offline(
                "sync.captive_portal",
                format!(
                    "{what}: a web page answered instead of Mayan's API (a network login page?)"
                ),
            ));
        }
        // Mayan answers a bad token or password with 403, like a missing permission.
        if !status.is_success() {
            return Err(status_failure(status, &headers, what));
        }
        let text = resp.text().await.map_err(|e| transport(&e, what))?;
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|e| Failure::transient("sync.protocol", format!("{what}: not JSON ({e})")))
    }

    /// Every result of a paginated list.
    async fn list(&self, mut url: Url, what: &str) -> Result<Vec<Value>, Failure> {
        let mut out = Vec::new();
        for _ in 0..100 {
            let page = self.call(self.req(Method::GET, url.clone()), what).await?;
            out.extend(page["results"].as_array().cloned().unwrap_or_default());
            match page["next"].as_str().and_then(|n| Url::parse(n).ok()) {
                Some(next) => url = next,
                None => break,
            }
        }
        Ok(out)
    }

    async fn ids(&self) -> Result<&Ids, Failure> {
        self.ids
            .get_or_try_init(|| async {
                let types = self.list(self.api("document_types/"), "listing document types").await?;
                let document_type = types
                    .iter()
                    .find(|t| t["label"] == self.opts.document_type.as_str())
                    .and_then(|t| t["id"].as_u64())
                    .ok_or_else(|| {
                        Failure::permanent(
                            "sync.protocol",
                            format!(
                                "Mayan has no document type {:?}; create it (with the metadata types) or configure another",
                                self.opts.document_type
                            ),
                        )
                    })?;
                let sources = self.list(self.api("sources/"), "listing sources").await?;
                let source = sources
                    .iter()
                    .find(|s| self.opts.source.is_none_or(|id| s["id"].as_u64() == Some(id)))
                    .and_then(|s| s["id"].as_u64())
                    .ok_or_else(|| Failure::permanent("sync.protocol", "Mayan has no such document source"))?;
                let upload_url = self.api(&format!("sources/{source}/actions/document_upload/execute/"));
                let types = self.list(self.api("metadata_types/"), "listing metadata types").await?;
                let mut metadata = HashMap::new();
                for t in types {
                    if let (Some(name), Some(id)) = (t["name"].as_str(), t["id"].as_u64()) {
                        metadata.insert(name.to_owned(), id);
                    }
                }
                for needed in [&self.opts.id_metadata, &self.opts.file_metadata]
                    .into_iter()
                    .chain(self.opts.metadata.keys())
                {
                    if !metadata.contains_key(needed) {
                        return Err(Failure::permanent(
                            "sync.protocol",
                            format!("Mayan has no metadata type {needed:?}; create it and attach it to {:?}", self.opts.document_type),
                        ));
                    }
                }
                Ok(Ids {
                    document_type,
                    upload_url,
                    metadata,
                })
            })
            .await
    }

    /// The metadata values of a document, by type name.
    async fn metadata_of(&self, doc: u64) -> Result<HashMap<String, String>, Failure> {
        let rows = self
            .list(
                self.api(&format!("documents/{doc}/metadata/")),
                "reading metadata",
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some((
                    r["metadata_type"]["name"].as_str()?.to_owned(),
                    r["value"].as_str().unwrap_or_default().to_owned(),
                ))
            })
            .collect())
    }

    async fn document(&self, doc: u64) -> Result<Value, Failure> {
        self.call(
            self.req(Method::GET, self.api(&format!("documents/{doc}/"))),
            "reading a document",
        )
        .await
    }

    fn checksum(d: &Value) -> Option<String> {
        d["file_latest"]["checksum"].as_str().map(str::to_owned)
    }

    /// What Mayan holds of item `p`, by file name.
    async fn existing(&self, p: &Package, retry: bool) -> Result<HashMap<String, Doc>, Failure> {
        let ids = self.ids().await?;
        let mut out = HashMap::new();
        let mut search = self.api("search/advanced/documents.documentsearchresult/");
        search
            .query_pairs_mut()
            .append_pair("metadata__value", &p.id);
        for hit in self.list(search, "searching for the item").await? {
            let Some(id) = hit["id"].as_u64() else {
                continue;
            };
            let meta = self.metadata_of(id).await?;
            if meta.get(&self.opts.id_metadata) != Some(&p.id) {
                continue;
            }
            let doc = self.document(id).await?;
            let name = meta
                .get(&self.opts.file_metadata)
                .cloned()
                .unwrap_or_else(|| doc["label"].as_str().unwrap_or_default().to_owned());
            out.insert(
                name,
                Doc {
                    id,
                    checksum: Self::checksum(&doc),
                    has_metadata: true,
                },
            );
        }
        if retry {
            // An upload whose metadata call never happened: found by its label.
            let missing: Vec<String> = p
                .files
                .iter()
                .map(|f| f.name.clone())
                .filter(|n| !out.contains_key(n))
                .collect();
            for name in &missing {
                let mut search = self.api("search/advanced/documents.documentsearchresult/");
                search.query_pairs_mut().append_pair("label", name);
                for hit in self.list(search, "searching by label").await? {
                    let Some(id) = hit["id"].as_u64() else {
                        continue;
                    };
                    let doc = self.document(id).await?;
                    if doc["label"] == name.as_str()
                        && doc["document_type"]["id"].as_u64() == Some(ids.document_type)
                    {
                        out.insert(
                            name.clone(),
                            Doc {
                                id,
                                checksum: Self::checksum(&doc),
                                has_metadata: false,
                            },
                        );
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    async fn set_metadata(&self, doc: u64, p: &Package, file: &PackageFile) -> Result<(), Failure> {
        let ids = self.ids().await?;
        let mut values: Vec<(String, String)> = vec![
            (self.opts.id_metadata.clone(), p.id.clone()),
            (self.opts.file_metadata.clone(), file.name.clone()),
        ];
        for (name, template) in &self.opts.metadata {
            values.push((name.clone(), fill_value(template, p)));
        }
        let present = self.metadata_of(doc).await?;
        for (name, value) in values {
            if present.get(&name) == Some(&value) {
                continue;
            }
            let type_id = ids.metadata.get(&name).copied().unwrap_or_default();
            self.call(
                self.req(
                    Method::POST,
                    self.api(&format!("documents/{doc}/metadata/")),
                )
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json!({"metadata_type_id": type_id, "value": value}).to_string()),
                "adding metadata",
            )
            .await?;
        }
        Ok(())
    }

    /// Waits until Mayan processed the file; returns the SHA-256 it reports.
    async fn processed(&self, doc: u64) -> Result<String, Failure> {
        let started = std::time::Instant::now();
        loop {
            if let Some(sum) = Self::checksum(&self.document(doc).await?) {
                return Ok(sum);
            }
            if started.elapsed() > self.opts.processing_timeout {
                return Err(Failure::transient(
                    "sync.timeout",
                    format!("Mayan did not process document {doc} in time"),
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn conflict(name: &str, doc: u64) -> Failure {
        Failure::permanent(
            "sync.conflict",
            format!("{name}: Mayan document {doc} belongs to this item but holds other content; it was left untouched"),
        )
    }

    async fn upload(&self, p: &Package, file: &PackageFile) -> Result<u64, Failure> {
        let ids = self.ids().await?;
        let what = format!("uploading {}", file.name);
        let part = crate::http::multipart_part(file)?;
        let arguments = json!({
            "document_type_id": ids.document_type,
            "label": file.name,
            "immediate_mode": true,
        });
        let form = reqwest::multipart::Form::new()
            .text("arguments", arguments.to_string())
            .part("file", part);
        let doc = self
            .call(
                self.req(Method::POST, ids.upload_url.clone())
                    .multipart(form),
                &what,
            )
            .await?;
        let id = doc["id"].as_u64().ok_or_else(|| {
            Failure::transient(
                "sync.protocol",
                format!("{what}: the answer names no document"),
            )
        })?;
        self.set_metadata(id, p, file).await?;
        let sum = self.processed(id).await?;
        if sum != file.sha256 {
            return Err(Failure::transient(
                "sync.protocol",
                format!("{what}: Mayan reports another SHA-256 than was sent"),
            ));
        }
        Ok(id)
    }

    async fn place(
        &self,
        p: &Package,
        file: &PackageFile,
        existing: &HashMap<String, Doc>,
    ) -> Result<u64, Failure> {
        match existing.get(&file.name) {
            Some(d) => {
                let sum = match &d.checksum {
                    Some(s) => s.clone(),
                    None => self.processed(d.id).await?,
                };
                if sum != file.sha256 {
                    return Err(Self::conflict(&file.name, d.id));
                }
                if !d.has_metadata {
                    self.set_metadata(d.id, p, file).await?;
                }
                Ok(d.id)
            }
            None => self.upload(p, file).await,
        }
    }

    async fn deliver_inner(&self, p: &Package, retry: bool) -> Result<Receipt, Failure> {
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
        let mut with_marker = p.clone();
        with_marker.files.push(marker.clone());
        let existing = self.existing(&with_marker, retry).await?;
        for f in &p.files {
            self.place(p, f, &existing).await?;
        }
        let id = self.place(p, &marker, &existing).await?;
        Ok(Receipt {
            location: self.api(&format!("documents/{id}/")).to_string(),
            sha256: marker.sha256,
        })
    }
}

impl Connector for Mayan {
    fn location(&self) -> String {
        shown(&self.opts.endpoint.url)
    }

    fn probe(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async move {
            crate::http::require_password(
                self.opts.endpoint.user.as_ref(),
                self.opts.endpoint.password.as_ref(),
                &self.opts.endpoint.url,
            )?;
            let mut url = self.api("document_types/");
            url.query_pairs_mut().append_pair("page_size", "1");
            self.call(self.req(Method::GET, url), "checking Mayan")
                .await?;
            Ok(())
        })
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package,
        retry: bool,
    ) -> BoxFuture<'a, Result<Receipt, Failure>> {
        Box::pin(self.deliver_inner(package, retry))
    }
}
