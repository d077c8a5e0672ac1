//! The paper among other papers: telling followers about our articles (Create, Update,
//! Delete), following other papers from `/admin/network/`, reading their Most Popular
//! rankings for Trending in the Alternative Press, and keeping their reviews for Across the
//! network on film pages. The protocol endpoints live in `federation.rs`; the key, signed
//! fetches and the delivery queue in `delivery.rs`.

use crate::state::AppState;
use marquee_domain::time::now_unix;
use marquee_federation::{ArticleFacts, FilmIds, Identity, ReceivedArticle};
use marquee_store::{ArticlePage, FederatedState, FederationRecord, NetworkArticleRecord, Peer, RemoteActor};
use serde_json::Value;

/// How often a peer's ranking is read again.
pub const TRENDING_REFRESH_SECS: i64 = 300;
/// Only articles published this recently are announced when first seen, so that importing an
/// archive does not flood followers.
const ANNOUNCE_WITHIN_SECS: i64 = 2 * 86400;
/// Stories in our own trending collection.
const TRENDING_LEN: i64 = 10;
/// Articles read from a peer's outbox when it accepts our follow.
const BACKFILL_LEN: usize = 40;

impl AppState {
    /// The facts an `Article` object is made of, for a live article.
    async fn article_facts(&self, page: &ArticlePage, with_body: bool) -> anyhow::Result<ArticleFacts> {
        let site = self.site();
        let base = site.base();
        let film = match page.film_id {
            Some(id) => self.store().film_by_id(id).await?.map(|f| FilmIds { title: f.title, year: f.year, imdb: f.imdb_id, wikidata: f.wikidata_id, tmdb: f.tmdb_id }),
            None => None,
        };
        Ok(ArticleFacts {
            number: page.card.id,
            url: format!("{base}{}", page.card.path()),
            headline: page.card.headline.clone(),
            deck: page.card.deck.clone(),
            body_html: if with_body { page.body_html.clone() } else { String::new() },
            published: page.card.publish_at,
            updated: page.revised_at,
            authors: page.card.authors.iter().map(|a| (a.name.clone(), format!("{base}/authors/{}/", a.slug))).collect(),
            tags: page.tags.iter().map(|t| (t.name.clone(), format!("{base}/tags/{}/", t.slug))).collect(),
            film,
        })
    }

    /// The `Article` object of a live article, if it is live.
    pub(crate) async fn article_object(&self, id: i64, with_body: bool) -> anyhow::Result<Option<Value>> {
        let now = now_unix();
        let Some(page) = self.store().article_page_by_id(id).await? else { return Ok(None) };
        if page.status == "draft" || page.card.publish_at > now || page.card.publish_at == 0 {
            return Ok(None);
        }
        Ok(Some(self.identity().article(&self.article_facts(&page, with_body).await?)))
    }

    /// Tells followers what changed among our articles since the last call: a Create for a
    /// newly live article, an Update for an edited one, a Delete for one no longer live.
    /// Each article's record and its deliveries are written in one transaction that happens
    /// only once however many servers run this at the same time. Answers how many articles
    /// were looked at.
    pub async fn sync_network(&self) -> anyhow::Result<usize> {
        let now = now_unix();
        let backlog = self.store().federation_backlog(now, 200).await?;
        if backlog.is_empty() {
            return Ok(0);
        }
        let inboxes = self.store().follower_inboxes().await?;
        let me = self.identity();
        let mut queued = false;
        for (seen, is_live) in &backlog {
            let (fingerprint, live, announced, activity) = self.decide(&me, seen, *is_live, now).await?;
            let record = FederationRecord { article_id: seen.article_id, seen, fingerprint: &fingerprint, live, announced, activity: activity.as_deref(), inboxes: &inboxes, now };
            if self.store().record_federation(&record).await? && activity.is_some() && !inboxes.is_empty() {
                queued = true;
            }
        }
        if queued {
            self.0.delivery_wake.notify_one();
        }
        Ok(backlog.len())
    }

    /// What to record about one article, and the activity to send, if any.
    async fn decide(&self, me: &Identity, seen: &FederatedState, is_live: bool, now: i64) -> anyhow::Result<(String, bool, bool, Option<String>)> {
        let was_live = seen.live == Some(1);
        let was_announced = seen.announced == Some(1);
        let object = if is_live { self.article_object(seen.article_id, true).await? } else { None };
        let Some(object) = object else {
            // Gone from readers' view: followers who were told of it are told it is gone.
            let activity = (was_live && was_announced).then(|| me.delete(seen.article_id, now).to_string());
            return Ok((seen.fingerprint.clone().unwrap_or_default(), false, was_announced, activity));
        };
        let fingerprint = marquee_federation::fingerprint(&object);
        let published = parse_published(&object).unwrap_or(now);
        let activity = if !was_live {
            (was_announced || published >= now - ANNOUNCE_WITHIN_SECS).then(|| me.create(object).to_string())
        } else if seen.fingerprint.as_deref() != Some(fingerprint.as_str()) && was_announced {
            Some(me.update(object, &fingerprint[..12]).to_string())
        } else {
            None
        };
        let announced = was_announced || activity.is_some();
        Ok((fingerprint, true, announced, activity))
    }

    /// Reads the rankings of peers that are due; a failure keeps the last good ranking.
    /// Answers how many peers were read.
    pub async fn read_peers(&self) -> anyhow::Result<usize> {
        let now = now_unix();
        let peers = self.store().claim_trending(now, 60, 8).await?;
        let own_host = marquee_federation::host_of(&self.identity().base_url).unwrap_or_default();
        let own_host = own_host.as_str();
        let reads = peers.iter().map(|p| async move {
            let result = self.signed_get(&p.trending_url).await.and_then(|doc| marquee_federation::read_trending(&p.actor_url, &doc));
            let now = now_unix();
            let r = match result {
                Ok(stories) => {
                    let rows: Vec<(String, String, i64)> =
                        stories.into_iter().filter(|s| marquee_federation::host_of(&s.url).is_some_and(|h| h != own_host)).map(|s| (s.url, s.title, s.published)).collect();
                    self.store().save_trending(p.id, &rows, now + TRENDING_REFRESH_SECS, now).await
                }
                Err(e) => {
                    let backoff = (60i64 << p.failures.clamp(0, 6)).min(TRENDING_REFRESH_SECS * 4);
                    self.store().trending_failed(p.id, &format!("reading the ranking: {e}"), now + backoff).await
                }
            };
            if let Err(e) = r {
                tracing::warn!("recording the ranking of {} failed: {e}", p.actor_url);
            }
        });
        futures_util::future::join_all(reads).await;
        if !peers.is_empty() {
            self.refresh_popular().await?;
        }
        Ok(peers.len())
    }

    /// Finds another paper by `@name@host`, `name@host`, its actor's address or its site's
    /// address, and fetches its actor.
    pub(crate) async fn resolve_paper(&self, input: &str) -> Result<(RemoteActor, Value), String> {
        let input = input.trim();
        if input.is_empty() {
            return Err("Enter a handle such as @paper@example.org, or an address.".into());
        }
        let (host, resource) = if input.starts_with("https://") || input.starts_with("http://") {
            // An actor's address answers with the actor itself.
            if let Ok(doc) = self.signed_get(input).await {
                if let Some(id) = doc["id"].as_str().filter(|_| doc["inbox"].is_string()) {
                    let id = id.to_string();
                    return self.fetch_actor(&id).await;
                }
            }
            (marquee_federation::host_of(input).ok_or("That address has no host.")?, input.to_string())
        } else {
            let handle = input.trim_start_matches('@');
            let (user, host) = handle.split_once('@').ok_or("A handle looks like @paper@example.org.")?;
            if user.is_empty() || host.is_empty() || host.contains(['/', '@', ' ']) {
                return Err("A handle looks like @paper@example.org.".into());
            }
            (host.to_ascii_lowercase(), format!("acct:{user}@{host}"))
        };
        let mut last_error = String::new();
        // Papers on a private network (and tests) may speak plain HTTP; HTTPS is tried first.
        let schemes: &[&str] = if self.0.config.allow_private_fetch { &["https", "http"] } else { &["https"] };
        for scheme in schemes {
            let url = format!("{scheme}://{host}/.well-known/webfinger?resource={}", urlencoding(&resource));
            match self.0.fetcher.get_json(&url, &[]).await {
                Ok(jrd) => {
                    let link = jrd["links"].as_array().and_then(|links| {
                        links.iter().find(|l| l["rel"] == "self" && l["type"].as_str().is_some_and(|t| t.contains("activity+json") || t.contains("ld+json"))).and_then(|l| l["href"].as_str())
                    });
                    return match link {
                        Some(actor) => self.fetch_actor(actor).await,
                        None => Err(format!("{host} knows {resource} but names no ActivityPub actor for it.")),
                    };
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        Err(format!("Cannot find {resource} at {host}: {last_error}."))
    }

    /// Follows another paper: it is kept as a pending peer and a Follow is queued to it.
    pub async fn follow_paper(&self, input: &str) -> Result<Peer, String> {
        let (actor, doc) = self.resolve_paper(input).await?;
        let me = self.identity();
        if actor.url == me.actor_id() {
            return Err("That is this paper.".into());
        }
        let host = marquee_federation::host_of(&actor.url).unwrap_or_default();
        if self.store().is_blocked(&host).await.map_err(|e| e.to_string())? {
            return Err(format!("{host} is blocked; lift the block first."));
        }
        let streams = marquee_federation::streams(&doc);
        let trending_url = streams.iter().find(|s| s.ends_with("/trending")).cloned().unwrap_or_default();
        let site_url = doc["url"].as_str().filter(|u| marquee_federation::is_web_address(u)).map(str::to_string).unwrap_or_else(|| format!("{}://{host}/", actor.url.split("://").next().unwrap_or("https")));
        let outbox_url = doc["outbox"].as_str().unwrap_or_default().to_string();
        let handle = if input.trim().starts_with("http") { format!("@{}@{host}", if actor.username.is_empty() { "?" } else { &actor.username }) } else { format!("@{}", input.trim().trim_start_matches('@')) };
        let follow = me.follow(&actor.url);
        let follow_id = follow["id"].as_str().unwrap_or_default().to_string();
        let new = marquee_store::NewPeer { handle: &handle, site_url: &site_url, host: &host, trending_url: &trending_url, outbox_url: &outbox_url };
        let id = self.store().follow_peer(&actor, &new, &follow_id, &follow.to_string(), now_unix()).await.map_err(|e| e.to_string())?;
        self.0.delivery_wake.notify_one();
        self.store().peer(id).await.map_err(|e| e.to_string())?.ok_or_else(|| "the peer vanished".to_string())
    }

    /// Stops following a peer and tells it so.
    pub async fn unfollow_paper(&self, peer: &Peer) -> anyhow::Result<()> {
        let undo = self.identity().unfollow(&peer.follow_id, &peer.actor_url);
        self.store().unfollow_peer(peer, &undo.to_string(), now_unix()).await?;
        self.0.delivery_wake.notify_one();
        self.after_network_change().await;
        Ok(())
    }

    /// Blocks a domain (see [`marquee_store::Store::block_domain`]).
    pub async fn block_domain(&self, domain: &str) -> anyhow::Result<()> {
        self.store().block_domain(domain, now_unix()).await?;
        self.after_network_change().await;
        Ok(())
    }

    /// Lifts a block; peers it had blocked are followed again.
    pub async fn unblock_domain(&self, domain: &str) -> anyhow::Result<Vec<String>> {
        let mut errors = Vec::new();
        for peer in self.store().unblock_domain(domain).await? {
            if let Err(e) = self.follow_paper(&peer.actor_url).await {
                errors.push(format!("{}: {e}", peer.handle));
            }
        }
        Ok(errors)
    }

    /// A peer accepted our Follow: it is now followed, its ranking is read at once, and its
    /// newest articles are read from its outbox.
    pub(crate) async fn peer_accepted(&self, actor: &RemoteActor, activity: &Value) -> anyhow::Result<()> {
        let follow_id = marquee_federation::object_id(activity);
        if !self.store().peer_accepted(actor.id, follow_id).await? {
            return Ok(());
        }
        if let Some(peer) = self.store().peer_by_actor(&actor.url).await? {
            let state = self.clone();
            tokio::spawn(async move {
                state.backfill(&peer).await;
                if let Err(e) = state.read_peers().await {
                    tracing::warn!("reading peers' rankings failed: {e:#}");
                }
            });
        }
        Ok(())
    }

    /// Reads a peer's newest articles from its outbox.
    async fn backfill(&self, peer: &Peer) {
        if peer.outbox_url.is_empty() {
            return;
        }
        let doc = match self.signed_get(&peer.outbox_url).await {
            Ok(d) => d,
            Err(e) => return tracing::warn!("reading the outbox of {} failed: {e}", peer.actor_url),
        };
        let items = doc["orderedItems"].as_array().or_else(|| doc["first"]["orderedItems"].as_array()).cloned().unwrap_or_default();
        let now = now_unix();
        let mut kept = 0;
        for item in items.iter().take(BACKFILL_LEN) {
            let object = if item["type"] == "Create" { &item["object"] } else { item };
            if let Ok(a) = marquee_federation::read_article(&peer.actor_url, object) {
                if self.keep_article(peer.id, &a, now).await.unwrap_or(false) {
                    kept += 1;
                }
            }
        }
        if kept > 0 {
            self.after_network_change().await;
        }
    }

    async fn keep_article(&self, peer_id: i64, a: &ReceivedArticle, now: i64) -> anyhow::Result<bool> {
        let film = a.film.clone().unwrap_or_default();
        let record = NetworkArticleRecord {
            object_id: &a.object_id,
            url: &a.url,
            title: &a.title,
            summary: &a.summary,
            byline: &a.byline,
            published_at: a.published,
            film_title: &film.title,
            imdb_id: film.imdb.as_deref(),
            wikidata_id: film.wikidata.as_deref(),
            tmdb_id: film.tmdb.as_deref(),
        };
        Ok(self.store().save_network_article(peer_id, &record, now).await?)
    }

    /// A Create or Update of an article from a paper we follow; others are ignored.
    pub(crate) async fn article_received(&self, actor: &RemoteActor, activity: &Value) -> Result<(), String> {
        let Some(peer) = self.store().peer_by_actor(&actor.url).await.map_err(|e| e.to_string())?.filter(|p| p.state != "blocked") else {
            return Ok(());
        };
        if activity["object"]["type"] != "Article" {
            return Ok(());
        }
        let article = marquee_federation::read_article(&actor.url, &activity["object"])?;
        if self.keep_article(peer.id, &article, now_unix()).await.map_err(|e| e.to_string())? {
            self.after_network_change().await;
        }
        Ok(())
    }

    /// A Delete from a paper we follow.
    pub(crate) async fn article_deleted(&self, actor: &RemoteActor, activity: &Value) -> anyhow::Result<()> {
        let (Some(peer), Some(object_id)) = (self.store().peer_by_actor(&actor.url).await?, marquee_federation::object_id(activity)) else { return Ok(()) };
        if self.store().delete_network_article(peer.id, object_id).await? {
            self.after_network_change().await;
        }
        Ok(())
    }

    /// Pages that show what peers share (film pages, the trending box) are redrawn.
    async fn after_network_change(&self) {
        self.0.cache.remove_prefix("/films/");
        if let Err(e) = self.refresh_popular().await {
            tracing::warn!("rebuilding the boxes failed: {e:#}");
        }
    }

    /// Our trending collection's items: the Most Popular ranking as Article objects.
    pub(crate) async fn trending_objects(&self) -> anyhow::Result<Vec<Value>> {
        let now = now_unix();
        let site = self.site();
        let since = now - site.publication.popular_days * 86400;
        let mut items = Vec::new();
        for row in self.store().most_popular(now, since, None, TRENDING_LEN).await? {
            if let Some(o) = self.article_object(row.card.id, false).await? {
                items.push(o);
            }
        }
        Ok(items)
    }

    /// The outbox: the newest live articles, each as its Create.
    pub(crate) async fn outbox_items(&self) -> anyhow::Result<Vec<Value>> {
        let cards = self.store().live_articles(marquee_store::Listing::All, now_unix(), 20, marquee_store::Seek::FIRST).await?;
        let me = self.identity();
        let mut items = Vec::new();
        for c in cards {
            if let Some(o) = self.article_object(c.id, false).await? {
                items.push(me.create(o));
            }
        }
        Ok(items)
    }
}

fn parse_published(object: &Value) -> Option<i64> {
    object["published"].as_str()?.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

fn urlencoding(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

