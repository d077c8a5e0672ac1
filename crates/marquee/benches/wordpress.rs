//! `cargo bench -p marquee --bench wordpress`: how fast a large WordPress export comes in.
//!
//! Writes a WXR file of 100,000 posts (MARQUEE_BENCH_POSTS to change it) as WordPress 6 would:
//! 25 authors, 40 categories (some nested), 600 tags, block-editor and classic bodies of three
//! to six paragraphs made of sentences from the demo paper, two categories and three tags a
//! post, custom fields, an old slug now and then, and about two comments a post (some of them
//! replies, some waiting or spam). No images, so nothing is downloaded or decoded.
//!
//! Then, side by side in one run: reading the whole file (the importer's XML reader alone),
//! importing it into an empty database, and importing it again (every record unchanged).
//! Each line gives records a second, where a record is an author, a term, a post or page, or
//! a comment; posts a second too; and the process's peak memory next to the file's size, to
//! show the file is streamed, not loaded. Last, a server's search index reads the imported
//! posts from the search log (what every server does after an import, off the import's
//! path), timed on its own and printed with the import it follows.
//!
//! MARQUEE_BENCH_KEEP=1 keeps the files afterwards (a 100,000-post archive to look at).
//!
//! SQLite by default (a file in the temp directory); `MARQUEE_BENCH_DB=postgres` (or the
//! argument `postgres`) uses a scratch database on MARQUEE_BENCH_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/test), dropped at the end.

mod scratch;

use marquee::import::wordpress::{self, xml};
use marquee_store::Store;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `marquee` binary uses, so the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AUTHORS: usize = 25;
const CATEGORIES: usize = 40;
const TAGS: usize = 600;

fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for seed in 1..=3 {
        for a in marquee_demo::generate(seed).articles {
            for s in a.body_markdown.split_inclusive(['.', '!', '?']) {
                let s = s.trim();
                if s.split_whitespace().count() >= 5 && !s.contains(['#', '*', '[', '>', '<', '&']) {
                    out.push(s.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{s}]]>")
}

/// Writes the export; answers the number of records in it (authors, terms, posts, comments).
fn generate(path: &Path, posts: usize) -> std::io::Result<u64> {
    let mut rng = StdRng::seed_from_u64(42);
    let text = sentences();
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>")?;
    writeln!(f, "<rss version=\"2.0\" xmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">")?;
    writeln!(f, "<channel>\n\t<title>Bench Weekly</title>\n\t<link>https://bench.example</link>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\t<wp:base_site_url>https://bench.example</wp:base_site_url>")?;
    let mut records = 0u64;
    for a in 0..AUTHORS {
        writeln!(f, "\t<wp:author><wp:author_id>{a}</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_display_name>{}</wp:author_display_name></wp:author>", cdata(&format!("writer{a}")), cdata(&format!("Writer Number{a}")))?;
        records += 1;
    }
    for c in 0..CATEGORIES {
        let parent = if c >= 8 { format!("cat-{}", c % 8) } else { String::new() };
        writeln!(f, "\t<wp:category><wp:term_id>{}</wp:term_id><wp:category_nicename>{}</wp:category_nicename><wp:category_parent>{}</wp:category_parent><wp:cat_name>{}</wp:cat_name></wp:category>", c + 1, cdata(&format!("cat-{c}")), cdata(&parent), cdata(&format!("Category {c}")))?;
        records += 1;
    }
    for t in 0..TAGS {
        writeln!(f, "\t<wp:tag><wp:term_id>{}</wp:term_id><wp:tag_slug>{}</wp:tag_slug><wp:tag_name>{}</wp:tag_name></wp:tag>", 1000 + t, cdata(&format!("tag-{t}")), cdata(&format!("tag {t}")))?;
        records += 1;
    }
    let mut comment_id = 1u64;
    let start = jiff::civil::date(2006, 1, 1).at(9, 0, 0, 0);
    for p in 0..posts {
        let id = 100 + p;
        let when = start.checked_add(jiff::Span::new().minutes((p as i64) * 90)).unwrap();
        let date = when.strftime("%Y-%m-%d %H:%M:%S").to_string();
        let (y, m, d) = (when.year(), when.month(), when.day());
        let headline: String = text.choose(&mut rng).unwrap().split_whitespace().take(rng.gen_range(4..9)).collect::<Vec<_>>().join(" ");
        let slug = format!("{}-{id}", marquee_domain::slugify(&headline));
        let paragraphs = rng.gen_range(3..=6);
        let block = rng.gen_bool(0.7);
        let mut body = String::new();
        for _ in 0..paragraphs {
            let para: Vec<&str> = (0..rng.gen_range(2..5)).map(|_| text.choose(&mut rng).unwrap().as_str()).collect();
            if block {
                body.push_str(&format!("<!-- wp:paragraph -->\n<p>{}</p>\n<!-- /wp:paragraph -->\n\n", para.join(" ")));
            } else {
                body.push_str(&para.join(" "));
                body.push_str("\n\n");
            }
        }
        let status = match p % 50 {
            0 => "draft",
            1 => "private",
            _ => "publish",
        };
        write!(
            f,
            "\t<item>\n\t\t<title>{}</title>\n\t\t<link>https://bench.example/{y}/{m:02}/{d:02}/{slug}/</link>\n\t\t<dc:creator>{}</dc:creator>\n\t\t<guid isPermaLink=\"false\">https://bench.example/?p={id}</guid>\n\t\t<description></description>\n\t\t<content:encoded>{}</content:encoded>\n\t\t<excerpt:encoded>{}</excerpt:encoded>\n\t\t<wp:post_id>{id}</wp:post_id>\n\t\t<wp:post_date>{}</wp:post_date>\n\t\t<wp:post_date_gmt>{}</wp:post_date_gmt>\n\t\t<wp:comment_status>open</wp:comment_status>\n\t\t<wp:post_name>{}</wp:post_name>\n\t\t<wp:status>{status}</wp:status>\n\t\t<wp:post_parent>0</wp:post_parent>\n\t\t<wp:post_type>post</wp:post_type>\n\t\t<wp:post_password></wp:post_password>\n\t\t<wp:is_sticky>0</wp:is_sticky>\n",
            cdata(&headline),
            cdata(&format!("writer{}", rng.gen_range(0..AUTHORS))),
            cdata(&body),
            cdata(if rng.gen_bool(0.5) { text.choose(&mut rng).unwrap() } else { "" }),
            cdata(&date),
            cdata(&date),
            cdata(&slug),
        )?;
        for c in [rng.gen_range(0..CATEGORIES), rng.gen_range(0..CATEGORIES)] {
            write!(f, "\t\t<category domain=\"category\" nicename=\"cat-{c}\">{}</category>\n", cdata(&format!("Category {c}")))?;
        }
        for _ in 0..3 {
            let t = rng.gen_range(0..TAGS);
            write!(f, "\t\t<category domain=\"post_tag\" nicename=\"tag-{t}\">{}</category>\n", cdata(&format!("tag {t}")))?;
        }
        write!(f, "\t\t<wp:postmeta><wp:meta_key>_edit_last</wp:meta_key><wp:meta_value>1</wp:meta_value></wp:postmeta>\n\t\t<wp:postmeta><wp:meta_key>issue</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>\n", cdata(&(p / 40).to_string()))?;
        if p % 10 == 0 {
            write!(f, "\t\t<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key><wp:meta_value>{}</wp:meta_value></wp:postmeta>\n", cdata(&format!("old-{slug}")))?;
        }
        records += 1;
        let comments = rng.gen_range(0..=4);
        let first = comment_id;
        for c in 0..comments {
            let parent = if c > 0 && rng.gen_bool(0.4) { first } else { 0 };
            let approved = match rng.gen_range(0..20) {
                0 => "0",
                1 => "spam",
                _ => "1",
            };
            write!(
                f,
                "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{comment_id}</wp:comment_id>\n\t\t\t<wp:comment_author>{}</wp:comment_author>\n\t\t\t<wp:comment_author_email>{}</wp:comment_author_email>\n\t\t\t<wp:comment_author_url></wp:comment_author_url>\n\t\t\t<wp:comment_author_IP>{}</wp:comment_author_IP>\n\t\t\t<wp:comment_date>{}</wp:comment_date>\n\t\t\t<wp:comment_date_gmt>{}</wp:comment_date_gmt>\n\t\t\t<wp:comment_content>{}</wp:comment_content>\n\t\t\t<wp:comment_approved>{approved}</wp:comment_approved>\n\t\t\t<wp:comment_type>comment</wp:comment_type>\n\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>\n",
                cdata(&format!("Reader Person{}", rng.gen_range(0..5000))),
                cdata(&format!("reader{}@mail.example", rng.gen_range(0..5000))),
                cdata("192.0.2.10"),
                cdata(&date),
                cdata(&date),
                cdata(text.choose(&mut rng).unwrap()),
            )?;
            comment_id += 1;
            records += 1;
        }
        writeln!(f, "\t</item>")?;
    }
    writeln!(f, "</channel>\n</rss>")?;
    f.flush()?;
    Ok(records)
}

/// The process's peak resident memory so far, in MB (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok())))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// CPU seconds this process has used so far: (all threads, SQLite's worker threads). Less
/// shaken by a busy machine than the time on the clock, so it shows where the time went.
fn cpu_seconds() -> (f64, f64) {
    // utime + stime from a `stat` file; the name before them may hold spaces.
    let secs = |stat: &str| -> Option<(String, f64)> {
        let (head, rest) = stat.rsplit_once(") ")?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some((head.to_string(), ticks / 100.0))
    };
    // The process's own line counts threads that have ended too.
    let all = std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| secs(&s)).map_or(0.0, |(_, t)| t);
    let mut db = 0.0;
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        if let Some((name, t)) = std::fs::read_to_string(task.path().join("stat")).ok().and_then(|s| secs(&s)) {
            if name.contains("sqlx-sqlite") {
                db += t;
            }
        }
    }
    (all, db)
}

fn cpu_line(before: (f64, f64), postgres: bool) {
    let (all, db) = cpu_seconds();
    if postgres {
        println!("    CPU in this process: {:.1} s (PostgreSQL's own is not counted)", all - before.0);
    } else {
        println!("    CPU in this process: {:.1} s, of which SQLite's threads {:.1} s", all - before.0, db - before.1);
    }
}

async fn open_db(postgres: bool, dir: &Path) -> (Store, Option<scratch::Scratch>) {
    if !postgres {
        return (Store::open(&format!("sqlite://{}", dir.join("bench.db").display())).await.unwrap(), None);
    }
    let db = scratch::Scratch::create("wp").await;
    (Store::open(&db.url).await.unwrap(), Some(db))
}

fn line(what: &str, records: u64, posts: u64, secs: f64) {
    println!("{what:<34} {secs:>7.1} s  {:>9.0} records/s  {:>8.0} posts/s", records as f64 / secs, posts as f64 / secs);
}

#[tokio::main]
async fn main() {
    let postgres = scratch::wanted();
    let posts: usize = std::env::var("MARQUEE_BENCH_POSTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir: PathBuf = std::env::temp_dir().join(format!("marquee-bench-wp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("export.xml");

    let t = Instant::now();
    let records = generate(&file, posts).unwrap();
    let size_mb = std::fs::metadata(&file).unwrap().len() as f64 / (1024.0 * 1024.0);
    println!("WordPress import, {} database: {posts} posts, {records} records, {size_mb:.0} MB of WXR (written in {:.1} s)", if postgres { "PostgreSQL" } else { "SQLite" }, t.elapsed().as_secs_f64());

    // The reader alone: the floor under any import.
    let t = Instant::now();
    let mut reader = xml::WxrReader::new(std::fs::File::open(&file).unwrap(), xml::Limits::default());
    let mut read = 0u64;
    while let Some(node) = reader.next_record().unwrap() {
        read += 1 + node.children.iter().filter(|c| c.name == "wp:comment").count() as u64;
    }
    line("reading the file (XML only)", read, posts as u64, t.elapsed().as_secs_f64());

    let (store, pg) = open_db(postgres, &dir).await;
    store.set_search_dir(Some(dir.join("search-index")));
    store.create_section("news", "News", "", 0).await.unwrap();
    let media = marquee_media::Storage::Local(dir.join("media"));
    let opts = wordpress::Options::new(&media);
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let report = wordpress::import(&store, &file, &opts).await.unwrap();
    let first = t.elapsed().as_secs_f64();
    line("first import (all added)", report.records, report.posts, first);
    println!("    {}", report.summary());
    cpu_line(cpu, postgres);
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let again = wordpress::import(&store, &file, &opts).await.unwrap();
    line("second import (all unchanged)", again.records, again.posts, t.elapsed().as_secs_f64());
    println!("    {}", again.summary());
    cpu_line(cpu, postgres);
    println!("peak memory {:.0} MB for a {size_mb:.0} MB file", peak_rss_mb());
    let target = 10_000.0;
    let rate = report.records as f64 / first;
    println!("first import: {rate:.0} records/s = {:.2}x the 10,000/s target", rate / target);
    let t = Instant::now();
    let indexed = store.sync_search().await.unwrap();
    let index_secs = t.elapsed().as_secs_f64();
    println!("then a server's search index reads the log: {indexed} articles in {index_secs:.1} s ({:.0}/s); import and index together: {:.0} records/s", indexed as f64 / index_secs, report.records as f64 / (first + index_secs));

    store.close().await;
    if let Some(db) = pg {
        db.drop_database().await;
    }
    // MARQUEE_BENCH_KEEP=1 keeps the export and the SQLite database, to look at a large
    // archive afterwards.
    if std::env::var("MARQUEE_BENCH_KEEP").is_ok_and(|v| v == "1") {
        println!("kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
