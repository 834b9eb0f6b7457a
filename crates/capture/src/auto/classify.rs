//! Document type and organisation unit learned from this office's released documents: a
//! multinomial logistic regression over the words of a document (each word present or not,
//! scaled by the document's length), trained by stochastic gradient descent with L2
//! regularisation on the stored examples — again after every release, which at a scan
//! office's scale (thousands of documents) takes milliseconds. Unlike naive Bayes it weighs
//! words that go together (a topic's vocabulary) once, not once per word, so the words that
//! tell types apart ("beantrage", "Widerspruch", "Rechnungsnummer") decide, and its
//! probabilities are honest enough to release on. Before it has seen enough, the master
//! data's keywords per type and unit suggest (a cold start).
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

/// The share of a document's words the model must have seen to suggest anything, and the
/// share from which it is as sure as its probabilities say.
const MIN_KNOWN: f32 = 0.2;
const FULL_KNOWN: f32 = 0.5;

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

/// One field's classifier: classes, their examples, a weight per word and class, a bias
/// per class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Classifier {
    pub classes: Vec<String>,
    /// Examples per class (same order).
    pub docs: Vec<u32>,
    weights: HashMap<String, Vec<f32>>,
    bias: Vec<f32>,
}

/// Passes over the examples when training.
const EPOCHS: usize = 30;
/// The learning rate at the start (it falls as 1 / (1 + epoch / 4)).
const RATE: f32 = 2.0;
/// L2 regularisation per step.
const L2: f32 = 1e-4;

impl Classifier {
    /// Trains on `(class, words)` examples (empty classes left out).
    pub fn train(examples: &[(&str, &[String])]) -> Self {
        let mut classes: Vec<String> = examples
            .iter()
            .filter(|(c, _)| !c.trim().is_empty())
            .map(|(c, _)| (*c).to_owned())
            .collect();
        classes.sort();
        classes.dedup();
        let k = classes.len();
        let mut me = Self {
            docs: vec![0; k],
            bias: vec![0.0; k],
            classes,
            weights: HashMap::new(),
        };
        let data: Vec<(usize, &[String])> = examples
            .iter()
            .filter_map(|(c, t)| me.classes.iter().position(|x| x == c).map(|i| (i, *t)))
            .collect();
        for (i, _) in &data {
            me.docs[*i] += 1;
        }
        if k < 2 {
            return me;
        }
        // A fixed order, shuffled the same way every time (training is repeatable).
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for epoch in 0..EPOCHS {
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                #[allow(clippy::cast_possible_truncation)]
                let j = (seed % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            #[allow(clippy::cast_precision_loss)]
            let rate = RATE / (1.0 + epoch as f32 / 4.0);
            for &n in &order {
                let (class, tokens) = data[n];
                // The gradient of the log-loss: predicted minus true, per class.
                let mut g = me.probabilities(tokens);
                g[class] -= 1.0;
                let x = scale(tokens.len());
                for (b, gc) in me.bias.iter_mut().zip(&g) {
                    *b -= rate * gc;
                }
                for t in tokens {
                    let w = me.weights.entry(t.clone()).or_insert_with(|| vec![0.0; k]);
                    for (wc, gc) in w.iter_mut().zip(&g) {
                        *wc -= rate * (gc * x + L2 * *wc);
                    }
                }
            }
        }
        // Words whose weights stayed near zero say nothing: not kept.
        me.weights.retain(|_, w| w.iter().any(|v| v.abs() > 1e-3));
        me
    }

    fn probabilities(&self, tokens: &[String]) -> Vec<f32> {
        let x = scale(tokens.len());
        let mut z = self.bias.clone();
        for t in tokens {
            if let Some(w) = self.weights.get(t) {
                for (zc, wc) in z.iter_mut().zip(w) {
                    *zc += wc * x;
                }
            }
        }
        let max = z.iter().copied().fold(f32::MIN, f32::max);
        let exp: Vec<f32> = z.iter().map(|v| (v - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        exp.into_iter().map(|e| e / sum).collect()
    }

    /// The most likely class and its probability; none before two classes are known, for
    /// a class with fewer than [`MIN_EXAMPLES`], or when no word of the document is known.
    /// The likeliest class and how sure: its probability, lowered when less than half of
    /// the document's words were ever seen — none when fewer than a fifth were (a letter in
    /// another language, a photo's noise: nothing to go on).
    pub fn predict(&self, tokens: &[String]) -> Option<(String, f32)> {
        let known = tokens
            .iter()
            .filter(|t| self.weights.contains_key(*t))
            .count();
        #[allow(clippy::cast_precision_loss)]
        let share = known as f32 / tokens.len().max(1) as f32;
        if self.classes.len() < 2 || known == 0 || share < MIN_KNOWN {
            return None;
        }
        let p = self.probabilities(tokens);
        let (best, prob) = p
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, v)| (i, *v))?;
        let prob = prob * (share / FULL_KNOWN).min(1.0);
        (self.docs[best] >= MIN_EXAMPLES).then(|| (self.classes[best].clone(), prob))
    }

    pub fn examples(&self) -> u32 {
        self.docs.iter().sum()
    }
}

/// Each word's share of a document: longer documents do not shout louder.
#[allow(clippy::cast_precision_loss)]
fn scale(n: usize) -> f32 {
    1.0 / (n.max(1) as f32).sqrt()
}

/// The learned model: one classifier per field (`dokumentart`, `organisationseinheit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    pub fields: BTreeMap<String, Classifier>,
    /// The words of the senders and subjects people released, as they spelled them: a
    /// sender or subject read by the OCR that lost a letter's marks ("Bohm", "Yilmaz",
    /// "fur") is spelled as learned ("Böhm", "Yılmaz", "für") — see [`Model::respell`].
    #[serde(default)]
    pub spellings: Vec<String>,
}

impl Default for Model {
    fn default() -> Self {
        Self {
            format: FORMAT,
            fields: BTreeMap::new(),
            spellings: Vec::new(),
        }
    }
}

/// A letter without the marks OCR tends to lose (umlauts, ı, accents, cedillas…), lower
/// case; ß as ss.
fn plain_letter(c: char, out: &mut String) {
    let base = match c {
        'ä' | 'á' | 'à' | 'â' | 'å' | 'Ä' | 'Á' | 'À' | 'Â' | 'Å' => 'a',
        'ö' | 'ó' | 'ò' | 'ô' | 'ø' | 'ő' | 'Ö' | 'Ó' | 'Ò' | 'Ô' | 'Ø' | 'Ő' => 'o',
        'ü' | 'ú' | 'ù' | 'û' | 'ű' | 'Ü' | 'Ú' | 'Ù' | 'Û' | 'Ű' => 'u',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'ı' | 'Í' | 'Ì' | 'Î' | 'Ï' | 'İ' => 'i',
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => 'c',
        'ş' | 'ś' | 'š' | 'Ş' | 'Ś' | 'Š' => 's',
        'ğ' | 'Ğ' => 'g',
        'ñ' | 'ń' | 'Ñ' | 'Ń' => 'n',
        'ł' | 'Ł' => 'l',
        'ž' | 'ź' | 'ż' | 'Ž' | 'Ź' | 'Ż' => 'z',
        'ß' => {
            out.push_str("ss");
            return;
        }
        c => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push(base);
}

fn plain(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        plain_letter(c, &mut out);
    }
    out
}

/// The distinct words of `values`, for [`Model::spellings`].
pub fn spellings<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut words: Vec<String> = values
        .into_iter()
        .flat_map(str::split_whitespace)
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
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

    /// Trains every field from `(field → class, words)` examples.
    pub fn train(examples: &[(BTreeMap<&str, &str>, &[String])], fields: &[&str]) -> Self {
        let mut model = Self::default();
        for field in fields {
            let of: Vec<(&str, &[String])> = examples
                .iter()
                .filter_map(|(classes, t)| classes.get(field).map(|c| (*c, *t)))
                .collect();
            model
                .fields
                .insert((*field).to_owned(), Classifier::train(&of));
        }
        model
    }

    pub fn predict(&self, field: &str, tokens: &[String]) -> Option<(String, f32)> {
        self.fields.get(field)?.predict(tokens)
    }

    /// `value` with each word the OCR may have read without its marks spelled as people
    /// released it: a word that is not itself a learned spelling but equals exactly one
    /// learned spelling without the marks. `None` when nothing changes.
    pub fn respell(&self, value: &str) -> Option<String> {
        let mut changed = false;
        let words: Vec<String> = value
            .split(' ')
            .map(|w| {
                if w.is_empty() || self.spellings.iter().any(|k| k.eq_ignore_ascii_case(w)) {
                    return w.to_owned();
                }
                let bare = plain(w);
                let mut like = self
                    .spellings
                    .iter()
                    .filter(|k| !k.is_ascii() && plain(k) == bare);
                match (like.next(), like.next()) {
                    (Some(k), None) => {
                        changed = true;
                        if w.chars().all(|c| !c.is_lowercase()) && w.chars().count() > 1 {
                            k.to_uppercase()
                        } else {
                            k.clone()
                        }
                    }
                    _ => w.to_owned(),
                }
            })
            .collect();
        changed.then(|| words.join(" "))
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
        let docs = [
            (
                "rechnung",
                "Rechnung Nr. 4711 Gesamtbetrag zahlbar innerhalb 14 Tagen Montage Bau",
            ),
            (
                "rechnung",
                "Rechnungsnummer RE-1 Rechnungsbetrag zahlbar Lieferung Material Kita",
            ),
            (
                "rechnung",
                "Rechnung Leistung Betrag zahlbar ohne Abzug Wohngeld",
            ),
            (
                "antrag",
                "hiermit beantrage ich eine Baugenehmigung für eine Garage Bau",
            ),
            (
                "antrag",
                "Antrag auf Wohngeld hiermit beantrage ich Unterlagen anbei Wohngeld",
            ),
            (
                "antrag",
                "ich beantrage hiermit einen Platz in der Kita Antrag",
            ),
        ];
        let m = type_model(&docs);
        let (c, p) = m
            .predict(
                "dokumentart",
                &tokens_of("Rechnung Nr. 9 Betrag zahlbar sofort Kita"),
            )
            .unwrap();
        assert_eq!(c, "rechnung");
        assert!(p > 0.7, "{p}");
        let (c, _) = m
            .predict(
                "dokumentart",
                &tokens_of("Hiermit beantrage ich einen Zuschuss Bau"),
            )
            .unwrap();
        assert_eq!(c, "antrag");
        assert!(m.predict("dokumentart", &tokens_of("xyz qqq")).is_none());
        assert_eq!(m.fields["dokumentart"].examples(), 6);
        // Stored and read back; damaged or newer ones are refused with the reason.
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Model::read(&json).unwrap(), m);
        assert_eq!(Model::read("{not json").unwrap_err(), Unusable::Damaged);
        assert_eq!(
            Model::read(r#"{"format": 99, "fields": {}}"#).unwrap_err(),
            Unusable::Newer
        );
    }

    /// Bad input: one mislabelled example among the office's releases does not turn the
    /// model; a page without text (a photo, a blank back) or in words it never saw gets no
    /// suggestion rather than a guess.
    #[test]
    fn a_mislabelled_example_does_not_turn_it_and_no_text_gets_no_suggestion() {
        let mut docs: Vec<(&str, String)> = Vec::new();
        for k in 0..5 {
            docs.push((
                "rechnung",
                format!("Rechnung Nr. {k} Rechnungsbetrag zahlbar innerhalb 14 Tagen"),
            ));
            docs.push((
                "antrag",
                format!("hiermit beantrage ich Antrag Nummer {k} Unterlagen anbei"),
            ));
        }
        // Released as an application by mistake.
        docs.push((
            "antrag",
            "Rechnung Nr. 99 Rechnungsbetrag zahlbar sofort".into(),
        ));
        let m = type_model(&docs);
        let (c, _) = m
            .predict(
                "dokumentart",
                &tokens_of("Rechnung Nr. 7 Rechnungsbetrag zahlbar innerhalb 30 Tagen"),
            )
            .unwrap();
        assert_eq!(c, "rechnung");
        assert!(m.predict("dokumentart", &[]).is_none(), "no text");
        assert!(
            m.predict(
                "dokumentart",
                &tokens_of("Dear Sir or Madam, please find enclosed")
            )
            .is_none(),
            "words it never saw"
        );
        // Another language with one word it knows: nothing to go on either.
        assert!(
            m.predict(
                "dokumentart",
                &tokens_of("Dear Sir or Madam, please find enclosed the Rechnung you asked for")
            )
            .is_none(),
            "another language"
        );
        // Half its words unseen: suggested, less sure than with all of them known.
        let (_, sure) = m
            .predict("dokumentart", &tokens_of("Rechnung zahlbar innerhalb"))
            .unwrap();
        let (_, less) = m
            .predict(
                "dokumentart",
                &tokens_of("Rechnung zahlbar innerhalb Handwerker Fliesen Badezimmer Sanierung"),
            )
            .unwrap();
        assert!(less < sure, "{less} < {sure}");
    }

    /// A model of the document type trained on (type, text) pairs.
    fn type_model<T: AsRef<str>>(docs: &[(&str, T)]) -> Model {
        let tokens: Vec<Vec<String>> = docs.iter().map(|(_, t)| tokens(t.as_ref())).collect();
        let examples: Vec<(BTreeMap<&str, &str>, &[String])> = docs
            .iter()
            .zip(&tokens)
            .map(|((c, _), t)| (BTreeMap::from([("dokumentart", *c)]), t.as_slice()))
            .collect();
        Model::train(&examples, &["dokumentart"])
    }

    fn tokens_of(t: &str) -> Vec<String> {
        tokens(t)
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

    #[test]
    fn a_sender_read_without_its_marks_is_spelled_as_people_released_it() {
        let model = Model {
            spellings: spellings([
                "Julia Yılmaz",
                "Praxis Dr. med. Böhm",
                "Jäger Haustechnik GmbH",
                "Anna Muller",
                "Anfrage zu Änderung des Haushaltseinkommens",
            ]),
            ..Model::default()
        };
        assert_eq!(
            model.respell("Julia Yilmaz").as_deref(),
            Some("Julia Yılmaz")
        );
        assert_eq!(
            model.respell("Praxis Dr. med. Bohm").as_deref(),
            Some("Praxis Dr. med. Böhm")
        );
        assert_eq!(
            model.respell("JAGER Bau GmbH").as_deref(),
            Some("JÄGER Bau GmbH")
        );
        assert_eq!(
            model.respell("Antrag auf Anderung").as_deref(),
            Some("Antrag auf Änderung")
        );
        // Spelled right already, a name learned without marks, an unknown name: unchanged.
        assert_eq!(model.respell("Julia Yılmaz"), None);
        assert_eq!(model.respell("Anna Muller"), None);
        assert_eq!(model.respell("Kurt Schulze"), None);
        // Two learned spellings that differ only in their marks: no guess.
        let both = Model {
            spellings: spellings(["Hans Möller", "Eva Mőller"]),
            ..Model::default()
        };
        assert_eq!(both.respell("Moller"), None);
    }
}
