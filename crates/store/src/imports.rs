//! Imports from other systems (WordPress): what each source record became here, written in
//! large transactions so that an archive of a hundred thousand posts goes in quickly. The
//! importer decides what to write; this module only writes it, through the same article
//! writer the newsroom uses.

use crate::articles::{write_article, ArticleWrite, SaveError};
use crate::db::{insert_many, placeholders, take_ids, Arg, Result, Store};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// A comment as an import writes it: its author has no reader account here, so the name it
/// was signed with is kept with it.
pub struct ImportedComment<'a> {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub body: &'a str,
    pub body_html: &'a str,
    /// pending, approved, rejected or deleted.
    pub status: &'a str,
    pub reject_reason: &'a str,
    pub name: &'a str,
    pub ip: &'a str,
    pub created_at: i64,
}

/// A post an import brings for the first time: written with the rest of its batch, many rows
/// to a statement, as [`Store::save_article`] would write it one by one.
pub struct NewArticle<'a> {
    pub section_id: i64,
    pub section_slug: &'a str,
    /// Proposed: `slug-2`, `slug-3`... when its section has it already.
    pub slug: &'a str,
    pub headline: &'a str,
    pub deck: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: &'a str,
    pub publish_at: Option<i64>,
    pub author_ids: &'a [i64],
    /// (slug, name) pairs in order.
    pub tags: &'a [(String, String)],
    pub featured: bool,
    pub comments_open: bool,
    pub lead_media_id: Option<i64>,
    /// Custom fields, in order.
    pub fields: &'a [(String, String)],
    /// Addresses that answer 301 with the article: first those it had on the old site, then
    /// those from its former slugs, which yield to another post's current address.
    pub old_paths: &'a [String],
    pub former_paths: &'a [String],
    pub now: i64,
}

/// The slugs an import's batches have chosen. Two batches are written at once on PostgreSQL
/// ([`Store::import_writers`]) and neither sees the other's articles before it commits, so
/// each chooses its slugs around these as well as around the ones in the database.
#[derive(Default)]
pub struct SlugClaims(tokio::sync::Mutex<HashSet<(i64, String)>>);

/// One batch of an import, committed whole.
pub struct ImportTx<'s> {
    tx: Transaction<'static, Any>,
    _guard: Option<tokio::sync::MutexGuard<'s, ()>>,
    /// Articles written or changed, noted in the search log at commit.
    articles: Vec<i64>,
    /// Something readers see was written besides `articles` (comments, say): the content
    /// version moves at commit.
    visible: bool,
}

impl Store {
    /// Every record of `kind` imported from `source`: source id -> (id here, fingerprint).
    pub async fn import_map(&self, source: &str, kind: &str) -> Result<HashMap<String, (i64, String)>> {
        let rows: Vec<(String, i64, String)> =
            sqlx::query_as("SELECT source_id, target_id, fingerprint FROM import_map WHERE source = $1 AND kind = $2").bind(source).bind(kind).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|(s, t, f)| (s, (t, f))).collect())
    }

    /// Marks what `source`'s records became and was deleted here since (target 0), so a
    /// new import leaves it deleted and never mistakes a row that took its id for it.
    pub async fn settle_import_map(&self, source: &str) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        for (kind, table) in [("post", "articles"), ("comment", "comments"), ("attachment", "media"), ("author", "authors")] {
            let sql = format!("UPDATE import_map SET target_id = 0 WHERE source = $1 AND kind = $2 AND target_id <> 0 AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = import_map.target_id)");
            sqlx::query(&sql).bind(source).bind(kind).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many of an import's batches may be written at once: one on SQLite, which has one
    /// writer; two on PostgreSQL, whose server works on each connection with one process, so
    /// a second batch keeps a second core busy.
    pub fn import_writers(&self) -> usize {
        match self.backend {
            crate::db::Backend::Sqlite => 1,
            crate::db::Backend::Postgres => 2,
        }
    }

    pub async fn begin_import(&self) -> Result<ImportTx<'_>> {
        let guard = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        if self.backend == crate::db::Backend::Sqlite {
            // A batch touches more pages than SQLite's default 2 MB cache holds, which would
            // spill them to the log before commit and read them back: 16 MB for the import.
            sqlx::query("PRAGMA cache_size = -16384").execute(&mut *tx).await?;
        }
        Ok(ImportTx { tx, _guard: guard, articles: Vec::new(), visible: false })
    }

    /// An article's custom fields, in order.
    pub async fn article_fields(&self, article_id: i64) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT name, value FROM article_fields WHERE article_id = $1 ORDER BY position").bind(article_id).fetch_all(&mut *self.conn().await?).await?)
    }

    /// What an imported comment's author gave besides their name, in order.
    pub async fn comment_fields(&self, comment_id: i64) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT name, value FROM comment_fields WHERE comment_id = $1 ORDER BY position").bind(comment_id).fetch_all(&mut *self.conn().await?).await?)
    }
}

impl ImportTx<'_> {
    /// Writes an article as [`Store::save_article`] would; its search entry is written at commit.
    pub async fn save_article(&mut self, w: &ArticleWrite<'_>, section_slug: &str) -> Result<std::result::Result<i64, SaveError>> {
        let saved = write_article(&mut self.tx, w, section_slug).await?;
        if let Ok(id) = saved {
            self.articles.push(id);
        }
        Ok(saved)
    }

    /// The article's slug and section slug as written (a proposed slug may have become `slug-2`).
    pub async fn article_path(&mut self, id: i64) -> Result<String> {
        let (section, slug): (String, String) = sqlx::query_as("SELECT s.slug, a.slug FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id = $1")
            .bind(id)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(format!("/{section}/{slug}/"))
    }

    pub async fn set_article_fields(&mut self, article_id: i64, fields: &[(String, String)]) -> Result<()> {
        self.replace_fields("article_fields", "article_id", article_id, fields).await
    }

    /// Replaces one row's custom fields in `table` (`article_fields` or `comment_fields`).
    async fn replace_fields(&mut self, table: &str, owner: &str, id: i64, fields: &[(String, String)]) -> Result<()> {
        sqlx::query(&format!("DELETE FROM {table} WHERE {owner} = $1")).bind(id).execute(&mut *self.tx).await?;
        let mut rows = Vec::new();
        field_args(id, fields, &mut rows);
        insert_many(&mut self.tx, &format!("{table} ({owner}, position, name, value)"), "", 4, &rows).await
    }

    pub async fn set_comments_open(&mut self, article_id: i64, open: bool) -> Result<()> {
        sqlx::query("UPDATE articles SET comments_open = $1 WHERE id = $2").bind(i64::from(open)).bind(article_id).execute(&mut *self.tx).await?;
        Ok(())
    }

    /// `old_path` answers 301 to the article wherever it lives.
    pub async fn article_redirect(&mut self, old_path: &str, article_id: i64) -> Result<()> {
        crate::redirects::add_redirect(&mut self.tx, old_path, article_id).await
    }

    /// `old_path` answers 301 to `target`, a path on this site.
    pub async fn path_redirect(&mut self, old_path: &str, target: &str) -> Result<()> {
        crate::redirects::add_path_redirect(&mut self.tx, old_path, target).await
    }

    /// Overwrites a comment imported before with what the export says now; answers `false`
    /// when it has been deleted here since.
    pub async fn update_comment(&mut self, id: i64, c: &ImportedComment<'_>) -> Result<bool> {
        self.visible = true;
        let done = sqlx::query(
            "UPDATE comments SET parent_id = $1, depth = $2, body = $3, body_html = $4, status = $5, reject_reason = $6, imported_name = $7, ip = $8, created_at = $9 WHERE id = $10",
        )
        .bind(c.parent_id)
        .bind(c.depth)
        .bind(c.body)
        .bind(c.body_html)
        .bind(c.status)
        .bind(c.reject_reason)
        .bind(c.name)
        .bind(c.ip)
        .bind(c.created_at)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_comment_fields(&mut self, comment_id: i64, fields: &[(String, String)]) -> Result<()> {
        self.replace_fields("comment_fields", "comment_id", comment_id, fields).await
    }

    /// Notes what `source_id` became, and a fingerprint of what was imported.
    pub async fn map(&mut self, source: &str, kind: &str, source_id: &str, target_id: i64, fingerprint: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO import_map (source, kind, source_id, target_id, fingerprint) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source, kind, source_id) DO UPDATE SET target_id = excluded.target_id, fingerprint = excluded.fingerprint \
             WHERE import_map.target_id <> excluded.target_id OR import_map.fingerprint <> excluded.fingerprint",
        )
        .bind(source)
        .bind(kind)
        .bind(source_id)
        .bind(target_id)
        .bind(fingerprint)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Adds `articles`, with slugs free in the database and not in `claims` (which gets
    /// them); answers each one's id and address, in order.
    pub async fn add_articles(&mut self, articles: &[NewArticle<'_>], claims: &SlugClaims) -> Result<Vec<(i64, String)>> {
        if articles.is_empty() {
            return Ok(Vec::new());
        }
        crate::db::share_slugs(&mut self.tx, "articles").await?;
        // Slugs: taken ones from the database, a query per section (through the index on
        // section and slug), then free ones chosen here.
        let mut bases: HashMap<i64, HashSet<&str>> = HashMap::new();
        for a in articles {
            bases.entry(a.section_id).or_default().insert(a.slug);
        }
        let mut taken: HashSet<(i64, String)> = HashSet::new();
        for (section, slugs) in &bases {
            let slugs: Vec<&str> = slugs.iter().copied().collect();
            for chunk in slugs.chunks(500) {
                let sql = format!("SELECT section_id, slug FROM articles WHERE section_id = $1 AND slug IN ({})", placeholders(2, chunk.len()));
                let mut q = sqlx::query_as::<_, (i64, String)>(&sql).bind(*section);
                for b in chunk {
                    q = q.bind(*b);
                }
                taken.extend(q.fetch_all(&mut *self.tx).await?);
            }
        }
        let mut slugs = Vec::with_capacity(articles.len());
        let mut claimed = claims.0.lock().await;
        for a in articles {
            let mut slug = a.slug.to_string();
            let mut n = 2;
            loop {
                let key = (a.section_id, slug);
                if !taken.contains(&key) && !claimed.contains(&key) && !self.slug_in_use(a.section_id, &key.1, a.slug).await? {
                    slug = key.1;
                    break;
                }
                slug = format!("{}-{n}", a.slug);
                n += 1;
            }
            claimed.insert((a.section_id, slug.clone()));
            slugs.push(slug);
        }
        drop(claimed);
        let ids = take_ids(&mut self.tx, "articles", articles.len()).await?;

        let mut rows = Vec::with_capacity(articles.len() * 16);
        for ((a, id), slug) in articles.iter().zip(&ids).zip(&slugs) {
            rows.extend([
                Arg::Int(*id),
                Arg::Int(a.section_id),
                Arg::Text(slug),
                Arg::Text(a.headline),
                Arg::Text(a.deck),
                Arg::Text(a.body),
                Arg::Text(a.body_html),
                Arg::Text(a.status),
                Arg::OptInt(a.publish_at),
                Arg::Int(a.now),
                Arg::Int(a.now),
                Arg::Int(i64::from(a.featured)),
                Arg::OptInt(a.lead_media_id),
                Arg::Int(i64::from(a.comments_open)),
            ]);
        }
        insert_many(&mut self.tx, "articles (id, section_id, slug, headline, deck, body, body_html, status, publish_at, created_at, updated_at, featured, lead_media_id, comments_open)", "", 14, &rows).await?;

        // Bylines and tags carry the time their archives list the article by (migration 0020),
        // written here rather than looked up by the trigger for each row.
        let listed_at = |a: &NewArticle<'_>| if a.status == "draft" { None } else { a.publish_at };
        let mut rows = Vec::new();
        for (a, id) in articles.iter().zip(&ids) {
            for (pos, author) in a.author_ids.iter().enumerate() {
                rows.extend([Arg::Int(*id), Arg::Int(*author), Arg::Int(pos as i64), Arg::OptInt(listed_at(a))]);
            }
        }
        insert_many(&mut self.tx, "article_authors (article_id, author_id, position, listed_at)", "ON CONFLICT DO NOTHING", 4, &rows).await?;

        // Tags: every new one added, then all of them looked up once.
        let mut tag_names: HashMap<&str, &str> = HashMap::new();
        for a in articles {
            for (slug, name) in a.tags {
                tag_names.entry(slug.as_str()).or_insert(name.as_str());
            }
        }
        let mut tag_ids: HashMap<String, (i64, String)> = HashMap::new();
        if !tag_names.is_empty() {
            // In one order, so two batches that add the same new tags wait for each other
            // rather than each holding one the other needs.
            let mut new_tags: Vec<(&str, &str)> = tag_names.iter().map(|(s, n)| (*s, *n)).collect();
            new_tags.sort_unstable();
            let mut rows = Vec::new();
            for (slug, name) in &new_tags {
                rows.extend([Arg::Text(slug), Arg::Text(name)]);
            }
            insert_many(&mut self.tx, "tags (slug, name)", "ON CONFLICT (slug) DO NOTHING", 2, &rows).await?;
            let wanted: Vec<&str> = tag_names.keys().copied().collect();
            for chunk in wanted.chunks(500) {
                let sql = format!("SELECT slug, id, name FROM tags WHERE slug IN ({})", placeholders(1, chunk.len()));
                let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
                for t in chunk {
                    q = q.bind(*t);
                }
                tag_ids.extend(q.fetch_all(&mut *self.tx).await?.into_iter().map(|(slug, id, name)| (slug, (id, name))));
            }
        }
        let mut rows = Vec::new();
        for (a, id) in articles.iter().zip(&ids) {
            let mut seen = HashSet::new();
            for (pos, (slug, _)) in a.tags.iter().enumerate() {
                if let Some((tag, _)) = tag_ids.get(slug).filter(|(t, _)| seen.insert(*t)) {
                    rows.extend([Arg::Int(*id), Arg::Int(*tag), Arg::Int(pos as i64), Arg::OptInt(listed_at(a))]);
                }
            }
        }
        insert_many(&mut self.tx, "article_tags (article_id, tag_id, position, listed_at)", "", 4, &rows).await?;

        // The first revision, as a save writes it.
        let joined: Vec<(String, String)> = articles
            .iter()
            .map(|a| (a.tags.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("\n"), a.author_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")))
            .collect();
        let mut rows = Vec::new();
        for (((a, id), slug), (tags, authors)) in articles.iter().zip(&ids).zip(&slugs).zip(&joined) {
            rows.extend([
                Arg::Int(*id),
                Arg::Int(1),
                Arg::Text(a.headline),
                Arg::Text(a.deck),
                Arg::Text(slug),
                Arg::Int(a.section_id),
                Arg::Text(a.body),
                Arg::Text(tags),
                Arg::Text(authors),
                Arg::Text(a.status),
                Arg::Int(a.now),
            ]);
        }
        insert_many(&mut self.tx, "revisions (article_id, number, headline, deck, slug, section_id, body, tags, author_ids, status, created_at)", "", 11, &rows).await?;

        let mut rows = Vec::new();
        for (a, id) in articles.iter().zip(&ids) {
            field_args(*id, a.fields, &mut rows);
        }
        insert_many(&mut self.tx, "article_fields (article_id, position, name, value)", "", 4, &rows).await?;

        let paths: Vec<String> = articles.iter().zip(&slugs).map(|(a, slug)| format!("/{}/{slug}/", a.section_slug)).collect();
        // Each old address goes to one article: an article's own new address is never one, a
        // post's current address on the old site wins over another's former slug, and
        // otherwise the first post in the export wins.
        let own: HashSet<&String> = paths.iter().collect();
        let mut olds: HashMap<String, i64> = HashMap::new();
        for former in [false, true] {
            for (a, id) in articles.iter().zip(&ids) {
                for old in if former { a.former_paths } else { a.old_paths } {
                    let old = marquee_domain::slug::canonical_path(old);
                    if !own.contains(&old) {
                        olds.entry(old).or_insert(*id);
                    }
                }
            }
        }
        // The new addresses must not be shadowed by redirects left by earlier moves.
        let mut sorted: Vec<&String> = paths.iter().collect();
        sorted.sort_unstable();
        for chunk in sorted.chunks(500) {
            let sql = format!("DELETE FROM redirects WHERE old_path IN ({})", placeholders(1, chunk.len()));
            let mut q = sqlx::query(&sql);
            for p in chunk {
                q = q.bind(p);
            }
            q.execute(&mut *self.tx).await?;
        }
        let mut olds: Vec<(String, i64)> = olds.into_iter().collect();
        olds.sort_unstable();
        let mut rows = Vec::new();
        for (old, id) in &olds {
            rows.extend([Arg::Text(old), Arg::Int(*id)]);
        }
        insert_many(&mut self.tx, "redirects (old_path, article_id)", "ON CONFLICT (old_path) DO UPDATE SET article_id = excluded.article_id", 2, &rows).await?;

        self.articles.extend(articles.iter().zip(&ids).filter(|(a, _)| a.status != "draft").map(|(_, id)| *id));
        self.visible = true;
        Ok(ids.into_iter().zip(paths).collect())
    }

    /// Whether `slug` (not the proposed one itself, which the caller looked up) is taken in
    /// the section: numbered slugs are rare, so they are checked one by one.
    async fn slug_in_use(&mut self, section_id: i64, slug: &str, proposed: &str) -> Result<bool> {
        if slug == proposed {
            return Ok(false);
        }
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE section_id = $1 AND slug = $2").bind(section_id).bind(slug).fetch_optional(&mut *self.tx).await?;
        Ok(row.is_some())
    }

    /// `n` ids for new comments, for [`ImportTx::add_comments`].
    pub async fn comment_ids(&mut self, n: usize) -> Result<Vec<i64>> {
        take_ids(&mut self.tx, "comments", n).await
    }

    /// Adds comments whose ids came from [`ImportTx::comment_ids`] (a parent before its
    /// replies), with what their authors gave besides a name.
    pub async fn add_comments(&mut self, comments: &[(i64, ImportedComment<'_>, Vec<(String, String)>)]) -> Result<()> {
        self.visible |= !comments.is_empty();
        let mut rows = Vec::with_capacity(comments.len() * 12);
        for (id, c, _) in comments {
            rows.extend([
                Arg::Int(*id),
                Arg::Int(c.article_id),
                Arg::OptInt(c.parent_id),
                Arg::Int(c.depth),
                Arg::Text(c.body),
                Arg::Text(c.body_html),
                Arg::Text(c.status),
                Arg::Text(c.reject_reason),
                Arg::Text(c.name),
                Arg::Text(c.ip),
                Arg::Int(c.created_at),
                Arg::Int(c.created_at),
                // Old comments count as already told, so no subscriber is mailed about them.
                Arg::Int(1),
            ]);
        }
        insert_many(&mut self.tx, "comments (id, article_id, parent_id, depth, body, body_html, status, reject_reason, imported_name, ip, created_at, decided_at, notified)", "", 13, &rows).await?;
        let mut rows = Vec::new();
        for (id, _, fields) in comments {
            field_args(*id, fields, &mut rows);
        }
        insert_many(&mut self.tx, "comment_fields (comment_id, position, name, value)", "", 4, &rows).await
    }

    /// Notes what many source records became: (source id, id here, fingerprint).
    pub async fn map_many(&mut self, source: &str, kind: &str, records: &[(String, i64, String)]) -> Result<()> {
        let mut rows = Vec::with_capacity(records.len() * 5);
        for (source_id, target, fp) in records {
            rows.extend([Arg::Text(source), Arg::Text(kind), Arg::Text(source_id), Arg::Int(*target), Arg::Text(fp)]);
        }
        insert_many(
            &mut self.tx,
            "import_map (source, kind, source_id, target_id, fingerprint)",
            "ON CONFLICT (source, kind, source_id) DO UPDATE SET target_id = excluded.target_id, fingerprint = excluded.fingerprint",
            5,
            &rows,
        )
        .await
    }

    /// Notes the batch's articles in the search log (which moves the content version too)
    /// and commits it.
    pub async fn commit(mut self) -> Result<()> {
        if !self.articles.is_empty() {
            crate::search::note(&mut self.tx, &self.articles).await?;
        } else if self.visible {
            crate::site::bump_version(&mut self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// The rows of one owner's custom fields, in order, for `insert_many` (owner, position, name,
/// value).
fn field_args<'a>(owner: i64, fields: &'a [(String, String)], rows: &mut Vec<Arg<'a>>) {
    for (pos, (name, value)) in fields.iter().enumerate() {
        rows.extend([Arg::Int(owner), Arg::Int(pos as i64), Arg::Text(name), Arg::Text(value)]);
    }
}
