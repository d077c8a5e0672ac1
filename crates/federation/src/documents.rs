//! The JSON other servers read about the paper: its WebFinger answer and its actor.

use serde_json::{json, Value};

/// The media type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// Who the paper is on the network: its site address and its user name (`paper` in
/// `@paper@example.org`).
#[derive(Debug, Clone)]
pub struct Identity {
    /// The site's base URL without a trailing slash, e.g. `https://example.org`.
    pub base_url: String,
    pub username: String,
    pub name: String,
    pub summary: String,
}

impl Identity {
    pub fn actor_id(&self) -> String {
        format!("{}/actor", self.base_url)
    }

    pub fn key_id(&self) -> String {
        format!("{}#main-key", self.actor_id())
    }

    /// The host part of the base URL (with its port, if any).
    pub fn host(&self) -> &str {
        let rest = self.base_url.split_once("://").map(|(_, r)| r).unwrap_or(&self.base_url);
        rest.split('/').next().unwrap_or(rest)
    }

    /// `acct:paper@example.org`
    pub fn acct(&self) -> String {
        format!("acct:{}@{}", self.username, self.host())
    }

    /// Whether a WebFinger `resource` names this paper: its acct: URI (in any letter case) or
    /// its actor URL or the site's address.
    pub fn is_resource(&self, resource: &str) -> bool {
        resource.eq_ignore_ascii_case(&self.acct()) || resource == self.actor_id() || resource.trim_end_matches('/') == self.base_url
    }

    /// The JSON Resource Descriptor answered at `/.well-known/webfinger`.
    pub fn webfinger(&self) -> Value {
        json!({
            "subject": self.acct(),
            "aliases": [self.actor_id(), format!("{}/", self.base_url)],
            "links": [
                { "rel": "self", "type": ACTIVITY_JSON, "href": self.actor_id() },
                { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": format!("{}/", self.base_url) }
            ]
        })
    }

    /// The paper's actor: an `Organization` with its inbox, outbox, followers and public key.
    pub fn actor(&self, public_key_pem: &str) -> Value {
        let id = self.actor_id();
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": id,
            "type": "Organization",
            "preferredUsername": self.username,
            "name": self.name,
            // HTML by ActivityStreams' definition; the paper's summary is plain text.
            "summary": crate::articles::escape_html(&self.summary),
            "url": format!("{}/", self.base_url),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "streams": [format!("{id}/trending")],
            "manuallyApprovesFollowers": false,
            "discoverable": true,
            "publicKey": { "id": self.key_id(), "owner": id, "publicKeyPem": public_key_pem }
        })
    }
}

impl Identity {
    /// A new activity id under the actor: `{actor}/activities/{random}`.
    pub fn new_activity_id(&self) -> String {
        let n: u128 = rand::random();
        format!("{}/activities/{n:032x}", self.actor_id())
    }

    /// The Accept the paper answers a Follow with.
    pub fn accept(&self, follow: &Value) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.new_activity_id(),
            "type": "Accept",
            "actor": self.actor_id(),
            "object": follow
        })
    }

    /// The followers collection: how many, without listing who.
    pub fn followers(&self, total: i64) -> Value {
        json!({ "@context": "https://www.w3.org/ns/activitystreams", "id": format!("{}/followers", self.actor_id()), "type": "OrderedCollection", "totalItems": total })
    }
}

/// The id of an activity's actor, whether given as a URL or as an embedded object.
pub fn actor_of(activity: &Value) -> Option<&str> {
    match &activity["actor"] {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// The id of what an activity is about (`object`), as a URL or an embedded object's id.
pub fn object_id(activity: &Value) -> Option<&str> {
    match &activity["object"] {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// What the paper needs from another server's actor document, checked: the document names
/// itself `url`, and its key belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorInfo {
    pub id: String,
    pub inbox: String,
    pub shared_inbox: String,
    pub key_id: String,
    pub public_key_pem: String,
    pub username: String,
    pub name: String,
}

pub fn read_actor(url: &str, doc: &Value) -> Result<ActorInfo, String> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    let id = text(&doc["id"]).ok_or("the actor has no id")?;
    if id != url {
        return Err(format!("the document at {url} calls itself {id}"));
    }
    let inbox = text(&doc["inbox"]).ok_or("the actor has no inbox")?;
    let key = &doc["publicKey"];
    let owner = text(&key["owner"]).unwrap_or_default();
    if owner != id {
        return Err("the actor's key belongs to someone else".into());
    }
    Ok(ActorInfo {
        id,
        inbox,
        shared_inbox: text(&doc["endpoints"]["sharedInbox"]).unwrap_or_default(),
        key_id: text(&key["id"]).ok_or("the actor has no key id")?,
        public_key_pem: text(&key["publicKeyPem"]).ok_or("the actor has no public key")?,
        username: text(&doc["preferredUsername"]).unwrap_or_default(),
        name: text(&doc["name"]).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webfinger_and_actor_name_each_other() {
        let me = Identity { base_url: "http://127.0.0.1:8080".into(), username: "paper".into(), name: "Marquee Weekly".into(), summary: String::new() };
        assert_eq!(me.acct(), "acct:paper@127.0.0.1:8080");
        assert!(me.is_resource("acct:Paper@127.0.0.1:8080") && me.is_resource("http://127.0.0.1:8080/actor"));
        assert!(!me.is_resource("acct:paper@elsewhere.example"));
        let jrd = me.webfinger();
        assert_eq!(jrd["links"][0]["href"], "http://127.0.0.1:8080/actor");
        let actor = me.actor("PEM");
        assert_eq!(actor["publicKey"]["id"], "http://127.0.0.1:8080/actor#main-key");
        assert_eq!(actor["inbox"], "http://127.0.0.1:8080/actor/inbox");
        let read = read_actor("http://127.0.0.1:8080/actor", &actor).unwrap();
        assert_eq!((read.public_key_pem.as_str(), read.username.as_str()), ("PEM", "paper"));
        assert!(read_actor("http://elsewhere.example/actor", &actor).is_err(), "a document must be what it claims");
        let follow = json!({"id": "https://b.example/f/1", "type": "Follow", "actor": {"id": "https://b.example/u"}, "object": me.actor_id()});
        assert_eq!(actor_of(&follow), Some("https://b.example/u"));
        assert_eq!(object_id(&follow), Some("http://127.0.0.1:8080/actor"));
        assert_eq!(me.accept(&follow)["object"]["id"], "https://b.example/f/1");
    }
}
