//! `cargo bench -p marquee --bench pages`: starts the demo site (the real binary, SQLite) and
//! measures requests per second and latency for the home, section and article pages under 64
//! concurrent keep-alive connections, next to a static file served by the same server in the
//! same run, then prints each page's throughput as a ratio of the static file's.
//! Before it measures, it gives the review 50 approved comments (46 from readers it adds to the
//! demo) and signs in 64 other verified readers; the "signed-in" rows ask for the review as
//! those readers, one per connection, each getting their own comment forms and token (each
//! sends the form-token nonce cookie it would have kept since signing in).
//! It runs with the page cache (the default), without it (every request renders),
//! and without the box cache as well, to show what the boxes would cost;
//! then adds 500 theaters and 100,000 showtimes (most far away or in the past) and measures
//! the review page with its Now Playing box again. Between the two it serves the same site
//! with `marquee serve` (no API rate limit) and measures Ghost's Content API,
//! `posts/?include=authors,tags&limit=15` with a Content key made by `marquee key add`, next to
//! the static file and the article page, with the page cache and without.
//! Requests carry a browser's User-Agent, so each article request is counted for Most Popular.
//! MARQUEE_BENCH_SECS sets the seconds per page (default 5); MARQUEE_BENCH_CONNECTIONS the
//! connections (default 64); MARQUEE_BENCH_ONLY (page names separated by commas, such as
//! `signed-in`) leaves out the other rows but the static file's, for a profiler;
//! MARQUEE_BENCH_AGAINST=path/to/older/marquee measures, after the demo's rows and before
//! anything more is added, the uncached review on this build and on that one (each on a demo
//! of its own with the same comments) in turns, and prints their ratio against the 4× target
//! (the signed-in rows print theirs too);
//! MARQUEE_BENCH_GZIP=1 has every request say it accepts gzip, as browsers do (the body is
//! read as sent, not decompressed);
//! MARQUEE_BENCH_BIN measures another `marquee` binary (an older commit's) on the same data;
//! MARQUEE_BENCH_DB=postgres keeps the demo in a scratch PostgreSQL database (on
//! MARQUEE_BENCH_POSTGRES_URL, default the local `test` one), dropped at the end.

mod scratch;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::Request;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

const PAGES: &[(&str, &str)] = &[
    ("static file", "/static/style.css"),
    ("home", "/"),
    ("section", "/movie-review/"),
    ("article", "/movie-review/rust-and-bone/"),
    ("signed-in", "/movie-review/rust-and-bone/"),
];

/// Signed-in readers the "signed-in" rows spread their connections over.
const READERS: usize = 64;

const READER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary to measure: this build's, or the one `MARQUEE_BENCH_BIN` names (an older
/// commit's, to compare side by side; the data is then set up by this build's code without
/// running its migrations, so the older binary can open it).
fn binary() -> String {
    std::env::var("MARQUEE_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_marquee").to_string())
}

fn start(addr: &str, data_dir: &std::path::Path, cache: bool, boxes: bool) -> Server {
    start_with(&binary(), POSTGRES.get().map(String::as_str), addr, data_dir, cache, boxes)
}

/// `marquee demo` from the binary `bin`, on `postgres` when given, else on SQLite in `data_dir`.
fn start_with(bin: &str, postgres: Option<&str>, addr: &str, data_dir: &std::path::Path, cache: bool, boxes: bool) -> Server {
    let mut cmd = Command::new(bin);
    cmd.args(["demo", "--addr", addr, "--data-dir"]).arg(data_dir).stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(url) = postgres {
        cmd.args(["--database-url", url]);
    }
    if !cache {
        cmd.arg("--no-page-cache");
    }
    if !boxes {
        cmd.arg("--no-box-cache");
    }
    Server { child: cmd.spawn().expect("start marquee") }
}

/// `marquee serve` on the demo's database, with no API rate limit (the load is one key from
/// one address).
fn serve(addr: &str, data_dir: &std::path::Path, cache: bool) -> Server {
    let mut cmd = Command::new(binary());
    cmd.args(["serve", "--addr", addr, "--database-url", &database_url(data_dir)])
        .env("MARQUEE_API_REQUESTS_PER_MINUTE", "0")
        .env("MARQUEE_PAGE_CACHE", if cache { "1" } else { "0" })
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    Server { child: cmd.spawn().expect("start marquee serve") }
}

/// The PostgreSQL database the site runs on under `MARQUEE_BENCH_DB=postgres`.
static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn database_url(data_dir: &std::path::Path) -> String {
    match POSTGRES.get() {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", data_dir.join("marquee.db").display()),
    }
}



/// A Content API key for the demo's database, made as a user would make one.
fn content_key(data_dir: &std::path::Path) -> String {
    let out = Command::new(binary())
        .args(["key", "add", "--kind", "content", "--name", "Benchmark", "--database-url", &database_url(data_dir)])
        .output()
        .expect("run marquee key add");
    assert!(out.status.success(), "marquee key add: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn wait_ready(addr: &str) {
    for _ in 0..600 {
        if let Ok(s) = TcpStream::connect(addr).await {
            if get_once(s, addr, "/healthz").await.is_some() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the demo server did not start on {addr}");
}

async fn get_once(stream: TcpStream, addr: &str, path: &str) -> Option<u16> {
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut send, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(io).await.ok()?;
    tokio::spawn(conn);
    let req = Request::get(path).header("host", addr).body(Empty::new()).ok()?;
    let resp = send.send_request(req).await.ok()?;
    let status = resp.status().as_u16();
    resp.into_body().collect().await.ok()?;
    Some(status)
}

struct Result {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

/// `sessions`: the reader session cookies to send, connection i sending cookie i modulo
/// their number (none when empty), with the form-token nonce a browser keeps from the page
/// it signed in on.
async fn load(addr: &str, path: &str, connections: usize, secs: u64, sessions: &[String]) -> Result {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let gzip = std::env::var("MARQUEE_BENCH_GZIP").is_ok_and(|v| v == "1");
    let mut tasks = Vec::new();
    for i in 0..connections {
        let addr = addr.to_string();
        let path = path.to_string();
        let cookie = (!sessions.is_empty()).then(|| format!("mq_reader={}; mq_csrf={:064x}", sessions[i % sessions.len()], i % sessions.len() + 1));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(4096);
            let mut errors = 0usize;
            let stream = TcpStream::connect(&addr).await.expect("connect");
            stream.set_nodelay(true).ok();
            let io = hyper_util::rt::TokioIo::new(stream);
            let (mut send, conn) = hyper::client::conn::http1::handshake::<_, Empty<Bytes>>(io).await.expect("handshake");
            tokio::spawn(conn);
            while Instant::now() < deadline {
                let t = Instant::now();
                // A browser's User-Agent, so that every article request counts as a page view.
                let mut req = Request::get(&path).header("host", &addr).header("user-agent", READER_AGENT);
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                if gzip {
                    req = req.header("accept-encoding", "gzip, deflate, br");
                }
                let req = req.body(Empty::new()).unwrap();
                match send.send_request(req).await {
                    Ok(resp) => {
                        let ok = resp.status().is_success();
                        let body = resp.into_body().collect().await;
                        if ok && body.is_ok() {
                            lat.push(t.elapsed());
                        } else {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(f64::NAN);
    Result { rps: all.len() as f64 / elapsed, p50_ms: pct(0.50), p99_ms: pct(0.99), errors }
}

/// Gives the review 50 approved comments in all (the demo has 4; 46 readers add one each,
/// some as replies) and signs in `READERS` verified readers with no comment there; answers
/// their session tokens, as the `mq_reader` cookie carries them.
async fn add_readers(database_url: &str) -> Vec<String> {
    let store = marquee_store::Store::connect(database_url).await.expect("open the demo database");
    let now = jiff::Timestamp::now().as_second();
    let page = store.live_article("movie-review", "rust-and-bone", now).await.unwrap().expect("the demo review");
    let no_mail = |_: &marquee_store::Subscriber, _: i64| -> marquee_store::NewMail { unreachable!("nobody is subscribed") };
    let first = ["Alma", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irene", "Jonas", "Keiko", "Luis", "Mara", "Nils", "Olga", "Pavel"];
    let last = ["Berg", "Costa", "Duval", "Ekholm", "Ferrer", "Gallo", "Hale", "Ishii"];
    let name = |i: usize| format!("{} {}", first[i % first.len()], last[(i / first.len()) % last.len()]);
    let mut ids: Vec<i64> = Vec::new();
    for i in 0..46 {
        let reader = store.create_verified_reader(&format!("commenter{i}@bench.test"), &name(i), "not-a-password-hash", now - 86400).await.unwrap();
        let body = format!("Comment {i} on the review: the film's second half earns its ending, and the sound of the water in the orca scenes is worth hearing in a theater.");
        let html = marquee_domain::comment::render_comment(&body).unwrap().html;
        let c = marquee_store::NewComment {
            article_id: page.card.id,
            reader_id: reader,
            parent_id: (i % 3 == 2).then(|| ids[i - 1]),
            body: &body,
            body_html: &html,
            status: "approved",
            hold_reason: "",
            ip: "",
            now: now - (46 - i as i64) * 600,
        };
        ids.push(store.add_comment(c, &no_mail).await.unwrap().unwrap());
    }
    let mut sessions = Vec::new();
    for i in 0..READERS {
        let reader = store.create_verified_reader(&format!("reader{i}@bench.test"), &name(i + 46), "not-a-password-hash", now - 86400).await.unwrap();
        let token = format!("bench-session-{i}-{}", std::process::id());
        store.create_reader_session(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes())), reader, now, now + 86400).await.unwrap();
        sessions.push(token);
    }
    store.close().await;
    sessions
}

/// 500 theaters (20 near the demo's home, the rest across the country) and 200 screenings at
/// each, half in the past month and half in the next two weeks: 100,000 in all.
async fn add_bulk_showtimes(data_dir: &std::path::Path) -> (usize, usize) {
    use rand::{Rng, SeedableRng};
    let store = marquee_store::Store::connect(&database_url(data_dir)).await.expect("open the demo database");
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let films: Vec<i64> = {
        let mut ids = Vec::new();
        for slug in ["rust-and-bone-2012"] {
            ids.push(store.film_by_slug(slug).await.unwrap().expect("demo film").id);
        }
        for f in marquee_demo::films() {
            if let Some(film) = store.film_by_slug(&format!("{}-{}", marquee_domain::slugify(&f.title), f.year)).await.unwrap() {
                ids.push(film.id);
            }
        }
        ids
    };
    let now = jiff::Timestamp::now().as_second();
    let mut rows = Vec::new();
    let mut windows = Vec::new();
    for i in 0..500 {
        let (lat, lon) = if i < 20 { (37.8 + rng.gen_range(-0.2..0.2), -122.27 + rng.gen_range(-0.2..0.2)) } else { (rng.gen_range(26.0..48.0), rng.gen_range(-120.0..-70.0)) };
        let t = marquee_store::TheaterRecord {
            external_id: format!("bench-{i}"),
            name: format!("Bench Theater {i}"),
            latitude: lat,
            longitude: lon,
            time_zone: "America/Los_Angeles".into(),
            ..Default::default()
        };
        let (id, _) = store.upsert_theater(&t).await.unwrap();
        windows.push((id, now - 31 * 86400, now + 15 * 86400));
        for k in 0..200 {
            let offset = if k < 100 { -rng.gen_range(3600..30 * 86400) } else { rng.gen_range(3600..14 * 86400) };
            rows.push(marquee_store::NewShowtime { theater_id: id, film_id: films[rng.gen_range(0..films.len())], starts_at: now + offset, attributes: String::new(), auditorium: String::new(), ticket_url: String::new() });
        }
    }
    store.replace_showtimes(&windows, &rows).await.unwrap();
    store.close().await;
    (500, rows.len())
}

/// `MARQUEE_BENCH_AGAINST`: the uncached review (page cache off, boxes from their cache) on
/// this build and on `other` (an older commit's binary, on a demo of its own made the same
/// way), measured in turns (this, other, other, this), and their ratio against the 4× target.
async fn against(other: &str, data_dir: &std::path::Path, connections: usize, secs: u64) {
    let other_dir = data_dir.with_file_name(format!("{}-against", data_dir.file_name().unwrap().to_string_lossy()));
    let other_db = if scratch::wanted() { Some(scratch::Scratch::create("pages_against").await) } else { None };
    let other_url = other_db.as_ref().map(|d| d.url.clone());
    let base = 19000 + (std::process::id() % 1000) as u16;
    let (this_addr, other_addr) = (format!("127.0.0.1:{base}"), format!("127.0.0.1:{}", base + 1));
    {
        // The other build makes its demo, then the review gets the same 50 comments.
        let _made = start_with(other, other_url.as_deref(), &other_addr, &other_dir, true, true);
        wait_ready(&other_addr).await;
    }
    let other_database = other_url.clone().unwrap_or_else(|| format!("sqlite://{}", other_dir.join("marquee.db").display()));
    add_readers(&other_database).await;
    let this_server = start(&this_addr, data_dir, false, true);
    let other_server = start_with(other, other_url.as_deref(), &other_addr, &other_dir, false, true);
    wait_ready(&this_addr).await;
    wait_ready(&other_addr).await;
    let path = "/movie-review/rust-and-bone/";
    for addr in [&this_addr, &other_addr] {
        load(addr, path, 4, 1, &[]).await;
    }
    println!("\nThe uncached review (page cache off, boxes from their cache), this build against {other}, in turns:");
    println!("{:<12} {:>10} {:>9} {:>9} {:>8}", "build", "req/s", "p50 ms", "p99 ms", "errors");
    let (mut this_rps, mut other_rps) = (0.0, 0.0);
    for (name, addr) in [("this", &this_addr), ("other", &other_addr), ("other", &other_addr), ("this", &this_addr)] {
        let r = load(addr, path, connections, secs, &[]).await;
        println!("{:<12} {:>10.0} {:>9.2} {:>9.2} {:>8}", name, r.rps, r.p50_ms, r.p99_ms, r.errors);
        if name == "this" {
            this_rps += r.rps;
        } else {
            other_rps += r.rps;
        }
    }
    let ratio = this_rps / other_rps;
    println!("  target: at least 4x the other build ({ratio:.2}x: {})", if ratio >= 4.0 { "met" } else { "not met" });
    drop((this_server, other_server));
    let _ = std::fs::remove_dir_all(&other_dir);
    if let Some(d) = other_db {
        d.drop_database().await;
    }
}

fn main() {
    let secs: u64 = std::env::var("MARQUEE_BENCH_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let connections: usize = std::env::var("MARQUEE_BENCH_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let data_dir = std::env::temp_dir().join(format!("marquee-bench-{}", std::process::id()));
    let postgres = scratch::wanted();
    let scratch = postgres.then(|| rt.block_on(scratch::Scratch::create("pages")));
    if let Some(s) = &scratch {
        POSTGRES.set(s.url.clone()).unwrap();
    }
    println!("Marquee page benchmark: {connections} connections, {secs} s per page, demo site on {}", if postgres { "PostgreSQL" } else { "SQLite" });
    // (round, page cache, box cache): round 0 is the demo, round 2 the APIs on the same data,
    // round 1 adds showtimes.
    let mut api_pages: Vec<(&str, String)> = Vec::new();
    // The demo's data first, then the comments and readers the signed-in rows need.
    {
        let addr = format!("127.0.0.1:{}", 17000 + (std::process::id() % 1000) as u16);
        let _server = start(&addr, &data_dir, true, true);
        rt.block_on(wait_ready(&addr));
    }
    let sessions = rt.block_on(add_readers(&database_url(&data_dir)));
    println!("The review has 50 comments; {READERS} signed-in readers without a comment there share the signed-in rows' connections.");
    for (round, cache, boxes) in [(0, true, true), (0, false, true), (0, false, false), (2, true, true), (2, false, true), (1, true, true), (1, false, true)] {
        if round == 1 && cache {
            let (t, n) = rt.block_on(add_bulk_showtimes(&data_dir));
            println!("\nAdded {t} theaters and {n} showtimes; the article page's Now Playing box now searches them.");
        }
        // Before anything is added to the demo, so that both builds serve the same data.
        if let (2, true, Ok(other)) = (round, cache, std::env::var("MARQUEE_BENCH_AGAINST")) {
            rt.block_on(against(&other, &data_dir, connections, secs));
        }
        if round == 2 && api_pages.is_empty() {
            let key = content_key(&data_dir);
            api_pages = vec![("static file", "/static/style.css".into()), ("article", "/movie-review/rust-and-bone/".into()), ("Content API", format!("/ghost/api/content/posts/?key={key}&include=authors,tags&limit=15"))];
        }
        let port = 18000 + (std::process::id() % 1000) as u16 + round * 3 + if cache { 0 } else if boxes { 1 } else { 2 };
        let addr = format!("127.0.0.1:{port}");
        let _server = if round == 2 { serve(&addr, &data_dir, cache) } else { start(&addr, &data_dir, cache, boxes) };
        rt.block_on(wait_ready(&addr));
        let pages: Vec<(&str, String)> = match round {
            2 => api_pages.clone(),
            0 if boxes => PAGES.iter().map(|(n, p)| (*n, p.to_string())).collect(),
            _ => PAGES.iter().filter(|(name, _)| ["static file", "article", "signed-in"].contains(name)).map(|(n, p)| (*n, p.to_string())).collect(),
        };
        let only = std::env::var("MARQUEE_BENCH_ONLY").unwrap_or_default();
        let pages: Vec<(&str, String)> = pages.into_iter().filter(|(name, _)| only.is_empty() || *name == "static file" || only.split(',').any(|o| o.trim() == *name)).collect();
        // Warm up: fill caches and the connection pool.
        rt.block_on(async {
            for (name, path) in &pages {
                load(&addr, path, 4, 1, if *name == "signed-in" { &sessions } else { &[] }).await;
            }
        });
        let mode = match (round, cache, boxes) {
            (2, true, _) => "marquee serve, page cache on (default): Ghost's Content API beside the pages",
            (2, false, _) => "marquee serve, page cache off: every API answer is made from the database",
            (_, true, _) => "Page cache on (default)",
            (_, false, true) => "Page cache off (every request renders; the boxes come from their cache)",
            (_, false, false) => "Page cache and box cache off (every request renders, boxes included)",
        };
        println!("\n{mode}:");
        println!("{:<12} {:>10} {:>9} {:>9} {:>8} {:>7}", "page", "req/s", "p50 ms", "p99 ms", "errors", "ratio");
        let mut static_rps = None;
        for (name, path) in &pages {
            let r = rt.block_on(load(&addr, path, connections, secs, if *name == "signed-in" { &sessions } else { &[] }));
            let base = *static_rps.get_or_insert(r.rps);
            println!("{:<12} {:>10.0} {:>9.2} {:>9.2} {:>8} {:>6.0}%", name, r.rps, r.p50_ms, r.p99_ms, r.errors, 100.0 * r.rps / base);
            if *name == "signed-in" && cache && round != 2 {
                let share = 100.0 * r.rps / base;
                println!(
                    "  target: at least 50% of the static file ({share:.0}%: {}), p99 under 10 ms ({:.2} ms: {})",
                    if share >= 50.0 { "met" } else { "not met" },
                    r.p99_ms,
                    if r.p99_ms < 10.0 { "met" } else { "not met" }
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    if let Some(s) = scratch {
        rt.block_on(s.drop_database());
    }
}
