//! The mailbox intake's use cases (see `eingang_mailbox`): the password into the key store,
//! one fetch, the watch that fetches whenever the server says there is mail (IDLE) or the
//! interval passes, and each mailbox's state for the batch list.

use crate::error::{Error, Result};
use eingang_capture::intake::Event;
use eingang_config::MailboxSection;
use eingang_mailbox::{Account, Connection, MailError, Pass};
use eingang_store::tables::mail;
use eingang_store::Store;
use std::time::Duration;

impl From<MailError> for Error {
    fn from(e: MailError) -> Self {
        match e {
            MailError::Store(e) => Self::Store(e),
            e => Self::refused(e.code(), e.to_string()),
        }
    }
}

/// The configured mailbox, or why there is none.
pub fn account(section: &MailboxSection) -> Result<Account> {
    Account::from_config(section).ok_or_else(|| {
        Error::input(
            "mail.not_configured",
            "no mailbox is configured: set [mailbox] host and user in the configuration (see docs/configuration.md)",
        )
    })
}

/// Sets the authorities signed e-mail is checked against in this process, from `[mailbox]
/// smime_trust` (none set: the operating system's). A file that cannot be read is named,
/// and then no authority is trusted — signatures read „nicht vertrauenswürdig“ rather than
/// being checked against authorities nobody chose.
pub fn configure_smime(section: &MailboxSection) -> Result<()> {
    if section.smime_trust.is_empty() {
        return Ok(());
    }
    match eingang_seal::smime::Trust::from_files(&section.smime_trust) {
        Ok(trust) => {
            eingang_capture::email::set_smime_trust(trust);
            Ok(())
        }
        Err(e) => {
            eingang_capture::email::set_smime_trust(eingang_seal::smime::Trust::default());
            Err(Error::input(
                "config.invalid",
                format!("[mailbox] smime_trust: {e}"),
            ))
        }
    }
}

/// Stores the mailbox's password (the OS key store, else the encrypted store).
pub fn set_password(store: &Store, account: &Account, password: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::input("input.empty", "the password is empty").at("password"));
    }
    eingang_sync::secrets::set_password(store, &account.secret_name(), password)?;
    Ok(())
}

fn password(store: &Store, account: &Account) -> Result<String> {
    eingang_sync::secrets::password(store, &account.secret_name())?.ok_or_else(|| {
        MailError::NoPassword {
            user: account.user.clone(),
        }
        .into()
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Records the mailbox's state; `error` is (code, words).
fn record(
    store: &Store,
    account: &Account,
    state: &str,
    error: Option<(&str, String)>,
    fetched: bool,
) {
    let now = eingang_store::now_ms();
    let (code, detail) = error.map_or((None, None), |(c, d)| (Some(c.to_owned()), Some(d)));
    let status = mail::Status {
        account: account.name.clone(),
        state: state.to_owned(),
        code,
        detail,
        last_fetch: fetched.then_some(now),
        updated_at: now,
    };
    if let Err(e) = store.with_tx(|c| mail::set_status(c, &status)) {
        tracing::warn!(code = e.code(), "the mailbox state could not be recorded");
    }
}

/// One fetch: connects, takes what is new (at most `limit`), says goodbye. The mailbox's
/// state is recorded for the batch list either way.
pub fn fetch_once(
    store: &Store,
    section: &MailboxSection,
    limit: Option<usize>,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Pass> {
    let account = account(section)?;
    let (profile, password) = ready(store, section, &account)?;
    let result = runtime()?.block_on(async {
        let mut conn = Connection::open(&account, &password).await?;
        let stop = std::sync::atomic::AtomicBool::new(false);
        let p = eingang_mailbox::pass(&mut conn, store, &account, &profile, limit, &stop, on_event)
            .await;
        conn.close().await;
        p
    });
    match &result {
        Ok(_) => record(store, &account, "connected", None, true),
        Err(e) => record(
            store,
            &account,
            state_of(e),
            Some((e.code(), e.to_string())),
            false,
        ),
    }
    Ok(result?)
}

/// The profile and the password a fetch needs; what stops the mailbox before any
/// connection is recorded as its state too (the batch list says "no password", not nothing).
fn ready(
    store: &Store,
    section: &MailboxSection,
    account: &Account,
) -> Result<(eingang_capture::profile::ScanProfile, String)> {
    let ready = crate::batches::profile(store, Some(section.profile()))
        .and_then(|p| Ok((p, password(store, account)?)));
    if let Err(e) = &ready {
        record(
            store,
            account,
            "error",
            Some((e.code(), e.to_string())),
            false,
        );
    }
    ready
}

fn state_of(e: &MailError) -> &'static str {
    if e.is_transient() {
        "waiting"
    } else {
        "error"
    }
}

/// Fetches until `shutdown`: a pass, then waits for news (IDLE, or the interval) on the
/// same connection; a broken connection is made again after a pause that grows to five
/// minutes; an error that needs a person (password, certificate, folder) is retried every
/// five minutes. `section` is asked before every connection (the configuration can change;
/// `None` idles). `on_pass` hears every pass's result.
pub fn fetch_forever(
    store: &Store,
    section: &dyn Fn() -> Option<MailboxSection>,
    shutdown: &crate::loops::Shutdown,
    on_event: &(dyn Fn(Event) + Sync),
    on_pass: &dyn Fn(&Account, &Result<Pass>),
) -> Result<()> {
    let rt = runtime()?;
    let mut pause = Duration::from_secs(1);
    while !shutdown.is_requested() {
        let Some(section) = section() else {
            if shutdown.sleep_blocking(Duration::from_secs(5)) {
                break;
            }
            continue;
        };
        let outcome: Result<()> = (|| {
            let account = account(&section)?;
            let (profile, password) = ready(store, &section, &account)?;
            rt.block_on(async {
                let mut conn = match Connection::open(&account, &password).await {
                    Ok(c) => c,
                    Err(e) => {
                        record(
                            store,
                            &account,
                            state_of(&e),
                            Some((e.code(), e.to_string())),
                            false,
                        );
                        return Err(e.into());
                    }
                };
                record(store, &account, "connected", None, false);
                pause = Duration::from_secs(1);
                loop {
                    let p = eingang_mailbox::pass(
                        &mut conn,
                        store,
                        &account,
                        &profile,
                        None,
                        shutdown.flag(),
                        on_event,
                    )
                    .await
                    .map_err(Error::from);
                    match &p {
                        Ok(_) => record(store, &account, "connected", None, true),
                        Err(e) => {
                            let state = if eingang_mailbox::is_transient_code(e.code()) {
                                "waiting"
                            } else {
                                "error"
                            };
                            record(
                                store,
                                &account,
                                state,
                                Some((e.code(), e.to_string())),
                                false,
                            );
                        }
                    }
                    on_pass(&account, &p);
                    p?;
                    if shutdown.is_requested() {
                        conn.close().await;
                        return Ok(());
                    }
                    conn = match conn.wait(account.interval, shutdown.flag()).await {
                        Some(c) => c,
                        None => return Ok(()),
                    };
                }
            })
        })();
        if let Err(e) = outcome {
            tracing::warn!(code = e.code(), "the mailbox cannot be read now");
            let wait = if eingang_mailbox::is_transient_code(e.code()) {
                pause
            } else {
                Duration::from_secs(300)
            };
            pause = (pause * 2).min(Duration::from_secs(300));
            if shutdown.sleep_blocking(wait) {
                break;
            }
        }
    }
    Ok(())
}

/// A mailbox's state as the last fetch left it, with its messages by state.
pub type MailboxState = (mail::Status, Vec<(String, i64)>);

/// Every mailbox's state.
pub fn status(store: &Store) -> Result<Vec<MailboxState>> {
    Ok(store.with_conn(|c| {
        mail::statuses(c)?
            .into_iter()
            .map(|s| {
                let counts = mail::counts(c, &s.account)?;
                Ok((s, counts))
            })
            .collect()
    })?)
}

/// Every mailbox as the batch list shows it.
pub fn views(store: &Store) -> Result<Vec<eingang_model::MailboxView>> {
    Ok(status(store)?
        .into_iter()
        .map(|(s, counts)| {
            let count = |state: &str| {
                counts
                    .iter()
                    .find(|(k, _)| k == state)
                    .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX))
            };
            eingang_model::MailboxView {
                imported: count("imported") + count("received"),
                refused: count("refused"),
                duplicates: count("duplicate"),
                account: s.account,
                state: s.state,
                code: s.code,
                last_fetch: s.last_fetch,
            }
        })
        .collect())
}
