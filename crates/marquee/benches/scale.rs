//! `cargo bench -p marquee --bench scale`: what the readers' pages cost on a real archive's
//! size, next to the demo's, on the same server build and database.
//!
//! It makes the demo paper and keeps a copy of its database as it is. Then it grows the
//! original to `MARQUEE_SCALE_ARTICLES` articles (default 100,000), ten comments an article
//! (1,000,000) from 1,000 readers, 10,000 films and 1,000,000 showtimes at 1,000 theaters
//! (50 of them near the demo's home, where the review's Now Playing box looks), written
//! straight into the tables in big transactions, and notes every article for search. It
//! serves both databases at once with `marquee serve` and the page cache off (every request
//! renders: the cost of a miss), waits for the big one's search index to hold every article,
//! and measures each kind of page on both, in turns (demo, scale, scale, demo, scale, demo,
//! demo, scale, a quarter of the time each), so that the machine's drift falls on both sizes
//! alike: home, a section's first page, the reference review (Film Details, Now Playing,
//! comments, boxes), an author, a tag, a film, a search, the RSS feed and the sitemap index,
//! and at scale a section's page 500 beside its first, both as a reader reaches it by the
//! "Older" link of page 499 (which starts at its place in the section's index) and by typing
//! `?page=500` (which starts at the server's mark in the section's index every 100 articles,
//! the one at 9,900, and skips 80 entries). It prints each page's requests per second at
//! both sizes and the ratio (target: within 1.5x), the largest sitemap file's size and time,
//! and the servers' resident memory (target: under 200 MB).
//!
//! `MARQUEE_BENCH_SECS` (default 3) sets the seconds per page, with 2 connections;
//! `MARQUEE_BENCH_DB=postgres` runs it on a scratch PostgreSQL database; `MARQUEE_BENCH_KEEP`
//! keeps both databases afterwards (and prints where they are) for a closer look.

mod scratch;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

const COMMENTS_PER_ARTICLE: usize = 10;
const READERS: usize = 1_000;
const FILMS: usize = 10_000;
const THEATERS: usize = 1_000;
const SHOWTIMES: usize = 1_000_000;
const ROWS: usize = 200;
/// A word only the last bulk article has: when search finds it, the index holds them all.
const LAST_WORD: &str = "quillfeathered";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(addr: &str, url: &str, data_dir: &Path) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["serve", "--addr", addr, "--database-url", url])
        .env("MARQUEE_PAGE_CACHE", "0")
        .current_dir(data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start marquee serve");
    Server(child)
}

async fn get(send: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>, addr: &str, path: &str) -> Option<(u16, Bytes)> {
    let req = hyper::Request::get(path).header("host", addr).header("user-agent", "MarqueeScaleBench/1.0").body(Empty::new()).ok()?;
    let resp = send.send_request(req).await.ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.into_body().collect().await.ok()?.to_bytes()))
}

async fn connect(addr: &str) -> Option<hyper::client::conn::http1::SendRequest<Empty<Bytes>>> {
    let stream = TcpStream::connect(addr).await.ok()?;
    stream.set_nodelay(true).ok();
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.ok()?;
    tokio::spawn(conn);
    Some(send)
}

async fn once(addr: &str, path: &str) -> Option<(u16, Bytes)> {
    get(&mut connect(addr).await?, addr, path).await
}

async fn wait_ready(addr: &str) {
    for _ in 0..1200 {
        if once(addr, "/healthz").await.is_some_and(|(s, _)| s == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server on {addr} did not start");
}

/// Requests per second for `path` over `secs` seconds on 2 keep-alive connections, and the
/// median latency. Every answer must be a 200.
async fn measure(addr: &str, path: &str, secs: f64) -> (f64, f64) {
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let (addr, path) = (addr.to_string(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let mut send = connect(&addr).await.expect("connect");
            let mut lat = Vec::new();
            while Instant::now() < until {
                let t = Instant::now();
                let (status, _) = get(&mut send, &addr, &path).await.expect("an answer");
                assert_eq!(status, 200, "{path}");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rps = all.len() as f64 / started.elapsed().as_secs_f64().max(secs);
    all.sort();
    (rps, all[all.len() / 2].as_secs_f64() * 1000.0)
}

/// One page's turns at one size.
#[derive(Default)]
struct Turns {
    rps: Vec<f64>,
    p50: Vec<f64>,
}

impl Turns {
    fn add(&mut self, (rps, p50): (f64, f64)) {
        self.rps.push(rps);
        self.p50.push(p50);
    }

    /// Requests a second over all the turns (each turn is as long as the others).
    fn rps(&self) -> f64 {
        self.rps.iter().sum::<f64>() / self.rps.len() as f64
    }

    /// The middle of the turns' medians.
    fn p50(&self) -> f64 {
        let mut v = self.p50.clone();
        v.sort_by(f64::total_cmp);
        (v[(v.len() - 1) / 2] + v[v.len() / 2]) / 2.0
    }
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .unwrap_or(0.0)
        / 1024.0
}

/// `($1, $2, ...), (...)`: `rows` tuples of `cols` placeholders.
fn tuples(rows: usize, cols: usize) -> String {
    (0..rows).map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", "))).collect::<Vec<_>>().join(", ")
}

/// An INSERT of many rows, each a list of values, in statements of `ROWS` rows.
async fn insert(tx: &mut sqlx::Transaction<'_, sqlx::Any>, head: &str, rows: &[Vec<Value>]) {
    for chunk in rows.chunks(ROWS) {
        let sql = format!("{head} VALUES {}", tuples(chunk.len(), chunk[0].len()));
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::I(i) => q.bind(*i),
                    Value::F(f) => q.bind(*f),
                    Value::S(s) => q.bind(s.clone()),
                    Value::Null => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut **tx).await.unwrap();
    }
}

enum Value {
    I(i64),
    F(f64),
    S(String),
    Null,
}

use Value::{Null, F, I, S};

const WORDS: &[&str] = &[
    "council", "housing", "transit", "festival", "gallery", "record", "kitchen", "theater", "budget", "river", "market", "season", "stage", "neighborhood", "review",
    "premiere", "harbor", "library", "union", "mural", "orchestra", "vote", "landlord", "bakery", "film", "school", "bridge", "garden", "studio", "parade",
];

fn sentence(rng: &mut StdRng, words: usize) -> String {
    let mut s: Vec<&str> = (0..words).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect();
    s.insert(0, "The");
    format!("{}.", s.join(" "))
}

/// Grows the demo's database to `articles` articles with their comments, films and showtimes.
async fn grow(url: &str, articles: usize) {
    let store = marquee_store::Store::connect(url).await.expect("open the demo database");
    let pool = store.pool();
    let mut rng = StdRng::seed_from_u64(11);
    let now = jiff::Timestamp::now().as_second();
    let sections: Vec<(i64,)> = sqlx::query_as("SELECT id FROM sections ORDER BY id").fetch_all(pool).await.unwrap();
    let authors: Vec<(i64,)> = sqlx::query_as("SELECT id FROM authors ORDER BY id").fetch_all(pool).await.unwrap();
    let tags: Vec<(i64,)> = sqlx::query_as("SELECT id FROM tags ORDER BY id").fetch_all(pool).await.unwrap();
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM articles").fetch_one(pool).await.unwrap();
    let add = articles.saturating_sub(existing as usize);
    // Bulk rows take the ids after the demo's, as a paper's own would.
    let next_id = |table: &'static str| async move {
        let (max,): (Option<i64>,) = sqlx::query_as(&format!("SELECT MAX(id) FROM {table}")).fetch_one(pool).await.unwrap();
        max.unwrap_or(0) + 1
    };
    let (first_film, first_article, first_reader, first_comment, first_theater, first_showtime) =
        (next_id("films").await, next_id("articles").await, next_id("readers").await, next_id("comments").await, next_id("theaters").await, next_id("showtimes").await);
    let t = Instant::now();

    // Films first, so reviews can name them.
    let mut tx = pool.begin().await.unwrap();
    let films: Vec<Vec<Value>> = (0..FILMS as i64)
        .map(|i| {
            let id = first_film + i;
            let title = format!("{} {}", capitalize(WORDS[(i as usize) % WORDS.len()]), capitalize(WORDS[(i as usize / WORDS.len()) % WORDS.len()]));
            vec![I(id), S(format!("scale-film-{i}")), S(title), I(1950 + i % 75), I(80 + i % 70), S(format!("scale:{i}")), S(String::new()), I(now)]
        })
        .collect();
    insert(&mut tx, "INSERT INTO films (id, slug, title, year, runtime_minutes, import_key, fingerprint, updated_at)", &films).await;
    tx.commit().await.unwrap();

    // Articles, a byline and a tag each, a third of them reviews of a film.
    let mut next = first_article;
    let last = first_article + add as i64;
    while next < last {
        let end = (next + 5_000).min(last);
        let mut tx = pool.begin().await.unwrap();
        let mut rows = Vec::new();
        let mut bylines = Vec::new();
        let mut tagged = Vec::new();
        for id in next..end {
            let publish_at = now - rng.gen_range(86_400..10 * 365 * 86_400);
            let mut body = (0..rng.gen_range(4..9)).map(|_| sentence(&mut rng, 12)).collect::<Vec<_>>().join(" ");
            if id == last - 1 {
                body.push_str(&format!(" A {LAST_WORD} ending."));
            }
            let html = format!("<p>{body}</p>");
            let film = if id % 3 == 0 { I(first_film + rng.gen_range(0..FILMS as i64)) } else { Null };
            rows.push(vec![
                I(id),
                I(sections[(id as usize) % sections.len()].0),
                S(format!("archive-{id}")),
                S(sentence(&mut rng, 5).trim_end_matches('.').to_string()),
                S(sentence(&mut rng, 6)),
                S(body),
                S(html),
                I(publish_at),
                I(publish_at),
                I(publish_at),
                film,
                S("published".into()),
            ]);
            bylines.push(vec![I(id), I(authors[rng.gen_range(0..authors.len())].0), I(0)]);
            tagged.push(vec![I(id), I(tags[rng.gen_range(0..tags.len())].0), I(0)]);
        }
        insert(&mut tx, "INSERT INTO articles (id, section_id, slug, headline, deck, body, body_html, publish_at, created_at, updated_at, film_id, status)", &rows).await;
        insert(&mut tx, "INSERT INTO article_authors (article_id, author_id, position)", &bylines).await;
        insert(&mut tx, "INSERT INTO article_tags (article_id, tag_id, position)", &tagged).await;
        tx.commit().await.unwrap();
        next = end;
    }
    println!("  {add} articles and {FILMS} films in {:.1} s", t.elapsed().as_secs_f64());

    // Readers and their comments.
    let t = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let readers: Vec<Vec<Value>> = (0..READERS as i64).map(|i| vec![I(first_reader + i), S(format!("reader{i}@scale.test")), S(format!("Reader Number{i}")), S("x".into()), I(1), I(now - 86_400 * 400)]).collect();
    insert(&mut tx, "INSERT INTO readers (id, email, name, password_hash, verified, created_at)", &readers).await;
    tx.commit().await.unwrap();
    // A transaction per 50,000 comments.
    let mut id = first_comment;
    let mut article = first_article;
    while article < last {
        let end = (article + 5_000).min(last);
        let mut tx = pool.begin().await.unwrap();
        let mut rows = Vec::new();
        for a in article..end {
            for k in 0..COMMENTS_PER_ARTICLE {
                let body = sentence(&mut rng, 9);
                rows.push(vec![I(id), I(a), I(first_reader + rng.gen_range(0..READERS as i64)), S(body.clone()), S(format!("<p>{body}</p>")), S("approved".into()), I(now - 86_400 + k as i64)]);
                id += 1;
            }
        }
        insert(&mut tx, "INSERT INTO comments (id, article_id, reader_id, body, body_html, status, created_at)", &rows).await;
        tx.commit().await.unwrap();
        article = end;
    }
    println!("  {} comments from {READERS} readers in {:.1} s", id - first_comment, t.elapsed().as_secs_f64());

    // Theaters and showtimes: 50 near the demo's home, the rest across the country; screenings
    // over the past month and the next two weeks.
    let t = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let theaters: Vec<Vec<Value>> = (0..THEATERS as i64)
        .map(|i| {
            let (lat, lon) = if i < 50 { (37.8 + rng.gen_range(-0.2..0.2), -122.27 + rng.gen_range(-0.2..0.2)) } else { (rng.gen_range(26.0..48.0), rng.gen_range(-120.0..-70.0)) };
            vec![I(first_theater + i), S(format!("scale-theater-{i}")), S(format!("scale-{i}")), S(format!("Scale Theater {i}")), F(lat), F(lon), S("America/Los_Angeles".into())]
        })
        .collect();
    insert(&mut tx, "INSERT INTO theaters (id, slug, external_id, name, latitude, longitude, time_zone)", &theaters).await;
    tx.commit().await.unwrap();
    let per_theater = SHOWTIMES / THEATERS;
    let mut sid = first_showtime;
    for chunk in (0..THEATERS as i64).collect::<Vec<_>>().chunks(50) {
        let mut tx = pool.begin().await.unwrap();
        let mut rows = Vec::new();
        for &th in chunk {
            for _ in 0..per_theater {
                rows.push(vec![I(sid), I(first_theater + th), I(first_film + rng.gen_range(0..FILMS as i64)), I(now + rng.gen_range(-30 * 86_400..14 * 86_400))]);
                sid += 1;
            }
        }
        insert(&mut tx, "INSERT INTO showtimes (id, theater_id, film_id, starts_at)", &rows).await;
        tx.commit().await.unwrap();
    }
    println!("  {THEATERS} theaters and {} showtimes in {:.1} s", sid - first_showtime, t.elapsed().as_secs_f64());

    let t = Instant::now();
    store.note_all_for_search().await.unwrap();
    println!("  every article noted for search in {:.1} s", t.elapsed().as_secs_f64());
    if store.backend() == marquee_store::Backend::Postgres {
        // What autovacuum does within a minute of a bulk load (PostgreSQL 13 on vacuums tables
        // that were only inserted into): statistics, and the visibility map that lets an
        // index-only scan skip the table.
        sqlx::query("VACUUM ANALYZE").execute(pool).await.unwrap();
    }
    store.close().await;
}

fn capitalize(w: &str) -> String {
    let mut cs = w.chars();
    cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
}

struct Row {
    name: &'static str,
    path: String,
}

fn main() {
    let secs: f64 = std::env::var("MARQUEE_BENCH_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3.0);
    let articles: usize = std::env::var("MARQUEE_SCALE_ARTICLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let data_dir = std::env::temp_dir().join(format!("marquee-scale-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let postgres = scratch::wanted();
    let scratch = postgres.then(|| rt.block_on(scratch::Scratch::create("scale")));
    let url = match &scratch {
        Some(s) => s.url.clone(),
        None => format!("sqlite://{}", data_dir.join("marquee.db").display()),
    };
    println!("Marquee scale benchmark on {}: each page rendered on every request (page cache off), 2 connections, {secs} s a page", if postgres { "PostgreSQL" } else { "SQLite" });
    let port = 19000 + (std::process::id() % 1000) as u16;
    let addr = format!("127.0.0.1:{port}");
    {
        let mut demo = Command::new(env!("CARGO_BIN_EXE_marquee"));
        demo.args(["demo", "--addr", &addr, "--data-dir"]).arg(&data_dir).args(["--database-url", &url]).stdout(Stdio::null()).stderr(Stdio::null());
        let _demo = Server(demo.spawn().expect("start the demo"));
        rt.block_on(wait_ready(&addr));
    }
    let (author, tag) = rt.block_on(async {
        let store = marquee_store::Store::connect(&url).await.unwrap();
        let (author,): (String,) = sqlx::query_as("SELECT a.slug FROM authors a JOIN article_authors x ON x.author_id = a.id GROUP BY a.slug ORDER BY COUNT(*) DESC, a.slug LIMIT 1").fetch_one(store.pool()).await.unwrap();
        let (tag,): (String,) = sqlx::query_as("SELECT t.slug FROM tags t JOIN article_tags x ON x.tag_id = t.id GROUP BY t.slug ORDER BY COUNT(*) DESC, t.slug LIMIT 1").fetch_one(store.pool()).await.unwrap();
        store.close().await;
        (author, tag)
    });
    let rows_for = |scaled: bool| -> Vec<Row> {
        let mut r = vec![
            Row { name: "home", path: "/".into() },
            Row { name: "section", path: "/news/".into() },
            Row { name: "article", path: "/movie-review/rust-and-bone/".into() },
            Row { name: "author", path: format!("/authors/{author}/") },
            Row { name: "tag", path: format!("/tags/{tag}/") },
            Row { name: "film", path: "/films/rust-and-bone-2012/".into() },
            Row { name: "search", path: "/search/?q=film".into() },
            Row { name: "feed", path: "/feed.xml".into() },
            Row { name: "sitemap index", path: "/sitemap.xml".into() },
        ];
        if scaled {
            // Page 500 at 100,000 articles (20 a page, a fifth of them in News); fewer
            // articles, a page as deep into the section.
            let deep = (articles / 5 / 20 / 2).clamp(1, 500);
            r.insert(2, Row { name: "section deep", path: format!("/news/?page={deep}") });
        }
        r
    };

    // The demo paper as it is now, kept beside the database that grows, so that both sizes
    // are served at once and measured in turns: this machine's speed drifts by half over
    // minutes, and a ratio of two figures taken minutes apart would mostly measure that.
    let demo_scratch = scratch.as_ref().map(|s| rt.block_on(s.copy("scale_demo")));
    let demo_url = match &demo_scratch {
        Some(s) => s.url.clone(),
        None => {
            let dir = data_dir.join("demo");
            std::fs::create_dir_all(&dir).unwrap();
            for file in ["marquee.db", "marquee.db-wal"] {
                if data_dir.join(file).exists() {
                    std::fs::copy(data_dir.join(file), dir.join(file)).expect("copy the demo database");
                }
            }
            format!("sqlite://{}", dir.join("marquee.db").display())
        }
    };
    println!("\nGrowing the archive:");
    rt.block_on(grow(&url, articles));
    let demo_addr = format!("127.0.0.1:{}", port + 1000);
    let demo_server = serve(&demo_addr, &demo_url, &data_dir);
    let server = serve(&addr, &url, &data_dir);
    rt.block_on(wait_ready(&demo_addr));
    rt.block_on(wait_ready(&addr));
    let t = Instant::now();
    rt.block_on(async {
        loop {
            if let Some((200, body)) = once(&addr, &format!("/search/?q={LAST_WORD}")).await {
                if String::from_utf8_lossy(&body).contains("archive-") {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    println!("  the server's search index held every article {:.1} s after it started", t.elapsed().as_secs_f64());
    let mut rows = rows_for(true);
    // Page 500 as the "Older" link of page 499 leads to it.
    let deep = rows.iter().find(|r| r.name == "section deep").map(|r| r.path.clone()).unwrap_or_default();
    let before = deep.rsplit_once('=').and_then(|(_, n)| n.parse::<usize>().ok()).unwrap_or(2).max(2) - 1;
    let (_, html) = rt.block_on(once(&addr, &format!("/news/?page={before}"))).unwrap();
    let html = String::from_utf8_lossy(&html).to_string();
    let link = html.split("<a rel=\"next\" href=\"").nth(1).and_then(|s| s.split('"').next()).expect("page 499 links to page 500").replace("&amp;", "&");
    rows.insert(3, Row { name: "section deep, by link", path: link });
    let demo_path = |name: &str| -> String {
        let name = if name.starts_with("section deep") { "section" } else { name };
        rows_for(false).into_iter().find(|r| r.name == name).map(|r| r.path).unwrap_or_default()
    };
    println!("\n{:<22} {:<40} {:>10} {:>10} {:>9} {:>7}", "page", "path at scale", "demo r/s", "scale r/s", "p50 ms", "ratio");
    for row in &rows {
        let small = demo_path(row.name);
        rt.block_on(measure(&demo_addr, &small, 0.5)); // warm up
        rt.block_on(measure(&addr, &row.path, 0.5));
        // Four turns each, in the order demo, scale, scale, demo, scale, demo, demo, scale, so
        // that a drift in either direction falls on both alike.
        let (mut demo, mut scaled) = (Turns::default(), Turns::default());
        for demo_first in [true, false, false, true] {
            for first in [true, false] {
                if first == demo_first {
                    demo.add(rt.block_on(measure(&demo_addr, &small, secs / 4.0)));
                } else {
                    scaled.add(rt.block_on(measure(&addr, &row.path, secs / 4.0)));
                }
            }
        }
        let (base, rps) = (demo.rps(), scaled.rps());
        let ratio = base / rps;
        println!("{:<22} {:<40} {:>10.0} {:>10.0} {:>9.2} {:>6.2}x{}", row.name, row.path, base, rps, scaled.p50(), ratio, if ratio <= 1.5 { "" } else { "  (over 1.5x)" });
    }
    // The largest sitemap file, read whole.
    let (_, index) = rt.block_on(once(&addr, "/sitemap.xml")).unwrap();
    let index = String::from_utf8_lossy(&index).to_string();
    let child = index.split("<loc>").nth(1).and_then(|s| s.split("</loc>").next()).and_then(|u| u.split_once("://")).and_then(|(_, r)| r.find('/').map(|i| r[i..].to_string())).unwrap_or_default();
    let t = Instant::now();
    let (status, body) = rt.block_on(once(&addr, &child)).unwrap();
    println!("\nsitemap file {child}: {status}, {} URLs, {:.1} MB in {:.0} ms", String::from_utf8_lossy(&body).matches("<loc>").count(), body.len() as f64 / 1e6, t.elapsed().as_secs_f64() * 1000.0);
    println!("server memory after every page: {:.0} MB at scale (target: under 200 MB), {:.0} MB at the demo's size", rss_mb(server.0.id()), rss_mb(demo_server.0.id()));
    drop(server);
    drop(demo_server);
    if std::env::var_os("MARQUEE_BENCH_KEEP").is_some() {
        println!("Kept: {} ({url}, and the demo's size at {demo_url})", data_dir.display());
        return;
    }
    let _ = std::fs::remove_dir_all(&data_dir);
    if let Some(s) = scratch {
        rt.block_on(s.drop_database());
    }
    if let Some(s) = demo_scratch {
        rt.block_on(s.drop_database());
    }
}
