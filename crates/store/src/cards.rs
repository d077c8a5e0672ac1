//! What every listing of articles shares: the rule for what readers may see (`LIVE`), the
//! columns of an article card and the bylines attached to cards. Lower than every module that
//! lists articles (articles, search, popular, reports, peers, sitemaps); imports only `db`.

use crate::db::{placeholders, Arg, Result, Store};
use sqlx::FromRow;
use std::collections::HashMap;

/// Visible to readers: not a draft, and its publication time has come. A scheduled article
/// therefore appears by itself once its time passes, with no job to flip it. `a` is the
/// article and `$1` now. A macro as well, so other statements can `concat!` it in.
macro_rules! live {
    () => {
        "a.status <> 'draft' AND a.publish_at <= $1"
    };
}
pub(crate) use live;
pub(crate) const LIVE: &str = live!();
/// [`LIVE`] for a walk that starts at a place in a listing: the same rule, with the time
/// written so that SQLite does not take "up to now" as the bound of its index walk, which
/// would then read from now down to the place instead of starting there.
pub(crate) const LIVE_FROM_A_PLACE: &str = "a.status <> 'draft' AND +a.publish_at <= $1";

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuthorRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct TagRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// An article as listed on home, section, author and tag pages.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ArticleCard {
    pub id: i64,
    pub section_slug: String,
    pub section_name: String,
    pub slug: String,
    pub headline: String,
    pub deck: String,
    pub publish_at: i64,
    #[sqlx(skip)]
    pub authors: Vec<AuthorRef>,
}

impl ArticleCard {
    pub fn path(&self) -> String {
        format!("/{}/{}/", self.section_slug, self.slug)
    }
}

crate::lite::lite_row!(ArticleCard { id, section_slug, section_name, slug, headline, deck, publish_at }; authors);

pub(crate) const CARD_COLS: &str = "a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.headline, a.deck, COALESCE(a.publish_at, 0) AS publish_at";

impl Store {
    pub(crate) async fn attach_authors(&self, cards: &mut [ArticleCard]) -> Result<()> {
        if cards.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT aa.article_id, au.id, au.slug, au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN ({}) ORDER BY aa.article_id, aa.position",
            placeholders(1, cards.len())
        );
        let ids: Vec<Arg> = cards.iter().map(|c| Arg::Int(c.id)).collect();
        let mut by_article: HashMap<i64, Vec<AuthorRef>> = HashMap::new();
        let rows: Vec<(i64, i64, String, String)> = self.rows(&sql, &ids).await?;
        for (article_id, id, slug, name) in rows {
            by_article.entry(article_id).or_default().push(AuthorRef { id, slug, name });
        }
        // (An article may be on several of the cards: the home page's lead stories and its
        // section's.)
        for c in cards.iter_mut() {
            c.authors = by_article.get(&c.id).cloned().unwrap_or_default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_rule_from_a_place_is_the_rule() {
        assert_eq!(super::LIVE_FROM_A_PLACE, super::LIVE.replace("a.publish_at", "+a.publish_at"));
    }
}
