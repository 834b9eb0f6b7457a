//! What the arguments say: parsed and checked before a subcommand makes its call (a wrong
//! argument is exit 2, named with its code).

use crate::out::{usage, Exit};
use eingang_model::BatchId;
use eingang_pdf::PdfA;
use eingang_store::paths::DataDir;
use std::path::Path;

/// `--pdfa 1b|2b|3b`.
pub(crate) fn pdfa(level: &str) -> Result<PdfA, Exit> {
    PdfA::parse(level).ok_or_else(|| usage("scan.pdfa", "--pdfa takes 1b, 2b or 3b"))
}

/// A batch id argument.
pub(crate) fn batch_id(id: &str) -> Result<BatchId, Exit> {
    Ok(id.parse().map_err(eingang_api::Error::from)?)
}

/// `NAME=VALUE` pairs.
pub(crate) fn index_pairs(pairs: &[String]) -> Result<Vec<(String, String)>, Exit> {
    pairs
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| usage("input.index", format!("{kv:?}: write NAME=VALUE")))
        })
        .collect()
}

/// `--jobs N` (default: one per core).
pub(crate) fn jobs(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// A JSON file the user names (`code` says what it should hold).
pub(crate) fn json_file<T: serde::de::DeserializeOwned>(
    file: &Path,
    code: &str,
) -> Result<T, Exit> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| usage("io", format!("{}: {e}", file.display())))?;
    serde_json::from_str(&text).map_err(|e| usage(code, format!("{}: {e}", file.display())))
}

/// The targets new documents are queued for, as in the app: the configured ones, else the
/// local folder.
pub(crate) fn queue_targets(cfg: &eingang_config::Config, data_dir: &DataDir) -> Vec<String> {
    eingang_config::effective_targets(cfg, &data_dir.path)
        .into_iter()
        .map(|t| t.id)
        .collect()
}

/// The release's title, the index for every document, and from the configuration the
/// targets and the station's name.
pub(crate) fn release_request(
    data_dir: &DataDir,
    title: &str,
    index: &[String],
) -> Result<eingang_api::release::ReleaseRequest, Exit> {
    let cfg = eingang_config::load(&data_dir.path)?;
    Ok(eingang_api::release::ReleaseRequest {
        title: title.to_owned(),
        index: index_pairs(index)?,
        targets: queue_targets(&cfg, data_dir),
        station: cfg.station.name,
        authenticated: cfg.directory.configured(),
        seal: cfg.seal,
        timestamp: cfg.timestamp,
        automatic: Vec::new(),
    })
}
