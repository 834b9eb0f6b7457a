//! XDatenfelder 2.0 / 3.0 → form definition.

use super::genericode::GenericodeList;
use super::{parse_xml, FimError, ImportReport, ReportEntry, MAX_GROUP_DEPTH};
use crate::definition::{
    Bound, Choice, Choices, CodeList, Condition, Field, FieldKind, FormDefinition, Group, Info,
    Item, Note, Repeat, Source, Text, FORMAT,
};
use roxmltree::Node;
use std::collections::{BTreeMap, HashSet};

const NS2: &str = "urn:xoev-de:fim:standard:xdatenfelder_2";
const NS3: &str = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0";

fn de(s: &str) -> Text {
    [("de".to_owned(), s.to_owned())].into()
}

fn elements<'a, 'i>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

struct Importer<'c> {
    ns: &'static str,
    code_lists: &'c [GenericodeList],
    used_lists: BTreeMap<String, CodeList>,
    report: ImportReport,
    notes: Vec<Note>,
}

/// The FIM id of an element, for messages: `F60000227 (Familienname)`.
fn describe(n: Node<'_, '_>) -> String {
    let id = elements(n, "identifikation")
        .next()
        .and_then(|i| elements(i, "id").next())
        .and_then(|i| i.text())
        .map_or("", str::trim);
    let name = elements(n, "name")
        .next()
        .and_then(|x| x.text())
        .map_or("", str::trim);
    match (id.is_empty(), name.is_empty()) {
        (false, false) => format!("{id} ({name})"),
        (false, true) => id.to_owned(),
        (true, false) => format!("{} ({name})", n.tag_name().name()),
        (true, true) => n.tag_name().name().to_owned(),
    }
}

impl Importer<'_> {
    /// A note for the report: `code` and `params` for the app to say it in the user's
    /// language, `message` for the CLI and the log.
    fn note(
        &mut self,
        n: Node<'_, '_>,
        code: &'static str,
        params: &[(&'static str, &str)],
        message: impl Into<String>,
    ) {
        self.report.entries.push(ReportEntry {
            element: describe(n),
            code,
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            message: message.into(),
        });
    }

    fn fail(n: Node<'_, '_>, message: impl Into<String>) -> FimError {
        FimError {
            element: describe(n),
            message: message.into(),
        }
    }

    /// The text of the only child `name` (an error if it appears twice).
    fn single(n: Node<'_, '_>, name: &str) -> Result<Option<String>, FimError> {
        let mut it = elements(n, name);
        let first = it.next();
        if it.next().is_some() {
            return Err(Self::fail(n, format!("<{name}> appears more than once")));
        }
        Ok(first
            .and_then(|x| x.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned))
    }

    fn code(n: Node<'_, '_>, name: &str) -> Result<Option<String>, FimError> {
        let mut it = elements(n, name);
        let first = it.next();
        if it.next().is_some() {
            return Err(Self::fail(n, format!("<{name}> appears more than once")));
        }
        Ok(first.and_then(|x| {
            x.children()
                .find(|c| c.is_element() && c.tag_name().name() == "code")
                .and_then(|c| c.text())
                .map(|t| t.trim().to_owned())
        }))
    }

    fn identification(n: Node<'_, '_>) -> Result<(String, Option<String>), FimError> {
        let mut idents = elements(n, "identifikation");
        let ident = idents
            .next()
            .ok_or_else(|| Self::fail(n, "<identifikation> is missing"))?;
        if idents.next().is_some() {
            return Err(Self::fail(n, "<identifikation> appears more than once"));
        }
        let id = Self::single(ident, "id")
            .map_err(|e| FimError {
                element: describe(n),
                ..e
            })?
            .ok_or_else(|| Self::fail(n, "the element has no <id> (or an empty one)"))?;
        let version = Self::single(ident, "version")?;
        Ok((id, version))
    }

    fn label(n: Node<'_, '_>) -> Result<Text, FimError> {
        let label = Self::single(n, "bezeichnungEingabe")?
            .or(Self::single(n, "name")?)
            .unwrap_or_else(|| describe(n));
        Ok(de(&label))
    }

    fn help(n: Node<'_, '_>) -> Result<Option<Text>, FimError> {
        Ok(Self::single(n, "hilfetextEingabe")?.map(|h| de(&h)))
    }

    fn rules(&mut self, n: Node<'_, '_>) -> Result<(), FimError> {
        for r in elements(n, "regel") {
            let (id, _) = Self::identification(r)?;
            let name = Self::single(r, "name")?.unwrap_or_default();
            let text = Self::single(r, "freitextRegel")?
                .or(Self::single(r, "definition")?)
                .or(Self::single(r, "beschreibung")?)
                .unwrap_or_default();
            let script = Self::single(r, "skript")?.or(Self::single(r, "script")?);
            let mut body = name.clone();
            if !text.is_empty() {
                body = format!("{body}: {text}");
            }
            if script.is_some() {
                // The note is part of the form (German, as the FIM text it follows).
                body.push_str(" [in der FIM-Datei als Skript hinterlegt; hier nicht ausgeführt]");
            }
            self.notes.push(Note {
                id: Some(id),
                text: body,
            });
            self.note(
                r,
                "rule_note",
                &[],
                "rule kept as a note on the form; add a hand-written rule expression to enforce it",
            );
        }
        Ok(())
    }

    /// `anzahl` `min:max` (`*` or empty max = unbounded).
    fn anzahl(s: &Node<'_, '_>) -> Result<(u32, Option<u32>), FimError> {
        let raw = Self::single(*s, "anzahl")?.unwrap_or_else(|| "1:1".into());
        let (a, b) = raw
            .split_once(':')
            .ok_or_else(|| Self::fail(*s, format!("anzahl '{raw}' is not min:max")))?;
        let min = a
            .trim()
            .parse()
            .map_err(|_| Self::fail(*s, format!("anzahl '{raw}' is not min:max")))?;
        let max = match b.trim() {
            "*" | "" => None,
            m => Some(
                m.parse()
                    .map_err(|_| Self::fail(*s, format!("anzahl '{raw}' is not min:max")))?,
            ),
        };
        if max.is_some_and(|m| m < min || m == 0) {
            return Err(Self::fail(
                *s,
                format!("anzahl '{raw}': the maximum is below the minimum"),
            ));
        }
        Ok((min, max))
    }

    fn structure(&mut self, n: Node<'_, '_>, depth: usize) -> Result<Vec<Item>, FimError> {
        if depth > MAX_GROUP_DEPTH {
            return Err(Self::fail(
                n,
                format!("groups nested deeper than {MAX_GROUP_DEPTH} levels"),
            ));
        }
        let mut items = Vec::new();
        let mut keys = HashSet::new();
        for s in elements(n, "struktur") {
            let (min, max) = Self::anzahl(&s)?;
            let enthaelt = elements(s, "enthaelt")
                .next()
                .ok_or_else(|| Self::fail(n, "a <struktur> without <enthaelt>"))?;
            for child in enthaelt.children().filter(Node::is_element) {
                let item = match child.tag_name().name() {
                    "datenfeld" => self.field(child, min, max)?,
                    "datenfeldgruppe" => self.group(child, min, max, depth)?,
                    other => {
                        return Err(Self::fail(n, format!("unexpected <{other}> in <enthaelt>")));
                    }
                };
                let Some(mut item) = item else { continue };
                let key = item_key(&item).to_owned();
                if !keys.insert(key.clone()) {
                    let mut k = 2;
                    while keys.contains(&format!("{key}_{k}")) {
                        k += 1;
                    }
                    let new = format!("{key}_{k}");
                    self.note(
                        child,
                        "used_twice",
                        &[("key", &new)],
                        format!("used twice at this level; the second use is '{new}'"),
                    );
                    set_item_key(&mut item, new.clone());
                    keys.insert(new);
                }
                items.push(item);
            }
        }
        Ok(items)
    }

    fn group(
        &mut self,
        g: Node<'_, '_>,
        min: u32,
        max: Option<u32>,
        depth: usize,
    ) -> Result<Option<Item>, FimError> {
        let (id, _) = Self::identification(g)?;
        Self::single(g, "beschreibung")?;
        self.rules(g)?;
        let items = self.structure(g, depth + 1)?;
        if items.is_empty() {
            self.note(g, "empty_group", &[], "group without fields not imported");
            return Ok(None);
        }
        // 1:1 is a plain group; anything else (optional 0:1, or repeating) lets the user add
        // the group's entries: an optional group is a repeat group of at most one entry.
        let repeat = (min, max) != (1, Some(1));
        Ok(Some(Item::Group(Group {
            key: key_of(&id),
            label: Self::label(g)?,
            help: Self::help(g)?,
            relevant: None,
            repeat: repeat.then_some(Repeat { min, max }),
            items,
        })))
    }

    fn field(
        &mut self,
        f: Node<'_, '_>,
        min: u32,
        max: Option<u32>,
    ) -> Result<Option<Item>, FimError> {
        let (id, _) = Self::identification(f)?;
        Self::single(f, "beschreibung")?;
        self.rules(f)?;
        let feldart = Self::code(f, "feldart")?.unwrap_or_else(|| "input".into());
        let datentyp = Self::code(f, "datentyp")?.unwrap_or_else(|| "text".into());
        let label = Self::label(f)?;
        let key = key_of(&id);
        match feldart.as_str() {
            "label" => {
                let text = Self::single(f, "inhalt")?.map_or_else(|| label.clone(), |t| de(&t));
                return Ok(Some(Item::Info(Info {
                    key,
                    text,
                    relevant: None,
                })));
            }
            "hidden" => {
                self.note(
                    f,
                    "hidden_field",
                    &[],
                    "hidden field (feldart 'hidden') not imported: nothing for the user to fill in",
                );
                return Ok(None);
            }
            "locked" => self.note(
                f,
                "locked_field",
                &[],
                "locked field (feldart 'locked') imported as an editable field",
            ),
            "input" | "select" => {}
            other => self.note(
                f,
                "unknown_feldart",
                &[("value", other)],
                format!("unknown feldart '{other}' imported as input"),
            ),
        }
        let mut field = Field {
            key: key.clone(),
            kind: self.kind_of(f, &datentyp),
            label,
            help: Self::help(f)?,
            help_plain: None,
            required: Condition::Fixed(min >= 1),
            relevant: None,
            calculate: None,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            decimals: None,
            pattern: None,
            pattern_message: None,
            constraint: None,
            constraint_message: None,
            choices: None,
            accept: Vec::new(),
            max_files: None,
        };
        self.praezisierung(f, &mut field);
        if feldart == "select" {
            field.kind = FieldKind::SingleChoice;
            field.choices = Some(self.choices(f)?);
            field.min_length = None;
            field.max_length = None;
            field.pattern = None;
        }
        if field.kind == FieldKind::Text && field.max_length.is_some_and(|m| m > 255) {
            field.kind = FieldKind::MultilineText;
        }
        if max == Some(1) {
            return Ok(Some(Item::Field(Box::new(field))));
        }
        // A repeated field becomes a repeat group holding that one field.
        let anzahl = format!("{min}:{}", max.map_or("*".into(), |m| m.to_string()));
        self.note(
            f,
            "repeated_field",
            &[("anzahl", &anzahl)],
            format!("repeated field (anzahl {anzahl}) imported as a repeat group"),
        );
        let label = field.label.clone();
        field.required = Condition::Fixed(true);
        Ok(Some(Item::Group(Group {
            key: format!("{key}_liste"),
            label,
            help: None,
            relevant: None,
            repeat: Some(Repeat { min, max }),
            items: vec![Item::Field(Box::new(field))],
        })))
    }

    fn kind_of(&mut self, f: Node<'_, '_>, datentyp: &str) -> FieldKind {
        match datentyp {
            "text" | "text_latin" => FieldKind::Text,
            "date" => FieldKind::Date,
            "time" => FieldKind::Time,
            "datetime" => FieldKind::DateTime,
            "bool" => FieldKind::YesNo,
            "num" => FieldKind::Decimal,
            "num_int" => FieldKind::Integer,
            "num_currency" => FieldKind::Currency,
            "file" => FieldKind::Attachment,
            "obj" => {
                self.note(
                    f,
                    "binary_object",
                    &[],
                    "datentyp 'obj' (binary object) imported as an attachment",
                );
                FieldKind::Attachment
            }
            other => {
                self.note(
                    f,
                    "unknown_datentyp",
                    &[("value", other)],
                    format!("unknown datentyp '{other}' imported as text"),
                );
                FieldKind::Text
            }
        }
    }

    /// Length, range and pattern: 2.0 keeps them as JSON text, 3.0 as attributes.
    fn praezisierung(&mut self, f: Node<'_, '_>, field: &mut Field) {
        let Some(p) = elements(f, "praezisierung").next() else {
            return;
        };
        let mut props: Vec<(String, String)> = Vec::new();
        if self.ns == NS2 {
            let text = p.text().map_or("", str::trim);
            if text.is_empty() {
                return;
            }
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                Ok(m) => {
                    for (k, v) in m {
                        let v = match v {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        props.push((k, v));
                    }
                }
                Err(e) => {
                    self.note(
                        f,
                        "praezisierung_json",
                        &[("error", &e.to_string())],
                        format!("praezisierung is not valid JSON ({e}); constraints not imported"),
                    );
                    return;
                }
            }
        } else {
            props.extend(
                p.attributes()
                    .map(|a| (a.name().to_owned(), a.value().to_owned())),
            );
        }
        for (k, v) in props {
            let v = v.trim().to_owned();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "minLength" => field.min_length = self.number_or_note(f, &k, &v),
                "maxLength" => field.max_length = self.number_or_note(f, &k, &v),
                "minValue" | "maxValue" => {
                    let bound = match field.kind {
                        FieldKind::Date | FieldKind::DateTime if crate::is_date(&v) => {
                            Some(Bound::Date(v.clone()))
                        }
                        FieldKind::Integer | FieldKind::Decimal | FieldKind::Currency => {
                            v.parse().ok().map(Bound::Number)
                        }
                        _ => None,
                    };
                    if bound.is_none() {
                        self.note(
                            f,
                            "bound_type",
                            &[("name", &k), ("value", &v)],
                            format!("{k} '{v}' does not fit the field's type; not imported"),
                        );
                    }
                    if k == "minValue" {
                        field.min = bound;
                    } else {
                        field.max = bound;
                    }
                }
                "pattern" => {
                    if regex::Regex::new(&format!("^(?:{v})$")).is_ok() {
                        field.pattern = Some(v);
                    } else {
                        self.note(
                            f,
                            "pattern",
                            &[("value", &v)],
                            format!(
                                "pattern '{v}' is not a supported regular expression; not imported"
                            ),
                        );
                    }
                }
                other => self.note(
                    f,
                    "praezisierung_unsupported",
                    &[("name", other)],
                    format!("praezisierung '{other}' is not supported; ignored"),
                ),
            }
        }
    }

    fn number_or_note(&mut self, f: Node<'_, '_>, k: &str, v: &str) -> Option<u32> {
        let n = v.parse().ok();
        if n.is_none() {
            self.note(
                f,
                "not_whole_number",
                &[("name", k), ("value", v)],
                format!("{k} '{v}' is not a whole number; not imported"),
            );
        }
        n
    }

    fn choices(&mut self, f: Node<'_, '_>) -> Result<Choices, FimError> {
        // 3.0: values inline.
        if let Some(werte) = elements(f, "werte").next() {
            let mut list = Vec::new();
            for w in elements(werte, "wert") {
                let code = Self::single(w, "code")?
                    .ok_or_else(|| Self::fail(f, "a <wert> without <code>"))?;
                let name = Self::single(w, "name")?.unwrap_or_else(|| code.clone());
                list.push(Choice {
                    value: code,
                    label: de(&name),
                });
            }
            if !list.is_empty() {
                return Ok(Choices::Inline(list));
            }
        }
        let uri = f
            .descendants()
            .find(|d| {
                d.is_element()
                    && matches!(
                        d.tag_name().name(),
                        "canonicalIdentification" | "canonicalUri"
                    )
            })
            .and_then(|d| d.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Self::fail(
                    f,
                    "a select field without values and without a code list reference",
                )
            })?;
        let list = self
            .code_lists
            .iter()
            .find(|c| c.canonical_uri == uri)
            .ok_or_else(|| {
                Self::fail(
                    f,
                    format!("the code list {uri} is not available; put its genericode file next to the schema"),
                )
            })?;
        let name = code_list_key(&uri);
        self.used_lists.insert(name.clone(), list.list.clone());
        Ok(Choices::CodeList { code_list: name })
    }
}

fn key_of(fim_id: &str) -> String {
    let k: String = fim_id
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    if k.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{k}")
    } else {
        k
    }
}

fn code_list_key(uri: &str) -> String {
    uri.rsplit(':')
        .next()
        .unwrap_or(uri)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect()
}

fn item_key(i: &Item) -> &str {
    match i {
        Item::Field(f) => &f.key,
        Item::Group(g) => &g.key,
        Item::Info(x) => &x.key,
    }
}

fn set_item_key(i: &mut Item, key: String) {
    match i {
        Item::Field(f) => f.key = key,
        Item::Group(g) => g.key = key,
        Item::Info(x) => x.key = key,
    }
}

/// Converts an XDatenfelder 2.0 or 3.0 document (a Stammdatenschema, or a single
/// Datenfeldgruppe or Datenfeld message) into a form definition and a report of what could
/// not be mapped exactly. `code_lists` are the genericode lists available for it.
pub fn import_xdf(
    xml: &str,
    code_lists: &[GenericodeList],
) -> Result<(FormDefinition, ImportReport), FimError> {
    let doc = parse_xml(xml)?;
    let root = doc.root_element();
    let ns = match root.tag_name().namespace() {
        Some(NS2) => NS2,
        Some(NS3) => NS3,
        other => {
            return Err(FimError {
                element: root.tag_name().name().to_owned(),
                message: format!(
                    "unknown namespace '{}'; Eingang reads XDatenfelder 2.0 ({NS2}) and 3.0 ({NS3})",
                    other.unwrap_or("")
                ),
            });
        }
    };
    let main = root
        .children()
        .find(|c| {
            c.is_element()
                && matches!(
                    c.tag_name().name(),
                    "stammdatenschema" | "datenfeldgruppe" | "datenfeld"
                )
        })
        .ok_or_else(|| FimError {
            element: root.tag_name().name().to_owned(),
            message: "no <stammdatenschema>, <datenfeldgruppe> or <datenfeld> in the message"
                .into(),
        })?;
    let mut imp = Importer {
        ns,
        code_lists,
        used_lists: BTreeMap::new(),
        report: ImportReport::default(),
        notes: Vec::new(),
    };
    let (id, version) = Importer::identification(main)?;
    let title = Importer::label(main)?;
    let description = Importer::single(main, "beschreibung")?.map(|d| de(&d));
    imp.rules(main)?;
    let items = match main.tag_name().name() {
        "stammdatenschema" => imp.structure(main, 0)?,
        "datenfeldgruppe" => imp.group(main, 1, Some(1), 0)?.into_iter().collect(),
        _ => imp.field(main, 1, Some(1))?.into_iter().collect(),
    };
    if items.is_empty() {
        imp.note(main, "no_fields", &[], "the schema contains no fields");
    }
    let version = version.unwrap_or_else(|| {
        imp.note(
            main,
            "no_version",
            &[],
            "no version given; imported as version 0",
        );
        "0".into()
    });
    let def = FormDefinition {
        format: FORMAT,
        id: format!("fim-{}", key_of(&id).replace('_', "-")),
        title,
        description,
        items,
        rules: Vec::new(),
        code_lists: imp.used_lists,
        notes: imp.notes,
        source: Some(Source {
            format: if ns == NS2 {
                "fim-xdf2".into()
            } else {
                "fim-xdf3".into()
            },
            id,
            version: Some(version.clone()),
        }),
        version,
    };
    // The result must be a valid form; a failure here is a bug in the mapping.
    crate::Form::compile(def.clone()).map_err(|errors| FimError {
        element: describe(main),
        message: format!(
            "the imported form is not valid: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    })?;
    Ok((def, imp.report))
}
