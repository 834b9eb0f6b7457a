//! Measures what autosave costs in the store: one `draft_save` (an UPDATE in its own
//! transaction with `synchronous=FULL`, i.e. fsync'd) on a real file in a data folder.
//! Prints percentiles; compare with the 500 ms the product promises for "typed → saved".
//!
//!     cargo run --release -p eingang-store --example draft_save_latency [-- N [DATA_DIR [DRAFTS]]]
//!
//! DRAFTS (default 100000) other drafts are put into the database first, so the figure is
//! for a store that has been in use.
//!
//! DATA_DIR defaults to a temporary folder under $TMPDIR (use a folder on the disk the
//! laptops really have: tmpfs would hide the fsync).

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_model::DraftValues;
use eingang_store::{tables, Store};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(500), |a| a.parse())?;
    let given = args.next().map(std::path::PathBuf::from);
    let dir = given.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("eingang-bench-{}", std::process::id()))
    });
    let others: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let store = Store::open(&dir)?;
    let existing = store.with_conn(tables::drafts::count)? as usize;
    if existing < others {
        store.with_tx(|tx| {
            for _ in existing..others {
                tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
            }
            Ok(())
        })?;
    }
    let draft =
        store.with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))?;
    let befund_base =
        "Feuchtigkeit im Kellerraum, Putz lose, Schimmelbildung an der Nordwand. ".repeat(20);

    let mut micros = Vec::with_capacity(n);
    for i in 0..n {
        // Each save carries the whole form, growing by one keystroke, as the UI sends it.
        let mut values = DraftValues::new();
        values.insert("aktenzeichen".into(), "530.12-2026-0042".into());
        values.insert("anschrift".into(), "Marktplatz 1, 12345 Musterstadt".into());
        values.insert(
            "befund".into(),
            format!("{befund_base}{}", "x".repeat(i % 200)).into(),
        );
        let t = Instant::now();
        store.with_tx(|tx| tables::drafts::save_values(tx, draft.id, values))?;
        micros.push(t.elapsed().as_micros());
    }
    micros.sort_unstable();
    let pct = |p: usize| micros[(micros.len() - 1) * p / 100];
    println!(
        "draft_save on {} with {} drafts in the database: n={n} p50={} µs p95={} µs p99={} µs max={} µs",
        dir.display(),
        others.max(existing) + 1,
        pct(50),
        pct(95),
        pct(99),
        micros[micros.len() - 1]
    );
    if given.is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
