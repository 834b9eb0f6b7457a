//! Starts Xvfb (once), tauri-driver (per test) and app sessions.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// One app at a time: the machine has two cores and one X display.
static SERIAL: Mutex<()> = Mutex::new(());
static DISPLAY: OnceLock<String> = OnceLock::new();
/// The Xvfb this test process started, if any (scripts/test.sh brings its own).
static XVFB: Mutex<Option<Child>> = Mutex::new(None);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn app_binary() -> PathBuf {
    let p = std::env::var_os("EINGANG_APP").map_or_else(
        || workspace_root().join("target/debug/eingang-app"),
        PathBuf::from,
    );
    let p = std::path::absolute(&p).expect("absolute app path");
    assert!(
        p.is_file(),
        "the app binary {} is missing: build it with `cargo build -p eingang-app` (scripts/test.sh does)",
        p.display()
    );
    p
}

fn driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let local = workspace_root().join(".tools/bin/tauri-driver");
    if local.is_file() {
        return local;
    }
    PathBuf::from("tauri-driver")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The X display to use: `DISPLAY` if set, else an Xvfb started for this test run.
/// Cargo has no global teardown, so that Xvfb outlives the test process; scripts/test.sh
/// starts and stops its own Xvfb and sets `DISPLAY`, so CI leaves nothing behind.
pub fn display() -> String {
    DISPLAY
        .get_or_init(|| {
            if let Ok(d) = std::env::var("DISPLAY") {
                if !d.is_empty() {
                    return d;
                }
            }
            let n = (90..200)
                .find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())
                .expect("a free X display number");
            let display = format!(":{n}");
            let child = Command::new("Xvfb")
                .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb must be installed (apt-get install xvfb)");
            *XVFB
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(child);
            let socket = format!("/tmp/.X11-unix/X{n}");
            let deadline = Instant::now() + Duration::from_secs(10);
            while !Path::new(&socket).exists() {
                assert!(Instant::now() < deadline, "Xvfb {display} did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            display
        })
        .clone()
}

/// tauri-driver for one test; killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
    _serial: Option<MutexGuard<'static, ()>>,
}

impl Driver {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts the driver with extra environment for the app (e.g. SANE's configuration).
    pub fn start_with(env: &[(&str, &Path)]) -> Self {
        Self::start_env(env, &[])
    }

    /// Starts the driver with extra environment for the app and without `remove`.
    pub fn start_env(env: &[(&str, &Path)], remove: &[&str]) -> Self {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::spawn(env, remove, Some(serial))
    }

    /// A second driver beside `first` (the test already holds the one-at-a-time lock):
    /// two apps at once, each with its own environment — two stations of a team.
    pub fn beside(_first: &Driver, env: &[(&str, &Path)]) -> Self {
        Self::spawn(env, &[], None)
    }

    fn spawn(
        env: &[(&str, &Path)],
        remove: &[&str],
        serial: Option<MutexGuard<'static, ()>>,
    ) -> Self {
        let port = free_port();
        let native = free_port();
        // Its own process group, so that dropping the driver also ends the
        // WebKitWebDriver (and any app) it started.
        let mut cmd = Command::new(driver_binary());
        for r in remove {
            cmd.env_remove(r);
        }
        let child = cmd
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", display())
            .env_remove("EINGANG_DATA_DIR")
            .env(
                "EINGANG_LOG_STDERR",
                std::env::var("EINGANG_LOG_STDERR").unwrap_or_else(|_| "warn".into()),
            )
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver must be installed (scripts/test.sh installs it into .tools/)");
        wait_for_port(port, "tauri-driver");
        wait_for_port(native, "WebKitWebDriver");
        Self {
            child,
            port,
            _serial: serial,
        }
    }

    /// Starts the driver for an app whose system locale is English (`en_US`): what the app
    /// shows must not depend on it.
    pub fn start_english() -> Self {
        let english = Path::new("en_US.UTF-8");
        Self::start_env(
            &[
                ("LANG", english),
                ("LC_ALL", english),
                ("LANGUAGE", Path::new("en_US")),
            ],
            &[],
        )
    }

    /// `launch`, and the webview's system language is English (a driver from
    /// `start_english`).
    pub async fn launch_english(&self, data_dir: &Path) -> App {
        let app = self.launch(data_dir).await;
        let system = app
            .client
            .execute("return navigator.language", vec![])
            .await
            .unwrap();
        assert!(
            system.as_str().unwrap_or_default().starts_with("en"),
            "the webview's system language is English here: {system}"
        );
        app
    }

    /// Starts the app on `data_dir` and opens a WebDriver session to it.
    pub async fn launch(&self, data_dir: &Path) -> App {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({
                "application": app_binary(),
                "args": ["--data-dir", data_dir],
            }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session with the app");
        // The webview's storage outlives an app (it is the machine's): a folded workstation
        // bar or the compact check list a test left behind must not change the next one.
        let _ = client
            .execute(
                "localStorage.removeItem('eingang.station.folded');
                 localStorage.removeItem('eingang.check.compact');",
                vec![],
            )
            .await;
        App {
            client,
            data_dir: data_dir.to_path_buf(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One running app.
pub struct App {
    pub client: Client,
    data_dir: PathBuf,
}

pub fn css(s: &str) -> Locator<'_> {
    Locator::Css(s)
}

impl App {
    pub async fn wait_for(&self, selector: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector} did not appear: {e}"))
    }

    pub async fn text(&self, selector: &str) -> String {
        self.wait_for(selector).await.text().await.expect("text")
    }

    pub async fn click(&self, selector: &str) {
        let el = self.wait_for(selector).await;
        // Into the middle of the view first: WebKitWebDriver refuses clicks on elements
        // at the edge of the viewport (e.g. under a sticky bar).
        let _ = self
            .client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![serde_json::to_value(&el).expect("element reference")],
            )
            .await;
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {selector}: {e:?}"));
    }

    /// Empties a field, then types into it.
    pub async fn retype(&self, selector: &str, text: &str) {
        let el = self.wait_for(selector).await;
        el.clear()
            .await
            .unwrap_or_else(|e| panic!("clear {selector}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
    }

    /// Types `text` into the element at `selector` (waiting for it to appear).
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.wait_for(selector)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
    }

    /// Sets native date/time pickers and selects the way a picker does (value, `input` and
    /// `change` events): WebDriver cannot type into them on WebKitGTK. `pairs` are
    /// (element id, value).
    pub async fn pick(&self, pairs: &[(&str, &str)]) {
        for (id, _) in pairs {
            self.wait_for(&format!("#{id}")).await;
        }
        let pairs: Vec<serde_json::Value> = pairs
            .iter()
            .map(|(i, v)| serde_json::json!([i, v]))
            .collect();
        self.client
            .execute(
                "for (const [id, v] of arguments[0]) {
                   const e = document.getElementById(id); e.value = v;
                   e.dispatchEvent(new Event('input', { bubbles: true }));
                   e.dispatchEvent(new Event('change', { bubbles: true })); }",
                vec![serde_json::Value::Array(pairs)],
            )
            .await
            .expect("set the picker values");
    }

    /// Starts an "Ortstermin" draft, fills the required fields and finalises it; returns the
    /// submission's id.
    pub async fn finalise_ortstermin(&self, aktenzeichen: &str, anschrift: &str) -> String {
        self.click("[data-new-draft='ortstermin']").await;
        self.type_into("#field-aktenzeichen", aktenzeichen).await;
        self.pick(&[("field-datum", "2026-11-27")]).await;
        self.type_into("#field-anschrift", anschrift).await;
        self.finalise_open_draft().await.0
    }

    /// "Abschließen und einreichen" on the open draft, the review, "Verbindlich einreichen";
    /// returns the submission's id and the reference number the notice shows.
    pub async fn finalise_open_draft(&self) -> (String, String) {
        self.click("button[data-action='finalise']").await;
        self.wait_for("[data-review]").await;
        self.click("button[data-action='submit']").await;
        self.finalised_notice().await
    }

    /// The notice after a submit: the submission's id and the reference number it shows.
    pub async fn finalised_notice(&self) -> (String, String) {
        let notice = self
            .wait_text("[data-notice]", |t| {
                t.starts_with("Abgeschlossen und zur Übertragung bereit")
            })
            .await;
        let reference = notice.rsplit(' ').next().unwrap_or_default().to_owned();
        let id = self
            .wait_for("[data-notice]")
            .await
            .attr("data-submission")
            .await
            .unwrap()
            .unwrap_or_default();
        (id, reference)
    }

    /// Polls `selector`'s text until `pred` holds; returns the text.
    pub async fn wait_text(&self, selector: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = None;
        loop {
            if let Ok(el) = self.client.find(css(selector)).await {
                if let Ok(t) = el.text().await {
                    if pred(&t) {
                        return t;
                    }
                    last = Some(t);
                }
            }
            if Instant::now() >= deadline {
                let page = match self.client.find(css("main")).await {
                    Ok(m) => m.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{selector} never showed the expected text; last: {last:?}\npage: {page}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Chooses the interface language in the header's selector.
    pub async fn set_language(&self, lang: &str) {
        self.wait_for("#language").await;
        self.client
            .execute(
                "const s = document.getElementById('language'); s.value = arguments[0]; \
                 s.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![serde_json::json!(lang)],
            )
            .await
            .expect("choose the language");
    }

    /// Ends the session; WebKitWebDriver closes the app. Waits until the process is gone,
    /// so the next launch is a real restart.
    pub async fn quit(self) {
        self.client.close().await.expect("end the session");
        let needle = self.data_dir.display().to_string();
        let deadline = Instant::now() + Duration::from_secs(15);
        while app_running(&needle) {
            assert!(Instant::now() < deadline, "the app did not exit");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl App {
    /// Kills the app process with SIGKILL (no chance to clean up, like a crash or a flat
    /// battery) and waits until it is gone.
    pub async fn kill_hard(self) {
        let needle = self.data_dir.display().to_string();
        let pid = app_pid(&needle).expect("the app runs");
        let status = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "kill -KILL {pid}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while app_running(&needle) {
            assert!(Instant::now() < deadline, "the app did not die");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // End the dead session too, so the driver accepts the next one at once.
        let _ = self.client.close().await;
    }
}

/// The pid of the app process with this data folder on its command line, if it runs.
fn app_pid(data_dir: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline);
        (cmdline.contains("eingang-app") && cmdline.contains(data_dir)).then_some(pid)
    })
}

fn app_running(data_dir: &str) -> bool {
    app_pid(data_dir).is_some()
}

/// Closes the app's window the way a window manager's close button does (an X11
/// WM_DELETE_WINDOW message), at the moment `go` is called.
pub struct NativeClose {
    child: Child,
    data_dir: String,
}

impl NativeClose {
    /// Prepares the close; the window is found now, the request is sent on [`Self::go`].
    pub fn prepare(app: &App) -> Self {
        use std::io::BufRead;
        let data_dir = app.data_dir.display().to_string();
        let pid = app_pid(&data_dir).expect("the app runs");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("close_window.py");
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(pid.to_string())
            .arg("--on-go")
            .env("DISPLAY", display())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("Debian's python3 with python3-xlib (scripts/test.sh installs them)");
        let mut line = String::new();
        let stdout = child.stdout.as_mut().expect("piped stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the script's answer");
        assert_eq!(
            line.trim(),
            "ready",
            "close_window.py could not find the window"
        );
        Self { child, data_dir }
    }

    /// Sends the close request and waits until the app has exited by itself; `false` if it
    /// is still running after 15 s (the request never arrived — WebKitGTK's automation can
    /// drop it under load — or the app did not exit).
    pub async fn go(mut self) -> bool {
        use std::io::Write;
        let mut stdin = self.child.stdin.take().expect("piped stdin");
        stdin.write_all(b"go\n").expect("signal the script");
        drop(stdin);
        let status = self.child.wait().expect("close_window.py finished");
        assert!(status.success(), "close_window.py failed");
        let deadline = Instant::now() + Duration::from_secs(15);
        while app_running(&self.data_dir) {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    }
}

/// The one draft in a data folder, read through the store crate (not through the UI).
pub fn only_draft(data_dir: &Path) -> eingang_model::Draft {
    use eingang_store::{tables, Store};
    let store = Store::open(data_dir).expect("the data folder opens after the app quit");
    let drafts = store
        .with_conn(|c| tables::drafts::list(c, None, 1000).map(|(all, _)| all))
        .expect("list drafts");
    assert_eq!(drafts.len(), 1, "exactly one draft");
    store
        .with_conn(|c| tables::drafts::get(c, drafts[0].id))
        .expect("read the draft")
}

/// Imports the real FIM fixture (S00000094, Mutterschutz) with its code lists into the
/// store in `data_dir`, as `eingang forms import` would.
pub fn import_fim_fixture(data_dir: &Path) {
    use eingang_store::tables::forms;
    let fim = workspace_root().join("crates/forms/tests/fixtures/fim/xdf2/S00000094V1.0");
    let store = eingang_store::Store::open(data_dir).expect("open the store");
    let mut lists = Vec::new();
    for entry in std::fs::read_dir(&fim).expect("the FIM fixture folder") {
        let path = entry.expect("a directory entry").path();
        if path.to_string_lossy().ends_with("_genericode.xml") {
            let xml = std::fs::read_to_string(&path).expect("read a code list");
            lists.push(eingang_forms::fim::parse_genericode(&xml).expect("a valid code list"));
        }
    }
    let xml = std::fs::read_to_string(fim.join("S00000094V1.0_xdf2.xml")).expect("read the schema");
    store
        .with_tx(|tx| forms::import_fim(tx, &xml, &lists, "S00000094V1.0_xdf2.xml"))
        .expect("the fixture imports");
}

/// Presses `key` (a WebDriver key code or text) on whatever has the focus.
/// As real key presses (WebDriver actions): modifiers (Shift, Control, Alt) stay down until
/// `\u{E000}` or the end.
pub async fn press(app: &App, key: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keyboard".into());
    let mut held = Vec::new();
    for c in key.chars() {
        match c {
            '\u{E008}' | '\u{E009}' | '\u{E00A}' => {
                actions = actions.then(KeyAction::Down { value: c });
                held.push(c);
            }
            '\u{E000}' => {
                for m in held.drain(..) {
                    actions = actions.then(KeyAction::Up { value: m });
                }
            }
            _ => {
                actions = actions
                    .then(KeyAction::Down { value: c })
                    .then(KeyAction::Up { value: c });
            }
        }
    }
    for m in held {
        actions = actions.then(KeyAction::Up { value: m });
    }
    app.client.perform_actions(actions).await.unwrap();
}

/// Tabs forward until `selector` has the focus (at most 40 presses): the control is
/// reachable by keyboard.
pub async fn tab_to(app: &App, selector: &str) {
    for _ in 0..40 {
        let here = app
            .client
            .execute(
                &format!(
                    "return !!document.activeElement && document.activeElement.matches({})",
                    serde_json::to_string(selector).unwrap()
                ),
                vec![],
            )
            .await
            .unwrap();
        if here == serde_json::json!(true) {
            return;
        }
        press(app, "\u{E004}").await;
    }
    panic!("{selector} cannot be reached with Tab");
}

pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = " ";

/// Files under `dir` changed since `since` that hold `needle` (UTF-8 or UTF-16LE); the
/// bytes searched.
pub fn search(
    dir: &Path,
    needle: &str,
    since: std::time::SystemTime,
    hits: &mut Vec<String>,
) -> u64 {
    let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut searched = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            if !meta.is_file() || meta.modified().map_or(true, |m| m < since) {
                continue;
            }
            let bytes = std::fs::read(&p).unwrap_or_default();
            searched += bytes.len() as u64;
            let found = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
            if found(needle.as_bytes()) || found(&utf16) {
                hits.push(p.display().to_string());
            }
        }
    }
    searched
}
