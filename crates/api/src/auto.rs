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
                    pages::set_index_as(c, &first, &index, "auto_index")?;
                }
            }
            Ok(())
        })?;
    }
    Ok(applied)
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
    let stored = auto::load_model(store)?;
    store
        .with_tx(|c| {
            // Empty, damaged or (after a reset) absent: rebuilt from what was learned.
            let mut model = if let Ok(Some(m)) = &stored {
                m.clone()
            } else {
                let mut m = Model::default();
                for e in table::examples(c)? {
                    teach(&mut m, &e);
                }
                m
            };
            if matches!(stored, Err(auto::classify::Unusable::Newer)) {
                // A newer Eingang's model is left alone; the examples are still recorded.
                for (id, e) in &examples {
                    table::add_example(c, id, e)?;
                }
                return Ok(0);
            }
            let mut learned = 0u32;
            for (id, e) in &examples {
                if table::add_example(c, id, e)? {
                    teach(&mut model, e);
                    learned += 1;
                }
            }
            let total: u32 = model
                .fields
                .get("dokumentart")
                .map_or(0, auto::classify::NaiveBayes::examples);
            let json = serde_json::to_string(&model).unwrap_or_default();
            table::put_model(c, auto::classify::FORMAT, &json, total)?;
            Ok(learned)
        })
        .map_err(Into::into)
}

fn teach(model: &mut Model, e: &table::Example) {
    model.learn("dokumentart", &e.doctype, &e.tokens);
    model.learn("organisationseinheit", &e.unit, &e.tokens);
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
