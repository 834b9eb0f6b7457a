//! Office attachments — Word (DOC, DOCX), Excel (XLS, XLSX), OpenDocument (ODT, ODS) and
//! RTF — turned into PDF pages by LibreOffice in headless mode (Debian's
//! `libreoffice-writer-nogui` / `libreoffice-calc-nogui`):
//!
//! - one `soffice` process per file, with a profile of its own in a private temporary
//!   folder (removed afterwards) whose settings forbid macros (security level "very high",
//!   execution disabled) and never update links;
//! - without a network: the process runs in a network namespace of its own (`unshare -rn`)
//!   where the machine allows one; where it does not, the settings above still keep links
//!   from being fetched, and the conversion's note says the network was not cut;
//! - time-limited: a file LibreOffice hangs on is stopped (its process group killed) and
//!   named;
//! - ZIP containers (DOCX, XLSX, ODT, ODS) are measured from their central directory
//!   before LibreOffice sees them: one that would unpack to more than 256 MiB or to more
//!   than 100 times its size, or holds more than 10,000 entries, is refused as a bomb;
//!   macros inside (`vbaProject.bin`, `Basic/`) are noted — never run.

use crate::CaptureError;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// File extensions converted (lower case).
pub const EXTENSIONS: &[&str] = &[
    "doc", "docx", "docm", "dot", "dotx", "xls", "xlsx", "xlsm", "odt", "ods", "ott", "rtf",
];
/// MIME types converted, for attachments without a telling name.
const TYPES: &[&str] = &[
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-word.document.macroenabled.12",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/rtf",
    "text/rtf",
];
/// How long one conversion may take.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// A ZIP container may unpack to at most this much …
const MAX_UNPACKED: u64 = 256 << 20;
/// … and this many times its own size …
const MAX_RATIO: u64 = 100;
/// … in at most this many entries.
const MAX_ENTRIES: usize = 10_000;

/// Whether an attachment is an office file this module converts (by its name's extension,
/// else its MIME type).
pub fn is_office(name: &str, content_type: &str) -> bool {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    ext.is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
        || TYPES.contains(&content_type.to_ascii_lowercase().as_str())
}

/// A converted file: its PDF, and what a person should know (macros not run, no network
/// namespace).
#[derive(Debug)]
pub struct Converted {
    pub pdf: Vec<u8>,
    pub notes: Vec<String>,
}

/// LibreOffice as found on this machine.
#[derive(Debug, Clone)]
pub struct Converter {
    soffice: PathBuf,
    timeout: Duration,
    /// `unshare -rn` works here: the conversion runs without a network.
    isolated: bool,
}

impl Converter {
    /// LibreOffice's `soffice` from the PATH (or `/usr/bin/soffice`), if installed.
    pub fn find() -> Option<Self> {
        let soffice = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|d| d.join("soffice"))
            .chain(std::iter::once(PathBuf::from("/usr/bin/soffice")))
            .find(|p| p.is_file())?;
        let isolated = Command::new("unshare")
            .args(["-rn", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Some(Self {
            soffice,
            timeout: TIMEOUT,
            isolated,
        })
    }

    /// The machine's converter, looked for once.
    pub fn system() -> Option<&'static Self> {
        static FOUND: std::sync::OnceLock<Option<Converter>> = std::sync::OnceLock::new();
        FOUND.get_or_init(Self::find).as_ref()
    }

    /// Whether conversions run in a network namespace of their own (no network at all).
    pub fn isolated(&self) -> bool {
        self.isolated
    }

    /// The same converter with another time limit.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Converts `bytes` (the file `name`) into a PDF, in `work` (a private folder that is
    /// left as it is found).
    pub fn to_pdf(&self, name: &str, bytes: &[u8], work: &Path) -> Result<Converted, CaptureError> {
        let refuse = |reason: String| CaptureError::Conversion {
            file: name.to_owned(),
            reason,
        };
        let ext = Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map_or_else(|| sniff(bytes).to_owned(), str::to_ascii_lowercase);
        let mut notes = inspect(&ext, bytes).map_err(refuse)?;
        let dir =
            tempfile::tempdir_in(work).map_err(|e| refuse(format!("no temporary folder: {e}")))?;
        let (profile, out) = (dir.path().join("profile"), dir.path().join("out"));
        std::fs::create_dir_all(profile.join("user")).map_err(|e| refuse(e.to_string()))?;
        std::fs::write(profile.join("user/registrymodifications.xcu"), LOCKED_DOWN)
            .map_err(|e| refuse(e.to_string()))?;
        let input = dir.path().join(format!("anlage.{ext}"));
        std::fs::write(&input, bytes).map_err(|e| refuse(e.to_string()))?;
        let mut cmd = if self.isolated {
            let mut c = Command::new("unshare");
            c.arg("-rn").arg(&self.soffice);
            c
        } else {
            notes.push(
                "ohne abgetrenntes Netz umgewandelt (dieser Rechner erlaubt es nicht)".to_owned(),
            );
            Command::new(&self.soffice)
        };
        let mut user_installation = std::ffi::OsString::from("-env:UserInstallation=file://");
        user_installation.push(profile.as_os_str());
        cmd.arg(user_installation)
            .args([
                "--headless",
                "--invisible",
                "--norestore",
                "--nolockcheck",
                "--nodefault",
                "--nologo",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&out)
            .arg(&input)
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .spawn()
            .map_err(|e| refuse(format!("LibreOffice does not start: {e}")))?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > self.timeout => {
                    kill_group(&child);
                    let _ = child.wait();
                    return Err(refuse(format!(
                        "LibreOffice did not finish converting it within {} s and was stopped; it stays in the e-mail file as it came",
                        self.timeout.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(refuse(e.to_string())),
            }
        };
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let pdf = std::fs::read(out.join("anlage.pdf")).map_err(|_| {
            refuse(format!(
                "LibreOffice could not convert it ({status}{}); it stays in the e-mail file as it came",
                err.lines()
                    .find(|l| l.contains("Error"))
                    .map(|l| format!(": {}", l.trim()))
                    .unwrap_or_default()
            ))
        })?;
        Ok(Converted { pdf, notes })
    }
}

/// What must be known before LibreOffice sees a file: that its content is what its name
/// says, and for a ZIP container that it is no bomb; the notes for the message page
/// (macros inside); `Err` with the reason otherwise.
fn inspect(ext: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
    // LibreOffice reads anything it does not recognise as plain text: a file whose
    // content is not what its name says would become pages of noise.
    if sniff(bytes) != family(ext) {
        return Err(format!(
            "its content is not a {} file as its name says (damaged, or another kind of file)",
            ext.to_ascii_uppercase()
        ));
    }
    let mut notes = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        let zip = zip_census(bytes)?;
        if zip.unpacked > MAX_UNPACKED
            || zip.unpacked > MAX_RATIO * bytes.len() as u64
            || zip.entries > MAX_ENTRIES
        {
            return Err(format!(
                    "its ZIP container would unpack to {} MiB in {} entries from {} KiB (a ZIP bomb); it stays in the e-mail file as it came",
                    zip.unpacked >> 20,
                    zip.entries,
                    bytes.len() >> 10
                ));
        }
        if zip.macros {
            notes.push("enthält Makros – nicht ausgeführt".to_owned());
        }
    }
    Ok(notes)
}

/// Stops LibreOffice with every process it started (its process group on Unix, its
/// process tree on Windows, where `soffice.exe` runs the work in a child `soffice.bin`).
fn kill_group(child: &std::process::Child) {
    let mut kill = if cfg!(windows) {
        let mut c = Command::new("taskkill");
        c.args(["/T", "/F", "/PID", &child.id().to_string()]);
        c
    } else {
        let mut c = Command::new("kill");
        c.args(["-s", "KILL", "--", &format!("-{}", child.id())]);
        c
    };
    let _ = kill.stdout(Stdio::null()).stderr(Stdio::null()).status();
}

/// The container an extension's files come in, named by the extension [`sniff`] gives it.
fn family(ext: &str) -> &'static str {
    match ext {
        "doc" | "dot" | "xls" => "doc",
        "rtf" => "rtf",
        _ => "docx",
    }
}

/// An extension for a file without one, from its first bytes (its container: ZIP, OLE
/// compound file, RTF).
fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK\x03\x04") {
        "docx"
    } else if bytes.starts_with(b"{\\rtf") {
        "rtf"
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        "doc"
    } else {
        "bin"
    }
}

/// What a ZIP container's central directory says about it.
#[derive(Debug, PartialEq, Eq)]
struct Census {
    entries: usize,
    unpacked: u64,
    macros: bool,
}

fn le16(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 2)
        .map(|s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}
fn le32(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4)
        .map(|s| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

/// Reads the central directory (never the data): entries, their unpacked sizes summed,
/// and whether macros are inside. ZIP64 sizes count as too large.
fn zip_census(b: &[u8]) -> Result<Census, String> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CDH: u64 = 0x0201_4b50;
    let from = b.len().saturating_sub(22 + 65_535);
    let end = b[from..]
        .windows(4)
        .rposition(|w| w == EOCD)
        .map(|p| from + p)
        .ok_or("its ZIP container has no central directory (damaged or cut off)")?;
    let count = le16(b, end + 10).ok_or("damaged ZIP directory")?;
    let mut at = usize::try_from(le32(b, end + 16).ok_or("damaged ZIP directory")?)
        .map_err(|_| "damaged ZIP directory")?;
    let mut census = Census {
        entries: 0,
        unpacked: 0,
        macros: false,
    };
    for _ in 0..count {
        if le32(b, at) != Some(CDH) {
            return Err("its ZIP directory is damaged".into());
        }
        let size = le32(b, at + 24).ok_or("damaged ZIP directory")?;
        let name_len = usize::try_from(le16(b, at + 28).unwrap_or(0)).unwrap_or(0);
        let extra = usize::try_from(le16(b, at + 30).unwrap_or(0)).unwrap_or(0);
        let comment = usize::try_from(le16(b, at + 32).unwrap_or(0)).unwrap_or(0);
        let name = b.get(at + 46..at + 46 + name_len).unwrap_or_default();
        let name = String::from_utf8_lossy(name);
        census.entries += 1;
        census.unpacked += if size == 0xFFFF_FFFF {
            u64::MAX / 4
        } else {
            size
        };
        census.macros |= name.ends_with("vbaProject.bin") || name.starts_with("Basic/");
        at += 46 + name_len + extra + comment;
        if census.entries > MAX_ENTRIES {
            break;
        }
    }
    Ok(census)
}

/// The temporary profile's settings: macros never run (security level 3, execution
/// disabled), links never updated, no first-start dialogs, no update checks.
const LOCKED_DOWN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseOpenCL" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored ZIP with these (name, claimed unpacked size) entries.
    fn zip(entries: &[(&str, u32)]) -> Vec<u8> {
        let mut out = b"PK\x03\x04".to_vec();
        let cd_start = out.len();
        for (name, size) in entries {
            out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            out.extend_from_slice(&[0; 20]);
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&u16::try_from(name.len()).unwrap_or(0).to_le_bytes());
            out.extend_from_slice(&[0; 16]);
            out.extend_from_slice(name.as_bytes());
        }
        let cd_len = out.len() - cd_start;
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&u16::try_from(entries.len()).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&u32::try_from(cd_len).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&u32::try_from(cd_start).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(&[0; 2]);
        out
    }

    #[test]
    fn the_central_directory_tells_size_entries_and_macros() {
        let c = zip_census(&zip(&[
            ("word/document.xml", 5000),
            ("word/vbaProject.bin", 10),
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c,
            Census {
                entries: 2,
                unpacked: 5010,
                macros: true
            }
        );
        assert!(zip_census(b"PK\x03\x04 no directory").is_err());
        assert!(is_office("Antrag.DOCX", "application/octet-stream"));
        assert!(is_office("anlage", "application/msword"));
        assert!(!is_office("foto.jpg", "image/jpeg"));
    }
}
