//! OASIS genericode 1.0 code lists (the format FIM publishes its code lists in).

use super::{parse_xml, FimError};
use crate::definition::{Choice, CodeList};

const NS: &str = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/";

/// The first child element called `name`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// A parsed code list with its canonical URI (how FIM schemas refer to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericodeList {
    pub canonical_uri: String,
    pub list: CodeList,
}

/// Parses a genericode code list: the key column (the first key's column, else `code`)
/// gives the values, the next column the labels.
pub fn parse_genericode(xml: &str) -> Result<GenericodeList, FimError> {
    let doc = parse_xml(xml)?;
    let root = doc.root_element();
    let err = |message: &str| FimError {
        element: "genericode".into(),
        message: message.to_owned(),
    };
    if root.tag_name().name() != "CodeList" || root.tag_name().namespace() != Some(NS) {
        return Err(err("not a genericode 1.0 CodeList"));
    }
    let ident = child(root, "Identification").ok_or_else(|| err("Identification is missing"))?;
    let text_of =
        |n: Option<roxmltree::Node<'_, '_>>| n.and_then(|n| n.text()).map(|t| t.trim().to_owned());
    let canonical_uri =
        text_of(child(ident, "CanonicalUri")).ok_or_else(|| err("CanonicalUri is missing"))?;
    let version = text_of(child(ident, "Version"));
    let columns = child(root, "ColumnSet").ok_or_else(|| err("ColumnSet is missing"))?;
    let column_ids: Vec<String> = columns
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Column")
        .filter_map(|c| c.attribute("Id").map(str::to_owned))
        .collect();
    let key_col = columns
        .children()
        .find(|c| c.is_element() && c.tag_name().name() == "Key")
        .and_then(|k| child(k, "ColumnRef"))
        .and_then(|r| r.attribute("Ref").map(str::to_owned))
        .or_else(|| column_ids.first().cloned())
        .ok_or_else(|| err("the code list has no columns"))?;
    let label_col = column_ids
        .iter()
        .find(|c| **c != key_col)
        .cloned()
        .unwrap_or_else(|| key_col.clone());
    let rows = child(root, "SimpleCodeList").ok_or_else(|| err("SimpleCodeList is missing"))?;
    let mut entries = Vec::new();
    for row in rows
        .children()
        .filter(|r| r.is_element() && r.tag_name().name() == "Row")
    {
        let value_of = |col: &str| {
            row.children()
                .filter(|v| v.is_element() && v.tag_name().name() == "Value")
                .find(|v| v.attribute("ColumnRef") == Some(col))
                .and_then(|v| child(v, "SimpleValue"))
                .and_then(|s| s.text())
                .map(|t| t.trim().to_owned())
        };
        let Some(value) = value_of(&key_col) else {
            continue;
        };
        let label = value_of(&label_col).unwrap_or_else(|| value.clone());
        entries.push(Choice {
            value,
            label: [("de".to_owned(), label)].into(),
        });
    }
    if entries.is_empty() {
        return Err(err("the code list has no rows"));
    }
    Ok(GenericodeList {
        canonical_uri: canonical_uri.clone(),
        list: CodeList {
            uri: Some(canonical_uri),
            version,
            entries,
        },
    })
}
