//! `marquee export`, `marquee restore` and `marquee backup`: everything a paper owns written
//! as a directory of line-oriented files (the format is in `docs/export-format.md`), loaded
//! back into an empty database of either kind, and a live SQLite site snapshotted without
//! stopping it.
//!
//! An export is the same bytes whichever database it came from: tables in a fixed order, rows
//! in an order both backends agree on, columns sorted by name, values written here rather than
//! by a map whose order could change, and nothing about the machine or the time it ran.

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use marquee_media::Storage;
use marquee_store::{Column, ColumnKind, Store, Value, EXPORTED_TABLES};
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::Path;

pub const FORMAT: &str = "marquee-export";
/// Bumped when the layout or the way values are written changes.
pub const VERSION: i64 = 1;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: i64,
    /// The newest database migration of the Marquee that wrote it.
    pub schema: i64,
    pub tables: Vec<TableEntry>,
    /// Original image files under `media/`, by storage key.
    pub media_files: Vec<String>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub file: String,
    pub rows: u64,
    pub columns: Vec<Column>,
}

#[derive(Debug, Default)]
pub struct ExportReport {
    pub tables: usize,
    pub rows: u64,
    pub media_files: usize,
}

fn bar(progress: bool, len: u64, what: &str) -> ProgressBar {
    if progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(len);
        bar.set_style(ProgressStyle::with_template(&format!("{what} {{bar:30}} {{pos}}/{{len}} {{msg}}")).expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// Writes one row as a JSON object, keys in `cols` order (sorted by name).
fn write_row(out: &mut impl Write, cols: &[Column], row: &[Value]) -> std::io::Result<()> {
    out.write_all(b"{")?;
    for (i, (c, v)) in cols.iter().zip(row).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &c.name)?;
        out.write_all(b":")?;
        match v {
            Value::Null => out.write_all(b"null")?,
            Value::Integer(n) => write!(out, "{n}")?,
            // Reals as JSON numbers in their shortest exact form; one with no fraction keeps
            // ".0" so that it reads back as a real.
            Value::Real(f) if f.is_finite() => serde_json::to_writer(&mut *out, f)?,
            Value::Real(_) => out.write_all(b"null")?,
            Value::Text(s) => serde_json::to_writer(&mut *out, s)?,
        }
    }
    out.write_all(b"}\n")
}

/// Writes everything the paper owns into `dir`, which must be empty or not exist yet.
pub async fn export(store: &Store, media: &Storage, dir: &Path, progress: bool) -> anyhow::Result<ExportReport> {
    if dir.exists() && std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.next().is_some() {
        bail!("{} is not empty; export into a new directory so that nothing is mixed with an older export", dir.display());
    }
    std::fs::create_dir_all(dir.join("tables")).with_context(|| format!("cannot create {}", dir.display()))?;
    restrict(dir);
    let present = store.table_names().await?;
    let unknown: Vec<&String> = present.iter().filter(|t| !EXPORTED_TABLES.contains(&t.as_str()) && !marquee_store::LEFT_OUT_TABLES.contains(&t.as_str())).collect();
    if !unknown.is_empty() {
        bail!("the database has tables this Marquee does not know how to export: {unknown:?}");
    }
    let mut report = ExportReport::default();
    let mut tables = Vec::new();
    let bar = bar(progress, EXPORTED_TABLES.len() as u64, "Exporting");
    for table in EXPORTED_TABLES {
        bar.set_message(table.to_string());
        let mut cols = store.table_columns(table).await?;
        // The content version only tells servers when to drop cached pages: it is not the
        // paper's, and a restore moves it on anyway.
        cols.retain(|c| !(*table == "publication" && c.name == "content_version"));
        let file = format!("tables/{table}.jsonl");
        let mut out = BufWriter::new(std::fs::File::create(dir.join(&file)).with_context(|| format!("cannot write {file}"))?);
        let rows = store.each_row(table, &cols, |row| write_row(&mut out, &cols, &row)).await?;
        out.flush().with_context(|| format!("cannot write {file}"))?;
        if progress && !std::io::stderr().is_terminal() {
            eprintln!("{table}: {rows} rows");
        }
        report.rows += rows;
        report.tables += 1;
        tables.push(TableEntry { name: table.to_string(), file, rows, columns: cols });
        bar.inc(1);
    }
    bar.finish_and_clear();

    // The original of every library image; renditions are made again from them.
    let mut media_files = Vec::new();
    let (images, _) = store.media_page(None, i64::MAX).await?;
    let mut images: Vec<_> = images.into_iter().map(|m| (m.content_key, m.kind)).collect();
    images.sort();
    let bar = crate::backup::bar(progress, images.len() as u64, "Copying images");
    for (key, kind) in images {
        let ext = marquee_media::Kind::parse(&kind).map(|k| k.extension()).unwrap_or("bin");
        let storage_key = marquee_media::storage::original_key(&key, ext);
        let bytes = media.get(&storage_key).await?.with_context(|| format!("the original image {storage_key} is missing from {}", media.describe()))?;
        let path = dir.join("media").join(&storage_key);
        std::fs::create_dir_all(path.parent().expect("a parent")).with_context(|| format!("cannot create {}", path.display()))?;
        std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        media_files.push(storage_key);
        bar.inc(1);
    }
    bar.finish_and_clear();
    report.media_files = media_files.len();

    let manifest = Manifest { format: FORMAT.into(), version: VERSION, schema: store.schema_version().await?, tables, media_files };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    std::fs::write(dir.join("manifest.json"), text).context("cannot write manifest.json")?;
    Ok(report)
}

/// An export holds passwords' hashes, keys and readers' addresses: only its owner may read it.
fn restrict(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
}

fn value_of(file: &str, line: usize, col: &Column, v: Option<&serde_json::Value>) -> anyhow::Result<Value> {
    use serde_json::Value as J;
    Ok(match (col.kind, v) {
        (_, None | Some(J::Null)) => Value::Null,
        (ColumnKind::Integer, Some(J::Number(n))) if n.is_i64() => Value::Integer(n.as_i64().expect("i64")),
        (ColumnKind::Real, Some(J::Number(n))) => Value::Real(n.as_f64().expect("a number")),
        (ColumnKind::Text, Some(J::String(s))) => Value::Text(s.clone()),
        (kind, Some(other)) => bail!("{file}:{line}: {} should be {kind:?}, not {other}", col.name),
    })
}

#[derive(Debug, Default)]
pub struct RestoreReport {
    pub tables: usize,
    pub rows: u64,
    pub media_files: usize,
}

/// Loads an export into `store`, which must hold no paper yet, in one transaction: a file
/// with any bad line loads nothing, and the error names the file and line.
pub async fn restore(store: &Store, media: &Storage, dir: &Path, progress: bool) -> anyhow::Result<RestoreReport> {
    let manifest_text = std::fs::read_to_string(dir.join("manifest.json")).with_context(|| format!("{} has no manifest.json; is it a Marquee export?", dir.display()))?;
    let manifest: Manifest = serde_json::from_str(&manifest_text).map_err(|e| anyhow::anyhow!("manifest.json:{}:{}: {e}", e.line(), e.column()))?;
    if manifest.format != FORMAT {
        bail!("manifest.json says format {:?}, not {FORMAT:?}", manifest.format);
    }
    if manifest.version != VERSION {
        bail!("this export is format version {}; this Marquee reads version {VERSION}", manifest.version);
    }
    let schema = store.schema_version().await?;
    if manifest.schema > schema {
        bail!("this export was made by a newer Marquee (schema {}, this one has {schema}); upgrade Marquee first", manifest.schema);
    }
    if store.holds_a_paper().await? {
        bail!("the database already holds a paper (staff, articles or readers); restore into a new, empty database");
    }
    for t in &manifest.tables {
        if !EXPORTED_TABLES.contains(&t.name.as_str()) {
            bail!("manifest.json lists a table {:?} this Marquee does not have", t.name);
        }
    }
    // Check every image file before anything is written.
    let mut files = Vec::new();
    for key in &manifest.media_files {
        if !marquee_media::storage::valid_key(key) {
            bail!("manifest.json lists the media file {key:?}, which is not a storage key");
        }
        let bytes = std::fs::read(dir.join("media").join(key)).with_context(|| format!("media/{key} is listed in manifest.json but cannot be read"))?;
        let content = key.rsplit('/').next().and_then(|f| f.split('.').next()).unwrap_or("");
        if marquee_media::content_key(&bytes) != content {
            bail!("media/{key} does not hold the image its name promises (damaged or changed since the export)");
        }
        files.push((key.clone(), bytes));
    }

    let mut report = RestoreReport::default();
    let total: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    let bar = bar(progress, total, "Restoring");
    let mut tx = store.begin_restore().await?;
    for t in &manifest.tables {
        bar.set_message(t.name.clone());
        let here = store.table_columns(&t.name).await?;
        for c in &t.columns {
            if !here.iter().any(|h| h.name == c.name) {
                bail!("{}: the column {} is not in this database's {} table", t.file, c.name, t.name);
            }
        }
        let cols: Vec<Column> = here.into_iter().filter(|h| t.columns.iter().any(|c| c.name == h.name)).collect();
        let path = dir.join(&t.file);
        let reader = std::io::BufReader::new(std::fs::File::open(&path).with_context(|| format!("cannot read {}", t.file))?);
        let mut batch = Vec::with_capacity(500);
        let mut n = 0u64;
        for (i, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("{}:{}: cannot be read", t.file, i + 1))?;
            if line.is_empty() {
                continue;
            }
            let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", t.file, i + 1, e.column()))?;
            if let Some(extra) = obj.keys().find(|k| !cols.iter().any(|c| &c.name == *k)) {
                bail!("{}:{}: {extra} is not a column of {}", t.file, i + 1, t.name);
            }
            let row = cols.iter().map(|c| value_of(&t.file, i + 1, c, obj.get(&c.name))).collect::<anyhow::Result<Vec<_>>>()?;
            batch.push(row);
            n += 1;
            if batch.len() == 500 {
                store.load_rows(&mut tx, &t.name, &cols, &batch).await.with_context(|| format!("{}: loading the rows up to line {} failed", t.file, i + 1))?;
                bar.inc(batch.len() as u64);
                batch.clear();
            }
        }
        store.load_rows(&mut tx, &t.name, &cols, &batch).await.with_context(|| format!("{}: loading its last rows failed", t.file))?;
        bar.inc(batch.len() as u64);
        if n != t.rows {
            bail!("{} holds {n} rows but manifest.json says {}; the export is incomplete", t.file, t.rows);
        }
        if progress && !std::io::stderr().is_terminal() {
            eprintln!("{}: {n} rows", t.name);
        }
        report.rows += n;
        report.tables += 1;
    }
    for (key, bytes) in &files {
        let mime = marquee_media::check::sniff(bytes).map(|k| k.mime()).unwrap_or("application/octet-stream");
        media.put(key, bytes, mime).await?;
    }
    report.media_files = files.len();
    store.finish_restore(tx).await?;
    bar.finish_and_clear();
    store.note_all_for_search().await?;
    store.requeue_all_media(marquee_domain::time::now_unix()).await?;
    Ok(report)
}

/// A consistent copy of a running SQLite site in `dir`: the database as one file (taken
/// while the site keeps serving) and the original of every image.
pub async fn backup(store: &Store, media: &Storage, dir: &Path) -> anyhow::Result<(u64, usize)> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} is not empty; back up into a new directory", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    restrict(dir);
    let db = dir.join("marquee.db");
    store.snapshot_sqlite(&db).await?;
    let snapshot = Store::connect(&format!("sqlite://{}", db.display())).await?;
    let (images, _) = snapshot.media_page(None, i64::MAX).await?;
    snapshot.close().await;
    let mut copied = 0;
    for m in images {
        let ext = marquee_media::Kind::parse(&m.kind).map(|k| k.extension()).unwrap_or("bin");
        let key = marquee_media::storage::original_key(&m.content_key, ext);
        let bytes = media.get(&key).await?.with_context(|| format!("the original image {key} is missing from {}", media.describe()))?;
        let path = dir.join("media").join(&key);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        std::fs::write(&path, bytes)?;
        copied += 1;
    }
    Ok((std::fs::metadata(&db)?.len(), copied))
}
