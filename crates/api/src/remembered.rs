//! What the index station remembers between its calls in one process: the model as last
//! read, and each document's suggestions with what they were computed from. The station
//! asks for the whole batch after every save; without this a batch of 150 documents nobody
//! indexed yet would be read and suggested anew each time (seconds on every Enter).
//!
//! A document's suggestions are kept under a key of everything they follow from — its
//! pages (ids, turns, OCR state, blank), the model (when it last learned) and the master
//! data — so a turned page, a new OCR reading, a retrained model or new master data means
//! new suggestions. Nothing is kept on disk, and a retention purge empties it.

use eingang_capture::auto::{self, StoredModel};
use eingang_model::auto::FieldSuggestion;
use eingang_store::tables::masterdata::Entry;
use eingang_store::tables::pages::PageRow;
use eingang_store::Store;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// Documents remembered at most (then forgotten all at once and remembered anew).
const MAX_DOCUMENTS: usize = 4096;

type Stamp = (std::path::PathBuf, (u32, u32, i64));

#[derive(Default)]
struct Memory {
    /// The store's folder and (format, examples, updated at) of the model read, and the
    /// model.
    model: Option<(Stamp, Arc<StoredModel>)>,
    documents: HashMap<u64, Vec<FieldSuggestion>>,
}

static MEMORY: LazyLock<Mutex<Memory>> = LazyLock::new(Mutex::default);

fn memory() -> std::sync::MutexGuard<'static, Memory> {
    MEMORY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The model and a key that changes whenever it does (read from the store only then).
pub fn model(store: &Store) -> crate::Result<(Arc<StoredModel>, u64)> {
    let stamp = store.with_conn(eingang_store::tables::auto::model_stamp)?;
    let key = hash(&stamp);
    let Some(stamp) = stamp else {
        return Ok((Arc::new(Ok(None)), key));
    };
    let stamp = (store.data_dir().to_path_buf(), stamp);
    if let Some((at, m)) = &memory().model {
        if *at == stamp {
            return Ok((Arc::clone(m), key));
        }
    }
    let model = Arc::new(auto::load_model(store)?);
    memory().model = Some((stamp, Arc::clone(&model)));
    Ok((model, key))
}

/// A key of the master data (what suggestions are checked and found against).
pub fn master_key(master: &[Entry]) -> u64 {
    hash(&serde_json::to_string(master).unwrap_or_default())
}

fn hash<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// The suggestions for the document of these pages: remembered, or computed (its OCR text
/// read) and remembered.
pub fn document(
    store: &Store,
    rows: Vec<PageRow>,
    master: &[Entry],
    (model, model_key): (&StoredModel, u64),
    master_key: u64,
) -> Vec<FieldSuggestion> {
    let mut h = DefaultHasher::new();
    (model_key, master_key).hash(&mut h);
    for p in &rows {
        (
            p.id.to_string(),
            p.rotation,
            &p.ocr_state,
            p.blank,
            p.deleted,
        )
            .hash(&mut h);
    }
    let key = h.finish();
    if let Some(fields) = memory().documents.get(&key) {
        return fields.clone();
    }
    // A page that cannot be read now gives no suggestions, and nothing is remembered.
    let Ok(ins) = auto::pages_in(store, rows) else {
        return Vec::new();
    };
    let fields = auto::document(&ins, master, model).fields;
    let mut m = memory();
    if m.documents.len() >= MAX_DOCUMENTS {
        m.documents.clear();
    }
    m.documents.insert(key, fields.clone());
    fields
}

/// Forgets every document's suggestions (the retention purge removed OCR text they were
/// read from).
pub fn forget_documents() {
    memory().documents.clear();
}
