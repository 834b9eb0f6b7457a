//! E-mail intake: an `.eml` file (from the city's central postbox, a folder or a drop)
//! becomes a document of the batch like a scanned letter.
//!
//! - The message — sender, recipients, date, subject, the text (HTML turned into text) and
//!   the list of attachments — is set as a PDF with text (the forms writer, fonts embedded)
//!   and rendered into page images like any born-digital PDF, so it is processed, read by
//!   OCR, checked and released the same way.
//! - Attachments that are images or PDFs become the following pages; others (and any that
//!   are refused: too large, damaged) are named on the message page. The `.eml` itself is the
//!   pages' raw scan and travels in the released PDF/A-3b as its source file, so every
//!   attachment reaches the archive as it came.
//! - The message's sender and date fill the index fields `absender` and `eingangsdatum`.
//!
//! Broken MIME is read as far as it goes (mail-parser is lenient); a file that is no message
//! at all is refused, naming it.

use crate::{read_bytes, CaptureError, Limits, Page};
use mail_parser::{MessageParser, MimeHeaders};

/// What an `.eml` gives: its pages, the index values it carries, and what was left out.
#[derive(Debug)]
pub struct Email {
    pub pages: Vec<Page>,
    pub index: Vec<(String, String)>,
    /// Attachments not turned into pages, each with why (for the message page and the log).
    pub left_out: Vec<String>,
}

/// Whether a file is handled as an e-mail (by its name).
pub fn is_eml(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
}

/// The body shown on the message pages at most (a longer text is cut, and says so).
const MAX_BODY_CHARS: usize = 60_000;

fn addresses(a: Option<&mail_parser::Address<'_>>) -> String {
    a.map(|a| {
        a.iter()
            .map(|x| match (x.name(), x.address()) {
                (Some(n), Some(m)) => format!("{n} <{m}>"),
                (None, Some(m)) => m.to_owned(),
                (Some(n), None) => n.to_owned(),
                (None, None) => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
}

/// Reads an `.eml`: the message as pages, then its attachments' pages.
pub fn read_eml(file: &str, bytes: &[u8], limits: Limits) -> Result<Email, CaptureError> {
    let corrupt = |reason: &str| CaptureError::Corrupt {
        file: file.to_owned(),
        page: None,
        reason: reason.to_owned(),
    };
    let message = MessageParser::default()
        .parse(bytes)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| corrupt("not an e-mail message (no headers found)"))?;
    let from = addresses(message.from());
    let sender = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address().or(a.name()))
        .unwrap_or_default()
        .to_owned();
    if from.is_empty() && message.subject().is_none() && message.date().is_none() {
        return Err(corrupt(
            "no sender, subject or date: this does not look like an e-mail",
        ));
    }
    let date = message.date().map(|d| {
        (
            format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            format!(
                "{:02}.{:02}.{:04} {:02}:{:02}",
                d.day, d.month, d.year, d.hour, d.minute
            ),
        )
    });
    let subject = message.subject().unwrap_or("(ohne Betreff)").to_owned();
    let mut body = message
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    if body.chars().count() > MAX_BODY_CHARS {
        body = body.chars().take(MAX_BODY_CHARS).collect();
        body.push_str("\n[… gekürzt; der vollständige Text steht in der beigefügten E-Mail-Datei]");
    }

    let protection = smime(&message);
    let (attachment_pages, listed, mut left_out) = if protection == Some(Smime::Encrypted) {
        // The encrypted content (smime.p7m) is the only part: nothing to page.
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        attachments(file, &message, limits)
    };
    match protection {
        Some(Smime::Encrypted) => {
            body = format!("{ENCRYPTED}\n\n{body}");
            left_out.push(ENCRYPTED.to_owned());
        }
        Some(Smime::Signed) => body = format!("{SIGNED}\n\n{body}"),
        None => {}
    }

    let pdf = message_pdf(
        &subject,
        &[
            ("Von", from),
            ("An", addresses(message.to())),
            ("Kopie", addresses(message.cc())),
            (
                "Datum",
                date.as_ref().map(|d| d.1.clone()).unwrap_or_default(),
            ),
            ("Betreff", subject.clone()),
        ],
        &body,
        &listed,
    )
    .map_err(|e| corrupt(&format!("the message could not be set as pages: {e}")))?;
    let mut pages = read_bytes(file, pdf, limits)?;
    let offset = pages.len();
    for (i, mut p) in attachment_pages.into_iter().enumerate() {
        p.index = offset + i;
        pages.push(p);
    }
    if pages.len() > limits.max_pages {
        return Err(CaptureError::TooLarge {
            file: file.to_owned(),
            page: None,
            reason: format!("more than {} pages", limits.max_pages),
        });
    }
    let mut index = Vec::new();
    if !sender.is_empty() {
        index.push(("absender".to_owned(), sender));
    }
    if let Some((day, _)) = date {
        index.push(("eingangsdatum".to_owned(), day));
    }
    Ok(Email {
        pages,
        index,
        left_out,
    })
}

/// How a message is protected by S/MIME (RFC 8551), from its top-level content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Smime {
    /// `application/pkcs7-mime` (enveloped data): unreadable without the recipient's key.
    Encrypted,
    /// `multipart/signed` or `application/pkcs7-mime; smime-type=signed-data`.
    Signed,
}

/// What the message page says of an encrypted message (kept as it came, never dropped).
const ENCRYPTED: &str = "Verschlüsselte Nachricht (S/MIME) – nicht lesbar; sie liegt unverändert in der beigefügten E-Mail-Datei.";
/// … and of a signed one (the signature is not checked here).
const SIGNED: &str = "Signierte Nachricht (S/MIME) – die Signatur wurde hier nicht geprüft; sie liegt unverändert in der beigefügten E-Mail-Datei.";

fn smime(message: &mail_parser::Message<'_>) -> Option<Smime> {
    let ct = message.content_type()?;
    let sub = ct.subtype().unwrap_or_default();
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    if is(ct.ctype(), "multipart") && is(sub, "signed") {
        return Some(Smime::Signed);
    }
    if is(ct.ctype(), "application") && (is(sub, "pkcs7-mime") || is(sub, "x-pkcs7-mime")) {
        let signed = ct
            .attribute("smime-type")
            .is_some_and(|t| is(t, "signed-data"));
        return Some(if signed {
            Smime::Signed
        } else {
            Smime::Encrypted
        });
    }
    None
}

/// The attachments: pages from images and PDFs, a line for each on the message page, and
/// what was left out with why.
fn attachments(
    file: &str,
    message: &mail_parser::Message<'_>,
    limits: Limits,
) -> (Vec<Page>, Vec<String>, Vec<String>) {
    let mut attachment_pages = Vec::new();
    let mut listed = Vec::new();
    let mut left_out = Vec::new();
    for (n, part) in message.attachments().enumerate() {
        let name = part
            .attachment_name()
            .map_or_else(|| format!("anlage-{}", n + 1), str::to_owned);
        let size = part.len();
        let kind = part.content_type().map_or_else(
            || "application/octet-stream".into(),
            |c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("*")),
        );
        let label = format!("{name} ({kind}, {} KB)", size.div_ceil(1024));
        // An attachment over a quarter of the file limit stays in the .eml only: its pages
        // would dwarf the message (and the archive has the file as it came anyway).
        if size as u64 > limits.max_file_bytes / 4 {
            left_out.push(format!("{label}: zu groß, nicht als Seiten übernommen"));
            listed.push(format!("{label} – zu groß, nur in der E-Mail-Datei"));
            continue;
        }
        let what = format!("{file}: {name}");
        if crate::office::is_office(&name, &kind) {
            match office_pages(&what, part.contents(), limits) {
                Ok((pages, notes)) => {
                    let notes: String = notes.iter().flat_map(|n| ["; ", n.as_str()]).collect();
                    listed.push(format!(
                        "{label} – {} Seite(n) folgen (umgewandelt mit LibreOffice{notes})",
                        pages.len()
                    ));
                    attachment_pages.extend(pages);
                }
                Err(e) => {
                    left_out.push(format!("{label}: {e}"));
                    listed.push(format!(
                        "{label} – nicht umgewandelt, nur in der E-Mail-Datei"
                    ));
                }
            }
            continue;
        }
        let pageable = kind.starts_with("image/") || kind == "application/pdf";
        if !pageable {
            listed.push(format!("{label} – in der E-Mail-Datei enthalten"));
            continue;
        }
        match read_bytes(&what, part.contents().to_vec(), limits) {
            Ok(pages) => {
                listed.push(format!("{label} – {} Seite(n) folgen", pages.len()));
                attachment_pages.extend(pages);
            }
            Err(e) => {
                left_out.push(format!("{label}: {e}"));
                listed.push(format!("{label} – nicht lesbar, nur in der E-Mail-Datei"));
            }
        }
    }

    (attachment_pages, listed, left_out)
}

/// An office attachment's pages: converted by LibreOffice (in a private folder in memory
/// where there is one), then read like any PDF.
fn office_pages(
    what: &str,
    bytes: &[u8],
    limits: Limits,
) -> Result<(Vec<Page>, Vec<String>), CaptureError> {
    let converter =
        crate::office::Converter::system().ok_or_else(|| CaptureError::Conversion {
            file: what.to_owned(),
            reason: "LibreOffice is not installed on this machine (libreoffice-writer-nogui, libreoffice-calc-nogui); it stays in the e-mail file as it came".into(),
        })?;
    let work =
        crate::private_tempdir(&std::env::temp_dir(), bytes.len() as u64 * 8).map_err(|e| {
            CaptureError::Io {
                file: what.to_owned(),
                reason: e.to_string(),
            }
        })?;
    let office = converter.to_pdf(what, bytes, work.path())?;
    if office.pdf.len() as u64 > limits.max_file_bytes {
        return Err(CaptureError::TooLarge {
            file: what.to_owned(),
            page: None,
            reason: format!(
                "its PDF would be larger than {} MiB",
                limits.max_file_bytes >> 20
            ),
        });
    }
    Ok((read_bytes(what, office.pdf, limits)?, office.notes))
}

fn message_pdf(
    subject: &str,
    headers: &[(&str, String)],
    body: &str,
    attachments: &[String],
) -> Result<Vec<u8>, eingang_pdf::Error> {
    use eingang_pdf::{render_form_pdf, Entry, FormPdf};
    let mut entries: Vec<Entry> = headers
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| Entry::Field {
            label: (*k).to_owned(),
            value: v.clone(),
            depth: 0,
        })
        .collect();
    entries.push(Entry::Heading {
        text: "Nachricht".into(),
        depth: 0,
    });
    for para in body.split("\n\n").filter(|p| !p.trim().is_empty()) {
        entries.push(Entry::Field {
            label: String::new(),
            value: para.trim().to_owned(),
            depth: 0,
        });
    }
    if !attachments.is_empty() {
        entries.push(Entry::Heading {
            text: "Anlagen".into(),
            depth: 0,
        });
        for a in attachments {
            entries.push(Entry::Field {
                label: String::new(),
                value: a.clone(),
                depth: 0,
            });
        }
    }
    render_form_pdf(&FormPdf {
        title: subject.to_owned(),
        subtitle: "E-Mail".into(),
        reference: String::new(),
        footer: "E-Mail".into(),
        page_label: "Seite {n} von {m}".into(),
        entries,
        created: "2000-01-01T00:00:00Z".into(),
        language: "de".into(),
    })
}
