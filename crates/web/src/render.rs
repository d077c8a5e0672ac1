//! Templates and static assets. The default theme is compiled into the binary; a paper
//! overrides any template or asset by putting a file of the same name under
//! `THEME_DIR/templates/` or `THEME_DIR/static/`, read when the server starts (no recompiling).

use minijinja::{AutoEscape, Environment, Error, Output, State, Value};
use axum::body::Bytes;
use std::path::PathBuf;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../theme/templates/", $name)))),*]
    };
}

static TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html", "home.html", "listing.html", "article.html", "error.html", "credits.html", "macros.html", "film.html", "person.html", "theaters.html", "theater.html", "showtimes.html", "search.html", "events.html", "event.html",
    "admin/base.html", "admin/login.html", "admin/dashboard.html", "admin/article.html", "admin/revisions.html",
    "admin/revision.html", "admin/users.html", "admin/sections.html", "admin/settings.html", "admin/authors.html", "admin/feeds.html", "admin/media.html", "admin/media_item.html", "admin/films.html", "admin/film.html", "admin/theaters.html",
    "admin/macros.html", "admin/events.html", "admin/event.html", "admin/event_delete.html", "admin/venues.html",
    "admin/comments.html", "admin/comment_settings.html", "admin/network.html", "admin/integrations.html", "admin/api.html",
    "comments/box.html", "comments/edit.html", "comments/report.html",
    "popular.html", "reports.html", "report.html", "admin/reports.html", "admin/report.html", "admin/report_fields.html",
    "account/register.html", "account/login.html", "account/forgot.html", "account/reset.html", "account/notice.html", "account/index.html",
    "mail/layout.html", "mail/verify.txt", "mail/verify.html", "mail/reset.txt", "mail/reset.html", "mail/notify.txt", "mail/notify.html", "mail/digest.txt", "mail/digest.html", "mail/address_changed.txt", "mail/address_changed.html",
);

static ASSETS: &[(&str, &str, &str)] = &[
    ("style.css", "text/css; charset=utf-8", include_str!("../theme/static/style.css")),
    ("admin.js", "text/javascript; charset=utf-8", include_str!("../theme/static/admin.js")),
    ("favicon.svg", "image/svg+xml", include_str!("../theme/static/favicon.svg")),
    ("reports/fall-arts.svg", "image/svg+xml", include_str!("../theme/static/reports/fall-arts.svg")),
    ("reports/holiday-guide.svg", "image/svg+xml", include_str!("../theme/static/reports/holiday-guide.svg")),
];

pub struct Templates {
    env: Environment<'static>,
    assets: Vec<Asset>,
}

/// A static file, read once at start, with its ETag.
#[derive(Clone)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: Bytes,
    pub etag: String,
    /// Its gzip copy, made the first time a client asks for one (`gzip.rs`).
    pub gzip: std::sync::Arc<std::sync::OnceLock<Bytes>>,
}

impl Templates {
    pub fn new(theme_dir: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        for (name, source) in TEMPLATES {
            let text = match &theme_dir {
                Some(dir) => std::fs::read_to_string(dir.join("templates").join(name)).unwrap_or_else(|_| source.to_string()),
                None => source.to_string(),
            };
            env.add_template_owned(name.to_string(), text)
                .map_err(|e| anyhow::anyhow!("template {name} does not parse: {e}"))?;
        }
        let assets = ASSETS
            .iter()
            .map(|(name, content_type, default)| {
                let body = theme_dir
                    .as_ref()
                    .and_then(|dir| std::fs::read(dir.join("static").join(name)).ok())
                    .map(Bytes::from)
                    .unwrap_or_else(|| Bytes::from_static(default.as_bytes()));
                let etag = format!("\"{:x}\"", fnv(&body));
                Asset { name, content_type, body, etag, gzip: Default::default() }
            })
            .collect();
        Ok(Templates { env, assets })
    }

    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: S) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }

    /// A theme asset: the paper's own if it has one, else the embedded default.
    pub fn asset(&self, path: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.name == path)
    }
}

/// Escapes the five characters that matter in HTML text and quoted attributes, and leaves the
/// rest (such as `/` in URLs) readable.
pub(crate) fn html_formatter(out: &mut Output<'_>, state: &State<'_, '_>, value: &Value) -> Result<(), Error> {
    if !matches!(state.auto_escape(), AutoEscape::Html) || value.is_safe() || value.is_undefined() || value.is_none() {
        return minijinja::escape_formatter(out, state, value);
    }
    // Most values are strings already: borrowed, not copied out first.
    let owned;
    let text = match value.as_str() {
        Some(text) => text,
        None => {
            owned = value.to_string();
            owned.as_str()
        }
    };
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[last..i]).map_err(Error::from)?;
        out.write_str(rep).map_err(Error::from)?;
        last = i + 1;
    }
    out.write_str(&text[last..]).map_err(Error::from)
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100000001b3))
}
