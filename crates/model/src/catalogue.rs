//! The built-in form catalogue. Until the forms issue brings imported and synced
//! catalogues, it holds one sample form a field worker would really use.

use crate::form::{FieldDef, FieldKind, FormDefinition, LocalizedText};

/// Id of the built-in site-inspection form.
pub const SAMPLE_FORM_ID: &str = "ortstermin";
pub const SAMPLE_FORM_VERSION: &str = "1.0";

fn field(key: &str, de: &str, en: &str, kind: FieldKind, required: bool, max_len: u32) -> FieldDef {
    FieldDef {
        key: key.to_owned(),
        label: LocalizedText::de_en(de, en),
        help: None,
        kind,
        required,
        max_len,
    }
}

/// The site-inspection report (Ortstermin-Protokoll) used by field workers.
pub fn sample_form() -> FormDefinition {
    let mut az = field(
        "aktenzeichen",
        "Aktenzeichen",
        "Case number (Aktenzeichen)",
        FieldKind::Text,
        true,
        60,
    );
    az.help = Some(LocalizedText::de_en(
        "Zum Beispiel 530.12-2026-0042",
        "For example 530.12-2026-0042",
    ));
    FormDefinition {
        id: SAMPLE_FORM_ID.to_owned(),
        version: SAMPLE_FORM_VERSION.to_owned(),
        title: LocalizedText::de_en("Ortstermin-Protokoll", "Site inspection report"),
        fields: vec![
            az,
            field(
                "datum",
                "Datum des Ortstermins",
                "Date of inspection",
                FieldKind::Date,
                true,
                10,
            ),
            field(
                "anschrift",
                "Anschrift des Objekts",
                "Address of the property",
                FieldKind::Text,
                true,
                200,
            ),
            field(
                "befund",
                "Befund",
                "Findings",
                FieldKind::MultilineText,
                false,
                20_000,
            ),
            field(
                "kontakt_email",
                "E-Mail der Ansprechperson",
                "Contact e-mail",
                FieldKind::Email,
                false,
                254,
            ),
        ],
    }
}

/// Every form this build knows.
pub fn builtin_forms() -> Vec<FormDefinition> {
    vec![sample_form()]
}

/// Looks a form up by id and version.
pub fn find(id: &str, version: &str) -> Option<FormDefinition> {
    builtin_forms()
        .into_iter()
        .find(|f| f.id == id && f.version == version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_builtin_form_has_unique_field_keys_and_both_languages() {
        for form in builtin_forms() {
            let keys: HashSet<_> = form.fields.iter().map(|f| &f.key).collect();
            assert_eq!(
                keys.len(),
                form.fields.len(),
                "duplicate key in {}",
                form.id
            );
            for f in &form.fields {
                assert!(f.label.0.contains_key("de"), "{} lacks German", f.key);
                assert!(f.label.0.contains_key("en"), "{} lacks English", f.key);
            }
        }
    }

    #[test]
    fn find_needs_the_exact_version() {
        assert!(find(SAMPLE_FORM_ID, SAMPLE_FORM_VERSION).is_some());
        assert!(find(SAMPLE_FORM_ID, "0.9").is_none());
    }
}
