//! Objektlisten: the objects field workers go out to — playgrounds, trees, building sites —
//! as the city publishes them beside the form catalogue (issue 22), or as a file is imported.
//!
//! A file with any error is refused as a whole, every error named by line and column, so
//! the list already on the laptop stays as it was.
//!
//! CSV (`;` or `,`, quotes as usual, a header row): `id;name;adresse;lat;lon;…` — `id` and
//! `name` are needed; `lat`/`lon` are WGS84 degrees (with a decimal point, or a decimal comma
//! where `;` separates), both or neither; every further column is an attribute, its header the
//! attribute's name (`baujahr`, `letzte_pruefung`), which forms read to pre-fill their fields.
//! JSON: `{"objekte": [{"id": "SP-01", "name": "…", "adresse": "…", "lat": 51.34,
//! "lon": 12.37, "attribute": {"baujahr": 1998}}]}` (numbers and booleans in `attribute`
//! become their text).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

/// No list of objects is larger; a bigger file is refused before it is parsed.
pub const MAX_FILE: usize = 32 << 20;
/// Objects in one list (a city's playgrounds and trees: thousands).
pub const MAX_OBJECTS: usize = 100_000;
const MAX_ID: usize = 128;
const MAX_TEXT: usize = 1_000;

/// A place in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
}

/// One object of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Object {
    pub id: String,
    pub name: String,
    /// Empty when the list gives none.
    pub address: String,
    pub position: Option<Position>,
    /// Attribute name → value, as text.
    pub attributes: BTreeMap<String, String>,
}

/// One problem in a list file: where (1-based line and column; for CSV the column is the
/// value's place in its row) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

fn error(line: usize, column: usize, message: impl Into<String>) -> ListError {
    ListError {
        line,
        column,
        message: message.into(),
    }
}

/// An attribute's name: what a form definition can name (`letzte_pruefung`).
fn is_attribute_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Reads an object list from `name` (`.csv` or `.json`, by its extension) and its bytes.
///
/// # Errors
/// Every problem found, each with its line and column; nothing of the file is taken then.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Object>, Vec<ListError>> {
    if bytes.len() > MAX_FILE {
        return Err(vec![error(
            1,
            1,
            format!("the file is larger than {} MiB", MAX_FILE >> 20),
        )]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        // What comes before the first bad byte is UTF-8.
        let before = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let (line, column) = line_column(before);
        vec![error(
            line,
            column,
            "not UTF-8 text (save the list as UTF-8)",
        )]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let extension = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase());
    match extension.as_deref() {
        Some("csv") => parse_csv(text),
        Some("json") => parse_json(text),
        _ => Err(vec![error(
            1,
            1,
            "an object list is a .csv or a .json file",
        )]),
    }
}

/// The fields of one object before they are checked, each with its column.
struct Raw<'a> {
    line: usize,
    id: (&'a str, usize),
    name: (&'a str, usize),
    address: (&'a str, usize),
    lat: Option<(String, usize)>,
    lon: Option<(String, usize)>,
    attributes: Vec<(String, String, usize)>,
}

/// Checks one object; its problems go to `errors`.
fn check(raw: Raw<'_>, errors: &mut Vec<ListError>) -> Option<Object> {
    let before = errors.len();
    let line = raw.line;
    let mut text = |(value, column): (&str, usize), what: &str, max: usize, needed: bool| {
        let value = value.trim();
        if needed && value.is_empty() {
            errors.push(error(line, column, format!("{what} is missing")));
        } else if value.chars().count() > max {
            errors.push(error(
                line,
                column,
                format!("{what} is longer than {max} characters"),
            ));
        } else if value.chars().any(char::is_control) {
            errors.push(error(
                line,
                column,
                format!("{what} holds control characters"),
            ));
        }
        value.to_owned()
    };
    let id = text(raw.id, "the id", MAX_ID, true);
    let name = text(raw.name, "the name", MAX_TEXT, true);
    let address = text(raw.address, "the address", MAX_TEXT, false);
    let mut degrees = |v: &Option<(String, usize)>, what: &str, limit: f64| {
        let (s, column) = v.as_ref()?;
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match s.replace(',', ".").parse::<f64>() {
            Ok(d) if d.is_finite() && d.abs() <= limit => Some((d, *column)),
            _ => {
                errors.push(error(
                    line,
                    *column,
                    format!(
                        "{what} {s:?} is not a number of degrees from -{limit} to {limit} (WGS84)"
                    ),
                ));
                None
            }
        }
    };
    let lat = degrees(&raw.lat, "the latitude", 90.0);
    let lon = degrees(&raw.lon, "the longitude", 180.0);
    let position = match (lat, lon) {
        (Some((lat, _)), Some((lon, _))) => Some(Position { lat, lon }),
        (Some((_, column)), None) | (None, Some((_, column))) if errors.len() == before => {
            errors.push(error(
                line,
                column,
                "latitude and longitude come together, or neither",
            ));
            None
        }
        _ => None,
    };
    let mut attributes = BTreeMap::new();
    for (key, value, column) in raw.attributes {
        if value.chars().count() > MAX_TEXT {
            errors.push(error(
                line,
                column,
                format!("the attribute {key} is longer than {MAX_TEXT} characters"),
            ));
        }
        attributes.insert(key, value);
    }
    (errors.len() == before).then_some(Object {
        id,
        name,
        address,
        position,
        attributes,
    })
}

/// Refuses a list with two objects of one id (naming both lines) and one beyond the limit.
fn finish(
    objects: Vec<(usize, usize, Object)>,
    mut errors: Vec<ListError>,
) -> Result<Vec<Object>, Vec<ListError>> {
    if objects.len() > MAX_OBJECTS {
        errors.push(error(
            1,
            1,
            format!("more than {MAX_OBJECTS} objects in one list"),
        ));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (line, column, o) in &objects {
        let first = *seen.entry(&o.id).or_insert(*line);
        if first != *line {
            errors.push(error(
                *line,
                *column,
                format!("the id {:?} is already used on line {first}", o.id),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if objects.is_empty() {
        return Err(vec![error(1, 1, "the list holds no objects")]);
    }
    Ok(objects.into_iter().map(|(_, _, o)| o).collect())
}

fn parse_csv(text: &str) -> Result<Vec<Object>, Vec<ListError>> {
    let sep = eingang_model::csv::separator(text);
    let rows = eingang_model::csv::rows(text, sep)
        .map_err(|u| vec![error(u.0, 1, "a quoted value is not closed")])?;
    let Some(((_, header), body)) = rows.split_first() else {
        return Err(vec![error(1, 1, "the file is empty")]);
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let (Some(id), Some(name)) = (col(&["id", "kennung"]), col(&["name", "bezeichnung"])) else {
        return Err(vec![error(
            1,
            1,
            "the header needs the columns id and name (then adresse, lat, lon and attributes)",
        )]);
    };
    let address = col(&["adresse", "anschrift", "address"]);
    let lat = col(&["lat", "breite", "latitude"]);
    let lon = col(&["lon", "laenge", "länge", "longitude"]);
    let known = [Some(id), Some(name), address, lat, lon];
    let mut errors = Vec::new();
    let mut attribute_columns = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if known.contains(&Some(i)) {
            continue;
        }
        if !is_attribute_name(h) {
            errors.push(error(
                1,
                i + 1,
                format!("the column {h:?} is no attribute name (small letters, digits and _, starting with a letter)"),
            ));
        } else if header[..i].contains(h) {
            errors.push(error(1, i + 1, format!("the column {h:?} comes twice")));
        } else {
            attribute_columns.push(i);
        }
    }
    let mut objects = Vec::new();
    for (line, row) in body {
        if row.len() > header.len() {
            errors.push(error(
                *line,
                header.len() + 1,
                format!("{} values, the header has {}", row.len(), header.len()),
            ));
            continue;
        }
        let cell = |i: usize| (row.get(i).map_or("", String::as_str), i + 1);
        let owned = |i: Option<usize>| i.map(|i| (row.get(i).cloned().unwrap_or_default(), i + 1));
        let raw = Raw {
            line: *line,
            id: cell(id),
            name: cell(name),
            address: address.map_or(("", 1), cell),
            lat: owned(lat),
            lon: owned(lon),
            attributes: attribute_columns
                .iter()
                .filter_map(|&i| {
                    let v = row.get(i)?.trim();
                    (!v.is_empty()).then(|| (header[i].clone(), v.to_owned(), i + 1))
                })
                .collect(),
        };
        if let Some(o) = check(raw, &mut errors) {
            objects.push((*line, id + 1, o));
        }
    }
    finish(objects, errors)
}

/// Line and column (1-based, in characters) of what follows `before`.
fn line_column(before: &str) -> (usize, usize) {
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Line and column (1-based) of `part`, a slice of `text`.
fn position_of(text: &str, part: &str) -> (usize, usize) {
    let offset = (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    line_column(&text[..offset.min(text.len())])
}

#[derive(Deserialize)]
struct JsonFile<'a> {
    #[serde(borrow)]
    objekte: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonObject {
    id: serde_json::Value,
    name: String,
    #[serde(default)]
    adresse: String,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    attribute: BTreeMap<String, serde_json::Value>,
}

fn parse_json(text: &str) -> Result<Vec<Object>, Vec<ListError>> {
    let file: JsonFile<'_> = serde_json::from_str(text).map_err(|e| {
        vec![error(
            e.line().max(1),
            e.column().max(1),
            format!("not an object list ({e}); expected {{\"objekte\": [...]}}"),
        )]
    })?;
    let mut errors = Vec::new();
    let mut objects = Vec::new();
    for raw in file.objekte {
        let (line, column) = position_of(text, raw.get());
        let o: JsonObject = match serde_json::from_str(raw.get()) {
            Ok(o) => o,
            Err(e) => {
                // The inner error's place, counted from where the object starts.
                let (l, c) = (e.line().max(1), e.column().max(1));
                let at = if l == 1 {
                    (line, column + c - 1)
                } else {
                    (line + l - 1, c)
                };
                let why = e.to_string();
                let why = why.split(" at line").next().unwrap_or_default();
                errors.push(error(at.0, at.1, why));
                continue;
            }
        };
        let id = match &o.id {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                errors.push(error(line, column, "the id is a text or a number"));
                continue;
            }
        };
        let mut attributes = Vec::new();
        for (key, value) in o.attribute {
            let value = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                _ => {
                    errors.push(error(
                        line,
                        column,
                        format!("the attribute {key} is a text, a number or true/false"),
                    ));
                    continue;
                }
            };
            if is_attribute_name(&key) {
                attributes.push((key, value, column));
            } else {
                errors.push(error(
                    line,
                    column,
                    format!("{key:?} is no attribute name (small letters, digits and _, starting with a letter)"),
                ));
            }
        }
        let raw = Raw {
            line,
            id: (id.as_str(), column),
            name: (o.name.as_str(), column),
            address: (o.adresse.as_str(), column),
            lat: o.lat.map(|d| (d.to_string(), column)),
            lon: o.lon.map(|d| (d.to_string(), column)),
            attributes,
        };
        if let Some(o) = check(raw, &mut errors) {
            objects.push((line, column, o));
        }
    }
    finish(objects, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "id;name;adresse;lat;lon;baujahr;letzte_pruefung\n\
        SP-01;Spielplatz Rosental;Rosentalgasse 1, 04105 Leipzig;51,3472;12,3612;1998;2026-05-04\n\
        \"SP-02\";\"Spielplatz \"\"Am Bach\"\"\";;;;;\n";

    #[test]
    fn csv_objects_come_with_places_and_attributes() {
        let list = parse("spielplaetze.csv", CSV.as_bytes()).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].address, "Rosentalgasse 1, 04105 Leipzig");
        assert_eq!(
            list[0].position,
            Some(Position {
                lat: 51.3472,
                lon: 12.3612
            })
        );
        assert_eq!(list[0].attributes["letzte_pruefung"], "2026-05-04");
        assert_eq!(list[1].name, "Spielplatz \"Am Bach\"");
        assert!(list[1].position.is_none() && list[1].attributes.is_empty());
    }

    #[test]
    fn json_objects_read_like_csv_ones() {
        let json = r#"{"objekte": [
  {"id": "SP-01", "name": "Spielplatz Rosental", "adresse": "Rosentalgasse 1, 04105 Leipzig",
   "lat": 51.3472, "lon": 12.3612, "attribute": {"baujahr": 1998, "letzte_pruefung": "2026-05-04"}},
  {"id": 2, "name": "Spielplatz \"Am Bach\"", "attribute": {"umzaeunt": true, "notiz": null}}
]}"#;
        let list = parse("spielplaetze.json", json.as_bytes()).unwrap();
        let csv = parse("spielplaetze.csv", CSV.as_bytes()).unwrap();
        assert_eq!(list[0], csv[0]);
        assert_eq!(list[1].id, "2");
        assert_eq!(list[1].attributes["umzaeunt"], "true");
        assert!(!list[1].attributes.contains_key("notiz"));
    }

    fn errors(name: &str, text: &str) -> Vec<String> {
        parse(name, text.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_error_of_a_csv_list_is_named_by_line_and_column() {
        let bad = "id;name;lat;lon;Bau jahr\n\
            SP-01;Eins;51.3;12.4;\n\
            SP-02;;51.3;12.4;\n\
            SP-03;Drei;91;12.4;\n\
            SP-04;Vier;51.3;;\n\
            SP-01;Fünf;;;\n\
            SP-07;Sieben;;;;zu viel\n\
            SP-01;Acht;;;\n";
        assert_eq!(
            errors("x.csv", bad),
            [
                "line 1, column 5: the column \"bau jahr\" is no attribute name (small letters, digits and _, starting with a letter)",
                "line 3, column 2: the name is missing",
                "line 4, column 3: the latitude \"91\" is not a number of degrees from -90 to 90 (WGS84)",
                "line 5, column 3: latitude and longitude come together, or neither",
                "line 7, column 6: 6 values, the header has 5",
                "line 6, column 1: the id \"SP-01\" is already used on line 2",
                "line 8, column 1: the id \"SP-01\" is already used on line 2",
            ]
        );
    }

    #[test]
    fn a_json_list_names_the_line_and_column_of_the_bad_object() {
        let bad = "{\"objekte\": [\n  {\"id\": \"A\", \"name\": \"Eins\"},\n  {\"id\": \"B\", \"nmae\": \"Zwei\"},\n  {\"id\": \"C\", \"name\": \"Drei\", \"lat\": 95, \"lon\": 1}\n]}";
        let e = errors("x.json", bad);
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("line 3, column ") && e[0].contains("nmae"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("line 4, column 3: the latitude \"95\""),
            "{e:?}"
        );
        let e = errors(
            "x.json",
            "{\"objekte\": [\n  {\"id\": \"A\", \"name\": \"Eins\"}\n",
        );
        assert!(
            e[0].starts_with("line 3, column 1: not an object list (EOF"),
            "{e:?}"
        );
    }

    #[test]
    fn files_that_are_no_lists_are_refused_clearly() {
        assert_eq!(
            errors("x.csv", "a;b\n1;2"),
            ["line 1, column 1: the header needs the columns id and name (then adresse, lat, lon and attributes)"]
        );
        assert_eq!(
            errors("x.csv", "id;name\n"),
            ["line 1, column 1: the list holds no objects"]
        );
        assert_eq!(errors("x.csv", ""), ["line 1, column 1: the file is empty"]);
        assert_eq!(
            errors("x.csv", "id;name\n\"offen;x\n"),
            ["line 2, column 1: a quoted value is not closed"]
        );
        assert_eq!(
            errors("x.txt", "id;name\n1;x"),
            ["line 1, column 1: an object list is a .csv or a .json file"]
        );
        let e = parse("x.csv", b"id;name\n1;Gr\xfc\n").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (2, 5), "{e:?}");
        assert!(parse("x.csv", &vec![b'a'; MAX_FILE + 1]).is_err());
        // A byte-order mark (as spreadsheets write) is no part of the first column's name.
        assert_eq!(
            parse("x.csv", "\u{feff}id,name\n1,x".as_bytes()).unwrap()[0].id,
            "1"
        );
    }
}
