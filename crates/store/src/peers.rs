//! Other papers on the network: the peers this paper follows, their Most Popular rankings and
//! articles, blocked domains, and what followers have been told about our own articles.

use crate::network::enqueue;
use crate::db::{Arg, Result, Store};
use sqlx::FromRow;

/// A paper this one follows (or tried to).
#[derive(Debug, Clone, FromRow, PartialEq, serde::Serialize)]
pub struct Peer {
    pub id: i64,
    pub actor_id: i64,
    pub actor_url: String,
    pub name: String,
    pub inbox: String,
    pub handle: String,
    pub site_url: String,
    pub host: String,
    pub trending_url: String,
    pub outbox_url: String,
    /// pending, following, failing or blocked.
    pub state: String,
    pub follow_id: String,
    pub failures: i64,
    pub last_error: String,
    pub trending_fetched_at: Option<i64>,
    /// When the ranking is next read; 0 while a read is due.
    pub trending_next_at: i64,
    pub created_at: i64,
}

/// Where a new peer's documents are, as read from its actor.
#[derive(Debug, Clone)]
pub struct NewPeer<'a> {
    pub handle: &'a str,
    pub site_url: &'a str,
    pub host: &'a str,
    pub trending_url: &'a str,
    pub outbox_url: &'a str,
}

/// One story of a peer's last good ranking, with the paper's name.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct PeerStory {
    pub peer_id: i64,
    pub paper: String,
    pub site_url: String,
    pub rank: i64,
    pub url: String,
    pub title: String,
    pub published_at: i64,
    pub fetched_at: i64,
}

/// An article a peer published, as kept here.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkArticleRecord<'a> {
    pub object_id: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub byline: &'a str,
    pub published_at: i64,
    pub film_title: &'a str,
    pub imdb_id: Option<&'a str>,
    pub wikidata_id: Option<&'a str>,
    pub tmdb_id: Option<&'a str>,
}

/// A peer's review of a film, for "Across the network".
#[derive(Debug, Clone, FromRow, PartialEq, serde::Serialize)]
pub struct NetworkReview {
    pub paper: String,
    pub site_url: String,
    pub url: String,
    pub title: String,
    pub byline: String,
    pub published_at: i64,
}
crate::lite::lite_row!(NetworkReview { paper, site_url, url, title, byline, published_at });

/// What followers were last told about one of our articles.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct FederatedState {
    pub article_id: i64,
    pub fingerprint: Option<String>,
    pub live: Option<i64>,
    pub announced: Option<i64>,
    pub synced_at: Option<i64>,
}

/// A change to record about an article, with the activity (if any) to send to `inboxes`.
pub struct FederationRecord<'a> {
    pub article_id: i64,
    /// The state read before deciding; the write happens only if it is still the same.
    pub seen: &'a FederatedState,
    pub fingerprint: &'a str,
    pub live: bool,
    pub announced: bool,
    pub activity: Option<&'a str>,
    pub inboxes: &'a [String],
    pub now: i64,
}

/// Every follower's inbox, a shared inbox once for all who share it.
pub(crate) const FOLLOWER_INBOXES: &str = "SELECT DISTINCT CASE WHEN r.shared_inbox <> '' THEN r.shared_inbox ELSE r.inbox END FROM followers f JOIN remote_actors r ON r.id = f.actor_id ORDER BY 1";

const PEER_COLS: &str = "p.id, p.actor_id, r.url AS actor_url, r.name, r.inbox, p.handle, p.site_url, p.host, p.trending_url, p.outbox_url, p.state, p.follow_id, p.failures, p.last_error, p.trending_fetched_at, p.trending_next_at, p.created_at";

/// Whether `host` (perhaps with a port) is `domain` or under it.
pub fn host_in_domain(host: &str, domain: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let domain = domain.to_ascii_lowercase();
    let bare = host.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map(|(h, _)| h.to_string()).unwrap_or(host.clone());
    host == domain || bare == domain || bare.ends_with(&format!(".{domain}"))
}

impl Store {
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        let sql = format!("SELECT {PEER_COLS} FROM peers p JOIN remote_actors r ON r.id = p.actor_id ORDER BY r.name, p.id");
        Ok(sqlx::query_as(&sql).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn peer(&self, id: i64) -> Result<Option<Peer>> {
        let sql = format!("SELECT {PEER_COLS} FROM peers p JOIN remote_actors r ON r.id = p.actor_id WHERE p.id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn peer_by_actor(&self, actor_url: &str) -> Result<Option<Peer>> {
        let sql = format!("SELECT {PEER_COLS} FROM peers p JOIN remote_actors r ON r.id = p.actor_id WHERE r.url = $1");
        Ok(sqlx::query_as(&sql).bind(actor_url).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Starts (or restarts) following `actor`: the peer is pending until it accepts, and
    /// `follow` (the Follow activity, with id `follow_id`) is queued to its inbox in the same
    /// transaction.
    pub async fn follow_peer(&self, actor: &crate::RemoteActor, p: &NewPeer<'_>, follow_id: &str, follow: &str, now: i64) -> Result<i64> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO peers (actor_id, handle, site_url, host, trending_url, outbox_url, state, follow_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8) \
             ON CONFLICT (actor_id) DO UPDATE SET handle = excluded.handle, site_url = excluded.site_url, host = excluded.host, trending_url = excluded.trending_url, \
             outbox_url = excluded.outbox_url, state = 'pending', follow_id = excluded.follow_id, failures = 0, last_error = '', trending_next_at = 0 RETURNING id",
        )
        .bind(actor.id)
        .bind(p.handle)
        .bind(p.site_url)
        .bind(p.host)
        .bind(p.trending_url)
        .bind(p.outbox_url)
        .bind(follow_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        enqueue(&mut tx, &actor.inbox, follow, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The peer accepted our Follow `follow_id`; true if that was a follow we asked for.
    pub async fn peer_accepted(&self, actor_id: i64, follow_id: Option<&str>) -> Result<bool> {
        let _write = self.write_guard().await;
        let r = sqlx::query(
            "UPDATE peers SET state = 'following', failures = 0, last_error = '', trending_next_at = 0 WHERE actor_id = $1 AND state <> 'blocked' AND ($2 IS NULL OR follow_id = $2)",
        )
        .bind(actor_id)
        .bind(follow_id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// The peer refused our Follow, or delivering it failed for good.
    pub async fn peer_failed(&self, actor_id: i64, error: &str) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("UPDATE peers SET state = 'failing', last_error = $2 WHERE actor_id = $1 AND state <> 'blocked'").bind(actor_id).bind(error).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Stops following a peer: its row, ranking and articles go, and `undo` is queued to it.
    pub async fn unfollow_peer(&self, peer: &Peer, undo: &str, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM peers WHERE id = $1").bind(peer.id).execute(&mut *tx).await?;
        if peer.state != "blocked" {
            enqueue(&mut tx, &peer.inbox, undo, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn blocked_domains(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT domain FROM blocked_domains ORDER BY domain").fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|(d,)| d).collect())
    }

    /// Whether `host` is in a blocked domain.
    pub async fn is_blocked(&self, host: &str) -> Result<bool> {
        Ok(self.blocked_domains().await?.iter().any(|d| host_in_domain(host, d)))
    }

    /// Blocks a domain: its peers become blocked (their rankings and articles are dropped), its
    /// followers are removed, and its queued deliveries are given up.
    pub async fn block_domain(&self, domain: &str, now: i64) -> Result<()> {
        let peers = self.peers().await?;
        let actors: Vec<(i64, String, String)> = sqlx::query_as("SELECT a.id, a.url, a.inbox FROM remote_actors a JOIN followers f ON f.actor_id = a.id").fetch_all(&mut *self.conn().await?).await?;
        let pending: Vec<(i64, String)> = sqlx::query_as("SELECT id, inbox FROM deliveries WHERE status IN ('pending', 'sending')").fetch_all(&mut *self.conn().await?).await?;
        let host_matches = |url: &str| url.split_once("://").and_then(|(_, r)| r.split('/').next()).is_some_and(|h| host_in_domain(h, domain));
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO blocked_domains (domain, created_at) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING").bind(domain).bind(now).execute(&mut *tx).await?;
        for p in peers.iter().filter(|p| host_in_domain(&p.host, domain) || host_matches(&p.actor_url)) {
            sqlx::query("UPDATE peers SET state = 'blocked', trending_fetched_at = NULL WHERE id = $1").bind(p.id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM peer_trending WHERE peer_id = $1").bind(p.id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM network_articles WHERE peer_id = $1").bind(p.id).execute(&mut *tx).await?;
        }
        for (id, _, _) in actors.iter().filter(|(_, url, inbox)| host_matches(url) || host_matches(inbox)) {
            sqlx::query("DELETE FROM followers WHERE actor_id = $1").bind(id).execute(&mut *tx).await?;
        }
        for (id, _) in pending.iter().filter(|(_, inbox)| host_matches(inbox)) {
            sqlx::query("UPDATE deliveries SET status = 'failed', last_error = 'the domain is blocked', lease_until = NULL WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a block; answers the peers that were blocked by it (to be followed again).
    pub async fn unblock_domain(&self, domain: &str) -> Result<Vec<Peer>> {
        {
            let _write = self.write_guard().await;
            sqlx::query("DELETE FROM blocked_domains WHERE domain = $1").bind(domain).execute(&mut *self.conn().await?).await?;
        }
        let still = self.blocked_domains().await?;
        Ok(self.peers().await?.into_iter().filter(|p| p.state == "blocked" && !still.iter().any(|d| host_in_domain(&p.host, d))).collect())
    }

    /// Claims up to `limit` peers whose ranking is due to be read, for `lease` seconds, so
    /// that one server reads each.
    pub async fn claim_trending(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<Peer>> {
        let due: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM peers WHERE state IN ('following', 'failing') AND trending_url <> '' AND trending_next_at <= $1 \
             AND (trending_lease_until IS NULL OR trending_lease_until < $1) ORDER BY trending_next_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut claimed = Vec::new();
        for (id,) in due {
            let _write = self.write_guard().await;
            let r = sqlx::query("UPDATE peers SET trending_lease_until = $2 WHERE id = $1 AND trending_next_at <= $3 AND (trending_lease_until IS NULL OR trending_lease_until < $3)")
                .bind(id)
                .bind(now + lease)
                .bind(now)
                .execute(&mut *self.conn().await?)
                .await?;
            drop(_write);
            if r.rows_affected() == 1 {
                if let Some(p) = self.peer(id).await? {
                    claimed.push(p);
                }
            }
        }
        Ok(claimed)
    }

    /// Reads the ranking of `peer_id` again at the next chance.
    pub async fn trending_due_now(&self, peer_id: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("UPDATE peers SET trending_next_at = 0 WHERE id = $1").bind(peer_id).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Replaces a peer's ranking with a good fetch; a failing peer is following again.
    pub async fn save_trending(&self, peer_id: i64, stories: &[(String, String, i64)], next_at: i64, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let (state,): (String,) = sqlx::query_as("SELECT state FROM peers WHERE id = $1").bind(peer_id).fetch_one(&mut *tx).await?;
        if state == "blocked" {
            return Ok(());
        }
        sqlx::query("DELETE FROM peer_trending WHERE peer_id = $1").bind(peer_id).execute(&mut *tx).await?;
        for (rank, (url, title, published)) in stories.iter().enumerate() {
            sqlx::query("INSERT INTO peer_trending (peer_id, rank, url, title, published_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(peer_id)
                .bind(rank as i64 + 1)
                .bind(url)
                .bind(title)
                .bind(published)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE peers SET trending_fetched_at = $2, trending_next_at = $3, trending_lease_until = NULL, failures = 0, last_error = '', \
             state = CASE WHEN state = 'failing' THEN 'following' ELSE state END WHERE id = $1",
        )
        .bind(peer_id)
        .bind(now)
        .bind(next_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed read of a peer's ranking; its last good ranking stays. After three
    /// failures in a row the peer is shown as failing.
    pub async fn trending_failed(&self, peer_id: i64, error: &str, next_at: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query(
            "UPDATE peers SET failures = failures + 1, last_error = $2, trending_next_at = $3, trending_lease_until = NULL, \
             state = CASE WHEN state = 'following' AND failures + 1 >= 3 THEN 'failing' ELSE state END WHERE id = $1",
        )
        .bind(peer_id)
        .bind(error)
        .bind(next_at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    /// Every story of every peer's last good ranking (blocked peers have none).
    pub async fn peer_stories(&self) -> Result<Vec<PeerStory>> {
        Ok(sqlx::query_as(
            "SELECT t.peer_id, r.name AS paper, p.site_url, t.rank, t.url, t.title, t.published_at, COALESCE(p.trending_fetched_at, 0) AS fetched_at \
             FROM peer_trending t JOIN peers p ON p.id = t.peer_id JOIN remote_actors r ON r.id = p.actor_id WHERE p.state <> 'blocked' ORDER BY t.peer_id, t.rank",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// Keeps (or updates) an article a peer published; an object id that belongs to another
    /// peer is left alone. False if nothing was written.
    pub async fn save_network_article(&self, peer_id: i64, a: &NetworkArticleRecord<'_>, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let r = sqlx::query(
            "INSERT INTO network_articles (object_id, peer_id, url, title, summary, byline, published_at, film_title, imdb_id, wikidata_id, tmdb_id, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (object_id) DO UPDATE SET url = excluded.url, title = excluded.title, \
             summary = excluded.summary, byline = excluded.byline, published_at = excluded.published_at, film_title = excluded.film_title, imdb_id = excluded.imdb_id, \
             wikidata_id = excluded.wikidata_id, tmdb_id = excluded.tmdb_id, received_at = excluded.received_at WHERE network_articles.peer_id = excluded.peer_id",
        )
        .bind(a.object_id)
        .bind(peer_id)
        .bind(a.url)
        .bind(a.title)
        .bind(a.summary)
        .bind(a.byline)
        .bind(a.published_at)
        .bind(a.film_title)
        .bind(a.imdb_id)
        .bind(a.wikidata_id)
        .bind(a.tmdb_id)
        .bind(now)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Forgets an article a peer deleted; true if there was one.
    pub async fn delete_network_article(&self, peer_id: i64, object_id: &str) -> Result<bool> {
        let _write = self.write_guard().await;
        let r = sqlx::query("DELETE FROM network_articles WHERE peer_id = $1 AND object_id = $2").bind(peer_id).bind(object_id).execute(&mut *self.conn().await?).await?;
        Ok(r.rows_affected() > 0)
    }

    /// Peers' reviews of the film with any of these ids, newest first.
    pub async fn network_reviews(&self, imdb: Option<&str>, wikidata: Option<&str>, tmdb: Option<&str>, limit: i64) -> Result<Vec<NetworkReview>> {
        if imdb.is_none() && wikidata.is_none() && tmdb.is_none() {
            return Ok(Vec::new());
        }
        let sql = "SELECT r.name AS paper, p.site_url, n.url, n.title, n.byline, n.published_at FROM network_articles n JOIN peers p ON p.id = n.peer_id \
             JOIN remote_actors r ON r.id = p.actor_id WHERE p.state <> 'blocked' AND (n.imdb_id = $1 OR n.wikidata_id = $2 OR n.tmdb_id = $3) \
             ORDER BY n.published_at DESC, n.id DESC LIMIT $4";
        self.rows(sql, &[Arg::OptText(imdb), Arg::OptText(wikidata), Arg::OptText(tmdb), Arg::Int(limit)]).await
    }

    /// Where to deliver to every follower: each server's shared inbox once, or the
    /// follower's own inbox.
    pub async fn follower_inboxes(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(FOLLOWER_INBOXES).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|(i,)| i).collect())
    }

    /// Articles whose news followers have not been given: live and never sent or changed
    /// since, or sent as live and no longer live.
    pub async fn federation_backlog(&self, now: i64, limit: i64) -> Result<Vec<(FederatedState, bool)>> {
        let sql = format!(
            "SELECT a.id AS article_id, f.fingerprint, f.live, f.announced, f.synced_at, CASE WHEN {live} THEN 1 ELSE 0 END AS is_live \
             FROM articles a LEFT JOIN federated_articles f ON f.article_id = a.id \
             WHERE ({live} AND (f.article_id IS NULL OR f.live = 0 OR f.synced_at <= a.updated_at)) OR (NOT ({live}) AND f.live = 1) \
             ORDER BY a.id LIMIT $2",
            live = crate::cards::LIVE
        );
        let rows: Vec<(i64, Option<String>, Option<i64>, Option<i64>, Option<i64>, i64)> = sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows
            .into_iter()
            .map(|(article_id, fingerprint, live, announced, synced_at, is_live)| (FederatedState { article_id, fingerprint, live, announced, synced_at }, is_live == 1))
            .collect())
    }

    /// Records what followers now know of an article and queues the activity telling them,
    /// in one transaction, only if the article's record is still as `seen` (another server
    /// may have done it meanwhile). False if it was not.
    pub async fn record_federation(&self, r: &FederationRecord<'_>) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let written = match &r.seen.fingerprint {
            None => sqlx::query("INSERT INTO federated_articles (article_id, fingerprint, live, announced, synced_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id) DO NOTHING")
                .bind(r.article_id)
                .bind(r.fingerprint)
                .bind(r.live as i64)
                .bind(r.announced as i64)
                .bind(r.now)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            Some(old) => sqlx::query(
                "UPDATE federated_articles SET fingerprint = $2, live = $3, announced = $4, synced_at = $5 WHERE article_id = $1 AND fingerprint = $6 AND live = $7 AND synced_at = $8",
            )
            .bind(r.article_id)
            .bind(r.fingerprint)
            .bind(r.live as i64)
            .bind(r.announced as i64)
            .bind(r.now)
            .bind(old)
            .bind(r.seen.live.unwrap_or(0))
            .bind(r.seen.synced_at.unwrap_or(0))
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        };
        if written == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some(activity) = r.activity {
            for inbox in r.inboxes {
                enqueue(&mut tx, inbox, activity, r.now).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Counts of the delivery queue: (waiting, failed).
    pub async fn delivery_counts(&self) -> Result<(i64, i64)> {
        let (waiting, failed): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM deliveries",
        )
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok((waiting, failed))
    }
}

#[cfg(test)]
mod tests {
    use super::host_in_domain;

    #[test]
    fn a_domain_covers_its_subdomains_and_ports() {
        assert!(host_in_domain("example.org", "example.org"));
        assert!(host_in_domain("news.example.org", "example.org"));
        assert!(host_in_domain("Example.org:8443", "example.org"));
        assert!(host_in_domain("127.0.0.1:8081", "127.0.0.1:8081"));
        assert!(!host_in_domain("badexample.org", "example.org"));
        assert!(!host_in_domain("example.org.evil", "example.org"));
    }
}

impl Store {
    /// Queues failed deliveries again, at once.
    pub async fn retry_failed_deliveries(&self, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE status = 'failed' AND last_error <> 'the domain is blocked'")
            .bind(now)
            .execute(&mut *self.conn().await?)
            .await?
            .rows_affected())
    }
}
