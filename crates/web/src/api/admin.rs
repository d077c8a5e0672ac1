//! Ghost's Admin API at `/ghost/api/admin/`: posts (browse, read, add, edit with the
//! `updated_at` collision check, publish, schedule, delete) and tags. A post is saved through
//! the newsroom's own rules (`newsroom::save`), so a key acts with its staff member's role: a
//! contributor's key writes drafts and cannot publish.

use super::filters::{parse_nql, post_filter, post_order};
use super::{ApiPath, POST_FORMATS, only_fields, query_pairs, read_browse, AdminErrors, ApiError, ApiJson, ApiReply, Caller};
use crate::api_views::{self, AdminPost, Pagination, Tag};
use crate::newsroom::{self, ArticleForm, SaveOutcome};
use crate::state::AppState;
use crate::webhooks::post_body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use marquee_api::ids::{self, Kind};
use marquee_api::nql;
use marquee_domain::time::{datetime_local, now_unix};
use marquee_domain::{slugify, validate_slug, FieldErrors};
use marquee_store::{ArticleRecord, OrderField, PostFilter, PostQuery, PostRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The body of an add or edit: `{"posts": [ {...} ]}`, one post.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostsBody {
    #[schema(min_items = 1, max_items = 1)]
    pub posts: Vec<PostWrite>,
}

/// A post as a client sends it. Properties the Admin API shows but Marquee does not store may
/// be sent back as they were read (they are left alone); any other property is refused.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // the read-only properties are accepted and never read
pub struct PostWrite {
    /// The headline. Required to add a post.
    pub title: Option<String>,
    /// Made from the title when left out.
    pub slug: Option<String>,
    /// The body as HTML, with `?source=html` (kept as sanitized HTML in the Markdown body).
    pub html: Option<String>,
    /// The body in Markdown (Marquee's own field; it wins over `html`).
    pub markdown: Option<String>,
    /// The deck.
    pub custom_excerpt: Option<String>,
    pub featured: Option<bool>,
    /// `draft`, `published` or `scheduled` (with a `published_at` in the future).
    pub status: Option<String>,
    /// RFC 3339, e.g. `2026-12-24T18:00:00.000Z`.
    pub published_at: Option<String>,
    /// Tag names, slugs or objects (`{"name": ...}`, `{"slug": ...}`, `{"id": ...}`). A tag that
    /// names a section puts the post in that section; others are tags. Replaces the post's tags.
    pub tags: Option<Vec<TagRef>>,
    /// Authors by id, slug or staff email, in byline order (at most four). Replaces the byline.
    pub authors: Option<Vec<AuthorRef>>,
    /// Required to edit: the `updated_at` the client read. Another save since then is a 409.
    pub updated_at: Option<String>,
    // Shown by the API, not stored by Marquee: accepted as they were read, and ignored.
    #[schema(value_type = Option<Value>)]
    pub id: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub uuid: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub url: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub excerpt: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub plaintext: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub reading_time: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub created_at: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub comment_id: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub access: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub comments: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub primary_author: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub primary_tag: Option<serde_json::Value>,
    // Ghost's fields Marquee cannot keep: null (or, for visibility, "public") is accepted.
    pub lexical: Option<String>,
    pub mobiledoc: Option<String>,
    /// The lead image: the address of an image in this paper's media library (as
    /// `images/upload` answers it); `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub feature_image: Option<Option<String>>,
    /// The lead image's alt text, kept with the image in the media library.
    pub feature_image_alt: Option<String>,
    /// The lead image's caption, kept with the image in the media library.
    pub feature_image_caption: Option<String>,
    pub visibility: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub custom_template: Option<String>,
    pub canonical_url: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub email_subject: Option<String>,
    pub frontmatter: Option<String>,
}

/// `Some(None)` for a property sent as null, `None` (by `default`) for one left out.
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?))
}

/// A tag named in a post.
#[derive(Deserialize, ToSchema, Clone)]
#[serde(untagged)]
pub enum TagRef {
    Name(String),
    Object {
        id: Option<String>,
        name: Option<String>,
        slug: Option<String>,
    },
}

/// An author named in a post.
#[derive(Deserialize, ToSchema, Clone)]
#[serde(untagged)]
pub enum AuthorRef {
    /// A staff member's email.
    Email(String),
    Object {
        id: Option<String>,
        slug: Option<String>,
        email: Option<String>,
    },
}

#[derive(Serialize, ToSchema)]
pub struct AdminPosts {
    pub posts: Vec<AdminPost>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminPostsPage {
    pub posts: Vec<AdminPost>,
    pub meta: api_views::Meta,
}

/// `?source=html` and the browse parameters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct WriteParams {
    /// `html` to send the body as `html`.
    source: Option<String>,
    include: Option<String>,
    formats: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AdminBrowseParams {
    include: Option<String>,
    fields: Option<String>,
    formats: Option<String>,
    /// NQL, as for the Content API, and `status:draft|scheduled|published`.
    filter: Option<String>,
    limit: Option<String>,
    page: Option<i64>,
    order: Option<String>,
}

const WRITE_PARAMS: &[&str] = &["source", "include", "formats"];

fn instant(field: &str, s: &str) -> Result<i64, ApiError> {
    s.trim().parse::<jiff::Timestamp>().map(|t| t.as_second()).map_err(|_| ApiError::invalid(field, format!("Validation error: {field} must be a date and time such as 2026-12-24T18:00:00.000Z.")))
}

/// Refuses what Marquee cannot keep, so that nothing a client sends is silently lost.
fn refuse_unkept(p: &PostWrite) -> Result<(), ApiError> {
    if p.lexical.is_some() || p.mobiledoc.is_some() {
        return Err(ApiError::invalid(if p.lexical.is_some() { "lexical" } else { "mobiledoc" }, "Marquee keeps articles in Markdown: send the body as markdown, or as html with ?source=html."));
    }
    if p.visibility.as_deref().is_some_and(|v| v != "public") {
        return Err(ApiError::invalid("visibility", "Every Marquee article is public; visibility can only be public."));
    }
    let unkept = [
        ("codeinjection_head", &p.codeinjection_head),
        ("codeinjection_foot", &p.codeinjection_foot),
        ("custom_template", &p.custom_template),
        ("canonical_url", &p.canonical_url),
        ("og_image", &p.og_image),
        ("og_title", &p.og_title),
        ("og_description", &p.og_description),
        ("twitter_image", &p.twitter_image),
        ("twitter_title", &p.twitter_title),
        ("twitter_description", &p.twitter_description),
        ("meta_title", &p.meta_title),
        ("meta_description", &p.meta_description),
        ("email_subject", &p.email_subject),
        ("frontmatter", &p.frontmatter),
    ];
    if let Some((field, _)) = unkept.iter().find(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty())) {
        return Err(ApiError::invalid(field, format!("Marquee does not keep {field}; send it as null or leave it out.")));
    }
    Ok(())
}

/// The section and tag names a post's tags give: the first tag that names a section (by id,
/// slug or name) is the section, the rest are tags.
fn section_and_tags(state: &AppState, refs: &[TagRef]) -> Result<(Option<i64>, Vec<String>), ApiError> {
    let site = state.site();
    let mut section = None;
    let mut tags = Vec::new();
    for r in refs {
        let (id, name, slug) = match r {
            TagRef::Name(n) => (None, Some(n.clone()), None),
            TagRef::Object { id, name, slug } => (id.clone(), name.clone(), slug.clone()),
        };
        let found = site.sections.iter().find(|s| {
            id.as_deref().and_then(|i| ids::number_of(Kind::Section, i)) == Some(s.id)
                || slug.as_deref() == Some(s.slug.as_str())
                || name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&s.name) || slugify(n) == s.slug)
        });
        match found {
            Some(s) if section.is_none() => section = Some(s.id),
            Some(_) => {}
            None => match name.or(slug) {
                Some(n) if !n.trim().is_empty() => tags.push(n.trim().to_string()),
                _ => return Err(ApiError::invalid("tags", "A tag needs a name or slug (or the id of a section).")),
            },
        }
    }
    Ok((section, tags))
}

async fn author_ids(state: &AppState, refs: &[AuthorRef]) -> Result<Vec<i64>, ApiError> {
    if refs.len() > 4 {
        return Err(ApiError::invalid("authors", "A byline has at most four authors."));
    }
    let authors = state.store().authors().await?;
    let users = state.store().users().await?;
    let mut out = Vec::new();
    for r in refs {
        let (id, slug, email) = match r {
            AuthorRef::Email(e) => (None, None, Some(e.clone())),
            AuthorRef::Object { id, slug, email } => (id.clone(), slug.clone(), email.clone()),
        };
        let found = authors
            .iter()
            .find(|a| id.as_deref().and_then(|i| ids::number_of(Kind::Author, i)) == Some(a.id) || slug.as_deref() == Some(a.slug.as_str()))
            .map(|a| a.id)
            .or_else(|| email.as_deref().and_then(|e| users.iter().find(|u| u.email.eq_ignore_ascii_case(e.trim())).and_then(|u| u.author_id)));
        match found {
            Some(a) => out.push(a),
            None => return Err(ApiError::invalid("authors", "An author is named by the id or slug of an author, or the email of a staff member with an author profile; one of these is none.")),
        }
    }
    Ok(out)
}

/// Ghost's names for the newsroom form's fields.
fn ghost_field(field: &str) -> &str {
    match field {
        "headline" => "title",
        "deck" => "custom_excerpt",
        "body" => "markdown",
        "publish_at" => "published_at",
        "section" => "tags",
        "action" => "status",
        "lead_image" => "feature_image",
        other => other,
    }
}

fn refused(errors: FieldErrors, forbidden: bool, action: &str) -> ApiError {
    if forbidden {
        let why = errors.values().next().cloned().unwrap_or_default();
        return ApiError::forbidden(format!("Permission error, cannot {action}.")).context(why);
    }
    let renamed: FieldErrors = errors.into_iter().map(|(k, v)| (ghost_field(k), v)).collect();
    ApiError::fields(&renamed)
}

/// Builds the newsroom's form from a post as sent, over the article's current state.
async fn form_for(state: &AppState, caller: &Caller, existing: Option<&ArticleRecord>, p: &PostWrite, source_html: bool) -> Result<ArticleForm, ApiError> {
    refuse_unkept(p)?;
    let site = state.site();
    let mut form = match existing {
        Some(r) => ArticleForm::from_record(r, &site.tz),
        None => {
            let mut f = ArticleForm::default();
            f.author1 = caller.staff.user.author_id.map(|a| a.to_string()).unwrap_or_default();
            f.section = site.sections.first().map(|s| s.id.to_string()).unwrap_or_default();
            f
        }
    };
    if let Some(t) = &p.title {
        form.headline = t.clone();
    } else if existing.is_none() {
        return Err(ApiError::invalid("title", "A post needs a title."));
    }
    if let Some(s) = &p.slug {
        form.slug = s.clone();
    } else if existing.is_none() {
        form.slug = String::new();
    }
    if let Some(d) = &p.custom_excerpt {
        form.deck = d.clone();
    }
    match (&p.markdown, &p.html) {
        (Some(md), _) => form.body = md.clone(),
        (None, Some(html)) if source_html => form.body = html.clone(),
        (None, Some(_)) => return Err(ApiError::invalid("html", "Send html with ?source=html (or the body as markdown).")),
        (None, None) => {}
    }
    if let Some(f) = p.featured {
        form.featured = if f { "1".into() } else { String::new() };
    }
    if let Some(refs) = &p.tags {
        let (section, tags) = section_and_tags(state, refs)?;
        if let Some(s) = section {
            form.section = s.to_string();
        }
        form.tags = tags.join(", ");
    }
    if let Some(refs) = &p.authors {
        let a = author_ids(state, refs).await?;
        let slot = |i: usize| a.get(i).map(|x| x.to_string()).unwrap_or_default();
        (form.author1, form.author2, form.author3, form.author4) = (slot(0), slot(1), slot(2), slot(3));
    }
    if let Some(at) = &p.published_at {
        let exact = instant("published_at", at)?;
        form.publish_at = datetime_local(exact, &site.tz);
        form.publish_at_exact = Some(exact);
    }
    let was = existing.map(|r| (r.status.as_str(), r.publish_at.is_some_and(|t| t <= now_unix())));
    form.action = match (p.status.as_deref(), was) {
        (None, _) => "save",
        (Some("draft"), Some((status, _))) if status != "draft" => "unpublish",
        (Some("draft"), _) => "save",
        (Some("published"), Some((status, true))) if status != "draft" => "save",
        (Some("published"), _) => "publish",
        (Some("scheduled"), _) => "schedule",
        (Some(other), _) => return Err(ApiError::invalid("status", format!("“{}” is not a state: use draft, published or scheduled.", other.chars().take(20).collect::<String>()))),
    }
    .into();
    if form.action == "schedule" && p.published_at.is_none() && existing.is_none() {
        return Err(ApiError::invalid("published_at", "Value in published_at cannot be blank: a scheduled post needs the time it goes live."));
    }
    if let Some(at) = &p.updated_at {
        form.updated_at = instant("updated_at", at)?.to_string();
    }
    if let Some(image) = &p.feature_image {
        let image = image.clone().unwrap_or_default();
        if !image.trim().is_empty() && newsroom::media_key_in(&image).is_none() {
            return Err(ApiError::invalid(
                "feature_image",
                "feature_image must be the address of an image in this paper's media library, as POST /ghost/api/admin/images/upload/ answers it; an image on another site is not copied.",
            ));
        }
        form.lead_image = image;
    }
    if p.feature_image_alt.is_some() || p.feature_image_caption.is_some() {
        // Only someone who may save this post touches its image's text: the save would refuse
        // the rest anyway, and the text must not change for a refused request.
        if existing.is_some_and(|r| !caller.staff.can_edit(r.created_by, &r.status)) {
            return Err(ApiError::forbidden("Permission error, cannot edit post.").context("A contributor may only change their own drafts."));
        }
        set_lead_text(state, caller, &form.lead_image, p).await?;
    }
    Ok(form)
}

/// Saves `feature_image_alt` and `feature_image_caption` with the lead image in the media
/// library (where Marquee keeps an image's text), before the post is checked, so that a post
/// may be published with an image uploaded a moment ago.
async fn set_lead_text(state: &AppState, caller: &Caller, lead: &str, p: &PostWrite) -> Result<(), ApiError> {
    let row = match newsroom::media_key_in(lead) {
        Some(key) => state.store().media_by_key(key).await?,
        None => None,
    };
    let Some(row) = row else {
        let field = if p.feature_image_alt.is_some() { "feature_image_alt" } else { "feature_image_caption" };
        return Err(ApiError::invalid(field, "There is no feature_image to describe: give feature_image, an image from the media library (upload it with POST /ghost/api/admin/images/upload/)."));
    };
    let text = crate::media::MediaText::trimmed(p.feature_image_alt.as_deref().unwrap_or(&row.alt), p.feature_image_caption.as_deref().unwrap_or(&row.caption), &row.credit);
    if let Some(why) = text.check() {
        let field = if why.starts_with("Alt") { "feature_image_alt" } else { "feature_image_caption" };
        return Err(ApiError::invalid(field, why));
    }
    if (text.alt.as_str(), text.caption.as_str()) != (row.alt.as_str(), row.caption.as_str()) {
        // As in the newsroom's library: contributors change only the images they uploaded.
        if !caller.staff.role.can_edit_others() && row.uploaded_by != Some(caller.staff.user.id) {
            return Err(ApiError::forbidden("Permission error, cannot edit image.").context("Only editors change the text of an image someone else uploaded."));
        }
        crate::media::update_text(state, &row, &text).await?;
    }
    Ok(())
}

/// `images/upload`'s form: the file, and Ghost's optional `purpose` and `ref`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImageUpload {
    /// A JPEG, PNG, GIF or WebP image, checked by its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `image` (the default), `profile_image` or `icon`.
    purpose: Option<String>,
    /// Any text, answered back as it was sent (at most 200 characters).
    #[schema(rename = "ref")]
    reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UploadedImages {
    pub images: Vec<UploadedImage>,
}

#[derive(Serialize, ToSchema)]
pub struct UploadedImage {
    /// The address of the image's widest rendition; give it as a post's `feature_image`.
    pub url: String,
    #[serde(rename = "ref")]
    #[schema(rename = "ref")]
    pub reference: Option<String>,
}

/// `POST /ghost/api/admin/images/upload/`: adds an image to the media library, checked by its
/// bytes as the newsroom's uploads are; its alt text comes with the post that shows it
/// (`feature_image_alt`) or in the newsroom.
#[utoipa::path(post, path = "/ghost/api/admin/images/upload/", tag = "Admin API", request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, description = "The image, in the media library", body = UploadedImages), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn upload_image(State(state): State<AppState>, caller: Caller, form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>) -> ApiReply {
    let mut form = form.map_err(|_| ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeError", "Send the image as multipart/form-data with a field named file."))?;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeError", "The image is larger than uploads may be.")
        } else {
            ApiError::bad_request("The form could not be read.")
        }
    };
    // Text fields are read as bytes: `text()` would put U+FFFD in place of bytes that are not UTF-8.
    let utf8 = |b: axum::body::Bytes| String::from_utf8(b.to_vec()).map_err(|_| ApiError::bad_request("The form could not be read: a field is not UTF-8 text."));
    let (mut file, mut purpose, mut reference) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                file = Some((name, field.bytes().await.map_err(unreadable)?.to_vec()));
            }
            "purpose" => purpose = Some(utf8(field.bytes().await.map_err(unreadable)?)?),
            "ref" => reference = Some(utf8(field.bytes().await.map_err(unreadable)?)?),
            other => return Err(ApiError::invalid(other, "images/upload takes the fields file, purpose and ref.")),
        }
    }
    if let Some(p) = purpose.as_deref().filter(|p| !matches!(*p, "image" | "profile_image" | "icon")) {
        return Err(ApiError::invalid("purpose", format!("“{}” is not a purpose: use image, profile_image or icon.", p.chars().take(20).collect::<String>())));
    }
    if reference.as_ref().is_some_and(|r| r.chars().count() > 200 || r.contains('\0')) {
        return Err(ApiError::invalid("ref", "ref can be at most 200 characters."));
    }
    let Some((name, bytes)) = file else { return Err(ApiError::invalid("file", "Please select an image: send it in a field named file.")) };
    let row = match crate::media::upload(&state, Some(caller.staff.user.id), &name, bytes, &crate::media::MediaText::default()).await? {
        crate::media::Uploaded::Stored { id, .. } => state.store().media(id).await?.ok_or_else(|| ApiError::not_found("Image", "upload image"))?,
        crate::media::Uploaded::Refused(why) => return Err(ApiError::invalid("file", why.to_string())),
    };
    let image = crate::media::image_of(&row).ok_or_else(|| ApiError::invalid("file", "The image could not be read."))?;
    let url = format!("{}/media/{}/{}.{}", state.site().base(), image.key, image.width, image.fallback);
    Ok(super::json(StatusCode::CREATED, &UploadedImages { images: vec![UploadedImage { url, reference }] }))
}

async fn answer(state: &AppState, id: i64, status: StatusCode) -> ApiReply {
    let row = state.post_row(id).await?.ok_or_else(|| ApiError::not_found("Post", "read post"))?;
    let post = api_views::admin_post(&state.site(), &row, &state.id_salt(), now_unix());
    Ok(super::json(status, &AdminPosts { posts: vec![post] }))
}

fn one(body: PostsBody) -> Result<PostWrite, ApiError> {
    let mut posts = body.posts;
    if posts.len() != 1 {
        return Err(ApiError::invalid("posts", "Send exactly one post: {\"posts\": [{...}]}."));
    }
    Ok(posts.remove(0))
}

fn source_html(raw: Option<&str>) -> Result<bool, ApiError> {
    let pairs = query_pairs(raw)?;
    read_browse(&pairs, WRITE_PARAMS, POST_FORMATS)?;
    match pairs.iter().find(|(k, _)| k == "source").map(|(_, v)| v.as_str()) {
        None => Ok(false),
        Some("html") => Ok(true),
        Some(_) => Err(ApiError::invalid("source", "Validation (AllowedValues) failed for source: only html is allowed.")),
    }
}

/// `POST /ghost/api/admin/posts/`: adds a post (a draft unless `status` says otherwise).
#[utoipa::path(post, path = "/ghost/api/admin/posts/", tag = "Admin API", params(WriteParams), request_body = PostsBody,
    responses((status = 201, description = "The post as saved", body = AdminPosts), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn add_post(State(state): State<AppState>, caller: Caller, RawQuery(raw): RawQuery, ApiJson(body): ApiJson<PostsBody>) -> ApiReply {
    let html = source_html(raw.as_deref())?;
    let p = one(body)?;
    let mut form = form_for(&state, &caller, None, &p, html).await?;
    match newsroom::save(&state, &caller.staff, None, &mut form).await? {
        SaveOutcome::Saved(id) => answer(&state, id, StatusCode::CREATED).await,
        SaveOutcome::Invalid { errors, forbidden } => Err(refused(errors, forbidden, "add post")),
        SaveOutcome::Changed | SaveOutcome::Preview(_) => Err(ApiError::invalid("status", "Nothing was saved.")),
    }
}

fn post_number(id: &str) -> Result<i64, ApiError> {
    ids::number_of(Kind::Post, id).ok_or_else(|| super::bad_id("post"))
}

/// `PUT /ghost/api/admin/posts/{id}/`: edits a post; `updated_at` must be the one last read.
#[utoipa::path(put, path = "/ghost/api/admin/posts/{id}/", tag = "Admin API", params(("id" = String, Path, description = "The post's id"), WriteParams), request_body = PostsBody,
    responses((status = 200, description = "The post as saved", body = AdminPosts), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn edit_post(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>, RawQuery(raw): RawQuery, ApiJson(body): ApiJson<PostsBody>) -> ApiReply {
    let html = source_html(raw.as_deref())?;
    let number = post_number(&id)?;
    let p = one(body)?;
    let Some(client_updated) = p.updated_at.clone() else {
        return Err(ApiError::invalid("updated_at", "Validation error, cannot edit post.").context("updated_at is required: send the value last read, so that no one's changes are overwritten."));
    };
    let record = state.store().article_record(number).await?.ok_or_else(|| ApiError::not_found("Post", "edit post"))?;
    let mut form = form_for(&state, &caller, Some(&record), &p, html).await?;
    match newsroom::save(&state, &caller.staff, Some(&record), &mut form).await? {
        SaveOutcome::Saved(id) => answer(&state, id, StatusCode::OK).await,
        SaveOutcome::Invalid { errors, forbidden } => Err(refused(errors, forbidden, "edit post")),
        SaveOutcome::Changed => {
            let server = state.store().article_record(number).await?.map(|r| api_views::ghost_time(r.updated_at)).unwrap_or_default();
            Err(ApiError::new(StatusCode::CONFLICT, "UpdateCollisionError", "Saving failed! Someone else is editing this post.")
                .code("UPDATE_COLLISION")
                .details(serde_json::json!({ "clientUpdatedAt": client_updated, "serverUpdatedAt": server })))
        }
        SaveOutcome::Preview(_) => Err(ApiError::invalid("status", "Nothing was saved.")),
    }
}

/// `DELETE /ghost/api/admin/posts/{id}/`: deletes a post (contributors: only their own drafts).
#[utoipa::path(delete, path = "/ghost/api/admin/posts/{id}/", tag = "Admin API", params(("id" = String, Path, description = "The post's id")),
    responses((status = 204, description = "Deleted"), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn delete_post(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiReply {
    let number = post_number(&id)?;
    let record = state.store().article_record(number).await?.ok_or_else(|| ApiError::not_found("Post", "delete post"))?;
    if !caller.staff.can_edit(record.created_by, &record.status) {
        return Err(ApiError::forbidden("Permission error, cannot delete post.").context("Contributors can only delete their own drafts."));
    }
    let now = now_unix();
    let row = state.post_row(number).await?;
    let post = row.as_ref().map(|r| api_views::admin_post(&state.site(), r, &state.id_salt(), now));
    let live = row.as_ref().is_some_and(|r| api_views::status_of(r, now) == "published");
    let mut events: Vec<(&str, String)> = Vec::new();
    if live {
        events.push(("post.unpublished", post_body(None, post.as_ref())));
    }
    events.push(("post.deleted", post_body(None, post.as_ref())));
    let withdrawal = state.identity().delete(number, now).to_string();
    if !state.store().delete_article(number, &withdrawal, &events, now).await? {
        return Err(ApiError::not_found("Post", "delete post"));
    }
    state.0.delivery_wake.notify_one();
    state.0.webhook_wake.notify_one();
    state.refresh_after_write().await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A page of posts as the Admin API lists them, with `fields` applied.
async fn admin_page(state: &AppState, raw: Option<&str>, filter: Option<PostFilter>) -> Result<(Vec<serde_json::Value>, Pagination), ApiError> {
    let pairs = query_pairs(raw)?;
    let b = read_browse(&pairs, &["include", "fields", "formats", "filter", "limit", "page", "order"], POST_FORMATS)?;
    let now = now_unix();
    let mut parts = Vec::new();
    if let Some(f) = filter {
        parts.push(f);
    }
    if let Some(raw) = b.filter.as_deref() {
        let tree = parse_nql(raw, "posts")?;
        parts.push(admin_filter(&tree, now)?);
    }
    let filter = PostFilter::All(parts);
    let mut order = post_order(&b.order);
    if order.is_empty() {
        order.push((OrderField::UpdatedAt, true));
    }
    let q = PostQuery { filter: Some(&filter), order: &order, limit: b.limit, offset: b.limit.map(|l| (b.page - 1) * l).unwrap_or(0), after: None, total: None, now, live_only: false };
    let (rows, total) = state.store().content_posts(&q).await?;
    let site = state.site();
    let salt = state.id_salt();
    let posts = rows.iter().map(|r: &PostRow| serde_json::to_value(api_views::admin_post(&site, r, &salt, now))).collect::<Result<Vec<_>, _>>()?;
    Ok((only_fields(posts, &b.fields), Pagination::new(b.page, b.limit, total)))
}

/// The Content API's filters, with `status:` meaning the article's state.
fn admin_filter(f: &nql::Filter, now: i64) -> Result<PostFilter, ApiError> {
    match f {
        nql::Filter::And(p) => Ok(PostFilter::All(p.iter().map(|x| admin_filter(x, now)).collect::<Result<_, _>>()?)),
        nql::Filter::Or(p) => Ok(PostFilter::Any(p.iter().map(|x| admin_filter(x, now)).collect::<Result<_, _>>()?)),
        nql::Filter::Cond(c) if c.field == "status" => {
            let states: Vec<String> = match &c.value {
                nql::Value::Text(t) => vec![t.clone()],
                nql::Value::List(l) => l.iter().filter_map(|v| if let nql::Value::Text(t) = v { Some(t.clone()) } else { None }).collect(),
                _ => return Err(ApiError::invalid("filter", "Invalid value").context("status is draft, scheduled or published.")),
            };
            let positive = PostFilter::Status(states);
            Ok(if matches!(c.op, nql::Op::Ne | nql::Op::NotIn) { PostFilter::Not(Box::new(positive)) } else { positive })
        }
        other => post_filter(other, now),
    }
}

/// `GET /ghost/api/admin/posts/`: every article, drafts and scheduled ones too, last changed first.
#[utoipa::path(get, path = "/ghost/api/admin/posts/", tag = "Admin API", params(AdminBrowseParams),
    responses((status = 200, description = "A page of posts", body = AdminPostsPage), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn posts(State(state): State<AppState>, _caller: Caller, RawQuery(raw): RawQuery) -> ApiReply {
    let (posts, pagination) = admin_page(&state, raw.as_deref(), None).await?;
    Ok(super::json(StatusCode::OK, &serde_json::json!({ "posts": posts, "meta": { "pagination": pagination } })))
}

/// `GET /ghost/api/admin/posts/{id}/`
#[utoipa::path(get, path = "/ghost/api/admin/posts/{id}/", tag = "Admin API", params(("id" = String, Path, description = "The post's id")),
    responses((status = 200, description = "The post", body = AdminPosts), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn post(State(state): State<AppState>, _caller: Caller, ApiPath(id): ApiPath<String>, RawQuery(raw): RawQuery) -> ApiReply {
    let number = post_number(&id)?;
    let (posts, _) = admin_page(&state, raw.as_deref(), Some(PostFilter::Id(vec![number]))).await?;
    if posts.is_empty() {
        return Err(ApiError::not_found("Post", "read post"));
    }
    Ok(super::json(StatusCode::OK, &serde_json::json!({ "posts": posts })))
}

/// `GET /ghost/api/admin/posts/slug/{slug}/`
#[utoipa::path(get, path = "/ghost/api/admin/posts/slug/{slug}/", tag = "Admin API", params(("slug" = String, Path, description = "The post's slug")),
    responses((status = 200, description = "The post", body = AdminPosts), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn post_by_slug(State(state): State<AppState>, _caller: Caller, ApiPath(slug): ApiPath<String>, RawQuery(raw): RawQuery) -> ApiReply {
    let (posts, _) = admin_page(&state, raw.as_deref(), Some(PostFilter::Slug(vec![slug]))).await?;
    if posts.is_empty() {
        return Err(ApiError::not_found("Post", "read post"));
    }
    Ok(super::json(StatusCode::OK, &serde_json::json!({ "posts": posts.into_iter().take(1).collect::<Vec<_>>() })))
}

// ----- tags -----

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsBody {
    #[schema(min_items = 1, max_items = 1)]
    pub tags: Vec<TagWrite>,
}

/// A tag as a client sends it; only the name and slug are kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // id, url and count are accepted as read and never read
pub struct TagWrite {
    pub name: Option<String>,
    pub slug: Option<String>,
    #[schema(value_type = Option<Value>)]
    pub id: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub url: Option<serde_json::Value>,
    #[schema(value_type = Option<Value>)]
    pub count: Option<serde_json::Value>,
    pub description: Option<String>,
    pub visibility: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TagsOne {
    pub tags: Vec<Tag>,
}

fn tag_fields(t: &TagWrite, adding: bool) -> Result<(Option<String>, Option<String>), ApiError> {
    if t.description.as_deref().is_some_and(|d| !d.is_empty()) {
        return Err(ApiError::invalid("description", "Marquee keeps descriptions for sections only (in the newsroom); send null."));
    }
    if t.visibility.as_deref().is_some_and(|v| v != "public") {
        return Err(ApiError::invalid("visibility", "Every Marquee tag is public."));
    }
    let name = t.name.as_ref().map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "));
    if adding && name.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::invalid("name", "A tag needs a name."));
    }
    if let Some(n) = &name {
        if n.is_empty() || n.chars().count() > marquee_domain::article::MAX_TAG_LEN {
            return Err(ApiError::invalid("name", format!("A tag's name is 1 to {} characters.", marquee_domain::article::MAX_TAG_LEN)));
        }
    }
    let slug = match (&t.slug, &name) {
        (Some(s), _) => Some(s.trim().to_string()),
        (None, Some(n)) if adding => Some(slugify(n)),
        _ => None,
    };
    if let Some(s) = &slug {
        validate_slug(s).map_err(|e| ApiError::invalid("slug", e))?;
    }
    Ok((name, slug))
}

/// Tags and sections share the Content API's tag slugs, so a tag may not take a section's.
fn not_a_section(state: &AppState, slug: &str) -> Result<(), ApiError> {
    if state.site().sections.iter().any(|s| s.slug == slug) {
        return Err(ApiError::invalid("slug", "A section already has this slug."));
    }
    Ok(())
}

fn tag_number(id: &str) -> Result<i64, ApiError> {
    if ids::number_of(Kind::Section, id).is_some() {
        return Err(ApiError::forbidden("Permission error, cannot edit tag.").context("This tag is a section; sections are managed in the newsroom."));
    }
    ids::number_of(Kind::Tag, id).ok_or_else(|| super::bad_id("tag"))
}

/// `POST /ghost/api/admin/tags/`: adds a tag (editors).
#[utoipa::path(post, path = "/ghost/api/admin/tags/", tag = "Admin API", request_body = TagsBody,
    responses((status = 201, description = "The tag", body = TagsOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn add_tag(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<TagsBody>) -> ApiReply {
    caller.must_be_editor("add tag")?;
    let [t] = <[TagWrite; 1]>::try_from(body.tags).map_err(|_| ApiError::invalid("tags", "Send exactly one tag."))? ;
    let (name, slug) = tag_fields(&t, true)?;
    let (name, slug) = (name.unwrap_or_default(), slug.unwrap_or_default());
    not_a_section(&state, &slug)?;
    let tag = state.store().create_tag(&slug, &name).await?.ok_or_else(|| ApiError::invalid("slug", "Another tag already has this slug."))?;
    state.refresh_after_write().await;
    Ok(super::json(StatusCode::CREATED, &TagsOne { tags: vec![api_views::plain_tag(&state.site(), &tag, None)] }))
}

/// `PUT /ghost/api/admin/tags/{id}/`: renames a tag (editors).
#[utoipa::path(put, path = "/ghost/api/admin/tags/{id}/", tag = "Admin API", params(("id" = String, Path, description = "The tag's id")), request_body = TagsBody,
    responses((status = 200, description = "The tag", body = TagsOne), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn edit_tag(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>, ApiJson(body): ApiJson<TagsBody>) -> ApiReply {
    caller.must_be_editor("edit tag")?;
    let number = tag_number(&id)?;
    let [t] = <[TagWrite; 1]>::try_from(body.tags).map_err(|_| ApiError::invalid("tags", "Send exactly one tag."))?;
    let current = state.store().tag_by_id(number).await?.ok_or_else(|| ApiError::not_found("Tag", "edit tag"))?;
    let (name, slug) = tag_fields(&t, false)?;
    let (name, slug) = (name.unwrap_or(current.name), slug.unwrap_or(current.slug));
    not_a_section(&state, &slug)?;
    match state.store().update_tag(number, &slug, &name).await? {
        None => return Err(ApiError::not_found("Tag", "edit tag")),
        Some(false) => return Err(ApiError::invalid("slug", "Another tag already has this slug.")),
        Some(true) => {}
    }
    state.refresh_after_write().await;
    let tag = state.store().tag_by_id(number).await?.ok_or_else(|| ApiError::not_found("Tag", "edit tag"))?;
    Ok(super::json(StatusCode::OK, &TagsOne { tags: vec![api_views::plain_tag(&state.site(), &tag, None)] }))
}

/// `DELETE /ghost/api/admin/tags/{id}/`: deletes a tag and takes it off its articles (editors).
#[utoipa::path(delete, path = "/ghost/api/admin/tags/{id}/", tag = "Admin API", params(("id" = String, Path, description = "The tag's id")),
    responses((status = 204, description = "Deleted"), AdminErrors), security(("ghost_token" = []), ("bearer_key" = [])))]
pub async fn delete_tag(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<String>) -> ApiReply {
    caller.must_be_editor("delete tag")?;
    let number = tag_number(&id)?;
    if !state.store().delete_tag(number).await? {
        return Err(ApiError::not_found("Tag", "delete tag"));
    }
    state.refresh_after_write().await;
    Ok(StatusCode::NO_CONTENT.into_response())
}
