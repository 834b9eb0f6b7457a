//! Real WebDAV servers on loopback, each in its own process group, stopped on drop.

use std::fmt::Write as _;
use std::net::TcpListener;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "eingang";
pub const PASSWORD: &str = "geheim-42";

pub struct Server {
    pub name: &'static str,
    /// The collection deliveries go to (ends with `/`).
    pub url: String,
    /// The folder on disk behind `url`.
    pub root: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The whole group (Apache forks workers); WsgiDAV does not stop on SIGTERM.
        let pid = self.child.id();
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .status();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn find(tool: &str, candidates: &[PathBuf]) -> PathBuf {
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!("{tool} is not installed: run ./scripts/test.sh once (it installs the test servers), or see CONTRIBUTING.md")
        })
}

fn spawn(mut cmd: Command, log: &Path) -> Child {
    let out = std::fs::File::create(log).unwrap();
    cmd.stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .stdin(Stdio::null());
    #[cfg(unix)]
    cmd.process_group(0);
    cmd.spawn().unwrap()
}

/// Waits until `url` answers an authenticated PROPFIND.
fn wait_ready(name: &str, port: u16, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "{name} exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{name} did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// WsgiDAV 4.4 (the strictest: 412 on `MOVE` with `Overwrite: F` onto an existing name).
pub fn wsgidav() -> Server {
    wsgidav_at(free_port())
}

/// WsgiDAV on a given port (a test that starts the server after the worker found it down).
pub fn wsgidav_at(port: u16) -> Server {
    let bin = find(
        "WsgiDAV",
        &[
            std::env::var_os("EINGANG_WSGIDAV")
                .map(PathBuf::from)
                .unwrap_or_default(),
            repo_root().join(".tools/venv/bin/wsgidav"),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("dav");
    std::fs::create_dir_all(&root).unwrap();
    let conf = dir.path().join("wsgidav.yaml");
    std::fs::write(
        &conf,
        format!(
            "host: 127.0.0.1\nport: {port}\nserver: cheroot\n\
             provider_mapping:\n  \"/dav\": {root}\n\
             http_authenticator:\n  accept_basic: true\n  accept_digest: false\n  default_to_digest: false\n\
             simple_dc:\n  user_mapping:\n    \"*\":\n      {USER}:\n        password: {PASSWORD}\n\
             verbose: 1\nlock_storage: true\nproperty_manager: true\n",
            root = root.display()
        ),
    )
    .unwrap();
    let log = dir.path().join("wsgidav.log");
    let mut cmd = Command::new(bin);
    cmd.arg(format!("--config={}", conf.display()));
    let mut child = spawn(cmd, &log);
    wait_ready("WsgiDAV", port, &mut child, &log);
    Server {
        name: "WsgiDAV",
        url: format!("http://127.0.0.1:{port}/dav/"),
        root,
        child,
        _dir: dir,
    }
}

/// Apache 2.4 with mod_dav (Debian's `apache2`), Basic authentication.
pub fn apache() -> Server {
    let bin = find("Apache (apache2)", &[PathBuf::from("/usr/sbin/apache2")]);
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    let root = base.join("dav");
    std::fs::create_dir_all(&root).unwrap();
    // Apache's workers run as www-data: they must write there.
    let _ = Command::new("chmod")
        .args(["-R", "a+rwx"])
        .arg(base)
        .status();
    let port = free_port();
    let m = "/usr/lib/apache2/modules";
    // {SHA} = base64(SHA-1(password)), which htpasswd -s would write.
    let hash = {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "printf %s '{PASSWORD}' | openssl dgst -binary -sha1 | base64"
            ))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    std::fs::write(base.join("htpasswd"), format!("{USER}:{{SHA}}{hash}\n")).unwrap();
    let b = base.display();
    let mods = [
        ("mpm_event_module", "mod_mpm_event"),
        ("authz_core_module", "mod_authz_core"),
        ("authn_core_module", "mod_authn_core"),
        ("authn_file_module", "mod_authn_file"),
        ("auth_basic_module", "mod_auth_basic"),
        ("authz_user_module", "mod_authz_user"),
        ("dav_module", "mod_dav"),
        ("dav_fs_module", "mod_dav_fs"),
        ("alias_module", "mod_alias"),
    ]
    .iter()
    .fold(String::new(), |mut acc, (n, f)| {
        let _ = writeln!(acc, "LoadModule {n} {m}/{f}.so");
        acc
    });
    let user = if is_root() {
        "User www-data\nGroup www-data\n"
    } else {
        ""
    };
    std::fs::write(
        base.join("httpd.conf"),
        format!(
            "ServerRoot {b}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\nPidFile {b}/httpd.pid\n\
             ErrorLog {b}/error.log\nLogLevel warn\nCustomLog {b}/access.log \"%h %r %>s %b %D\"\n{mods}{user}DavLockDB {b}/davlock\n\
             LimitRequestBody 0\nTimeout 30\n\
             Alias /dav {r}\n<Directory {r}>\n  Dav On\n  AuthType Basic\n  AuthName \"Eingang test\"\n  \
             AuthUserFile {b}/htpasswd\n  Require valid-user\n</Directory>\n",
            r = root.display()
        ),
    )
    .unwrap();
    let log = base.join("apache.log");
    let mut cmd = Command::new(bin);
    cmd.args(["-f"])
        .arg(base.join("httpd.conf"))
        .args(["-D", "FOREGROUND"]);
    let mut child = spawn(cmd, &log);
    wait_ready("Apache", port, &mut child, &log);
    Server {
        name: "Apache mod_dav",
        url: format!("http://127.0.0.1:{port}/dav/"),
        root,
        child,
        _dir: dir,
    }
}

/// `rclone serve webdav` (Debian's rclone): ignores `If-None-Match` on `PUT`.
pub fn rclone() -> Server {
    let bin = find("rclone", &[PathBuf::from("/usr/bin/rclone")]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("dav");
    std::fs::create_dir_all(&root).unwrap();
    let port = free_port();
    let log = dir.path().join("rclone.log");
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "webdav", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["--user", USER, "--pass", PASSWORD, "--config", "/dev/null"])
        .arg(&root);
    let mut child = spawn(cmd, &log);
    wait_ready("rclone", port, &mut child, &log);
    Server {
        name: "rclone serve webdav",
        url: format!("http://127.0.0.1:{port}/"),
        root,
        child,
        _dir: dir,
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Mayan EDMS 4.12 (PyPI) under gunicorn, on a copy of the template data folder that
/// `scripts/mayan/prepare.sh` made (an API user, the "Eingang" document type and its
/// metadata types). `url` is Mayan's base URL.
pub fn mayan() -> Server {
    let tools = repo_root().join(".tools");
    let gunicorn = find("Mayan EDMS", &[tools.join("mayan/bin/gunicorn")]);
    let template = tools
        .join("mayan-template/media")
        .canonicalize()
        .unwrap_or_else(|_| tools.join("mayan-template/media"));
    assert!(
        template.join("db.sqlite3").is_file(),
        "the Mayan template is missing: run scripts/mayan/prepare.sh (scripts/test.sh does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    let ok = Command::new("cp")
        .arg("-a")
        .arg(&template)
        .arg(&media)
        .status()
        .unwrap();
    assert!(ok.success());
    // Mayan writes absolute paths into its configuration: point them at the copy.
    for f in ["config.yml", "config_backup.yml"] {
        let p = media.join(f);
        if let Ok(text) = std::fs::read_to_string(&p) {
            let moved = text.replace(
                &template.display().to_string(),
                &media.display().to_string(),
            );
            std::fs::write(&p, moved).unwrap();
        }
    }
    let port = free_port();
    let log = dir.path().join("mayan.log");
    let mut cmd = Command::new(gunicorn);
    cmd.args(["-b", &format!("127.0.0.1:{port}")])
        .args([
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "120",
            "mayan.wsgi",
        ])
        .env("PYTHONPATH", repo_root().join("scripts/mayan"))
        .env("DJANGO_SETTINGS_MODULE", "eingang_mayan_settings")
        .env("MAYAN_MEDIA_ROOT", &media)
        .env(
            "MAYAN_SEARCH_BACKEND",
            "mayan.apps.dynamic_search.backends.django.DjangoSearchBackend",
        );
    let mut child = spawn(cmd, &log);
    wait_ready("Mayan EDMS", port, &mut child, &log);
    // The port opens before Django has loaded: wait for an answer.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answered = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
            .arg(format!("http://127.0.0.1:{port}/api/v4/"))
            .output()
            .is_ok_and(|o| !o.stdout.is_empty() && o.stdout != b"000");
        if answered {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Mayan did not answer: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Server {
        name: "Mayan EDMS",
        url: format!("http://127.0.0.1:{port}/"),
        root: media,
        child,
        _dir: dir,
    }
}

/// Apache Chemistry's OpenCMIS InMemory server (a complete CMIS 1.1 repository) in Jetty,
/// as `scripts/lib.sh opencmis_install` prepared it: repository `stadt` with Eingang's
/// document type. `url` is the Browser Binding's service URL. Jetty asks for HTTP BASIC
/// with `USER`/`PASSWORD` in front of the repository (`scripts/opencmis/jetty-realm.xml`;
/// the in-memory repository itself would take any account).
pub fn opencmis() -> Server {
    let tools = repo_root().join(".tools/opencmis");
    let jetty = find("Jetty (jetty-runner)", &[tools.join("jetty-runner.jar")]);
    let war = find("OpenCMIS InMemory", &[tools.join("eingang-cmis.war")]);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = dir.path().join("opencmis.log");
    let realm = dir.path().join("realm.properties");
    std::fs::write(&realm, format!("{USER}: {PASSWORD},eingang\n")).unwrap();
    let mut cmd = Command::new("java");
    cmd.arg(format!("-Djava.io.tmpdir={}", dir.path().display()))
        .arg(format!("-Deingang.realm={}", realm.display()))
        .arg("-jar")
        .arg(jetty)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--path",
            "/cmis",
            "--config",
        ])
        .arg(repo_root().join("scripts/opencmis/jetty-realm.xml"))
        .arg(war);
    let mut child = spawn(cmd, &log);
    wait_ready("OpenCMIS", port, &mut child, &log);
    // The port opens before the repository is built: wait for the service to answer.
    let deadline = Instant::now() + Duration::from_secs(90);
    while !answers(port, "/cmis/browser") {
        assert!(
            Instant::now() < deadline,
            "OpenCMIS did not answer: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Server {
        name: "OpenCMIS InMemory",
        url: format!("http://127.0.0.1:{port}/cmis/browser"),
        root: dir.path().to_path_buf(),
        child,
        _dir: dir,
    }
}

/// A plain `GET path` answered by the application: 200, or 401 for the missing account
/// (not Jetty's 503 while the web application still starts).
fn answers(port: u16, path: &str) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    let mut head = [0u8; 12];
    s.write_all(request.as_bytes()).is_ok()
        && s.read_exact(&mut head).is_ok()
        && (head.ends_with(b"200") || head.ends_with(b"401"))
}
