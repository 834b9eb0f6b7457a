//! PDFBox's preflight (Debian's libpdfbox2-java, `Validator_A1b`): a second, independent
//! PDF/A-1b validator beside veraPDF. Shared by the PDF writer's tests and the CLI's.

use std::path::Path;
use std::process::Command;

/// What preflight printed about `file` (stdout and stderr); a valid file's report says
/// "is a valid PDF/A-1b file".
pub fn preflight_a1b(file: &Path) -> String {
    let jars = [
        "preflight",
        "pdfbox2",
        "fontbox2",
        "xmpbox",
        "commons-logging",
        "javax.activation",
        "jaxb-api",
    ]
    .map(|j| format!("/usr/share/java/{j}.jar"))
    .join(":");
    let out = Command::new("java")
        .args(["-cp", &jars, "org.apache.pdfbox.preflight.Validator_A1b"])
        .arg(file)
        .output()
        .expect("java runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
