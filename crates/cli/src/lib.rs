//! `eingang`: the command line over the same crates and the same database as the app. A
//! library so that the app's program can be the command line too (installed as a link named
//! `eingang`: one binary in the package instead of two).

mod args;
mod auto;
mod doctor;
mod drafts;
mod evidence;
mod forms;
mod key;
mod mail;
mod out;
mod paging;
mod retention;
mod scan;
mod station;
mod submissions;
mod sync;
mod team;
mod update;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "eingang",
    version,
    about = "Eingang: Posteingang, Scanstelle und Offline-Formulare — command line",
    long_about = "Eingang takes in scanned mail and forms and delivers archival PDFs to the DMS.\n\
                  This command works on the same data folder as the desktop app."
)]
struct Cli {
    /// Data folder (default: $EINGANG_DATA_DIR, else the platform's data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The person working (recorded in the audit log, as scanner or checker; default: the
    /// operating system's user; with a [directory] in the machine's configuration, the
    /// person's directory password is read from standard input and checked there).
    #[arg(long, global = true, value_name = "NAME")]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the data folder, the database and the optional tools; say what to do about problems.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The form catalogue: list forms, import form definitions (JSON, format 1).
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// The electronic seal on released scan products: its PIN and the timestamp
    /// service's password into the key store.
    Seal {
        #[command(subcommand)]
        command: SealCommand,
    },
    /// What a sealed PDF says about itself: signer, certificate chain, timestamp, and
    /// whether it changed since; or, for a delivered `ID.integritaet.json`, whether the PDF
    /// and the Transfervermerk beside it and the record itself are as sealed (exit 0
    /// valid, 1 not).
    Verify {
        file: PathBuf,
        /// A trust anchor (certificate, DER or PEM) besides `[seal] trust`.
        #[arg(long)]
        trust: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// PDF/A documents from scanned files.
    Pdf {
        #[command(subcommand)]
        command: PdfCommand,
    },
    /// Scanners: list them, scan a batch into the store.
    Scan {
        #[command(subcommand)]
        command: ScanCommand,
    },
    /// Import scanned files (JPEG, PNG, PNM, TIFF) into a batch: raw scans kept, pages
    /// processed by the scan profile. A bad file is named and skipped.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        into: scan::IntoArgs,
        /// Read the pages now (OCR) and apply what the profile's automatic indexing allows:
        /// document starts without separator sheets, index values, straight-through release
        /// (orientation is read while the pages are processed, when the profile says so).
        #[arg(long)]
        auto: bool,
    },
    /// Watch a hot folder (network scanners drop files there): complete files go into the
    /// day's batch and are archived; refused files move to `failed/` with the reason.
    Hotfolder(scan::HotfolderArgs),
    /// The city's mailbox (`[mailbox]`): fetch new messages into the day's mail batch,
    /// exactly once; store its password; its state.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// The scan office's team database (`[team]`, PostgreSQL): the password, the check.
    Team {
        #[command(subcommand)]
        command: team::TeamCommand,
    },
    /// OCR (Tesseract): read the pages waiting in the store, or make a searchable PDF/A
    /// from image files.
    Ocr {
        #[command(subcommand)]
        command: OcrCommand,
    },
    /// Automatic indexing's learned model: what it learned from (released documents), or
    /// forget it.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// The index station's master data: organisation units with their Aktenzeichen
    /// patterns, document types with their fields (CSV or JSON).
    Masterdata {
        #[command(subcommand)]
        command: MasterdataCommand,
    },
    /// The audit log (hash-chained): check it, or export it for archiving.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Retention ([retention]): purge what was delivered long enough ago, list old drafts.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Batches in the store: list them, separate them into documents, make the documents.
    Batch {
        #[command(subcommand)]
        command: BatchCommand,
    },
    /// Scan profiles (named settings per kind of document).
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
    /// Deliver what waits in the outbox to the configured targets (zero configuration:
    /// into <data>/ausgang).
    Sync {
        /// Keep running: deliver whenever something is due (for headless machines).
        #[arg(long)]
        watch: bool,
    },
    /// Delivery targets from the configuration: list them, store a password.
    Targets {
        #[command(subcommand)]
        command: TargetsCommand,
    },
    /// The configuration files: check one, or the ones this machine reads.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Copy the data folder while Eingang runs: a consistent snapshot of the (encrypted)
    /// database, key.json and every blob file, into an empty folder.
    Backup { dest: PathBuf },
    /// Rewrite the database once so that purges return its freed space to the disk (for a
    /// database made before Eingang did that by itself). Close the app first; needs free
    /// disk the size of the database.
    Compact,
    /// The data key: where it is kept, and a new one (re-encrypting the database).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// The self-service terminal: `pin` reads a staff PIN from standard input and prints
    /// the `[terminal] staff_pin = "…"` line (an Argon2 hash) for the machine's file.
    Terminal {
        #[command(subcommand)]
        command: TerminalCommand,
    },
    /// Signed updates from the city's source (`[update]` in the machine's configuration).
    Update {
        #[command(subcommand)]
        command: UpdateCommand,
    },
    /// The outbox: what waits, what failed and why, receipts; retry an item.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Finalised submissions and their delivery state.
    Submissions {
        #[command(subcommand)]
        command: SubmissionsCommand,
    },
    /// Work with drafts (forms being filled in).
    Drafts {
        #[command(subcommand)]
        command: DraftsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum FormsCommand {
    /// List every form and version in the catalogue.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a form's definition as JSON (edit it, e.g. to add rule expressions, and import
    /// it again under a new version).
    Show { id: String, version: String },
    /// Pull new form versions from the catalogue folders of the configured targets.
    Pull,
    /// Import a form definition file, or every .json file in a folder.
    Import {
        /// A .json file or a folder of them.
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum TargetsCommand {
    /// List the targets with their state (online, paused, waiting, failed).
    List {
        #[arg(long)]
        json: bool,
        /// Check each target now (an authenticated request) before listing.
        #[arg(long)]
        check: bool,
    },
    /// Store the password for a target, read from standard input; lifts a pause.
    Password { id: String },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a config.toml (without FILE: /etc/eingang/config.toml and <data>/config.toml,
    /// or $EINGANG_CONFIG) and show what it configures; exit 2 on an error.
    Check { file: Option<PathBuf> },
    /// Take the central files now (`[masterdata] source`, `[scan] profiles`), as the app
    /// does at start: imported when changed, a broken file changes nothing (exit 2).
    Apply,
}

#[derive(Debug, Subcommand)]
enum TerminalCommand {
    /// Hash a staff PIN (6–128 characters, read from standard input).
    Pin,
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Where the data key is kept (OS key store or passphrase).
    Status,
    /// Re-encrypt the database under a new key (the app must be closed): kept in the OS
    /// key store, or with --passphrase wrapped under a new passphrase read from standard
    /// input (for moving the folder to another machine, or where no key store exists).
    Rotate {
        #[arg(long)]
        passphrase: bool,
    },
}

#[derive(Debug, Subcommand)]
enum UpdateCommand {
    /// Ask the update source whether a newer version exists (exit 0: up to date or
    /// found, 1: unreachable, 2: refused — bad manifest, signature or configuration).
    Check,
    /// Download the newer version, check its signature, and install it (through the
    /// privileged step `update apply`, with pkexec unless already root).
    Install,
    /// The privileged step (root only): copy a downloaded package into
    /// /var/cache/eingang, check its signature there against the machine's [update] key,
    /// refuse anything not newer than this version, and install that copy.
    Apply { package: PathBuf },
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// List what waits or failed (with the reason), then the deliveries (with receipts),
    /// newest first.
    List(paging::PageArgs),
    /// Deliver a failed or paused item again on the next run.
    Retry { id: i64 },
    /// The DMS does not have what a receipt says it stored: void the receipt and deliver
    /// the item again (its files stay, and the batch's paper may not be destroyed, until
    /// the new receipt).
    Redeliver {
        id: i64,
        /// Why (what the DMS answered); kept in the audit log with the old receipt.
        #[arg(long)]
        reason: String,
    },
    /// Hold an undelivered item back: it is not sent by itself again and stays listed with
    /// the reason; `outbox retry` resumes it.
    Cancel {
        id: i64,
        /// Why; kept in the audit log and shown with the item.
        #[arg(long)]
        reason: String,
    },
    /// Send an undelivered item to another configured target instead.
    Move {
        id: i64,
        /// The target's id (eingang config check lists them).
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
enum SealCommand {
    /// Store the seal token's user PIN (one line on standard input).
    Pin,
    /// Seal PDF files with the configured seal and timestamp (re-protection of older scan
    /// products, or any PDF the office must seal); each is written to OUT_DIR under its name.
    File {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        out_dir: PathBuf,
    },
    /// Store the timestamp service's password (one line on standard input).
    TsaPassword,
}

#[derive(Debug, Subcommand)]
enum PdfCommand {
    /// Put scanned files into one PDF/A, page by page; JPEG pages stay byte-identical
    /// unless a profile processes them.
    Assemble(scan::AssembleArgs),
    /// Check PDF files against the PDF/A requirements Eingang's self-check knows (exit 1
    /// when one fails).
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The level to check for: 1b, 2b or 3b.
        #[arg(long, default_value = "2b")]
        pdfa: String,
    },
}

#[derive(Debug, Subcommand)]
enum OcrCommand {
    /// Read every page waiting for OCR, several at once; with --batch, that batch's pages
    /// whole (also pages that failed before or whose profile had OCR off).
    Run(station::OcrRunArgs),
    /// A searchable PDF/A from image files (JPEG, PNG, PNM, TIFF, PDF).
    Files(station::OcrFilesArgs),
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// The model's state and the released documents it learned from, per type and unit.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Forget the model and its examples (index values already given stay).
    Reset,
    /// Train the model afresh from its stored examples (a damaged model is repaired so).
    Retrain,
    /// The released documents the model learned from, most recent first.
    Examples {
        /// Only those learned with this document type (its code).
        #[arg(long = "type")]
        doctype: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Forget what the model learned from these documents (released with a wrong type, say)
    /// and train it afresh; the documents and their index values stay.
    Forget {
        #[arg(required = true)]
        documents: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum MasterdataCommand {
    /// Replace the master data with a file's (checked first; a file with errors changes nothing).
    Import { file: PathBuf },
    /// List the master data.
    List,
}

#[derive(Debug, Subcommand)]
enum ScanCommand {
    /// The scanners SANE sees.
    Devices,
    /// Scan a batch from the feeder into the store; pages are stored as they arrive.
    Batch(scan::ScanArgs),
}

#[derive(Debug, Subcommand)]
enum RetentionCommand {
    /// Purge now: page images, released PDFs and delivered submissions whose receipts are
    /// older than their periods (never without every receipt, never a batch on hold).
    Run,
    /// Drafts untouched for longer than [retention] drafts_listed_days (never deleted).
    Drafts,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the chain: exit 1 and name the first record that was changed, removed or moved;
    /// with --anchors, also hold it against the checkpoints delivered to the DMS (a
    /// rewritten or truncated tail shows there even when the chain itself is consistent).
    Verify {
        /// A folder with delivered checkpoints (`audit-*.json`, e.g. the DMS's export or the
        /// local delivery folder).
        #[arg(long)]
        anchors: Option<PathBuf>,
    },
    /// Anchor the chain's head now: a checkpoint (sealed when a seal is configured) queued
    /// for delivery to every target.
    Checkpoint,
    /// Write every record as JSON lines (to FILE, or standard output).
    Export { file: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
enum BatchCommand {
    /// List the batches, newest first (id, pages, blank pages, name, release state).
    List(paging::PageArgs),
    /// Show one batch: its pages in order (state, flags) and its documents (delivery).
    Show {
        batch: String,
        #[arg(long)]
        json: bool,
    },
    /// Apply separation rules: the batch profile's, or a JSON file's (`Separation`).
    Separate {
        batch: String,
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Replace document breaks set (or removed) by hand; without it the command refuses
        /// to change them.
        #[arg(long)]
        replace_manual: bool,
    },
    /// Set index values of one document (numbered from 1), checked against the master data.
    Index {
        batch: String,
        #[arg(long)]
        doc: usize,
        #[arg(value_name = "NAME=VALUE", required = true)]
        values: Vec<String>,
    },
    /// The quality check: show it; record verdicts (four-eyes: name the checker with --user).
    Qc(station::QcArgs),
    /// What automatic indexing suggests, per page in scan order (turn, blank, document
    /// start, with confidences) and per document (type, unit, values, with confidences).
    Suggest {
        batch: String,
        #[arg(long)]
        json: bool,
    },
    /// Apply the suggestions: document starts and index values at least this sure (0–1),
    /// and release straight through what needs no person (`--release`: the required values
    /// at least this sure, not drawn or flagged by the check); without any, what the
    /// batch's profile allows. Breaks set by hand and values typed stay.
    Autoindex {
        batch: String,
        #[arg(long)]
        boundaries: Option<f32>,
        #[arg(long)]
        values: Option<f32>,
        #[arg(long)]
        release: Option<f32>,
    },
    /// The documents as the batch is cut now: pages, index values, suggestions.
    Documents {
        batch: String,
        #[arg(long)]
        json: bool,
    },
    /// Release the checked batch: documents as PDF/A with text layer and Transfervermerk,
    /// queued for delivery.
    Release {
        batch: String,
        #[arg(long)]
        title: String,
        /// Index fields for every document, `name=value` (a document's own values win).
        #[arg(long = "index", value_name = "NAME=VALUE")]
        index: Vec<String>,
    },
    /// Try the releases that wait for the timestamp service again now (the app does this
    /// by itself every half minute).
    Retry,
    /// Withdraw a release that waits, so the batch can be changed again.
    Withdraw { batch: String },
    /// Put a batch on legal hold (never purged), or lift it with --lift.
    Hold {
        batch: String,
        #[arg(long)]
        lift: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ProfilesCommand {
    /// List the scan profiles.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create or change a profile from a JSON file (as `profiles list --json` prints one);
    /// the change is logged.
    Save { file: PathBuf },
    /// Every change to the profiles, oldest first (TR-RESISCAN A.SC.6).
    Changes,
}

#[derive(Debug, Subcommand)]
enum SubmissionsCommand {
    /// List the submissions, newest first.
    List(paging::PageArgs),
}

#[derive(Debug, Subcommand)]
enum DraftsCommand {
    /// List the drafts, most recently changed first.
    List(paging::PageArgs),
}

/// `eingang terminal pin`: the PIN from standard input, its hash as a configuration line.
fn terminal_pin() -> ExitCode {
    use std::io::BufRead as _;
    out::finish(|| {
        let mut line = zeroize::Zeroizing::new(String::new());
        if std::io::stdin().lock().read_line(&mut line).is_err() {
            return Err(out::usage("input", "the PIN is read from standard input"));
        }
        let hash = eingang_config::central::hash_pin(line.trim_end_matches(['\n', '\r']))
            .map_err(|e| out::usage("terminal.pin", e))?;
        println!("staff_pin = \"{hash}\"");
        Ok(ExitCode::SUCCESS)
    })
}

/// The exit status of a command whose reader went away (`eingang doctor | head -3`): what
/// the shell reports for a process ended by SIGPIPE.
pub const EXIT_CLOSED_STDOUT: i32 = 128 + 13;

/// Rust ignores SIGPIPE, so `println!` into a pipe whose reader has exited panics with
/// "failed printing to stdout: Broken pipe" (on Windows: "… being closed"). A command line
/// ends quietly there instead — the way every Unix tool does — and any other panic still
/// reports as before.
fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // Unix says "Broken pipe"; Windows "The pipe is being closed" (ERROR_NO_DATA, 232)
        // or, for a pipe already gone, ERROR_BROKEN_PIPE (109).
        let closed = ["Broken pipe", "(os error 232)", "(os error 109)"]
            .iter()
            .any(|m| message.contains(m));
        if message.starts_with("failed printing to stdout") && closed {
            std::process::exit(EXIT_CLOSED_STDOUT);
        }
        report(info);
    }));
}

/// Runs the command line with the process's arguments.
#[allow(clippy::too_many_lines)] // one arm per command
pub fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    eingang_store::tables::audit::set_operator(cli.user.as_deref());
    let data_dir = match eingang_store::paths::resolve_data_dir(cli.data_dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
    // The authorities signed e-mail is checked against (a broken configuration is the
    // command's to report).
    if let Ok(cfg) = eingang_config::load(&data_dir.path) {
        if let Err(e) = eingang_api::mailbox::configure_smime(&cfg.mailbox) {
            eprintln!("warning [{}]: {e}", e.code());
        }
    }
    if let Some(user) = cli.user.as_deref() {
        if let Err(code) = evidence::directory_sign_in(&data_dir, user) {
            return code;
        }
    }
    match cli.command {
        Command::Doctor { json } => doctor::run(&data_dir, json),
        Command::Forms {
            command: FormsCommand::List { json },
        } => forms::list(&data_dir, json),
        Command::Forms {
            command: FormsCommand::Import { path },
        } => forms::import(&data_dir, &path),
        Command::Forms {
            command: FormsCommand::Show { id, version },
        } => forms::show(&data_dir, &id, &version),
        Command::Forms {
            command: FormsCommand::Pull,
        } => sync::forms_pull(&data_dir),
        Command::Seal {
            command: SealCommand::Pin,
        } => evidence::store_secret(&data_dir, "pin"),
        Command::Seal {
            command: SealCommand::File { files, out_dir },
        } => evidence::seal_files(&data_dir, &files, &out_dir),
        Command::Seal {
            command: SealCommand::TsaPassword,
        } => evidence::store_secret(&data_dir, "tsa-password"),
        Command::Verify { file, trust, json } => evidence::verify(&data_dir, &file, &trust, json),
        Command::Pdf {
            command: PdfCommand::Assemble(a),
        } => scan::assemble(&data_dir, &a),
        Command::Pdf {
            command: PdfCommand::Check { files, pdfa },
        } => scan::check(&files, &pdfa),
        Command::Scan {
            command: ScanCommand::Devices,
        } => scan::devices(&data_dir),
        Command::Scan {
            command: ScanCommand::Batch(a),
        } => scan::scan_batch(&data_dir, &a),
        Command::Hotfolder(a) => scan::hotfolder(&data_dir, a),
        Command::Mail { command } => mail::run(&data_dir, &command),
        Command::Team { command } => team::run(&data_dir, &command),
        Command::Audit { command } => match command {
            AuditCommand::Verify { anchors } => scan::audit_verify(&data_dir, anchors.as_deref()),
            AuditCommand::Checkpoint => evidence::audit_checkpoint(&data_dir),
            AuditCommand::Export { file } => scan::audit_export(&data_dir, file.as_deref()),
        },
        Command::Retention { command } => match command {
            RetentionCommand::Run => retention::run(&data_dir),
            RetentionCommand::Drafts => retention::drafts(&data_dir),
        },
        Command::Batch { command } => match command {
            BatchCommand::List(page) => scan::batch_list(&data_dir, &page),
            BatchCommand::Show { batch, json } => scan::batch_show(&data_dir, &batch, json),
            BatchCommand::Separate {
                batch,
                rules,
                replace_manual,
            } => scan::batch_separate(&data_dir, &batch, rules.as_deref(), replace_manual),
            BatchCommand::Index { batch, doc, values } => {
                station::index(&data_dir, &batch, doc, &values)
            }
            BatchCommand::Qc(a) => station::check(&data_dir, &a),
            BatchCommand::Release {
                batch,
                title,
                index,
            } => station::release(&data_dir, &batch, &title, &index),
            BatchCommand::Suggest { batch, json } => auto::suggest(&data_dir, &batch, json),
            BatchCommand::Autoindex {
                batch,
                boundaries,
                values,
                release,
            } => auto::apply(&data_dir, &batch, boundaries, values, release),
            BatchCommand::Documents { batch, json } => auto::documents(&data_dir, &batch, json),
            BatchCommand::Retry => station::retry(&data_dir),
            BatchCommand::Withdraw { batch } => station::withdraw(&data_dir, &batch),
            BatchCommand::Hold { batch, lift } => retention::hold(&data_dir, &batch, !lift),
        },
        Command::Ocr { command } => match command {
            OcrCommand::Run(a) => station::run(&data_dir, &a),
            OcrCommand::Files(a) => station::files(&a),
        },
        Command::Masterdata { command } => match command {
            MasterdataCommand::Import { file } => station::masterdata_import(&data_dir, &file),
            MasterdataCommand::List => station::masterdata_list(&data_dir),
        },
        Command::Import { files, into, auto } => scan::import(&data_dir, &files, &into, auto),
        Command::Model { command } => match command {
            ModelCommand::Status { json } => auto::model_status(&data_dir, json),
            ModelCommand::Reset => auto::model_reset(&data_dir),
            ModelCommand::Retrain => auto::model_retrain(&data_dir),
            ModelCommand::Examples {
                doctype,
                limit,
                json,
            } => auto::model_examples(&data_dir, doctype.as_deref(), limit, json),
            ModelCommand::Forget { documents } => auto::model_forget(&data_dir, &documents),
        },
        Command::Profiles {
            command: ProfilesCommand::List { json },
        } => scan::profiles(&data_dir, json),
        Command::Profiles {
            command: ProfilesCommand::Save { file },
        } => scan::profile_save(&data_dir, &file),
        Command::Profiles {
            command: ProfilesCommand::Changes,
        } => scan::profile_changes(&data_dir),
        Command::Sync { watch } => sync::run(&data_dir, watch),
        Command::Targets {
            command: TargetsCommand::List { json, check },
        } => sync::targets_list(&data_dir, json, check),
        Command::Targets {
            command: TargetsCommand::Password { id },
        } => sync::targets_password(&data_dir, &id),
        Command::Backup { dest } => key::backup(&data_dir, &dest),
        Command::Compact => retention::compact(&data_dir),
        Command::Key {
            command: KeyCommand::Status,
        } => key::status(&data_dir),
        Command::Key {
            command: KeyCommand::Rotate { passphrase },
        } => key::rotate(&data_dir, passphrase),
        Command::Terminal {
            command: TerminalCommand::Pin,
        } => terminal_pin(),
        Command::Update {
            command: UpdateCommand::Check,
        } => update::run(&data_dir, false),
        Command::Update {
            command: UpdateCommand::Install,
        } => update::run(&data_dir, true),
        Command::Update {
            command: UpdateCommand::Apply { package },
        } => update::apply(&package),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => sync::config_check(&data_dir, file.as_deref()),
        Command::Config {
            command: ConfigCommand::Apply,
        } => sync::config_apply(&data_dir),
        Command::Outbox {
            command: OutboxCommand::List(page),
        } => sync::outbox_list(&data_dir, &page),
        Command::Outbox {
            command: OutboxCommand::Retry { id },
        } => sync::outbox_retry(&data_dir, id),
        Command::Outbox {
            command: OutboxCommand::Redeliver { id, reason },
        } => sync::outbox_redeliver(&data_dir, id, &reason),
        Command::Outbox {
            command: OutboxCommand::Cancel { id, reason },
        } => sync::outbox_cancel(&data_dir, id, &reason),
        Command::Outbox {
            command: OutboxCommand::Move { id, to },
        } => sync::outbox_move(&data_dir, id, &to),
        Command::Submissions {
            command: SubmissionsCommand::List(page),
        } => submissions::list(&data_dir, &page),
        Command::Drafts {
            command: DraftsCommand::List(page),
        } => drafts::list(&data_dir, &page),
    }
}

/// Requests `shutdown` on Ctrl-C (the loops then end after the work in hand). The runtime
/// returned listens; keep it alive while the loop runs.
pub(crate) fn stop_on_ctrl_c(
    shutdown: std::sync::Arc<eingang_api::loops::Shutdown>,
) -> tokio::runtime::Runtime {
    let rt = sync::runtime();
    rt.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("stopping after the work in hand …");
            shutdown.request();
        }
    });
    rt
}
