use crate::slug::{slugify, validate_slug};
use std::collections::BTreeMap;

pub const MAX_HEADLINE: usize = 200;
pub const MAX_DECK: usize = 300;
pub const MAX_BODY: usize = 200_000;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_LEN: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "scheduled" => Some(Self::Scheduled),
            "published" => Some(Self::Published),
            _ => None,
        }
    }
}

/// What the editor's Save buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishAction {
    /// Keep (or make) it a draft; a published article saved this way stays published.
    Save,
    /// Publish now.
    Publish,
    /// Publish at `publish_at`, which must be in the future.
    Schedule,
    /// Take it off the site, back to draft.
    Unpublish,
    /// Re-render the form with a preview, save nothing.
    Preview,
}

impl PublishAction {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "save" => Self::Save,
            "publish" => Self::Publish,
            "schedule" => Self::Schedule,
            "unpublish" => Self::Unpublish,
            "preview" => Self::Preview,
            _ => return None,
        })
    }
    pub fn needs_publish_right(self) -> bool {
        matches!(self, Self::Publish | Self::Schedule | Self::Unpublish)
    }
}

/// Messages to show next to form fields, keyed by field name.
pub type FieldErrors = BTreeMap<&'static str, String>;

/// An article as an editor typed it, before it is trusted.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ArticleDraft {
    pub headline: String,
    pub deck: String,
    pub slug: String,
    pub body: String,
    pub section_id: Option<i64>,
    /// Author ids in byline order.
    pub author_ids: Vec<i64>,
    /// Tag names as typed, comma separated in the form.
    pub tags: Vec<String>,
    /// Publication time typed in the publication's zone, if any.
    pub publish_at_local: String,
}

impl ArticleDraft {
    /// Splits "Jazz, Oakland ,jazz" into distinct, trimmed tag names.
    pub fn parse_tags(raw: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in raw.split(',') {
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if !t.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&t)) {
                out.push(t);
            }
        }
        out
    }

    /// Fills a blank slug from the headline.
    pub fn propose_slug(&mut self) {
        if self.slug.trim().is_empty() {
            self.slug = slugify(&self.headline);
        } else {
            self.slug = self.slug.trim().to_string();
        }
    }

    /// Checks everything that does not need the database. Uniqueness of the slug and existence
    /// of the section and authors are checked by the store.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let headline = self.headline.trim();
        if headline.is_empty() {
            errors.insert("headline", "A headline is required.".into());
        } else if headline.chars().count() > MAX_HEADLINE {
            errors.insert("headline", format!("A headline can be at most {MAX_HEADLINE} characters."));
        }
        if self.deck.chars().count() > MAX_DECK {
            errors.insert("deck", format!("A deck can be at most {MAX_DECK} characters."));
        }
        if let Err(e) = validate_slug(&self.slug) {
            errors.insert("slug", e);
        }
        if self.body.len() > MAX_BODY {
            errors.insert("body", format!("The body can be at most {} KB.", MAX_BODY / 1000));
        }
        if self.section_id.is_none() {
            errors.insert("section", "Choose a section.".into());
        }
        if self.author_ids.is_empty() {
            errors.insert("authors", "Choose at least one author.".into());
        }
        if self.tags.len() > MAX_TAGS {
            errors.insert("tags", format!("At most {MAX_TAGS} tags."));
        } else if self.tags.iter().any(|t| t.chars().count() > MAX_TAG_LEN) {
            errors.insert("tags", format!("A tag can be at most {MAX_TAG_LEN} characters."));
        } else if self.tags.iter().any(|t| slugify(t).is_empty()) {
            errors.insert("tags", "Each tag needs at least one letter or digit.".into());
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ArticleDraft {
        ArticleDraft {
            headline: "Rust and Bone".into(),
            body: "Text".into(),
            section_id: Some(1),
            author_ids: vec![1],
            ..Default::default()
        }
    }

    #[test]
    fn slug_is_proposed_from_headline() {
        let mut d = good();
        d.propose_slug();
        assert_eq!(d.slug, "rust-and-bone");
        assert!(d.validate().is_empty());
    }

    #[test]
    fn each_bad_field_gets_its_own_message() {
        let mut d = ArticleDraft { deck: "x".repeat(MAX_DECK + 1), slug: "Bad Slug".into(), ..Default::default() };
        d.tags = ArticleDraft::parse_tags("ok, !!!");
        let e = d.validate();
        for f in ["headline", "deck", "slug", "section", "authors", "tags"] {
            assert!(e.contains_key(f), "missing error for {f}: {e:?}");
        }
    }

    #[test]
    fn tags_are_deduplicated() {
        assert_eq!(ArticleDraft::parse_tags("Jazz, Oakland ,jazz,, "), vec!["Jazz", "Oakland"]);
    }
}
