//! The form engine on realistic forms: compile checks, calculations, relevance, validation.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod definitions;
mod drafts;
mod fim;
mod infostand;
mod more_samples;
mod schema;
mod versions;

use eingang_forms::Form;

pub const TODAY: eingang_forms::Today = (2026, 11, 28);

pub fn sample(name: &str) -> Form {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(format!("{name}.json"));
    let json = std::fs::read_to_string(&path).unwrap();
    Form::from_json(&json).unwrap_or_else(|errs| {
        panic!(
            "{} does not compile:\n{}",
            path.display(),
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}
