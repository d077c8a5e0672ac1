//! The media library's service: taking an upload (checked by its bytes, kept under its content
//! key), making its renditions from the durable job queue, and showing library images in
//! bodies and pages. Handlers (`admin/media.rs`, the Admin API, `public.rs` for the files)
//! call these; SQL stays in the store and image work in `marquee-media`.

use crate::state::AppState;
use marquee_domain::media::MediaImage;
use marquee_domain::time::now_unix;
use marquee_media::{storage, Refused};
use marquee_store::MediaRow;
use std::collections::HashMap;

pub use marquee_import::library::{image_of, MediaText};
use marquee_import::library::checked_of;

/// The outcome of an upload.
pub enum Uploaded {
    /// Added (`created`), or the same file was already in the library.
    Stored { id: i64, created: bool },
    Refused(Refused),
}

/// Takes an upload: checks it by content off the async workers, stores the original under its
/// content key, adds it to the library and queues its renditions.
pub async fn upload(state: &AppState, user_id: Option<i64>, file_name: &str, bytes: Vec<u8>, text: &MediaText) -> anyhow::Result<Uploaded> {
    let cfg = &state.0.config;
    let outcome = marquee_import::library::ingest(state.store(), &cfg.media, cfg.media_limits, file_name, bytes, text, user_id).await?;
    Ok(match outcome {
        Ok((id, created)) => {
            state.0.media_wake.notify_one();
            Uploaded::Stored { id, created }
        }
        Err(r) => Uploaded::Refused(r),
    })
}

/// Makes and stores the renditions of `row` that `only` names (every one when `None`).
async fn make_renditions(state: &AppState, row: &MediaRow, only: Option<marquee_media::Planned>) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(checked) = checked_of(row) else { anyhow::bail!("media {} has an unknown kind {:?}", row.id, row.kind) };
    let storage = &state.0.config.media;
    let original_key = storage::original_key(&row.content_key, checked.kind.extension());
    let Some(original) = storage.get(&original_key).await? else { anyhow::bail!("the original of media {} ({original_key}) is missing from {}", row.id, storage.describe()) };
    let wanted: Vec<marquee_media::Planned> = match only {
        Some(p) => vec![p],
        None => marquee_media::plan(&checked),
    };
    let limits = state.0.config.media_limits;
    let made = tokio::task::spawn_blocking(move || marquee_media::render(&original, &checked, &wanted, &limits)).await??;
    let mut first = None;
    for (p, bytes) in made {
        storage.put(&storage::rendition_key(&row.content_key, p.width, p.format.extension()), &bytes, p.format.mime()).await?;
        first.get_or_insert(bytes);
    }
    Ok(first)
}

/// How many rendition jobs one pass claims.
pub const MEDIA_BATCH: i64 = 4;

/// Claims due rendition jobs and makes their files; answers how many were claimed.
pub async fn run_jobs(state: &AppState) -> anyhow::Result<usize> {
    let store = state.store();
    let jobs = store.claim_media_jobs(now_unix(), 300, MEDIA_BATCH).await?;
    for job in &jobs {
        let outcome = match store.media(job.media_id).await? {
            None => Ok(None),
            Some(row) => make_renditions(state, &row, None).await,
        };
        match outcome {
            Ok(_) => store.finish_media_job(job, now_unix(), None).await?,
            Err(e) => {
                tracing::warn!("renditions of media {} failed: {e:#}", job.media_id);
                store.finish_media_job(job, now_unix(), Some((&format!("{e:#}"), false))).await?;
            }
        }
    }
    Ok(jobs.len())
}

/// One rendition's bytes for `/media/{key}/{width}.{ext}`: from storage, or made now when the
/// queue has not reached it yet. `None` when no such rendition belongs to the image.
pub async fn rendition(state: &AppState, key: &str, width: u32, ext: &str) -> anyhow::Result<Option<(&'static str, Vec<u8>)>> {
    let Some(format) = marquee_media::Format::from_extension(ext) else { return Ok(None) };
    if !marquee_media::is_content_key(key) {
        return Ok(None);
    }
    let Some(row) = state.store().media_by_key(key).await? else { return Ok(None) };
    let Some(checked) = checked_of(&row) else { return Ok(None) };
    let Some(planned) = marquee_media::plan(&checked).into_iter().find(|p| p.width == width && p.format == format) else { return Ok(None) };
    if let Some(bytes) = state.0.config.media.get(&storage::rendition_key(key, width, ext)).await? {
        return Ok(Some((format.mime(), bytes)));
    }
    Ok(make_renditions(state, &row, Some(planned)).await?.map(|b| (format.mime(), b)))
}

/// The library images a body shows, by content key.
pub async fn body_media(state: &AppState, markdown: &str) -> anyhow::Result<HashMap<String, (MediaRow, MediaImage)>> {
    marquee_import::library::body_media(state.store(), markdown).await
}

/// Renders a body with its library images (off the async workers); `Err` is the form's
/// message.
pub async fn render_body(state: &AppState, markdown: &str) -> anyhow::Result<Result<String, String>> {
    let media = body_media(state, markdown).await?;
    let body = markdown.to_string();
    Ok(tokio::task::spawn_blocking(move || {
        let find = |k: &str| media.get(k).map(|(_, img)| img.clone());
        marquee_domain::markdown::render_checked_with_media(&body, marquee_domain::article::MAX_BODY, &find)
    })
    .await?)
}

/// What keeps a body's images from being published: an image that is not in the library, or
/// one without alt text either in the body or in the library.
pub async fn body_media_problem(state: &AppState, markdown: &str) -> anyhow::Result<Option<String>> {
    let media = body_media(state, markdown).await?;
    for img in marquee_domain::markdown::body_images(markdown) {
        match media.get(&img.key) {
            None => return Ok(Some(format!("The body shows media:{}, which is not in the media library. Upload the image or remove the reference.", img.key))),
            Some((row, _)) if img.alt.trim().is_empty() && row.alt.trim().is_empty() => {
                let name = if row.file_name.is_empty() { format!("media:{}", row.content_key) } else { row.file_name.clone() };
                return Ok(Some(format!("The image {name} has no alt text. Describe it in the body (![what it shows](media:…)) or in the media library before publishing.")));
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// Saves an item's alt text, caption and credit, and renders again every article body that
/// shows it, in one transaction.
pub async fn update_text(state: &AppState, row: &MediaRow, text: &MediaText) -> anyhow::Result<()> {
    marquee_import::library::update_text(state.store(), row, text).await?;
    state.refresh_after_write().await;
    Ok(())
}
