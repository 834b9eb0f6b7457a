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
//! - A signed message (S/MIME, either form) has its signature checked on arrival against
//!   the configured authorities: the verdict is written on the message page, into the
//!   index (`signatur`, `signatur_person`) and the page log, from which the Transfervermerk
//!   takes it. An encrypted message is kept as it came and says it cannot be read.
//!
//! Broken MIME is read as far as it goes (mail-parser is lenient); a file that is no message
//! at all is refused, naming it.

use crate::{read_bytes, CaptureError, Limits, Page};
use eingang_seal::smime::{verify_smime, MailSignature, Trust};
use mail_parser::{Message, MessageParser, MimeHeaders};
use std::sync::{Arc, PoisonError, RwLock};

/// What an `.eml` gives: its pages, the index values it carries, and what was left out.
#[derive(Debug)]
pub struct Email {
    pub pages: Vec<Page>,
    pub index: Vec<(String, String)>,
    /// Attachments not turned into pages, each with why (for the message page and the log).
    pub left_out: Vec<String>,
    /// A signed message's check (S/MIME), for the page log and the Transfervermerk.
    pub signature: Option<MailSignature>,
}

/// The authorities S/MIME signers' certificates are checked against: set once for the
/// process from `[mailbox] smime_trust` ([`set_smime_trust`]); until then the operating
/// system's.
static SMIME_TRUST: RwLock<Option<Arc<Trust>>> = RwLock::new(None);

/// Sets the authorities S/MIME signatures are checked against (the process's, like the
/// operator's name in the audit log).
pub fn set_smime_trust(trust: Trust) {
    *SMIME_TRUST.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(trust));
}

fn smime_trust() -> Arc<Trust> {
    if let Some(t) = SMIME_TRUST
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
    {
        return Arc::clone(t);
    }
    let mut slot = SMIME_TRUST.write().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(slot.get_or_insert_with(|| Arc::new(Trust::system())))
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
    let protection = smime(&message);
    // A signed message's check; an opaque one (`signed-data`) gives its content to read.
    let (signature, inner) = match protection {
        Some(Smime::Signed) => {
            let (s, inner) = check_signature(&message, &sender);
            (Some(s), inner)
        }
        _ => (None, None),
    };
    let inner = inner
        .as_deref()
        .and_then(|b| MessageParser::default().parse(b));
    let content = inner.as_ref().unwrap_or(&message);
    let mut body = content
        .body_text(0)
        .map(|b| b.replace("\r\n", "\n"))
        .unwrap_or_default();
    if body.chars().count() > MAX_BODY_CHARS {
        body = body.chars().take(MAX_BODY_CHARS).collect();
        body.push_str("\n[… gekürzt; der vollständige Text steht in der beigefügten E-Mail-Datei]");
    }

    let (attachment_pages, listed, mut left_out) = if protection == Some(Smime::Encrypted) {
        // The encrypted content (smime.p7m) is the only part: nothing to page.
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        attachments(file, content, limits)
    };
    if protection == Some(Smime::Encrypted) {
        body = format!("{ENCRYPTED}\n\n{body}");
        left_out.push(ENCRYPTED.to_owned());
    }
    if let Some(s) = &signature {
        body = format!("{}\n\n{body}", s.statement());
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
    let index = index_of(sender, date.map(|d| d.0), signature.as_ref());
    Ok(Email {
        pages,
        index,
        left_out,
        signature,
    })
}

/// The index values a message gives: its sender, its day, its signature's verdict and signer.
fn index_of(
    sender: String,
    day: Option<String>,
    signature: Option<&MailSignature>,
) -> Vec<(String, String)> {
    let mut index = Vec::new();
    if !sender.is_empty() {
        index.push(("absender".to_owned(), sender));
    }
    if let Some(day) = day {
        index.push(("eingangsdatum".to_owned(), day));
    }
    if let Some(s) = signature {
        index.push(("signatur".to_owned(), s.verdict.as_str().to_owned()));
        if !s.signer.is_empty() {
            let person = match s.signer_email.first() {
                Some(m) => format!("{} <{m}>", s.signer),
                None => s.signer.clone(),
            };
            index.push(("signatur_person".to_owned(), person));
        }
    }
    index
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

fn smime(message: &Message<'_>) -> Option<Smime> {
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

/// Whether a part is an S/MIME signature (recorded as the check's verdict, not listed).
fn is_signature(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("application")
            && c.subtype().is_some_and(|s| {
                s.eq_ignore_ascii_case("pkcs7-signature")
                    || s.eq_ignore_ascii_case("x-pkcs7-signature")
            })
    })
}

/// A message's attachments (not its S/MIME signature), each with its name (or
/// `anlage-N`) and content type.
fn named_attachments<'a>(
    message: &'a Message<'a>,
) -> impl Iterator<Item = (String, String, &'a mail_parser::MessagePart<'a>)> {
    message
        .attachments()
        .filter(|p| !is_signature(p))
        .enumerate()
        .map(|(n, part)| {
            let name = part
                .attachment_name()
                .map_or_else(|| format!("anlage-{}", n + 1), str::to_owned);
            let kind = part.content_type().map_or_else(
                || "application/octet-stream".into(),
                |c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("*")),
            );
            (name, kind, part)
        })
}

/// An office attachment as it came, for the archive beside the pages made from it.
#[derive(Debug)]
pub struct Original {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The office attachments of an `.eml` (Word, Excel, OpenDocument, RTF) as they came —
/// inside a signature too (`signed-data`). Nothing for a file that is no message.
pub fn office_originals(bytes: &[u8]) -> Vec<Original> {
    let Some(message) = MessageParser::default().parse(bytes) else {
        return Vec::new();
    };
    let inner = (smime(&message) == Some(Smime::Signed))
        .then(|| eingang_seal::smime::signed_content(message.root_part().contents()))
        .flatten();
    let inner = inner
        .as_deref()
        .and_then(|b| MessageParser::default().parse(b));
    named_attachments(inner.as_ref().unwrap_or(&message))
        .filter(|(name, kind, _)| crate::office::is_office(name, kind))
        .map(|(name, content_type, part)| Original {
            name,
            content_type,
            bytes: part.contents().to_vec(),
        })
        .collect()
}

/// Checks a signed message's signature: `multipart/signed` (the first part's bytes as
/// they came, the signature in the second) or `signed-data` (the content inside the
/// signature, returned to be read).
fn check_signature(message: &Message<'_>, sender: &str) -> (MailSignature, Option<Vec<u8>>) {
    let trust = smime_trust();
    let ct = message.content_type();
    let multipart = ct.is_some_and(|c| c.ctype().eq_ignore_ascii_case("multipart"));
    if !multipart {
        return verify_smime(message.root_part().contents(), None, sender, trust.certs());
    }
    let cms = message
        .parts
        .iter()
        .find(|p| is_signature(p))
        .map(mail_parser::MessagePart::contents)
        .unwrap_or_default();
    let raw = message.raw_message();
    let body = &raw[(message.root_part().raw_body_offset() as usize).min(raw.len())..];
    let signed = ct
        .and_then(|c| c.attribute("boundary"))
        .and_then(|b| first_part(body, b.as_bytes()));
    verify_smime(cms, Some(signed.unwrap_or_default()), sender, trust.certs())
}

/// The bytes of a multipart body's first part, as they came: after the first delimiter
/// line, up to (not including) the line end before the next (RFC 2046 5.1.1).
fn first_part<'a>(body: &'a [u8], boundary: &[u8]) -> Option<&'a [u8]> {
    let delimiter: Vec<u8> = [b"--".as_slice(), boundary].concat();
    let at_line_start = |i: usize| i == 0 || body[i - 1] == b'\n';
    let find = |from: usize| {
        (from..body.len().saturating_sub(delimiter.len() - 1))
            .find(|&i| body[i..].starts_with(&delimiter) && at_line_start(i))
    };
    let open = find(0)?;
    let start = open + body[open..].iter().position(|&b| b == b'\n')? + 1;
    let close = find(start)?;
    let mut end = close;
    if end > start && body[end - 1] == b'\n' {
        end -= 1;
        if end > start && body[end - 1] == b'\r' {
            end -= 1;
        }
    }
    Some(&body[start..end])
}

/// The attachments: pages from images and PDFs, a line for each on the message page, and
/// what was left out with why.
fn attachments(
    file: &str,
    message: &Message<'_>,
    limits: Limits,
) -> (Vec<Page>, Vec<String>, Vec<String>) {
    let mut attachment_pages = Vec::new();
    let mut listed = Vec::new();
    let mut left_out = Vec::new();
    for (name, kind, part) in named_attachments(message) {
        let size = part.len();
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
