//! Document type and organisation unit learned from this office's released documents: a
//! naive Bayes classifier over the words of a document (each word counted once per
//! document, Laplace-smoothed), updated with every released document — learning is adding
//! counts, so it is incremental by nature and never needs a pass over old documents.
//! Before it has seen enough, the master data's keywords per type and unit suggest (a cold
//! start).
//!
//! The model is a plain value serialised as JSON into the encrypted store, with a format
//! number: a model it cannot read (damaged) or from a newer Eingang is reported as such and
//! simply not used.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The format this Eingang writes and reads.
pub const FORMAT: u32 = 1;

/// Distinct words of a document used (its first words; the head says most).
const MAX_TOKENS: usize = 1500;

/// A class is suggested by the model only after this many examples of it.
pub const MIN_EXAMPLES: u32 = 2;

/// The distinct words of a text: lower case, letters (and digits inside words), 3–30
/// characters, not numbers; in the order they first appear.
pub fn tokens(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for raw in text.split(|c: char| !c.is_alphanumeric()) {
        let n = raw.chars().count();
        if !(3..=30).contains(&n) || !raw.chars().any(char::is_alphabetic) {
            continue;
        }
        let t = raw.to_lowercase();
        if seen.insert(t.clone()) {
            out.push(t);
            if out.len() == MAX_TOKENS {
                break;
            }
        }
    }
    out
}

/// One field's classifier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayes {
    /// Documents per class.
    pub docs: BTreeMap<String, u32>,
    /// Word → documents of each class it appeared in.
    counts: HashMap<String, BTreeMap<String, u32>>,
}

impl NaiveBayes {
    pub fn learn(&mut self, class: &str, tokens: &[String]) {
        *self.docs.entry(class.to_owned()).or_default() += 1;
        for t in tokens {
            *self
                .counts
                .entry(t.clone())
                .or_default()
                .entry(class.to_owned())
                .or_default() += 1;
        }
    }

    /// The most likely class and its probability, among classes with enough examples.
    pub fn predict(&self, tokens: &[String]) -> Option<(String, f32)> {
        let classes: Vec<(&String, u32)> = self
            .docs
            .iter()
            .filter(|(_, n)| **n >= MIN_EXAMPLES)
            .map(|(c, n)| (c, *n))
            .collect();
        if classes.is_empty() {
            return None;
        }
        let total: u32 = classes.iter().map(|(_, n)| n).sum();
        // Bernoulli-style presence per word: log P(word present | class), Laplace-smoothed.
        let mut scores: Vec<f64> = classes
            .iter()
            .map(|(_, n)| (f64::from(*n) / f64::from(total)).ln())
            .collect();
        let mut used = 0usize;
        for t in tokens {
            let Some(per) = self.counts.get(t) else {
                continue;
            };
            used += 1;
            for (k, (c, n)) in classes.iter().enumerate() {
                let k_t = per.get(*c).copied().unwrap_or(0);
                scores[k] += ((f64::from(k_t) + 1.0) / (f64::from(*n) + 2.0)).ln();
            }
        }
        if used == 0 {
            return None;
        }
        // Naive Bayes is overconfident (its words are not independent): the evidence is
        // tempered by the number of words before it becomes a probability.
        #[allow(clippy::cast_precision_loss)]
        let temper = 1.0 + used as f64 / 40.0;
        let max = scores.iter().copied().fold(f64::MIN, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| ((s - max) / temper).exp()).collect();
        let sum: f64 = exp.iter().sum();
        let (best, p) = exp
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, e)| (k, e / sum))?;
        #[allow(clippy::cast_possible_truncation)]
        Some((classes[best].0.clone(), p as f32))
    }

    pub fn examples(&self) -> u32 {
        self.docs.values().sum()
    }
}

/// The learned model: one classifier per field (`dokumentart`, `organisationseinheit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    pub fields: BTreeMap<String, NaiveBayes>,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            format: FORMAT,
            fields: BTreeMap::new(),
        }
    }
}

/// Why a stored model is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    Damaged,
    Newer,
}

impl Model {
    /// Reads a stored model.
    pub fn read(json: &str) -> Result<Self, Unusable> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|_| Unusable::Damaged)?;
        let format = v
            .get("format")
            .and_then(serde_json::Value::as_u64)
            .ok_or(Unusable::Damaged)?;
        if format > u64::from(FORMAT) {
            return Err(Unusable::Newer);
        }
        serde_json::from_value(v).map_err(|_| Unusable::Damaged)
    }

    pub fn learn(&mut self, field: &str, class: &str, tokens: &[String]) {
        if class.trim().is_empty() {
            return;
        }
        self.fields
            .entry(field.to_owned())
            .or_default()
            .learn(class, tokens);
    }

    pub fn predict(&self, field: &str, tokens: &[String]) -> Option<(String, f32)> {
        self.fields.get(field)?.predict(tokens)
    }
}

/// The cold start: the class whose keywords (master data) occur in the text most, with a
/// modest confidence; none when two classes tie.
pub fn by_keywords(text: &str, classes: &[(String, Vec<String>)]) -> Option<(String, f32)> {
    let lower = text.to_lowercase();
    let mut hits: Vec<(usize, &String)> = classes
        .iter()
        .map(|(c, kws)| {
            let n = kws
                .iter()
                .filter(|k| !k.trim().is_empty() && lower.contains(&k.to_lowercase()))
                .count();
            (n, c)
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    match hits.as_slice() {
        [(_, c)] => Some(((*c).clone(), 0.7)),
        [(a, c), (b, _), ..] if a > b => Some(((*c).clone(), 0.6)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_learns_types_from_examples_and_says_how_sure() {
        let mut m = Model::default();
        let docs = [
            (
                "rechnung",
                "Rechnung Nr. 4711 Gesamtbetrag zahlbar innerhalb 14 Tagen Montage",
            ),
            (
                "rechnung",
                "Rechnungsnummer RE-1 Rechnungsbetrag zahlbar Lieferung Material",
            ),
            ("rechnung", "Rechnung Leistung Betrag zahlbar ohne Abzug"),
            (
                "antrag",
                "hiermit beantrage ich eine Baugenehmigung für eine Garage",
            ),
            (
                "antrag",
                "Antrag auf Wohngeld hiermit beantrage ich Unterlagen anbei",
            ),
            ("antrag", "ich beantrage hiermit einen Parkausweis Antrag"),
        ];
        for (c, t) in docs {
            m.learn("dokumentart", c, &tokens(t));
        }
        let (c, p) = m
            .predict(
                "dokumentart",
                &tokens("Rechnung Nr. 9 Betrag zahlbar sofort"),
            )
            .unwrap();
        assert_eq!(c, "rechnung");
        assert!(p > 0.8, "{p}");
        let (c, _) = m
            .predict(
                "dokumentart",
                &tokens("Hiermit beantrage ich einen Zuschuss"),
            )
            .unwrap();
        assert_eq!(c, "antrag");
        assert!(m.predict("dokumentart", &tokens("xyz qqq")).is_none());
        // Stored and read back; damaged or newer ones are refused with the reason.
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Model::read(&json).unwrap(), m);
        assert_eq!(Model::read("{not json").unwrap_err(), Unusable::Damaged);
        assert_eq!(
            Model::read(r#"{"format": 99, "fields": {}}"#).unwrap_err(),
            Unusable::Newer
        );
    }

    #[test]
    fn keywords_start_it_cold_and_ties_say_nothing() {
        let classes = vec![
            ("rechnung".to_owned(), vec!["Rechnung".to_owned()]),
            ("widerspruch".to_owned(), vec!["Widerspruch".to_owned()]),
        ];
        assert_eq!(
            by_keywords("Ihre Rechnung vom 1.2.", &classes).map(|c| c.0),
            Some("rechnung".to_owned())
        );
        assert!(by_keywords("Widerspruch gegen die Rechnung", &classes).is_none());
        assert_eq!(
            tokens("Die die DIE 2026 Bau-Antrag"),
            ["die", "bau", "antrag"]
        );
    }
}
