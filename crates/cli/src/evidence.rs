//! `eingang seal …` (the seal's PIN and the timestamp service's password into the key
//! store) and `eingang verify FILE.pdf` (what a sealed PDF says about itself).

use crate::out::{failed, finish, open, status, usage, Exit};
use eingang_config::evidence::{SEAL_PIN_SECRET, TSA_PASSWORD_SECRET};
use eingang_store::paths::DataDir;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `eingang seal pin` / `eingang seal tsa-password`: one line from standard input into the
/// key store (the OS's, else Eingang's encrypted database); never into a file or a log.
pub fn store_secret(data_dir: &DataDir, which: &str) -> ExitCode {
    finish(|| {
        let (secret, what) = match which {
            "pin" => (SEAL_PIN_SECRET, "the seal's PIN"),
            _ => (TSA_PASSWORD_SECRET, "the timestamp service's password"),
        };
        let line = read_line(what)?;
        let place = match eingang_sync::secrets::set_password(&open(data_dir)?, secret, &line)? {
            eingang_sync::secrets::Backend::Os => "in the system's key store",
            eingang_sync::secrets::Backend::Store => "in Eingang's encrypted database",
        };
        println!("{what} is stored {place}");
        Ok(ExitCode::SUCCESS)
    })
}

fn read_line(what: &str) -> Result<zeroize::Zeroizing<String>, Exit> {
    eprintln!("{what} (one line on standard input):");
    let mut line = zeroize::Zeroizing::new(String::new());
    if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim_end().is_empty() {
        return Err(usage("input.password", format!("{what} was not given")));
    }
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}

/// `eingang verify FILE.pdf [--trust CERT]… [--json]`: exit 0 when every signature is
/// intact and trusted and nothing was added after the last; 1 otherwise.
pub fn verify(data_dir: &DataDir, file: &Path, trust: &[PathBuf], json: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        if file.extension().is_some_and(|e| e == "json") {
            let report = eingang_api::evidence::verify_integrity(file, &cfg.seal, trust)?;
            print_integrity(&report, json)?;
            return Ok(status(report.valid()));
        }
        let report = eingang_api::evidence::verify_file(file, &cfg.seal, trust)?;
        print_report(file, &report, json)?;
        Ok(status(report.valid()))
    })
}

/// An integrity record's verdict: the files beside it, its digest, its seal.
fn print_integrity(r: &eingang_api::evidence::IntegrityReport, json: bool) -> Result<(), Exit> {
    if json {
        return crate::out::json(r).map(|_| ());
    }
    let said = |o: Option<bool>| match o {
        Some(true) => "unchanged",
        Some(false) => "CHANGED",
        None => "not found beside the record",
    };
    println!("PDF:               {}", said(r.pdf));
    println!("Transfervermerk:   {}", said(r.transfervermerk));
    println!(
        "record:            {}",
        if r.record { "consistent" } else { "CHANGED" }
    );
    if let Some(s) = &r.seal {
        print_signature(s);
    }
    r.problems
        .iter()
        .for_each(|p| println!("problem:           {p}"));
    Ok(())
}

/// The report as JSON or as text; a PDF without any signature is an error.
fn print_report(file: &Path, report: &eingang_seal::Report, json: bool) -> Result<(), Exit> {
    if report.signatures.is_empty() {
        let why = format!("{}: no seal or signature in this PDF", file.display());
        return Err(failed("verify.unsealed", why));
    }
    if json {
        crate::out::json(report)?;
    } else {
        report.signatures.iter().for_each(print_signature);
    }
    Ok(())
}

fn print_signature(s: &eingang_seal::SignatureReport) {
    let yes_no = |b: bool| if b { "yes" } else { "NO" };
    let field = if s.field.is_empty() {
        "(detached)"
    } else {
        &s.field
    };
    println!("signature {field}: {}", s.signer);
    println!("  issued by:         {}", s.issuer);
    println!("  intact:            {}", yes_no(s.intact));
    println!("  trusted chain:     {}", yes_no(s.trusted));
    println!("  covers the file:   {}", yes_no(s.covers_whole_file));
    match (&s.timestamp, &s.timestamp_authority) {
        (Some(t), Some(a)) => println!("  timestamp:         {t} ({a})"),
        _ => println!("  timestamp:         none"),
    }
    s.problems
        .iter()
        .for_each(|p| println!("  problem:           {p}"));
}

/// `--user NAME` on a machine with a `[directory]`: the password (one line on standard
/// input) is checked there, and the person's directory name acts. Without a directory the
/// name is taken as given (the OS login is the authentication).
pub(crate) fn directory_sign_in(data_dir: &DataDir, user: &str) -> Result<(), ExitCode> {
    let cfg = match eingang_config::load(&data_dir.path) {
        Ok(c) if c.directory.configured() => c,
        _ => return Ok(()),
    };
    let code = finish(|| {
        let password = read_line(&format!("directory password for {user}"))?;
        let who =
            eingang_api::evidence::authenticate(&open(data_dir)?, &cfg.directory, user, &password)?;
        eprintln!("signed in as {}", who.actor());
        Ok(ExitCode::SUCCESS)
    });
    if code == ExitCode::SUCCESS {
        Ok(())
    } else {
        Err(code)
    }
}

/// Prints what the delivered checkpoints say; `true` when every one holds.
pub(crate) fn print_anchors(r: &eingang_api::evidence::AnchorReport) -> bool {
    if r.checked == 0 {
        println!("anchors: no checkpoint of this log found there");
        return false;
    }
    if r.problems.is_empty() {
        println!("anchors: {} checkpoint(s) of this log hold", r.checked);
    }
    r.problems
        .iter()
        .for_each(|p| println!("anchors BROKEN: {p}"));
    if r.other_chains > 0 {
        println!(
            "({} checkpoint(s) of other stations' logs skipped)",
            r.other_chains
        );
    }
    r.problems.is_empty()
}

/// `eingang audit checkpoint`: anchors the chain's head now.
pub fn audit_checkpoint(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let targets = crate::args::queue_targets(&cfg, data_dir);
        match eingang_api::evidence::checkpoint_now(&open(data_dir)?, &cfg, &targets)? {
            Some(id) => println!("checkpoint {id} queued for {}", targets.join(", ")),
            None => println!("the head of the audit log is anchored already"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang seal file FILE… --out-dir DIR`: every file sealed (a file that cannot be is
/// named, the others go on); the time each took is printed.
pub fn seal_files(data_dir: &DataDir, files: &[PathBuf], out_dir: &Path) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let sealer = eingang_api::evidence::sealer(&open(data_dir)?, &cfg.seal, &cfg.timestamp)?;
        std::fs::create_dir_all(out_dir)
            .map_err(|e| failed("io", format!("{}: {e}", out_dir.display())))?;
        let failures = files
            .iter()
            .filter(|f| !seal_one(sealer.as_ref(), f, out_dir))
            .count();
        Ok(status(failures == 0))
    })
}

/// Seals `file` into `out_dir`, printing the time it took or why it could not.
fn seal_one(sealer: &dyn eingang_capture::transfer::Sealer, file: &Path, out_dir: &Path) -> bool {
    let out = out_dir.join(file.file_name().unwrap_or_default());
    let started = std::time::Instant::now();
    match eingang_api::evidence::seal_file(sealer, file, &out) {
        Ok(()) => {
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            println!("{}: sealed in {ms:.1} ms", out.display());
            true
        }
        Err(e) => {
            eprintln!("error [{}]: {}: {e}", e.code(), file.display());
            false
        }
    }
}
