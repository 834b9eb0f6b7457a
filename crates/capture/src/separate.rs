//! Document separation: where one document of a batch ends and the next begins.
//!
//! - **Barcode separator sheets**: a page whose barcode (Code 39, Code 128, QR) matches one
//!   of the configured patterns (default `PATCHT`, the patch-code sheet's Code 39 value)
//!   ends the document before it; the sheet is removed (marked deleted, raw kept) or kept
//!   as the new document's first page, as configured.
//! - **Blank separator pages** (optional): a page flagged blank separates like a sheet.
//! - **Fixed page count** (optional): every n pages a new document.
//! - **By hand**: the flags the user sets stay unless the rules are applied again.
//! - **Barcode values fill index fields**: rules `field = pattern` (a regular expression with
//!   one capture group, e.g. `AZ:(\d{3}\.\d{2}-\d{4}/\d{4})`); the first match on a
//!   document's pages (its separator sheet included) fills the field for that document.
//!
//! Barcodes are read with `rxing` (a maintained port of ZXing) on a ~150 dpi copy of the
//! page, printed patch codes by [`crate::patch`] on the same copy; pages whose barcodes were
//! not read yet are read when the rules are applied.

use crate::barcode::{read_barcodes, Barcode};
use crate::BatchError;
use eingang_model::BatchId;
use eingang_store::tables::pages;
use eingang_store::tables::pages::PageEdit;
use eingang_store::tables::pages::PageRow;
use eingang_store::Store;
use serde::{Deserialize, Serialize};

/// Fills an index field from barcode values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexRule {
    pub field: String,
    /// A regular expression; its first capture group (or the whole match) is the value.
    pub pattern: String,
}

/// A scan profile's separation rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Separation {
    /// Barcode values (regular expressions, whole value) that mark a separator sheet.
    pub barcode_separators: Vec<String>,
    /// Keep the sheet as the first page of the next document (default: remove it).
    pub keep_separator_sheets: bool,
    /// Pages flagged blank separate documents (and are removed).
    pub blank_separates: bool,
    /// A new document every this many pages.
    pub every_n_pages: Option<u32>,
    pub index_from_barcodes: Vec<IndexRule>,
}

impl Default for Separation {
    fn default() -> Self {
        Self {
            barcode_separators: vec!["PATCHT".into()],
            keep_separator_sheets: false,
            blank_separates: false,
            every_n_pages: None,
            index_from_barcodes: Vec::new(),
        }
    }
}

struct Compiled {
    separators: Vec<regex::Regex>,
    index: Vec<(String, regex::Regex)>,
}

impl Separation {
    fn compile(&self) -> Result<Compiled, BatchError> {
        let whole = |p: &str| regex::Regex::new(&format!("^(?:{p})$"));
        let separators = self
            .barcode_separators
            .iter()
            .map(|p| {
                whole(p).map_err(|e| {
                    BatchError::setting("separation.barcode_separators", format!("{p:?}: {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let index = self
            .index_from_barcodes
            .iter()
            .map(|r| {
                if r.field.is_empty() || r.field.len() > 64 {
                    return Err(BatchError::setting(
                        "separation.index_from_barcodes",
                        "a field needs a name (at most 64)",
                    ));
                }
                regex::Regex::new(&r.pattern)
                    .map(|re| (r.field.clone(), re))
                    .map_err(|e| {
                        BatchError::setting(
                            "separation.index_from_barcodes",
                            format!("{:?}: {e}", r.pattern),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.every_n_pages == Some(0) {
            return Err(BatchError::setting(
                "separation.every_n_pages",
                "must be at least 1",
            ));
        }
        Ok(Compiled { separators, index })
    }

    /// Checks the rules; the error names the setting.
    pub fn check(&self) -> Result<(), BatchError> {
        self.compile().map(|_| ())
    }
}

/// What applying the rules did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub documents: u32,
    pub separator_sheets: u32,
    /// Index values filled from barcodes, over all documents.
    pub index_filled: u32,
    /// Pages whose barcodes were read now.
    pub pages_read: u32,
    /// Document breaks set (or removed) by hand that the rules replaced.
    pub manual_replaced: u32,
    /// Every page the rules changed, as it was before (what undoing restores).
    pub before: Vec<PageBefore>,
}

/// A page's separation state before the rules changed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageBefore {
    pub page_id: eingang_model::PageId,
    pub starts_document: bool,
    pub deleted: bool,
    pub separator: bool,
    pub index: Vec<(String, String)>,
}

/// The barcodes of a stored page, read now if they were not read yet (and stored).
fn barcodes_of(store: &Store, page: &PageRow) -> Result<Vec<Barcode>, BatchError> {
    if let Some(json) = &page.barcodes_json {
        return Ok(serde_json::from_str(json).unwrap_or_default());
    }
    let image = crate::pages::stored_image(store, page)?;
    let found = crate::process::luma_of(&page.source, &image.image)
        .map(|(luma, w, h)| read_barcodes(&luma, w, h, image.dpi.0))
        .unwrap_or_default();
    let json = serde_json::to_string(&found).unwrap_or_else(|_| "[]".into());
    store.with_tx(|c| pages::set_barcodes(c, &page.id, &json))?;
    Ok(found)
}

/// Applies the rules to a batch: document starts and separator sheets are set anew (every
/// change logged), index values from barcodes stored on each document's first page —
/// replacing breaks set by hand too (see [`separate_with`]).
pub fn separate(
    store: &Store,
    batch_id: &BatchId,
    rules: &Separation,
) -> Result<Report, BatchError> {
    separate_with(store, batch_id, rules, true)
}

/// [`separate`]; unless `replace_manual`, refused with [`BatchError::ManualBreaks`] when
/// the rules would change a document break a person set or removed. The report names what
/// each changed page was before, so the whole run can be undone ([`restore`]).
pub fn separate_with(
    store: &Store,
    batch_id: &BatchId,
    rules: &Separation,
    replace_manual: bool,
) -> Result<Report, BatchError> {
    let compiled = rules.compile()?;
    let pages = store.with_conn(|c| pages::pages(c, batch_id))?;
    let mut report = Report::default();
    // (page, starts a document, removed as a separator, index of the document it starts)
    let mut plan: Vec<(&PageRow, bool, bool)> = Vec::new();
    let mut docs: Vec<(usize, Vec<(String, String)>)> = Vec::new();
    let mut next_starts = true;
    let mut in_doc = 0u32;
    let mut pending_index: Vec<Barcode> = Vec::new();
    for page in pages.iter().filter(|p| !p.deleted || p.separator) {
        if page.barcodes_json.is_none() {
            report.pages_read += 1;
        }
        let codes = barcodes_of(store, page)?;
        let by_code = codes
            .iter()
            .any(|b| compiled.separators.iter().any(|re| re.is_match(&b.value)));
        let by_blank = rules.blank_separates && page.blank;
        if by_code || by_blank {
            report.separator_sheets += 1;
            pending_index.extend(codes);
            if by_code && rules.keep_separator_sheets {
                plan.push((page, true, false));
                docs.push((plan.len() - 1, Vec::new()));
                in_doc = 1;
                next_starts = false;
            } else {
                plan.push((page, false, true));
                next_starts = true;
                in_doc = 0;
            }
            continue;
        }
        // An e-mail's message page always begins its own document.
        let email_start = crate::email::is_eml(&page.source) && page.source_page == 0;
        let starts = next_starts || email_start || rules.every_n_pages.is_some_and(|n| in_doc >= n);
        plan.push((page, starts, false));
        if starts {
            docs.push((plan.len() - 1, Vec::new()));
            in_doc = 0;
        }
        in_doc += 1;
        next_starts = false;
        // Index values: from this page's codes and any separator sheet before it.
        pending_index.extend(codes);
        if let Some((_, index)) = docs.last_mut() {
            for b in pending_index.drain(..) {
                for (field, re) in &compiled.index {
                    if index.iter().any(|(f, _)| f == field) {
                        continue;
                    }
                    if let Some(c) = re.captures(&b.value) {
                        let v = c.get(1).or_else(|| c.get(0)).map_or("", |m| m.as_str());
                        index.push((field.clone(), v.to_owned()));
                    }
                }
            }
        }
    }
    report.documents = u32::try_from(docs.len()).unwrap_or(u32::MAX);
    report.index_filled = docs
        .iter()
        .map(|(_, i)| u32::try_from(i.len()).unwrap_or(0))
        .sum();
    let first_index: std::collections::HashMap<usize, &Vec<(String, String)>> =
        docs.iter().map(|(at, i)| (*at, i)).collect();
    // The first page always starts a document; the flag is for later breaks.
    let plan: Vec<(&PageRow, bool, bool)> = plan
        .into_iter()
        .enumerate()
        .map(|(i, (page, starts, removed))| (page, starts && i > 0, removed))
        .collect();
    report.manual_replaced = store.with_conn(|c| {
        let mut n = 0u32;
        for (page, starts, _) in &plan {
            if page.starts_document != *starts && pages::break_set_by_hand(c, &page.id)? {
                n += 1;
            }
        }
        Ok(n)
    })?;
    if report.manual_replaced > 0 && !replace_manual {
        return Err(BatchError::ManualBreaks {
            count: report.manual_replaced,
        });
    }
    report.before = write_plan(store, &plan, &first_index, &compiled)?;
    Ok(report)
}

/// Writes the rules' plan in one transaction (every change logged as the rules' own);
/// returns every changed page as it was before.
fn write_plan(
    store: &Store,
    plan: &[(&PageRow, bool, bool)],
    first_index: &std::collections::HashMap<usize, &Vec<(String, String)>>,
    compiled: &Compiled,
) -> Result<Vec<PageBefore>, BatchError> {
    let mut before = Vec::new();
    store.with_tx(|c| {
        for (i, (page, starts, removed)) in plan.iter().enumerate() {
            let (starts, removed) = (*starts, *removed);
            let index = index_after(page, compiled, first_index.get(&i).copied());
            if page.starts_document != starts
                || page.deleted != removed
                || page.separator != removed
                || page.index != index
            {
                before.push(PageBefore {
                    page_id: page.id,
                    starts_document: page.starts_document,
                    deleted: page.deleted,
                    separator: page.separator,
                    index: page.index.clone(),
                });
            }
            if page.starts_document != starts {
                pages::edit_page_by(c, &page.id, PageEdit::StartsDocument(starts), "separation")?;
            }
            if page.deleted != removed {
                pages::edit_page_by(c, &page.id, PageEdit::Deleted(removed), "separation")?;
            }
            pages::set_separator(c, &page.id, removed)?;
            pages::set_index(c, &page.id, &index)?;
        }
        Ok(())
    })?;
    Ok(before)
}

/// Barcode fields are read anew; values typed at the index station or taken from an e-mail
/// stay.
fn index_after(
    page: &PageRow,
    compiled: &Compiled,
    found: Option<&Vec<(String, String)>>,
) -> Vec<(String, String)> {
    let mut index: Vec<(String, String)> = page
        .index
        .iter()
        .filter(|(f, _)| !compiled.index.iter().any(|(rule, _)| rule == f))
        .cloned()
        .collect();
    if let Some(found) = found {
        index.extend(found.iter().cloned());
    }
    index
}

/// Undoes a separation run: every page as it was before (a person's decision in the page
/// log, `undo_…`). Pages of other batches are refused.
pub fn restore(store: &Store, batch_id: &BatchId, before: &[PageBefore]) -> Result<(), BatchError> {
    store.with_tx(|c| {
        for b in before {
            let page = pages::page(c, &b.page_id)?;
            if page.batch_id != *batch_id {
                return Err(eingang_store::Error::NotFound {
                    what: "page of this batch",
                    id: b.page_id.to_string(),
                });
            }
            if page.starts_document != b.starts_document {
                pages::edit_page_by(
                    c,
                    &page.id,
                    PageEdit::StartsDocument(b.starts_document),
                    "undo",
                )?;
            }
            if page.deleted != b.deleted {
                pages::edit_page_by(c, &page.id, PageEdit::Deleted(b.deleted), "undo")?;
            }
            pages::set_separator(c, &page.id, b.separator)?;
            pages::set_index_as(c, &page.id, &b.index, "undo_index")?;
        }
        Ok(())
    })?;
    Ok(())
}
