//! Articles on the network: the `Article` objects the paper publishes (with the film a review
//! is about, by its external ids), the activities that carry them, the Most Popular ranking as
//! a collection, and reading the same from other papers.

use crate::Identity;
pub use marquee_domain::media::escape_html;
use serde_json::{json, Value};

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// The JSON-LD context of our articles: ActivityStreams, plus the few schema.org terms that
/// carry bylines and the reviewed film.
fn context() -> Value {
    json!(["https://www.w3.org/ns/activitystreams", {
        "schema": "http://schema.org/",
        "author": "schema:author",
        "itemReviewed": "schema:itemReviewed",
        "sameAs": "schema:sameAs",
        "Movie": "schema:Movie",
        "datePublished": "schema:datePublished"
    }])
}

/// A film's identity across databases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilmIds {
    pub title: String,
    pub year: Option<i64>,
    pub imdb: Option<String>,
    pub wikidata: Option<String>,
    pub tmdb: Option<String>,
}

impl FilmIds {
    pub fn is_empty(&self) -> bool {
        self.imdb.is_none() && self.wikidata.is_none() && self.tmdb.is_none()
    }

    /// The film's pages in the public film databases, as schema.org `sameAs` addresses.
    pub fn same_as(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(id) = &self.imdb {
            v.push(format!("https://www.imdb.com/title/{id}/"));
        }
        if let Some(id) = &self.wikidata {
            v.push(format!("https://www.wikidata.org/wiki/{id}"));
        }
        if let Some(id) = &self.tmdb {
            v.push(format!("https://www.themoviedb.org/movie/{id}"));
        }
        v
    }

    /// Reads ids back from `sameAs` addresses; unknown addresses are ignored.
    pub fn from_same_as(title: &str, addresses: &[&str]) -> FilmIds {
        let mut ids = FilmIds { title: title.to_string(), ..Default::default() };
        for a in addresses {
            let rest = a.split_once("://").map(|(_, r)| r).unwrap_or(a).trim_start_matches("www.").trim_start_matches("m.");
            let mut parts = rest.split('/');
            let (host, kind, id) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let token = |s: &str, prefix: &str| (s.len() > prefix.len() && s.starts_with(prefix) && s[prefix.len()..].bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string());
            match host {
                "imdb.com" if kind == "title" => ids.imdb = ids.imdb.take().or_else(|| token(id, "tt")),
                "wikidata.org" if kind == "wiki" || kind == "entity" => ids.wikidata = ids.wikidata.take().or_else(|| token(id, "Q")),
                "themoviedb.org" if kind == "movie" => {
                    let digits: String = id.chars().take_while(|c| c.is_ascii_digit()).collect();
                    if !digits.is_empty() {
                        ids.tmdb = ids.tmdb.take().or(Some(digits));
                    }
                }
                _ => {}
            }
        }
        ids
    }
}

/// What the paper says about one of its articles.
#[derive(Debug, Clone)]
pub struct ArticleFacts {
    /// The article's number; its object id is `{actor}/articles/{number}`, which outlives slug
    /// changes.
    pub number: i64,
    pub url: String,
    pub headline: String,
    pub deck: String,
    /// Sanitized HTML.
    pub body_html: String,
    pub published: i64,
    pub updated: Option<i64>,
    /// (name, archive URL) of each author.
    pub authors: Vec<(String, String)>,
    /// (name, tag page URL).
    pub tags: Vec<(String, String)>,
    pub film: Option<FilmIds>,
}

fn rfc3339(t: i64) -> String {
    jiff::Timestamp::from_second(t).map(|t| t.to_string()).unwrap_or_default()
}

fn parse_time(v: &Value) -> Option<i64> {
    v.as_str()?.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// The text of an HTML field another server sent (`summary`): tags dropped, character
/// references read, white space collapsed to single spaces. What comes out is plain text,
/// escaped again wherever it is shown.
pub fn html_to_text(html: &str) -> String {
    // A `<` that cannot open a tag ("I <3 this") is text, as a browser reads it.
    let mut escaped = String::with_capacity(html.len());
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('<', Some(n)) if n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?') => escaped.push('<'),
            ('<', _) => escaped.push_str("&lt;"),
            (c, _) => escaped.push(c),
        }
    }
    marquee_domain::search::plain_text(&escaped).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `#RustAndBone` from "rust and bone": hashtags take letters and digits only.
fn hashtag(name: &str) -> String {
    let mut out = String::from("#");
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

impl Identity {
    pub fn article_id(&self, number: i64) -> String {
        format!("{}/articles/{number}", self.actor_id())
    }

    /// The `Article` object for one of the paper's articles.
    pub fn article(&self, a: &ArticleFacts) -> Value {
        let byline = a.authors.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" and ");
        let mut content = String::new();
        if !byline.is_empty() {
            content.push_str(&format!("<p>By {}</p>", escape_html(&byline)));
        }
        content.push_str(&a.body_html);
        let mut object = json!({
            "@context": context(),
            "id": self.article_id(a.number),
            "type": "Article",
            "attributedTo": self.actor_id(),
            "name": a.headline,
            // `summary` and `content` are HTML by ActivityStreams' definition; `name` is plain
            // text. The deck is plain text, so it is escaped; the body is already sanitized HTML.
            "summary": escape_html(&a.deck),
            "content": content,
            "url": a.url,
            "published": rfc3339(a.published),
            "to": [PUBLIC],
            "cc": [format!("{}/followers", self.actor_id())],
            "author": a.authors.iter().map(|(name, url)| json!({"type": "Person", "name": name, "url": url})).collect::<Vec<_>>(),
            "tag": a.tags.iter().map(|(name, url)| json!({"type": "Hashtag", "name": hashtag(name), "href": url})).collect::<Vec<_>>(),
        });
        if let Some(t) = a.updated.filter(|u| *u > a.published) {
            object["updated"] = json!(rfc3339(t));
        }
        if let Some(f) = &a.film {
            let mut movie = json!({ "type": "Movie", "name": f.title, "sameAs": f.same_as() });
            if let Some(y) = f.year {
                movie["datePublished"] = json!(y.to_string());
            }
            object["itemReviewed"] = movie;
        }
        object
    }

    fn wrap(&self, kind: &str, id: String, object: Value) -> Value {
        let mut object = object;
        let context = object.as_object_mut().and_then(|o| o.remove("@context")).unwrap_or_else(context);
        json!({
            "@context": context,
            "id": id,
            "type": kind,
            "actor": self.actor_id(),
            "published": object["published"].clone(),
            "to": [PUBLIC],
            "cc": [format!("{}/followers", self.actor_id())],
            "object": object
        })
    }

    /// `Create` for a newly published article.
    pub fn create(&self, object: Value) -> Value {
        let id = format!("{}#create", object["id"].as_str().unwrap_or_default());
        self.wrap("Create", id, object)
    }

    /// `Update` for an edited article; `version` tells one edit from another.
    pub fn update(&self, object: Value, version: &str) -> Value {
        let id = format!("{}#update-{version}", object["id"].as_str().unwrap_or_default());
        self.wrap("Update", id, object)
    }

    /// `Delete` for an unpublished article: the object becomes a `Tombstone`.
    pub fn delete(&self, number: i64, at: i64) -> Value {
        let object_id = self.article_id(number);
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{object_id}#delete-{at}"),
            "type": "Delete",
            "actor": self.actor_id(),
            "to": [PUBLIC],
            "object": { "id": object_id, "type": "Tombstone" }
        })
    }

    /// `Follow` of another actor.
    pub fn follow(&self, target: &str) -> Value {
        json!({ "@context": "https://www.w3.org/ns/activitystreams", "id": self.new_activity_id(), "type": "Follow", "actor": self.actor_id(), "object": target })
    }

    /// `Undo` of an earlier Follow.
    pub fn unfollow(&self, follow_id: &str, target: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.new_activity_id(),
            "type": "Undo",
            "actor": self.actor_id(),
            "object": { "id": follow_id, "type": "Follow", "actor": self.actor_id(), "object": target }
        })
    }

    /// The paper's Most Popular ranking as an ordered collection of its articles, best first.
    pub fn trending(&self, items: Vec<Value>) -> Value {
        json!({
            "@context": context(),
            "id": format!("{}/trending", self.actor_id()),
            "type": "OrderedCollection",
            "name": format!("Most popular at {}", self.name),
            "totalItems": items.len(),
            "orderedItems": items
        })
    }

    /// An outbox page: the newest articles, each as its Create.
    pub fn outbox(&self, creates: Vec<Value>) -> Value {
        json!({
            "@context": context(),
            "id": format!("{}/outbox", self.actor_id()),
            "type": "OrderedCollection",
            "totalItems": creates.len(),
            "orderedItems": creates
        })
    }
}

/// An article another paper published, as far as this paper keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedArticle {
    pub object_id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub byline: String,
    pub published: i64,
    pub film: Option<FilmIds>,
}

/// Whether `s` is an http or https address (and so safe to link to).
pub fn is_web_address(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && host_of(s).is_some() && !s.contains(char::is_whitespace)
}

/// The host (and port) of a URL, lowercased.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    // Browsers and the HTTP client read a backslash as a slash in http(s) addresses.
    let host = rest.split(['/', '\\', '?', '#']).next()?;
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Reads an `Article` sent by `actor`: it must be attributed to that actor and live on the
/// actor's own server, so that one paper cannot speak for another.
pub fn read_article(actor: &str, object: &Value) -> Result<ReceivedArticle, String> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    if object["type"] != "Article" {
        return Err("not an Article".into());
    }
    let object_id = text(&object["id"]).ok_or("the article has no id")?;
    if !is_web_address(&object_id) {
        return Err("the article's id is not a web address".into());
    }
    let attributed = match &object["attributedTo"] {
        Value::String(s) => vec![s.as_str()],
        Value::Array(list) => list.iter().filter_map(|v| v.as_str().or_else(|| v["id"].as_str())).collect(),
        Value::Object(o) => o.get("id").and_then(Value::as_str).into_iter().collect(),
        _ => vec![],
    };
    if !attributed.contains(&actor) {
        return Err("the article is attributed to someone else".into());
    }
    if host_of(&object_id) != host_of(actor) {
        return Err("the article lives on another server than its sender".into());
    }
    let url = match &object["url"] {
        Value::String(s) => s.clone(),
        Value::Object(o) => o.get("href").and_then(Value::as_str).unwrap_or_default().to_string(),
        Value::Array(list) => list.iter().find_map(|v| v.as_str().map(str::to_string).or_else(|| v["href"].as_str().map(str::to_string))).unwrap_or_default(),
        _ => String::new(),
    };
    let url = if is_web_address(&url) { url } else { object_id.clone() };
    let byline = match &object["author"] {
        Value::Array(list) => list.iter().filter_map(|a| a["name"].as_str()).collect::<Vec<_>>().join(" and "),
        Value::Object(o) => o.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let film = match &object["itemReviewed"] {
        Value::Object(o) => {
            let same_as: Vec<&str> = match o.get("sameAs") {
                Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(s)) => vec![s.as_str()],
                _ => vec![],
            };
            Some(FilmIds::from_same_as(o.get("name").and_then(Value::as_str).unwrap_or_default(), &same_as)).filter(|f| !f.is_empty())
        }
        _ => None,
    };
    let clip = |s: String, n: usize| if s.chars().count() > n { s.chars().take(n).collect() } else { s };
    Ok(ReceivedArticle {
        object_id,
        url,
        title: clip(text(&object["name"]).unwrap_or_default(), 300),
        summary: clip(html_to_text(&text(&object["summary"]).unwrap_or_default()), 1000),
        byline: clip(byline, 300),
        published: parse_time(&object["published"]).unwrap_or(0),
        film,
    })
}

/// One story of another paper's ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedStory {
    pub url: String,
    pub title: String,
    pub published: i64,
}

/// Reads another paper's trending collection: its stories in rank order. Stories that are not
/// the paper's own (by address) are dropped, as are items without a title or web address.
pub fn read_trending(actor: &str, doc: &Value) -> Result<Vec<RankedStory>, String> {
    let items = doc["orderedItems"].as_array().or_else(|| doc["items"].as_array()).ok_or("the collection has no items")?;
    let mut out = Vec::new();
    for item in items.iter().take(50) {
        let Ok(a) = read_article(actor, item) else { continue };
        if a.title.trim().is_empty() {
            continue;
        }
        if out.iter().any(|s: &RankedStory| s.url == a.url) {
            continue;
        }
        out.push(RankedStory { url: a.url, title: a.title, published: a.published });
    }
    Ok(out)
}

/// The collections an actor document lists under `streams` (the trending one among them).
pub fn streams(actor: &Value) -> Vec<String> {
    match &actor["streams"] {
        Value::Array(list) => list.iter().filter_map(|v| v.as_str().map(str::to_string).or_else(|| v["id"].as_str().map(str::to_string))).collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

/// A sha-256 fingerprint of a document, to notice changes.
pub fn fingerprint(v: &Value) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(v.to_string().as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Identity {
        Identity { base_url: "https://a.example".into(), username: "paper".into(), name: "A Weekly".into(), summary: String::new() }
    }

    fn facts() -> ArticleFacts {
        ArticleFacts {
            number: 7,
            url: "https://a.example/movie-review/rust-and-bone/".into(),
            headline: "Rust and Bone".into(),
            deck: "Physical therapy.".into(),
            body_html: "<p>Body.</p>".into(),
            published: 1_700_000_000,
            updated: None,
            authors: vec![("Wren <Writer>".into(), "https://a.example/authors/wren/".into())],
            tags: vec![("french cinema".into(), "https://a.example/tags/french-cinema/".into())],
            film: Some(FilmIds { title: "Rust and Bone".into(), year: Some(2012), imdb: Some("tt2053425".into()), wikidata: Some("Q1001".into()), tmdb: Some("97365".into()) }),
        }
    }

    #[test]
    fn an_article_travels_with_its_film_ids_and_byline() {
        let object = me().article(&facts());
        assert_eq!(object["id"], "https://a.example/actor/articles/7");
        assert_eq!(object["tag"][0]["name"], "#FrenchCinema");
        assert!(object["content"].as_str().unwrap().starts_with("<p>By Wren &lt;Writer&gt;</p>"));
        let create = me().create(object.clone());
        assert_eq!(create["type"], "Create");
        assert_eq!(create["object"]["id"], object["id"]);
        assert!(create["object"].get("@context").is_none() && create.get("@context").is_some());
        let read = read_article("https://a.example/actor", &create["object"]).unwrap();
        assert_eq!(read.byline, "Wren <Writer>");
        assert_eq!(read.published, 1_700_000_000);
        let film = read.film.unwrap();
        assert_eq!((film.imdb.as_deref(), film.wikidata.as_deref(), film.tmdb.as_deref()), (Some("tt2053425"), Some("Q1001"), Some("97365")));
    }

    #[test]
    fn html_fields_carry_escaped_text_and_come_back_as_text() {
        let mut f = facts();
        f.deck = "Physical <img src=x onerror=alert(1)> therapy & \"more\"".into();
        let object = me().article(&f);
        assert_eq!(object["summary"], "Physical &lt;img src=x onerror=alert(1)&gt; therapy &amp; &quot;more&quot;");
        assert_eq!(object["name"], "Rust and Bone", "name is plain text");
        let read = read_article("https://a.example/actor", &object).unwrap();
        assert_eq!(read.summary, f.deck, "what a paper sends, another reads back as the same text");
        let mut other = object.clone();
        other["summary"] = json!("<p>Hello <b class=\"x\">world</b></p><p>again&nbsp;&#x26;&#38; 1 &lt; 2</p><script>x()</script>");
        assert_eq!(read_article("https://a.example/actor", &other).unwrap().summary, "Hello world again && 1 < 2 x()");
        assert_eq!(html_to_text("I <3 this film, 2 < 3"), "I <3 this film, 2 < 3", "a < that opens no tag is text");
    }

    #[test]
    fn one_paper_cannot_speak_for_another() {
        let object = me().article(&facts());
        assert!(read_article("https://b.example/actor", &object).is_err(), "attributed to a");
        let mut moved = object.clone();
        moved["attributedTo"] = json!("https://b.example/actor");
        assert!(read_article("https://b.example/actor", &moved).is_err(), "the id lives on a.example");
        let mut sly = object.clone();
        sly["id"] = json!("javascript://a.example/%0Aalert(1)");
        sly["url"] = json!("javascript:alert(1)");
        assert!(read_article("https://a.example/actor", &sly).is_err(), "only web addresses are linked to");
        let mut odd_url = object.clone();
        odd_url["url"] = json!("javascript:alert(1)");
        assert_eq!(read_article("https://a.example/actor", &odd_url).unwrap().url, "https://a.example/actor/articles/7");
    }

    #[test]
    fn film_ids_are_read_from_database_addresses_only() {
        let ids = FilmIds::from_same_as("X", &["https://m.imdb.com/title/tt0111161/", "http://www.wikidata.org/entity/Q172241", "https://www.themoviedb.org/movie/278-the-shawshank", "https://evil.example/title/tt1/"]);
        assert_eq!((ids.imdb.as_deref(), ids.wikidata.as_deref(), ids.tmdb.as_deref()), (Some("tt0111161"), Some("Q172241"), Some("278")));
        assert!(FilmIds::from_same_as("X", &["https://www.imdb.com/title/tt12x/"]).is_empty());
    }

    #[test]
    fn a_ranking_keeps_only_the_papers_own_stories() {
        let mut other = me().article(&facts());
        other["id"] = json!("https://c.example/actor/articles/1");
        let doc = me().trending(vec![me().article(&facts()), other, me().article(&facts())]);
        let stories = read_trending("https://a.example/actor", &doc).unwrap();
        assert_eq!(stories.len(), 1, "c.example's story and the repeat are dropped");
        assert_eq!(stories[0].title, "Rust and Bone");
    }
}
