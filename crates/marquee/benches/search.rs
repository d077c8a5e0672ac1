//! `cargo bench -p marquee --bench search`: search latency over a large archive.
//!
//! Builds a database of 100,000 live articles (MARQUEE_BENCH_ARTICLES to change it) whose
//! text is made of sentences from the demo paper's generated articles, reshuffled, with made-up
//! names sprinkled in as rare words. The articles are inserted directly in big transactions,
//! then `Store::rebuild_search_index` notes them all in the search log and reads them into
//! the embedded index, kept in a directory as a server keeps it (timed). Then it runs a mix
//! of 200 queries through `Store::search` (one page of 10 results with its total and
//! highlights, as the search page asks for): common and rare single words, two words,
//! phrases, prefixes, and some of each with filters (section, author, dates), and prints
//! p50/p95/p99 per kind with the p95 target (20 ms at 100,000 articles, 50 ms above) and
//! its ratio, and the ten slowest queries with their matches. Last, 60 of the queries go
//! through HTTP to an in-process server with the page cache off, and the process's resident
//! memory is printed.
//!
//! SQLite by default (a file in the temp directory); `MARQUEE_BENCH_DB=postgres` (or the
//! argument `postgres`) uses a scratch database on MARQUEE_BENCH_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/test), dropped at the end.

mod scratch;

use marquee_domain::search::parse;
use marquee_store::{SearchFilter, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SECTIONS: &[(&str, &str)] = &[("news", "News"), ("movie-review", "Movie Review"), ("music", "Music"), ("food-drink", "Food & Drink"), ("arts", "Arts")];
const AUTHORS: usize = 40;
const ROWS_PER_INSERT: usize = 100;
const ARTICLES_PER_TRANSACTION: usize = 5_000;

/// Sentences, headlines, decks and tags from the demo generator, and made-up rare names.
struct Corpus {
    sentences: Vec<String>,
    headlines: Vec<String>,
    decks: Vec<String>,
    tags: Vec<String>,
    rare: Vec<String>,
}

fn corpus(rng: &mut StdRng) -> Corpus {
    let mut c = Corpus { sentences: Vec::new(), headlines: Vec::new(), decks: Vec::new(), tags: Vec::new(), rare: Vec::new() };
    for seed in 1..=6 {
        for a in marquee_demo::generate(seed).articles {
            let text = marquee_domain::search::plain_text(&marquee_domain::markdown::render(&a.body_markdown));
            for s in text.split_inclusive(['.', '!', '?']) {
                let s = s.trim();
                if s.split_whitespace().count() >= 5 {
                    c.sentences.push(s.to_string());
                }
            }
            c.headlines.push(a.headline);
            c.decks.push(a.deck);
            c.tags.extend(a.tags);
        }
    }
    for list in [&mut c.sentences, &mut c.headlines, &mut c.decks, &mut c.tags] {
        list.sort();
        list.dedup();
    }
    const SYLLABLES: &[&str] = &["ka", "lo", "mir", "ven", "tas", "qua", "dre", "ul", "bro", "zen", "fi", "gor", "nap", "sel", "thu", "wex", "yo", "pli", "dax", "rho"];
    while c.rare.len() < 5_000 {
        let n = rng.gen_range(3..=4);
        let w: String = (0..n).map(|_| *SYLLABLES.choose(rng).unwrap()).collect();
        c.rare.push(w);
    }
    c.rare.sort();
    c.rare.dedup();
    c
}

struct Generated {
    headline: String,
    deck: String,
    body: String,
    section: usize,
    author: usize,
    tag: Option<String>,
    publish_at: i64,
}

fn article(c: &Corpus, rng: &mut StdRng, now: i64) -> Generated {
    let paragraphs = rng.gen_range(3..=6);
    let mut body = String::new();
    for p in 0..paragraphs {
        if p > 0 {
            body.push_str("\n\n");
        }
        let n = rng.gen_range(2..=4);
        for i in 0..n {
            if i > 0 {
                body.push(' ');
            }
            body.push_str(c.sentences.choose(rng).unwrap());
        }
    }
    // One or two rare names per article: each one ends up in about 30 articles.
    for _ in 0..rng.gen_range(1..=2) {
        body.push_str(&format!(" Ask {}.", capitalize(c.rare.choose(rng).unwrap())));
    }
    let headline = if rng.gen_bool(0.2) { format!("{} {}", c.headlines.choose(rng).unwrap(), capitalize(c.rare.choose(rng).unwrap())) } else { c.headlines.choose(rng).unwrap().clone() };
    Generated {
        headline,
        deck: c.decks.choose(rng).unwrap().clone(),
        body,
        section: rng.gen_range(0..SECTIONS.len()),
        author: rng.gen_range(0..AUTHORS),
        tag: rng.gen_bool(0.7).then(|| c.tags.choose(rng).unwrap().clone()),
        // Spread over ten years.
        publish_at: now - rng.gen_range(3600..10 * 365 * 86_400),
    }
}

fn capitalize(w: &str) -> String {
    let mut cs = w.chars();
    cs.next().map(|f| f.to_uppercase().chain(cs).collect()).unwrap_or_default()
}

fn html_paragraphs(body: &str) -> String {
    body.split("\n\n").map(|p| format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"))).collect::<Vec<_>>().join("\n")
}

/// `($1, $2), ($3, $4)`: placeholders for `rows` tuples of `cols` values, each followed by
/// `extra` (literal SQL).
fn tuples(rows: usize, cols: usize, extra: &str) -> String {
    let tuple = |r: usize| (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ");
    (0..rows).map(|r| format!("({}{extra})", tuple(r))).collect::<Vec<_>>().join(", ")
}

/// Inserts `count` live articles, with sections, authors and tags, straight into the tables.
async fn fill(store: &Store, c: &Corpus, count: usize, rng: &mut StdRng, now: i64) {
    let pool = store.pool();
    for (i, (slug, name)) in SECTIONS.iter().enumerate() {
        sqlx::query("INSERT INTO sections (id, slug, name, position) VALUES ($1, $2, $3, $4)").bind(i as i64 + 1).bind(slug).bind(name).bind(i as i64).execute(pool).await.unwrap();
    }
    for a in 0..AUTHORS {
        let name = format!("{} {}", capitalize(&c.rare[a * 7]), capitalize(&c.rare[a * 7 + 3]));
        sqlx::query("INSERT INTO authors (id, slug, name) VALUES ($1, $2, $3)").bind(a as i64 + 1).bind(format!("author-{a}")).bind(&name).execute(pool).await.unwrap();
    }
    let mut tag_ids: HashMap<String, i64> = HashMap::new();
    for (i, t) in c.tags.iter().enumerate() {
        sqlx::query("INSERT INTO tags (id, slug, name) VALUES ($1, $2, $3)").bind(i as i64 + 1).bind(format!("tag-{i}")).bind(t).execute(pool).await.unwrap();
        tag_ids.insert(t.clone(), i as i64 + 1);
    }
    let mut next = 1i64;
    while next as usize <= count {
        let mut tx = pool.begin().await.unwrap();
        let end = (next + ARTICLES_PER_TRANSACTION as i64).min(count as i64 + 1);
        while next < end {
            let rows: Vec<(i64, Generated)> = (next..end.min(next + ROWS_PER_INSERT as i64)).map(|id| (id, article(c, rng, now))).collect();
            next += rows.len() as i64;
            let sql = format!(
                "INSERT INTO articles (id, section_id, slug, headline, deck, body, body_html, publish_at, created_at, updated_at, status) VALUES {}",
                tuples(rows.len(), 10, ", 'published'")
            );
            let mut q = sqlx::query(&sql);
            for (id, g) in &rows {
                q = q.bind(*id).bind(g.section as i64 + 1).bind(format!("story-{id}")).bind(&g.headline).bind(&g.deck).bind(&g.body).bind(html_paragraphs(&g.body));
                q = q.bind(g.publish_at).bind(g.publish_at).bind(g.publish_at);
            }
            q.execute(&mut *tx).await.unwrap();
            let sql = format!("INSERT INTO article_authors (article_id, author_id, position) VALUES {}", tuples(rows.len(), 2, ", 0"));
            let mut q = sqlx::query(&sql);
            for (id, g) in &rows {
                q = q.bind(*id).bind(g.author as i64 + 1);
            }
            q.execute(&mut *tx).await.unwrap();
            let tagged: Vec<(i64, i64)> = rows.iter().filter_map(|(id, g)| g.tag.as_ref().map(|t| (*id, tag_ids[t]))).collect();
            if !tagged.is_empty() {
                let sql = format!("INSERT INTO article_tags (article_id, tag_id, position) VALUES {}", tuples(tagged.len(), 2, ", 0"));
                let mut q = sqlx::query(&sql);
                for (id, tag) in &tagged {
                    q = q.bind(*id).bind(*tag);
                }
                q.execute(&mut *tx).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
}

/// The kinds of query in the mix, each with its queries (and an optional section filter).
fn queries(c: &Corpus, rng: &mut StdRng) -> Vec<(&'static str, Vec<(String, Option<i64>)>)> {
    // Words by how many sentences use them: the most frequent are the "common" words.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in &c.sentences {
        for w in s.split(|ch: char| !ch.is_alphanumeric()).filter(|w| w.len() >= 4) {
            *counts.entry(w.to_lowercase()).or_default() += 1;
        }
    }
    let mut by_freq: Vec<(String, usize)> = counts.into_iter().collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let common: Vec<String> = by_freq.iter().take(150).map(|(w, _)| w.clone()).collect();
    let middle: Vec<String> = by_freq.iter().skip(150).take(1500).map(|(w, _)| w.clone()).collect();
    let pick = |v: &[String], rng: &mut StdRng| v.choose(rng).unwrap().clone();
    let phrase = |rng: &mut StdRng| {
        let words: Vec<&str> = c.sentences.choose(rng).unwrap().split(|ch: char| !ch.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let n = rng.gen_range(2..=3).min(words.len());
        let at = rng.gen_range(0..=words.len() - n);
        format!("\"{}\"", words[at..at + n].join(" "))
    };
    let mut mix: Vec<(&'static str, Vec<(String, Option<i64>)>)> = Vec::new();
    let mut kind = |name: &'static str, n: usize, rng: &mut StdRng, make: &dyn Fn(&mut StdRng) -> String, filtered: bool| {
        let qs = (0..n).map(|_| (make(rng), filtered.then(|| rng.gen_range(1..=SECTIONS.len() as i64)))).collect();
        mix.push((name, qs));
    };
    kind("common word", 35, rng, &|r| pick(&common, r), false);
    kind("rare word", 35, rng, &|r| pick(&c.rare, r), false);
    kind("two words", 35, rng, &|r| format!("{} {}", pick(&common, r), pick(&middle, r)), false);
    kind("phrase", 30, rng, &|r| phrase(r), false);
    kind("prefix", 30, rng, &|r| format!("{}*", pick(&middle, r).chars().take(r.gen_range(3..=4)).collect::<String>()), false);
    kind("with filters", 35, rng, &|r| match r.gen_range(0..3) { 0 => pick(&common, r), 1 => format!("{} {}", pick(&common, r), pick(&middle, r)), _ => phrase(r) }, true);
    mix
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// One line of latencies; with a target, the p95's ratio to it and whether it is met.
fn report(name: &str, mut lat: Vec<Duration>, hits: Option<f64>, target_ms: f64) {
    lat.sort();
    let hits = hits.map(|h| format!("{h:.0}")).unwrap_or_default();
    let p95 = percentile(&lat, 0.95);
    let verdict = format!("{:.2} {}", p95 / target_ms, if p95 < target_ms { "met" } else { "MISSED" });
    println!("{:<14} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>10} {:>14}", name, lat.len(), percentile(&lat, 0.5), p95, percentile(&lat, 0.99), lat.last().unwrap().as_secs_f64() * 1000.0, hits, verdict);
}

/// Bytes in the files under `dir`.
fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir).map(|entries| entries.flatten().map(|e| if e.path().is_dir() { dir_size(&e.path()) } else { e.metadata().map_or(0, |m| m.len()) }).sum()).unwrap_or(0)
}

/// The process's resident memory in MB (Linux), or 0.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok()).map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let articles: usize = std::env::var("MARQUEE_BENCH_ARTICLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let postgres = scratch::wanted();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(run(articles, postgres));
}

async fn run(articles: usize, postgres: bool) {
    let mut rng = StdRng::seed_from_u64(2026);
    let now = marquee_domain::time::now_unix();
    let dir = std::env::temp_dir().join(format!("marquee-search-bench-{}", std::process::id()));
    let scratch = if postgres { Some(scratch::Scratch::create("search").await) } else { None };
    let url = scratch.as_ref().map_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()), |s| s.url.clone());
    let engine = if postgres { "PostgreSQL" } else { "SQLite" };
    println!("Marquee search benchmark: {articles} live articles on {engine}, searched in the embedded index (tantivy)");
    let store = Store::open(&url).await.expect("open the database");
    store.set_search_dir(Some(dir.join("search-index")));
    let c = corpus(&mut rng);
    let t = Instant::now();
    fill(&store, &c, articles, &mut rng, now).await;
    println!("Inserted {articles} articles ({} distinct sentences, {} rare names) in {:.1} s", c.sentences.len(), c.rare.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let indexed = store.rebuild_search_index().await.unwrap();
    println!("Built the search index ({indexed} articles) in {:.1} s: {:.0} articles/s; on disk {:.0} MB", t.elapsed().as_secs_f64(), indexed as f64 / t.elapsed().as_secs_f64(), dir_size(&dir.join("search-index")) as f64 / 1e6);

    let mix = queries(&c, &mut rng);
    let search = |q: &str, section: Option<i64>| {
        let store = &store;
        let parsed = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        async move {
            // A filtered query narrows by section; every other one also by author, and every
            // third by the last two years.
            let filter = match section {
                Some(s) => SearchFilter {
                    section_id: Some(s),
                    author_id: (s % 2 == 0).then_some(s * 7 % AUTHORS as i64 + 1),
                    from: (s % 3 == 0).then_some(now - 2 * 365 * 86_400),
                    ..Default::default()
                },
                None => SearchFilter::default(),
            };
            let t = Instant::now();
            let (_, total) = store.search(&parsed, &filter, now, 10, 0).await.unwrap();
            (t.elapsed(), total)
        }
    };
    // One pass to warm the caches, then the measured one.
    for (_, qs) in &mix {
        for (q, s) in qs {
            search(q, *s).await;
        }
    }
    println!("\nStore::search, one page of 10 with its total and highlights (milliseconds):");
    let target = if articles > 100_000 { 50.0 } else { 20.0 };
    println!("{:<14} {:>5} {:>9} {:>9} {:>9} {:>9} {:>10} {:>14}", "kind", "n", "p50", "p95", "p99", "max", "mean hits", format!("p95/{target:.0}ms"));
    let mut all = Vec::new();
    let mut slowest = Vec::new();
    for (kind, qs) in &mix {
        let mut lat = Vec::new();
        let mut hits = 0i64;
        for (q, s) in qs {
            let (d, total) = search(q, *s).await;
            lat.push(d);
            hits += total;
            slowest.push((d, *kind, q.as_str(), *s, total));
        }
        all.extend(lat.iter().copied());
        report(kind, lat, Some(hits as f64 / qs.len() as f64), target);
    }
    report("all", all, None, target);
    // The slowest queries by name, to see what a missed target is made of.
    slowest.sort_by(|a, b| b.0.cmp(&a.0));
    println!("\nThe ten slowest queries:");
    for (d, kind, q, section, total) in slowest.iter().take(10) {
        // As `search` narrows: by section, every other one also by author, every third by date.
        let filter = section.map(|s| format!(" (section {s}{}{})", if s % 2 == 0 { ", an author" } else { "" }, if s % 3 == 0 { ", two years" } else { "" })).unwrap_or_default();
        println!("{:>9.2} ms  {kind:<13} {q}{filter}: {total} matches", d.as_secs_f64() * 1000.0);
    }

    // The same through HTTP: the whole search page, rendered every time.
    let state = marquee_web::AppState::new(store.clone(), marquee_web::WebConfig { page_cache: false, ..Default::default() }).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(marquee_web::serve(listener, state));
    let client = reqwest::Client::new();
    let mut lat = Vec::new();
    for (i, (q, section)) in mix.iter().flat_map(|(_, qs)| qs.iter()).enumerate().filter(|(i, _)| i % 3 == 0).map(|(_, x)| x).enumerate() {
        let mut params = vec![("q", q.clone())];
        if let Some(s) = section {
            params.push(("section", SECTIONS[*s as usize - 1].0.to_string()));
        }
        let t = Instant::now();
        let r = client.get(format!("http://{addr}/search/")).query(&params).send().await.unwrap();
        let status = r.status();
        r.bytes().await.unwrap();
        if i > 0 {
            lat.push(t.elapsed());
        }
        assert!(status.is_success(), "{q}: {status}");
    }
    println!("\nGET /search/ over HTTP, page cache off (milliseconds):");
    println!("{:<14} {:>5} {:>9} {:>9} {:>9} {:>9} {:>10} {:>14}", "", "n", "p50", "p95", "p99", "max", "", "");
    report("search page", lat, None, target);
    println!("\nResident memory of the benchmark process (database client, index, server): {:.0} MB", rss_mb());
    server.abort();
    store.close().await;
    if let Some(s) = scratch {
        s.drop_database().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
