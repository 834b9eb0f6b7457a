//! `eingang team` against a real PostgreSQL (Debian's, on loopback, TLS): `[team]` in the
//! machine file (a user's file may not set it), the password into the key store, `team
//! check` connects, migrates and shows the queue; a wrong password and a missing one are
//! named; `config check` names a bad key; `doctor` says whether the server answers.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod run;
use run::{eingang, eingang_with, text};

use eingang_team::testing::Postgres;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn team_check_connects_migrates_and_names_what_is_wrong() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let data = tempfile::tempdir().unwrap();
    let team = format!(
        "[team]\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"{}\"\nuser = \"{}\"\nca_bundle = \"{}\"\nroles = [\"index\", \"check\"]\n",
        settings.port,
        settings.dbname,
        settings.user,
        server.ca().display()
    );
    // Not from the user's file: the machine decides what a station does.
    std::fs::write(data.path().join("config.toml"), &team).unwrap();
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.not_configured"), "{}", text(&out));
    std::fs::remove_file(data.path().join("config.toml")).unwrap();
    std::fs::write(data.path().join("machine.toml"), &team).unwrap();

    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.no_password"), "{}", text(&out));
    let out = eingang(data.path(), &["team", "password"], Some("falsch\n"));
    assert!(out.status.success(), "{}", text(&out));
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.login"), "{}", text(&out));

    let out = eingang(
        data.path(),
        &["team", "password"],
        Some(&format!("{password}\n")),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(&format!(
            "connected (TLS), schema {v} (this station knows {v})",
            v = eingang_team::KNOWN_VERSION
        )) && said.contains("roles: index, check")
            && said.contains("index: 0 open"),
        "{said}"
    );
    let doctor = text(&eingang(data.path(), &["doctor"], None));
    assert!(
        doctor.contains("the server answers") && doctor.contains("roles: index, check"),
        "{doctor}"
    );
    let out = eingang(data.path(), &["team", "check", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], eingang_team::KNOWN_VERSION);
    assert_eq!(v["queue"][0]["step"], "index");

    std::fs::write(
        data.path().join("machine.toml"),
        team.replace("roles = [\"index\", \"check\"]", "roles = [\"chef\"]"),
    )
    .unwrap();
    let out = eingang(data.path(), &["config", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("[team] roles"), "{}", text(&out));
}

/// A station of the team: its own data folder and machine file, run as its own process.
struct Station {
    data: tempfile::TempDir,
    /// libfaketime's offset for this station's clock (`+1h`), if it is off.
    clock: Option<&'static str>,
}

impl Station {
    fn new(name: &str, team: &str, roles: &[&str]) -> Station {
        Station::with(name, team, roles, "")
    }

    /// A station whose machine file says more after `[team]` (its targets).
    fn with(name: &str, team: &str, roles: &[&str], more: &str) -> Station {
        let data = tempfile::tempdir().unwrap();
        let roles: Vec<String> = roles.iter().map(|r| format!("\"{r}\"")).collect();
        std::fs::write(
            data.path().join("machine.toml"),
            format!(
                "[station]\nname = \"{name}\"\n\n{team}roles = [{}]\n{more}",
                roles.join(", ")
            ),
        )
        .unwrap();
        Station { data, clock: None }
    }

    /// `eingang --user PERSON ARGS…` at this station; (success, output).
    fn run(&self, person: &str, args: &[&str], input: Option<&str>) -> (bool, String) {
        let mut all = vec!["--user", person];
        all.extend_from_slice(args);
        let env: Vec<(&str, &str)> = self.clock.map_or_else(Vec::new, |offset| {
            vec![
                ("LD_PRELOAD", FAKETIME),
                ("FAKETIME", offset),
                ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
            ]
        });
        let out = eingang_with(self.data.path(), &all, input, &env);
        (out.status.success(), text(&out))
    }

    fn ok(&self, person: &str, args: &[&str]) -> String {
        let (ok, said) = self.run(person, args, None);
        assert!(ok, "{args:?}: {said}");
        said
    }

    fn json(&self, person: &str, args: &[&str]) -> serde_json::Value {
        let said = self.ok(person, args);
        serde_json::from_str(said.trim()).unwrap_or_else(|e| panic!("{args:?}: {e}: {said}"))
    }
}

/// Debian's libfaketime (package `faketime`): a process's clock moved by an offset.
const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

fn team_section(settings: &eingang_team::Settings, port: u16, ca: &Path) -> String {
    format!(
        "[team]\nhost = \"127.0.0.1\"\nport = {port}\ndatabase = \"{}\"\nuser = \"{}\"\nca_bundle = \"{}\"\n",
        settings.dbname,
        settings.user,
        ca.display()
    )
}

/// Station A scans four pages from SANE's test scanner into two documents (while the
/// server is away, `team` names a port nobody listens on) and hands the batch over: it waits
/// at the station. Returns the batch.
fn scan_and_hand_over(scan: &Station, online: &str) -> String {
    let conf = tempfile::tempdir().unwrap();
    std::fs::write(conf.path().join("dll.conf"), "test\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(scan.data.path())
        .args(["--user", "anna", "scan", "batch", "--device", "test:0"])
        .args([
            "--source",
            "Automatic Document Feeder",
            "--resolution",
            "100",
        ])
        .args(["--pages", "4", "--profile", "text-sw"])
        .env("SANE_CONFIG_DIR", conf.path())
        .env(
            "EINGANG_MACHINE_CONFIG",
            scan.data.path().join("machine.toml"),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let batch = text(&o)
        .lines()
        .find_map(|l| l.strip_prefix("batch ")?.split(':').next())
        .unwrap()
        .to_owned();
    let rules = scan.data.path().join("rules.json");
    std::fs::write(&rules, r#"{"every_n_pages": 2}"#).unwrap();
    let rules = rules.to_str().unwrap();
    scan.ok("anna", &["batch", "separate", &batch, "--rules", rules]);
    // Read at the scanning station, so the desks can take words from the pages.
    scan.ok("anna", &["ocr", "run", "--batch", &batch]);
    let r = scan.json("anna", &["team", "hand-over", &batch, "--json"]);
    assert_eq!(r["handed"], 0, "{r}");
    assert_eq!(r["waiting"][0]["batch"], batch.as_str(), "it waits: {r}");
    // The server is back: what waited goes up, once.
    std::fs::write(
        scan.data.path().join("machine.toml"),
        format!("[station]\nname = \"scan-1\"\n\n{online}roles = [\"capture\"]\n"),
    )
    .unwrap();
    batch
}

/// A batch of two documents scanned at station A while the server was away, then sent
/// up and handed over: the team section of the machine file, the password line, the batch.
fn handed_over() -> (String, String, String) {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let online = team_section(&settings, settings.port, &server.ca());
    let pw = format!("{password}\n");
    let away = team_section(&settings, eingang_seal::testing::free_port(), &server.ca());
    let scan = Station::new("scan-1", &away, &["capture"]);
    scan.run("anna", &["team", "password"], Some(&pw));
    let batch = scan_and_hand_over(&scan, &online);
    scan.run("anna", &["team", "password"], Some(&pw));
    scan.ok("anna", &["team", "upload"]);
    (online, pw, batch)
}

/// Desk B indexes both documents, each under its claim; a finished claim cannot be
/// finished again.
fn index_both(index: &Station, batch: &str) {
    for n in 1..=2 {
        let t = index.json("bert", &["team", "take", "index", "--json"]);
        assert_eq!(t["batch"], batch);
        assert_eq!(t["document"], n, "{t}");
        let claim = t["claim"].to_string();
        let (doc, subject) = (n.to_string(), format!("betreff=Antrag {n}"));
        let values = ["dokumentart=Antrag", subject.as_str()];
        let mut args = vec!["batch", "index", batch, "--doc", &doc];
        args.extend(values);
        index.ok("bert", &args);
        let d = index.json("bert", &["team", "done", &claim, "--json"]);
        assert_eq!(d["step"], "index");
        assert!(
            d["pages"].as_i64().unwrap() >= 1,
            "the index went back: {d}"
        );
        let (ok, said) = index.run("bert", &["team", "done", &claim], None);
        assert!(!ok && said.contains("team.not_held"), "{said}");
    }
    assert!(index
        .json("bert", &["team", "take", "index", "--json"])
        .is_null());
}

/// Desk C checks what was drawn: anna, who scanned, is refused; carla passes them.
fn check_drawn(check: &Station, batch: &str) {
    let t = check.json("anna", &["team", "take", "check", "--json"]);
    let n = t["document"].to_string();
    let (ok, said) = check.run("anna", &["batch", "qc", batch, "--pass", &n], None);
    assert!(!ok && said.contains("four-eyes"), "{said}");
    check.ok("anna", &["team", "let-go", &t["claim"].to_string()]);
    let mut checked = 0;
    loop {
        let t = check.json("carla", &["team", "take", "check", "--json"]);
        if t.is_null() {
            break;
        }
        let claim = t["claim"].to_string();
        // Without a verdict the work is not done.
        let (ok, said) = check.run("carla", &["team", "done", &claim], None);
        assert!(!ok && said.contains("team.no_verdict"), "{said}");
        let n = t["document"].to_string();
        check.ok("carla", &["batch", "qc", batch, "--pass", &n]);
        let d = check.json("carla", &["team", "done", &claim, "--json"]);
        assert_eq!(d["verdicts"], 1, "{d}");
        checked += 1;
    }
    assert!(checked >= 1, "at least one document is drawn for the check");
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, Iterator::count)
}

#[test]
fn a_batch_scanned_at_one_station_is_indexed_checked_and_released_at_others() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let online = team_section(&settings, settings.port, &server.ca());
    let pw = format!("{password}\n");
    let away = team_section(&settings, eingang_seal::testing::free_port(), &server.ca());
    let scan = Station::new("scan-1", &away, &["capture"]);
    scan.run("anna", &["team", "password"], Some(&pw));
    let batch = scan_and_hand_over(&scan, &online);
    scan.run("anna", &["team", "password"], Some(&pw));
    let r = scan.json("anna", &["team", "upload", "--json"]);
    assert_eq!(
        (r["sent"].as_i64(), r["handed"].as_i64()),
        (Some(1), Some(1)),
        "{r}"
    );
    // The test scanner's pages are alike: one raw scan, one processed image, one thumbnail
    // at least (blobs are kept by their content).
    assert!(r["blobs"].as_i64().unwrap() >= 3, "{r}");
    let r = scan.json("anna", &["team", "upload", "--json"]);
    assert_eq!(r["sent"], 0, "nothing left: {r}");
    // Handed over twice: the second time changes nothing and blocks nothing.
    let r = scan.json("anna", &["team", "hand-over", &batch, "--json"]);
    assert_eq!(
        (r["sent"].as_i64(), r["handed"].as_i64()),
        (Some(0), Some(0)),
        "{r}"
    );
    let r = scan.json("anna", &["team", "upload", "--json"]);
    assert_eq!(r["sent"], 0, "{r}");

    // Desk B indexes (and later releases); desk C checks.
    let index = Station::new("index-1", &online, &["index", "release"]);
    index.run("bert", &["team", "password"], Some(&pw));
    let check = Station::new("check-1", &online, &["check"]);
    check.run("carla", &["team", "password"], Some(&pw));
    let day = index.json("bert", &["team", "day", "--json"]);
    let waiting = serde_json::json!({"step": "index", "open": 2, "held": 0});
    assert_eq!(day["waiting"][0], waiting, "{day}");
    assert_eq!(day["pages_today"], 4);
    assert_eq!(day["today"][0]["state"], "ready", "{day}");
    assert_eq!(day["today"][0]["open"], 2);
    assert_eq!(day["today"][0]["station"], "scan-1");
    // The check desk has no index role: it says so.
    let (ok, said) = check.run("carla", &["team", "take", "index"], None);
    assert!(!ok && said.contains("team.no_role"), "{said}");
    index_both(&index, &batch);
    check_drawn(&check, &batch);

    // Everything indexed and checked: the release waits; B takes it and releases. Its
    // documents go to the team, not into B's outbox.
    let t = index.json("bert", &["team", "take", "release", "--json"]);
    assert_eq!(t["item"], batch.as_str(), "{t}");
    let said = index.ok("bert", &["batch", "release", &batch, "--title", "Antrag"]);
    assert!(said.contains("for the team's delivery"), "{said}");
    let d = index.json("bert", &["team", "done", &t["claim"].to_string(), "--json"]);
    assert_eq!(d["documents"], 2, "{d}");
    let day = index.json("bert", &["team", "day", "--json"]);
    assert_eq!(day["batches"]["released"], 1, "{day}");
    let waiting = serde_json::json!({"step": "deliver", "open": 2, "held": 0});
    assert_eq!(day["waiting"][3], waiting, "{day}");
    index.ok("bert", &["sync"]);
    // B anchors its own audit log in its target, as every release does; no document.
    let from_b: Vec<_> = std::fs::read_dir(index.data.path().join("ausgang"))
        .map(|d| d.filter_map(|e| Some(e.ok()?.file_name())).collect())
        .unwrap_or_default();
    assert!(
        from_b
            .iter()
            .all(|f| f.to_string_lossy().starts_with("audit-")),
        "no document from B: {from_b:?}"
    );

    deliver_once(&online, &pw);
    assert_eq!(files_in(&scan.data.path().join("ausgang")), 0);
    assert_eq!(files_in(&check.data.path().join("ausgang")), 0);
    let said = index.ok("bert", &["team", "check"]);
    assert!(
        said.contains("event log:") && said.contains("chain intact"),
        "{said}"
    );
}

/// Two stations with the deliver role, both delivering to the city's one folder, run at
/// the same instant: each of the two documents arrives there once, and the team's
/// deliver work is all done.
fn deliver_once(online: &str, pw: &str) {
    let dms = tempfile::tempdir().unwrap();
    let target = format!(
        "\n[[target]]\nid = \"dms\"\nkind = \"folder\"\npath = \"{}\"\n",
        dms.path().display()
    );
    let stations: Vec<Station> = ["deliver-1", "deliver-2"]
        .iter()
        .map(|name| Station::with(name, online, &["deliver"], &target))
        .collect();
    for s in &stations {
        s.run("dora", &["team", "password"], Some(pw));
    }
    let running: Vec<std::process::Child> = stations
        .iter()
        .map(|s| {
            Command::new(env!("CARGO_BIN_EXE_eingang"))
                .arg("--data-dir")
                .arg(s.data.path())
                .args(["--user", "dora", "team", "deliver", "--json"])
                .env("EINGANG_MACHINE_CONFIG", s.data.path().join("machine.toml"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut finished = 0;
    for child in running {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["delivering"], 0, "all it took went out: {r}");
        finished += r["finished"].as_i64().unwrap();
    }
    assert_eq!(finished, 2, "each document delivered by one station");
    let pdfs = std::fs::read_dir(dms.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        })
        .count();
    assert_eq!(pdfs, 2, "each document once in the DMS folder");
    for s in &stations {
        let r = s.json("dora", &["team", "deliver", "--json"]);
        assert_eq!(
            (r["taken"].as_i64(), r["finished"].as_i64()),
            (Some(0), Some(0)),
            "{r}"
        );
    }
    let day = stations[0].json("dora", &["team", "day", "--json"]);
    assert_eq!(day["waiting"][3]["open"], 0, "{day}");
}

#[test]
fn a_desk_that_goes_away_loses_its_work_and_a_desk_that_works_keeps_it() {
    let (online, pw, batch) = handed_over();
    let short = format!("{online}claim_secs = 10\n");
    let (one, two) = (
        Station::new("index-1", &short, &["index"]),
        Station::new("index-2", &short, &["index"]),
    );
    one.run("bert", &["team", "password"], Some(&pw));
    two.run("carla", &["team", "password"], Some(&pw));

    // Desk one works (its team loop runs and renews the claim): desk two never gets it.
    let first = one.json("bert", &["team", "take", "index", "--json"]);
    let mut watch = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(one.data.path())
        .args(["--user", "bert", "team", "upload", "--watch"])
        .env(
            "EINGANG_MACHINE_CONFIG",
            one.data.path().join("machine.toml"),
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(12));
    let second = two.json("carla", &["team", "take", "index", "--json"]);
    assert_ne!(second["item"], first["item"], "still desk one's: {second}");
    watch.kill().unwrap();
    watch.wait().unwrap();
    let finish = |t: &serde_json::Value| {
        let n = t["document"].to_string();
        let args = ["batch", "index", &batch, "--doc", &n, "dokumentart=Antrag"];
        one.ok("bert", &args);
        one.ok("bert", &["team", "done", &t["claim"].to_string()]);
    };
    finish(&first);
    // Desk two goes away (nothing renews its claim): after claim_secs the work is free.
    std::thread::sleep(std::time::Duration::from_secs(11));
    let again = one.json("bert", &["team", "take", "index", "--json"]);
    assert_eq!(
        again["item"], second["item"],
        "desk two's, free again: {again}"
    );
    let claim = second["claim"].to_string();
    let (ok, said) = two.run("carla", &["team", "done", &claim], None);
    assert!(!ok && said.contains("team.not_held"), "{said}");
    finish(&again);
    let day = one.json("bert", &["team", "day", "--json"]);
    assert_eq!(day["waiting"][0]["open"], 0, "both indexed once: {day}");
}

#[test]
fn stations_whose_clocks_are_an_hour_off_share_the_work_by_the_servers_clock() {
    assert!(
        Path::new(FAKETIME).exists(),
        "libfaketime is installed by scripts/test.sh (package faketime)"
    );
    let (online, pw, batch) = handed_over();
    let short = format!("{online}claim_secs = 10\n");
    let mut ahead = Station::new("index-ahead", &short, &["index"]);
    ahead.clock = Some("+1h");
    let mut behind = Station::new("index-behind", &short, &["index"]);
    behind.clock = Some("-1h");
    ahead.run("bert", &["team", "password"], Some(&pw));
    behind.run("carla", &["team", "password"], Some(&pw));
    let first = ahead.json("bert", &["team", "take", "index", "--json"]);
    // A desk an hour behind does not see the claim as young, nor one an hour ahead as old:
    // the server decides. Each desk holds its own document.
    let second = behind.json("carla", &["team", "take", "index", "--json"]);
    assert_ne!(first["item"], second["item"], "{first} {second}");
    assert!(behind
        .json("carla", &["team", "take", "index", "--json"])
        .is_null());
    // Ten seconds later by the server's clock both claims ran out, for everyone alike: the
    // desk an hour behind takes both documents now (its own again, and the other one).
    std::thread::sleep(std::time::Duration::from_secs(11));
    let again: Vec<serde_json::Value> = (0..2)
        .map(|_| behind.json("carla", &["team", "take", "index", "--json"]))
        .collect();
    let mut items: Vec<String> = again.iter().map(|t| t["item"].to_string()).collect();
    let mut expected = vec![first["item"].to_string(), second["item"].to_string()];
    items.sort();
    expected.sort();
    assert_eq!(items, expected, "{again:?}");
    // The desk an hour ahead cannot finish what it no longer holds.
    let (ok, said) = ahead.run("bert", &["team", "done", &first["claim"].to_string()], None);
    assert!(!ok && said.contains("team.not_held"), "{said}");
    for t in &again {
        let n = t["document"].to_string();
        behind.ok(
            "carla",
            &["batch", "index", &batch, "--doc", &n, "dokumentart=Antrag"],
        );
        behind.ok("carla", &["team", "done", &t["claim"].to_string()]);
    }
    let day = ahead.json("bert", &["team", "day", "--json"]);
    assert_eq!(day["waiting"][0]["open"], 0, "both indexed once: {day}");
    let said = ahead.ok("bert", &["team", "check"]);
    assert!(said.contains("chain intact"), "{said}");
}
