//! Delivers every file in a folder as one package each through the WebDAV connector (temp
//! name, `MOVE` with `Overwrite: F`, read-back hash check, index file last) and prints the
//! throughput and the peak memory. `scripts/bench-sync.sh` runs it beside `rclone copy`
//! against the same server.
//!
//! `webdav_bench URL USER PASSWORD DIR [CONCURRENCY]` (the password may also come from
//! `EINGANG_BENCH_PASSWORD`).

use eingang_sync::package::{Content, Package, PackageFile};
use eingang_sync::webdav::{WebDav, WebDavOptions};
use eingang_sync::Connector;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn sha256_file(p: &std::path::Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: webdav_bench URL USER PASSWORD DIR [CONCURRENCY]");
        std::process::exit(2);
    }
    let concurrency: usize = args.get(4).map_or(Ok(8), |c| c.parse())?;
    let mut opts = WebDavOptions::new(url::Url::parse(&args[0])?);
    opts.endpoint.user = Some(args[1].clone());
    opts.endpoint.password =
        Some(std::env::var("EINGANG_BENCH_PASSWORD").unwrap_or_else(|_| args[2].clone()));
    let dav = Arc::new(WebDav::new(opts).map_err(|f| f.detail)?);

    // The blob store knows every hash already; so does this list (not timed).
    let mut packages = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&args[3])?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let size = e.metadata()?.len();
        let sha256 = sha256_file(&path)?;
        let id = name.split('.').next().unwrap_or(&name).to_owned();
        let index_xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<eingang-lieferung id=\"{id}\">\n  <datei name=\"{name}\" sha256=\"{sha256}\" bytes=\"{size}\"/>\n</eingang-lieferung>\n"
        );
        packages.push(Package {
            id: id.clone(),
            files: vec![PackageFile {
                name,
                sha256,
                size,
                content: Content::Blob(eingang_store::blobs::BlobSource::plain(path)),
            }],
            metadata: vec![("id".into(), id)],
            index_xml,
        });
    }
    let bytes: u64 = packages.iter().map(Package::size).sum();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let started = Instant::now();
    let failures = rt.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for p in packages.clone() {
            let permit = limit.clone().acquire_owned().await;
            let dav = dav.clone();
            tasks.spawn(async move {
                let _permit = permit;
                dav.deliver(&p, false).await
            });
        }
        let mut failures = 0;
        while let Some(r) = tasks.join_next().await {
            match r {
                Ok(Ok(_)) => {}
                Ok(Err(f)) => {
                    eprintln!("{f}");
                    failures += 1;
                }
                Err(e) => {
                    eprintln!("{e}");
                    failures += 1;
                }
            }
        }
        failures
    });
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / 1_048_576.0;
    println!(
        "eingang: {} packages, {mib:.0} MiB in {secs:.2} s = {:.1} MiB/s, {:.0} packages/s, concurrency {concurrency}, {failures} failed, peak RSS {} MiB",
        packages.len(),
        mib / secs,
        f64::from(u32::try_from(packages.len()).unwrap_or(u32::MAX)) / secs,
        peak_rss_kib() / 1024
    );
    if failures > 0 {
        std::process::exit(1);
    }
    Ok(())
}
