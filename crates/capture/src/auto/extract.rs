//! Index values read from a document's text: sender, letter date, Aktenzeichen (and the unit
//! whose pattern it follows), subject, IBAN, invoice number and amount — each with its
//! confidence and the place on the page it was read from.
//!
//! The rules follow how German business letters are laid out (DIN 5008): the return
//! address above the recipient, the date at the right or after the place, reference lines
//! ("Ihr Zeichen", "Az."), the subject before the salutation; invoices name their number
//! and total with a label. Values are checked where they can be: a date must exist, an IBAN
//! must pass its check digits, an Aktenzeichen must follow a unit's pattern.

// Page coordinates and counts are far inside f32's precision.
#![allow(clippy::cast_precision_loss)]

use super::layout::PageLines;
use eingang_model::auto::FieldSuggestion;
use eingang_store::tables::masterdata::Entry;
use regex::Regex;
use std::sync::LazyLock;

/// The fields read from the text (besides `dokumentart` and `organisationseinheit`).
pub const TEXT_FIELDS: [&str; 7] = [
    "absender",
    "briefdatum",
    "aktenzeichen",
    "betreff",
    "iban",
    "rechnungsnummer",
    "betrag",
];

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
];

static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})\s?\.\s?(\d{1,2})\s?\.\s?(\d{4}|\d{2})\b").expect("date pattern")
});
static WORD_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2})\s?\.?\s*(jan(?:uar)?|feb(?:ruar)?|m(?:ä|ae|a)rz|mär|apr(?:il)?|mai|jun(?:i)?|jul(?:i)?|aug(?:ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dez(?:ember)?)\.?\s+(\d{4})\b",
    )
    .expect("date pattern")
});
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("date pattern"));
/// A comma between two digits (where OCR read a dot).
static DIGIT_COMMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d),(\d)").expect("digit comma pattern"));
/// The start of an IBAN that runs to the end of the line: country, check digits and at
/// least one group, nothing after it but more groups.
static IBAN_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Z]{2}\s?[0-9OIl]{2}(?:\s?[A-Z0-9OIl]{1,4})+\s*$").expect("IBAN start pattern")
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Z]{2}\s?[0-9OIl]{2}(?:\s?[A-Z0-9OIl]{4}){3,7}(?:\s?[A-Z0-9OIl]{1,3})?)\b")
        .expect("IBAN pattern")
});
pub(super) static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{5}\s+\p{Lu}").expect("postcode pattern"));
static INVOICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:rechnungs\s?-?\s?(?:nummer|nr\.?)|rechnung\s+nr\.?|rg\.?\s?-?nr\.?)\s*:?\s*([A-Z0-9][A-Z0-9\-/.]{2,30}[A-Z0-9])")
        .expect("invoice pattern")
});
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:gesamtbetrag|rechnungsbetrag|endbetrag|gesamtsumme|summe\s+brutto|zu\s+zahlen|bruttobetrag)\s*:?\s*(?:EUR|€)?\s*(\d{1,3}(?:\.\d{3})*,\d{2}|\d+,\d{2})")
        .expect("amount pattern")
});
pub(super) static SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(?:betreff|betr\.)\s*:?\s*(.+)$").expect("subject"));
pub(super) static SALUTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:sehr\s+geehrte|liebe[rs]?\s|guten\s+tag|hallo\b)").expect("salutation")
});
static RETURN_SEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+[-–·•:|*]\s+|\s*[·•|]\s*").expect("separator"));
static DIGIT_GAP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d) (\d)").expect("digit gap"));
static AZ_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\b(?:az\.?|ihr\s*zeichen|gesch(?:ä|ae)ftszeichen|unser\s+zeichen)|[aä]ktenzeichen)\s*:?")
        .expect("Aktenzeichen label")
});

/// A civil date `YYYY-MM-DD` if it exists; two-digit years are 20xx up to 69, else 19xx.
pub fn civil(day: u32, month: u32, year: u32) -> Option<String> {
    let year = match year {
        0..=69 => 2000 + year,
        70..=99 => 1900 + year,
        1900..=2099 => year,
        _ => return None,
    };
    let date = format!("{year:04}-{month:02}-{day:02}");
    eingang_model::time::is_date(&date).then_some(date)
}

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_lowercase().replace("ae", "ä");
    let w = if w.starts_with("mar") {
        "mär".to_owned()
    } else {
        w
    };
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w[..w.len().min(3)]) && w.len() >= 3)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// Every date on a line: (its ISO form, the bytes it covers).
pub(super) fn dates_in(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let num = |c: &regex::Captures, i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    for c in NUMERIC_DATE.captures_iter(text) {
        if let (Some(d), Some(m), Some(y), Some(all)) =
            (num(&c, 1), num(&c, 2), num(&c, 3), c.get(0))
        {
            if let Some(iso) = civil(d, m, y) {
                out.push((iso, all.range()));
            }
        }
    }
    for c in WORD_DATE.captures_iter(text) {
        let month = c.get(2).and_then(|m| month_of(m.as_str()));
        if let (Some(d), Some(m), Some(y), Some(all)) = (num(&c, 1), month, num(&c, 3), c.get(0)) {
            if let Some(iso) = civil(d, m, y) {
                out.push((iso, all.range()));
            }
        }
    }
    for c in ISO_DATE.captures_iter(text) {
        if let (Some(y), Some(m), Some(d), Some(all)) =
            (num(&c, 1), num(&c, 2), num(&c, 3), c.get(0))
        {
            if let Some(iso) = civil(d, m, y) {
                out.push((iso, all.range()));
            }
        }
    }
    out
}

/// Whether `iban` (letters and digits only) passes its ISO 7064 check (mod 97 = 1), with
/// the length its country gives (Germany: 22).
pub fn iban_valid(iban: &str) -> bool {
    if iban.len() < 15 || iban.len() > 34 || !iban.is_ascii() {
        return false;
    }
    if iban.starts_with("DE") && iban.len() != 22 {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1 && head[..2].chars().all(|c| c.is_ascii_uppercase())
}

/// The IBAN in a match, with OCR's usual confusions in the digits undone.
fn iban_of(raw: &str) -> String {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .char_indices()
        .map(|(i, c)| match c {
            'O' if i >= 2 => '0',
            'I' | 'l' if i >= 2 => '1',
            c => c,
        })
        .collect()
}

/// Text with the spellings of an Aktenzeichen evened out: dashes made `-`, spaces around
/// `-`, `/` and `.` removed.
pub fn even_out(text: &str) -> String {
    let t = text.replace(['–', '—', '‐'], "-");
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars[i + 1..].iter().find(|c| **c != ' ');
            let joins = |c: Option<&char>| matches!(c, Some('-' | '/'));
            if joins(prev.as_ref()) || joins(next) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// What the reading found, before the confidences are final.
struct Found {
    field: &'static str,
    value: String,
    score: f32,
    page: usize,
    line: usize,
    range: std::ops::Range<usize>,
}

/// The index values read from a document's pages (at most the first `MAX_PAGES` are
/// read for the letter's head; IBAN and amounts on all of them).
pub fn extract(master: &[Entry], pages: &[PageLines]) -> Vec<FieldSuggestion> {
    let mut found: Vec<Found> = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        let head = p == 0;
        let salutation = page
            .lines
            .iter()
            .position(|l| SALUTATION.is_match(&l.text))
            .unwrap_or(page.lines.len());
        for (i, line) in page.lines.iter().enumerate() {
            let before_body = i <= salutation;
            if head {
                dates(&mut found, line, p, i, before_body);
                aktenzeichen(&mut found, master, line, p, i);
                if before_body {
                    subject(&mut found, master, page, (line, p, i), salutation);
                }
            }
            iban(&mut found, line, page.lines.get(i + 1), p, i);
            invoice(&mut found, line, p, i);
        }
        if head {
            sender(&mut found, page, p);
        }
    }
    best(&found, pages)
}

fn dates(found: &mut Vec<Found>, line: &super::layout::Line, p: usize, i: usize, head: bool) {
    for (iso, range) in dates_in(&line.text) {
        let before = line.text[..range.start].to_lowercase();
        let mut score = 0.3;
        // The letter's date: in the head, at the right, after the place or a label.
        if head {
            score += 0.2;
        }
        if line.y < 0.45 {
            score += 0.1;
        }
        if line.x > 0.45 || before.len() > 12 && line.words.len() > 2 {
            score += 0.2;
        }
        // A date on a line of its own at the right: where DIN 5008 puts the letter's.
        if line.x > 0.45
            && before.trim().is_empty()
            && line.text[range.end..]
                .trim()
                .trim_end_matches('.')
                .is_empty()
        {
            score += 0.15;
        }
        if before.trim_end().ends_with(',')
            || before.trim_end().ends_with(", den")
            || before.contains("datum")
        {
            score += 0.3;
        }
        // Dates the letter speaks of, not its own.
        if [
            "vom", "bis", "seit", "ab", "am", "zum", "zeitraum", "geboren", "frist",
        ]
        .iter()
        .any(|w| before.trim_end().ends_with(w))
        {
            score -= 0.6;
        }
        if before.contains("rechnungsdatum") || before.contains("datum:") {
            score += 0.2;
        }
        found.push(Found {
            field: "briefdatum",
            value: iso,
            score,
            page: p,
            line: i,
            range,
        });
    }
}

fn aktenzeichen(
    found: &mut Vec<Found>,
    master: &[Entry],
    line: &super::layout::Line,
    p: usize,
    i: usize,
) {
    let evened = even_out(&line.text);
    let labelled = AZ_LABEL.is_match(&line.text);
    // OCR drops a dash that stands alone ("530.12 - 2026/00421" read as two words): the
    // gap between two digit groups is tried as "-", "/" and nothing too.
    let mut variants = vec![evened.clone()];
    for joint in ["-", "/", ""] {
        let v = DIGIT_GAP
            .replace_all(&evened, format!("${{1}}{joint}${{2}}").as_str())
            .into_owned();
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    // …and reads the dot between digits as a comma ("530,12"): tried with the dot too.
    for k in 0..variants.len() {
        let v = DIGIT_COMMA
            .replace_all(&variants[k], "${1}.${2}")
            .into_owned();
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    for unit in master.iter().filter(|e| e.kind == "unit") {
        let Some(pattern) = &unit.pattern else {
            continue;
        };
        let Ok(re) = regex::RegexBuilder::new(&format!(r"(?:^|[\s(:])({pattern})(?:$|[\s),;.])"))
            .size_limit(1 << 20)
            .build()
        else {
            continue;
        };
        let spelled = with_code(&variants, &unit.code, labelled);
        let Some(((text, misread), c)) = spelled
            .iter()
            .find_map(|t| re.captures(&t.0).map(|c| (t, c)))
        else {
            continue;
        };
        {
            let Some(m) = c.get(1) else { continue };
            // A unit number OCR misread by one digit is a guess a person confirms.
            let score = match (labelled, *misread) {
                (_, true) => 0.6,
                (true, false) => 0.99,
                (false, false) => 0.9,
            };
            // The evened-out text is shorter: place the region on the original's words by
            // the share of the line it covers.
            let (a, b) = (
                m.start() * line.text.len() / text.len().max(1),
                m.end() * line.text.len() / text.len().max(1),
            );
            found.push(Found {
                field: "aktenzeichen",
                value: m.as_str().to_owned(),
                score,
                page: p,
                line: i,
                range: a..b.max(a + 1),
            });
            found.push(Found {
                field: "organisationseinheit",
                value: unit.code.clone(),
                score,
                page: p,
                line: i,
                range: a..b.max(a + 1),
            });
        }
    }
}

/// A unit number's shape as OCR may read it: its digit groups with a dot, a comma, spaces
/// or nothing between them ("500.30" → `500 30`, `500,30`, `500 ,30`, `50030`), after the
/// start of the line, a space, a colon or a parenthesis. `None` for numbers of another
/// kind (letters, one group).
fn code_shape(code: &str) -> Option<(Regex, String)> {
    thread_local! {
        static SHAPES: std::cell::RefCell<std::collections::HashMap<String, Option<(Regex, String)>>> =
            std::cell::RefCell::default();
    }
    SHAPES.with(|cache| {
        cache
            .borrow_mut()
            .entry(code.to_owned())
            .or_insert_with(|| {
                let groups: Vec<&str> = code
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|g| !g.is_empty())
                    .collect();
                if groups.len() < 2 || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
                {
                    return None;
                }
                let shape = groups
                    .iter()
                    .map(|g| format!(r"(\d{{{}}})", g.len()))
                    .collect::<Vec<_>>()
                    .join(r"\s*[.,]?\s*");
                let re = Regex::new(&format!(r"(^|[\s:(])(?:{shape})\b")).ok()?;
                Some((re, groups.concat()))
            })
            .clone()
    })
}

/// The line's readings with a unit's number as OCR spells it undone: its dot read as a
/// space or a comma, with spaces around it, or dropped ("500 30", "500 ,30", "50030" for
/// "500.30"); on a labelled line also one digit misread ("330.01" for "320.01", marked
/// `true`: a guess a person confirms).
fn with_code(variants: &[String], code: &str, labelled: bool) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = variants.iter().map(|v| (v.clone(), false)).collect();
    let Some((re, digits)) = code_shape(code) else {
        return out;
    };
    for v in variants {
        let (mut changed, mut misread) = (false, false);
        let replaced = re.replace_all(v, |c: &regex::Captures<'_>| {
            let got: String = c.iter().skip(2).flatten().map(|m| m.as_str()).collect();
            let differ = got
                .chars()
                .zip(digits.chars())
                .filter(|(a, b)| a != b)
                .count();
            if differ == 0 || differ == 1 && labelled {
                changed = true;
                misread |= differ == 1;
                format!("{}{code}", &c[1])
            } else {
                c[0].to_owned()
            }
        });
        let replaced = replaced.into_owned();
        if changed && !out.iter().any(|(o, _)| *o == replaced) {
            out.push((replaced, misread));
        }
    }
    out
}

/// The median line height of a page (its body type).
fn body_height(page: &PageLines) -> u32 {
    let mut hs: Vec<u32> = page.lines.iter().map(|l| l.height).collect();
    hs.sort_unstable();
    hs.get(hs.len() / 2).copied().unwrap_or(0)
}

fn subject(
    found: &mut Vec<Found>,
    master: &[Entry],
    page: &PageLines,
    (line, p, i): (&super::layout::Line, usize, usize),
    salutation: usize,
) {
    if let Some(c) = SUBJECT.captures(&line.text) {
        if let Some(m) = c.get(1) {
            found.push(Found {
                field: "betreff",
                value: m.as_str().trim().to_owned(),
                score: 0.95,
                page: p,
                line: i,
                range: m.range(),
            });
        }
        return;
    }
    // Without a label: the line just above the salutation's block, left, after the head.
    if salutation < page.lines.len()
        && i + 3 >= salutation
        && i < salutation
        && line.x < 0.3
        && line.y > 0.25
    {
        let text = line.text.trim();
        let is_az = AZ_LABEL.is_match(text) || !dates_in(text).is_empty() && text.len() < 30;
        if !is_az && text.chars().filter(|c| c.is_alphabetic()).count() >= 6 {
            // The first such line is the subject; later ones continue it.
            let score = 0.6 + 0.1 * (salutation - i).min(3) as f32;
            found.push(Found {
                field: "betreff",
                value: text.to_owned(),
                score,
                page: p,
                line: i,
                range: 0..line.text.len(),
            });
        }
        return;
    }
    // No salutation (an invoice, a certificate): the heading below the address block — set
    // larger than the body, or opening with a document type's name from the master data.
    let text = line.text.trim();
    if salutation == page.lines.len()
        && !found.iter().any(|f| f.field == "betreff" && f.page == p)
        && (0.25..0.5).contains(&line.y)
        && line.x < 0.5
        && !AZ_LABEL.is_match(text)
        && dates_in(text).is_empty()
        && text.chars().filter(|c| c.is_alphabetic()).count() >= 6
    {
        let first = text
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase();
        let named = master.iter().any(|e| {
            e.kind == "doctype"
                && e.label
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.to_lowercase() == first)
        });
        if named || line.height * 100 >= body_height(page) * 115 {
            // The first heading is the subject.
            found.push(Found {
                field: "betreff",
                value: text.to_owned(),
                score: 0.7,
                page: p,
                line: i,
                range: 0..line.text.len(),
            });
        }
    }
}

/// IBANs on a line — also one the line breaks (its rest at the start of `next`).
fn iban(
    found: &mut Vec<Found>,
    line: &super::layout::Line,
    next: Option<&super::layout::Line>,
    p: usize,
    i: usize,
) {
    let named = line.text.to_lowercase().contains("iban");
    let mut push = |value: String, range: std::ops::Range<usize>| {
        found.push(Found {
            field: "iban",
            value,
            score: if named { 0.99 } else { 0.9 },
            page: p,
            line: i,
            range,
        });
    };
    let mut whole = false;
    for m in IBAN.find_iter(&line.text) {
        let value = iban_of(m.as_str());
        if iban_valid(&value) {
            push(value, m.range());
            whole = true;
        }
    }
    // Broken over two lines: the last group of digits here, the rest on the next line.
    let Some(next) = next.filter(|_| !whole) else {
        return;
    };
    let Some(start) = IBAN_START.find(&line.text).map(|m| m.start()) else {
        return;
    };
    let joined = format!("{} {}", &line.text[start..], next.text);
    if let Some(m) = IBAN.find(&joined).filter(|m| m.start() == 0) {
        let value = iban_of(m.as_str());
        if iban_valid(&value) {
            push(value, start..line.text.len());
        }
    }
}

fn invoice(found: &mut Vec<Found>, line: &super::layout::Line, p: usize, i: usize) {
    if let Some(m) = INVOICE.captures(&line.text).and_then(|c| c.get(1)) {
        found.push(Found {
            field: "rechnungsnummer",
            value: m.as_str().to_owned(),
            score: 0.95,
            page: p,
            line: i,
            range: m.range(),
        });
    }
    if let Some(m) = AMOUNT.captures(&line.text).and_then(|c| c.get(1)) {
        found.push(Found {
            field: "betrag",
            value: m.as_str().replace('.', ""),
            score: 0.95,
            page: p,
            line: i,
            range: m.range(),
        });
    }
}

/// The sender: the first part of the return-address line above the recipient (DIN 5008),
/// its letters taken from the letterhead where that repeats it in larger type (small type
/// loses umlauts in OCR); else a sender block (name, street, postcode) at the top; else
/// the letterhead alone.
fn sender(found: &mut Vec<Found>, page: &PageLines, p: usize) {
    let letterhead = letterhead(page);
    if let Some((i, name, start)) = return_address(page) {
        let (value, score) = match &letterhead {
            Some((_, head, _)) if fold(head) == fold(&name) => (head.clone(), 0.97),
            Some((_, head, _))
                if fold(&name).starts_with(&fold(head)) && head.chars().count() >= 4 =>
            {
                let rest: String = name.chars().skip(head.chars().count()).collect();
                (format!("{head}{rest}"), 0.95)
            }
            _ => (name.clone(), 0.9),
        };
        found.push(Found {
            field: "absender",
            value,
            score,
            page: p,
            line: i,
            range: start..start + name.len(),
        });
        return;
    }
    // A sender block: a name, above a street with a number, above a postcode and town.
    for (i, line) in page.lines.iter().enumerate().skip(2) {
        if line.y > 0.2 || !POSTCODE.is_match(&line.text) {
            continue;
        }
        let (street, name) = (&page.lines[i - 1], &page.lines[i - 2]);
        let near = |a: &super::layout::Line, b: &super::layout::Line| (a.x - b.x).abs() < 0.05;
        if near(line, street)
            && near(street, name)
            && street.text.chars().any(|c| c.is_ascii_digit())
        {
            found.push(Found {
                field: "absender",
                value: name.text.clone(),
                score: 0.8,
                page: p,
                line: i - 2,
                range: 0..name.text.len(),
            });
            return;
        }
    }
    if let Some((i, text, big)) = letterhead {
        found.push(Found {
            field: "absender",
            value: text.clone(),
            score: if big { 0.75 } else { 0.5 },
            page: p,
            line: i,
            range: 0..text.len(),
        });
    }
}

/// Umlauts folded to their base letters (one character for one: positions stay).
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'Ä' => 'A',
            'Ö' => 'O',
            'Ü' => 'U',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The return-address line: small type in the upper part, a postcode, three or more parts
/// (name, street, town). Its line, the name and where the name starts.
fn return_address(page: &PageLines) -> Option<(usize, String, usize)> {
    for (i, line) in page.lines.iter().enumerate() {
        if line.y > 0.4 || !POSTCODE.is_match(&line.text) {
            continue;
        }
        // "·" comes back from OCR as "·", "-", ":", "•" or "|", with spaces around.
        let parts: Vec<&str> = RETURN_SEP
            .split(&line.text)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.len() < 3 {
            continue;
        }
        // A name, then a street with its number (a letterhead's address line starts with
        // the street).
        let name = parts[0];
        if name.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && !name.chars().any(|c| c.is_ascii_digit())
            && parts[1].chars().any(|c| c.is_ascii_digit())
        {
            return Some((i, name.to_owned(), line.text.find(name).unwrap_or(0)));
        }
    }
    None
}

/// The line set in the largest type in the top fifth: (line, text, clearly larger than the
/// body).
fn letterhead(page: &PageLines) -> Option<(usize, String, bool)> {
    let (i, l) = page
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.y < 0.2 && l.text.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .max_by_key(|(_, l)| l.height)?;
    Some((i, l.text.clone(), l.height * 10 >= body_height(page) * 13))
}

/// The best reading of each field; its confidence falls when another reading comes close.
fn best(found: &[Found], pages: &[PageLines]) -> Vec<FieldSuggestion> {
    let mut out: Vec<FieldSuggestion> = Vec::new();
    let fields = ["organisationseinheit"].iter().chain(TEXT_FIELDS.iter());
    for field in fields {
        let mut of: Vec<&Found> = found.iter().filter(|f| f.field == *field).collect();
        if of.is_empty() {
            continue;
        }
        // Same value read more than once adds up a little; the first reading keeps its place.
        of.sort_by(|a, b| b.score.total_cmp(&a.score));
        let top = of[0];
        let rival = of
            .iter()
            .find(|f| f.value != top.value)
            .map_or(0.0, |f| f.score);
        let margin = (top.score - rival).clamp(0.0, 1.0);
        let confidence = (top.score.min(1.0) * (0.5 + margin)).clamp(0.0, 0.99);
        out.push(FieldSuggestion {
            field: (*field).to_owned(),
            value: top.value.clone(),
            confidence: (confidence * 100.0).round() / 100.0,
            source: "text".into(),
            page: u32::try_from(top.page).ok(),
            region: pages
                .get(top.page)
                .and_then(|pg| pg.region(top.line, top.range.clone())),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use eingang_pdf::TextWord;

    /// A page from lines of text: (x, y) in pixels of a 2480 × 3508 page, words 40 high.
    fn page(lines: &[(u32, u32, &str)]) -> PageLines {
        let mut words = Vec::new();
        for &(x, y, text) in lines {
            let mut at = x;
            for w in text.split(' ') {
                let width = 22 * u32::try_from(w.chars().count()).unwrap();
                words.push(TextWord {
                    text: w.into(),
                    x: at,
                    y,
                    w: width,
                    h: 40,
                });
                at += width + 20;
            }
        }
        PageLines::new(&words, 2480, 3508)
    }

    fn unit(code: &str, pattern: &str) -> Entry {
        Entry {
            kind: "unit".into(),
            code: code.into(),
            label: code.into(),
            pattern: Some(pattern.into()),
            fields: Vec::new(),
            keywords: Vec::new(),
        }
    }

    fn value<'a>(s: &'a [FieldSuggestion], field: &str) -> Option<&'a str> {
        s.iter()
            .find(|f| f.field == field)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn a_letter_head_gives_sender_date_aktenzeichen_and_subject() {
        let master = [unit("530.12", r"530\.12-\d{4}/\d{5}")];
        let p = page(&[
            (220, 520, "Anna Müller · Lindenallee 5 · 12345 Musterstadt"),
            (220, 600, "Stadt Musterstadt"),
            (220, 662, "Bauordnung"),
            (220, 786, "12345 Musterstadt"),
            (1650, 980, "Musterstadt, den 9. März 2026"),
            (220, 1060, "Ihr Zeichen: 530.12 - 2026/00421"),
            (220, 1160, "Widerspruch gegen den Bescheid vom 03.02.2026"),
            (220, 1270, "Sehr geehrte Damen und Herren,"),
            (
                220,
                1370,
                "gegen den Bescheid vom 03.02.2026 lege ich Widerspruch ein.",
            ),
            (
                220,
                1440,
                "Bitte zahlen Sie auf IBAN DE89 3704 0044 0532 0130 00 zurück.",
            ),
        ]);
        let s = extract(&master, &[p]);
        assert_eq!(value(&s, "absender"), Some("Anna Müller"));
        assert_eq!(value(&s, "briefdatum"), Some("2026-03-09"));
        assert_eq!(value(&s, "aktenzeichen"), Some("530.12-2026/00421"));
        assert_eq!(value(&s, "organisationseinheit"), Some("530.12"));
        assert_eq!(
            value(&s, "betreff"),
            Some("Widerspruch gegen den Bescheid vom 03.02.2026")
        );
        assert_eq!(value(&s, "iban"), Some("DE89370400440532013000"));
        let az = s.iter().find(|f| f.field == "aktenzeichen").unwrap();
        let r = az.region.unwrap();
        assert!(r.y > 1050.0 / 3508.0 && r.y < 1070.0 / 3508.0, "{r:?}");
        assert!(az.confidence > 0.9);
        // A date alone on its line at the right is the letter's, even with another date
        // in the subject.
        let p = page(&[
            (1650, 980, "2026-09-05"),
            (
                220,
                1160,
                "Betreff: Widerspruch gegen den Bescheid vom 04.10.2025",
            ),
        ]);
        let s = extract(&master, &[p]);
        let date = s.iter().find(|f| f.field == "briefdatum").unwrap();
        assert_eq!(date.value, "2026-09-05");
        assert!(date.confidence >= 0.95, "{date:?}");
        // The dot read as a comma, the dash lost: the same Aktenzeichen.
        let p = page(&[(220, 1060, "Ihr Aktenzeichen: 530,12 2026/00421")]);
        let s = extract(&master, &[p]);
        assert_eq!(value(&s, "aktenzeichen"), Some("530.12-2026/00421"));
    }

    #[test]
    fn a_unit_number_as_ocr_misspells_it() {
        let master = [
            unit("530.12", r"530\.12-\d{4}/\d{5}"),
            unit("320.01", r"320\.01-\d{4}/\d{5}"),
        ];
        let read = |line: &str| {
            let s = extract(&master, &[page(&[(220, 600, line)])]);
            s.into_iter()
                .find(|f| f.field == "aktenzeichen")
                .map(|f| (f.value, f.confidence))
        };
        // The dot read as a space, or dropped: the unit's number is known, so it is sure.
        let (v, c) = read("Stadt Musterstadt Ihr Aktenzeichen: 530 12-2024/83704").unwrap();
        assert_eq!(v, "530.12-2024/83704");
        assert!(c > 0.9, "{c}");
        let (v, _) = read("Stadt Musterstadt Int Aktenzeichen: 53012 2024/68406").unwrap();
        assert_eq!(v, "530.12-2024/68406");
        let (v, c) = read("Stadt Musterstadt Ihr Aktenzeichen: 320 ,01-2026 / 70518").unwrap();
        assert_eq!(v, "320.01-2026/70518");
        assert!(c > 0.9, "{c}");
        // The label's first letter misread too.
        let (v, c) = read("Stadt Musterstadt Ihräktenzeichen: 330 01-2026/03923").unwrap();
        assert_eq!(v, "320.01-2026/03923");
        assert!(c < 0.8, "{c}");
        // One digit of the unit misread on a labelled line (the label run together too):
        // the nearest unit, as a guess a person confirms.
        let (v, c) = read("Stadt Musterstadt IhrAktenzeichen: 330,01 2025/32657").unwrap();
        assert_eq!(v, "320.01-2025/32657");
        assert!(c < 0.8, "{c}");
        // Unlabelled, a number one digit away from a unit is not taken for it; two digits
        // away on a labelled line neither.
        assert_eq!(read("Die Summe 330.01-2025/32657 ist offen"), None);
        assert_eq!(read("Az.: 430.11-2025/32657"), None);
        assert_eq!(
            read("Die Summe 530.12-2025/32657 ist offen").map(|(v, _)| v),
            Some("530.12-2025/32657".to_owned())
        );
    }

    #[test]
    fn invoices_give_number_and_amount_and_bad_ibans_are_not_taken() {
        let p = page(&[
            (220, 170, "Müller Bau GmbH"),
            (220, 1300, "Rechnungsnummer: RE-2026-4711"),
            (220, 1380, "Rechnungsdatum: 14.11.26"),
            (220, 2000, "Gesamtbetrag: 1.234,56 €"),
            (220, 2100, "IBAN DE89 3704 0044 0532 0130 01"),
        ]);
        let s = extract(&[], &[p]);
        assert_eq!(value(&s, "rechnungsnummer"), Some("RE-2026-4711"));
        assert_eq!(value(&s, "betrag"), Some("1234,56"));
        assert_eq!(value(&s, "briefdatum"), Some("2026-11-14"));
        assert_eq!(value(&s, "iban"), None, "a wrong check digit is no IBAN");
        assert_eq!(value(&s, "absender"), Some("Müller Bau GmbH"));
        // No salutation: the heading below the address block is the subject — one opening
        // with a document type's name, or one set larger than the body.
        let doctype = Entry {
            kind: "doctype".into(),
            code: "rechnung".into(),
            label: "Rechnung".into(),
            pattern: None,
            fields: Vec::new(),
            keywords: Vec::new(),
        };
        let invoice = page(&[
            (220, 520, "Müller Bau GmbH · Am Markt 3 · 12345 Musterstadt"),
            (220, 1160, "Rechnung RE-2026-4711"),
            (220, 1300, "Für die Arbeiten am Dach berechnen wir:"),
        ]);
        let s = extract(std::slice::from_ref(&doctype), &[invoice]);
        assert_eq!(value(&s, "betreff"), Some("Rechnung RE-2026-4711"));
        let mut certificate = page(&[
            (
                220,
                520,
                "Praxis Dr. med. Weber · Lindenallee 5 · 12345 Musterstadt",
            ),
            (900, 1180, "Bescheinigung"),
            (
                220,
                1320,
                "Hiermit wird bescheinigt, dass Frau Anna Müller gesund ist.",
            ),
            (
                220,
                1400,
                "Die Bescheinigung gilt bis auf Weiteres ohne Einschränkung.",
            ),
        ]);
        certificate.lines[1].height *= 2;
        let s = extract(&[], &[certificate]);
        assert_eq!(value(&s, "betreff"), Some("Bescheinigung"));
        // An IBAN the line breaks is read whole; one broken off is not guessed.
        let broken = |rest: &str| {
            page(&[
                (
                    220,
                    1900,
                    "Bitte überweisen Sie auf mein Konto IBAN DE89 3704 0044",
                ),
                (220, 1960, rest),
            ])
        };
        let s = extract(&[], &[broken("0532 0130 00 bei der Sparkasse.")]);
        assert_eq!(value(&s, "iban"), Some("DE89370400440532013000"));
        let s = extract(&[], &[broken("bei der Sparkasse.")]);
        assert_eq!(value(&s, "iban"), None);
    }

    #[test]
    fn dates_in_their_german_spellings_and_impossible_ones() {
        let all = |t: &str| dates_in(t).into_iter().map(|d| d.0).collect::<Vec<_>>();
        assert_eq!(all("1.2.2026"), ["2026-02-01"]);
        assert_eq!(all("01. Dez. 2026"), ["2026-12-01"]);
        assert_eq!(all("3. Maerz 2026"), ["2026-03-03"]);
        assert_eq!(all("2026-02-28"), ["2026-02-28"]);
        assert!(all("31.02.2026").is_empty());
        assert!(all("Tel. 0530 12 2026").is_empty());
        assert_eq!(even_out("530.12 – 2026 / 00421"), "530.12-2026/00421");
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE8937040044053201300"));
    }
}
