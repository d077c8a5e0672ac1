//! The media library desk: uploading images (also from the article editor), their alt text,
//! caption and credit, and removing an image no article shows.

use super::{admin_layout, page, AdminLayout, NOT_SAVED};
use crate::auth::Staff;
use crate::csrf::CsrfToken;
use crate::media::{self, MediaText, Uploaded};
use crate::respond::{bad_request, forbidden, not_found, see_other, Reply};
use crate::state::AppState;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use marquee_domain::media::MediaImage;
use marquee_domain::time::now_unix;
use marquee_store::MediaRow;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Item {
    id: i64,
    key: String,
    file_name: String,
    size: String,
    alt: String,
    caption: String,
    credit: String,
    ready: bool,
    picture: String,
    snippet: String,
    editable: bool,
}

fn item(staff: &Staff, row: &MediaRow, img: &MediaImage) -> Item {
    let alt_for_snippet = if row.alt.is_empty() { "describe the image".to_string() } else { row.alt.replace(['[', ']'], "") };
    Item {
        id: row.id,
        key: row.content_key.clone(),
        file_name: if row.file_name.is_empty() { format!("image {}", row.id) } else { row.file_name.clone() },
        size: format!("{}×{} {}, {:.0} KB", row.width, row.height, row.kind.to_uppercase(), row.bytes as f64 / 1024.0),
        alt: row.alt.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        ready: row.ready == 1,
        picture: img.picture("", "10rem", true),
        snippet: format!("![{alt_for_snippet}](media:{})", row.content_key),
        editable: may_change(staff, row),
    }
}

fn may_change(staff: &Staff, row: &MediaRow) -> bool {
    staff.role.can_edit_others() || row.uploaded_by == Some(staff.user.id)
}

#[derive(Deserialize)]
pub struct LibraryQuery {
    before: Option<String>,
}

#[derive(Serialize)]
struct LibraryCtx {
    admin: AdminLayout,
    items: Vec<Item>,
    total: i64,
    next_url: Option<String>,
    message: Option<String>,
    error: Option<String>,
    text: Text,
    max_mb: usize,
}

#[derive(Serialize, Default)]
struct Text {
    alt: String,
    caption: String,
    credit: String,
}

const PER_PAGE: i64 = 48;

async fn library_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, before: Option<i64>, message: Option<String>, error: Option<String>, text: Text) -> Reply {
    let (rows, total) = state.store().media_page(before, PER_PAGE).await?;
    let next_url = (rows.len() as i64 == PER_PAGE).then(|| format!("/admin/media?before={}", rows.last().map(|r| r.id).unwrap_or(0)));
    let items = rows.iter().filter_map(|r| media::image_of(r).map(|img| item(staff, r, &img))).collect();
    let max_mb = state.0.config.media_limits.max_bytes / (1024 * 1024);
    page(state, status, "admin/media.html", LibraryCtx { admin: admin_layout(state, staff, csrf), items, total, next_url, message, error, text, max_mb })
}

pub async fn library(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Query(q): Query<LibraryQuery>) -> Reply {
    let before = q.before.as_deref().and_then(|b| b.trim().parse::<i64>().ok());
    library_page(&state, &staff, &csrf, StatusCode::OK, before, None, None, Text::default()).await
}

/// `POST /admin/media` (multipart): `file`, `alt`, `caption`, `credit`; from the article
/// editor also `article` (its id) and `lead` (1 to make the image its lead image), after
/// which the editor opens again.
pub async fn upload(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, mut form: Multipart) -> Reply {
    let mut file: Option<(String, Vec<u8>)> = None;
    let (mut alt, mut caption, mut credit, mut article, mut lead) = (String::new(), String::new(), String::new(), String::new(), false);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(bad_request(format!("The upload could not be read: {e}"))),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            match field.bytes().await {
                Ok(b) => file = Some((file_name, b.to_vec())),
                Err(e) => return Err(bad_request(format!("The upload could not be read: {e}"))),
            }
            continue;
        }
        // Read as bytes: `text()` would put U+FFFD in place of bytes that are not UTF-8.
        let value = match field.bytes().await.map(|b| String::from_utf8(b.to_vec())) {
            Ok(Ok(v)) => v,
            _ => return Err(bad_request("A field of the upload form could not be read as text (UTF-8); nothing was saved.")),
        };
        match name.as_str() {
            "alt" => alt = value,
            "caption" => caption = value,
            "credit" => credit = value,
            "article" => article = value,
            "lead" => lead = value == "1",
            _ => {}
        }
    }
    let text = MediaText::trimmed(&alt, &caption, &credit);
    let back = Text { alt: text.alt.clone(), caption: text.caption.clone(), credit: text.credit.clone() };
    let article: Option<i64> = article.trim().parse().ok();
    let refuse = |msg: String| async {
        match article {
            Some(id) => Ok(see_other(&format!("/admin/articles/{id}?upload_error={}", crate::views::url_encode(&msg)))),
            None => library_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, None, Some(NOT_SAVED.into()), Some(msg), back).await,
        }
    };
    if let Some(msg) = text.check() {
        return refuse(msg).await;
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refuse("Choose an image file to upload.".into()).await;
    };
    let (id, created) = match media::upload(&state, Some(staff.user.id), &file_name, bytes, &text).await? {
        Uploaded::Stored { id, created } => (id, created),
        Uploaded::Refused(why) => return refuse(why.to_string()).await,
    };
    let Some(article) = article else {
        return Ok(see_other(&format!("/admin/media/{id}?uploaded={}", if created { "new" } else { "again" })));
    };
    let Some(record) = state.store().article_record(article).await? else { return Err(not_found()) };
    if !staff.can_edit(record.created_by, &record.status) {
        return Err(forbidden("Contributors can only edit their own drafts."));
    }
    if lead {
        state.store().set_lead_media(article, Some(id), now_unix()).await?;
        state.refresh_after_write().await;
    }
    let row = state.store().media(id).await?.ok_or_else(not_found)?;
    Ok(see_other(&format!("/admin/articles/{article}?uploaded={}", row.content_key)))
}

#[derive(Serialize)]
struct ItemCtx {
    admin: AdminLayout,
    item: Item,
    figure: String,
    message: Option<String>,
    error: Option<String>,
    used_by: usize,
}

#[derive(Deserialize)]
pub struct ItemQuery {
    uploaded: Option<String>,
    saved: Option<String>,
}

async fn item_page(state: &AppState, staff: &Staff, csrf: &CsrfToken, status: StatusCode, row: &MediaRow, message: Option<String>, error: Option<String>) -> Reply {
    let img = media::image_of(row).ok_or_else(not_found)?;
    let used_by = state.store().articles_showing_media(row.id, &row.content_key).await?.len();
    let ctx = ItemCtx { admin: admin_layout(state, staff, csrf), item: item(staff, row, &img), figure: img.figure("", marquee_domain::media::COLUMN_SIZES, false), message, error, used_by };
    page(state, status, "admin/media_item.html", ctx)
}

pub async fn show(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Query(q): Query<ItemQuery>) -> Reply {
    let row = state.store().media(id).await?.ok_or_else(not_found)?;
    let message = if q.uploaded.as_deref() == Some("again") {
        Some("This image was already in the library; here it is. Empty fields were filled from the upload.".to_string())
    } else if q.uploaded.is_some() {
        Some("Uploaded. Its renditions are being made; add alt text before an article that shows it is published.".to_string())
    } else {
        q.saved.map(|_| "Saved.".to_string())
    };
    item_page(&state, &staff, &csrf, StatusCode::OK, &row, message, None).await
}

#[derive(Deserialize)]
pub struct TextForm {
    #[serde(default)]
    alt: String,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    credit: String,
}

pub async fn save(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>, Form(f): Form<TextForm>) -> Reply {
    let mut row = state.store().media(id).await?.ok_or_else(not_found)?;
    if !may_change(&staff, &row) {
        return Err(forbidden("Contributors can only change the images they uploaded."));
    }
    let text = MediaText::trimmed(&f.alt, &f.caption, &f.credit);
    if let Some(msg) = text.check() {
        row.alt = text.alt;
        row.caption = text.caption;
        row.credit = text.credit;
        return item_page(&state, &staff, &csrf, StatusCode::UNPROCESSABLE_ENTITY, &row, Some(NOT_SAVED.into()), Some(msg)).await;
    }
    media::update_text(&state, &row, &text).await?;
    Ok(see_other(&format!("/admin/media/{id}?saved=1")))
}

pub async fn delete(State(state): State<AppState>, staff: Staff, Extension(csrf): Extension<CsrfToken>, Path(id): Path<i64>) -> Reply {
    staff.must_be_editor("Only editors remove images from the library.")?;
    let row = state.store().media(id).await?.ok_or_else(not_found)?;
    if !state.store().delete_media(id, &row.content_key).await? {
        let msg = "An article shows this image, so it was not removed. Take it out of those articles first.".to_string();
        return item_page(&state, &staff, &csrf, StatusCode::CONFLICT, &row, None, Some(msg)).await;
    }
    // The files stay in storage: a page cached elsewhere may still name them, and the same
    // upload later finds them again.
    library_page(&state, &staff, &csrf, StatusCode::OK, None, Some(format!("{} was removed from the library.", if row.file_name.is_empty() { "The image" } else { &row.file_name })), None, Text::default()).await
}
