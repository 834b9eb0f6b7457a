//! OCR with Tesseract (Debian's `tesseract-ocr`, German and English): each page is read by
//! its own `tesseract` process, **single-threaded** (`OMP_THREAD_LIMIT=1`; on this kind of
//! machine Tesseract's own threads make a page 5× slower), several pages at once — one per
//! core. The words come back with their boxes (TSV) and become the PDF's invisible text
//! layer.
//!
//! OCR is asynchronous: pages are queued in the store (`ocr_state = 'pending'`) when they are
//! processed, and a pool ([`run_pending`]) works the queue beside scanning and indexing.
//! Without Tesseract the app works on and says so ([`Tesseract::find`]'s error).

use crate::pages::stored_image;
pub use crate::OcrError;
use eingang_model::{BatchId, PageId};
use eingang_pdf::{PageImage, ScanPage, TextWord};
use eingang_store::tables::pages;
use eingang_store::Store;
use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The Tesseract program and the languages to read.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    /// `deu+eng`.
    pub languages: String,
    /// A page that takes longer is given up (and marked failed, naming the time).
    pub timeout: Duration,
}

/// Why OCR cannot run here: said once, in words, where the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    #[error("Tesseract is not installed: pages are kept without a text layer. Install it with `apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng`")]
    Missing,
    #[error("Tesseract has no language data for {0}: install `tesseract-ocr-{0}`")]
    Language(String),
    #[error("languages: letters and '+' only, e.g. deu+eng")]
    BadLanguages,
}

impl Tesseract {
    /// Finds `tesseract` (on `PATH`, or `EINGANG_TESSERACT`) and checks that every language
    /// of `languages` is installed.
    pub fn find(languages: &str) -> Result<Self, Unavailable> {
        if languages.is_empty()
            || !languages
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '_')
        {
            return Err(Unavailable::BadLanguages);
        }
        let program = std::env::var_os("EINGANG_TESSERACT")
            .map_or_else(|| PathBuf::from("tesseract"), PathBuf::from);
        Self::at(program, languages)
    }

    /// [`Self::find`] with the program given.
    pub fn at(program: PathBuf, languages: &str) -> Result<Self, Unavailable> {
        if languages.is_empty()
            || !languages
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '_')
        {
            return Err(Unavailable::BadLanguages);
        }
        let out = Command::new(&program)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .output()
            .map_err(|_| Unavailable::Missing)?;
        if !out.status.success() {
            return Err(Unavailable::Missing);
        }
        let listed = String::from_utf8_lossy(&out.stdout);
        let have: Vec<&str> = listed.lines().skip(1).map(str::trim).collect();
        for lang in languages.split('+') {
            if !have.contains(&lang) {
                return Err(Unavailable::Language(lang.to_owned()));
            }
        }
        Ok(Self {
            program,
            languages: languages.to_owned(),
            timeout: Duration::from_secs(120),
        })
    }

    /// Reads one page: the words with their boxes in the image's pixels.
    pub fn recognise(&self, page: &ScanPage) -> Result<Vec<TextWord>, OcrError> {
        self.recognise_turned(page, 0)
    }

    /// Reads one page turned `quarter_turns` clockwise (as the user turned it): the words
    /// with their boxes in the turned image's pixels.
    pub fn recognise_turned(
        &self,
        page: &ScanPage,
        quarter_turns: u8,
    ) -> Result<Vec<TextWord>, OcrError> {
        self.recognise_scored(page, quarter_turns)
            .map(|(words, _)| words)
    }

    /// [`Self::recognise_turned`] with Tesseract's mean word confidence (0–100): a page read
    /// the wrong way up reads as noise, around 40; upright text reads at 80 and more.
    pub fn recognise_scored(
        &self,
        page: &ScanPage,
        quarter_turns: u8,
    ) -> Result<(Vec<TextWord>, f32), OcrError> {
        let input = tesseract_input(&page.image, quarter_turns % 4)
            .map_err(|reason| OcrError::Image { reason })?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let dpi = page.dpi.0.round().clamp(70.0, 2400.0) as u32;
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "--dpi", &dpi.to_string(), "-l"])
            .arg(&self.languages)
            .args(["--psm", "3", "tsv"])
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| OcrError::Start {
                reason: e.to_string(),
            })?;
        let mut stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(s) = stdin.as_mut() {
                // A Tesseract that dies early closes the pipe: its exit status tells why.
                let _ = s.write_all(&input);
            }
        });
        let mut stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut out = String::new();
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_string(&mut out);
            }
            out
        });
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if start.elapsed() > self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = writer.join();
                    return Err(OcrError::TimedOut {
                        secs: self.timeout.as_secs(),
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    return Err(OcrError::Failed {
                        status: "unknown".into(),
                        reason: e.to_string(),
                    })
                }
            }
        };
        let _ = writer.join();
        let tsv = reader.join().unwrap_or_default();
        if !status.success() {
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = s.read_to_string(&mut err);
            }
            let why = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(OcrError::Failed {
                status: status.to_string(),
                reason: why.to_owned(),
            });
        }
        Ok(parse_tsv_scored(&tsv))
    }
}

/// Grey samples turned `q` quarter turns clockwise.
fn turn(luma: &[u8], w: usize, h: usize, q: u8) -> (Vec<u8>, usize, usize) {
    let mut out = vec![255u8; w * h];
    let nw = if q % 2 == 1 { h } else { w };
    for y in 0..h {
        for x in 0..w {
            let (u, v) = match q {
                1 => (h - 1 - y, x),
                2 => (w - 1 - x, h - 1 - y),
                3 => (y, w - 1 - x),
                _ => (x, y),
            };
            out[v * nw + u] = luma[y * w + x];
        }
    }
    let nh = if q % 2 == 1 { w } else { h };
    (out, nw, nh)
}

/// The page as a file Tesseract reads from standard input: JPEG as it is, samples as PNM;
/// a turned page as grey PNM, turned.
fn tesseract_input(image: &PageImage, quarter_turns: u8) -> Result<Vec<u8>, String> {
    let pnm = |magic: &str, w: u32, h: u32, data: &[u8]| {
        let mut out = format!("{magic}\n{w} {h}\n255\n").into_bytes();
        out.extend_from_slice(data);
        out
    };
    if quarter_turns != 0 {
        let (luma, w, h) = crate::process::luma_of("page", image).map_err(|e| e.to_string())?;
        let (luma, w, h) = turn(&luma, w, h, quarter_turns);
        let (w, h) = (
            u32::try_from(w).map_err(|e| e.to_string())?,
            u32::try_from(h).map_err(|e| e.to_string())?,
        );
        return Ok(pnm("P5", w, h, &luma));
    }
    Ok(match image {
        PageImage::Jpeg(bytes) => bytes.clone(),
        PageImage::Gray8 {
            width,
            height,
            data,
        } => pnm("P5", *width, *height, data),
        PageImage::Rgb8 {
            width,
            height,
            data,
        } => pnm("P6", *width, *height, data),
        PageImage::Bilevel { .. } | PageImage::G4 { .. } => {
            let (luma, w, h) = crate::process::luma_of("page", image).map_err(|e| e.to_string())?;
            let (w, h) = (
                u32::try_from(w).map_err(|e| e.to_string())?,
                u32::try_from(h).map_err(|e| e.to_string())?,
            );
            pnm("P5", w, h, &luma)
        }
    })
}

/// Tesseract's TSV: level 5 rows are words (`left top width height conf text`).
pub fn parse_tsv(tsv: &str) -> Vec<TextWord> {
    parse_tsv_scored(tsv).0
}

/// [`parse_tsv`] and the words' mean confidence (0 without words).
pub fn parse_tsv_scored(tsv: &str) -> (Vec<TextWord>, f32) {
    let mut sum = 0.0f32;
    let words: Vec<TextWord> = tsv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let text = f[11].trim();
            let num = |i: usize| f[i].trim().parse::<u32>().ok();
            let conf: f32 = f[10].trim().parse().ok()?;
            if text.is_empty() || conf < 0.0 {
                return None;
            }
            let word = TextWord {
                text: text.to_owned(),
                x: num(6)?,
                y: num(7)?,
                w: num(8)?,
                h: num(9)?,
            };
            sum += conf;
            Some(word)
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let mean = if words.is_empty() {
        0.0
    } else {
        sum / words.len() as f32
    };
    (words, mean)
}

/// One page's words, or why it could not be read.
pub type PageResult = Result<Vec<TextWord>, OcrError>;

/// Reads pages in parallel, `jobs` at a time (one Tesseract process each); returns each
/// page's result in input order.
pub fn recognise_all(tess: &Tesseract, pages: &[ScanPage], jobs: usize) -> Vec<PageResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<PageResult>>> = Mutex::new(vec![None; pages.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, 64) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(page) = pages.get(i) else { break };
                let r = tess.recognise(page);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(OcrError::Failed {
                    status: "not started".into(),
                    reason: "the page was not read".into(),
                })
            })
        })
        .collect()
}

/// How an OCR run went.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OcrReport {
    pub done: u32,
    pub failed: u32,
    pub words: u64,
}

/// Works the store's OCR queue (of one batch, or all) with `jobs` workers until it is empty
/// or `cancel` is set; `on_page(page_id, result)` after each page.
pub fn run_pending(
    store: &Store,
    tess: &Tesseract,
    batch: Option<&BatchId>,
    jobs: usize,
    cancel: &AtomicBool,
    on_page: &(dyn Fn(&PageId, &Result<usize, OcrError>) + Sync),
) -> Result<OcrReport, eingang_store::Error> {
    let report = Mutex::new(OcrReport::default());
    // The queue is read in chunks (bounded memory however long it is). A page whose result
    // could not be stored stays pending: it is tried once per run, not again and again.
    let mut tried = std::collections::HashSet::new();
    while !cancel.load(Ordering::SeqCst) {
        let mut queue = store.with_conn(|c| pages::ocr_pending(c, batch, OCR_CHUNK))?;
        queue.retain(|id| tried.insert(*id));
        if queue.is_empty() {
            break;
        }
        work_chunk(store, tess, &queue, jobs, cancel, on_page, &report);
    }
    Ok(report
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Pages of the OCR queue read per chunk.
const OCR_CHUNK: u32 = 256;

/// Reads `queue`'s pages with `jobs` workers, storing each result and counting it in
/// `report`.
fn work_chunk(
    store: &Store,
    tess: &Tesseract,
    queue: &[PageId],
    jobs: usize,
    cancel: &AtomicBool,
    on_page: &(dyn Fn(&PageId, &Result<usize, OcrError>) + Sync),
    report: &Mutex<OcrReport>,
) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, 64) {
            s.spawn(|| loop {
                if cancel.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(id) = queue.get(i) else { break };
                let read = read_stored(store, tess, id);
                let rotation = read.at;
                let stored = match &read.result {
                    Ok(words) => serde_json::to_string(&PageText {
                        rotation: read.turned_to,
                        words: words.clone(),
                    })
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        store
                            .with_tx(|c| {
                                if read.turned_to == read.at {
                                    pages::set_ocr(c, id, rotation, Ok(&json))
                                } else {
                                    pages::set_ocr_turned(
                                        c,
                                        id,
                                        read.at,
                                        read.turned_to,
                                        &json,
                                        read.confidence,
                                    )
                                }
                            })
                            .map_err(|e| e.to_string())
                    })
                    .map(|_| words.len())
                    .map_err(|reason| OcrError::Store { reason }),
                    Err(why) => store
                        .with_tx(|c| pages::set_ocr(c, id, rotation, Err(&why.to_string())))
                        .map_err(|e| OcrError::Store {
                            reason: e.to_string(),
                        })
                        .and(Err(why.clone())),
                };
                if let Ok(mut r) = report.lock() {
                    match &stored {
                        Ok(n) => {
                            r.done += 1;
                            r.words += *n as u64;
                        }
                        Err(_) => r.failed += 1,
                    }
                }
                on_page(id, &stored);
            });
        }
    });
}

/// The words of a page as stored: read with the page turned `rotation` quarter turns, boxes
/// in the turned image's pixels.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageText {
    pub rotation: u8,
    pub words: Vec<TextWord>,
}

impl PageText {
    /// Reads what `ocr_json` holds (also a plain list of words: read unturned).
    pub fn parse(json: &str) -> Option<Self> {
        serde_json::from_str(json).ok().or_else(|| {
            serde_json::from_str::<Vec<TextWord>>(json)
                .ok()
                .map(|words| Self { rotation: 0, words })
        })
    }
}

/// A page read with too little confidence for text that stands upright (Tesseract's mean
/// word confidence) is read turned too — where the profile reads the orientation and no
/// person turned the page.
const UPRIGHT_CONFIDENCE: f32 = 60.0;
/// How much better another turn must read to be taken.
const BETTER_BY: f32 = 20.0;
/// Fewer words than this say too little about the page's orientation.
const ORIENT_WORDS: usize = 10;

/// The part of a batch's scan profile the OCR needs: whether it reads the orientation.
#[derive(serde::Deserialize)]
struct ProfileProcessing {
    processing: crate::process::Processing,
}

/// A page as read: the turn it was read at, the turn it stands at now (another when the
/// OCR's second opinion turned it), and its words.
struct Read {
    at: u8,
    turned_to: u8,
    confidence: f32,
    result: PageResult,
}

fn read_stored(store: &Store, tess: &Tesseract, id: &PageId) -> Read {
    let failed = |reason: String| Read {
        at: 0,
        turned_to: 0,
        confidence: 0.0,
        result: Err(OcrError::Store { reason }),
    };
    let (page, second_opinion) = match store.with_conn(|c| {
        let page = pages::page(c, id)?;
        let batch = eingang_store::tables::batches::batch(c, &page.batch_id)?;
        let orients = serde_json::from_str::<ProfileProcessing>(&batch.profile_json)
            .is_ok_and(|p| p.processing.auto_orient.is_some());
        Ok((page, orients && !pages::turned_by_user(c, id)?))
    }) {
        Ok(p) => p,
        Err(e) => return failed(e.to_string()),
    };
    let at = page.rotation;
    if page.deleted {
        return Read {
            at,
            turned_to: at,
            confidence: 0.0,
            result: Ok(Vec::new()),
        };
    }
    let image = match stored_image(store, &page) {
        Ok(i) => i,
        Err(e) => {
            return Read {
                at,
                turned_to: at,
                confidence: 0.0,
                result: Err(OcrError::Image {
                    reason: e.to_string(),
                }),
            }
        }
    };
    let (words, confidence) = match tess.recognise_scored(&image, at) {
        Ok(r) => r,
        Err(e) => {
            return Read {
                at,
                turned_to: at,
                confidence: 0.0,
                result: Err(e),
            }
        }
    };
    let mut best = (at, words, confidence);
    if second_opinion && best.1.len() >= ORIENT_WORDS && confidence < UPRIGHT_CONFIDENCE {
        for q in [2u8, 1, 3] {
            let turn = (at + q) % 4;
            if let Ok((w, c)) = tess.recognise_scored(&image, turn) {
                if c >= best.2 + BETTER_BY && w.len() >= ORIENT_WORDS {
                    best = (turn, w, c);
                }
            }
            if best.2 >= UPRIGHT_CONFIDENCE {
                break;
            }
        }
    }
    Read {
        at,
        turned_to: best.0,
        confidence: best.2,
        result: Ok(best.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_are_read_and_the_rest_skipped() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t300\t400\t250\t48\t96.5\tBescheid\n\
                   5\t1\t1\t1\t1\t2\t560\t400\t20\t48\t95\t \n\
                   5\t1\t1\t1\t1\t3\t600\t401\t180\t47\t91.2\tvom\n\
                   5\t1\t1\t1\t1\t4\tx\t401\t180\t47\t91.2\tkaputt\n";
        let words = parse_tsv(tsv);
        assert_eq!(
            words,
            vec![
                TextWord {
                    text: "Bescheid".into(),
                    x: 300,
                    y: 400,
                    w: 250,
                    h: 48
                },
                TextWord {
                    text: "vom".into(),
                    x: 600,
                    y: 401,
                    w: 180,
                    h: 47
                }
            ]
        );
    }

    #[test]
    fn turning_moves_every_sample_where_the_turn_puts_it() {
        // 3×2: 1 2 3 / 4 5 6
        let img = [1, 2, 3, 4, 5, 6];
        assert_eq!(turn(&img, 3, 2, 1), (vec![4, 1, 5, 2, 6, 3], 2, 3));
        assert_eq!(turn(&img, 3, 2, 2), (vec![6, 5, 4, 3, 2, 1], 3, 2));
        assert_eq!(turn(&img, 3, 2, 3), (vec![3, 6, 2, 5, 1, 4], 2, 3));
        assert_eq!(turn(&img, 3, 2, 0), (img.to_vec(), 3, 2));
    }

    #[test]
    fn languages_are_checked_before_anything_runs() {
        assert_eq!(
            Tesseract::find("deu; rm -rf /").unwrap_err(),
            Unavailable::BadLanguages
        );
        assert_eq!(Tesseract::find("").unwrap_err(), Unavailable::BadLanguages);
    }
}
