//! The busy-hour load run (`scripts/load`): several `marquee serve` processes on one PostgreSQL
//! database behind HAProxy, under mixed traffic, with faults, checking itself.
//!
//! It makes a scratch database, fills it with the demo paper, and starts `--servers` servers
//! (default 3) that send mail to a real SMTP server on loopback (the test sink, in this
//! process) and trust HAProxy's `X-Forwarded-For`. Then, for `--secs` seconds (default 600):
//! - `--connections` reader connections (default 1,000) through HAProxy, each with a fake
//!   address of its own: 90% anonymous, reading home, section, article, author, tag, film,
//!   search, feed and calendar pages; 10% signed in, reading the busiest articles and commenting;
//! - an editor publishing a new article or editing the last one every `--editor-secs` (default
//!   3) through the Admin API, and timing how long each server takes to show it (asked
//!   directly, not through HAProxy);
//! - a crawler walking the sitemaps;
//! - a probe asking each server directly for the home page four times a second;
//! - followers on another server (in this process, `FOLLOWERS` of them, each with an inbox of
//!   its own): each article the editor publishes or edits is queued for every one of them and
//!   delivered, signed, by the servers' delivery workers;
//! - faults: at a quarter of the run one server is killed (SIGKILL) and started again, at
//!   half PostgreSQL restarts, and from 70% the SMTP server refuses every message, and the
//!   followers' inboxes answer 503, for a tenth of the run (at least 10 s).
//!
//! When the time is up it waits for the outbox and the deliveries to empty (what was refused
//! is retried with backoff) and checks: no reader request failed; every comment answered with
//! a redirect (acknowledged) is in the database; every queued message reached the SMTP server
//! exactly once; every activity queued for a follower reached its inbox, signed (at least
//! once: a delivery a killed server had posted but not yet recorded is posted again, and
//! ActivityPub receivers drop an activity id they have seen; the run counts those);
//! the survivors answered the probe throughout; every server showed each edit within
//! 1 s outside the fault windows; no server's memory passed 200 MB. It prints latency
//! percentiles per kind of request and each server's memory at every tenth of the run, and exits
//! non-zero when a check fails.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

const AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";
/// The articles signed-in readers read and comment on.
const HOT_ARTICLES: usize = 20;
/// Thread subscriptions per signed-in reader (among the hot articles).
const SUBSCRIPTIONS: usize = 2;
/// Seconds between one reader's comments, at least: five per ten minutes is the default limit.
const COMMENT_EVERY: u64 = 150;
/// The most a server's memory may reach, in MB.
const RSS_LIMIT_MB: u64 = 200;
/// How long every server may take to show an edit, outside fault windows.
const PROPAGATION_LIMIT: Duration = Duration::from_secs(1);
/// Followers of the paper on another server, each with an inbox of its own.
const FOLLOWERS: usize = 10;

/// The followers' server (in this process): records every activity posted to an inbox, by
/// inbox and activity id, and answers 503 while `refusing`.
struct Followers {
    base: String,
    got: Arc<Mutex<HashMap<(String, String), usize>>>,
    unsigned: Arc<AtomicUsize>,
    refusing: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
}

impl Followers {
    async fn start() -> Followers {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let f = Followers { base, got: Default::default(), unsigned: Default::default(), refusing: Default::default(), refused: Default::default() };
        let (got, unsigned, refusing, refused) = (f.got.clone(), f.unsigned.clone(), f.refusing.clone(), f.refused.clone());
        let inbox = move |axum::extract::Path(n): axum::extract::Path<String>, headers: hyper::HeaderMap, body: Bytes| {
            let (got, unsigned, refusing, refused) = (got.clone(), unsigned.clone(), refusing.clone(), refused.clone());
            async move {
                if refusing.load(Ordering::Relaxed) {
                    refused.fetch_add(1, Ordering::Relaxed);
                    return hyper::StatusCode::SERVICE_UNAVAILABLE;
                }
                let Some(id) = serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["id"].as_str().map(str::to_string)) else {
                    return hyper::StatusCode::BAD_REQUEST;
                };
                if !headers.contains_key("signature") {
                    unsigned.fetch_add(1, Ordering::Relaxed);
                }
                *got.lock().unwrap().entry((format!("/users/{n}/inbox"), id)).or_default() += 1;
                hyper::StatusCode::ACCEPTED
            }
        };
        let app = axum::Router::new().route("/users/{n}/inbox", axum::routing::post(inbox));
        tokio::spawn(async move { axum::serve(listener, app).await });
        f
    }
}

struct Args {
    secs: u64,
    connections: usize,
    servers: usize,
    editor_secs: f64,
    binary: PathBuf,
    postgres: String,
    work_dir: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        secs: 600,
        connections: 1000,
        servers: 3,
        editor_secs: 3.0,
        binary: PathBuf::from("target/release/marquee"),
        postgres: std::env::var("MARQUEE_LOAD_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        work_dir: std::env::temp_dir().join(format!("marquee-load-{}", std::process::id())),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| fail(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--secs" => a.secs = value().parse().unwrap_or_else(|_| fail("--secs: a whole number of seconds")),
            "--connections" => a.connections = value().parse().unwrap_or_else(|_| fail("--connections: a number")),
            "--servers" => a.servers = value().parse().unwrap_or_else(|_| fail("--servers: a number")),
            "--editor-secs" => a.editor_secs = value().parse().unwrap_or_else(|_| fail("--editor-secs: seconds")),
            "--binary" => a.binary = PathBuf::from(value()),
            "--postgres" => a.postgres = value(),
            "--work-dir" => a.work_dir = PathBuf::from(value()),
            other => fail(&format!("unknown argument {other:?} (--secs, --connections, --servers, --editor-secs, --binary, --postgres, --work-dir)")),
        }
    }
    if a.servers < 2 {
        fail("--servers: at least 2 (one is killed during the run)");
    }
    if a.secs < 30 {
        fail("--secs: at least 30");
    }
    a
}

fn fail(message: &str) -> ! {
    eprintln!("load: {message}");
    std::process::exit(2)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// What every request of one kind gave: latencies in microseconds and failures.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<&'static str, Vec<u32>>,
    errors: BTreeMap<&'static str, usize>,
    examples: Vec<String>,
}

impl Tally {
    fn ok(&mut self, kind: &'static str, started: Instant) {
        self.latencies.entry(kind).or_default().push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
    }

    fn error(&mut self, kind: &'static str, what: String) {
        *self.errors.entry(kind).or_default() += 1;
        if self.examples.len() < 20 {
            self.examples.push(format!("{kind}: {what}"));
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, v) in other.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
        for e in other.examples {
            if self.examples.len() < 20 {
                self.examples.push(e);
            }
        }
    }
}

struct Answer {
    status: u16,
    cookies: Vec<(String, String)>,
    location: String,
    body: Bytes,
}

/// One keep-alive HTTP/1.1 connection, opened again when it closed.
struct Conn {
    addr: String,
    send: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        Conn { addr: addr.to_string(), send: None }
    }

    async fn request(&mut self, method: Method, path: &str, headers: &[(&str, &str)], body: Option<String>) -> Result<Answer, String> {
        if let Some(s) = &mut self.send {
            if s.ready().await.is_err() {
                self.send = None;
            }
        }
        if self.send.is_none() {
            let stream = TcpStream::connect(&self.addr).await.map_err(|e| format!("connect: {e}"))?;
            stream.set_nodelay(true).ok();
            let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
            tokio::spawn(conn);
            self.send = Some(send);
        }
        let send = self.send.as_mut().unwrap();
        let mut req = Request::builder().method(method).uri(path).header("host", &self.addr);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
        let resp = match send.send_request(req).await {
            Ok(r) => r,
            Err(e) => {
                self.send = None;
                return Err(format!("request: {e}"));
            }
        };
        let status = resp.status().as_u16();
        let cookies = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|c| c.split(';').next()?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = match resp.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                self.send = None;
                return Err(format!("body: {e}"));
            }
        };
        Ok(Answer { status, cookies, location, body })
    }

    async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
        self.request(Method::GET, path, headers, None).await
    }
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        for (j, part) in [k, v].into_iter().enumerate() {
            if j == 1 {
                out.push('=');
            }
            for b in part.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
                    b' ' => out.push('+'),
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
        }
    }
    out
}

/// The value of the hidden `_csrf` field in a page.
fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[at..].split('"').next()?.to_string())
}

/// Every `<loc>` of a sitemap, as paths.
fn locations(xml: &str) -> Vec<String> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|url| {
            let url = url.trim().replace("&amp;", "&");
            match url.split_once("://") {
                Some((_, rest)) => rest.find('/').map(|i| rest[i..].to_string()).unwrap_or_else(|| "/".into()),
                None => url,
            }
        })
        .collect()
}

/// The site's pages by kind, read from its sitemaps.
#[derive(Default, Clone)]
struct Pages {
    by_kind: HashMap<&'static str, Vec<String>>,
}

fn kind_of(path: &str) -> &'static str {
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => "home",
        ["authors", _] => "author",
        ["tags", _] => "tag",
        ["films", _] => "film",
        ["people", _] => "person",
        ["events", _] => "event",
        ["reports", ..] => "report",
        ["theaters", ..] => "theater",
        [_] => "section",
        [_, _] => "article",
        _ => "other",
    }
}

async fn read_sitemaps(conn: &mut Conn, tally: Option<&mut Tally>) -> Vec<String> {
    let mut tally = tally;
    let mut pages = Vec::new();
    let mut queue = vec!["/sitemap.xml".to_string()];
    while let Some(map) = queue.pop() {
        let t = Instant::now();
        match conn.get(&map, &[("user-agent", "MarqueeLoadCrawler/1.0")]).await {
            Ok(a) if a.status == 200 => {
                if let Some(t2) = tally.as_deref_mut() {
                    t2.ok("crawler sitemap", t);
                }
                let xml = String::from_utf8_lossy(&a.body).to_string();
                for loc in locations(&xml) {
                    if loc.ends_with(".xml") || loc.contains("sitemap") {
                        queue.push(loc);
                    } else {
                        pages.push(loc);
                    }
                }
            }
            Ok(a) => {
                if let Some(t2) = tally.as_deref_mut() {
                    t2.error("crawler sitemap", format!("{map} answered {}", a.status));
                }
            }
            Err(e) => {
                if let Some(t2) = tally.as_deref_mut() {
                    t2.error("crawler sitemap", format!("{map}: {e}"));
                }
            }
        }
    }
    pages
}

struct Server {
    port: u16,
    child: Option<Child>,
    log: PathBuf,
}

struct Cluster {
    binary: PathBuf,
    database_url: String,
    smtp_port: u16,
    dir: PathBuf,
    servers: Vec<Server>,
    /// Each server's process id (0 while it is down), for the memory samples.
    pids: Arc<Mutex<Vec<u32>>>,
}

impl Cluster {
    fn start_server(&mut self, i: usize) {
        let s = &mut self.servers[i];
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&s.log).unwrap();
        let child = Command::new(&self.binary)
            .args(["serve", "--addr", &format!("127.0.0.1:{}", s.port), "--database-url", &self.database_url])
            .env("MARQUEE_MAIL_TRANSPORT", "smtp")
            .env("MARQUEE_SMTP_HOST", "127.0.0.1")
            .env("MARQUEE_SMTP_PORT", self.smtp_port.to_string())
            .env("MARQUEE_SMTP_SECURITY", "none")
            .env("MARQUEE_SMTP_TIMEOUT_SECS", "10")
            .env("MARQUEE_MAIL_FROM", "Marquee Weekly <newsroom@load.marquee.test>")
            .env("MARQUEE_TRUSTED_PROXIES", "127.0.0.1")
            // The followers' inboxes are on loopback.
            .env("MARQUEE_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true")
            .env("MARQUEE_MEDIA_DIR", self.dir.join("media"))
            .env("RUST_LOG", "warn")
            .current_dir(&self.dir)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| fail(&format!("cannot start {}: {e}", self.binary.display())));
        self.pids.lock().unwrap()[i] = child.id();
        s.child = Some(child);
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.servers[i].child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
        self.pids.lock().unwrap()[i] = 0;
    }

    fn rss_mb(&self, i: usize) -> Option<u64> {
        rss_mb(self.servers[i].child.as_ref()?.id())
    }
}

fn rss_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Every server's memory at each tenth of the run.
async fn sample_memory(pids: Arc<Mutex<Vec<u32>>>, secs: u64, shared: Arc<Shared>) -> Vec<Vec<Option<u64>>> {
    let mut samples = Vec::new();
    let started = Instant::now();
    for k in 1..=10 {
        tokio::time::sleep_until((started + Duration::from_secs_f64(secs as f64 * k as f64 / 10.0) - Duration::from_millis(500)).into()).await;
        let now: Vec<u32> = pids.lock().unwrap().clone();
        samples.push(now.into_iter().map(|p| if p == 0 { None } else { rss_mb(p) }).collect());
        if Instant::now() >= shared.deadline {
            break;
        }
    }
    samples
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.servers.len() {
            self.kill(i);
        }
    }
}

async fn wait_ready(addr: &str, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        let mut c = Conn::new(addr);
        if let Ok(a) = c.get("/healthz", &[]).await {
            if a.status == 200 {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

struct Haproxy {
    child: Child,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// HAProxy in front of the servers: round robin, health checks twice a second, and a GET that
/// found its server gone (refused, or closed without an answer) tried once more on another.
/// Other methods are never replayed: a comment is sent once.
fn start_haproxy(dir: &Path, port: u16, servers: &[u16], connections: usize) -> Haproxy {
    let mut cfg = format!(
        "global\n  maxconn {max}\n  nbthread 1\n\
defaults\n  mode http\n  timeout connect 2s\n  timeout client 120s\n  timeout server 60s\n  timeout http-keep-alive 120s\n  timeout queue 30s\n  retries 3\n  option redispatch 1\n  retry-on conn-failure empty-response response-timeout\n\
frontend site\n  bind 127.0.0.1:{port}\n  option forwardfor\n  http-request disable-l7-retry unless METH_GET\n  default_backend servers\n\
backend servers\n  balance roundrobin\n  option httpchk GET /healthz\n  default-server inter 500ms fall 2 rise 2\n",
        max = connections * 2 + 200
    );
    for (i, p) in servers.iter().enumerate() {
        cfg.push_str(&format!("  server app{} 127.0.0.1:{p} check\n", i + 1));
    }
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, cfg).unwrap();
    let log = std::fs::File::create(dir.join("haproxy.log")).unwrap();
    let child = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| fail(&format!("cannot start haproxy ({e}); scripts/load installs it from apt")));
    Haproxy { child }
}

/// Shared between the traffic and the fault schedule.
struct Shared {
    deadline: Instant,
    /// A fault is happening (or just happened): propagation times are not held to the limit.
    fault: AtomicBool,
    /// The server that is down on purpose, if any (usize::MAX: none).
    down: AtomicUsize,
    acknowledged: Mutex<Vec<String>>,
    unacknowledged: AtomicUsize,
    propagation: Mutex<Vec<(Duration, bool)>>,
    probe_failures: Mutex<Vec<String>>,
}

fn pick<'a>(rng: &mut StdRng, v: &'a [String]) -> Option<&'a str> {
    (!v.is_empty()).then(|| v[rng.gen_range(0..v.len())].as_str())
}

const SEARCHES: &[&str] = &["film", "music", "housing", "theater", "festival", "\"city hall\"", "thea*", "review -music", "dinner", "jazz"];

async fn anonymous_reader(i: usize, addr: String, pages: Arc<Pages>, shared: Arc<Shared>) -> Tally {
    let mut tally = Tally::default();
    let mut rng = StdRng::seed_from_u64(i as u64);
    let ip = format!("10.{}.{}.{}", i / 62500 % 250, i / 250 % 250, i % 250 + 1);
    let mut conn = Conn::new(&addr);
    // Readers arrive over the first seconds, not all at once.
    tokio::time::sleep(Duration::from_millis(rng.gen_range(0..3000))).await;
    while Instant::now() < shared.deadline {
        let roll = rng.gen_range(0..100);
        let (kind, path): (&'static str, String) = match roll {
            0..=44 => ("article", pick(&mut rng, &pages.by_kind["article"]).unwrap_or("/").to_string()),
            45..=59 => ("home", "/".to_string()),
            60..=69 => ("section", pick(&mut rng, &pages.by_kind["section"]).unwrap_or("/").to_string()),
            70..=74 => ("author", pick(&mut rng, pages.by_kind.get("author").map(Vec::as_slice).unwrap_or(&[])).unwrap_or("/").to_string()),
            75..=79 => ("tag", pick(&mut rng, pages.by_kind.get("tag").map(Vec::as_slice).unwrap_or(&[])).unwrap_or("/").to_string()),
            80..=84 => ("film", pick(&mut rng, pages.by_kind.get("film").map(Vec::as_slice).unwrap_or(&[])).unwrap_or("/").to_string()),
            85..=89 => ("search", format!("/search/?q={}", form_encode(&[("", SEARCHES[rng.gen_range(0..SEARCHES.len())])]).trim_start_matches('='))),
            90..=95 => ("feed", ["/feed.xml", "/atom.xml", "/feed.json", "/news/feed.xml"][rng.gen_range(0..4)].to_string()),
            _ => ("events", "/events/".to_string()),
        };
        let t = Instant::now();
        match conn.get(&path, &[("user-agent", AGENT), ("x-forwarded-for", &ip)]).await {
            Ok(a) if a.status == 200 => tally.ok(kind, t),
            Ok(a) => tally.error(kind, format!("{path} answered {}", a.status)),
            Err(e) => tally.error(kind, format!("{path}: {e}")),
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(500..1500))).await;
    }
    tally
}

async fn signed_in_reader(i: usize, addr: String, token: String, hot: Arc<Vec<String>>, shared: Arc<Shared>, secs: u64) -> Tally {
    let mut tally = Tally::default();
    let mut rng = StdRng::seed_from_u64(1_000_000 + i as u64);
    let ip = format!("10.250.{}.{}", i / 250 % 250, i % 250 + 1);
    let mut cookies: HashMap<String, String> = HashMap::from([("mq_reader".to_string(), token)]);
    let mut conn = Conn::new(&addr);
    let first = rng.gen_range(5..(secs.min(COMMENT_EVERY) - 5).max(6));
    let mut next_comment = Instant::now() + Duration::from_secs(first);
    let mut n = 0;
    tokio::time::sleep(Duration::from_millis(rng.gen_range(0..3000))).await;
    while Instant::now() < shared.deadline {
        let path = hot[rng.gen_range(0..hot.len())].clone();
        let cookie = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let t = Instant::now();
        let page = match conn.get(&path, &[("user-agent", AGENT), ("x-forwarded-for", &ip), ("cookie", &cookie)]).await {
            Ok(a) if a.status == 200 => {
                tally.ok("signed-in article", t);
                cookies.extend(a.cookies);
                String::from_utf8_lossy(&a.body).to_string()
            }
            Ok(a) => {
                tally.error("signed-in article", format!("{path} answered {}", a.status));
                String::new()
            }
            Err(e) => {
                tally.error("signed-in article", format!("{path}: {e}"));
                String::new()
            }
        };
        if Instant::now() >= next_comment && Instant::now() + Duration::from_secs(2) < shared.deadline {
            if let Some(csrf) = csrf_in(&page) {
                n += 1;
                let marker = format!("load-{}-r{i}-c{n}", std::process::id());
                let body = format!("Read this twice and still think the second half is the stronger one; the city council scene lands. ({marker})");
                let form = form_encode(&[("_csrf", &csrf), ("body", &body), ("parent", ""), ("website", "")]);
                let cookie = cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
                let action = format!("{path}comments");
                let t = Instant::now();
                let headers = [("user-agent", AGENT), ("x-forwarded-for", ip.as_str()), ("cookie", cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")];
                match conn.request(Method::POST, &action, &headers, Some(form)).await {
                    Ok(a) if a.status == 303 && a.location.contains("posted=") => {
                        tally.ok("comment", t);
                        shared.acknowledged.lock().unwrap().push(marker);
                    }
                    // Answered "not saved, send it again" while the database was away: not
                    // acknowledged, so nothing is promised; anything else is a failure.
                    Ok(a) if a.status == 503 && shared.fault.load(Ordering::Relaxed) => {
                        shared.unacknowledged.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(a) => tally.error("comment", format!("{action} answered {}: {}", a.status, String::from_utf8_lossy(&a.body).chars().take(200).collect::<String>())),
                    Err(e) if shared.fault.load(Ordering::Relaxed) => {
                        // The connection broke during a fault: the reader does not know
                        // whether it was saved; it was not acknowledged.
                        shared.unacknowledged.fetch_add(1, Ordering::Relaxed);
                        let _ = e;
                    }
                    Err(e) => tally.error("comment", format!("{action}: {e}")),
                }
                next_comment = Instant::now() + Duration::from_secs(COMMENT_EVERY + rng.gen_range(0..30));
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.gen_range(1000..3000))).await;
    }
    tally
}

/// Publishes and edits through the Admin API, and times how long each server takes to show it.
async fn editor(addr: String, key: String, backends: Vec<String>, shared: Arc<Shared>, every: f64) -> Tally {
    let mut tally = Tally::default();
    let (key_id, secret) = marquee_api::token::split_key(&key).expect("an Admin key");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let mut last: Option<(String, String, String)> = None; // id, updated_at, path
    let mut n = 0;
    while Instant::now() + Duration::from_secs(3) < shared.deadline {
        tokio::time::sleep(Duration::from_secs_f64(every)).await;
        n += 1;
        let auth = format!("Ghost {}", marquee_api::token::sign(key_id, &secret, marquee_domain::time::now_unix(), 300));
        let title = format!("Desk update {n} from the load run {}", std::process::id());
        let (kind, req) = match &last {
            Some((id, updated, _)) if n % 2 == 0 => (
                "editor edit",
                client.put(format!("http://{addr}/ghost/api/admin/posts/{id}/")).json(&serde_json::json!({ "posts": [{ "title": title, "updated_at": updated }] })),
            ),
            _ => (
                "editor publish",
                client.post(format!("http://{addr}/ghost/api/admin/posts/")).json(&serde_json::json!({ "posts": [{
                    "title": title,
                    "markdown": format!("The council met again tonight. Update {n}: the vote on the rezoning moved to next week."),
                    "custom_excerpt": "Filed during the busy hour.",
                    "tags": [{ "name": "News" }],
                    "status": "published"
                }] })),
            ),
        };
        let t = Instant::now();
        let resp = req.header("authorization", auth).send().await;
        let v = match resp {
            Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok(),
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                if status.as_u16() == 503 && shared.fault.load(Ordering::Relaxed) {
                    // Refused while PostgreSQL restarted: the editor saves again.
                    continue;
                }
                tally.error(kind, format!("{status}: {}", text.chars().take(200).collect::<String>()));
                continue;
            }
            Err(e) => {
                if !shared.fault.load(Ordering::Relaxed) {
                    tally.error(kind, e.to_string());
                }
                continue;
            }
        };
        let Some(post) = v.as_ref().map(|v| v["posts"][0].clone()) else {
            tally.error(kind, "an answer that is not a post".into());
            continue;
        };
        tally.ok(kind, t);
        let answered = Instant::now();
        let url = post["url"].as_str().unwrap_or("");
        let path = url.split_once("://").and_then(|(_, r)| r.find('/').map(|i| r[i..].to_string())).unwrap_or_default();
        last = Some((post["id"].as_str().unwrap_or("").to_string(), post["updated_at"].as_str().unwrap_or("").to_string(), path.clone()));
        // Every server at once, asked directly until it shows the title: a look starts every
        // 50 ms on a connection of its own without waiting for the one before, as readers
        // reloading would, so one slow answer under load does not hold back the next look.
        // A server's time is when the first answer showing the title arrived.
        let mut looks = tokio::task::JoinSet::new();
        for (i, b) in backends.iter().enumerate() {
            if shared.down.load(Ordering::Relaxed) == i {
                continue;
            }
            looks.spawn(first_showing(b.clone(), path.clone(), title.clone(), answered));
        }
        let mut slowest = Duration::ZERO;
        let mut all_seen = true;
        while let Some(seen) = looks.join_next().await {
            match seen.ok().flatten() {
                Some(after) => slowest = slowest.max(after),
                None => all_seen = false,
            }
        }
        let during_fault = shared.fault.load(Ordering::Relaxed);
        if !all_seen && !during_fault {
            tally.error(kind, format!("{path} not shown by every server within 10 s"));
        }
        shared.propagation.lock().unwrap().push((slowest, during_fault));
    }
    tally
}

/// How long after `since` the server at `backend` first answered `path` with `title` in it,
/// looking every 50 ms with overlapping requests; `None` if it did not within 10 s.
async fn first_showing(backend: String, path: String, title: String, since: Instant) -> Option<Duration> {
    let mut pending = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let limit = since + Duration::from_secs(10);
    loop {
        tokio::select! {
            _ = tick.tick(), if Instant::now() < limit => {
                let (backend, path, title) = (backend.clone(), path.clone(), title.clone());
                pending.spawn(async move {
                    let mut conn = Conn::new(&backend);
                    match conn.get(&path, &[("user-agent", "MarqueeLoadProbe/1.0")]).await {
                        Ok(a) => a.status == 200 && String::from_utf8_lossy(&a.body).contains(&title),
                        Err(_) => false,
                    }
                });
            }
            Some(shown) = pending.join_next() => {
                if shown.unwrap_or(false) {
                    return Some(since.elapsed());
                }
            }
            // Past the limit with no look left in flight.
            else => return None,
        }
    }
}

async fn crawler(addr: String, shared: Arc<Shared>) -> Tally {
    let mut tally = Tally::default();
    let mut conn = Conn::new(&addr);
    while Instant::now() < shared.deadline {
        let pages = read_sitemaps(&mut conn, Some(&mut tally)).await;
        for p in pages {
            if Instant::now() >= shared.deadline {
                break;
            }
            let t = Instant::now();
            match conn.get(&p, &[("user-agent", "MarqueeLoadCrawler/1.0")]).await {
                Ok(a) if a.status == 200 => tally.ok("crawler page", t),
                Ok(a) => tally.error("crawler page", format!("{p} answered {}", a.status)),
                Err(e) => tally.error("crawler page", format!("{p}: {e}")),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tally
}

/// Asks every server directly for the home page four times a second; a server that is not
/// down on purpose must answer every time.
async fn probe(backends: Vec<String>, shared: Arc<Shared>) -> Tally {
    let mut tally = Tally::default();
    let mut conns: Vec<Conn> = backends.iter().map(|b| Conn::new(b)).collect();
    while Instant::now() < shared.deadline {
        for (i, c) in conns.iter_mut().enumerate() {
            if shared.down.load(Ordering::Relaxed) == i {
                c.send = None;
                continue;
            }
            let t = Instant::now();
            let r = c.get("/", &[("user-agent", "MarqueeLoadProbe/1.0")]).await;
            // The server may have been killed while this request was on its way.
            if shared.down.load(Ordering::Relaxed) == i {
                continue;
            }
            match r {
                Ok(a) if a.status == 200 => tally.ok("probe", t),
                Ok(a) => shared.probe_failures.lock().unwrap().push(format!("server {} answered {}", i + 1, a.status)),
                Err(e) => shared.probe_failures.lock().unwrap().push(format!("server {}: {e}", i + 1)),
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let a = args();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let code = rt.block_on(run(a));
    rt.shutdown_timeout(Duration::from_secs(2));
    std::process::exit(code);
}

async fn run(a: Args) -> i32 {
    std::fs::create_dir_all(&a.work_dir).unwrap();
    let binary = std::fs::canonicalize(&a.binary).unwrap_or_else(|_| fail(&format!("{} not found: build it first (scripts/load does)", a.binary.display())));
    println!("Marquee load run: {} s, {} reader connections, {} servers behind HAProxy, one PostgreSQL", a.secs, a.connections, a.servers);
    println!("Work directory (logs): {}", a.work_dir.display());

    // A scratch database with the demo paper in it.
    let db_name = format!("marquee_load_{}", std::process::id());
    let admin = marquee_store::Store::connect(&a.postgres).await.unwrap_or_else(|e| fail(&format!("cannot reach PostgreSQL at {}: {e}", a.postgres)));
    sqlx::query(&format!("CREATE DATABASE {db_name}")).execute(admin.pool()).await.unwrap();
    admin.close().await;
    let root = a.postgres.rsplit_once('/').map(|(r, _)| r.to_string()).unwrap();
    let database_url = format!("{root}/{db_name}");
    let code = run_on(&a, &binary, &database_url).await;
    let admin = marquee_store::Store::connect(&a.postgres).await.unwrap();
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")).execute(admin.pool()).await;
    admin.close().await;
    if code == 0 {
        let _ = std::fs::remove_dir_all(&a.work_dir);
    }
    code
}

async fn run_on(a: &Args, binary: &Path, database_url: &str) -> i32 {
    let seed_port = free_port();
    {
        let mut seed = Command::new(binary)
            .args(["demo", "--addr", &format!("127.0.0.1:{seed_port}"), "--data-dir"])
            .arg(a.work_dir.join("demo"))
            .args(["--database-url", database_url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let ok = wait_ready(&format!("127.0.0.1:{seed_port}"), Duration::from_secs(300)).await;
        let _ = seed.kill();
        let _ = seed.wait();
        if !ok {
            fail("the demo paper could not be made");
        }
    }
    let out = Command::new(binary)
        .args(["key", "add", "--kind", "admin", "--name", "Load run desk", "--user", marquee::demo::DEMO_EDITOR_EMAIL, "--database-url", database_url])
        .output()
        .unwrap();
    if !out.status.success() {
        fail(&format!("marquee key add: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let admin_key = String::from_utf8_lossy(&out.stdout).trim().to_string();

    let sink = marquee_mail::sink::SmtpSink::start().await;
    let mut cluster = Cluster {
        binary: binary.to_path_buf(),
        database_url: database_url.to_string(),
        smtp_port: sink.port(),
        dir: a.work_dir.clone(),
        servers: Vec::new(),
        pids: Arc::new(Mutex::new(vec![0; a.servers])),
    };
    for i in 0..a.servers {
        cluster.servers.push(Server { port: free_port(), child: None, log: a.work_dir.join(format!("server{}.log", i + 1)) });
        cluster.start_server(i);
    }
    let backends: Vec<String> = cluster.servers.iter().map(|s| format!("127.0.0.1:{}", s.port)).collect();
    for b in &backends {
        if !wait_ready(b, Duration::from_secs(60)).await {
            fail(&format!("the server on {b} did not start; see {}", a.work_dir.display()));
        }
    }
    let proxy_port = free_port();
    let _haproxy = start_haproxy(&a.work_dir, proxy_port, &cluster.servers.iter().map(|s| s.port).collect::<Vec<_>>(), a.connections);
    let proxy = format!("127.0.0.1:{proxy_port}");
    if !wait_ready(&proxy, Duration::from_secs(30)).await {
        fail(&format!("HAProxy did not start; see {}/haproxy.log", a.work_dir.display()));
    }

    // The site's pages, from its sitemaps.
    let mut pages = Pages::default();
    for p in read_sitemaps(&mut Conn::new(&proxy), None).await {
        pages.by_kind.entry(kind_of(&p)).or_default().push(p);
    }
    for k in ["article", "section"] {
        if pages.by_kind.get(k).is_none_or(|v| v.is_empty()) {
            fail(&format!("the sitemaps list no {k} pages"));
        }
    }
    let mut hot: Vec<String> = pages.by_kind["article"].iter().filter(|p| !p.starts_with("/news/")).take(HOT_ARTICLES).cloned().collect();
    hot.sort();

    // Signed-in readers: regulars (two approved comments each, elsewhere), each subscribed to
    // the threads of two of the busy articles.
    let signed_in = (a.connections / 10).max(1);
    let store = marquee_store::Store::connect(database_url).await.unwrap();
    let now = marquee_domain::time::now_unix();
    let mut hot_ids = Vec::new();
    for p in &hot {
        let parts: Vec<&str> = p.trim_matches('/').split('/').collect();
        let page = store.live_article(parts[0], parts[1], now).await.unwrap().expect("a live article");
        hot_ids.push(page.card.id);
    }
    let elsewhere = {
        let p = pages.by_kind["article"].iter().find(|p| !hot.contains(p)).expect("an article nobody reads").clone();
        let parts: Vec<&str> = p.trim_matches('/').split('/').collect();
        store.live_article(parts[0], parts[1], now).await.unwrap().unwrap().card.id
    };
    let no_mail = |_: &marquee_store::Subscriber, _: i64| -> marquee_store::NewMail { unreachable!("nobody is subscribed yet") };
    let first = ["Alma", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irene", "Jonas", "Keiko", "Luis", "Mara", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tamar", "Ulla"];
    let last = ["Berg", "Costa", "Duval", "Ekholm", "Ferrer", "Gallo", "Hale", "Ishii", "Jansen", "Kowalski"];
    let mut tokens = Vec::new();
    let mut rng = StdRng::seed_from_u64(42);
    for i in 0..signed_in {
        let name = format!("{} {}", first[i % first.len()], last[(i / first.len()) % last.len()]);
        let reader = store.create_verified_reader(&format!("reader{i}@load.test"), &name, "not-a-password-hash", now - 86400 * 30).await.unwrap();
        for k in 0..2 {
            let body = format!("An older comment, number {k}, from a regular reader.");
            let html = marquee_domain::comment::render_comment(&body).unwrap().html;
            let c = marquee_store::NewComment { article_id: elsewhere, reader_id: reader, parent_id: None, body: &body, body_html: &html, status: "approved", hold_reason: "", ip: "", now: now - 86400 * 20 + k };
            store.add_comment(c, &no_mail).await.unwrap().unwrap();
        }
        let mut subscribed = HashSet::new();
        while subscribed.len() < SUBSCRIPTIONS.min(hot_ids.len()) {
            subscribed.insert(hot_ids[rng.gen_range(0..hot_ids.len())]);
        }
        for id in subscribed {
            store.subscribe(reader, id, now).await.unwrap();
        }
        let token = format!("load-session-{i}-{}", std::process::id());
        store.create_reader_session(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes())), reader, now, now + 86400).await.unwrap();
        tokens.push(token);
    }
    let followers = Followers::start().await;
    for i in 0..FOLLOWERS {
        let url = format!("{}/users/{i}", followers.base);
        let (inbox, key_id, username, name) = (format!("{url}/inbox"), format!("{url}#key"), format!("follower{i}"), format!("Follower {i}"));
        let record = marquee_store::ActorRecord { url: &url, inbox: &inbox, shared_inbox: "", key_id: &key_id, public_key_pem: "unused", username: &username, name: &name };
        let actor = store.save_remote_actor(&record, now).await.unwrap();
        // The paper's Accept goes out through the same queue as the articles.
        let accept = serde_json::json!({ "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{url}/accepted"), "type": "Accept", "object": format!("{url}/follow") });
        store.add_follower(&actor, &format!("{url}/follow"), &accept.to_string(), now).await.unwrap();
    }
    println!(
        "{} pages in the sitemaps; {} signed-in readers (each subscribed to {SUBSCRIPTIONS} of {} busy threads), {} anonymous; {FOLLOWERS} followers on another server",
        pages.by_kind.values().map(Vec::len).sum::<usize>(),
        signed_in,
        hot.len(),
        a.connections - signed_in
    );

    let shared = Arc::new(Shared {
        deadline: Instant::now() + Duration::from_secs(a.secs),
        fault: AtomicBool::new(false),
        down: AtomicUsize::new(usize::MAX),
        acknowledged: Mutex::new(Vec::new()),
        unacknowledged: AtomicUsize::new(0),
        propagation: Mutex::new(Vec::new()),
        probe_failures: Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let pages = Arc::new(pages);
    let hot = Arc::new(hot);
    let mut tasks = Vec::new();
    for i in 0..a.connections - signed_in {
        tasks.push(tokio::spawn(anonymous_reader(i, proxy.clone(), pages.clone(), shared.clone())));
    }
    for (i, token) in tokens.into_iter().enumerate() {
        tasks.push(tokio::spawn(signed_in_reader(i, proxy.clone(), token, hot.clone(), shared.clone(), a.secs)));
    }
    tasks.push(tokio::spawn(editor(proxy.clone(), admin_key, backends.clone(), shared.clone(), a.editor_secs)));
    tasks.push(tokio::spawn(crawler(proxy.clone(), shared.clone())));
    tasks.push(tokio::spawn(probe(backends.clone(), shared.clone())));
    let memory = tokio::spawn(sample_memory(cluster.pids.clone(), a.secs, shared.clone()));

    // Faults, on a schedule.
    let at = |fraction: f64| started + Duration::from_secs_f64(a.secs as f64 * fraction);
    let mut log = Vec::new();
    let stamp = |started: Instant| format!("{:>6.1} s", started.elapsed().as_secs_f64());
    tokio::time::sleep_until(at(0.25).into()).await;
    shared.fault.store(true, Ordering::Relaxed);
    shared.down.store(1, Ordering::Relaxed);
    cluster.kill(1);
    log.push(format!("{} server 2 killed (SIGKILL)", stamp(started)));
    tokio::time::sleep(Duration::from_secs(3)).await;
    cluster.start_server(1);
    let back = wait_ready(&backends[1], Duration::from_secs(60)).await;
    log.push(format!("{} server 2 started again{}", stamp(started), if back { "" } else { " but did not answer" }));
    shared.down.store(usize::MAX, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(2)).await;
    shared.fault.store(false, Ordering::Relaxed);

    tokio::time::sleep_until(at(0.5).into()).await;
    shared.fault.store(true, Ordering::Relaxed);
    log.push(format!("{} PostgreSQL restarting", stamp(started)));
    let restart = Command::new("sh").arg("-c").arg("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main restart -m fast").output();
    match restart {
        Ok(o) if o.status.success() => log.push(format!("{} PostgreSQL restarted", stamp(started))),
        Ok(o) => log.push(format!("{} PostgreSQL restart FAILED: {}", stamp(started), String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => log.push(format!("{} PostgreSQL restart FAILED: {e}", stamp(started))),
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    shared.fault.store(false, Ordering::Relaxed);

    tokio::time::sleep_until(at(0.7).into()).await;
    let refusing = Duration::from_secs_f64((a.secs as f64 * 0.1).max(10.0));
    sink.fail_next(usize::MAX / 2);
    followers.refusing.store(true, Ordering::Relaxed);
    log.push(format!("{} the SMTP server refuses every message (451) and the followers' inboxes answer 503, for {} s", stamp(started), refusing.as_secs()));
    tokio::time::sleep(refusing).await;
    sink.fail_next(0);
    followers.refusing.store(false, Ordering::Relaxed);
    log.push(format!("{} the SMTP server and the followers' inboxes accept again", stamp(started)));

    let mut tally = Tally::default();
    for t in tasks {
        tally.merge(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_end: Vec<Option<u64>> = (0..a.servers).map(|i| cluster.rss_mb(i)).collect();
    let memory = memory.await.unwrap();

    // Mail and activities refused are retried with backoff (30 s, then 60 s, ...), and those a
    // killed server had claimed wait out its lease: wait for the outbox and the deliveries.
    let drain_started = Instant::now();
    let mut outbox: Vec<(String, i64)> = Vec::new();
    let mut deliveries: Vec<(String, i64)> = Vec::new();
    let mut drained_in = None;
    let mut delivered_in = None;
    let done = |rows: &[(String, i64)]| rows.iter().all(|(s, _)| s == "sent" || s == "failed");
    while drain_started.elapsed() < Duration::from_secs(300) {
        outbox = sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(store.pool()).await.unwrap_or_default();
        deliveries = sqlx::query_as("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetch_all(store.pool()).await.unwrap_or_default();
        if done(&outbox) {
            drained_in.get_or_insert(drain_started.elapsed().as_secs_f64());
        }
        if done(&deliveries) {
            delivered_in.get_or_insert(drain_started.elapsed().as_secs_f64());
        }
        if drained_in.is_some() && delivered_in.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let drained_in = drained_in.unwrap_or(f64::NAN);
    let delivered_in = delivered_in.unwrap_or(f64::NAN);

    // The report.
    println!("\nFaults:");
    for l in &log {
        println!("  {l}");
    }
    println!("\n{:<20} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7}", "kind", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors");
    let mut kinds: Vec<&'static str> = tally.latencies.keys().chain(tally.errors.keys()).copied().collect();
    kinds.sort();
    kinds.dedup();
    let mut total = 0usize;
    for k in &kinds {
        let mut v = tally.latencies.get(k).cloned().unwrap_or_default();
        v.sort_unstable();
        total += v.len();
        println!(
            "{:<20} {:>9} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>7}",
            k,
            v.len(),
            v.len() as f64 / elapsed,
            percentile(&v, 0.5),
            percentile(&v, 0.95),
            percentile(&v, 0.99),
            v.last().map(|x| *x as f64 / 1000.0).unwrap_or(f64::NAN),
            tally.errors.get(k).copied().unwrap_or(0)
        );
    }
    println!("{total} answered requests in {elapsed:.0} s ({:.0} req/s)", total as f64 / elapsed);
    println!("\nServer memory (RSS, MB) at each tenth of the run:");
    for i in 0..a.servers {
        let row: Vec<String> = memory.iter().map(|m| m[i].map(|v| format!("{v:>4}")).unwrap_or_else(|| "   -".into())).collect();
        println!("  server {}: {}{}", i + 1, row.join(" "), if i == 1 { "   (killed and started again at 25%)" } else { "" });
    }

    // What the servers said about the faults.
    let logged = |needle: &str| -> usize { cluster.servers.iter().map(|s| std::fs::read_to_string(&s.log).unwrap_or_default().matches(needle).count()).sum() };
    println!(
        "Server logs: {} answers waited for or were refused while the database was away; {} mail attempts failed and were retried",
        logged("the database is away"),
        logged("failed (attempt")
    );

    let mut failures: Vec<String> = Vec::new();
    let errors: usize = tally.errors.values().sum();
    if errors > 0 {
        failures.push(format!("{errors} requests failed; the first: {:#?}", tally.examples));
    }
    // Every acknowledged comment is in the database.
    let acknowledged = shared.acknowledged.lock().unwrap().clone();
    let stored: HashSet<String> = sqlx::query_as::<_, (String,)>("SELECT body FROM comments WHERE body LIKE '%(load-%'")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|(b,)| b.rsplit_once("(load-").map(|(_, m)| format!("load-{}", m.trim_end_matches(')'))))
        .collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|m| !stored.contains(*m)).collect();
    println!(
        "\nComments: {} acknowledged, {} in the database, {} lost; {} not acknowledged during faults (sent again by the reader's next try)",
        acknowledged.len(),
        stored.len(),
        lost.len(),
        shared.unacknowledged.load(Ordering::Relaxed)
    );
    if !lost.is_empty() {
        failures.push(format!("{} acknowledged comments are not in the database: {:?}", lost.len(), lost.iter().take(5).collect::<Vec<_>>()));
    }
    if acknowledged.is_empty() {
        failures.push("no comment was acknowledged: the signed-in readers did not comment".into());
    }
    // Every queued message arrived once.
    let queued: Vec<(i64, i64, String)> = sqlx::query_as("SELECT id, created_at, status FROM outbox ORDER BY id").fetch_all(store.pool()).await.unwrap();
    let mut arrived: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        if let Some(id) = m.header("Message-ID") {
            *arrived.entry(id.trim().trim_matches(['<', '>']).split('@').next().unwrap_or("").to_string()).or_default() += 1;
        }
    }
    let twice = arrived.values().filter(|n| **n > 1).count();
    let missing: Vec<i64> = queued.iter().filter(|(id, created, _)| !arrived.contains_key(&format!("outbox-{id}.{created}"))).map(|(id, _, _)| *id).collect();
    let not_sent = queued.iter().filter(|(_, _, s)| s != "sent").count();
    println!(
        "Mail: {} queued, {} arrived at the SMTP server ({} twice), {} not sent; the outbox emptied {:.0} s after the traffic stopped ({:?})",
        queued.len(),
        arrived.len(),
        twice,
        missing.len(),
        drained_in,
        outbox
    );
    if !missing.is_empty() || not_sent > 0 {
        failures.push(format!("{} queued messages did not arrive ({} not marked sent): {:?}", missing.len(), not_sent, missing.iter().take(10).collect::<Vec<_>>()));
    }
    if twice > 0 {
        failures.push(format!("{twice} messages arrived more than once"));
    }
    if queued.is_empty() {
        failures.push("no mail was queued: the subscriptions did not work".into());
    }
    // Every activity queued for a follower reached its inbox.
    let queued: Vec<(String, String, String)> = sqlx::query_as("SELECT inbox, activity, status FROM deliveries WHERE inbox LIKE $1 ORDER BY id")
        .bind(format!("{}/%", followers.base))
        .fetch_all(store.pool())
        .await
        .unwrap();
    let got = followers.got.lock().unwrap().clone();
    let mut undelivered = Vec::new();
    for (inbox, activity, _) in &queued {
        let id = serde_json::from_str::<serde_json::Value>(activity).ok().and_then(|v| v["id"].as_str().map(str::to_string)).unwrap_or_default();
        if !got.contains_key(&(inbox.strip_prefix(followers.base.as_str()).unwrap_or(inbox).to_string(), id.clone())) {
            undelivered.push(format!("{inbox} {id}"));
        }
    }
    let not_sent = queued.iter().filter(|(_, _, s)| s != "sent").count();
    let again = got.values().filter(|n| **n > 1).count();
    let unsigned = followers.unsigned.load(Ordering::Relaxed);
    println!(
        "Federation: {} activities queued for {FOLLOWERS} followers, {} arrived ({} more than once), {} not delivered, {} unsigned, {} posts refused (503) and retried; the deliveries emptied {:.0} s after the traffic stopped ({:?})",
        queued.len(),
        got.len(),
        again,
        undelivered.len(),
        unsigned,
        followers.refused.load(Ordering::Relaxed),
        delivered_in,
        deliveries
    );
    if !undelivered.is_empty() || not_sent > 0 {
        failures.push(format!("{} queued activities did not reach their inbox ({} not marked sent): {:?}", undelivered.len(), not_sent, undelivered.iter().take(5).collect::<Vec<_>>()));
    }
    if unsigned > 0 {
        failures.push(format!("{unsigned} activities arrived without a signature"));
    }
    if queued.len() <= FOLLOWERS {
        failures.push("no article was sent to the followers: only their Accepts were queued".into());
    }
    // The survivors kept serving.
    let probe_failures = shared.probe_failures.lock().unwrap().clone();
    println!("Probe: each server asked directly for the home page 4 times a second: {} failures", probe_failures.len());
    if !probe_failures.is_empty() {
        failures.push(format!("servers that were not down failed the probe: {:?}", probe_failures.iter().take(10).collect::<Vec<_>>()));
    }
    // Edits showed on every server in time.
    let propagation = shared.propagation.lock().unwrap().clone();
    let mut calm: Vec<Duration> = propagation.iter().filter(|(_, f)| !f).map(|(d, _)| *d).collect();
    calm.sort();
    let slowest_calm = calm.last().copied().unwrap_or_default();
    println!(
        "Edits: {} published or edited; every server showed each within {:.0} ms (median {:.0} ms) outside faults",
        propagation.len(),
        slowest_calm.as_secs_f64() * 1000.0,
        calm.get(calm.len() / 2).copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    if slowest_calm > PROPAGATION_LIMIT {
        failures.push(format!("an edit took {:.0} ms to show on every server (limit {} ms)", slowest_calm.as_secs_f64() * 1000.0, PROPAGATION_LIMIT.as_millis()));
    }
    if propagation.is_empty() {
        failures.push("the editor published nothing".into());
    }
    for (i, r) in rss_end.iter().enumerate() {
        match r {
            Some(mb) if *mb > RSS_LIMIT_MB => failures.push(format!("server {} uses {mb} MB (limit {RSS_LIMIT_MB} MB)", i + 1)),
            None => failures.push(format!("server {} was not running at the end", i + 1)),
            _ => {}
        }
    }
    store.close().await;
    drop(cluster);
    if failures.is_empty() {
        println!("\nPASS: every check held.");
        0
    } else {
        println!("\nFAIL:");
        for f in &failures {
            println!("  - {f}");
        }
        println!("Logs: {}", a.work_dir.display());
        1
    }
}
