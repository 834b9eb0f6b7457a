//! An in-process CMIS 1.1 Browser Binding server, kept only for the faults a real
//! repository cannot be made to produce: an answer lost after the document was stored, and
//! a different document planted under an item's name (refused credentials are also tested
//! against the OpenCMIS InMemory repository behind Jetty's BASIC authentication, in
//! cmis_opencmis.rs). It follows the OASIS specification (CMIS 1.1, part II §5) for what the
//! connector uses: the repository infos at the service URL, `cmisselector=object` by path,
//! `cmisselector=content` by `objectId`, `cmisselector=query` (one `WHERE prop = 'literal'`),
//! `cmisaction=createFolder` and `createDocument` as multipart/form-data with
//! `propertyId[n]`/`propertyValue[n]`, succinct JSON, the exceptions as JSON with the
//! statuses of §5.2.8 (`objectNotFound` 404, `contentAlreadyExists` 409, `constraint` 409,
//! `unauthorized` 401), names unique within a folder, and a custom document type whose
//! property definitions are enforced.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const REPO: &str = "stadt";
pub const TYPE: &str = "eingang:dokument";
/// The custom type's properties (beyond the cmis:* ones).
const TYPE_PROPS: &[&str] = &["eingang:vorgang", "eingang:sha256", "eingang:formular"];

#[derive(Debug, Clone)]
pub struct Obj {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub folder: bool,
    pub type_id: String,
    pub props: BTreeMap<String, String>,
    pub content: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Repo {
    pub objects: BTreeMap<String, Obj>,
    next: u64,
}

impl Repo {
    fn child(&self, parent: &str, name: &str) -> Option<&Obj> {
        self.objects
            .values()
            .find(|o| o.parent.as_deref() == Some(parent) && o.name == name)
    }

    fn by_path(&self, path: &str) -> Option<&Obj> {
        let mut cur = self.objects.get("root")?;
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            cur = self.child(&cur.id, seg)?;
        }
        Some(cur)
    }

    /// Documents only, for the tests' checks.
    pub fn documents(&self) -> Vec<Obj> {
        self.objects
            .values()
            .filter(|o| !o.folder)
            .cloned()
            .collect()
    }
}

#[derive(Clone)]
struct Ctx {
    repo: Arc<Mutex<Repo>>,
    base: String,
    auth: String,
    lose_next_create: Arc<AtomicBool>,
}

pub struct CmisServer {
    /// The service URL the connector is configured with.
    pub url: String,
    pub repo: Arc<Mutex<Repo>>,
    /// The next create is stored but answered with 500 (a response lost after the write).
    pub lose_next_create: Arc<AtomicBool>,
}

fn exception(status: StatusCode, name: &str, message: &str) -> Response {
    (status, Json(json!({"exception": name, "message": message}))).into_response()
}

fn object_json(o: &Obj) -> Value {
    let mut p = Map::new();
    p.insert("cmis:objectId".into(), o.id.clone().into());
    p.insert("cmis:name".into(), o.name.clone().into());
    p.insert(
        "cmis:baseTypeId".into(),
        if o.folder {
            "cmis:folder"
        } else {
            "cmis:document"
        }
        .into(),
    );
    p.insert("cmis:objectTypeId".into(), o.type_id.clone().into());
    if !o.folder {
        p.insert("cmis:contentStreamLength".into(), o.content.len().into());
    }
    for (k, v) in &o.props {
        p.insert(k.clone(), v.clone().into());
    }
    json!({ "succinctProperties": p })
}

fn authorised(ctx: &Ctx, headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == ctx.auth)
}

pub async fn start(user: &str, password: &str) -> CmisServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://127.0.0.1:{}/cmis/browser",
        listener.local_addr().unwrap().port()
    );
    let mut repo = Repo::default();
    repo.objects.insert(
        "root".into(),
        Obj {
            id: "root".into(),
            name: String::new(),
            parent: None,
            folder: true,
            type_id: "cmis:folder".into(),
            props: BTreeMap::new(),
            content: Vec::new(),
        },
    );
    let ctx = Ctx {
        repo: Arc::new(Mutex::new(repo)),
        base: base.clone(),
        auth: format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ),
        lose_next_create: Arc::new(AtomicBool::new(false)),
    };
    let app = Router::new()
        .route("/cmis/browser", get(repositories))
        .route("/cmis/browser/{repo}", get(repository))
        .route("/cmis/browser/{repo}/root", get(root_get).post(root_post))
        .route(
            "/cmis/browser/{repo}/root/{*path}",
            get(path_get).post(path_post),
        )
        .with_state(ctx.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    CmisServer {
        url: base,
        repo: ctx.repo,
        lose_next_create: ctx.lose_next_create,
    }
}

async fn repositories(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    if !authorised(&ctx, &headers) {
        return exception(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "credentials refused",
        );
    }
    Json(json!({ REPO: {
        "repositoryId": REPO,
        "repositoryName": "Stadt (test)",
        "cmisVersionSupported": "1.1",
        "repositoryUrl": format!("{}/{REPO}", ctx.base),
        "rootFolderUrl": format!("{}/{REPO}/root", ctx.base),
        "rootFolderId": "root",
    }}))
    .into_response()
}

/// `cmisselector=query` on the repository URL.
async fn repository(
    State(ctx): State<Ctx>,
    Path(repo): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !authorised(&ctx, &headers) {
        return exception(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "credentials refused",
        );
    }
    if repo != REPO {
        return exception(
            StatusCode::NOT_FOUND,
            "objectNotFound",
            "no such repository",
        );
    }
    if q.get("cmisselector").map(String::as_str) != Some("query") {
        return exception(
            StatusCode::BAD_REQUEST,
            "invalidArgument",
            "only queries here",
        );
    }
    let Some(statement) = q.get("q") else {
        return exception(StatusCode::BAD_REQUEST, "invalidArgument", "q is missing");
    };
    // SELECT a, b FROM type WHERE prop = 'literal'
    let parsed = (|| {
        let upper = statement.to_ascii_uppercase();
        let from = upper.find(" FROM ")?;
        let wh = upper.find(" WHERE ")?;
        let select: Vec<String> = statement[7..from]
            .split(',')
            .map(|s| s.trim().to_owned())
            .collect();
        let type_id = statement[from + 6..wh].trim().to_owned();
        let (prop, lit) = statement[wh + 7..].split_once('=')?;
        let lit = lit.trim();
        let inner = lit.strip_prefix('\'')?.strip_suffix('\'')?;
        let value = inner.replace("\\'", "'").replace("\\\\", "\\");
        Some((select, type_id, prop.trim().to_owned(), value))
    })();
    let Some((select, type_id, prop, value)) = parsed else {
        return exception(
            StatusCode::BAD_REQUEST,
            "invalidArgument",
            "query not understood",
        );
    };
    let repo = ctx.repo.lock().unwrap();
    let results: Vec<Value> = repo
        .objects
        .values()
        .filter(|o| !o.folder && o.type_id == type_id && o.props.get(&prop) == Some(&value))
        .map(|o| {
            let all = object_json(o);
            let mut p = Map::new();
            for s in &select {
                if let Some(v) = all["succinctProperties"].get(s) {
                    p.insert(s.clone(), v.clone());
                }
            }
            json!({ "succinctProperties": p })
        })
        .collect();
    Json(json!({"results": results, "numItems": results.len(), "hasMoreItems": false}))
        .into_response()
}

async fn root_get(
    state: State<Ctx>,
    Path(repo): Path<String>,
    q: Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    get_object(&state, &repo, "", &q, &headers)
}

async fn path_get(
    state: State<Ctx>,
    Path((repo, path)): Path<(String, String)>,
    q: Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    get_object(&state, &repo, &path, &q, &headers)
}

fn get_object(
    State(ctx): &State<Ctx>,
    repo: &str,
    path: &str,
    Query(q): &Query<HashMap<String, String>>,
    headers: &HeaderMap,
) -> Response {
    if !authorised(ctx, headers) {
        return exception(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "credentials refused",
        );
    }
    if repo != REPO {
        return exception(
            StatusCode::NOT_FOUND,
            "objectNotFound",
            "no such repository",
        );
    }
    let r = ctx.repo.lock().unwrap();
    let obj = match q.get("objectId") {
        Some(id) => r.objects.get(id),
        None => r.by_path(path),
    };
    let Some(obj) = obj else {
        return exception(StatusCode::NOT_FOUND, "objectNotFound", "nothing there");
    };
    match q.get("cmisselector").map(String::as_str) {
        Some("content") if !obj.folder => obj.content.clone().into_response(),
        Some("content") => exception(
            StatusCode::CONFLICT,
            "constraint",
            "folders have no content",
        ),
        _ => Json(object_json(obj)).into_response(),
    }
}

async fn root_post(
    state: State<Ctx>,
    Path(repo): Path<String>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    create(state, repo, String::new(), headers, form).await
}

async fn path_post(
    state: State<Ctx>,
    Path((repo, path)): Path<(String, String)>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    create(state, repo, path, headers, form).await
}

async fn create(
    State(ctx): State<Ctx>,
    repo: String,
    path: String,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    if !authorised(&ctx, &headers) {
        return exception(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "credentials refused",
        );
    }
    if repo != REPO {
        return exception(
            StatusCode::NOT_FOUND,
            "objectNotFound",
            "no such repository",
        );
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut content = None;
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "content" {
            content = Some(field.bytes().await.unwrap().to_vec());
        } else {
            fields.insert(name, field.text().await.unwrap());
        }
    }
    let mut props = BTreeMap::new();
    for i in 0.. {
        let (Some(id), Some(v)) = (
            fields.get(&format!("propertyId[{i}]")),
            fields.get(&format!("propertyValue[{i}]")),
        ) else {
            break;
        };
        props.insert(id.clone(), v.clone());
    }
    let action = fields.get("cmisaction").cloned().unwrap_or_default();
    let folder = match action.as_str() {
        "createFolder" => true,
        "createDocument" => false,
        _ => {
            return exception(
                StatusCode::BAD_REQUEST,
                "invalidArgument",
                "unknown cmisaction",
            )
        }
    };
    let (Some(name), Some(type_id)) =
        (props.remove("cmis:name"), props.remove("cmis:objectTypeId"))
    else {
        return exception(
            StatusCode::CONFLICT,
            "constraint",
            "cmis:name and cmis:objectTypeId are required",
        );
    };
    let known = if folder {
        type_id == "cmis:folder"
    } else {
        type_id == TYPE || type_id == "cmis:document"
    };
    if !known {
        return exception(StatusCode::CONFLICT, "constraint", "unknown type");
    }
    if let Some(bad) = props
        .keys()
        .find(|k| type_id != TYPE || !TYPE_PROPS.contains(&k.as_str()))
    {
        return exception(
            StatusCode::CONFLICT,
            "constraint",
            &format!("{bad} is not a property of {type_id}"),
        );
    }
    let mut r = ctx.repo.lock().unwrap();
    let Some(parent) = r.by_path(&path).filter(|p| p.folder).map(|p| p.id.clone()) else {
        return exception(StatusCode::NOT_FOUND, "objectNotFound", "no such folder");
    };
    if r.child(&parent, &name).is_some() {
        return exception(
            StatusCode::CONFLICT,
            "contentAlreadyExists",
            "the name is taken in this folder",
        );
    }
    r.next += 1;
    let obj = Obj {
        id: format!("obj-{}", r.next),
        name,
        parent: Some(parent),
        folder,
        type_id,
        props,
        content: content.unwrap_or_default(),
    };
    let body = object_json(&obj);
    r.objects.insert(obj.id.clone(), obj);
    if ctx.lose_next_create.swap(false, Ordering::SeqCst) {
        return exception(
            StatusCode::INTERNAL_SERVER_ERROR,
            "runtime",
            "stored, but the answer was lost",
        );
    }
    (StatusCode::CREATED, Json(body)).into_response()
}
