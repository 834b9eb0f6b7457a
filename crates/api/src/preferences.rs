//! The user's preferences kept in the store: the language of the staff workspaces.

use crate::error::{Error, Result};
use eingang_store::tables::preferences;
use eingang_store::Store;

/// The languages of the staff workspaces (German first: the default).
pub const LANGUAGES: &[&str] = &["de", "en"];

/// The chosen language (German when none was chosen, or an unknown one is stored).
pub fn language(store: &Store) -> Result<String> {
    let stored = store.with_conn(|c| preferences::get(c, preferences::LANGUAGE))?;
    Ok(stored
        .filter(|l| LANGUAGES.contains(&l.as_str()))
        .unwrap_or_else(|| LANGUAGES[0].to_owned()))
}

pub fn set_language(store: &Store, language: &str) -> Result<()> {
    if !LANGUAGES.contains(&language) {
        return Err(Error::input(
            "input.bad_language",
            format!(
                "unsupported language; choose one of {}",
                LANGUAGES.join(", ")
            ),
        ));
    }
    Ok(store.with_tx(|tx| preferences::set(tx, preferences::LANGUAGE, language))?)
}
