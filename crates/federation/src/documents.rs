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
    /// its actor URL.
    pub fn is_resource(&self, resource: &str) -> bool {
        resource.eq_ignore_ascii_case(&self.acct()) || resource == self.actor_id()
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
            "summary": self.summary,
            "url": format!("{}/", self.base_url),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "manuallyApprovesFollowers": false,
            "discoverable": true,
            "publicKey": { "id": self.key_id(), "owner": id, "publicKeyPem": public_key_pem }
        })
    }
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
    }
}
