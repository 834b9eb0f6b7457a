//! The `forms` table: the form catalogue. Each (id, version) is stored once; importing the
//! same definition again is a no-op, a different definition under the same id and version
//! is refused (a version is immutable once drafts may be bound to it).

use crate::error::{Error, Result};
use crate::now_ms;
use eingang_forms::definition::FormDefinition;
use eingang_forms::{samples, Form, FormSummary};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Added { id: String, version: String },
    AlreadyPresent { id: String, version: String },
}

/// Compiles `json` (refusing it with every problem named) and stores it.
pub fn import(conn: &Connection, json: &str, origin: &str) -> Result<Imported> {
    let form = Form::from_json(json).map_err(|errors| Error::FormInvalid {
        origin: origin.to_owned(),
        errors: errors.iter().map(ToString::to_string).collect(),
    })?;
    let def = &form.definition;
    // Stored in canonical form, so formatting differences do not count as a change.
    let canonical = serde_json::to_string(def).map_err(|e| Error::FormInvalid {
        origin: origin.to_owned(),
        errors: vec![e.to_string()],
    })?;
    let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
    let existing: Option<String> = conn
        .query_row(
            "SELECT sha256 FROM forms WHERE id = ?1 AND version = ?2",
            [&def.id, &def.version],
            |r| r.get(0),
        )
        .optional()?;
    let (id, version) = (def.id.clone(), def.version.clone());
    match existing {
        Some(h) if h == hash => Ok(Imported::AlreadyPresent { id, version }),
        Some(_) => Err(Error::FormConflict { id, version }),
        None => {
            conn.execute(
                "INSERT INTO forms (id, version, definition_json, sha256, origin, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, version, canonical, hash, origin, now_ms()],
            )?;
            Ok(Imported::Added { id, version })
        }
    }
}

/// Imports a FIM XDatenfelder 2.0/3.0 file (see `eingang_forms::fim`) with the genericode
/// code lists available for it. Returns what was stored and the import report.
pub fn import_fim(
    conn: &Connection,
    xml: &str,
    code_lists: &[eingang_forms::fim::GenericodeList],
    origin: &str,
) -> Result<(Imported, eingang_forms::fim::ImportReport)> {
    let (def, report) =
        eingang_forms::fim::import_xdf(xml, code_lists).map_err(|e| Error::FormInvalid {
            origin: origin.to_owned(),
            errors: vec![e.to_string()],
        })?;
    let json = serde_json::to_string(&def).map_err(|e| Error::FormInvalid {
        origin: origin.to_owned(),
        errors: vec![e.to_string()],
    })?;
    Ok((import(conn, &json, origin)?, report))
}

/// Puts the shipped sample forms into the catalogue (those not there yet).
pub fn seed_samples(conn: &Connection) -> Result<usize> {
    let mut added = 0;
    for (name, json) in samples::SAMPLES {
        if let Imported::Added { .. } = import(conn, json, &format!("builtin:{name}"))? {
            added += 1;
        }
    }
    Ok(added)
}

/// Compiled forms by (id, version), with the hash they were compiled from. Compiling a
/// large form takes about a millisecond; autosave loads the form on every save.
static COMPILED: LazyLock<Mutex<FormCache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// (id, version) → (SHA-256 of the stored definition, the compiled form).
type FormCache = HashMap<(String, String), (String, Arc<Form>)>;

/// Loads a form (compiled once per content, then from the cache).
pub fn load(conn: &Connection, id: &str, version: &str) -> Result<Arc<Form>> {
    let unknown = || Error::UnknownForm {
        id: id.to_owned(),
        version: version.to_owned(),
    };
    let hash: String = conn
        .query_row(
            "SELECT sha256 FROM forms WHERE id = ?1 AND version = ?2",
            [id, version],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(unknown)?;
    let key = (id.to_owned(), version.to_owned());
    if let Some((h, form)) = COMPILED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        if *h == hash {
            return Ok(Arc::clone(form));
        }
    }
    let json: String = conn.query_row(
        "SELECT definition_json FROM forms WHERE id = ?1 AND version = ?2",
        [id, version],
        |r| r.get(0),
    )?;
    let form = Arc::new(Form::from_json(&json).map_err(|errors| Error::FormInvalid {
        origin: format!("stored form {id} {version}"),
        errors: errors.iter().map(ToString::to_string).collect(),
    })?);
    COMPILED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, (hash, Arc::clone(&form)));
    Ok(form)
}

/// The definition as stored.
pub fn definition(conn: &Connection, id: &str, version: &str) -> Result<FormDefinition> {
    load(conn, id, version).map(|f| f.definition.clone())
}

/// Every form in the catalogue, by id and then version.
pub fn list(conn: &Connection) -> Result<Vec<FormSummary>> {
    let mut stmt = conn.prepare(
        "SELECT id, version, definition_json, origin, imported_at FROM forms ORDER BY id, version",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (id, version, json, origin, imported_at) = row?;
        let def: FormDefinition = serde_json::from_str(&json).map_err(|e| Error::BadRow {
            what: "form",
            id: format!("{id} {version}"),
            detail: e.to_string(),
        })?;
        Ok(FormSummary {
            id,
            version,
            title: def.title,
            description: def.description,
            origin,
            imported_at,
        })
    })
    .collect()
}

/// The newest version of form `id` in the catalogue (by version number).
pub fn newest_version(conn: &Connection, id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare("SELECT version FROM forms WHERE id = ?1")?;
    let versions = stmt
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(versions
        .into_iter()
        .max_by(|a, b| eingang_forms::versions::compare_versions(a, b)))
}

/// Whether an XML text is an OASIS genericode code list (used for FIM schemas, not a form).
pub fn is_genericode(text: &str) -> bool {
    text.contains("docs.oasis-open.org/codelist/ns/genericode")
}

/// Imports a set of files, each in its own transaction-free step (call with a connection;
/// each successful import is one statement): `.json` form definitions and `.xml` FIM
/// schemas, with the genericode code lists among the files used for the schemas. A broken
/// file is reported and the others still go in.
pub fn import_batch(
    conn: &Connection,
    files: &[(String, String)],
) -> Vec<eingang_model::ImportOutcome> {
    use eingang_model::ImportOutcome;
    let mut lists = Vec::new();
    let mut out = Vec::new();
    for (name, text) in files {
        if name.to_lowercase().ends_with(".xml") && is_genericode(text) {
            match eingang_forms::fim::parse_genericode(text) {
                Ok(l) => {
                    lists.push(l);
                    out.push(ImportOutcome {
                        file: name.clone(),
                        result: "code_list".into(),
                        form_id: None,
                        version: None,
                        error: None,
                        report: Vec::new(),
                    });
                }
                Err(e) => out.push(ImportOutcome {
                    file: name.clone(),
                    result: "failed".into(),
                    form_id: None,
                    version: None,
                    error: Some(format!("[form.invalid] code list: {e}")),
                    report: Vec::new(),
                }),
            }
        }
    }
    for (name, text) in files {
        let is_xml = name.to_lowercase().ends_with(".xml");
        if is_xml && is_genericode(text) {
            continue;
        }
        let result = if is_xml {
            import_fim(conn, text, &lists, name)
        } else {
            import(conn, text, name).map(|i| (i, eingang_forms::fim::ImportReport::default()))
        };
        out.push(match result {
            Ok((imported, report)) => {
                let (result, id, version) = match imported {
                    Imported::Added { id, version } => ("added", id, version),
                    Imported::AlreadyPresent { id, version } => ("unchanged", id, version),
                };
                ImportOutcome {
                    file: name.clone(),
                    result: result.into(),
                    form_id: Some(id),
                    version: Some(version),
                    error: None,
                    report: report
                        .entries
                        .into_iter()
                        .map(|e| eingang_model::ImportNote {
                            element: e.element,
                            code: e.code.to_owned(),
                            params: e.params,
                            text: e.message,
                        })
                        .collect(),
                }
            }
            Err(e) => ImportOutcome {
                file: name.clone(),
                result: "failed".into(),
                form_id: None,
                version: None,
                error: Some(format!("[{}] {e}", e.code())),
                report: Vec::new(),
            },
        });
    }
    out
}
