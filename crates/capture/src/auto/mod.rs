//! Automatic indexing: what a batch's pages say about themselves once OCR has read them —
//! where documents start ([`boundary`]), the index values a letter carries ([`extract`]),
//! and the type and unit learned from the office's released documents ([`classify`]).
//! Orientation is read earlier, while pages are processed (`process::orient`).
//!
//! Everything here suggests; a person's decision (a break set by hand, a value typed) is
//! never overwritten, and every suggestion carries its confidence.

pub mod boundary;
pub mod classify;
pub mod extract;
pub mod layout;

use crate::ocr::PageText;
use boundary::{start_probability, Signs};
use classify::{Model, Unusable};
use eingang_model::auto::{BatchSuggestions, DocumentSuggestion, FieldSuggestion, PageSuggestion};
use eingang_model::{BatchId, PageId};
use eingang_store::tables::masterdata::Entry;
use eingang_store::tables::pages::PageRow;
use eingang_store::tables::{auto as table, pages};
use eingang_store::Store;
use layout::PageLines;

/// What a scan profile lets the suggestions do by themselves (each a confidence 0–1;
/// `None`: only shown).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AutoIndexing {
    /// Suggested document starts are applied (breaks set by hand stay).
    pub apply_boundaries: Option<f32>,
    /// Suggested values fill index fields nobody filled.
    pub fill_values: Option<f32>,
    /// Straight-through: documents the check did not draw or flag whose required values
    /// all come this sure are released without anyone opening them.
    pub release: Option<f32>,
}

impl AutoIndexing {
    /// Checks the settings; the error names the setting.
    pub fn check(&self) -> Result<(), crate::BatchError> {
        for (name, v) in [
            ("auto.apply_boundaries", self.apply_boundaries),
            ("auto.fill_values", self.fill_values),
            ("auto.release", self.release),
        ] {
            if v.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
                return Err(crate::BatchError::setting(
                    name,
                    "a confidence between 0 and 1",
                ));
            }
        }
        Ok(())
    }
}

/// The model as stored, or why it is not used.
pub type StoredModel = Result<Option<Model>, Unusable>;

/// Reads the stored model.
pub fn load_model(store: &Store) -> Result<StoredModel, eingang_store::Error> {
    let row = store.with_conn(table::model)?;
    Ok(match row {
        None => Ok(None),
        Some((_, json, _, _)) => Model::read(&json).map(Some),
    })
}

/// The state word of a stored model.
pub fn model_state(model: &StoredModel) -> &'static str {
    match model {
        Ok(Some(m)) if m.fields.values().any(|f| f.examples() > 0) => "ready",
        Ok(_) => "empty",
        Err(Unusable::Damaged) => "damaged",
        Err(Unusable::Newer) => "newer",
    }
}

/// A page with what OCR read on it (in the frame it is shown in).
#[derive(Debug)]
pub struct PageIn {
    pub row: PageRow,
    pub lines: Option<PageLines>,
}

/// The lines OCR read on a stored page, if it was read as the page is turned now.
pub fn page_lines(row: &PageRow, ocr_json: Option<&str>) -> Option<PageLines> {
    let text = PageText::parse(ocr_json?)?;
    let (w, h) = (row.width?, row.height?);
    let (w, h) = if text.rotation % 2 == 1 {
        (h, w)
    } else {
        (w, h)
    };
    Some(PageLines::new(&text.words, w, h))
}

/// The pages of a batch (deleted ones left out) with their OCR lines.
pub fn batch_pages(store: &Store, batch: &BatchId) -> Result<Vec<PageIn>, eingang_store::Error> {
    let rows = store.with_conn(|c| pages::pages(c, batch))?;
    pages_in(store, rows)
}

/// Stored pages (deleted ones left out) with their OCR lines.
pub fn pages_in(store: &Store, rows: Vec<PageRow>) -> Result<Vec<PageIn>, eingang_store::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows.into_iter().filter(|p| !p.deleted) {
        let json = if row.ocr_state.as_deref() == Some("done") {
            store.with_conn(|c| pages::ocr_words(c, &row.id))?
        } else {
            None
        };
        let lines = page_lines(&row, json.as_deref());
        out.push(PageIn { row, lines });
    }
    Ok(out)
}

/// The suggestions for a batch: turns and document starts per page, then type, unit and
/// values per suggested document.
pub fn suggest(
    store: &Store,
    batch: &BatchId,
    master: &[Entry],
    model: &StoredModel,
) -> Result<BatchSuggestions, eingang_store::Error> {
    let pages = batch_pages(store, batch)?;
    let turns = store.with_conn(|c| table::turn_readings(c, batch))?;
    let mut out_pages = Vec::with_capacity(pages.len());
    let mut before: Option<Signs> = None;
    let mut starts: Vec<usize> = Vec::new();
    let empty = PageLines::default();
    for (i, p) in pages.iter().enumerate() {
        let mut signs = Signs::of(p.lines.as_ref().unwrap_or(&empty), p.row.blank);
        signs.forced_start =
            p.row.separator || (crate::email::is_eml(&p.row.source) && p.row.source_page == 0);
        let (prob, said) = start_probability(&signs, before.as_ref());
        let starts_document = prob >= 0.5;
        if starts_document || i == 0 {
            starts.push(i);
        }
        let reading = turns.get(&p.row.id).copied().unwrap_or_default();
        out_pages.push(PageSuggestion {
            page_id: p.row.id.to_string(),
            source: p.row.source.clone(),
            source_page: p.row.source_page,
            turn_degrees: u16::from(p.row.rotation) * 90,
            turned_by: if reading.by_user {
                "user"
            } else if reading.by_ocr {
                "ocr"
            } else if reading.applied && p.row.rotation != 0 {
                "auto"
            } else {
                "none"
            }
            .into(),
            turn_confidence: reading.confidence,
            blank: p.row.blank,
            starts_document: starts_document || i == 0,
            start_confidence: round2(if starts_document { prob } else { 1.0 - prob }),
            starts_now: p.row.starts_document || i == 0,
            signs: said.into_iter().map(str::to_owned).collect(),
        });
        // A blank back or an unread page does not hide the signs of the page before it.
        if !p.row.blank && p.lines.is_some() {
            before = Some(signs);
        } else if before.is_none() {
            before = Some(Signs::default());
        }
    }
    let documents = starts
        .iter()
        .enumerate()
        .map(|(k, &a)| {
            let b = starts.get(k + 1).copied().unwrap_or(pages.len());
            document(&pages[a..b], master, model)
        })
        .collect();
    Ok(BatchSuggestions {
        batch_id: batch.to_string(),
        pages: out_pages,
        documents,
        ocr_pending: u32::try_from(
            pages
                .iter()
                .filter(|p| p.row.ocr_state.as_deref() == Some("pending"))
                .count(),
        )
        .unwrap_or(u32::MAX),
        model: model_state(model).into(),
    })
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// The words of a document's pages, for learning and classifying.
pub fn document_tokens(pages: &[PageIn]) -> Vec<String> {
    let mut text = String::new();
    for p in pages {
        if let Some(l) = &p.lines {
            text.push_str(&l.text());
        }
    }
    classify::tokens(&text)
}

/// The suggestions for one document's pages.
pub fn document(pages: &[PageIn], master: &[Entry], model: &StoredModel) -> DocumentSuggestion {
    // The pages read (not blank), and where each stands in the document.
    let (at, texts): (Vec<u32>, Vec<PageLines>) = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.row.blank)
        .filter_map(|(k, p)| Some((u32::try_from(k).ok()?, p.lines.clone()?)))
        .unzip();
    let mut fields = extract::extract(master, &texts);
    let learned = model.as_ref().ok().and_then(Option::as_ref);
    for f in &mut fields {
        f.page = f.page.and_then(|k| at.get(k as usize).copied());
        // A sender or subject the OCR read without its umlauts, spelled as people
        // released theirs.
        if f.field == "absender" || f.field == "betreff" {
            if let Some(v) = learned.and_then(|m| m.respell(&f.value)) {
                f.value = v;
            }
        }
    }
    let tokens = document_tokens(pages);
    let all_text: String = texts.iter().map(PageLines::text).collect();
    let head: Vec<&str> = texts
        .first()
        .map(|p| {
            p.lines
                .iter()
                .filter(|l| l.y < 0.4)
                .map(|l| l.text.as_str())
                .collect()
        })
        .unwrap_or_default();
    let model = model.as_ref().ok().and_then(Option::as_ref);
    let classes = |kind: &str| -> Vec<(String, Vec<String>)> {
        master
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| (e.code.clone(), e.keywords.clone()))
            .collect()
    };
    // Type: the model once it knows enough, else the master data's keywords. Where the
    // two agree, two witnesses: surer than either alone.
    let keywords = classify::by_keywords(&all_text, &classes("doctype"));
    let doctype = model
        .and_then(|m| m.predict("dokumentart", &tokens))
        .map(|(c, p)| match &keywords {
            Some((k, q)) if *k == c => (c, (1.0 - (1.0 - p) * (1.0 - q)).min(0.99), "model"),
            _ => (c, p, "model"),
        })
        .or_else(|| keywords.map(|(c, p)| (c, p, "keywords")));
    if let Some((value, confidence, source)) = doctype {
        fields.insert(0, whole("dokumentart", value, confidence, source));
    }
    // Unit: the Aktenzeichen's pattern (read above) wins; else the model; else the unit
    // named in the address block; else its keywords.
    if !fields.iter().any(|f| f.field == "organisationseinheit") {
        let named = || {
            master
                .iter()
                .filter(|e| e.kind == "unit" && e.label.chars().count() >= 4)
                .find(|e| head.iter().any(|l| l.contains(&e.label)))
                .map(|e| (e.code.clone(), 0.9, "address"))
        };
        let unit = model
            .and_then(|m| m.predict("organisationseinheit", &tokens))
            .map(|(c, p)| (c, p, "model"))
            .filter(|(_, p, _)| *p >= 0.9)
            .or_else(named)
            .or_else(|| {
                model
                    .and_then(|m| m.predict("organisationseinheit", &tokens))
                    .map(|(c, p)| (c, p, "model"))
            })
            .or_else(|| {
                classify::by_keywords(&all_text, &classes("unit")).map(|(c, p)| (c, p, "keywords"))
            });
        if let Some((value, confidence, source)) = unit {
            fields.insert(
                1.min(fields.len()),
                whole("organisationseinheit", value, confidence, source),
            );
        }
    }
    DocumentSuggestion {
        first_page: pages
            .first()
            .map(|p| p.row.id.to_string())
            .unwrap_or_default(),
        page_ids: pages.iter().map(|p| p.row.id.to_string()).collect(),
        fields,
    }
}

fn whole(field: &str, value: String, confidence: f32, source: &str) -> FieldSuggestion {
    FieldSuggestion {
        field: field.into(),
        value,
        confidence: round2(confidence),
        source: source.into(),
        page: None,
        region: None,
    }
}

/// The pages of the document that starts at `first` as the batch is cut now.
pub fn current_document<'a>(pages: &'a [PageIn], first: &PageId) -> &'a [PageIn] {
    let Some(a) = pages.iter().position(|p| p.row.id == *first) else {
        return &[];
    };
    let b = pages[a + 1..]
        .iter()
        .position(|p| p.row.starts_document)
        .map_or(pages.len(), |k| a + 1 + k);
    &pages[a..b]
}
