//! The newsroom's rules for saving an article: who may do what, what state it ends in, and
//! turning a typed form into a stored article in one transaction.

use crate::auth::Staff;
use crate::state::AppState;
use marquee_domain::article::ArticleDraft;
use marquee_domain::time::{now_unix, parse_datetime_local};
use marquee_domain::{slugify, FieldErrors, PublishAction};
use marquee_store::{ArticleRecord, ArticleWrite, SaveError};
use serde::Deserialize;

/// The article form as posted.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct ArticleForm {
    #[serde(default)]
    pub headline: String,
    #[serde(default)]
    pub deck: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub author1: String,
    #[serde(default)]
    pub author2: String,
    #[serde(default)]
    pub author3: String,
    #[serde(default)]
    pub author4: String,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub publish_at: String,
    /// An exact publication instant (the APIs give one, to the second); wins over `publish_at`.
    #[serde(skip)]
    pub publish_at_exact: Option<i64>,
    /// The film a review is about, as "Title (year)" or "Title".
    #[serde(default)]
    pub film: String,
    /// "" or 1 to 5 stars.
    #[serde(default)]
    pub rating: String,
    /// The lead image: a media library item's content key (or its `media:` reference or a
    /// rendition's URL); empty for none.
    #[serde(default)]
    pub lead_image: String,
    /// "1" when featured (a checkbox).
    #[serde(default)]
    pub featured: String,
    /// The article's last change (Unix seconds) as the editor loaded it; a save is refused
    /// when someone saved it since. Empty for a new article.
    #[serde(default)]
    pub updated_at: String,
    #[serde(default)]
    pub action: String,
}

impl ArticleForm {
    pub fn author_slots(&self) -> [&str; 4] {
        [&self.author1, &self.author2, &self.author3, &self.author4]
    }

    pub fn from_record(r: &ArticleRecord, tz: &jiff::tz::TimeZone) -> ArticleForm {
        let a = |i: usize| r.author_ids.get(i).map(|x| x.to_string()).unwrap_or_default();
        ArticleForm {
            headline: r.headline.clone(),
            deck: r.deck.clone(),
            slug: r.slug.clone(),
            body: r.body.clone(),
            section: r.section_id.to_string(),
            author1: a(0),
            author2: a(1),
            author3: a(2),
            author4: a(3),
            tags: r.tags.join(", "),
            publish_at: r.publish_at.map(|t| marquee_domain::time::datetime_local(t, tz)).unwrap_or_default(),
            publish_at_exact: None,
            film: match (&r.film_title, r.film_year) {
                (Some(t), Some(y)) => format!("{t} ({y})"),
                (Some(t), None) => t.clone(),
                _ => String::new(),
            },
            rating: r.rating.map(|n| n.to_string()).unwrap_or_default(),
            featured: if r.featured == 1 { "1".into() } else { String::new() },
            lead_image: r.lead_media_key.clone().unwrap_or_default(),
            updated_at: r.updated_at.to_string(),
            action: String::new(),
        }
    }

    fn draft(&self) -> ArticleDraft {
        let mut author_ids: Vec<i64> = Vec::new();
        for slot in self.author_slots() {
            if let Ok(id) = slot.trim().parse::<i64>() {
                if !author_ids.contains(&id) {
                    author_ids.push(id);
                }
            }
        }
        let mut d = ArticleDraft {
            headline: self.headline.trim().to_string(),
            deck: self.deck.trim().to_string(),
            slug: self.slug.clone(),
            body: self.body.replace("\r\n", "\n"),
            section_id: self.section.trim().parse().ok(),
            author_ids,
            tags: ArticleDraft::parse_tags(&self.tags),
            publish_at_local: self.publish_at.clone(),
        };
        d.propose_slug();
        d
    }
}

pub enum SaveOutcome {
    Saved(i64),
    /// The form goes back to the writer with these messages; nothing was written.
    Invalid { errors: FieldErrors, forbidden: bool },
    /// `action=preview`: render the form with this HTML, save nothing.
    Preview(String),
    /// Someone saved the article since the form was loaded; nothing was written.
    Changed,
}

/// Applies an editor's or writer's form to a new (`existing = None`) or existing article.
pub async fn save(state: &AppState, staff: &Staff, existing: Option<&ArticleRecord>, form: &mut ArticleForm) -> anyhow::Result<SaveOutcome> {
    let mut errors = FieldErrors::new();
    let Some(action) = PublishAction::parse(form.action.trim()) else {
        errors.insert("action", "Choose Save draft, Publish, Schedule or Preview.".into());
        return Ok(SaveOutcome::Invalid { errors, forbidden: false });
    };
    let slug_proposed = form.slug.trim().is_empty();
    let draft = form.draft();
    form.slug = draft.slug.clone();
    // Rendering runs off the async workers: a long body must not stall other requests.
    let rendered = crate::media::render_body(state, &draft.body).await?;
    if action == PublishAction::Preview {
        return Ok(match rendered {
            Ok(html) => SaveOutcome::Preview(html),
            Err(msg) => {
                errors.insert("body", msg);
                SaveOutcome::Invalid { errors, forbidden: false }
            }
        });
    }
    if let Some(rec) = existing {
        if !staff.can_edit(rec.created_by, &rec.status) {
            errors.insert("action", "Contributors can only edit their own drafts.".into());
            return Ok(SaveOutcome::Invalid { errors, forbidden: true });
        }
    }
    if action.needs_publish_right() && !staff.role.can_publish() {
        errors.insert("action", "Only editors can publish, schedule or unpublish. Save it as a draft and ask an editor.".into());
        return Ok(SaveOutcome::Invalid { errors, forbidden: true });
    }

    let now = now_unix();
    let site = state.site();
    let typed_time = if let Some(exact) = form.publish_at_exact {
        Some(exact)
    } else if draft.publish_at_local.trim().is_empty() {
        None
    } else {
        match parse_datetime_local(&draft.publish_at_local, &site.tz) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.insert("publish_at", e);
                None
            }
        }
    };
    let (status, publish_at) = match action {
        PublishAction::Save => match existing {
            Some(rec) if rec.status != "draft" => (rec.status.clone(), rec.publish_at),
            _ => ("draft".to_string(), typed_time),
        },
        PublishAction::Publish => {
            let already = existing.filter(|r| r.status != "draft").and_then(|r| r.publish_at).filter(|t| *t <= now);
            ("published".to_string(), Some(already.unwrap_or(now)))
        }
        PublishAction::Schedule => match typed_time {
            Some(t) if t > now => ("scheduled".to_string(), Some(t)),
            Some(_) => {
                errors.insert("publish_at", "Choose a time in the future to schedule, or use Publish now.".into());
                ("scheduled".to_string(), None)
            }
            None => {
                errors.entry("publish_at").or_insert_with(|| "Give the date and time it should appear.".into());
                ("scheduled".to_string(), None)
            }
        },
        PublishAction::Unpublish => ("draft".to_string(), None),
        PublishAction::Preview => unreachable!("handled above"),
    };
    errors.extend(draft.validate());
    let body_html = match rendered {
        Ok(html) => html,
        Err(msg) => {
            errors.entry("body").or_insert(msg);
            String::new()
        }
    };
    let film_id = match resolve_film(state, &form.film).await? {
        Ok(id) => id,
        Err(msg) => {
            errors.insert("film", msg);
            None
        }
    };
    let rating = match form.rating.trim() {
        "" => None,
        r => match r.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => Some(n),
            _ => {
                errors.insert("rating", "A rating is 1 to 5 stars, or none.".into());
                None
            }
        },
    };
    if rating.is_some() && film_id.is_none() && !errors.contains_key("film") {
        errors.insert("rating", "Only a review linked to a film can carry a rating.".into());
    }
    let lead = match lead_media(state, &form.lead_image).await? {
        Ok(lead) => lead,
        Err(msg) => {
            errors.insert("lead_image", msg);
            None
        }
    };
    // Nothing goes out to readers with an image a blind reader cannot follow.
    if status != "draft" {
        if let Some(problem) = crate::media::body_media_problem(state, &draft.body).await? {
            errors.entry("body").or_insert(problem);
        }
        if lead.as_ref().is_some_and(|m| m.alt.trim().is_empty()) {
            errors.entry("lead_image").or_insert_with(|| "The lead image has no alt text. Describe it in the media library before publishing.".into());
        }
    }
    if !errors.is_empty() {
        return Ok(SaveOutcome::Invalid { errors, forbidden: false });
    }

    let tags: Vec<(String, String)> = draft.tags.iter().map(|t| (slugify(t), t.clone())).collect();
    let write = ArticleWrite {
        id: existing.map(|r| r.id),
        section_id: draft.section_id.unwrap_or_default(),
        slug: &draft.slug,
        headline: &draft.headline,
        deck: &draft.deck,
        body: &draft.body,
        body_html: &body_html,
        status: &status,
        publish_at,
        author_ids: &draft.author_ids,
        tags: &tags,
        film_id,
        rating,
        user_id: Some(staff.user.id),
        featured: Some(form.featured == "1"),
        unchanged_since: form.updated_at.trim().parse().ok().filter(|_| existing.is_some()),
        slug_proposed,
        lead_media_id: Some(lead.map(|m| m.id)),
        now,
    };
    match state.store().save_article(&write).await? {
        Ok(id) => {
            state.refresh_after_write().await;
            Ok(SaveOutcome::Saved(id))
        }
        Err(SaveError::Changed) => Ok(SaveOutcome::Changed),
        Err(e) => {
            let (field, msg) = match e {
                SaveError::DuplicateSlug => ("slug", "Another article in this section already uses this slug. Choose another."),
                SaveError::UnknownSection => ("section", "That section no longer exists. Choose another."),
                SaveError::UnknownAuthor => ("authors", "One of the chosen authors no longer exists."),
                SaveError::UnknownFilm => ("film", "That film was removed from the film database."),
                SaveError::UnknownMedia => ("lead_image", "That image was removed from the media library."),
                SaveError::NotFound => ("action", "This article was deleted while you were editing it."),
                SaveError::Changed => unreachable!("answered above"),
            };
            errors.insert(field, msg.into());
            Ok(SaveOutcome::Invalid { errors, forbidden: false })
        }
    }
}

/// The content key in what a writer gave as the lead image: a key, `media:KEY`, or a
/// rendition's URL (`/media/KEY/640.jpg`, with or without the site's address).
pub fn media_key_in(typed: &str) -> Option<&str> {
    let t = typed.trim();
    let t = t.strip_prefix("media:").unwrap_or(t);
    let t = match t.find("/media/") {
        Some(i) => t[i + "/media/".len()..].split('/').next().unwrap_or(""),
        None => t,
    };
    marquee_media::is_content_key(t).then_some(t)
}

/// The library item a writer chose as the lead image; the error is a message for the form.
async fn lead_media(state: &AppState, typed: &str) -> anyhow::Result<Result<Option<marquee_store::MediaRow>, String>> {
    if typed.trim().is_empty() {
        return Ok(Ok(None));
    }
    let Some(key) = media_key_in(typed) else {
        return Ok(Err("Give the lead image as it appears in the media library (a 24-character key such as 3f2a…), or leave it empty.".into()));
    };
    Ok(match state.store().media_by_key(key).await? {
        Some(row) => Ok(Some(row)),
        None => Err(format!("No image with the key {key} is in the media library.")),
    })
}

/// "Rust and Bone (2012)" -> ("Rust and Bone", Some(2012)); a title without a year -> None.
pub fn split_film_ref(s: &str) -> (String, Option<i64>) {
    let s = s.trim();
    if let Some(open) = s.rfind(" (") {
        let inner = &s[open + 2..];
        if let Some(year) = inner.strip_suffix(')').and_then(|y| y.trim().parse::<i64>().ok()) {
            return (s[..open].trim().to_string(), Some(year));
        }
    }
    (s.to_string(), None)
}

/// Finds the film a writer named; the error is a message for the form.
async fn resolve_film(state: &AppState, typed: &str) -> anyhow::Result<Result<Option<i64>, String>> {
    if typed.trim().is_empty() {
        return Ok(Ok(None));
    }
    let (title, year) = split_film_ref(typed);
    let found = state.store().find_films(&title, year).await?;
    Ok(match found.as_slice() {
        [] => Err(format!("No film called “{}”{} is in the film database. Check the title, or import the film first.", title, year.map(|y| format!(" from {y}")).unwrap_or_default())),
        [one] => Ok(Some(one.id)),
        many => {
            let years: Vec<String> = many.iter().filter_map(|f| f.year.map(|y| y.to_string())).collect();
            Err(format!("Several films are called “{title}” ({}). Add the year, e.g. {title} ({}).", years.join(", "), years.first().cloned().unwrap_or_else(|| "1998".into())))
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn lead_images_are_named_by_key_reference_or_url() {
        let k = "0123456789abcdef01234567";
        for typed in [k, " media:0123456789abcdef01234567 ", "/media/0123456789abcdef01234567/640.jpg", "https://paper.example/media/0123456789abcdef01234567/320.webp"] {
            assert_eq!(super::media_key_in(typed), Some(k), "{typed}");
        }
        for typed in ["", "0123", "/media/../etc/passwd", "0123456789ABCDEF01234567"] {
            assert_eq!(super::media_key_in(typed), None, "{typed}");
        }
    }

    #[test]
    fn film_references() {
        assert_eq!(super::split_film_ref(" Rust and Bone (2012) "), ("Rust and Bone".to_string(), Some(2012)));
        assert_eq!(super::split_film_ref("Psycho"), ("Psycho".to_string(), None));
        assert_eq!(super::split_film_ref("Love (and Other Drugs)"), ("Love (and Other Drugs)".to_string(), None));
    }
}
