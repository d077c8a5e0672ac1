//! An article page's whole context, shared by readers' article pages (`public.rs`) and the
//! newsroom's preview: the article, its Film Details box and its schema.org JSON-LD; the
//! reader's page adds Now Playing, the comments and the boxes.

use crate::boxes::ArticleBoxes;
use crate::parts::comment_box::CommentsBox;
use crate::parts::now_playing::NowPlaying;
use crate::respond::AppError;
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::{article_view, ArticleView, FilmDetails, Layout};
use serde::Serialize;

#[derive(Serialize)]
pub struct ArticleCtx {
    pub layout: Layout,
    pub article: ArticleView,
    pub film: Option<FilmDetails>,
    /// schema.org JSON-LD, already safe to place inside a script element.
    pub jsonld: String,
    pub now_playing: Option<NowPlaying>,
    pub preview: Option<String>,
    pub comments: Option<CommentsBox>,
    /// Latest in the section, Most Popular, Special Reports; none on previews.
    pub boxes: Option<ArticleBoxes>,
}

impl ArticleCtx {
    pub fn new(site: &SiteInfo, page: &marquee_store::ArticlePage, film: Option<ReviewedFilm>, lead: Option<&marquee_domain::media::MediaImage>, preview: Option<String>) -> ArticleCtx {
        let mut article = article_view(page, site);
        article.lead = lead.map(|img| crate::views::LeadImage::new(img, site));
        let jsonld = crate::structured::article(site, &article, film.as_ref().map(|f| &f.movie));
        ArticleCtx { layout: Layout::new(site, Some(&page.card.section_slug)), article, film: film.map(|f| f.details), jsonld, now_playing: None, preview, comments: None, boxes: None }
    }
}

/// An article's lead image, if it has one in the library.
pub async fn lead_image(store: &marquee_store::Store, media_id: Option<i64>) -> Result<Option<marquee_domain::media::MediaImage>, AppError> {
    let Some(id) = media_id else { return Ok(None) };
    Ok(store.media(id).await?.as_ref().and_then(crate::media::image_of))
}

/// The film a review is about: its Film Details box and its schema.org `Movie`.
pub struct ReviewedFilm {
    pub details: FilmDetails,
    pub movie: serde_json::Value,
}

/// The film a review is linked to, if any.
pub async fn film_box(state: &AppState, store: &marquee_store::Store, film_id: Option<i64>) -> Result<Option<ReviewedFilm>, AppError> {
    let Some(id) = film_id else { return Ok(None) };
    let Some((film, credits)) = store.film_with_credits(id).await? else { return Ok(None) };
    Ok(Some(ReviewedFilm { movie: crate::structured::movie(state.site().base(), &film, &credits), details: FilmDetails::new(&film, &credits) }))
}
