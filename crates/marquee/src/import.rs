//! `marquee import films FILE`: reads a JSON array of films, in the shape of the public
//! `movies.json` data set or in Marquee's own format (docs/import-films.md), keeps every
//! valid record and reports each one it skipped. Running it twice changes nothing.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use marquee_domain::film::parse_record;
use marquee_store::{Store, Upsert};
use std::collections::HashMap;
use std::io::IsTerminal;

#[derive(Debug, Default)]
pub struct FilmImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (record number from 1, why)
    pub skipped: Vec<(usize, String)>,
    /// (record number from 1, a value that was dropped and why)
    pub notes: Vec<(usize, String)>,
}

impl FilmImport {
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} unchanged, {} skipped; {} values dropped",
            self.added,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.notes.len()
        )
    }
}

/// Imports films from JSON text. A file that is not a JSON array is refused whole, with the
/// line and column of the problem; single bad records are skipped and reported.
pub async fn import_films(store: &Store, name: &str, text: &str, progress: bool) -> anyhow::Result<FilmImport> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{name}:{}:{}: not valid JSON: {e}", e.line(), e.column()))?;
    let records = value.as_array().with_context(|| format!("{name}: expected a JSON array of films, [ {{...}}, ... ]"))?;
    let bar = if progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(records.len() as u64);
        bar.set_style(ProgressStyle::with_template("Importing films {bar:30} {pos}/{len} {msg}").expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let plain = progress && !std::io::stderr().is_terminal();
    let mut report = FilmImport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let now = marquee_domain::time::now_unix();
    for (i, v) in records.iter().enumerate() {
        let n = i + 1;
        bar.inc(1);
        if plain && n % 1000 == 0 {
            eprintln!("{n} of {} records read", records.len());
        }
        let parsed = match parse_record(v) {
            Ok(p) => p,
            Err(why) => {
                report.skipped.push((n, why));
                continue;
            }
        };
        let key = parsed.film.import_key();
        if let Some(first) = seen.get(&key) {
            let year = parsed.film.year.map(|y| format!(" ({y})")).unwrap_or_default();
            report.skipped.push((n, format!("“{}”{year} is the same film as record {first}", parsed.film.title)));
            continue;
        }
        seen.insert(key, n);
        report.notes.extend(parsed.notes.into_iter().map(|note| (n, format!("“{}”: {note}", parsed.film.title))));
        match store.upsert_film(&parsed.film, now).await.with_context(|| format!("{name}: record {n} could not be stored"))? {
            (_, Upsert::Added) => report.added += 1,
            (_, Upsert::Updated) => report.updated += 1,
            (_, Upsert::Unchanged) => report.unchanged += 1,
        }
    }
    bar.finish_and_clear();
    Ok(report)
}
