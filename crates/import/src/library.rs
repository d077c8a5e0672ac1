//! The media library's writes and views that the newsroom's uploads and the imports share:
//! taking an image (checked by its bytes, kept under its content key) and describing a
//! library item the way pages show it.

use marquee_domain::media::MediaImage;
use std::collections::HashMap;
use marquee_domain::time::now_unix;
use marquee_media::{storage, Checked, Kind, Limits, Refused, Storage};
use marquee_store::{MediaRow, NewMedia, Store};

/// What an editor typed about an image.
#[derive(Debug, Clone, Default)]
pub struct MediaText {
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// Longest alt text, caption and credit, in characters.
pub const MAX_ALT: usize = 500;
pub const MAX_CAPTION: usize = 2000;
pub const MAX_CREDIT: usize = 300;

impl MediaText {
    pub fn trimmed(alt: &str, caption: &str, credit: &str) -> MediaText {
        MediaText { alt: alt.trim().to_string(), caption: caption.trim().to_string(), credit: credit.trim().to_string() }
    }

    /// A message for the form when a field is too long.
    pub fn check(&self) -> Option<String> {
        for (label, value, max) in [("Alt text", &self.alt, MAX_ALT), ("The caption", &self.caption, MAX_CAPTION), ("The credit", &self.credit, MAX_CREDIT)] {
            if value.chars().count() > max {
                return Some(format!("{label} can be at most {max} characters."));
            }
            if value.chars().any(|c| c.is_control() && c != '\n') {
                return Some(format!("{label} contains control characters."));
            }
        }
        None
    }
}

pub fn checked_of(row: &MediaRow) -> Option<Checked> {
    Some(Checked { kind: Kind::parse(&row.kind)?, width: row.width as u32, height: row.height as u32, animated: row.animated == 1 })
}

/// A library item as pages show it.
pub fn image_of(row: &MediaRow) -> Option<MediaImage> {
    let checked = checked_of(row)?;
    let plan = marquee_media::plan(&checked);
    let fallback = plan.first()?.format;
    let widths: Vec<u32> = plan.iter().filter(|p| p.format == fallback).map(|p| p.width).collect();
    let widest = plan.iter().filter(|p| p.format == fallback).last()?;
    Some(MediaImage {
        key: row.content_key.clone(),
        alt: row.alt.clone(),
        caption: row.caption.clone(),
        credit: row.credit.clone(),
        width: widest.width,
        height: widest.height,
        fallback: fallback.extension().to_string(),
        widths,
        webp: plan.iter().any(|p| p.format == marquee_media::Format::Webp) && fallback != marquee_media::Format::Webp,
    })
}

/// Takes an image: checks it by content off the async workers, stores the original under its
/// content key and adds it to the library, which queues its renditions. Answers the item's id
/// and whether it is new (the same file given twice is one item), or why it was refused.
pub async fn ingest(store: &Store, media: &Storage, limits: Limits, file_name: &str, bytes: Vec<u8>, text: &MediaText, user_id: Option<i64>) -> anyhow::Result<Result<(i64, bool), Refused>> {
    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let c = marquee_media::check_upload(&bytes, &limits);
        (bytes, c)
    })
    .await?;
    let checked = match checked {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let key = marquee_media::content_key(&bytes);
    media.put(&storage::original_key(&key, checked.kind.extension()), &bytes, checked.kind.mime()).await?;
    let file_name: String = file_name.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(200).collect();
    let (id, created) = store
        .add_media(&NewMedia {
            content_key: &key,
            kind: checked.kind.as_str(),
            width: i64::from(checked.width),
            height: i64::from(checked.height),
            animated: checked.animated,
            bytes: bytes.len() as i64,
            file_name: &file_name,
            alt: &text.alt,
            caption: &text.caption,
            credit: &text.credit,
            uploaded_by: user_id,
            now: now_unix(),
        })
        .await?;
    Ok(Ok((id, created)))
}

/// The library images a body shows, by content key.
pub async fn body_media(store: &Store, markdown: &str) -> anyhow::Result<HashMap<String, (MediaRow, MediaImage)>> {
    let keys = marquee_domain::markdown::media_refs(markdown);
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = store.media_by_keys(&keys).await?;
    Ok(rows.into_iter().filter_map(|r| image_of(&r).map(|img| (r.content_key.clone(), (r, img)))).collect())
}

/// Saves an item's alt text, caption and credit, and renders again every article body that
/// shows it, in one transaction.
pub async fn update_text(store: &Store, row: &MediaRow, text: &MediaText) -> anyhow::Result<()> {
    let mut updated = row.clone();
    updated.alt = text.alt.clone();
    updated.caption = text.caption.clone();
    updated.credit = text.credit.clone();
    let mut bodies = Vec::new();
    for (article, body) in store.articles_showing_media(row.id, &row.content_key).await? {
        let mut media = body_media(store, &body).await?;
        if let Some(img) = image_of(&updated) {
            media.insert(row.content_key.clone(), (updated.clone(), img));
        }
        let html = tokio::task::spawn_blocking(move || {
            let find = |k: &str| media.get(k).map(|(_, img)| img.clone());
            marquee_domain::markdown::render_checked_with_media(&body, usize::MAX, &find)
        })
        .await?;
        if let Ok(html) = html {
            bodies.push((article, html));
        }
    }
    store.update_media_text(row.id, &text.alt, &text.caption, &text.credit, &bodies, now_unix()).await?;
    Ok(())
}
