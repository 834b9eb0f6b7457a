//! The index values of every document of a release, checked against the master data before
//! anything is written: the release's values, each document's own over them, blanks out.

use crate::masterdata;
use crate::BatchError;
use eingang_store::tables::masterdata::Entry;
use eingang_store::tables::pages::PageRow;

/// One list of index values per document (in order), or the first document whose values
/// the master data does not accept, with every problem.
pub(crate) fn check(
    documents: &[Vec<&PageRow>],
    common: &[(String, String)],
    master: &[Entry],
    today: &str,
) -> Result<Vec<Vec<(String, String)>>, BatchError> {
    let mut indexes = Vec::new();
    for (n, seg) in documents.iter().enumerate() {
        let doc_index = merged(seg, common);
        let errors = masterdata::validate(master, &doc_index, today);
        if !errors.is_empty() {
            return Err(BatchError::IndexInvalid {
                document: n + 1,
                problems: errors.into_iter().map(|e| e.message).collect(),
            });
        }
        indexes.push(doc_index);
    }
    Ok(indexes)
}

/// A document's index values: the release's, its own over them, blanks out.
pub(crate) fn merged(seg: &[&PageRow], common: &[(String, String)]) -> Vec<(String, String)> {
    let mut doc_index: Vec<(String, String)> = common.to_vec();
    for (k, v) in &seg[0].index {
        doc_index.retain(|(f, _)| f != k);
        doc_index.push((k.clone(), v.clone()));
    }
    doc_index.retain(|(_, v)| !v.trim().is_empty());
    doc_index
}
