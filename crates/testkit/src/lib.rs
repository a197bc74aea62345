//! Test support: a real PostgreSQL server for the tests, and one fresh
//! database per test on it.
//!
//! When `TAGLINE_TEST_DATABASE_URL` is set (`.ci/run` starts a throwaway
//! cluster and sets it), that server is used. Otherwise the first test to
//! ask starts one itself: `initdb` into a temporary folder, `postgres` on a
//! free loopback port, stopped when the test process exits. PostgreSQL's
//! binaries must be installed (Debian: `apt-get install postgresql`).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The server every test of this process uses: a URL without a database.
fn server() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("TAGLINE_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => start_cluster(),
    })
}

fn pg_bin(name: &str) -> PathBuf {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join(name).exists() {
            return dir.join(name);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin").join(name)).filter(|p| p.exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| {
        panic!("PostgreSQL's {name} was not found: install postgresql (.ci/run does) or set TAGLINE_TEST_DATABASE_URL")
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root
/// (PostgreSQL refuses to run as root).
fn as_pg_user(bin: &PathBuf) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin);
        c
    } else {
        Command::new(bin)
    }
}

fn start_cluster() -> String {
    // Kept for the life of the process: the server's folder.
    let dir = tempfile::Builder::new().prefix("tagline-pg-").tempdir().expect("temporary folder").keep();
    if is_root() {
        let ok = Command::new("chown").arg("-R").arg("postgres:postgres").arg(&dir).status().map(|s| s.success());
        assert_eq!(ok.ok(), Some(true), "chown {} to the postgres user", dir.display());
    }
    let data = dir.join("data");
    let out = as_pg_user(&pg_bin("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        .output()
        .expect("run initdb");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // A watchdog shell stops the server when this test process ends, pass,
    // fail or crash, then removes its folder (a quarter of a gigabyte each).
    // It signals the postmaster itself (its PID file), since `runuser` does
    // not pass SIGINT on to the server it started.
    let postgres = pg_bin("postgres");
    let me = std::process::id();
    let runner = if is_root() { "runuser -u postgres -- ".to_string() } else { String::new() };
    let script = format!(
        "{runner}{pg} -D {data} -p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >{dir}/log 2>&1 & pg=$!; \
         while kill -0 {me} 2>/dev/null; do sleep 0.5; done; \
         kill -INT $(head -1 {data}/postmaster.pid 2>/dev/null) 2>/dev/null || kill -INT $pg; wait $pg; \
         for i in $(seq 50); do [ -e {data}/postmaster.pid ] || break; sleep 0.2; done; rm -rf {dir}",
        pg = postgres.display(),
        data = data.display(),
        dir = dir.display(),
    );
    // Not waited for: the watchdog outlives this function by design and
    // ends with the test process.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start postgres");
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(200));
            return url;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("PostgreSQL did not start; see {}/log", dir.display());
}

/// A fresh, empty database on the test server.
pub async fn database() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let base = server().to_string();
    let name = format!("t_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let admin = format!("{base}/postgres");
    let (client, conn) =
        tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect("connect to the test server");
    let task = tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
    drop(client);
    let _ = task.await;
    format!("{base}/{name}")
}

/// A `PgStore` on a fresh database.
pub async fn pg_store() -> store::PgStore {
    store::PgStore::connect(&database().await).await.expect("connect the PostgreSQL store")
}
