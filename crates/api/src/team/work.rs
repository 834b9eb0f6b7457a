//! The shared work, from a station's side. A station keeps working in its own store — the
//! capture station scans into it, a desk indexes and checks in it with the tools it always
//! had — and the team store carries the batches between them:
//!
//! - [`hand_over`] (capture): the batch, its pages, their log and images go up; each of its
//!   documents waits to be indexed. When the server is away the hand-over waits in this
//!   store and [`upload_due`] (the app's team loop, `eingang team upload`) sends it when it
//!   is back — repeated uploads change nothing on the server, so it arrives once.
//! - [`take`] (index, check, release): the oldest open work of the step is claimed and its
//!   batch brought into this store as the team has it.
//! - [`done`]: what this desk changed goes back over the versions it read, its verdicts
//!   with it, the work is marked done and the next step's work queued — one transaction,
//!   refused whole when the claim ran out or a page changed meanwhile.

use crate::error::{Error, Result};
use crate::team::connect;
use eingang_capture::pages::segments;
use eingang_config::Config;
use eingang_model::{
    BatchId, OutboxState, PageId, TeamBatchView, TeamDesk, TeamTaken, TeamView, TeamWaiting,
};
use eingang_store::tables::mirror::{self, Table};
use eingang_store::tables::{audit, batches, blobs, outbox, pages, team as local};
use eingang_store::Store;
use eingang_team::{BatchRows, Row, Save, Step, Team, TeamError, Who};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// This station and the person signed in at it.
fn who(cfg: &Config) -> Who {
    Who {
        station: eingang_capture::transfer::station_name(cfg.station.name.as_deref()),
        person: audit::actor(),
    }
}

/// Refused unless this station has `role` in the team.
fn require(cfg: &Config, role: &str) -> Result<()> {
    crate::team::settings(&cfg.team)?;
    if cfg.team.has_role(role) {
        return Ok(());
    }
    Err(Error::refused(
        "team.no_role",
        format!(
            "this station does not have the team role {role} (it has: {}) — IT sets [team] roles in the machine configuration",
            if cfg.team.roles.is_empty() { "none".to_owned() } else { cfg.team.roles.join(", ") }
        ),
    ))
}

fn role_of(step: Step) -> &'static str {
    step.as_str()
}

/// A batch's rows from this store, as the team store takes them.
fn export(store: &Store, batch: &BatchId) -> Result<BatchRows> {
    Ok(store.with_conn(|c| {
        let batch_row = mirror::export(c, Table::Batches, batch)?
            .into_iter()
            .next()
            .ok_or_else(|| eingang_store::Error::NotFound {
                what: "batch",
                id: batch.to_string(),
            })?;
        let keyed = |t: Table, rows: Vec<Row>| -> Vec<(String, Row)> {
            rows.into_iter().map(|r| (mirror::key(t, &r), r)).collect()
        };
        Ok(BatchRows {
            batch: batch_row,
            pages: mirror::export(c, Table::Pages, batch)?,
            log: keyed(Table::PageLog, mirror::export(c, Table::PageLog, batch)?),
            verdicts: keyed(
                Table::QcVerdicts,
                mirror::export(c, Table::QcVerdicts, batch)?,
            ),
        })
    })?)
}

/// Sends the blobs (page images, PDFs) among `wanted` the server does not have yet.
fn send_blobs(store: &Store, team: &mut Team, wanted: &[String]) -> Result<usize> {
    let missing = team.missing_blobs(wanted)?;
    for hash in &missing {
        let bytes = store.blobs().get(hash)?;
        team.put_blob(&bytes)?;
    }
    Ok(missing.len())
}

/// The documents of a batch by their first page, in order.
fn documents(store: &Store, batch: &BatchId) -> Result<Vec<PageId>> {
    let rows = store.with_conn(|c| pages::pages(c, batch))?;
    Ok(segments(&rows).iter().map(|d| d[0].id).collect())
}

/// What an upload round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Batches whose rows went up, and of them handed over.
    pub sent: usize,
    pub handed: usize,
    pub blobs: usize,
    /// Batches still waiting for the server (with why, in words).
    pub waiting: Vec<(BatchId, String)>,
}

/// Hands a scanned batch over to the team (capture). Returns the round's report: when the
/// server is away the batch waits here and `waiting` says so.
pub fn hand_over(store: &Store, cfg: &Config, batch: &BatchId) -> Result<UploadReport> {
    require(cfg, "capture")?;
    let row = store.with_conn(|c| batches::batch(c, batch))?;
    if row.released_at.is_some() {
        return Err(eingang_store::Error::BatchReleased.into());
    }
    store.with_tx(|c| local::mark(c, batch, true))?;
    upload_due(store, cfg)
}

/// Sends every batch waiting to go up (each once: the server takes a repeat without a
/// change). A server that cannot be reached is no error here: the batches wait.
pub fn upload_due(store: &Store, cfg: &Config) -> Result<UploadReport> {
    let mut report = UploadReport::default();
    let due = store.with_conn(local::due)?;
    if due.is_empty() {
        return Ok(report);
    }
    let waiting = |report: &mut UploadReport, e: &Error| -> Result<()> {
        for u in &due {
            store.with_tx(|c| local::failed(c, &u.batch_id, e.code(), &e.to_string()))?;
            report.waiting.push((u.batch_id, e.to_string()));
        }
        Ok(())
    };
    let mut team = match connect(store, &cfg.team) {
        Ok(t) => t,
        Err(e) if transient(&e) => {
            waiting(&mut report, &e)?;
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    let who = who(cfg);
    // One batch that cannot go up does not hold back the others; the first such error is
    // returned after the round.
    let mut refused: Option<Error> = None;
    for u in &due {
        let rows = export(store, &u.batch_id)?;
        let docs: Vec<String> = documents(store, &u.batch_id)?
            .iter()
            .map(ToString::to_string)
            .collect();
        let hand_over = (u.hand_over && u.handed_at.is_none()).then_some(docs.as_slice());
        let sent = send_blobs(store, &mut team, &mirror::page_blobs(&rows.pages))
            .and_then(|n| Ok((n, team.upload(&who, &rows, hand_over)?)));
        match sent {
            Ok((blobs, _)) => {
                store.with_tx(|c| local::uploaded(c, &u.batch_id, hand_over.is_some()))?;
                report.sent += 1;
                report.blobs += blobs;
                report.handed += usize::from(hand_over.is_some());
            }
            // Handed over already (before, or the answer was lost): it is the team's now and
            // changes only through the queue.
            Err(Error::Refused { code, .. }) if code == "team.handed_over" && u.hand_over => {
                store.with_tx(|c| local::uploaded(c, &u.batch_id, true))?;
                if u.handed_at.is_none() {
                    report.sent += 1;
                    report.handed += 1;
                }
            }
            Err(e) if transient(&e) => {
                store.with_tx(|c| local::failed(c, &u.batch_id, e.code(), &e.to_string()))?;
                report.waiting.push((u.batch_id, e.to_string()));
            }
            Err(e) => {
                store.with_tx(|c| local::failed(c, &u.batch_id, e.code(), &e.to_string()))?;
                refused.get_or_insert(e);
            }
        }
    }
    match refused {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Whether this station releases `batch` for the team (it holds the batch's release
/// work): its documents are then delivered by a station with the deliver role, through the
/// team store, not from this station's outbox.
pub(crate) fn released_for_team(store: &Store, batch: &BatchId) -> Result<bool> {
    let claims = store.with_conn(local::claims)?;
    Ok(claims
        .iter()
        .any(|c| c.step == Step::Release.as_str() && c.batch_id == *batch))
}

/// Whether an error goes away by itself (the server or the network is back).
fn transient(e: &Error) -> bool {
    e.code() == "team.unreachable"
}

/// Claims the oldest open work of `step` and brings its batch into this store; `None`
/// when nothing waits. Needs the server (the index, check and release roles say so). A
/// document to deliver is queued here for `targets` (this station's delivery targets).
pub fn take(
    store: &Store,
    cfg: &Config,
    step: &str,
    targets: &[String],
) -> Result<Option<TeamTaken>> {
    let step = Step::parse(step).ok_or_else(|| {
        Error::input(
            "input.step",
            "the step is one of index, check, release, deliver",
        )
        .at("step")
    })?;
    require(cfg, role_of(step))?;
    if step == Step::Deliver && targets.is_empty() {
        return Err(Error::refused(
            "team.no_target",
            "this station has no delivery target to deliver the team's documents to — IT sets [[target]] in the machine configuration",
        ));
    }
    let who = who(cfg);
    let mut team = connect(store, &cfg.team)?;
    let Some(claim) = team.claim_next(step, &who, cfg.team.claim_ttl())? else {
        return Ok(None);
    };
    let brought = bring(store, &mut team, &claim.batch);
    let read = match brought {
        Ok(read) => read,
        Err(e) => {
            // Not here, so not ours: the next desk takes it.
            let _ = team.release(&claim, &who);
            return Err(e);
        }
    };
    let batch: BatchId = claim.batch.parse().map_err(|_| bad_id(&claim.batch))?;
    store.with_tx(|c| {
        if step == Step::Deliver {
            // The document goes out from here; the claim is finished once it is delivered.
            for target in targets {
                outbox::enqueue(c, "document", &claim.item, target, eingang_store::now_ms())?;
            }
        }
        local::hold(
            c,
            &local::HeldClaim {
                claim_id: claim.id,
                step: step.as_str().into(),
                item: claim.item.clone(),
                batch_id: batch,
                read_json: read.to_string(),
            },
        )
    })?;
    Ok(Some(taken(store, claim.id, step, &batch, claim.item)?))
}

/// Taken work as the front ends show it: for a document, its number in the batch.
fn taken(
    store: &Store,
    claim: i64,
    step: Step,
    batch: &BatchId,
    item: String,
) -> Result<TeamTaken> {
    let document = match step {
        Step::Index | Step::Check => documents(store, batch)?
            .iter()
            .position(|p| p.to_string() == item)
            .and_then(|i| u32::try_from(i + 1).ok()),
        _ => None,
    };
    Ok(TeamTaken {
        claim,
        step: step.as_str().into(),
        batch: batch.to_string(),
        item,
        document,
    })
}

fn bad_id(id: &str) -> Error {
    Error::refused(
        "team.database",
        format!("the team store names a batch {id:?} that is no batch id"),
    )
}

/// The SHA-256 of a row as it travels (to tell what a desk changed).
fn digest(row: &Row) -> String {
    hex::encode(Sha256::digest(Value::Object(row.clone()).to_string()))
}

/// Brings a batch from the team store into this one: missing images (and the PDF/A of its
/// released documents), then every row in one transaction — a batch released here already
/// is frozen, so only its documents are new to it. Returns what was read: each page's
/// version and digest.
fn bring(store: &Store, team: &mut Team, batch: &str) -> Result<Value> {
    let down = team.download(batch)?;
    let mut wanted = mirror::page_blobs(&down.rows.pages);
    wanted.extend(mirror::document_blobs(&down.documents));
    for hash in wanted {
        if store.blobs().contains(&hash)? {
            continue;
        }
        let bytes = team.blob(&hash)?;
        let r = store.blobs().put(&bytes)?;
        store.with_tx(|c| blobs::insert(c, &r))?;
    }
    let id: BatchId = batch.parse().map_err(|_| bad_id(batch))?;
    let log: Vec<Row> = down.rows.log.iter().map(|(_, r)| r.clone()).collect();
    let verdicts: Vec<Row> = down.rows.verdicts.iter().map(|(_, r)| r.clone()).collect();
    store.with_tx(|c| {
        let released_here = batches::batch(c, &id).is_ok_and(|b| b.released_at.is_some());
        if !released_here {
            // Its pages go in while it is open here; then the batch as the team has it.
            let mut open = down.rows.batch.clone();
            open.insert("released_at".into(), Value::Null);
            mirror::import(c, Table::Batches, &[open])?;
            mirror::import(c, Table::Pages, &down.rows.pages)?;
            mirror::import(c, Table::PageLog, &log)?;
            mirror::import(c, Table::QcVerdicts, &verdicts)?;
            mirror::import(c, Table::Batches, std::slice::from_ref(&down.rows.batch))?;
        }
        mirror::import(c, Table::Documents, &down.documents)?;
        Ok(())
    })?;
    let pages: serde_json::Map<String, Value> = down
        .rows
        .pages
        .iter()
        .filter_map(|p| {
            let id = p.get("id")?.as_str()?.to_owned();
            let version = down.versions.get(&id).copied().unwrap_or(0);
            Some((id, json!({"version": version, "digest": digest(p)})))
        })
        .collect();
    Ok(json!({"pages": pages, "batch": digest(&down.rows.batch)}))
}

/// What finishing a piece of work did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub step: &'static str,
    pub batch: BatchId,
    pub pages: usize,
    pub verdicts: usize,
    /// The documents a release sent up to be delivered.
    pub documents: usize,
    /// The work it put into the queue: (step, item).
    pub next: Vec<(&'static str, String)>,
}

/// After a save: the other work this station holds on the batch read its pages before it,
/// and builds on the saved versions now (a desk holding two documents of one batch).
fn settled(
    conn: &eingang_store::Connection,
    batch: &BatchId,
    saved: &[(Row, i64)],
) -> eingang_store::Result<()> {
    for mut other in local::claims(conn)? {
        if other.batch_id != *batch {
            continue;
        }
        let mut read: Value = serde_json::from_str(&other.read_json).unwrap_or(Value::Null);
        for (page, version) in saved {
            if let Some(id) = page.get("id").and_then(Value::as_str) {
                read["pages"][id] = json!({"version": version + 1, "digest": digest(page)});
            }
        }
        other.read_json = read.to_string();
        local::hold(conn, &other)?;
    }
    Ok(())
}

/// What this desk changed since it read the batch (`read`): the pages, their log, the
/// verdicts on its item (the release: all; a delivery: nothing of the batch).
fn changes(step: Step, rows: &BatchRows, read: &Value, item: &str, save: &mut Save) {
    // Delivering changes nothing of the batch: only where the document went is told.
    let pages = if step == Step::Deliver {
        &[][..]
    } else {
        &rows.pages[..]
    };
    for page in pages {
        let id = page.get("id").and_then(Value::as_str).unwrap_or_default();
        let was = &read["pages"][id];
        if was["digest"].as_str() != Some(digest(page).as_str()) {
            save.pages
                .push((page.clone(), was["version"].as_i64().unwrap_or(0)));
        }
    }
    // The log of the pages it changed, and the verdicts on its item (the release: all).
    let changed: Vec<&Value> = save.pages.iter().filter_map(|(p, _)| p.get("id")).collect();
    save.log = rows
        .log
        .iter()
        .filter(|(_, r)| r.get("page_id").is_some_and(|p| changed.contains(&p)))
        .cloned()
        .collect();
    save.verdicts = rows
        .verdicts
        .iter()
        .filter(|(_, r)| {
            step == Step::Release
                || (step != Step::Deliver
                    && r.get("first_page").and_then(Value::as_str) == Some(item))
        })
        .cloned()
        .collect();
}

/// Sends what this desk did with the work `claim` back to the team and marks it done.
pub fn done(store: &Store, cfg: &Config, claim: i64) -> Result<Done> {
    let held = store.with_conn(|c| local::held(c, claim))?.ok_or_else(|| {
        Error::from(TeamError::NotHeld {
            item: format!("#{claim}"),
        })
    })?;
    let step = Step::parse(&held.step).unwrap_or(Step::Index);
    let who = who(cfg);
    let mut team = connect(store, &cfg.team)?;
    let c = team.held(claim, &who)?;
    let read: Value = serde_json::from_str(&held.read_json).unwrap_or(Value::Null);
    let rows = export(store, &held.batch_id)?;
    let mut save = Save {
        action: match step {
            Step::Index => "indexed",
            Step::Check => "checked",
            Step::Release => "released",
            Step::Deliver => "delivered",
        },
        ..Save::default()
    };
    changes(step, &rows, &read, &c.item, &mut save);
    match step {
        Step::Index => {
            let first: PageId = c.item.parse().map_err(|_| bad_id(&c.item))?;
            let qc = eingang_capture::qc::state(store, &held.batch_id)?;
            if qc
                .documents
                .iter()
                .any(|d| d.first_page == first && d.required && d.verdict.is_none())
            {
                save.next.push((Step::Check, c.item.clone()));
            }
            save.release_when_done = true;
        }
        Step::Check => {
            let first: PageId = c.item.parse().map_err(|_| bad_id(&c.item))?;
            let qc = eingang_capture::qc::state(store, &held.batch_id)?;
            let judged = qc
                .documents
                .iter()
                .any(|d| d.first_page == first && d.verdict.is_some());
            if !judged {
                return Err(Error::refused(
                    "team.no_verdict",
                    "the document has no verdict yet: pass it or fail it with a reason, then finish the work",
                ));
            }
            save.release_when_done = true;
        }
        Step::Release => {
            let b = store.with_conn(|c| batches::batch(c, &held.batch_id))?;
            if b.released_at.is_none() {
                return Err(Error::refused(
                    "team.not_released",
                    "the batch is not released yet: release it here, then finish the work",
                ));
            }
            save.batch = Some(rows.batch.clone());
            // Its documents (made here without a delivery: the team's deliver station
            // delivers them) go up with their PDF/A and Transfervermerk.
            let documents =
                store.with_conn(|c| mirror::export(c, Table::Documents, &held.batch_id))?;
            send_blobs(store, &mut team, &mirror::document_blobs(&documents))?;
            save.documents = documents;
        }
        Step::Deliver => save.receipts = receipts(store, &c.item)?,
    }
    team.save(&c, &who, &save)?;
    store.with_tx(|conn| {
        local::let_go(conn, claim)?;
        settled(conn, &held.batch_id, &save.pages)
    })?;
    Ok(Done {
        step: step.as_str(),
        batch: held.batch_id,
        pages: save.pages.len(),
        verdicts: save.verdicts.len(),
        documents: save.documents.len(),
        next: save
            .next
            .iter()
            .map(|(s, i)| (s.as_str(), i.clone()))
            .collect(),
    })
}

/// Where a delivered document went, for the team's event log: each target's receipt.
fn receipts(store: &Store, document: &str) -> Result<Vec<Value>> {
    let rows = store.with_conn(|c| outbox::of_item(c, "document", document))?;
    if rows.is_empty() || rows.iter().any(|r| r.state != OutboxState::Delivered) {
        return Err(Error::refused(
            "team.not_delivered",
            "the document is not delivered yet: it waits in this station's outbox (see Sync)",
        ));
    }
    Ok(rows
        .iter()
        .filter_map(|r| {
            let receipt = r.receipt.as_ref()?;
            Some(json!({
                "target": r.target,
                "location": receipt.location,
                "sha256": receipt.sha256,
            }))
        })
        .collect())
}

/// Holds this station's work for another `claim_secs` while the desk works on it (the team
/// loop calls it every third of that); work whose claim ran out meanwhile (the station was
/// away, another desk took it) is dropped here. Returns how many were dropped.
pub fn renew_held(store: &Store, cfg: &Config) -> Result<usize> {
    let held = store.with_conn(local::claims)?;
    if held.is_empty() {
        return Ok(0);
    }
    let who = who(cfg);
    let mut team = connect(store, &cfg.team)?;
    let mut lost = 0;
    for h in held {
        let kept = match team.held(h.claim_id, &who) {
            Ok(mut c) => team.renew(&mut c, &who, cfg.team.claim_ttl())?,
            Err(TeamError::NotHeld { .. }) => false,
            Err(e) => return Err(e.into()),
        };
        if !kept {
            store.with_tx(|c| lose(c, &h))?;
            lost += 1;
        }
    }
    Ok(lost)
}

/// Drops a claim this station lost: a document it was to deliver leaves its outbox too
/// (the station that took the work over delivers it).
pub(crate) fn lose(
    c: &eingang_store::Connection,
    h: &local::HeldClaim,
) -> eingang_store::Result<()> {
    if h.step == Step::Deliver.as_str() {
        outbox::hand_back(c, "document", &h.item)?;
    }
    local::let_go(c, h.claim_id)
}

/// Gives work back before finishing it: another desk can take it now.
pub fn let_go(store: &Store, cfg: &Config, claim: i64) -> Result<()> {
    let who = who(cfg);
    let mut team = connect(store, &cfg.team)?;
    if let Ok(c) = team.held(claim, &who) {
        team.release(&c, &who)?;
    }
    if let Some(h) = store.with_conn(|c| local::held(c, claim))? {
        store.with_tx(|conn| lose(conn, &h))?;
    }
    Ok(())
}

/// The office's day as the team store has it now.
pub fn day(store: &Store, cfg: &Config) -> Result<eingang_team::Day> {
    let mut team = connect(store, &cfg.team)?;
    Ok(team.day()?)
}

/// The team as the Scanstelle shows it; `None` when this station is not part of one. A
/// server that cannot be reached is a state here, not an error: the station's own part
/// (the work it holds, what waits to go up) shows all the same.
pub fn view(store: &Store, cfg: &Config) -> Result<Option<TeamView>> {
    let Ok(settings) = crate::team::settings(&cfg.team) else {
        return Ok(None);
    };
    let (uploads, claims) = store.with_conn(|c| Ok((local::all(c)?, local::claims(c)?)))?;
    let mut held = Vec::new();
    for c in claims {
        let step = Step::parse(&c.step).unwrap_or(Step::Index);
        held.push(taken(store, c.claim_id, step, &c.batch_id, c.item)?);
    }
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let mut v = TeamView {
        server: settings.name(),
        station: who(cfg).station,
        roles: cfg.team.roles.clone(),
        state: "connected".into(),
        code: None,
        pages_today: 0,
        waiting: Vec::new(),
        desks: Vec::new(),
        today: Vec::new(),
        held,
        handed: uploads
            .iter()
            .filter(|u| u.hand_over)
            .map(|u| u.batch_id.to_string())
            .collect(),
        uploads_waiting: u32::try_from(
            uploads
                .iter()
                .filter(|u| u.hand_over && u.handed_at.is_none())
                .count(),
        )
        .unwrap_or(u32::MAX),
    };
    match day(store, cfg) {
        Ok(d) => {
            v.pages_today = count(d.pages_today);
            v.waiting = d
                .waiting
                .iter()
                .map(|(s, open, held)| TeamWaiting {
                    step: s.as_str().into(),
                    open: count(*open),
                    held: count(*held),
                })
                .collect();
            v.today = d
                .today
                .into_iter()
                .map(|b| TeamBatchView {
                    id: b.id,
                    name: b.name,
                    station: b.station,
                    state: b.state,
                    pages: count(b.pages),
                    open: count(b.open),
                })
                .collect();
            v.desks = d
                .desks
                .into_iter()
                .map(|k| TeamDesk {
                    station: k.station,
                    person: k.person,
                    step: k.step.as_str().into(),
                    batch: k.batch,
                })
                .collect();
        }
        Err(e) => {
            v.state = if transient(&e) {
                "unreachable"
            } else {
                "error"
            }
            .into();
            v.code = Some(e.code().to_owned());
        }
    }
    Ok(Some(v))
}
