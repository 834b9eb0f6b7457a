//! Where a new document starts, without separator sheets: decided from each page and the
//! page before it. The signs of a first page — an address block with a postcode in the
//! upper third, a salutation, a date and a subject in the head, "Seite 1 von n" — against
//! those of a continuation — "Seite 2 (von n)", "- 2 -", an enclosure's heading, a blank
//! back — and the closing and signature that end the page before. They add up as weights
//! of evidence (log-odds) to a probability per page.

use super::extract::{dates_in, POSTCODE, SALUTATION, SUBJECT};
use super::layout::PageLines;
use regex::Regex;
use std::sync::LazyLock;

/// What a page shows, for the boundary decision.
#[derive(Debug, Clone, Default, PartialEq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Signs {
    pub blank: bool,
    /// Lines of text read (0 while OCR has not run).
    pub lines: usize,
    pub address_block: bool,
    pub salutation: bool,
    pub subject: bool,
    pub date_in_head: bool,
    /// "Seite 1 von n" (Some(1)), "Seite 2", "- 2 -" (Some(2)…).
    pub page_number: Option<u32>,
    pub closing: bool,
    pub enclosure: bool,
    /// A separator sheet or an e-mail's message page: a start decided elsewhere.
    pub forced_start: bool,
}

static PAGE_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bseite\s+(\d{1,2})(?:\s*(?:von|/)\s*(\d{1,2}))?\b").expect("page number")
});
static DASHED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[-–]\s*(\d{1,2})\s*[-–]\s*$").expect("dashed number"));
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:mit\s+freundlichen\s+gr(?:ü|u|ue)(?:ß|ss|s)en|freundliche\s+gr(?:ü|u|ue)(?:ß|ss|s)e|mit\s+freundlichem\s+gru(?:ß|ss)|hochachtungsvoll|viele\s+gr(?:ü|u|ue)(?:ß|ss)e|beste\s+gr(?:ü|u|ue)(?:ß|ss)e)")
        .expect("closing")
});
static ENCLOSURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*anlagen?\s*\d*\b").expect("enclosure"));
impl Signs {
    /// Reads the signs of a page (lines from OCR; `blank` from processing).
    pub fn of(page: &PageLines, blank: bool) -> Self {
        let mut s = Self {
            blank,
            lines: page.lines.len(),
            ..Self::default()
        };
        for line in &page.lines {
            let t = line.text.as_str();
            let head = line.y < 0.45;
            if line.y < 0.35 && line.y > 0.08 && POSTCODE.is_match(t) {
                s.address_block = true;
            }
            if line.y < 0.6 && SALUTATION.is_match(t) {
                s.salutation = true;
            }
            if head && SUBJECT.is_match(t) {
                s.subject = true;
            }
            if head && !dates_in(t).is_empty() {
                s.date_in_head = true;
            }
            // Page numbers stand at the top or the bottom.
            if line.y < 0.12 || line.y > 0.88 {
                if let Some(c) = PAGE_OF.captures(t) {
                    s.page_number = c.get(1).and_then(|m| m.as_str().parse().ok());
                } else if let Some(c) = DASHED.captures(t) {
                    s.page_number = c.get(1).and_then(|m| m.as_str().parse().ok());
                }
            }
            if CLOSING.is_match(t) {
                s.closing = true;
            }
            if line.y < 0.15 && ENCLOSURE.is_match(t) {
                s.enclosure = true;
            }
        }
        s
    }
}

/// The probability that a document starts at a page, given its signs and those of the
/// last page with text before it; and the signs that spoke.
pub fn start_probability(page: &Signs, before: Option<&Signs>) -> (f32, Vec<&'static str>) {
    let mut said = Vec::new();
    let Some(before) = before else {
        return (1.0, vec!["first_page"]);
    };
    if page.forced_start {
        return (1.0, vec!["separator"]);
    }
    if page.blank {
        // A blank page belongs to the page before it (a duplex back).
        return (0.02, vec!["blank"]);
    }
    let mut logit: f32 = -2.0;
    let mut add = |cond: bool, w: f32, sign: &'static str| {
        if cond {
            logit += w;
            said.push(sign);
        }
    };
    add(page.address_block, 3.0, "address_block");
    add(page.salutation, 2.0, "salutation");
    add(page.subject, 1.5, "subject");
    add(page.date_in_head, 1.0, "date_in_head");
    add(page.page_number == Some(1), 4.0, "page_1_of_n");
    add(page.page_number.is_some_and(|n| n > 1), -6.0, "page_n");
    add(page.enclosure, -3.5, "enclosure");
    add(before.closing, 2.0, "closing_before");
    add(
        before.page_number.is_some() && page.page_number.is_none() && !page.address_block,
        -0.5,
        "numbered_before",
    );
    add(page.lines == 0, -1.0, "no_text");
    (1.0 / (1.0 + (-logit).exp()), said)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_pages_start_and_continuations_do_not() {
        let letter = Signs {
            lines: 30,
            address_block: true,
            salutation: true,
            date_in_head: true,
            ..Signs::default()
        };
        let end = Signs {
            lines: 20,
            closing: true,
            ..Signs::default()
        };
        let second = Signs {
            lines: 25,
            page_number: Some(2),
            ..Signs::default()
        };
        let plain = Signs {
            lines: 25,
            ..Signs::default()
        };
        let enclosure = Signs {
            lines: 12,
            enclosure: true,
            ..Signs::default()
        };
        let blank = Signs {
            blank: true,
            ..Signs::default()
        };
        assert!(start_probability(&letter, Some(&end)).0 > 0.95);
        assert!(start_probability(&letter, Some(&plain)).0 > 0.9);
        assert!(start_probability(&second, Some(&letter)).0 < 0.05);
        assert!(start_probability(&plain, Some(&letter)).0 < 0.2);
        assert!(start_probability(&enclosure, Some(&end)).0 < 0.2);
        assert!(start_probability(&blank, Some(&end)).0 < 0.05);
        assert!(start_probability(&plain, None).0 > 0.999);
    }
}
