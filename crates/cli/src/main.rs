//! `eingang`: the command line over the same crates and the same database as the app.

mod assemble;
mod doctor;
mod drafts;
mod forms;
mod submissions;
mod sync;

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
    /// Put scanned files (JPEG, PNG, TIFF) into one PDF/A-2b; JPEG pages stay byte-identical.
    Assemble {
        /// The files, in page order (multi-page TIFFs give all their pages).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The PDF to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The document title (default: the output file's name).
        #[arg(long)]
        title: Option<String>,
    },
    /// The scanners SANE sees.
    Scanners,
    /// Scan a batch from a SANE scanner into one PDF/A-2b.
    Scan {
        /// The device (`eingang scanners` lists them), e.g. `fujitsu:fi-7160:1234`.
        #[arg(long)]
        device: String,
        /// `Flatbed`, `Automatic Document Feeder`, `ADF Duplex`, … as the device names it.
        #[arg(long)]
        source: Option<String>,
        /// `Gray`, `Color`, `Lineart`.
        #[arg(long)]
        mode: Option<String>,
        #[arg(long, default_value_t = 300)]
        resolution: u32,
        /// Stop after this many pages.
        #[arg(long)]
        pages: Option<u32>,
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long)]
        title: Option<String>,
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
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// List what waits or failed (with the reason) and the latest deliveries (with receipts).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Deliver a failed or paused item again on the next run.
    Retry { id: i64 },
}

#[derive(Debug, Subcommand)]
enum SubmissionsCommand {
    /// List every submission, newest first.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum DraftsCommand {
    /// List all drafts, most recently changed first.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data_dir = match eingang_store::paths::resolve_data_dir(cli.data_dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::from(2);
        }
    };
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
        Command::Assemble {
            files,
            output,
            title,
        } => assemble::run(&files, &output, title.as_deref()),
        Command::Scanners => assemble::scanners(),
        Command::Scan {
            device,
            source,
            mode,
            resolution,
            pages,
            output,
            title,
        } => assemble::scan(
            &device,
            &eingang_capture::sane::ScanSettings {
                source,
                mode,
                resolution,
                max_pages: pages,
            },
            &output,
            title.as_deref(),
        ),
        Command::Sync { watch } => sync::run(&data_dir, watch),
        Command::Targets {
            command: TargetsCommand::List { json, check },
        } => sync::targets_list(&data_dir, json, check),
        Command::Targets {
            command: TargetsCommand::Password { id },
        } => sync::targets_password(&data_dir, &id),
        Command::Config {
            command: ConfigCommand::Check { file },
        } => sync::config_check(&data_dir, file.as_deref()),
        Command::Outbox {
            command: OutboxCommand::List { json },
        } => sync::outbox_list(&data_dir, json),
        Command::Outbox {
            command: OutboxCommand::Retry { id },
        } => sync::outbox_retry(&data_dir, id),
        Command::Submissions {
            command: SubmissionsCommand::List { json },
        } => submissions::list(&data_dir, json),
        Command::Drafts {
            command: DraftsCommand::List { json },
        } => drafts::list(&data_dir, json),
    }
}
