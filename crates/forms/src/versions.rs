//! Moving a draft to a newer version of its form: what changes for the user, and the values
//! carried over. Values of fields the new version no longer has are dropped (after the user
//! saw the list); everything else stays as typed.

use crate::definition::{Choices, Condition, Field, FieldKind, FormDefinition, Item, Text};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use ts_rs::TS;

/// One change that concerns this draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VersionChange {
    /// `removed` (a filled field the new version drops), `newly_required` (now required and
    /// still empty), `choice_gone` (the chosen value is no longer offered).
    pub kind: String,
    /// The field's path in the draft (`antragsteller.name`, `termine[1].art`).
    pub path: String,
    /// The field's label (from the version that has it).
    pub label: Text,
    /// For `choice_gone`: the value that is no longer offered.
    pub value: Option<String>,
}

fn find<'a>(items: &'a [Item], key: &str) -> Option<&'a Item> {
    items.iter().find(|i| match i {
        Item::Field(f) => f.key == key,
        Item::Group(g) => g.key == key,
        Item::Info(_) => false,
    })
}

fn is_empty(v: Option<&Json>) -> bool {
    match v {
        None | Some(Json::Null) => true,
        Some(Json::String(s)) => s.trim().is_empty(),
        Some(Json::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

/// Whether anything was typed anywhere inside `v`.
fn has_content(v: &Json) -> bool {
    match v {
        Json::Object(m) => m.values().any(has_content),
        Json::Array(a) => a.iter().any(has_content),
        other => !is_empty(Some(other)),
    }
}

fn choices<'a>(def: &'a FormDefinition, f: &'a Field) -> Vec<&'a str> {
    match &f.choices {
        Some(Choices::Inline(list)) => list.iter().map(|c| c.value.as_str()).collect(),
        Some(Choices::CodeList { code_list }) => def
            .code_lists
            .get(code_list)
            .map(|l| l.entries.iter().map(|c| c.value.as_str()).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

struct Diff<'a> {
    new: &'a FormDefinition,
    out: Vec<VersionChange>,
}

impl Diff<'_> {
    fn change(&mut self, kind: &str, path: &str, label: &Text, value: Option<String>) {
        self.out.push(VersionChange {
            kind: kind.to_owned(),
            path: path.to_owned(),
            label: label.clone(),
            value,
        });
    }

    fn scope(&mut self, old: &[Item], new: &[Item], values: &Map<String, Json>, prefix: &str) {
        let path_of = |k: &str| {
            if prefix.is_empty() {
                k.to_owned()
            } else {
                format!("{prefix}.{k}")
            }
        };
        for item in old {
            match item {
                Item::Field(f) => {
                    let path = path_of(&f.key);
                    let v = values.get(&f.key);
                    match find(new, &f.key) {
                        Some(Item::Field(nf)) => self.field(nf, v, &path),
                        _ if !is_empty(v) => self.change("removed", &path, &f.label, None),
                        _ => {}
                    }
                }
                Item::Group(g) => {
                    let path = path_of(&g.key);
                    let v = values.get(&g.key);
                    match (find(new, &g.key), v) {
                        (Some(Item::Group(ng)), Some(Json::Object(m))) => {
                            self.scope(&g.items, &ng.items, m, &path);
                        }
                        (Some(Item::Group(ng)), Some(Json::Array(rows))) => {
                            for (i, row) in rows.iter().enumerate() {
                                if let Json::Object(m) = row {
                                    self.scope(&g.items, &ng.items, m, &format!("{path}[{i}]"));
                                }
                            }
                        }
                        (Some(Item::Group(_)), _) => {}
                        _ if v.is_some_and(has_content) => {
                            self.change("removed", &path, &g.label, None);
                        }
                        _ => {}
                    }
                }
                Item::Info(_) => {}
            }
        }
        // Fields that are new, or newly required, and empty in this draft.
        for item in new {
            if let Item::Field(nf) = item {
                let was_required = matches!(find(old, &nf.key), Some(Item::Field(f)) if f.required != Condition::Fixed(false));
                if nf.required != Condition::Fixed(false)
                    && !was_required
                    && is_empty(values.get(&nf.key))
                {
                    self.change("newly_required", &path_of(&nf.key), &nf.label, None);
                }
            }
        }
    }

    fn field(&mut self, new: &Field, v: Option<&Json>, path: &str) {
        let is_choice = matches!(
            new.kind,
            FieldKind::SingleChoice | FieldKind::MultipleChoice
        );
        if !is_choice {
            return;
        }
        let offered = choices(self.new, new);
        let chosen: Vec<String> = match v {
            Some(Json::String(s)) if !s.is_empty() => vec![s.clone()],
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        for c in chosen {
            if !offered.contains(&c.as_str()) {
                self.change("choice_gone", path, &new.label, Some(c));
            }
        }
    }
}

/// What moving `values` from `old` to `new` changes for the user.
pub fn changes(
    old: &FormDefinition,
    new: &FormDefinition,
    values: &Map<String, Json>,
) -> Vec<VersionChange> {
    let mut d = Diff {
        new,
        out: Vec::new(),
    };
    d.scope(&old.items, &new.items, values, "");
    d.out
}

/// The values carried over to `new`: keys the new version does not have are dropped,
/// recursively (rows of repeat groups included); everything else is kept as typed.
pub fn carry_over(new: &FormDefinition, values: &Map<String, Json>) -> Map<String, Json> {
    fn keep(items: &[Item], values: &Map<String, Json>) -> Map<String, Json> {
        let mut out = Map::new();
        for (k, v) in values {
            match (find(items, k), v) {
                (Some(Item::Field(_)), v) => {
                    out.insert(k.clone(), v.clone());
                }
                (Some(Item::Group(g)), Json::Object(m)) if g.repeat.is_none() => {
                    out.insert(k.clone(), Json::Object(keep(&g.items, m)));
                }
                (Some(Item::Group(g)), Json::Array(rows)) if g.repeat.is_some() => {
                    let rows = rows
                        .iter()
                        .filter_map(Json::as_object)
                        .map(|r| Json::Object(keep(&g.items, r)))
                        .collect();
                    out.insert(k.clone(), Json::Array(rows));
                }
                _ => {}
            }
        }
        out
    }
    keep(&new.items, values)
}

/// Orders versions like people read them: `1.10` after `1.9`, numbers before text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| {
        s.split(['.', '-'])
            .map(|p| {
                p.parse::<u64>()
                    .map_or_else(|_| (1, 0, p.to_owned()), |n| (0, n, String::new()))
            })
            .collect::<Vec<_>>()
    };
    parts(a).cmp(&parts(b))
}
