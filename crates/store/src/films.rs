use crate::db::{Arg, Backend, Result, Store, StoreError};
use marquee_domain::film::{CreditRole, FilmRecord};
use marquee_domain::slugify;
use sqlx::{Any, FromRow, Transaction};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Film {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub original_title: String,
    pub year: Option<i64>,
    pub release_date: Option<String>,
    pub runtime_minutes: Option<i64>,
    pub certification: Option<String>,
    pub certification_body: Option<String>,
    /// One genre per line.
    pub genres: String,
    pub imdb_id: Option<String>,
    pub tmdb_id: Option<String>,
    pub wikidata_id: Option<String>,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Credit {
    pub role: String,
    pub character: String,
    pub position: i64,
    pub person_slug: String,
    pub person_name: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Person {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A film a person worked on, with what they did.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct PersonCredit {
    pub film_id: i64,
    pub film_slug: String,
    pub title: String,
    pub year: Option<i64>,
    pub role: String,
    pub character: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added,
    Updated,
    Unchanged,
}

crate::lite::lite_row!(Film { id, slug, title, original_title, year, release_date, runtime_minutes, certification, certification_body, genres, imdb_id, tmdb_id, wikidata_id });
crate::lite::lite_row!(Credit { role, character, position, person_slug, person_name });

const FILM_COLS: &str = "id, slug, title, original_title, year, release_date, runtime_minutes, certification, certification_body, genres, imdb_id, tmdb_id, wikidata_id";

/// Everything about a record that is stored, as one string: equal strings mean a re-import
/// would change nothing.
fn fingerprint(f: &FilmRecord) -> String {
    let credits: Vec<String> = f.credits.iter().map(|c| format!("{}={}={}", c.role.as_str(), c.name, c.character)).collect();
    format!(
        "{}\u{1}{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{}",
        f.title,
        f.original_title,
        f.year,
        f.release_date,
        f.runtime_minutes,
        f.certification,
        f.genres.join("\n"),
        f.imdb_id,
        f.tmdb_id,
        f.wikidata_id,
        credits.join("\n")
    )
}

impl Store {
    /// Adds or updates a film and its credits in one transaction, keyed by
    /// [`FilmRecord::import_key`]. Importing the same record again changes nothing.
    pub async fn upsert_film(&self, f: &FilmRecord, now: i64) -> Result<(i64, Upsert)> {
        let key = f.import_key();
        let print = fingerprint(f);
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::db::lock_slugs(&mut tx, "films").await?;
        let existing: Option<(i64, String)> = sqlx::query_as("SELECT id, fingerprint FROM films WHERE import_key = $1").bind(&key).fetch_optional(&mut *tx).await?;
        let (id, outcome) = match existing {
            Some((id, old)) if old == print => return Ok((id, Upsert::Unchanged)),
            Some((id, _)) => {
                update_film_row(&mut tx, id, f, &key, &print, now).await?;
                sqlx::query("DELETE FROM credits WHERE film_id = $1").bind(id).execute(&mut *tx).await?;
                (id, Upsert::Updated)
            }
            None => {
                let mut base = slugify(&f.title);
                if base.is_empty() {
                    base = "film".into();
                }
                if let Some(y) = f.year {
                    base = format!("{base}-{y}");
                }
                let slug = crate::db::free_slug(&mut tx, "films", &base).await?;
                // The row is created with its identity, then filled by the same statement
                // that updates films, so the list of fields lives in one place.
                let (id,): (i64,) = sqlx::query_as("INSERT INTO films (slug, title, import_key, fingerprint, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(&slug)
                    .bind(&f.title)
                    .bind(&key)
                    .bind(&print)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                update_film_row(&mut tx, id, f, &key, &print, now).await?;
                (id, Upsert::Added)
            }
        };
        insert_credits(&mut tx, id, f).await?;
        note_reviews(&mut tx, id).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok((id, outcome))
    }

    /// Saves a film the newsroom edited (`id` given) or added. `Err` when another film already
    /// has the same identity (external id, or title and year).
    pub async fn save_film(&self, id: Option<i64>, f: &FilmRecord, now: i64) -> Result<std::result::Result<i64, String>> {
        let key = f.import_key();
        let clash = |slug: String| Ok(Err(format!("Another film (/films/{slug}/) already has this IMDb id, or this title and year.")));
        let Some(id) = id else {
            // A new film: one whose identity is taken is refused rather than merged into it.
            if let Some(other) = self.film_by_import_key(&key).await? {
                return clash(other);
            }
            return Ok(Ok(self.upsert_film(f, now).await?.0));
        };
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::db::lock_slugs(&mut tx, "films").await?;
        let taken: Option<(String,)> = sqlx::query_as("SELECT slug FROM films WHERE import_key = $1 AND id <> $2").bind(&key).bind(id).fetch_optional(&mut *tx).await?;
        if let Some((slug,)) = taken {
            return clash(slug);
        }
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM films WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Ok(Err("This film no longer exists.".into()));
        }
        update_film_row(&mut tx, id, f, &key, &fingerprint(f), now).await?;
        sqlx::query("DELETE FROM credits WHERE film_id = $1").bind(id).execute(&mut *tx).await?;
        insert_credits(&mut tx, id, f).await?;
        note_reviews(&mut tx, id).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Films whose title contains `q` (any case), newest first.
    pub async fn search_films(&self, q: &str, limit: i64) -> Result<Vec<Film>> {
        let pattern = format!("%{}%", q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        Ok(sqlx::query_as(&format!("SELECT {FILM_COLS} FROM films WHERE lower(title) LIKE $1 ESCAPE '\\' ORDER BY (year IS NULL), year DESC, title LIMIT $2"))
            .bind(pattern)
            .bind(limit)
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    pub async fn film_by_slug(&self, slug: &str) -> Result<Option<Film>> {
        self.row(&format!("SELECT {FILM_COLS} FROM films WHERE slug = $1"), &[Arg::Text(slug)]).await
    }

    pub async fn film_by_imdb(&self, imdb: &str) -> Result<Option<Film>> {
        Ok(sqlx::query_as(&format!("SELECT {FILM_COLS} FROM films WHERE imdb_id = $1")).bind(imdb).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// The slug of the film with this identity (external id, else title and year), if any.
    pub async fn film_by_import_key(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT slug FROM films WHERE import_key = $1").bind(key).fetch_optional(&mut *self.conn().await?).await?;
        Ok(row.map(|(slug,)| slug))
    }

    pub async fn film_by_id(&self, id: i64) -> Result<Option<Film>> {
        self.row(&format!("SELECT {FILM_COLS} FROM films WHERE id = $1"), &[Arg::Int(id)]).await
    }

    /// Films whose title matches (any case), newest first; `year` narrows it.
    pub async fn find_films(&self, title: &str, year: Option<i64>) -> Result<Vec<Film>> {
        let sql = match year {
            Some(_) => format!("SELECT {FILM_COLS} FROM films WHERE lower(title) = lower($1) AND year = $2 ORDER BY year DESC LIMIT 20"),
            None => format!("SELECT {FILM_COLS} FROM films WHERE lower(title) = lower($1) ORDER BY year DESC LIMIT 20"),
        };
        let mut q = sqlx::query_as::<_, Film>(&sql).bind(title.trim());
        if let Some(y) = year {
            q = q.bind(y);
        }
        Ok(q.fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn film_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM films").fetch_one(&mut *self.conn().await?).await?;
        Ok(n)
    }

    /// A film's credits: directors, producers, writers, then cast, each in billing order.
    pub async fn credits(&self, film_id: i64) -> Result<Vec<Credit>> {
        let mut rows: Vec<Credit> = self
            .rows("SELECT c.role, c.character, c.position, p.slug AS person_slug, p.name AS person_name FROM credits c JOIN people p ON p.id = c.person_id WHERE c.film_id = $1 ORDER BY c.position", &[Arg::Int(film_id)])
            .await?;
        rows.sort_by_key(|c| (CreditRole::parse(&c.role), c.position));
        Ok(rows)
    }

    /// A film and its credits (as [`Store::credits`] orders them), as a review's Film Details
    /// box shows them. On PostgreSQL that is one statement, the credits a JSON array in the
    /// film's row, so one round trip; SQLite, read in the page's own process, runs the two.
    pub async fn film_with_credits(&self, id: i64) -> Result<Option<(Film, Vec<Credit>)>> {
        if self.backend == Backend::Sqlite {
            let Some(film) = self.film_by_id(id).await? else { return Ok(None) };
            return Ok(Some((film, self.credits(id).await?)));
        }
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            film: Film,
            credit_list: String,
        }
        let sql = format!(
            "SELECT {FILM_COLS}, COALESCE((SELECT json_agg(json_build_array(c.role, c.character, c.position, p.slug, p.name) ORDER BY c.position) \
             FROM credits c JOIN people p ON p.id = c.person_id WHERE c.film_id = films.id)::text, '[]') AS credit_list FROM films WHERE id = $1"
        );
        let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self.conn().await?).await?;
        let Some(row) = row else { return Ok(None) };
        let list: Vec<(String, String, i64, String, String)> = serde_json::from_str(&row.credit_list).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
        let mut credits: Vec<Credit> = list.into_iter().map(|(role, character, position, person_slug, person_name)| Credit { role, character, position, person_slug, person_name }).collect();
        credits.sort_by_key(|c| (CreditRole::parse(&c.role), c.position));
        Ok(Some((row.film, credits)))
    }

    pub async fn person_by_slug(&self, slug: &str) -> Result<Option<Person>> {
        Ok(sqlx::query_as("SELECT id, slug, name FROM people WHERE slug = $1").bind(slug).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// The films a person worked on, newest first.
    pub async fn person_credits(&self, person_id: i64) -> Result<Vec<PersonCredit>> {
        Ok(sqlx::query_as(
            "SELECT f.id AS film_id, f.slug AS film_slug, f.title, f.year, c.role, c.character FROM credits c JOIN films f ON f.id = c.film_id WHERE c.person_id = $1 ORDER BY f.year DESC, f.title, c.role",
        )
        .bind(person_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// Live reviews of any of these films, newest first.
    pub async fn live_reviews_of_films(&self, film_ids: &[i64], now: i64) -> Result<Vec<crate::ArticleCard>> {
        if film_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.headline, a.deck, COALESCE(a.publish_at, 0) AS publish_at FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.status <> 'draft' AND a.publish_at <= $1 AND a.film_id IN ({}) ORDER BY a.publish_at DESC LIMIT 100",
            crate::db::placeholders(2, film_ids.len())
        );
        let mut args = vec![Arg::Int(now)];
        args.extend(film_ids.iter().map(|&id| Arg::Int(id)));
        let mut cards: Vec<crate::ArticleCard> = self.rows(&sql, &args).await?;
        self.attach_authors(&mut cards).await?;
        Ok(cards)
    }

    /// Links an article (a review) to a film with an optional rating, or unlinks it.
    pub async fn set_article_film(&self, article_id: i64, film_id: Option<i64>, rating: Option<i64>) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE articles SET film_id = $1, rating = $2 WHERE id = $3").bind(film_id).bind(rating).bind(article_id).execute(&mut *tx).await?;
        crate::search::note(&mut tx, &[article_id]).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn article_film(&self, article_id: i64) -> Result<Option<i64>> {
        let (f,): (Option<i64>,) = sqlx::query_as("SELECT film_id FROM articles WHERE id = $1").bind(article_id).fetch_one(&mut *self.conn().await?).await?;
        Ok(f)
    }
}

/// The person with this exact name, created if new.
async fn person_id(tx: &mut Transaction<'_, Any>, name: &str) -> Result<i64> {
    // Before the lookup, so two saves naming a new person at once make one person.
    crate::db::lock_slugs(tx, "people").await?;
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM people WHERE name = $1 ORDER BY id LIMIT 1").bind(name).fetch_optional(&mut **tx).await?;
    if let Some((id,)) = found {
        return Ok(id);
    }
    let mut base = slugify(name);
    if base.is_empty() {
        base = "person".into();
    }
    let slug = crate::db::free_slug(tx, "people", &base).await?;
    let (id,): (i64,) = sqlx::query_as("INSERT INTO people (slug, name) VALUES ($1, $2) RETURNING id").bind(&slug).bind(name).fetch_one(&mut **tx).await?;
    Ok(id)
}

/// Writes every stored field of a film over row `id`.
async fn update_film_row(tx: &mut Transaction<'_, Any>, id: i64, f: &FilmRecord, key: &str, print: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE films SET title = $1, original_title = $2, year = $3, release_date = $4, runtime_minutes = $5, certification = $6, certification_body = $7, genres = $8, imdb_id = $9, tmdb_id = $10, wikidata_id = $11, import_key = $12, fingerprint = $13, updated_at = $14 WHERE id = $15",
    )
    .bind(&f.title)
    .bind(&f.original_title)
    .bind(f.year)
    .bind(&f.release_date)
    .bind(f.runtime_minutes)
    .bind(&f.certification)
    .bind(&f.certification_body)
    .bind(f.genres.join("\n"))
    .bind(&f.imdb_id)
    .bind(&f.tmdb_id)
    .bind(&f.wikidata_id)
    .bind(key)
    .bind(print)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Notes for the search index the reviews of a film whose titles may have changed.
async fn note_reviews(tx: &mut Transaction<'_, Any>, film_id: i64) -> Result<()> {
    let ids = crate::search::articles_where(tx, crate::search::Related::Film, film_id).await?;
    crate::search::note(tx, &ids).await?;
    Ok(())
}

/// Adds a film's credits in billing order, creating people met for the first time.
async fn insert_credits(tx: &mut Transaction<'_, Any>, film_id: i64, f: &FilmRecord) -> Result<()> {
    for (pos, c) in f.credits.iter().enumerate() {
        let person = person_id(tx, &c.name).await?;
        sqlx::query("INSERT INTO credits (film_id, person_id, role, character, position) VALUES ($1, $2, $3, $4, $5)")
            .bind(film_id)
            .bind(person)
            .bind(c.role.as_str())
            .bind(&c.character)
            .bind(pos as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
