//! "What others are saying": the comment threads of an article as one reader sees them
//! (their own waiting and rejected comments too), paged, with their subscribe state and forms.

use crate::respond::AppError;
use crate::state::AppState;
use marquee_domain::comment::{MAX_COMMENT_CHARS, REAL_NAME_POLICY};
use marquee_domain::time::{long_datetime, now_unix, Wall};
use marquee_store::{ArticlePage, Comment, Reader, MAX_DEPTH};
use minijinja::value::{Enumerator, Object, Value};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Top-level threads per page of comments.
pub const THREADS_PER_PAGE: usize = 50;

/// The policy line every comment box shows.
pub const POLICY: &str = "Anonymous and pseudonymous comments will be removed.";

#[derive(Deserialize, Default)]
pub struct CommentQuery {
    corder: Option<String>,
    cpage: Option<String>,
    posted: Option<String>,
}

impl CommentQuery {
    fn newest(&self) -> bool {
        self.corder.as_deref() == Some("newest")
    }

    fn page(&self) -> usize {
        self.cpage.as_deref().and_then(|p| p.parse::<usize>().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1)
    }

    /// Whether the address says a comment was just posted (the page then thanks its reader).
    pub fn posted(&self) -> bool {
        self.posted.is_some()
    }

    /// The part of the page-cache key these options make, when they differ from the default.
    pub fn cache_suffix(&self) -> String {
        let mut s = String::new();
        if self.newest() {
            s.push_str("&corder=newest");
        }
        if self.page() > 1 {
            s.push_str(&format!("&cpage={}", self.page()));
        }
        s
    }
}

/// One comment as a reader sees it. Templates read it as an object (`c.author`, `c.html`,
/// `c.children`), field by field when asked, rather than as a map built for every comment
/// before the page renders: a thread of fifty renders about a fifth faster (see
/// ARCHITECTURE.md). Its fields are the ones `FIELDS` names; a test checks they are its
/// serialized fields and give the same values.
#[derive(Debug, Serialize)]
pub struct CommentView {
    id: i64,
    author: String,
    date: String,
    date_iso: String,
    html: String,
    featured: bool,
    deleted: bool,
    placeholder: Option<&'static str>,
    pending: bool,
    rejected: Option<String>,
    edited: bool,
    mine: bool,
    can_edit: bool,
    can_reply: bool,
    /// Its visible replies, a list of `CommentView`s made once: the template asks for it
    /// twice a comment.
    children: Value,
}

impl CommentView {
    const FIELDS: &'static [&'static str] =
        &["id", "author", "date", "date_iso", "html", "featured", "deleted", "placeholder", "pending", "rejected", "edited", "mine", "can_edit", "can_reply", "children"];
}

impl Object for CommentView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        Some(match key {
            "id" => Value::from(self.id),
            "author" => Value::from(self.author.as_str()),
            "date" => Value::from(self.date.as_str()),
            "date_iso" => Value::from(self.date_iso.as_str()),
            // Sanitized when it was written, as a map's `html` was too: the template marks it safe.
            "html" => Value::from(self.html.as_str()),
            "featured" => Value::from(self.featured),
            "deleted" => Value::from(self.deleted),
            "placeholder" => Value::from(self.placeholder),
            "pending" => Value::from(self.pending),
            "rejected" => Value::from(self.rejected.as_deref()),
            "edited" => Value::from(self.edited),
            "mine" => Value::from(self.mine),
            "can_edit" => Value::from(self.can_edit),
            "can_reply" => Value::from(self.can_reply),
            "children" => self.children.clone(),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(Self::FIELDS)
    }
}

#[derive(Serialize)]
pub struct ViewerBox {
    name: String,
    verified: bool,
    blocked: Option<String>,
    subscribed: bool,
    csrf: String,
}

/// "What others are saying" on an article page.
#[derive(Serialize)]
pub struct CommentsBox {
    pub count: usize,
    open: bool,
    newest: bool,
    page: usize,
    pages: usize,
    /// Each a `CommentView`.
    threads: Vec<Value>,
    viewer: Option<ViewerBox>,
    policy: &'static str,
    name_policy: &'static str,
    max_chars: usize,
    posted: Option<&'static str>,
    action: String,
    next: String,
}

impl CommentsBox {
    /// Shows the box to its viewer as subscribed to the thread, or not.
    pub fn set_subscribed(&mut self, subscribed: bool) {
        if let Some(v) = self.viewer.as_mut() {
            v.subscribed = subscribed;
        }
    }
}

/// Who is looking at a comment box: a signed-in reader, whether they are subscribed to the
/// thread, and the token their forms carry.
#[derive(Clone, Copy)]
pub struct Looker<'a> {
    pub reader: &'a Reader,
    pub subscribed: bool,
    pub csrf: &'a str,
}

/// Builds the comment box for `page`, as `looker` (a signed-in reader, if any) sees it.
pub async fn comments_box(state: &AppState, store: &marquee_store::Store, page: &ArticlePage, looker: Option<Looker<'_>>, q: &CommentQuery) -> Result<CommentsBox, AppError> {
    let viewer = looker.map(|l| l.reader);
    let now = now_unix();
    let mut rows = store.article_comments(page.card.id).await?;
    // The edit window matters only for a reader's own comments: a page for no one in
    // particular does not read the settings at all.
    let edit_secs = match viewer {
        Some(_) => store.comment_settings().await?.edit_minutes * 60,
        None => 0,
    };
    let tz = state.site().tz.clone();
    let count = rows.iter().filter(|c| c.status == "approved").count();
    let open = page.comments_open == 1;
    // Children of each comment (positions in `rows`), in time order; then the visible tree
    // from the roots, each comment's text moved out of its row rather than copied.
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (i, c) in rows.iter().enumerate() {
        children.entry(c.parent_id).or_default().push(i);
    }
    struct Seen<'a> {
        children: &'a HashMap<Option<i64>, Vec<usize>>,
        viewer: Option<&'a Reader>,
        open: bool,
        edit_secs: i64,
        now: i64,
        tz: &'a jiff::tz::TimeZone,
    }
    fn build(i: usize, rows: &mut [Comment], seen: &Seen<'_>) -> Option<Value> {
        let id = rows[i].id;
        let kids: Vec<Value> = seen.children.get(&Some(id)).map(|v| v.iter().filter_map(|&k| build(k, rows, seen)).collect()).unwrap_or_default();
        let c = &mut rows[i];
        let viewer = seen.viewer;
        let mine = viewer.is_some_and(|v| Some(v.id) == c.reader_id);
        // Readers see approved comments, and their own waiting or rejected ones. Anything else
        // stays only as a placeholder while visible replies hang from it.
        let shown = c.status == "approved" || (mine && (c.status == "pending" || c.status == "rejected"));
        if !shown && kids.is_empty() {
            return None;
        }
        let placeholder = (!shown).then_some(match c.status.as_str() {
            "deleted" => "This comment was deleted.",
            "rejected" => "This comment was removed by an editor.",
            _ => "This comment is being reviewed by an editor.",
        });
        let deleted = placeholder.is_some();
        let can_act = viewer.is_some_and(|v| v.is_verified() && !v.is_blocked(seen.now));
        let wall = Wall::new(c.created_at, seen.tz);
        Some(Value::from_object(CommentView {
            id,
            author: if deleted { String::new() } else { c.author_name.take().unwrap_or_else(|| "deleted account".into()) },
            date: wall.map(|w| w.long_datetime()).unwrap_or_default(),
            date_iso: wall.map(|w| w.rfc3339()).unwrap_or_default(),
            html: if deleted { String::new() } else { std::mem::take(&mut c.body_html) },
            placeholder,
            featured: c.featured == 1,
            deleted,
            pending: c.status == "pending",
            rejected: (c.status == "rejected").then(|| std::mem::take(&mut c.reject_reason)),
            edited: c.edited_at.is_some(),
            mine: mine && !deleted,
            can_edit: mine && !deleted && c.status != "rejected" && seen.now - c.created_at < seen.edit_secs,
            can_reply: seen.open && can_act && !deleted && c.status == "approved" && c.depth < MAX_DEPTH,
            children: Value::from(kids),
        }))
    }
    let seen = Seen { children: &children, viewer, open, edit_secs, now, tz: &tz };
    let mut threads: Vec<Value> = children.get(&None).map(|v| v.iter().filter_map(|&i| build(i, &mut rows, &seen)).collect()).unwrap_or_default();
    if q.newest() {
        threads.reverse();
    }
    let pages = threads.len().div_ceil(THREADS_PER_PAGE).max(1);
    let page_no = q.page().min(pages);
    let threads: Vec<Value> = threads.into_iter().skip((page_no - 1) * THREADS_PER_PAGE).take(THREADS_PER_PAGE).collect();
    let viewer_box = looker.map(|l| {
        let v = l.reader;
        ViewerBox { name: v.name.clone(), verified: v.is_verified(), blocked: blocked_message(v, now, &tz), subscribed: l.subscribed, csrf: l.csrf.to_string() }
    });
    let url = format!("/{}/{}/", page.card.section_slug, page.card.slug);
    Ok(CommentsBox {
        count,
        open,
        newest: q.newest(),
        page: page_no,
        pages,
        threads,
        viewer: viewer_box,
        policy: POLICY,
        name_policy: REAL_NAME_POLICY,
        max_chars: MAX_COMMENT_CHARS,
        posted: match q.posted.as_deref().filter(|_| viewer.is_some()) {
            Some("pending") => Some("pending"),
            Some("yes") => Some("yes"),
            _ => None,
        },
        action: format!("{url}comments"),
        next: url,
    })
}

pub(crate) fn blocked_message(r: &Reader, now: i64, tz: &jiff::tz::TimeZone) -> Option<String> {
    if r.banned == 1 {
        Some("Your account is banned from commenting.".into())
    } else if r.suspended_until > now {
        Some(format!("Your account is suspended from commenting until {}.", long_datetime(r.suspended_until, tz)))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(children: Vec<Value>) -> CommentView {
        let children = Value::from(children);
        CommentView {
            id: 7,
            author: "Ana <b>Ruiz</b>".into(),
            date: "December 5, 2026, 4:05 p.m.".into(),
            date_iso: "2026-12-05T16:05:00-08:00".into(),
            html: "<p>Long, and worth it.</p>".into(),
            featured: true,
            deleted: false,
            placeholder: Some("This comment is being reviewed by an editor."),
            pending: true,
            rejected: Some("off topic".into()),
            edited: true,
            mine: false,
            can_edit: true,
            can_reply: false,
            children,
        }
    }

    /// A theme sees the same fields with the same values as it would if each comment were
    /// serialized: `FIELDS` lists every field, in order, and each gives its field's value.
    #[test]
    fn a_comment_object_shows_what_its_fields_hold() {
        let reply = Value::from_object(sample(vec![]));
        let view = sample(vec![reply]);
        let serialized = Value::from_serialize(&view);
        let keys: Vec<String> = serialized.try_iter().unwrap().map(|k| k.to_string()).collect();
        assert_eq!(keys, CommentView::FIELDS);
        let object = Arc::new(view);
        for key in CommentView::FIELDS {
            let field = serialized.get_attr(key).unwrap();
            assert_eq!(object.get_value_by_str(key).as_ref(), Some(&field), "{key}");
        }
        assert_eq!(object.get_value_by_str("nonesuch"), None);
    }

    /// The author's name is text, escaped on output (by the site's own formatter); the body
    /// was sanitized when it was written and is placed as it is only because the template
    /// marks it safe.
    #[test]
    fn a_comment_object_renders_escaped_unless_marked_safe() {
        let mut env = minijinja::Environment::new();
        env.set_formatter(crate::render::html_formatter);
        env.add_template("c.html", "{{ c.author }}|{{ c.html|safe }}|{{ c.children|length }}|{% if c.rejected is not none %}rejected{% endif %}").unwrap();
        let c = Value::from_object(sample(vec![Value::from_object(sample(vec![]))]));
        let out = env.get_template("c.html").unwrap().render(minijinja::context! { c }).unwrap();
        assert_eq!(out, "Ana &lt;b&gt;Ruiz&lt;/b&gt;|<p>Long, and worth it.</p>|1|rejected");
    }
}
