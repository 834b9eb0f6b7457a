//! SANE scanners on Linux, through SANE's own front end `scanimage` (the project forbids
//! `unsafe`, which a libsane binding would need): list devices, read a device's options,
//! and scan a batch from the feeder with pages streaming in as they arrive — each page is
//! handed over as soon as the scanner has finished it, not at the end of the batch.
//!
//! eSCL (network scanners) and WIA/TWAIN (Windows) are further sources behind the same
//! [`Page`] stream; they are not built yet.

use crate::{CaptureError, Limits, Page};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const SCANIMAGE: &str = "scanimage";

/// A scanner SANE sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
}

/// One option of a device (`--mode Gray|Color [Gray]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceOption {
    pub name: String,
    /// The choices (`Gray`, `Color`) or the range as SANE prints it (`1..1200dpi`).
    pub values: Vec<String>,
    pub current: Option<String>,
}

/// How to scan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanSettings {
    /// `Flatbed`, `Automatic Document Feeder`, `ADF Duplex`, … as the device names them.
    pub source: Option<String>,
    /// `Gray`, `Color`, `Lineart`.
    pub mode: Option<String>,
    pub resolution: u32,
    /// Stop after this many pages (the feeder running empty ends a batch anyway).
    pub max_pages: Option<u32>,
}

fn fail(reason: String) -> CaptureError {
    CaptureError::Scanner { reason }
}

/// `scanimage` did not start: SANE is missing (Linux), or this is Windows, where SANE does
/// not run and the scanners Eingang reaches are network (eSCL) scanners and hot folders.
fn not_started(e: &std::io::Error) -> CaptureError {
    if cfg!(windows) {
        return fail(format!(
            "scanimage cannot be started ({e}): SANE does not run on Windows; use a network (eSCL) scanner or a hot folder (WIA/TWAIN are not supported)"
        ));
    }
    fail(format!(
        "scanimage cannot be started ({e}); install SANE (Debian: sane-utils)"
    ))
}

fn scanimage(args: &[&str]) -> Result<String, CaptureError> {
    let out = Command::new(SCANIMAGE)
        .args(args)
        .output()
        .map_err(|e| not_started(&e))?;
    if !out.status.success() {
        return Err(fail(format!(
            "scanimage {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The scanners SANE sees now.
pub fn devices() -> Result<Vec<Device>, CaptureError> {
    let text = scanimage(&["-f", "%d\t%v\t%m\t%t%n"])?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(Device {
                name: f.next()?.to_owned(),
                vendor: f.next()?.to_owned(),
                model: f.next()?.to_owned(),
                kind: f.next()?.to_owned(),
            })
        })
        .collect())
}

/// Parses `scanimage -A` output.
pub fn parse_options(text: &str) -> Vec<DeviceOption> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("--")?;
            let (name, spec) = rest.split_once(' ')?;
            let (values, current) = match spec.rsplit_once(" [") {
                Some((v, c)) => (v, Some(c.trim_end_matches(']').to_owned())),
                None => (spec, None),
            };
            Some(DeviceOption {
                name: name.to_owned(),
                values: values.split('|').map(|v| v.trim().to_owned()).collect(),
                current: current.filter(|c| c != "inactive"),
            })
        })
        .collect()
}

/// A device's options.
pub fn options(device: &str) -> Result<Vec<DeviceOption>, CaptureError> {
    Ok(parse_options(&scanimage(&["-d", device, "-A"])?))
}

/// Where a batch scan writes page `n` (1-based): its raw scan.
pub fn page_file(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("page{n:05}.pnm"))
}

/// Scans a batch into `work_dir` (empty, on the same disk as the store), handing each page
/// to `on_page` as soon as it is complete. Returns the number of pages. `cancel` stops the
/// scanner; the pages already handed over stay.
pub fn scan_batch(
    device: &str,
    settings: &ScanSettings,
    work_dir: &Path,
    cancel: &AtomicBool,
    mut on_page: impl FnMut(Page),
) -> Result<u32, CaptureError> {
    let leftovers = std::fs::read_dir(work_dir)
        .map_err(|e| fail(format!("{}: {e}", work_dir.display())))?
        .count();
    if leftovers > 0 {
        return Err(fail(format!(
            "{} is not empty; a batch scans into a folder of its own",
            work_dir.display()
        )));
    }
    let mut cmd = Command::new(SCANIMAGE);
    cmd.args(["-d", device, "--format=pnm"])
        .arg(format!("--resolution={}", settings.resolution))
        .arg(format!(
            "--batch={}",
            work_dir.join("page%05d.pnm").display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(s) = &settings.source {
        cmd.arg(format!("--source={s}"));
    }
    if let Some(m) = &settings.mode {
        cmd.arg(format!("--mode={m}"));
    }
    if let Some(n) = settings.max_pages {
        cmd.arg(format!("--batch-count={n}"));
    }
    let mut child = cmd.spawn().map_err(|e| not_started(&e))?;
    #[allow(clippy::cast_precision_loss)]
    let dpi = settings.resolution as f32;
    let mut next = 1_u32;
    let take = |n: u32, on_page: &mut dyn FnMut(Page)| -> Result<(), CaptureError> {
        let path = page_file(work_dir, n);
        let bytes = std::fs::read(&path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let name = format!("scan page {n}");
        let mut pages = crate::read_bytes(&name, bytes, Limits::default())?;
        for p in &mut pages {
            p.index = usize::try_from(n - 1).unwrap_or(0);
            p.page.dpi = (dpi, dpi);
            p.dpi_assumed = false;
        }
        for p in pages {
            on_page(p);
        }
        Ok(())
    };
    loop {
        if cancel.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(next - 1);
        }
        // A page is complete once the scanner has started the next one.
        if page_file(work_dir, next + 1).exists() {
            take(next, &mut on_page)?;
            next += 1;
            continue;
        }
        if let Some(status) = child.try_wait().map_err(|e| fail(e.to_string()))? {
            if page_file(work_dir, next).exists() {
                take(next, &mut on_page)?;
                next += 1;
            }
            let scanned = next - 1;
            if !status.success() && scanned == 0 {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                return Err(fail(format!("the scan failed: {}", err.trim())));
            }
            return Ok(scanned);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn options_are_parsed_as_sane_prints_them() {
        let text = "Options specific to device `test:0':\n  Scan Mode:\n    --mode Gray|Color [Gray]\n        Selects the scan mode.\n    --resolution 1..1200dpi (in steps of 1) [50]\n    --source Flatbed|Automatic Document Feeder [Flatbed]\n    --lamp-off-scan[=(yes|no)] [inactive]\n";
        let o = super::parse_options(text);
        assert_eq!(o[0].name, "mode");
        assert_eq!(o[0].values, ["Gray", "Color"]);
        assert_eq!(o[0].current.as_deref(), Some("Gray"));
        assert_eq!(o[2].values, ["Flatbed", "Automatic Document Feeder"]);
        assert_eq!(o[1].current.as_deref(), Some("50"));
    }
}

/// A SANE device as a [`crate::Source`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaneScanner {
    pub device: String,
}

impl crate::Source for SaneScanner {
    fn name(&self) -> String {
        format!("SANE {}", self.device)
    }

    fn scan(
        &self,
        settings: &ScanSettings,
        work_dir: &Path,
        cancel: &AtomicBool,
        on_page: &mut dyn FnMut(Page),
    ) -> Result<u32, CaptureError> {
        scan_batch(&self.device, settings, work_dir, cancel, on_page)
    }
}
