//! The index station's master data and the validation of index values.
//!
//! The city maintains lists of organisation units (`530.12 Bauordnung`, each with the
//! pattern its Aktenzeichen follow) and document types (`antrag`, each with the index fields
//! it needs). They are imported from CSV or JSON; a file with any error is refused as a whole,
//! every error named by line and column, and the data already there stays.
//!
//! CSV (`;` or `,`, quotes as usual, a header row):
//! `art;code;bezeichnung;muster;felder` — `art` is `einheit` or `dokumentart`, `muster` the
//! Aktenzeichen pattern of a unit, `felder` the fields a type needs, separated by `|`.
//! JSON: `{"units": [{"code", "label", "aktenzeichen"}], "doctypes": [{"code", "label", "fields"}]}`.

use eingang_store::tables::masterdata::Entry;
use serde::{Deserialize, Serialize};

/// The index fields the station offers (others may come from barcodes or profiles).
pub const FIELDS: [&str; 8] = [
    "dokumentart",
    "organisationseinheit",
    "aktenzeichen",
    "eingangsdatum",
    "absender",
    "briefdatum",
    "betreff",
    "notiz",
];

/// One problem in a master-data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// 1-based line (CSV) or entry (JSON).
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, {}: {}", self.line, self.column, self.message)
    }
}

const MAX_FILE: usize = 8 << 20;
const MAX_ENTRIES: usize = 50_000;

fn is_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn parse_csv(text: &str) -> Result<Vec<(usize, Entry)>, Vec<FileError>> {
    let rows = eingang_model::csv::rows(text, eingang_model::csv::separator(text)).map_err(
        |eingang_model::csv::Unclosed(line)| {
            vec![FileError {
                line,
                column: "-".into(),
                message: "a quoted value is not closed".into(),
            }]
        },
    )?;
    let Some(((_, header), body)) = rows.split_first() else {
        return Err(vec![FileError {
            line: 1,
            column: "-".into(),
            message: "the file is empty".into(),
        }]);
    };
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
    };
    let (Some(kind), Some(code), Some(label)) = (
        col(&["art", "kind"]),
        col(&["code", "kennung"]),
        col(&["bezeichnung", "label", "name"]),
    ) else {
        return Err(vec![FileError {
            line: 1,
            column: "header".into(),
            message: "the header needs the columns art;code;bezeichnung (and muster, felder)"
                .into(),
        }]);
    };
    let (pattern, fields, keywords) = (
        col(&["muster", "pattern", "aktenzeichen"]),
        col(&["felder", "fields"]),
        col(&["stichworte", "keywords"]),
    );
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (line, row) in body {
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let kind = match get(Some(kind)).to_lowercase().as_str() {
            "einheit" | "unit" | "organisationseinheit" => "unit",
            "dokumentart" | "doctype" => "doctype",
            other => {
                errors.push(FileError {
                    line: *line,
                    column: "art".into(),
                    message: format!("{other:?} is neither einheit nor dokumentart"),
                });
                continue;
            }
        };
        let pattern = Some(get(pattern)).filter(|p| !p.is_empty());
        let list = |i: Option<usize>| -> Vec<String> {
            get(i)
                .split('|')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        };
        let (fields, keywords) = (list(fields), list(keywords));
        out.push((
            *line,
            Entry {
                kind: kind.into(),
                code: get(Some(code)),
                label: get(Some(label)),
                pattern,
                fields,
                keywords,
            },
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    #[serde(default)]
    units: Vec<JsonUnit>,
    #[serde(default)]
    doctypes: Vec<JsonType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonUnit {
    code: String,
    label: String,
    #[serde(default)]
    aktenzeichen: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonType {
    code: String,
    label: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

fn parse_json(text: &str) -> Result<Vec<(usize, Entry)>, Vec<FileError>> {
    let file: JsonFile = serde_json::from_str(text).map_err(|e| {
        vec![FileError {
            line: e.line(),
            column: format!("column {}", e.column()),
            message: e.to_string(),
        }]
    })?;
    let units = file.units.into_iter().enumerate().map(|(i, u)| {
        (
            i + 1,
            Entry {
                kind: "unit".into(),
                code: u.code.trim().into(),
                label: u.label.trim().into(),
                pattern: u.aktenzeichen.filter(|p| !p.trim().is_empty()),
                fields: Vec::new(),
                keywords: u.keywords,
            },
        )
    });
    let types = file.doctypes.into_iter().enumerate().map(|(i, t)| {
        (
            i + 1,
            Entry {
                kind: "doctype".into(),
                code: t.code.trim().into(),
                label: t.label.trim().into(),
                pattern: None,
                fields: t.fields,
                keywords: t.keywords,
            },
        )
    });
    Ok(units.chain(types).collect())
}

/// Reads and checks a master-data file (`name` decides CSV or JSON by its extension).
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Entry>, Vec<FileError>> {
    let whole = |message: String| {
        vec![FileError {
            line: 1,
            column: "-".into(),
            message,
        }]
    };
    if bytes.len() > MAX_FILE {
        return Err(whole(format!(
            "{name} is larger than {} MiB; split it",
            MAX_FILE >> 20
        )));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| whole(format!("{name} is not UTF-8 text ({e}); save it as UTF-8")))?;
    let text = text.trim_start_matches('\u{feff}');
    let is_json = std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let entries = if is_json {
        parse_json(text)?
    } else {
        parse_csv(text)?
    };
    if entries.len() > MAX_ENTRIES {
        return Err(whole(format!("more than {MAX_ENTRIES} entries")));
    }
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (line, e) in &entries {
        let mut err = |column: &str, message: String| {
            errors.push(FileError {
                line: *line,
                column: column.into(),
                message,
            });
        };
        if e.code.is_empty() || e.code.len() > 64 || e.code.chars().any(char::is_control) {
            err("code", "required, at most 64 characters".into());
        }
        if e.label.is_empty() || e.label.len() > 200 {
            err("bezeichnung", "required, at most 200 characters".into());
        }
        if !seen.insert((e.kind.clone(), e.code.clone())) {
            err("code", format!("{:?} appears twice", e.code));
        }
        if let Some(p) = &e.pattern {
            if let Err(x) = regex::RegexBuilder::new(&format!("^(?:{p})$"))
                .size_limit(1 << 20)
                .build()
            {
                err("muster", format!("not a valid pattern: {x}"));
            }
        }
        if e.keywords.len() > 100 || e.keywords.iter().any(|k| k.chars().count() > 100) {
            err(
                "stichworte",
                "at most 100 keywords of at most 100 characters".into(),
            );
        }
        for f in &e.fields {
            if !is_field_name(f) {
                err(
                    "felder",
                    format!("{f:?}: field names are lower-case letters, digits and '_'"),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(entries.into_iter().map(|(_, e)| e).collect())
    } else {
        Err(errors)
    }
}

/// One problem with a document's index values, tied to its field; `code` lets the UI say it
/// in the user's language, `message` says it in English (CLI, logs of the user's own screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    /// `required`, `unknown_doctype`, `unknown_unit`, `pattern`, `date`, `future_date`,
    /// `too_long`.
    pub code: String,
    pub message: String,
}

/// `YYYY-MM-DD`, a day that exists.
fn is_date(date: &str) -> bool {
    let b = date.as_bytes();
    if date.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        date[..4].parse::<u16>(),
        date[5..7].parse::<u8>(),
        date[8..].parse::<u8>(),
    ) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let max = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=max).contains(&d)
}

/// Checks index values against the master data; `today` is `YYYY-MM-DD`.
pub fn validate(master: &[Entry], index: &[(String, String)], today: &str) -> Vec<FieldError> {
    let get = |f: &str| {
        index
            .iter()
            .find(|(k, _)| k == f)
            .map_or("", |(_, v)| v.trim())
    };
    let mut out = Vec::new();
    let mut err = |field: &str, code: &str, message: String| {
        out.push(FieldError {
            field: field.into(),
            code: code.into(),
            message,
        });
    };
    for (k, v) in index {
        if v.chars().count() > 500 {
            err(k, "too_long", format!("{k}: at most 500 characters"));
        }
    }
    let units: Vec<&Entry> = master.iter().filter(|e| e.kind == "unit").collect();
    let types: Vec<&Entry> = master.iter().filter(|e| e.kind == "doctype").collect();
    let doctype = get("dokumentart");
    // Every document needs its type (the DMS files by it); with master data one of its
    // types, and that type's own required fields.
    if types.is_empty() && doctype.is_empty() {
        err(
            "dokumentart",
            "required",
            "dokumentart: name the document type (for example Antrag, Rechnung, Widerspruch)"
                .into(),
        );
    }
    if !types.is_empty() {
        match types.iter().find(|t| t.code == doctype) {
            None if doctype.is_empty() => err(
                "dokumentart",
                "required",
                "dokumentart: choose the document type".into(),
            ),
            None => err(
                "dokumentart",
                "unknown_doctype",
                format!("dokumentart: {doctype:?} is not in the master data"),
            ),
            Some(t) => {
                for f in &t.fields {
                    if get(f).is_empty() {
                        err(f, "required", format!("{f}: required for {}", t.label));
                    }
                }
            }
        }
    }
    let unit = get("organisationseinheit");
    let unit_entry = units.iter().find(|u| u.code == unit);
    if !unit.is_empty() && !units.is_empty() && unit_entry.is_none() {
        err(
            "organisationseinheit",
            "unknown_unit",
            format!("organisationseinheit: {unit:?} is not in the master data"),
        );
    }
    let az = get("aktenzeichen");
    if let (Some(u), false) = (unit_entry, az.is_empty()) {
        if let Some(p) = &u.pattern {
            let ok = regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(az));
            if !ok {
                err(
                    "aktenzeichen",
                    "pattern",
                    format!(
                        "aktenzeichen: {az:?} does not follow the pattern of {} ({p})",
                        u.code
                    ),
                );
            }
        }
    }
    for field in ["eingangsdatum", "briefdatum"] {
        let date = get(field);
        if date.is_empty() {
            continue;
        }
        if !is_date(date) {
            err(
                field,
                "date",
                format!("{field}: {date:?} is not a date (YYYY-MM-DD)"),
            );
        } else if date > today {
            err(
                field,
                "future_date",
                format!("{field}: {date} lies in the future"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "art;code;bezeichnung;muster;felder\n\
        einheit;530.12;Bauordnung;\"530\\.12-\\d{4}/\\d{4}\";\n\
        einheit;32.1;Ordnungsamt;;\n\
        dokumentart;antrag;Antrag;;aktenzeichen|eingangsdatum\n\
        dokumentart;widerspruch;\"Widerspruch; formlos\";;absender\n";

    #[test]
    fn csv_is_read_with_quotes() {
        let e = parse("stamm.csv", CSV.as_bytes()).unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].pattern.as_deref(), Some("530\\.12-\\d{4}/\\d{4}"));
        assert_eq!(e[3].label, "Widerspruch; formlos");
        assert_eq!(e[2].fields, ["aktenzeichen", "eingangsdatum"]);
    }

    #[test]
    fn every_error_in_a_file_is_named_by_line_and_column() {
        let bad = "art;code;bezeichnung;muster;felder\n\
            einheit;530.12;Bauordnung;\"530(\";\n\
            ort;1;x;;\n\
            einheit;530.12;doppelt;;\n\
            dokumentart;a;;;Feld Name\n";
        let errors = parse("stamm.csv", bad.as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.starts_with("line 3, art:")),
            "{text:?}"
        );
        let errors = parse("stamm.csv", bad.replace("ort;1;x;;\n", "").as_bytes()).unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.starts_with("line 2, muster:")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|e| e.starts_with("line 3, code:") && e.contains("twice")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|e| e.starts_with("line 4, bezeichnung:")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|e| e.starts_with("line 4, felder:")),
            "{text:?}"
        );
        assert!(parse("x.csv", b"art;code\n\"offen").is_err());
        assert!(parse("x.json", b"{\"units\": [{\"code\": 1}]}").is_err());
        assert!(parse("x.csv", &[0xff, 0xfe]).unwrap_err()[0]
            .message
            .contains("UTF-8"));
    }

    #[test]
    fn json_is_read_too() {
        let json = r#"{"units": [{"code": "530.12", "label": "Bauordnung", "aktenzeichen": "530\\.12-\\d+"}],
                      "doctypes": [{"code": "antrag", "label": "Antrag", "fields": ["aktenzeichen"]}]}"#;
        let e = parse("stamm.JSON", json.as_bytes()).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].kind, "doctype");
    }

    #[test]
    fn index_values_are_checked_against_the_master_data() {
        let master = parse("stamm.csv", CSV.as_bytes()).unwrap();
        let idx = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        let ok = idx(&[
            ("dokumentart", "antrag"),
            ("organisationseinheit", "530.12"),
            ("aktenzeichen", "530.12-2026/0042"),
            ("eingangsdatum", "2026-11-27"),
        ]);
        assert_eq!(validate(&master, &ok, "2026-11-29"), vec![]);
        let codes = |i: &[(String, String)]| -> Vec<(String, String)> {
            validate(&master, i, "2026-11-29")
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        let bad = idx(&[
            ("dokumentart", "antrag"),
            ("organisationseinheit", "530.12"),
            ("aktenzeichen", "530.12-26/42"),
            ("eingangsdatum", "2026-02-30"),
        ]);
        assert_eq!(
            codes(&bad),
            [
                ("aktenzeichen".to_string(), "pattern".to_string()),
                ("eingangsdatum".into(), "date".into())
            ]
        );
        let bad = idx(&[("dokumentart", "antrag"), ("eingangsdatum", "2027-01-01")]);
        assert_eq!(
            codes(&bad),
            [
                ("aktenzeichen".to_string(), "required".to_string()),
                ("eingangsdatum".into(), "future_date".into())
            ]
        );
        assert_eq!(codes(&idx(&[("dokumentart", "x")]))[0].1, "unknown_doctype");
        assert_eq!(codes(&[])[0].1, "required");
        // Without master data: any document type (but one), and the form of the values.
        assert_eq!(
            validate(
                &[],
                &idx(&[("dokumentart", "Antrag"), ("aktenzeichen", "frei")]),
                "2026-11-29"
            ),
            vec![]
        );
        let untyped = validate(&[], &idx(&[("aktenzeichen", "frei")]), "2026-11-29");
        assert_eq!(
            untyped
                .iter()
                .map(|e| (&*e.field, &*e.code))
                .collect::<Vec<_>>(),
            [("dokumentart", "required")]
        );
    }
}
