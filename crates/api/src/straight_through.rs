//! Straight-through release (issue 19): the documents of a batch that need no person go out
//! by themselves — split off into a batch of their own and released — and automatic indexing
//! run once per batch after its OCR, as its profile allows.

use crate::auto::{apply_profile, current_documents, Applied};
use crate::Result;
use eingang_model::{BatchId, PageId};
use eingang_store::tables::{masterdata as md, pages};
use eingang_store::Store;

/// A document straight-through release left for a person, and why: `drawn` (the check
/// drew it), `flagged` (the check flagged it), `missing:FIELD` (a required value nobody
/// and nothing gave), `uncertain:FIELD` (suggested below the threshold), `invalid:FIELD`
/// (the master data does not accept the value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Held {
    pub number: u32,
    pub first_page: String,
    pub reasons: Vec<String>,
}

/// What straight-through release did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StraightThrough {
    /// The batch the released documents were split off into (none: nothing went).
    pub batch: Option<String>,
    /// Documents released.
    pub released: u32,
    /// The release waits for a service (the timestamp); it is tried again automatically.
    pub waiting: bool,
    /// The documents left for a person.
    pub held: Vec<Held>,
}

/// A document chosen to go straight through: its pages, its values, how sure.
struct Chosen {
    first: PageId,
    pages: Vec<PageId>,
    /// The values as given before, and as released.
    given: Vec<(String, String)>,
    index: Vec<(String, String)>,
    auto: eingang_capture::transfer::AutoIndexed,
}

/// Releases straight through what needs no person: documents the check neither drew nor
/// flagged whose required values (the type, and the fields its master data requires) are
/// all given — by a barcode or a person, or suggested at least `min` sure (suggestions at
/// least `min` sure also fill the other empty fields). They are split off into a batch of
/// their own (whose check draws as this batch's) and released with `base`'s targets and
/// evidence; the Transfervermerk says „automatisch indexiert, Konfidenz …“, the page log
/// and the audit log hold every value with its confidence. If the release fails, the
/// documents return to this batch as they were. The rest stays for the clerk.
pub fn straight_through(
    store: &Store,
    batch: &BatchId,
    min: f32,
    base: &crate::release::ReleaseRequest,
) -> Result<StraightThrough> {
    if !(0.0..=1.0).contains(&min) {
        return Err(crate::Error::input(
            "input.confidence",
            "a confidence between 0 and 1",
        ));
    }
    let row = store.with_conn(|c| eingang_store::tables::batches::batch(c, batch))?;
    if row.released_at.is_some() {
        return Err(eingang_capture::BatchError::Released.into());
    }
    if row.ocr_pending > 0 {
        return Err(eingang_capture::BatchError::OcrRunning {
            pages: row.ocr_pending,
        }
        .into());
    }
    let (chosen, held) = choose(store, batch, min)?;
    let mut out = StraightThrough {
        held,
        ..StraightThrough::default()
    };
    if chosen.is_empty() {
        return Ok(out);
    }
    let name = format!("{} (automatisch)", row.name);
    let pages: Vec<PageId> = chosen.iter().flat_map(|c| c.pages.clone()).collect();
    let split = store.with_tx(|c| {
        let split = eingang_store::tables::batches::split_off(c, batch, &pages, &name)?;
        for ch in &chosen {
            pages::set_index_as(c, &ch.first, &ch.index, "auto_index")?;
            pages::log_straight_through(
                c,
                &ch.first,
                &serde_json::json!({
                    "confidence": ch.auto.confidence,
                    "fields": ch.auto.fields,
                    "threshold": min,
                }),
            )?;
        }
        Ok(split)
    })?;
    let request = crate::release::ReleaseRequest {
        automatic: chosen.iter().map(|c| (c.first, c.auto.clone())).collect(),
        ..base.clone()
    };
    match crate::release::release(store, &split, &request) {
        Ok(released) => {
            out.batch = Some(split.to_string());
            out.released = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
            out.waiting = matches!(released, crate::release::Released::Waiting(_));
            Ok(out)
        }
        Err(e) => {
            store.with_tx(|c| {
                eingang_store::tables::batches::merge_back(c, &split, batch)?;
                for ch in &chosen {
                    pages::set_index_as(c, &ch.first, &ch.given, "auto_index_undone")?;
                }
                Ok(())
            })?;
            Err(e)
        }
    }
}

/// Which documents go straight through, and why the others do not.
fn choose(store: &Store, batch: &BatchId, min: f32) -> Result<(Vec<Chosen>, Vec<Held>)> {
    let qc = eingang_capture::qc::state(store, batch)?;
    let suggested = current_documents(store, batch)?;
    let (rows, master) = store.with_conn(|c| Ok((pages::pages(c, batch)?, md::all(c)?)))?;
    let today = &eingang_store::rfc3339_utc(eingang_store::now_ms())[..10];
    let (mut chosen, mut held) = (Vec::new(), Vec::new());
    for (n, d) in qc.documents.iter().enumerate() {
        let mut reasons = Vec::new();
        if d.sampled {
            reasons.push("drawn".to_owned());
        } else if d.required {
            reasons.push("flagged".to_owned());
        }
        let first = d.first_page.to_string();
        let fields = suggested
            .iter()
            .find(|s| s.first_page == first)
            .map_or(&[][..], |s| s.fields.as_slice());
        let given = rows
            .iter()
            .find(|p| p.id == d.first_page)
            .map(|p| p.index.clone())
            .unwrap_or_default();
        let (index, machine) = values(&given, fields, min);
        let get = |f: &str| index.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
        let mut required = vec!["dokumentart".to_owned()];
        if let Some(t) = master
            .iter()
            .find(|e| e.kind == "doctype" && Some(e.code.as_str()) == get("dokumentart"))
        {
            required.extend(t.fields.iter().cloned());
        }
        for f in &required {
            let given = get(f).is_some_and(|v| !v.trim().is_empty());
            let sure = machine.iter().find(|(k, _)| k == f).map(|(_, c)| *c >= min);
            let suggested = fields.iter().any(|s| s.field == *f);
            match (given, sure) {
                (false, _) if suggested => reasons.push(format!("uncertain:{f}")),
                (false, _) => reasons.push(format!("missing:{f}")),
                (true, Some(false)) => reasons.push(format!("uncertain:{f}")),
                _ => {}
            }
        }
        for e in eingang_capture::masterdata::validate(&master, &index, today) {
            let r = format!("invalid:{}", e.field);
            let known = ["missing", "uncertain"].map(|k| format!("{k}:{}", e.field));
            if !reasons.contains(&r) && !known.iter().any(|k| reasons.contains(k)) {
                reasons.push(r);
            }
        }
        if reasons.is_empty() {
            let confidence = machine.iter().map(|(_, c)| *c).fold(1.0f32, f32::min);
            chosen.push(Chosen {
                first: d.first_page,
                pages: d.page_ids.clone(),
                given,
                index,
                auto: eingang_capture::transfer::AutoIndexed {
                    confidence,
                    fields: machine,
                },
            });
        } else {
            held.push(Held {
                number: u32::try_from(n + 1).unwrap_or(u32::MAX),
                first_page: first,
                reasons,
            });
        }
    }
    Ok((chosen, held))
}

/// The values the machine gave a document, with their confidences.
type MachineValues = Vec<(String, f32)>;

/// A document's values for straight-through: those given, and suggestions at least `min`
/// sure in the fields still empty; beside them every value the machine gave (a given value
/// that equals a suggestion counts as the machine's, with its confidence).
fn values(
    given: &[(String, String)],
    fields: &[eingang_model::auto::FieldSuggestion],
    min: f32,
) -> (Vec<(String, String)>, MachineValues) {
    let mut index: Vec<(String, String)> = given
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .cloned()
        .collect();
    let mut machine = Vec::new();
    for f in fields {
        match index.iter().find(|(k, _)| *k == f.field) {
            Some((_, v)) if *v == f.value => machine.push((f.field.clone(), f.confidence)),
            None if f.confidence >= min => {
                index.push((f.field.clone(), f.value.clone()));
                machine.push((f.field.clone(), f.confidence));
            }
            _ => {}
        }
    }
    (index, machine)
}

/// Straight-through release as the batch's profile allows (`auto.release`); nothing when
/// it does not.
pub fn straight_through_profile(
    store: &Store,
    batch: &BatchId,
    base: &crate::release::ReleaseRequest,
) -> Result<StraightThrough> {
    match crate::batches::profile_of(store, batch)?.auto.release {
        Some(min) => straight_through(store, batch, min, base),
        None => Ok(StraightThrough::default()),
    }
}

/// What automatic indexing did to a batch after its OCR.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AutoRun {
    pub applied: Applied,
    pub straight_through: StraightThrough,
}

/// Runs automatic indexing on `batch` as its profile allows, now that its OCR is done:
/// the suggestions applied, then straight-through release (`base` gives targets and
/// evidence; its title is the batch's name). Recorded as done either way, so a batch is
/// worked once and what the clerk does afterwards is never overridden.
pub fn run_after_ocr(
    store: &Store,
    batch: &BatchId,
    base: &crate::release::ReleaseRequest,
) -> Result<AutoRun> {
    store.with_tx(|c| eingang_store::tables::batches::set_auto_done(c, batch))?;
    let applied = apply_profile(store, batch)?;
    let name = store
        .with_conn(|c| eingang_store::tables::batches::batch(c, batch))?
        .name;
    let request = crate::release::ReleaseRequest {
        title: name,
        ..base.clone()
    };
    let straight_through = straight_through_profile(store, batch, &request)?;
    Ok(AutoRun {
        applied,
        straight_through,
    })
}

/// How long a batch gets no new page before automatic indexing works it in the background
/// (a scan still running is left to finish).
pub const QUIET: std::time::Duration = std::time::Duration::from_secs(15);

/// [`run_after_ocr`] on every batch whose OCR is done, that got no page for `quiet` and that
/// automatic indexing has not worked yet (the app after its OCR passes; a batch that fails
/// is logged and left). `base` gives the release settings, asked only when a batch is due.
pub fn run_due(
    store: &Store,
    quiet: std::time::Duration,
    base: &dyn Fn() -> Result<crate::release::ReleaseRequest>,
) -> Result<Vec<(BatchId, Result<AutoRun>)>> {
    let quiet_since = eingang_store::now_ms() - i64::try_from(quiet.as_millis()).unwrap_or(0);
    let due = store.with_conn(|c| eingang_store::tables::batches::auto_due(c, quiet_since))?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let base = base()?;
    Ok(due
        .into_iter()
        .map(|b| {
            let r = run_after_ocr(store, &b, &base);
            if let Err(e) = &r {
                tracing::warn!(code = e.code(), "automatic indexing of a batch failed");
            }
            (b, r)
        })
        .collect())
}
