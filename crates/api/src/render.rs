//! The human-readable rendering of a submission as PDF/A: every label and value of the
//! form in its order, repeat groups as numbered entries, choices by their labels,
//! attachments by name, and the form id/version, submission id and time.

use eingang_forms::definition::{Choices, Field, FieldKind, FormDefinition, Item, Text};
use eingang_pdf::{Entry, FormPdf};
use serde_json::{Map, Value as Json};

fn de(t: &Text) -> String {
    t.get("de").cloned().unwrap_or_default()
}

fn choice_label(def: &FormDefinition, f: &Field, code: &str) -> String {
    let list = match &f.choices {
        Some(Choices::Inline(l)) => Some(l.as_slice()),
        Some(Choices::CodeList { code_list }) => {
            def.code_lists.get(code_list).map(|c| c.entries.as_slice())
        }
        None => None,
    };
    list.and_then(|l| l.iter().find(|c| c.value == code))
        .map_or_else(|| code.to_owned(), |c| de(&c.label))
}

/// `2026-11-28` → `28.11.2026`; other text unchanged.
fn german_date(s: &str) -> String {
    if s.len() >= 10 && eingang_forms::is_date(&s[..10]) {
        let rest = s[10..].replace('T', " ");
        format!("{}.{}.{}{rest}", &s[8..10], &s[5..7], &s[..4])
    } else {
        s.to_owned()
    }
}

fn value_text(def: &FormDefinition, f: &Field, v: &Json) -> String {
    match (f.kind, v) {
        (FieldKind::YesNo, Json::Bool(b)) => if *b { "Ja" } else { "Nein" }.to_owned(),
        (FieldKind::SingleChoice, Json::String(s)) => choice_label(def, f, s),
        (FieldKind::MultipleChoice, Json::Array(a)) => a
            .iter()
            .filter_map(Json::as_str)
            .map(|c| choice_label(def, f, c))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Attachment, Json::Array(files)) => files
            .iter()
            .map(|x| {
                let name = x.get("name").and_then(Json::as_str).unwrap_or("?");
                let size = x.get("size").and_then(Json::as_i64).unwrap_or(0);
                format!("Anlage: {name} ({} KB)", (size + 1023) / 1024)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        (FieldKind::Signature, Json::Object(o)) => format!(
            "Unterschrift gezeichnet (Bild, SHA-256 {})",
            o.get("blob").and_then(Json::as_str).unwrap_or("?")
        ),
        (FieldKind::Date | FieldKind::DateTime, Json::String(s)) => german_date(s),
        (FieldKind::Currency, Json::String(s)) => format!("{s} €"),
        (_, Json::String(s)) => s.clone(),
        (_, Json::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

fn entries(
    def: &FormDefinition,
    items: &[Item],
    data: &Map<String, Json>,
    depth: u8,
    out: &mut Vec<Entry>,
) {
    for item in items {
        match item {
            Item::Field(f) => {
                let Some(v) = data.get(&f.key) else { continue };
                out.push(Entry::Field {
                    label: de(&f.label),
                    value: value_text(def, f, v),
                    depth,
                });
            }
            Item::Group(g) => match data.get(&g.key) {
                Some(Json::Object(m)) => {
                    out.push(Entry::Heading {
                        text: de(&g.label),
                        depth,
                    });
                    entries(def, &g.items, m, depth.saturating_add(1), out);
                }
                Some(Json::Array(rows)) if !rows.is_empty() => {
                    out.push(Entry::Heading {
                        text: de(&g.label),
                        depth,
                    });
                    for (i, row) in rows.iter().enumerate() {
                        let m = row.as_object().cloned().unwrap_or_default();
                        out.push(Entry::Heading {
                            text: format!("{} – Eintrag {}", de(&g.label), i + 1),
                            depth: depth.saturating_add(1),
                        });
                        entries(def, &g.items, &m, depth.saturating_add(2), out);
                    }
                }
                _ => {}
            },
            Item::Info(_) => {}
        }
    }
}

/// Renders a submission's data as PDF/A-2b bytes.
pub fn submission_pdf(
    def: &FormDefinition,
    data: &Map<String, Json>,
    submission_id: &str,
    created_ms: i64,
) -> Result<Vec<u8>, eingang_pdf::Error> {
    let mut list = Vec::new();
    entries(def, &def.items, data, 0, &mut list);
    let created = eingang_model::time::rfc3339_utc(created_ms);
    let shown = german_date(
        &created
            .replace('Z', "")
            .chars()
            .take(16)
            .collect::<String>(),
    );
    render_submission(def, submission_id, &created, &shown, list)
}

fn render_submission(
    def: &FormDefinition,
    submission_id: &str,
    created: &str,
    shown: &str,
    entries: Vec<Entry>,
) -> Result<Vec<u8>, eingang_pdf::Error> {
    eingang_pdf::render_form_pdf(&FormPdf {
        title: de(&def.title),
        subtitle: format!("Formular {}, Version {}", def.id, def.version),
        reference: format!("Referenz {submission_id}, abgeschlossen am {shown} (UTC)"),
        footer: format!("{} {} · {submission_id}", def.id, def.version),
        page_label: "Seite {n} von {m}".into(),
        entries,
        created: created.to_owned(),
        language: "de".into(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_times_and_german_dates() {
        assert_eq!(eingang_model::time::rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            eingang_model::time::rfc3339_utc(1_795_868_580_000),
            "2026-11-28T12:23:00Z"
        );
        assert_eq!(super::german_date("2026-11-28"), "28.11.2026");
        assert_eq!(super::german_date("2026-11-28T14:03"), "28.11.2026 14:03");
        assert_eq!(super::german_date("kein Datum"), "kein Datum");
    }
}
