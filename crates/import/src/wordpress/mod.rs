//! `marquee import wordpress FILE.xml`: a WordPress export (WXR 1.1/1.2, WordPress 4.x to 6.x)
//! brought into Marquee, and brought again without changing anything.
//!
//! The file is read twice, a buffer at a time ([`xml::WxrReader`]): first for its authors,
//! categories, tags and attachments (and to check that the whole file is well formed, so a
//! broken file is refused before anything is written), then for its posts and pages, which are
//! written a thousand to a transaction. Every record's source id and a fingerprint of what it
//! became are kept in `import_map`, so a second run over the same file writes nothing.

pub mod html;
pub mod xml;

#[cfg(test)]
mod proptests;

use crate::library::{self, MediaText};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use marquee_domain::media::MediaImage;
use marquee_domain::slug::{percent_decode, slugify, validate_slug, RESERVED_SECTION_SLUGS};
use marquee_media::{Limits, Storage};
use marquee_store::{ArticleWrite, ImportTx, ImportedComment, NewArticle, Store};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use xml::{Node, WxrReader};

/// Posts written per transaction.
const BATCH: usize = 1000;

/// Fetches an attachment by its address (the server's SSRF-guarded client).
pub trait Fetch: Send + Sync {
    fn get<'a>(&'a self, url: &'a str) -> Pin<Box<dyn Future<Output = Result<Vec<u8>, String>> + Send + 'a>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Categories {
    /// Each post goes into the section of its main category; its other categories become tags.
    Sections,
    /// Every post goes into one section and all its categories become tags.
    Tags,
}

pub struct Options<'a> {
    pub categories: Categories,
    /// The section for posts with no category, and for every post with [`Categories::Tags`].
    pub section: String,
    /// The section pages go into.
    pub pages_section: String,
    /// A copy of the site's `wp-content/uploads` folder.
    pub uploads: Option<PathBuf>,
    /// Downloads attachments that are not in `uploads`.
    pub fetch: Option<&'a dyn Fetch>,
    pub media: &'a Storage,
    pub media_limits: Limits,
    pub progress: bool,
    pub xml_limits: xml::Limits,
}

impl<'a> Options<'a> {
    /// Categories as sections, posts without one in `news`, pages in `pages`, images only
    /// from what `uploads` or `fetch` are later set to, the default limits, no progress bar.
    pub fn new(media: &'a Storage) -> Options<'a> {
        Options {
            categories: Categories::Sections,
            section: "news".into(),
            pages_section: "pages".into(),
            uploads: None,
            fetch: None,
            media,
            media_limits: Limits::default(),
            progress: false,
            xml_limits: xml::Limits::default(),
        }
    }
}

/// "64 KB", "16 MB": a size limit as people say it.
pub fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 {
        format!("{} MB", bytes / (1024 * 1024))
    } else if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub posts: u64,
    pub pages: u64,
    pub comments: u64,
    pub images: u64,
    pub redirects: u64,
    /// Every record read from the file (authors, terms, items, comments).
    pub records: u64,
    /// (line, why) for each record left out.
    pub skipped: Vec<(u64, String)>,
    /// What could not be carried over exactly: the kind of thing, how often, the first line.
    pub unmapped: BTreeMap<String, (u64, u64)>,
}

impl Report {
    pub fn summary(&self) -> String {
        format!("{} added, {} updated, {} unchanged, {} skipped", self.added, self.updated, self.unchanged, self.skipped.len())
    }

    /// The summary with what each kind of record came to and what was not mapped.
    pub fn details(&self) -> String {
        let mut s = format!(
            "{}\n{} records read: {} posts, {} pages, {} comments, {} images; {} old addresses redirect",
            self.summary(),
            self.records,
            self.posts,
            self.pages,
            self.comments,
            self.images,
            self.redirects
        );
        for (line, why) in self.skipped.iter().take(50) {
            s.push_str(&format!("\nskipped (line {line}): {why}"));
        }
        if self.skipped.len() > 50 {
            s.push_str(&format!("\n... and {} more skipped", self.skipped.len() - 50));
        }
        for (what, (n, line)) in &self.unmapped {
            s.push_str(&format!("\nnot mapped: {what} ({n}×, first on line {line})"));
        }
        s
    }

    /// Adds what a batch's writer counted.
    fn absorb(&mut self, other: Report) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.posts += other.posts;
        self.pages += other.pages;
        self.comments += other.comments;
        self.images += other.images;
        self.redirects += other.redirects;
        self.records += other.records;
        self.skipped.extend(other.skipped);
        for (what, (n, line)) in other.unmapped {
            let e = self.unmapped.entry(what).or_insert((0, line));
            e.0 += n;
            e.1 = e.1.min(line);
        }
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Added => self.added += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
        }
    }

    fn note(&mut self, what: impl Into<String>, line: u64) {
        let e = self.unmapped.entry(what.into()).or_insert((0, line));
        e.0 += 1;
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Added,
    Updated,
    Unchanged,
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// What the first pass learns.
#[derive(Default)]
struct Channel {
    source: String,
    authors: Vec<Node>,
    categories: Vec<Node>,
    tags: Vec<Node>,
    attachments: Vec<Node>,
    items: u64,
    terms_other: u64,
    terms_line: u64,
}

struct Category {
    slug: String,
    /// The nicename as WordPress spelt it in addresses, percent escapes decoded.
    raw: String,
    name: String,
    parent: String,
    term_id: String,
    line: u64,
}

struct Attachment {
    media_id: i64,
    image: MediaImage,
    parent: String,
    link_path: Option<String>,
}

fn open(path: &Path, limits: xml::Limits) -> anyhow::Result<WxrReader<std::fs::File>> {
    let f = std::fs::File::open(path).with_context(|| format!("{} could not be opened", path.display()))?;
    Ok(WxrReader::new(f, limits))
}

fn bar(progress: bool, len: u64, what: &str) -> ProgressBar {
    if progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(len);
        bar.set_style(ProgressStyle::with_template(&format!("{what} {{bar:30}} {{bytes}}/{{total_bytes}} {{msg}}")).expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// Imports the WXR file at `path`.
pub async fn import(store: &Store, path: &Path, opts: &Options<'_>) -> anyhow::Result<Report> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path).with_context(|| format!("{name} could not be read"))?.len();
    let plain = opts.progress && !std::io::stderr().is_terminal();
    let mut report = Report::default();

    // Pass 1: the site, its people and terms, its attachments; and the whole file checked.
    let channel = {
        let bar = bar(opts.progress, size, "Reading");
        let mut reader = open(path, opts.xml_limits)?;
        let mut ch = Channel::default();
        let mut link = String::new();
        while let Some(node) = reader.next_record().map_err(|e| anyhow::anyhow!("{name}:{e}"))? {
            bar.set_position(reader.offset);
            match node.name.as_str() {
                "wp:base_site_url" => ch.source = node.text.trim().to_string(),
                "link" => link = node.text.trim().to_string(),
                "wp:author" => ch.authors.push(node),
                "wp:category" => ch.categories.push(node),
                "wp:tag" => ch.tags.push(node),
                "wp:term" => {
                    if ch.terms_other == 0 {
                        ch.terms_line = node.line;
                    }
                    ch.terms_other += 1;
                }
                "item" => {
                    ch.items += 1;
                    if node.get("wp:post_type") == "attachment" {
                        ch.attachments.push(node);
                    }
                }
                _ => {}
            }
        }
        bar.finish_and_clear();
        if ch.source.is_empty() {
            ch.source = link;
        }
        if ch.source.is_empty() {
            anyhow::bail!("{name}: this export does not say which site it came from (no <wp:base_site_url> or <link> in <channel>)");
        }
        ch
    };
    let source = channel.source.trim_end_matches('/').to_string();
    if plain {
        eprintln!("{name}: {} items from {source}", channel.items);
    }
    store.settle_import_map(&source).await?;
    let publication = store.publication().await?;
    let tz = marquee_domain::time::parse_zone(&publication.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = marquee_domain::time::now_unix();
    if channel.terms_other > 0 {
        report.records += channel.terms_other;
        report.unmapped.insert("terms of other taxonomies (wp:term), such as menus or formats".into(), (channel.terms_other, channel.terms_line));
    }

    // Authors, and their archives' old addresses.
    let mut authors: HashMap<String, i64> = HashMap::new();
    let mut term_redirects: Vec<(String, String)> = Vec::new();
    // ("category:ID" or "tag:ID", fingerprint) for each term, so a second run can tell.
    let mut term_maps: Vec<(String, String)> = Vec::new();
    let known = store.import_map(&source, "author").await?;
    for a in &channel.authors {
        report.records += 1;
        let login = a.get("wp:author_login").trim().to_string();
        if login.is_empty() {
            report.skipped.push((a.line, "an author with no login".into()));
            continue;
        }
        let display = html::plain_text(a.get("wp:author_display_name"));
        let display = if display.is_empty() { login.clone() } else { display };
        let (id, slug, outcome) = author(store, &source, &known, &login, &display).await?;
        report.count(outcome);
        let nicename = slugify(&login);
        term_redirects.push((format!("/author/{nicename}/"), format!("/authors/{slug}/")));
        term_redirects.push((format!("/author/{nicename}/feed/"), format!("/authors/{slug}/feed.xml")));
        authors.insert(login, id);
    }

    // Sections, categories and tags, and their old addresses.
    let mut sections: HashMap<String, i64> = store.sections().await?.into_iter().map(|s| (s.slug, s.id)).collect();
    let default_section = ensure_section(store, &mut sections, &opts.section, &opts.section).await?;
    let cats: Vec<Category> = channel
        .categories
        .iter()
        .map(|c| {
            let slug = term_slug(c.get("wp:category_nicename"), c.get("wp:cat_name"));
            Category {
            raw: raw_slug(c.get("wp:category_nicename"), &slug),
            slug,
            name: html::plain_text(c.get("wp:cat_name")),
            parent: term_slug(c.get("wp:category_parent"), ""),
            term_id: c.get("wp:term_id").trim().to_string(),
            line: c.line,
        }})
        .collect();
    let cat_by_slug: HashMap<&str, &Category> = cats.iter().map(|c| (c.slug.as_str(), c)).collect();
    let known_terms = store.import_map(&source, "term").await?;
    // category slug -> where its posts go (section slug) in the sections mode
    let mut category_section: HashMap<String, String> = HashMap::new();
    for (old, new) in [("/feed/", "/feed.xml"), ("/feed/rss2/", "/feed.xml"), ("/feed/atom/", "/atom.xml")] {
        term_redirects.push((old.to_string(), new.to_string()));
    }
    for c in &cats {
        report.records += 1;
        if c.slug.is_empty() {
            report.skipped.push((c.line, format!("the category “{}” has no slug", c.name)));
            continue;
        }
        // The old address spells each category as WordPress did (`caf%c3%a9`), parents first.
        let mut path = vec![c.raw.clone()];
        let mut up = c.parent.clone();
        while let Some(p) = cat_by_slug.get(up.as_str()).filter(|_| path.len() < 10) {
            path.insert(0, p.raw.clone());
            up = p.parent.clone();
        }
        let old = format!("/category/{}/", path.join("/"));
        let target = match opts.categories {
            // WordPress's default category means "none": those posts go to the default section.
            Categories::Sections if c.slug == "uncategorized" => {
                category_section.insert(c.slug.clone(), opts.section.clone());
                format!("/{}/", opts.section)
            }
            Categories::Sections => {
                let slug = section_slug_for(&c.slug);
                let name = if c.name.is_empty() { c.slug.clone() } else { c.name.clone() };
                ensure_section(store, &mut sections, &slug, &name).await?;
                category_section.insert(c.slug.clone(), slug.clone());
                format!("/{slug}/")
            }
            Categories::Tags => format!("/tags/{}/", c.slug),
        };
        let fp = fingerprint(&[&c.slug, &c.name, &target]);
        report.count(match known_terms.get(&format!("category:{}", c.term_id)) {
            Some((_, f)) if *f == fp => Outcome::Unchanged,
            Some(_) => Outcome::Updated,
            None => Outcome::Added,
        });
        term_redirects.push((format!("{old}feed/"), feed_of(&target)));
        term_redirects.push((old, target.clone()));
        if !c.term_id.is_empty() {
            term_redirects.push((format!("/?cat={}", c.term_id), target.clone()));
        }
        term_maps.push((format!("category:{}", c.term_id), fp));
    }
    for t in &channel.tags {
        report.records += 1;
        let slug = term_slug(t.get("wp:tag_slug"), t.get("wp:tag_name"));
        if slug.is_empty() {
            report.skipped.push((t.line, "a tag with no slug".into()));
            continue;
        }
        let name = html::plain_text(t.get("wp:tag_name"));
        let target = format!("/tags/{slug}/");
        let id = t.get("wp:term_id").trim().to_string();
        let fp = fingerprint(&[&slug, &name]);
        report.count(match known_terms.get(&format!("tag:{id}")) {
            Some((_, f)) if *f == fp => Outcome::Unchanged,
            Some(_) => Outcome::Updated,
            None => Outcome::Added,
        });
        let raw = raw_slug(t.get("wp:tag_slug"), &slug);
        term_redirects.push((format!("/tag/{raw}/feed/"), feed_of(&target)));
        term_redirects.push((format!("/tag/{raw}/"), target.clone()));
        term_redirects.push((format!("/?tag={slug}"), target));
        term_maps.push((format!("tag:{id}"), fp));
    }
    {
        let mut tx = store.begin_import().await?;
        for (old, target) in &term_redirects {
            tx.path_redirect(old, target).await?;
        }
        report.redirects += term_redirects.len() as u64;
        for (key, fp) in &term_maps {
            tx.map(&source, "term", key, 0, fp).await?;
        }
        tx.commit().await?;
    }

    // Attachments into the media library.
    let mut attachments: HashMap<String, Attachment> = HashMap::new();
    let mut by_file: HashMap<String, String> = HashMap::new();
    let known_media = store.import_map(&source, "attachment").await?;
    {
        let bar = bar(opts.progress, channel.attachments.len() as u64, "Images");
        for a in &channel.attachments {
            bar.inc(1);
            report.records += 1;
            let id = a.get("wp:post_id").trim().to_string();
            let url = a.get("wp:attachment_url").trim().to_string();
            let file = meta(a, "_wp_attached_file").map(str::to_string).or_else(|| uploads_path(&url)).unwrap_or_default();
            let looks_like_image = a.get("wp:post_mime_type").starts_with("image/")
                || [".jpg", ".jpeg", ".png", ".gif", ".webp"].iter().any(|e| url.to_ascii_lowercase().ends_with(e));
            if !looks_like_image {
                report.note("attachments that are not images (they stay links to the old site)", a.line);
                continue;
            }
            let text = MediaText::trimmed(
                &html::plain_text(meta(a, "_wp_attachment_image_alt").unwrap_or("")).chars().take(library::MAX_ALT).collect::<String>(),
                &html::plain_text(a.get("excerpt:encoded")).chars().take(library::MAX_CAPTION).collect::<String>(),
                "",
            );
            let fp_text = fingerprint(&[&text.alt, &text.caption]);
            let got = match known_media.get(&id) {
                Some((media_id, f)) => match store.media(*media_id).await? {
                    Some(row) if f.ends_with(&fp_text) => Some((row, Outcome::Unchanged)),
                    Some(row) => {
                        let text = MediaText { credit: row.credit.clone(), ..text.clone() };
                        library::update_text(store, &row, &text).await?;
                        store.media(row.id).await?.map(|row| (row, Outcome::Updated))
                    }
                    None => {
                        report.note("images deleted here since an earlier import (left deleted)", a.line);
                        report.count(Outcome::Unchanged);
                        continue;
                    }
                },
                None => None,
            };
            let (row, outcome) = match got {
                Some(g) => g,
                None => {
                    let bytes = match attachment_bytes(opts, &file, &url).await {
                        Ok(b) => b,
                        Err(why) => {
                            report.skipped.push((a.line, format!("the image {url}: {why}")));
                            continue;
                        }
                    };
                    let file_name = file.rsplit('/').next().unwrap_or("").to_string();
                    match library::ingest(store, opts.media, opts.media_limits, &file_name, bytes, &text, None).await? {
                        Ok((media_id, _)) => {
                            let Some(row) = store.media(media_id).await? else { continue };
                            (row, Outcome::Added)
                        }
                        Err(refused) => {
                            report.skipped.push((a.line, format!("the image {url} was refused: {refused}")));
                            continue;
                        }
                    }
                }
            };
            if !matches!(outcome, Outcome::Unchanged) {
                let mut tx = store.begin_import().await?;
                tx.map(&source, "attachment", &id, row.id, &format!("{}{fp_text}", row.content_key)).await?;
                tx.commit().await?;
            }
            report.count(outcome);
            report.images += 1;
            if row.alt.trim().is_empty() {
                report.note("images with no alt text (shown as they were; add it in the media library, which asks for it before such a post is published again)", a.line);
            }
            let Some(image) = library::image_of(&row) else { continue };
            if !file.is_empty() {
                by_file.insert(file.clone(), id.clone());
            }
            attachments.insert(
                id.clone(),
                Attachment { media_id: row.id, image, parent: a.get("wp:post_parent").trim().to_string(), link_path: url_path(a.get("link")) },
            );
        }
        bar.finish_and_clear();
    }

    // Pass 2: posts and pages, with their comments.
    let known_posts = store.import_map(&source, "post").await?;
    let known_comments = store.import_map(&source, "comment").await?;
    let mut post_ids: HashMap<String, i64> = known_posts.iter().filter(|(_, (id, _))| *id != 0).map(|(k, (id, _))| (k.clone(), *id)).collect();
    let pages_section = ensure_section(store, &mut sections, &opts.pages_section, "Pages").await?;
    let section_slugs: HashMap<i64, String> = sections.iter().map(|(slug, id)| (*id, slug.clone())).collect();
    let writer = std::sync::Arc::new(WriteCtx { source: source.clone(), now, section_slugs, known_posts, known_comments, slugs: Default::default() });
    let bar = bar(opts.progress, size, "Importing");
    let mut reader = open(path, opts.xml_limits)?;
    let mut batch: Vec<Node> = Vec::new();
    let ctx = PostCtx {
        opts,
        tz: &tz,
        now,
        authors: &authors,
        categories: &category_section,
        cats_by_id: cats.iter().map(|c| (c.term_id.clone(), c.slug.clone())).collect(),
        default_section,
        pages_section,
        sections: &sections,
        attachments: &attachments,
        by_file: &by_file,
    };
    // Each batch is written by a task of its own while the next one is read and converted, so
    // the database and the converter work at the same time; as many batches are written at
    // once as the database takes (`Store::import_writers`), and their results are taken in
    // the order of the file.
    let mut seen = Seen::default();
    let mut writing: std::collections::VecDeque<Writing> = std::collections::VecDeque::new();
    let writers = store.import_writers().max(1);
    let mut read = 0u64;
    while let Some(node) = reader.next_record().map_err(|e| anyhow::anyhow!("{name}:{e}"))? {
        bar.set_position(reader.offset);
        if node.name != "item" {
            continue;
        }
        read += 1;
        if plain && read % 10_000 == 0 {
            eprintln!("{read} of {} items read", channel.items);
        }
        match node.get("wp:post_type") {
            "post" | "page" => batch.push(node),
            "attachment" => {}
            other => {
                report.records += 1;
                report.note(format!("items of the type “{}”", if other.is_empty() { "(none)" } else { other }), node.line);
            }
        }
        if batch.len() >= BATCH {
            let prepared = prepare_batch(&ctx, std::mem::take(&mut batch), &mut seen, &mut report);
            if writing.len() >= writers {
                finish_oldest(&mut writing, &mut report, &mut post_ids).await?;
            }
            writing.push_back(tokio::spawn(write_posts(store.clone(), writer.clone(), prepared)));
        }
    }
    let prepared = prepare_batch(&ctx, batch, &mut seen, &mut report);
    writing.push_back(tokio::spawn(write_posts(store.clone(), writer.clone(), prepared)));
    while !writing.is_empty() {
        finish_oldest(&mut writing, &mut report, &mut post_ids).await?;
    }
    bar.finish_and_clear();

    // Attachment pages answer with the post they belong to, or with the image itself.
    let mut tx = store.begin_import().await?;
    for (id, a) in &attachments {
        let mut olds = vec![format!("/?attachment_id={id}")];
        olds.extend(a.link_path.clone());
        for old in olds {
            match post_ids.get(&a.parent) {
                Some(&article) => tx.article_redirect(&old, article).await?,
                None => {
                    let widest = a.image.widths.last().copied().unwrap_or(a.image.width);
                    tx.path_redirect(&old, &format!("/media/{}/{widest}.{}", a.image.key, a.image.fallback)).await?
                }
            }
            report.redirects += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}

struct PostCtx<'a> {
    opts: &'a Options<'a>,
    tz: &'a jiff::tz::TimeZone,
    now: i64,
    authors: &'a HashMap<String, i64>,
    categories: &'a HashMap<String, String>,
    cats_by_id: HashMap<String, String>,
    default_section: i64,
    pages_section: i64,
    /// Section slug -> id.
    sections: &'a HashMap<String, i64>,
    attachments: &'a HashMap<String, Attachment>,
    by_file: &'a HashMap<String, String>,
}

/// What a batch's writer needs, shared with its task.
struct WriteCtx {
    source: String,
    now: i64,
    section_slugs: HashMap<i64, String>,
    known_posts: HashMap<String, (i64, String)>,
    known_comments: HashMap<String, (i64, String)>,
    /// The slugs the batches have taken, for those written at the same time.
    slugs: marquee_store::SlugClaims,
}

/// A batch being written: what it did, and the ids its posts have.
type Writing = tokio::task::JoinHandle<anyhow::Result<(Report, Vec<(String, i64)>)>>;

/// [`finish`] for the oldest batch being written. If it failed, the batches written beside
/// it end (committed or not) before the error is told.
async fn finish_oldest(writing: &mut std::collections::VecDeque<Writing>, report: &mut Report, post_ids: &mut HashMap<String, i64>) -> anyhow::Result<()> {
    let done = finish(writing.pop_front(), report, post_ids).await;
    if done.is_err() {
        for w in writing.drain(..) {
            let _ = w.await;
        }
    }
    done
}

/// Waits for a batch's writer and adds what it did to the report.
async fn finish(writing: Option<Writing>, report: &mut Report, post_ids: &mut HashMap<String, i64>) -> anyhow::Result<()> {
    if let Some(handle) = writing {
        let (written, ids) = handle.await??;
        report.absorb(written);
        post_ids.extend(ids);
    }
    Ok(())
}

/// The WordPress ids met so far: an export that names one twice keeps the first.
#[derive(Default)]
struct Seen {
    posts: std::collections::HashSet<String>,
    comments: std::collections::HashSet<String>,
}

/// Converts a batch of items (posts and pages, with their comments) into what is written.
fn prepare_batch(ctx: &PostCtx<'_>, items: Vec<Node>, seen: &mut Seen, report: &mut Report) -> Vec<Prepared> {
    let mut prepared = Vec::with_capacity(items.len());
    for item in items {
        report.records += 1;
        match prepare(ctx, &item, report) {
            Ok(Some(mut p)) => {
                if !seen.posts.insert(p.wp_id.clone()) {
                    report.skipped.push((p.line, format!("post {} appears twice in the export; the first one was kept", p.wp_id)));
                    continue;
                }
                p.comments.retain(|c| {
                    let first = seen.comments.insert(c.wp_id.clone());
                    if !first {
                        report.skipped.push((c.line, format!("comment {} appears twice in the export; the first one was kept", c.wp_id)));
                    }
                    first
                });
                prepared.push(p);
            }
            Ok(None) => {}
            Err(why) => report.skipped.push((item.line, why)),
        }
    }
    prepared
}

/// A post made ready to write.
struct Prepared {
    wp_id: String,
    line: u64,
    kind: &'static str,
    section_id: i64,
    slug: String,
    headline: String,
    deck: String,
    body: String,
    body_html: String,
    status: &'static str,
    publish_at: Option<i64>,
    author_ids: Vec<i64>,
    tags: Vec<(String, String)>,
    lead: Option<i64>,
    featured: bool,
    comments_open: bool,
    fields: Vec<(String, String)>,
    old_paths: Vec<String>,
    /// From its former slugs (`_wp_old_slug`).
    former_paths: Vec<String>,
    fingerprint: String,
    /// Its comments, oldest first (by WordPress id), ready to write.
    comments: Vec<ReadyComment>,
}

/// Writes a prepared batch in one transaction; answers what it did and the ids its posts have.
async fn write_posts(store: Store, ctx: std::sync::Arc<WriteCtx>, prepared: Vec<Prepared>) -> anyhow::Result<(Report, Vec<(String, i64)>)> {
    let mut report = Report::default();
    let mut ids = Vec::with_capacity(prepared.len());
    if prepared.is_empty() {
        return Ok((report, ids));
    }
    let report = &mut report;
    let mut tx = store.begin_import().await?;
    // Posts seen before: unchanged ones are left alone, changed ones saved one by one.
    let mut fresh: Vec<&Prepared> = Vec::new();
    let mut threads: Vec<(i64, &[ReadyComment])> = Vec::new();
    for p in &prepared {
        if p.kind == "page" {
            report.pages += 1;
        } else {
            report.posts += 1;
        }
        let section_slug = ctx.section_slugs.get(&p.section_id).map(String::as_str).unwrap_or("");
        let article_id = match ctx.known_posts.get(&p.wp_id) {
            None => {
                fresh.push(p);
                continue;
            }
            Some((0, _)) => {
                report.note("posts deleted here since an earlier import (left deleted)", p.line);
                report.count(Outcome::Unchanged);
                None
            }
            Some((id, fp)) if *fp == p.fingerprint => {
                report.count(Outcome::Unchanged);
                let path = format!("/{section_slug}/{}/", p.slug);
                report.redirects += p.old_paths.iter().chain(&p.former_paths).filter(|old| **old != path).count() as u64;
                Some(*id)
            }
            Some((id, _)) => update_post(&mut tx, &ctx, p, *id, section_slug, report).await?,
        };
        if let Some(id) = article_id {
            ids.push((p.wp_id.clone(), id));
            threads.push((id, &p.comments));
        }
    }
    // New posts, many rows to a statement.
    let new: Vec<NewArticle<'_>> = fresh
        .iter()
        .map(|p| NewArticle {
            section_id: p.section_id,
            section_slug: ctx.section_slugs.get(&p.section_id).map(String::as_str).unwrap_or(""),
            slug: &p.slug,
            headline: &p.headline,
            deck: &p.deck,
            body: &p.body,
            body_html: &p.body_html,
            status: p.status,
            publish_at: p.publish_at,
            author_ids: &p.author_ids,
            tags: &p.tags,
            featured: p.featured,
            comments_open: p.comments_open,
            lead_media_id: p.lead,
            fields: &p.fields,
            old_paths: &p.old_paths,
            former_paths: &p.former_paths,
            now: ctx.now,
        })
        .collect();
    let written = tx.add_articles(&new, &ctx.slugs).await?;
    let mut mapped = Vec::with_capacity(written.len());
    for (p, (id, path)) in fresh.iter().zip(&written) {
        report.count(Outcome::Added);
        report.redirects += p.old_paths.iter().chain(&p.former_paths).filter(|old| marquee_domain::slug::canonical_path(old) != *path).count() as u64;
        mapped.push((p.wp_id.clone(), *id, p.fingerprint.clone()));
        ids.push((p.wp_id.clone(), *id));
        threads.push((*id, &p.comments));
    }
    tx.map_many(&ctx.source, "post", &mapped).await?;
    write_comments(&mut tx, &ctx, &threads, report).await?;
    tx.commit().await?;
    Ok((std::mem::take(report), ids))
}

/// Saves a post imported before whose export changed; answers its id, or `None` when it was
/// deleted here since (it stays deleted) or could not be saved (reported).
async fn update_post(tx: &mut ImportTx<'_>, ctx: &WriteCtx, p: &Prepared, id: i64, section_slug: &str, report: &mut Report) -> anyhow::Result<Option<i64>> {
    let w = ArticleWrite {
        id: Some(id),
        section_id: p.section_id,
        slug: &p.slug,
        headline: &p.headline,
        deck: &p.deck,
        body: &p.body,
        body_html: &p.body_html,
        status: p.status,
        publish_at: p.publish_at,
        author_ids: &p.author_ids,
        tags: &p.tags,
        film_id: None,
        rating: None,
        user_id: None,
        featured: Some(p.featured),
        unchanged_since: None,
        slug_proposed: true,
        lead_media_id: Some(p.lead),
        now: ctx.now,
    };
    match tx.save_article(&w, section_slug).await? {
        Ok(id) => {
            tx.set_comments_open(id, p.comments_open).await?;
            tx.set_article_fields(id, &p.fields).await?;
            let new_path = tx.article_path(id).await?;
            for old in p.old_paths.iter().chain(&p.former_paths) {
                if marquee_domain::slug::canonical_path(old) != new_path {
                    tx.article_redirect(old, id).await?;
                    report.redirects += 1;
                }
            }
            tx.map(&ctx.source, "post", &p.wp_id, id, &p.fingerprint).await?;
            report.count(Outcome::Updated);
            Ok(Some(id))
        }
        Err(marquee_store::SaveError::NotFound) => {
            report.note("posts deleted here since an earlier import (left deleted)", p.line);
            report.count(Outcome::Unchanged);
            Ok(None)
        }
        Err(e) => {
            report.skipped.push((p.line, format!("“{}” could not be saved: {e:?}", p.headline)));
            Ok(None)
        }
    }
}

/// A comment made ready to write.
struct ReadyComment {
    wp_id: String,
    parent_wp: String,
    line: u64,
    body: String,
    html: String,
    status: &'static str,
    reason: &'static str,
    name: String,
    ip: String,
    created_at: i64,
    /// Whether the file gave `created_at` (otherwise it is the time of the import).
    dated: bool,
    fields: Vec<(String, String)>,
}

/// A post's comments, oldest (by WordPress id) first, each read from the export; those left
/// out are in the report.
fn ready_comments(ctx: &PostCtx<'_>, item: &Node, report: &mut Report) -> Vec<ReadyComment> {
    let mut sorted: Vec<&Node> = item.all("wp:comment").collect();
    sorted.sort_by_key(|c| c.get("wp:comment_id").trim().parse::<u64>().unwrap_or(u64::MAX));
    let mut rest = Vec::with_capacity(sorted.len());
    for c in sorted {
        report.records += 1;
        match ready_comment(ctx, c, report) {
            Ok(r) => rest.push(r),
            Err(Some(why)) => report.skipped.push((c.line, why)),
            Err(None) => {}
        }
    }
    // A reply whose comment is not among them (a pingback, one left out) stands on its own.
    let here: std::collections::HashSet<String> = rest.iter().map(|c| c.wp_id.clone()).collect();
    for c in rest.iter_mut() {
        if !c.parent_wp.is_empty() && c.parent_wp != "0" && (!here.contains(&c.parent_wp) || c.parent_wp == c.wp_id) {
            report.note("replies to comments that were not imported (shown as comments of their own)", c.line);
            c.parent_wp.clear();
        }
    }
    // Parents before their replies, whatever order their ids are in.
    let mut ordered = Vec::with_capacity(rest.len());
    let mut placed: std::collections::HashSet<String> = std::collections::HashSet::new();
    while !rest.is_empty() {
        let (now, later): (Vec<ReadyComment>, Vec<ReadyComment>) = rest.into_iter().partition(|c| c.parent_wp.is_empty() || c.parent_wp == "0" || placed.contains(&c.parent_wp));
        if now.is_empty() {
            // Replies that answer each other in a ring: each stands on its own.
            for mut c in later {
                report.note("replies to comments that were not imported (shown as comments of their own)", c.line);
                c.parent_wp.clear();
                ordered.push(c);
            }
            break;
        }
        placed.extend(now.iter().map(|c| c.wp_id.clone()));
        ordered.extend(now);
        rest = later;
    }
    ordered
}

/// A comment read from the export, or why it is left out (`Err(None)`: noted in the report).
fn ready_comment(ctx: &PostCtx<'_>, c: &Node, report: &mut Report) -> Result<ReadyComment, Option<String>> {
    let wp_id = c.get("wp:comment_id").trim().to_string();
    match c.get("wp:comment_type").trim() {
        "" | "comment" => {}
        other => {
            report.note(format!("{other}s (comments of the type “{other}”)"), c.line);
            return Err(None);
        }
    }
    if wp_id.is_empty() {
        return Err(Some("a comment with no id".into()));
    }
    if c.child("wp:comment_content").is_some_and(|n| n.oversized) {
        return Err(Some(format!("comment {wp_id} is larger than {}", size_text(ctx.opts.xml_limits.max_field))));
    }
    let body = html::to_markdown(c.get("wp:comment_content"), &mut |_: &str| None).markdown;
    let Ok(rendered) = marquee_domain::comment::render_imported_comment(&body) else {
        report.note("empty comments", c.line);
        return Err(None);
    };
    let (status, reason) = match c.get("wp:comment_approved").trim() {
        "1" => ("approved", ""),
        "spam" => ("rejected", "Marked as spam on the old site."),
        "trash" => ("deleted", ""),
        _ => ("pending", ""),
    };
    let mut fields = Vec::new();
    for key in ["wp:comment_author_email", "wp:comment_author_url", "wp:comment_user_id", "wp:comment_agent"] {
        let v = c.get(key).trim();
        if !v.is_empty() && v != "0" {
            fields.push((key.trim_start_matches("wp:").to_string(), v.to_string()));
        }
    }
    for m in c.all("wp:commentmeta") {
        fields.push((m.get("wp:meta_key").to_string(), m.get("wp:meta_value").to_string()));
    }
    let created_at = parse_date(c.get("wp:comment_date_gmt"), &jiff::tz::TimeZone::UTC).or_else(|| parse_date(c.get("wp:comment_date"), ctx.tz));
    Ok(ReadyComment {
        wp_id,
        parent_wp: c.get("wp:comment_parent").trim().to_string(),
        line: c.line,
        body,
        html: rendered.html,
        status,
        reason,
        name: html::plain_text(c.get("wp:comment_author")).chars().take(marquee_domain::comment::MAX_NAME_CHARS).collect(),
        ip: c.get("wp:comment_author_IP").trim().to_string(),
        created_at: created_at.unwrap_or(ctx.now),
        dated: created_at.is_some(),
        fields,
    })
}

/// The comments of a batch's posts: new ones many rows to a statement (their ids taken first,
/// so a reply can name a parent written in the same statement), changed ones one by one.
async fn write_comments(tx: &mut ImportTx<'_>, ctx: &WriteCtx, threads: &[(i64, &[ReadyComment])], report: &mut Report) -> anyhow::Result<()> {
    let ready: Vec<(i64, &ReadyComment)> = threads.iter().flat_map(|(article, comments)| comments.iter().map(move |c| (*article, c))).collect();
    let unknown = ready.iter().filter(|(_, r)| !ctx.known_comments.contains_key(&r.wp_id)).count();
    let mut new_ids = tx.comment_ids(unknown).await?.into_iter();
    // (article, WordPress id) -> (id here, depth, parent here)
    let mut here: HashMap<(i64, &str), (i64, i64, Option<i64>)> = HashMap::new();
    let mut added = Vec::new();
    let mut mapped = Vec::new();
    for (article_id, r) in &ready {
        let (parent_id, depth) = match here.get(&(*article_id, r.parent_wp.as_str())) {
            Some(&(pid, d, _)) if d < marquee_store::MAX_DEPTH => (Some(pid), d + 1),
            // Deeper than threads go here: it joins its parent's own parent, as a reply
            // written here would.
            Some(&(_, d, grand)) => (grand, d),
            None => (None, 0),
        };
        let r = *r;
        let parent_text = parent_id.map(|p| p.to_string()).unwrap_or_default();
        // A comment the file gives no date is dated when it is first imported, and that time
        // is no change to it on the next run.
        let created_text = if r.dated { r.created_at.to_string() } else { String::new() };
        let mut parts = vec![r.body.as_str(), r.status, &r.name, &r.ip, &parent_text, &created_text];
        parts.extend(r.fields.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]));
        let fp = fingerprint(&parts);
        let comment = ImportedComment {
            article_id: *article_id,
            parent_id,
            depth,
            body: &r.body,
            body_html: &r.html,
            status: r.status,
            reject_reason: r.reason,
            name: &r.name,
            ip: &r.ip,
            created_at: r.created_at,
        };
        report.comments += 1;
        let id = match ctx.known_comments.get(&r.wp_id) {
            Some((0, _)) => {
                report.note("comments deleted here since an earlier import (left deleted)", r.line);
                report.count(Outcome::Unchanged);
                None
            }
            Some((id, f)) if *f == fp => {
                report.count(Outcome::Unchanged);
                Some(*id)
            }
            Some((id, _)) => match tx.update_comment(*id, &comment).await? {
                true => {
                    tx.set_comment_fields(*id, &r.fields).await?;
                    tx.map(&ctx.source, "comment", &r.wp_id, *id, &fp).await?;
                    report.count(Outcome::Updated);
                    Some(*id)
                }
                false => {
                    report.note("comments deleted here since an earlier import (left deleted)", r.line);
                    report.count(Outcome::Unchanged);
                    None
                }
            },
            None => {
                let id = new_ids.next().expect("an id was taken for every new comment");
                report.count(Outcome::Added);
                mapped.push((r.wp_id.clone(), id, fp));
                added.push((id, comment, r.fields.clone()));
                Some(id)
            }
        };
        if let Some(id) = id {
            here.insert((*article_id, r.wp_id.as_str()), (id, depth, parent_id));
        }
    }
    tx.add_comments(&added).await?;
    tx.map_many(&ctx.source, "comment", &mapped).await?;
    Ok(())
}

fn prepare(ctx: &PostCtx<'_>, item: &Node, report: &mut Report) -> Result<Option<Prepared>, String> {
    let kind = if item.get("wp:post_type") == "page" { "page" } else { "post" };
    let wp_id = item.get("wp:post_id").trim().to_string();
    if wp_id.is_empty() {
        return Err(format!("a {kind} with no <wp:post_id>"));
    }
    for field in ["title", "content:encoded", "excerpt:encoded"] {
        if item.child(field).is_some_and(|n| n.oversized) {
            return Err(format!("{kind} {wp_id}: its {field} is larger than {}", size_text(ctx.opts.xml_limits.max_field)));
        }
    }
    let wp_status = item.get("wp:status").trim();
    let password = !item.get("wp:post_password").is_empty();
    let mut status = match wp_status {
        "publish" => "published",
        "future" => "scheduled",
        "draft" | "pending" => "draft",
        "private" => {
            report.note("private posts (kept as drafts)", item.line);
            "draft"
        }
        "trash" | "auto-draft" | "inherit" => {
            report.note(format!("{kind}s with the status “{wp_status}” (not imported)"), item.line);
            return Ok(None);
        }
        other => return Err(format!("{kind} {wp_id} has the status “{other}”, which WordPress does not use")),
    };
    if password && status != "draft" {
        report.note("password-protected posts (kept as drafts, since Marquee has no passwords on articles)", item.line);
        status = "draft";
    }
    let date = parse_date(item.get("wp:post_date_gmt"), &jiff::tz::TimeZone::UTC).or_else(|| parse_date(item.get("wp:post_date"), ctx.tz));
    let publish_at = match status {
        "draft" => None,
        _ => Some(date.ok_or_else(|| format!("{kind} {wp_id} is {wp_status} but has no date"))?),
    };
    let mut headline = html::plain_text(item.get("title"));
    if headline.is_empty() {
        headline = "Untitled".into();
        report.note("posts with no title (called “Untitled”)", item.line);
    }
    let headline: String = headline.chars().take(300).collect();
    let deck: String = html::plain_text(item.get("excerpt:encoded")).chars().take(1000).collect();
    let post_name = percent_decode(item.get("wp:post_name").trim());
    let mut slug = slugify(&post_name);
    if slug.is_empty() {
        slug = slugify(&headline);
    }
    if slug.is_empty() {
        // The id is what the export says it is: only its letters and digits go in the slug.
        slug = slugify(&format!("{kind}-{wp_id}"));
    }
    let slug: String = slug.chars().take(80).collect::<String>().trim_end_matches('-').to_string();

    // Categories and tags.
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut post_cats: Vec<String> = Vec::new();
    for c in item.all("category") {
        let nice = term_slug(c.attr("nicename").unwrap_or(""), &c.text);
        if nice.is_empty() {
            continue;
        }
        let name = html::plain_text(&c.text);
        match c.attr("domain") {
            Some("category") => post_cats.push(nice.clone()),
            Some("post_tag") => {}
            Some(_) => {
                report.note("terms of other taxonomies on posts", item.line);
                continue;
            }
            None => continue,
        }
        let is_category = c.attr("domain") == Some("category");
        if is_category && ctx.opts.categories == Categories::Sections {
            continue;
        }
        if !tags.iter().any(|(s, _)| *s == nice) {
            tags.push((nice, if name.is_empty() { c.text.clone() } else { name }));
        }
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    for m in item.all("wp:postmeta") {
        let key = m.get("wp:meta_key");
        if matches!(key, "_edit_lock" | "_edit_last") {
            continue;
        }
        fields.push((key.to_string(), m.get("wp:meta_value").to_string()));
    }
    let section_id = if kind == "page" {
        ctx.pages_section
    } else if ctx.opts.categories == Categories::Sections {
        let primary = meta(item, "_yoast_wpseo_primary_category").and_then(|id| ctx.cats_by_id.get(id.trim())).filter(|s| post_cats.contains(s));
        let main = primary.or(post_cats.first());
        if let Some(main) = main {
            for other in post_cats.iter().filter(|c| *c != main) {
                let name = item.all("category").find(|c| c.attr("nicename") == Some(other)).map(|c| html::plain_text(&c.text)).unwrap_or_else(|| other.clone());
                if !tags.iter().any(|(s, _)| s == other) {
                    tags.push((other.clone(), name));
                }
            }
        }
        main.and_then(|m| ctx.categories.get(m)).and_then(|slug| ctx.sections.get(slug).copied()).unwrap_or(ctx.default_section)
    } else {
        ctx.default_section
    };

    // Authors.
    let login = item.get("dc:creator").trim();
    let author_ids: Vec<i64> = ctx.authors.get(login).copied().into_iter().collect();
    if author_ids.is_empty() && !login.is_empty() {
        report.note("posts whose author is not among the export's authors (no byline)", item.line);
    }

    // The body, with its images brought into the library where the export has them.
    let content = html::expand_media_shortcodes(item.get("content:encoded"), &mut |ids| gallery_html(ctx, &wp_id, ids));
    // The library images the body shows, gathered as the converter meets them.
    let mut shown: HashMap<String, MediaImage> = HashMap::new();
    let converted = html::to_markdown(&content, &mut |src: &str| {
        let attachment = image_attachment(ctx, src)?;
        shown.insert(attachment.image.key.clone(), attachment.image.clone());
        Some(html::FoundImage { key: attachment.image.key.clone(), alt: attachment.image.alt.clone() })
    });
    for n in &converted.notes {
        let general = if n.starts_with("the image ") {
            "body images that are not among the export's attachments (they still point at the old site)".to_string()
        } else if n.starts_with("an embedded ") {
            "embeds (each became a link to what it embedded)".to_string()
        } else {
            n.clone()
        };
        report.note(general, item.line);
    }
    let body_html = marquee_domain::markdown::render_checked_with_media(&converted.markdown, usize::MAX, &|key: &str| shown.get(key).cloned())
        .map_err(|why| format!("{kind} {wp_id}: {why}"))?;
    let lead = meta(item, "_thumbnail_id").and_then(|id| ctx.attachments.get(id.trim())).map(|a| a.media_id);

    let mut old_paths = Vec::new();
    let mut former_paths = Vec::new();
    if let Some(p) = url_path(item.get("link")) {
        old_paths.push(p);
    }
    if kind == "page" {
        old_paths.push(format!("/?page_id={wp_id}"));
    } else {
        old_paths.push(format!("/?p={wp_id}"));
        let local = item.get("wp:post_date");
        // The date's parts by position (WordPress writes "2019-05-03 14:22:10"); a date with
        // other characters there is not cut inside one.
        let dated = !post_name.is_empty() && !local.starts_with("0000");
        if let (true, Some(y), Some(m), Some(d)) = (dated, local.get(0..4), local.get(5..7), local.get(8..10)) {
            old_paths.push(format!("/{y}/{m}/{d}/{}/", item.get("wp:post_name").trim()));
            for old in item.all("wp:postmeta").filter(|m| m.get("wp:meta_key") == "_wp_old_slug") {
                former_paths.push(format!("/{y}/{m}/{d}/{}/", old.get("wp:meta_value").trim()));
            }
        }
    }
    old_paths.sort();
    old_paths.dedup();
    former_paths.sort();
    former_paths.dedup();
    former_paths.retain(|f| !old_paths.contains(f));
    let comments_open = item.get("wp:comment_status").trim() != "closed";
    let featured = item.get("wp:is_sticky").trim() == "1";

    let section_text = section_id.to_string();
    let publish_text = publish_at.map(|t| t.to_string()).unwrap_or_default();
    let authors_text: Vec<String> = author_ids.iter().map(|a| a.to_string()).collect();
    let lead_text = lead.map(|l| l.to_string()).unwrap_or_default();
    let mut parts: Vec<&str> = vec![&section_text, &slug, &headline, &deck, &converted.markdown, status, &publish_text, &lead_text, if comments_open { "open" } else { "closed" }, if featured { "sticky" } else { "" }];
    parts.extend(authors_text.iter().map(String::as_str));
    parts.push("tags");
    parts.extend(tags.iter().flat_map(|(s, n)| [s.as_str(), n.as_str()]));
    parts.push("fields");
    parts.extend(fields.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]));
    parts.push("paths");
    parts.extend(old_paths.iter().map(String::as_str));
    parts.push("former");
    parts.extend(former_paths.iter().map(String::as_str));
    let fingerprint = fingerprint(&parts);

    Ok(Some(Prepared {
        wp_id,
        line: item.line,
        kind,
        section_id,
        slug,
        headline,
        deck,
        body: converted.markdown,
        body_html,
        status,
        publish_at,
        author_ids,
        tags,
        lead,
        featured,
        comments_open,
        fields,
        old_paths,
        former_paths,
        fingerprint,
        comments: ready_comments(ctx, item, report),
    }))
}

/// A gallery's images, one paragraph each: those `ids` names, or with none the post's own
/// attached images in upload order. `None` when the library has none of them.
fn gallery_html(ctx: &PostCtx<'_>, post_id: &str, ids: Option<&str>) -> Option<String> {
    let chosen: Vec<&str> = match ids {
        Some(ids) => ids.split(',').map(str::trim).filter(|id| ctx.attachments.contains_key(*id)).collect(),
        None => {
            let mut own: Vec<&str> = ctx.attachments.iter().filter(|(_, a)| a.parent == post_id).map(|(id, _)| id.as_str()).collect();
            own.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
            own
        }
    };
    (!chosen.is_empty()).then(|| chosen.iter().map(|id| format!("<p><img src=\"wp-attachment:{id}\" alt=\"\"></p>")).collect())
}

/// The attachment an image address in a body shows: a gallery's `wp-attachment:ID`, the same
/// file, or one of the sizes WordPress made of it (`photo-1024x768.jpg` for `photo.jpg`).
fn image_attachment<'a>(ctx: &'a PostCtx<'_>, src: &str) -> Option<&'a Attachment> {
    if let Some(id) = src.strip_prefix("wp-attachment:") {
        return ctx.attachments.get(id);
    }
    let rel = uploads_path(src)?;
    let find = |rel: &str| ctx.by_file.get(rel).and_then(|id| ctx.attachments.get(id));
    if let Some(a) = find(&rel) {
        return Some(a);
    }
    let (stem, ext) = rel.rsplit_once('.')?;
    let (base, size) = stem.rsplit_once('-')?;
    let (w, h) = size.split_once('x')?;
    if w.bytes().all(|b| b.is_ascii_digit()) && h.bytes().all(|b| b.is_ascii_digit()) && !w.is_empty() && !h.is_empty() {
        return find(&format!("{base}.{ext}")).or_else(|| find(&format!("{base}-scaled.{ext}")));
    }
    None
}

/// `2019/05/photo.jpg` from `https://paper.example/wp-content/uploads/2019/05/photo.jpg?x=1`.
fn uploads_path(url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next().unwrap_or("");
    let i = url.find("/wp-content/uploads/")?;
    let rel = &url[i + "/wp-content/uploads/".len()..];
    (!rel.is_empty()).then(|| percent_decode(rel))
}

async fn attachment_bytes(opts: &Options<'_>, file: &str, url: &str) -> Result<Vec<u8>, String> {
    if let Some(dir) = &opts.uploads {
        if !file.is_empty() && !file.split('/').any(|seg| seg == ".." || seg.is_empty() || seg.contains('\\')) {
            let path = dir.join(file);
            match tokio::fs::read(&path).await {
                Ok(bytes) => return Ok(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{} could not be read: {e}", path.display())),
            }
        }
    }
    match opts.fetch {
        Some(f) if !url.is_empty() => f.get(url).await,
        _ if opts.uploads.is_some() => Err(format!("{file} is not in the uploads folder (give --fetch to download what is missing)")),
        _ => Err("not read: give --uploads DIR (a copy of wp-content/uploads) or --fetch".into()),
    }
}

fn meta<'a>(item: &'a Node, key: &str) -> Option<&'a str> {
    item.all("wp:postmeta").find(|m| m.get("wp:meta_key") == key).map(|m| m.get("wp:meta_value"))
}

/// The path (and query) of an address on the old site.
fn url_path(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map(|(_, r)| r)?;
    let path = &rest[rest.find('/')?..];
    let path = path.split('#').next().unwrap_or("");
    (path.len() > 1 && !path.starts_with("//")).then(|| path.to_string())
}

/// A term's nicename as its addresses spelt it (percent escapes decoded), or `slug` when the
/// export gave none.
fn raw_slug(nicename: &str, slug: &str) -> String {
    let raw = percent_decode(nicename.trim());
    if raw.is_empty() || raw.contains(['/', '?', '#']) {
        slug.to_string()
    } else {
        raw
    }
}

/// The feed of a section or tag page (`/music/` -> `/music/feed.xml`).
fn feed_of(page: &str) -> String {
    format!("{page}feed.xml")
}

fn term_slug(nicename: &str, name: &str) -> String {
    let decoded = percent_decode(nicename.trim());
    let s = slugify(&decoded);
    if s.is_empty() {
        slugify(&html::plain_text(name))
    } else {
        s
    }
}

/// A section slug for a category: its own, unless Marquee keeps that address for itself.
fn section_slug_for(category: &str) -> String {
    if validate_slug(category).is_ok() && !RESERVED_SECTION_SLUGS.contains(&category) {
        category.to_string()
    } else {
        format!("{}-section", category.trim_matches('-'))
    }
}

async fn ensure_section(store: &Store, sections: &mut HashMap<String, i64>, slug: &str, name: &str) -> anyhow::Result<i64> {
    if let Some(id) = sections.get(slug) {
        return Ok(*id);
    }
    validate_slug(slug).map_err(|e| anyhow::anyhow!("the section “{slug}”: {e}"))?;
    let position = sections.len() as i64;
    let id = match store.create_section(slug, name, "", position).await? {
        Some(id) => id,
        None => store.section_by_slug(slug).await?.map(|s| s.id).with_context(|| format!("the section {slug} could not be made"))?,
    };
    sections.insert(slug.to_string(), id);
    Ok(id)
}

/// The author a WordPress login became: (id, slug, what the import did).
async fn author(store: &Store, source: &str, known: &HashMap<String, (i64, String)>, login: &str, display: &str) -> anyhow::Result<(i64, String, Outcome)> {
    let fp = fingerprint(&[display]);
    if let Some((id, f)) = known.get(login) {
        if let Some(existing) = store.author_by_id(*id).await? {
            if *f == fp {
                return Ok((*id, existing.slug, Outcome::Unchanged));
            }
            store.update_author(*id, display, &existing.bio).await?;
            let mut tx = store.begin_import().await?;
            tx.map(source, "author", login, *id, &fp).await?;
            tx.commit().await?;
            return Ok((*id, existing.slug, Outcome::Updated));
        }
    }
    let base = match slugify(display) {
        s if s.is_empty() => slugify(login),
        s => s,
    };
    let created = store.create_author(&base, display, "").await?;
    let mut tx = store.begin_import().await?;
    tx.map(source, "author", login, created.id, &fp).await?;
    tx.commit().await?;
    Ok((created.id, created.slug, Outcome::Added))
}

/// A WordPress date ("2019-05-03 14:22:10") in `tz`; the zero date WordPress writes for
/// drafts is no date.
fn parse_date(s: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.starts_with("0000") {
        return None;
    }
    let dt = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", s).ok()?;
    Some(dt.to_zoned(tz.clone()).ok()?.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_sizes() {
        assert_eq!(url_path("https://paper.example/2019/05/03/hello/"), Some("/2019/05/03/hello/".into()));
        assert_eq!(url_path("https://paper.example/?p=12"), Some("/?p=12".into()));
        assert_eq!(url_path("https://paper.example/"), None);
        assert_eq!(uploads_path("https://paper.example/wp-content/uploads/2019/05/a%20b-300x200.jpg?v=2"), Some("2019/05/a b-300x200.jpg".into()));
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("50%优惠 %a€ 100%"), "50%优惠 %a€ 100%", "a % before a character that is not ASCII is text");
        assert_eq!(section_slug_for("media"), "media-section");
        assert_eq!(parse_date("0000-00-00 00:00:00", &jiff::tz::TimeZone::UTC), None);
        assert_eq!(parse_date("2019-05-03 14:22:10", &jiff::tz::TimeZone::UTC), Some(1556893330));
    }
}
