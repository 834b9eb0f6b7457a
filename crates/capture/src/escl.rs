//! eSCL (Apple AirScan / Mopria scan) network scanners: most office multifunction devices
//! sold since ~2015 speak it over HTTP, no driver needed.
//!
//! A batch is one scan job: `POST /ScanJobs` with the settings (source, colour mode,
//! resolution, JPEG) → `201 Created` with the job's `Location`; then
//! `GET <job>/NextDocument` returns one page per request until `404` (the feeder is empty);
//! `503` means "not ready yet" and is retried; cancelling deletes the job. Capabilities
//! (`GET /ScannerCapabilities`) give the model's name and what it can do; status
//! (`GET /ScannerStatus`) whether it is idle. Each page's bytes are the raw scan.
//!
//! Scanners are configured by URL (`[scan] escl = ["http://192.0.2.20/eSCL"]`); discovery by
//! mDNS (`_uscan._tcp`) can come later without touching this module's users.

use crate::{read_bytes, CaptureError, Limits, Page, ScanSettings, Source};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const PWG: &str = "http://www.pwg.org/schemas/2010/12/sm";
const SCAN: &str = "http://schemas.hp.com/imaging/escl/2011/05/03";

/// An eSCL scanner at `base` (e.g. `http://192.0.2.20/eSCL`).
#[derive(Debug, Clone)]
pub struct EsclScanner {
    pub base: String,
    /// How long a page may take before the scanner counts as gone (default 120 s).
    pub page_timeout: Duration,
}

/// What the scanner says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub make_and_model: String,
    pub platen: bool,
    pub feeder: bool,
    pub duplex: bool,
    pub resolutions: Vec<u32>,
    pub colour_modes: Vec<String>,
}

fn fail(reason: String) -> CaptureError {
    CaptureError::Scanner { reason }
}

impl EsclScanner {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            page_timeout: Duration::from_secs(120),
        }
    }

    fn client(&self) -> Result<reqwest::blocking::Client, CaptureError> {
        reqwest::blocking::Client::builder()
            .timeout(self.page_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| fail(format!("{}: {e}", self.base)))
    }

    /// `GET /ScannerCapabilities`.
    pub fn capabilities(&self) -> Result<Capabilities, CaptureError> {
        let url = format!("{}/ScannerCapabilities", self.base);
        let resp = self.client()?.get(&url).send().map_err(|e| {
            fail(format!(
                "{url}: not reachable ({e}); is the scanner on and in this network?"
            ))
        })?;
        if !resp.status().is_success() {
            return Err(fail(format!("{url}: answered {}", resp.status())));
        }
        let text = resp.text().map_err(|e| fail(format!("{url}: {e}")))?;
        parse_capabilities(&text).map_err(|e| match e {
            CaptureError::Scanner { reason } => fail(format!("{url}: {reason}")),
            other => other,
        })
    }
}

/// Reads `ScannerCapabilities` XML (no DTDs, bounded by roxmltree's limits).
pub fn parse_capabilities(xml: &str) -> Result<Capabilities, CaptureError> {
    let refused = |reason: String| CaptureError::Scanner { reason };
    if xml.len() > 1 << 20 {
        return Err(refused(
            "the capabilities document is larger than 1 MiB".into(),
        ));
    }
    let doc = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    )
    .map_err(|e| refused(format!("malformed capabilities XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "ScannerCapabilities" {
        return Err(refused("not an eSCL ScannerCapabilities document".into()));
    }
    let text_of = |name: &str| {
        root.descendants()
            .find(|n| n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(str::trim)
            .map(str::to_owned)
    };
    let has = |name: &str| root.descendants().any(|n| n.tag_name().name() == name);
    let mut resolutions: Vec<u32> = root
        .descendants()
        .filter(|n| n.tag_name().name() == "XResolution")
        .filter_map(|n| n.text()?.trim().parse().ok())
        .collect();
    resolutions.sort_unstable();
    resolutions.dedup();
    let mut colour_modes: Vec<String> = root
        .descendants()
        .filter(|n| n.tag_name().name() == "ColorMode")
        .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
        .collect();
    colour_modes.sort();
    colour_modes.dedup();
    Ok(Capabilities {
        make_and_model: text_of("MakeAndModel").unwrap_or_else(|| "eSCL scanner".into()),
        platen: has("Platen"),
        feeder: has("Adf"),
        duplex: has("AdfDuplexInputCaps"),
        resolutions,
        colour_modes,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The `ScanSettings` document for a job. Sources and modes take SANE's words too, so a
/// scan profile works with either kind of scanner.
pub fn scan_settings_xml(settings: &ScanSettings) -> String {
    let source = match settings.source.as_deref().map(str::to_ascii_lowercase) {
        Some(s) if s.contains("duplex") => ("Feeder", true),
        Some(s) if s.contains("feeder") || s.contains("adf") => ("Feeder", false),
        _ => ("Platen", false),
    };
    let mode = match settings.mode.as_deref().map(str::to_ascii_lowercase) {
        Some(m) if m.contains("color") || m.contains("colour") || m.contains("rgb") => "RGB24",
        Some(m) if m.contains("lineart") || m.contains("black") => "BlackAndWhite1",
        _ => "Grayscale8",
    };
    let r = settings.resolution;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<scan:ScanSettings xmlns:scan="{SCAN}" xmlns:pwg="{PWG}">
<pwg:Version>2.0</pwg:Version>
<pwg:ScanRegions><pwg:ScanRegion><pwg:XOffset>0</pwg:XOffset><pwg:YOffset>0</pwg:YOffset><pwg:Width>2550</pwg:Width><pwg:Height>3507</pwg:Height><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits></pwg:ScanRegion></pwg:ScanRegions>
<pwg:InputSource>{src}</pwg:InputSource>
<scan:Duplex>{duplex}</scan:Duplex>
<scan:ColorMode>{mode}</scan:ColorMode>
<scan:XResolution>{r}</scan:XResolution>
<scan:YResolution>{r}</scan:YResolution>
<pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>
<scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt>
</scan:ScanSettings>
"#,
        src = escape(source.0),
        duplex = source.1,
    )
}

impl Source for EsclScanner {
    fn name(&self) -> String {
        format!("eSCL {}", self.base)
    }

    fn scan(
        &self,
        settings: &ScanSettings,
        work_dir: &Path,
        cancel: &AtomicBool,
        on_page: &mut dyn FnMut(Page),
    ) -> Result<u32, CaptureError> {
        let client = self.client()?;
        let jobs = format!("{}/ScanJobs", self.base);
        let resp = client
            .post(&jobs)
            .header("Content-Type", "text/xml")
            .body(scan_settings_xml(settings))
            .send()
            .map_err(|e| fail(format!("{jobs}: not reachable ({e})")))?;
        match resp.status().as_u16() {
            201 => {}
            503 => {
                return Err(fail(format!(
                    "{jobs}: the scanner is busy; try again shortly"
                )))
            }
            409 => {
                return Err(fail(format!(
                    "{jobs}: the scanner refused the job (no paper in the feeder?)"
                )))
            }
            s => return Err(fail(format!("{jobs}: answered {s} to the scan job"))),
        }
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| fail(format!("{jobs}: no Location for the new job")))?;
        let job = absolute(&self.base, location);
        let mut n = 0u32;
        let result = (|| {
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(n);
                }
                if settings.max_pages.is_some_and(|m| n >= m) {
                    return Ok(n);
                }
                let Some(bytes) = self.next_document(&client, &job, cancel)? else {
                    return Ok(n);
                };
                n += 1;
                // The raw scan where SANE's would be, so batch intake reads it the same way.
                let raw = crate::sane::page_file(work_dir, n);
                std::fs::write(&raw, &bytes)
                    .map_err(|e| fail(format!("{}: {e}", raw.display())))?;
                let name = format!("{} page {n}", self.name());
                for mut p in read_bytes(&name, bytes, Limits::default())? {
                    p.index = (n - 1) as usize;
                    if p.dpi_assumed {
                        #[allow(clippy::cast_precision_loss)]
                        let dpi = settings.resolution as f32;
                        p.page.dpi = (dpi, dpi);
                        p.dpi_assumed = false;
                    }
                    on_page(p);
                }
            }
        })();
        // Done, cancelled or failed: the job is not needed any more.
        let _ = client.delete(&job).send();
        result
    }
}

impl EsclScanner {
    /// One page, `None` when the feeder is empty; retries while the scanner is busy.
    fn next_document(
        &self,
        client: &reqwest::blocking::Client,
        job: &str,
        cancel: &AtomicBool,
    ) -> Result<Option<Vec<u8>>, CaptureError> {
        let url = format!("{job}/NextDocument");
        let started = Instant::now();
        loop {
            let resp = client.get(&url).send().map_err(|e| {
                fail(format!(
                    "{url}: the connection to the scanner was lost ({e})"
                ))
            })?;
            match resp.status().as_u16() {
                200 => {
                    let bytes = resp
                        .bytes()
                        .map_err(|e| fail(format!("{url}: the page did not arrive whole ({e})")))?;
                    return Ok(Some(bytes.to_vec()));
                }
                404 | 410 => return Ok(None),
                503 if started.elapsed() < self.page_timeout && !cancel.load(Ordering::Relaxed) => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                s => return Err(fail(format!("{url}: answered {s}"))),
            }
        }
    }
}

/// The job's URL from a `Location` header (absolute, or a path on the scanner's host).
fn absolute(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.trim_end_matches('/').to_owned();
    }
    match url::Url::parse(base).and_then(|b| b.join(location)) {
        Ok(u) => u.as_str().trim_end_matches('/').to_owned(),
        Err(_) => format!("{base}/{}", location.trim_start_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_follow_the_profile_in_either_scanner_vocabulary() {
        let s = |source: &str, mode: &str| ScanSettings {
            source: Some(source.into()),
            mode: Some(mode.into()),
            resolution: 300,
            max_pages: None,
        };
        let x = scan_settings_xml(&s("ADF Duplex", "Color"));
        assert!(x.contains("<pwg:InputSource>Feeder</pwg:InputSource>"));
        assert!(x.contains("<scan:Duplex>true</scan:Duplex>"));
        assert!(x.contains("<scan:ColorMode>RGB24</scan:ColorMode>"));
        let x = scan_settings_xml(&s("Flatbed", "Lineart"));
        assert!(x.contains("Platen") && x.contains("BlackAndWhite1"));
        assert!(x.contains("<scan:XResolution>300</scan:XResolution>"));
        roxmltree::Document::parse(&x).unwrap();
        assert_eq!(
            absolute("http://192.0.2.1/eSCL", "/eSCL/ScanJobs/42/"),
            "http://192.0.2.1/eSCL/ScanJobs/42"
        );
    }

    #[test]
    fn capabilities_are_read_and_hostile_xml_refused() {
        let xml = format!(
            r#"<scan:ScannerCapabilities xmlns:scan="{SCAN}" xmlns:pwg="{PWG}"><pwg:MakeAndModel>Stadt MFP 9000</pwg:MakeAndModel>
<scan:Platen><scan:PlatenInputCaps><scan:SettingProfiles><scan:SettingProfile><scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>
<scan:SupportedResolutions><scan:DiscreteResolutions><scan:DiscreteResolution><scan:XResolution>300</scan:XResolution></scan:DiscreteResolution><scan:DiscreteResolution><scan:XResolution>600</scan:XResolution></scan:DiscreteResolution></scan:DiscreteResolutions></scan:SupportedResolutions></scan:SettingProfile></scan:SettingProfiles></scan:PlatenInputCaps></scan:Platen>
<scan:Adf><scan:AdfSimplexInputCaps/><scan:AdfDuplexInputCaps/></scan:Adf></scan:ScannerCapabilities>"#
        );
        let c = parse_capabilities(&xml).unwrap();
        assert_eq!(c.make_and_model, "Stadt MFP 9000");
        assert!(c.platen && c.feeder && c.duplex);
        assert_eq!(c.resolutions, [300, 600]);
        assert_eq!(c.colour_modes, ["Grayscale8", "RGB24"]);
        let bomb = r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><scan:ScannerCapabilities/>"#;
        assert!(parse_capabilities(bomb)
            .unwrap_err()
            .to_string()
            .contains("malformed"));
        assert!(parse_capabilities("<html/>")
            .unwrap_err()
            .to_string()
            .contains("not an eSCL"));
    }
}
