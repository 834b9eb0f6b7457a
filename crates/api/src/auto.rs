//! Automatic indexing's use cases: the suggestions for a batch, applying them as a profile
//! allows (or as the clerk asks), learning from released documents, and the model's state.

use crate::Result;
use eingang_capture::auto::{self, classify::Model, AutoIndexing, PageIn};
use eingang_model::auto::{BatchSuggestions, DocumentSuggestion, ModelStatus};
use eingang_model::{BatchId, PageId};
use eingang_store::tables::pages::{self, PageEdit};
use eingang_store::tables::{auto as table, documents, masterdata as md};
use eingang_store::Store;

/// What applying suggestions did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Document starts set or removed.
    pub breaks: u32,
    /// Breaks a person set that were left as they are.
    pub kept_by_hand: u32,
    /// Index values filled.
    pub values: u32,
    /// Every page changed, as it was before (what undoing restores).
    pub before: Vec<eingang_model::PageBefore>,
}

fn before_of(p: &pages::PageRow) -> eingang_model::PageBefore {
    eingang_model::PageBefore {
        page_id: p.id.to_string(),
        starts_document: p.starts_document,
        deleted: p.deleted,
        separator: p.separator,
        index: p.index.clone(),
    }
}

/// The suggestions for a batch (computed from the stored OCR text; pages whose OCR is not
/// done yet are counted and get theirs later).
pub fn suggest(store: &Store, batch: &BatchId) -> Result<BatchSuggestions> {
    crate::batches::get(store, batch)?;
    let master = store.with_conn(md::all)?;
    let model = auto::load_model(store)?;
    Ok(auto::suggest(store, batch, &master, &model)?)
}

/// The suggestions for the documents as the batch is cut now (the index station's view).
pub fn current_documents(store: &Store, batch: &BatchId) -> Result<Vec<DocumentSuggestion>> {
    let master = store.with_conn(md::all)?;
    let model = auto::load_model(store)?;
    let pages = auto::batch_pages(store, batch)?;
    let mut out = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        if i == 0 || p.row.starts_document {
            let doc = auto::current_document(&pages, &p.row.id);
            out.push(auto::document(doc, &master, &model));
        }
    }
    Ok(out)
}

/// Applies the suggestions: document starts at least `boundaries` sure (breaks a person set
/// stay), then values at least `values` sure into fields nobody filled. Every change is in
/// the page log as `auto_…`.
pub fn apply(
    store: &Store,
    batch: &BatchId,
    boundaries: Option<f32>,
    values: Option<f32>,
) -> Result<Applied> {
    for v in [boundaries, values].into_iter().flatten() {
        if !(0.0..=1.0).contains(&v) {
            return Err(crate::Error::input(
                "input.confidence",
                "a confidence between 0 and 1",
            ));
        }
    }
    let mut applied = Applied::default();
    if let Some(min) = boundaries {
        let s = suggest(store, batch)?;
        store.with_tx(|c| {
            for p in s.pages.iter().skip(1) {
                if p.starts_document == p.starts_now || p.start_confidence < min {
                    continue;
                }
                let id: PageId = p
                    .page_id
                    .parse()
                    .map_err(|_| eingang_store::Error::NotFound {
                        what: "page",
                        id: p.page_id.clone(),
                    })?;
                if pages::break_set_by_hand(c, &id)? {
                    applied.kept_by_hand += 1;
                    continue;
                }
                applied.before.push(before_of(&pages::page(c, &id)?));
                pages::edit_page_by(c, &id, PageEdit::StartsDocument(p.starts_document), "auto")?;
                applied.breaks += 1;
            }
            Ok(())
        })?;
    }
    if let Some(min) = values {
        let docs = current_documents(store, batch)?;
        store.with_tx(|c| {
            for d in &docs {
                let Ok(first) = d.first_page.parse::<PageId>() else {
                    continue;
                };
                let page = pages::page(c, &first)?;
                let mut index = page.index.clone();
                let before = index.len();
                for f in &d.fields {
                    if f.confidence >= min && !index.iter().any(|(k, _)| *k == f.field) {
                        index.push((f.field.clone(), f.value.clone()));
                    }
                }
                if index.len() > before {
                    applied.values += u32::try_from(index.len() - before).unwrap_or(0);
                    if !applied.before.iter().any(|b| b.page_id == d.first_page) {
                        applied.before.push(before_of(&page));
                    }
                    pages::set_index_as(c, &first, &index, "auto_index")?;
                }
            }
            Ok(())
        })?;
    }
    Ok(applied)
}

/// [`apply`] as the Scanstelle shows it: what changed (with what undoing restores, the
/// separation's undo) and the batch afterwards.
pub fn apply_viewed(
    store: &Store,
    batch: &BatchId,
    boundaries: Option<f32>,
    values: Option<f32>,
) -> Result<(eingang_model::SeparationSummary, eingang_model::BatchView)> {
    let a = apply(store, batch, boundaries, values)?;
    let view = crate::batches::view(store, batch)?;
    let documents = view
        .pages
        .iter()
        .filter(|p| !p.deleted)
        .enumerate()
        .filter(|(i, p)| *i == 0 || p.starts_document)
        .count();
    Ok((
        eingang_model::SeparationSummary {
            documents: u32::try_from(documents).unwrap_or(u32::MAX),
            separator_sheets: 0,
            index_filled: a.values,
            manual_replaced: 0,
            undo: a.before,
        },
        view,
    ))
}

/// A document as the batch is cut now: its pages, index values, what the master data does
/// not accept, and the suggestions for it (`eingang batch documents`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CurrentDocument {
    pub number: u32,
    pub first_page: String,
    pub pages: Vec<String>,
    pub index: Vec<(String, String)>,
    pub issues: Vec<eingang_model::scan::FieldIssue>,
    pub suggestions: Vec<eingang_model::auto::FieldSuggestion>,
}

/// The documents as the batch is cut now, with their values and suggestions.
pub fn documents(store: &Store, batch: &BatchId) -> Result<Vec<CurrentDocument>> {
    let view = crate::station::check_view(store, batch)?;
    let suggested = current_documents(store, batch)?;
    Ok(view
        .documents
        .into_iter()
        .zip(suggested)
        .map(|(d, s)| CurrentDocument {
            number: d.number,
            first_page: d.first_page,
            pages: s.page_ids,
            index: d.index,
            issues: d.issues,
            suggestions: s.fields,
        })
        .collect())
}

/// Applies what the batch's profile allows.
pub fn apply_profile(store: &Store, batch: &BatchId) -> Result<Applied> {
    let profile = crate::batches::profile_of(store, batch)?;
    let AutoIndexing {
        apply_boundaries,
        fill_values,
        ..
    } = profile.auto;
    apply(store, batch, apply_boundaries, fill_values)
}

/// Learns from a released batch's documents: each document's words with the type and unit
/// it was released with (a document already learned is not learned again). Returns how
/// many were learned. A model that cannot be read is rebuilt from the stored examples.
pub fn learn_released(store: &Store, batch: &BatchId) -> Result<u32> {
    let docs = store.with_conn(|c| documents::documents(c, batch))?;
    if docs.is_empty() {
        return Ok(0);
    }
    let pages = auto::batch_pages(store, batch)?;
    let mut examples = Vec::new();
    for d in &docs {
        let of: Vec<&PageIn> = pages
            .iter()
            .filter(|p| d.page_ids.contains(&p.row.id))
            .collect();
        let mut text = String::new();
        for p in &of {
            if let Some(l) = &p.lines {
                text.push_str(&l.text());
            }
        }
        let get = |f: &str| {
            d.index
                .iter()
                .find(|(k, _)| k == f)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let tokens = auto::classify::tokens(&text);
        if tokens.is_empty()
            || (get("dokumentart").is_empty() && get("organisationseinheit").is_empty())
        {
            continue;
        }
        examples.push((
            d.id,
            table::Example {
                document_id: d.id.to_string(),
                doctype: get("dokumentart"),
                unit: get("organisationseinheit"),
                tokens,
            },
        ));
    }
    let newer = matches!(
        auto::load_model(store)?,
        Err(auto::classify::Unusable::Newer)
    );
    let learned = store.with_tx(|c| {
        let mut learned = 0u32;
        for (id, e) in &examples {
            if table::add_example(c, id, e)? {
                learned += 1;
            }
        }
        Ok(learned)
    })?;
    // A newer Eingang's model is left alone (the examples are recorded all the same).
    if learned > 0 && !newer {
        retrain(store)?;
    }
    Ok(learned)
}

/// Examples a model is trained on at most: the most recent (the office's mail changes).
const MAX_TRAIN: usize = 5_000;

/// Trains the model afresh from the stored examples and stores it (also what repairs a
/// damaged one).
pub fn retrain(store: &Store) -> Result<u32> {
    let all = store.with_conn(table::examples)?;
    let recent = &all[all.len().saturating_sub(MAX_TRAIN)..];
    let examples: Vec<(std::collections::BTreeMap<&str, &str>, &[String])> = recent
        .iter()
        .map(|e| {
            let mut classes = std::collections::BTreeMap::new();
            if !e.doctype.is_empty() {
                classes.insert("dokumentart", e.doctype.as_str());
            }
            if !e.unit.is_empty() {
                classes.insert("organisationseinheit", e.unit.as_str());
            }
            (classes, e.tokens.as_slice())
        })
        .collect();
    let mut model = Model::train(&examples, &["dokumentart", "organisationseinheit"]);
    let max = u32::try_from(MAX_TRAIN).unwrap_or(u32::MAX);
    let written = store.with_conn(|c| table::learned_values(c, &["absender", "betreff"], max))?;
    model.spellings = auto::classify::spellings(written.iter().map(String::as_str));
    let n = u32::try_from(recent.len()).unwrap_or(u32::MAX);
    let json = serde_json::to_string(&model).map_err(|e| crate::Error::Internal(e.to_string()))?;
    store.with_tx(|c| table::put_model(c, auto::classify::FORMAT, &json, n))?;
    Ok(n)
}

/// The model's state: examples per type and unit, when it last learned.
pub fn model_status(store: &Store) -> Result<ModelStatus> {
    let stored = auto::load_model(store)?;
    let (examples, per_type, per_unit) = store.with_conn(table::example_counts)?;
    let row = store.with_conn(table::model)?;
    Ok(ModelStatus {
        state: auto::model_state(&stored).into(),
        examples,
        per_type,
        per_unit,
        updated_at: row.as_ref().map(|r| r.3),
        format: row.map_or(auto::classify::FORMAT, |r| r.0),
    })
}

/// Forgets the model and what it learned from; index values already given stay.
pub fn model_reset(store: &Store) -> Result<u32> {
    Ok(store.with_tx(|c| table::reset(c))?)
}

/// The examples the model learned from, most recent first (at most `limit`; only those of
/// `doctype` when given): what to look through when a suggestion seems learned wrong.
pub fn model_examples(
    store: &Store,
    doctype: Option<&str>,
    limit: u32,
) -> Result<Vec<table::Learned>> {
    Ok(store.with_conn(|c| table::learned(c, doctype, limit))?)
}

/// Forgets what the model learned from these released documents (one released with the
/// wrong type, say) and trains it afresh from the rest; the documents and their index
/// values stay. Refused, changing nothing, when one of them was never learned. Returns how
/// many examples the model is now trained on.
pub fn model_forget(store: &Store, documents: &[eingang_model::DocumentId]) -> Result<u32> {
    let ids: Vec<String> = documents.iter().map(ToString::to_string).collect();
    store.with_tx(|c| {
        let unknown = table::forget(c, &ids)?;
        match unknown.first() {
            Some(d) => Err(eingang_store::Error::NotFound {
                what: "learned example of document",
                id: d.clone(),
            }),
            None => Ok(()),
        }
    })?;
    retrain(store)
}
