//! Property tests (proptest) for what the paper reads from other servers: the `Article`s and
//! rankings their inboxes and collections deliver (any JSON), actor documents, and the
//! `Signature` headers of the requests they send.
//!
//! Each property runs `PROPTEST_CASES` cases, 256 by default, as part of `cargo test`; the
//! long run is `PROPTEST_CASES=100000 cargo test --release -p marquee-federation --lib proptests`.

use crate::{actor_of, is_web_address, object_id, read_actor, read_article, read_trending, sign_request, streams, FilmIds, Identity, Incoming};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::SystemTime;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

fn any_text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s:.{{0,{max}}})")).expect("valid regex").boxed()
}

/// The senders: actors whose signatures were checked.
const ACTORS: &[&str] = &["https://a.example/actor", "https://b.example:8443/users/paper", "http://127.0.0.1:8080/actor"];

/// Addresses glued from the pieces that make one URL's host look like another's.
fn address() -> BoxedStrategy<String> {
    const SCHEMES: &[&str] = &["https://", "http://", "HTTPS://", "javascript://", "https:/", "https:\\\\", "//", "", "https:///"];
    const AUTHORITY: &[&str] = &[
        "a.example",
        "b.example",
        "b.example:8443",
        "127.0.0.1:8080",
        "A.EXAMPLE",
        "evil.example",
        "@",
        ":",
        "443",
        "8443",
        "\\",
        "/",
        "?",
        "#",
        "%2e",
        "%40",
        ".",
        "user:pw",
        " ",
        "\t",
        "\u{0}",
        "a.example.",
        "xn--",
        "[::1]",
        "ａ.example",
        "\u{2028}",
    ];
    const PATHS: &[&str] = &["", "/", "/actor", "/articles/1", "/users/paper", "?x=1", "#f", "/@b.example", "/../", "\\"];
    prop_oneof![
        6 => (select(SCHEMES), proptest::collection::vec(select(AUTHORITY), 1..5), select(PATHS)).prop_map(|(s, a, p)| format!("{s}{}{p}", a.concat())),
        2 => (select(ACTORS), select(PATHS)).prop_map(|(a, p)| format!("{a}{p}")),
        1 => any_text(30),
    ]
    .boxed()
}

/// Addresses that name the sender's host and another, joined by what separates a user name, a
/// path or a query from a host: which server is such an address on?
fn address_near(actor: &'static str) -> BoxedStrategy<String> {
    const BETWEEN: &[&str] = &["@", "\\@", ":@", "/@", "?@", "#@", "%40", "\\", ".", ":", "\t@", "@@"];
    let host = actor.split('/').nth(2).unwrap_or("a.example");
    let hosts = vec![host, "b.example", "evil.example"];
    (select(&["https://", "http://", "https:\\\\", "//"][..]), select(hosts.clone()), select(BETWEEN), select(hosts), select(&["", "/articles/1", "?p=1"][..]))
        .prop_map(|(s, a, m, b, p)| format!("{s}{a}{m}{b}{p}"))
        .boxed()
}

/// A JSON value of any shape.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any_text(12).prop_map(Value::from),
        address().prop_map(Value::from),
        select(&["Article", "Note", "Movie", "2024-05-01T12:00:00Z", "not a date"][..]).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(select(&["id", "href", "name", "type", "sameAs", "x"][..]).prop_map(str::to_string), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Who an object says wrote it: the sender, someone else, in any of the shapes allowed.
fn attributed(actor: &'static str) -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(actor)),
        Just(json!([actor])),
        Just(json!({ "id": actor })),
        Just(json!([{ "id": actor }, "https://c.example/actor"])),
        address().prop_map(Value::from),
        json_value(),
    ]
    .boxed()
}

/// An object as an inbox or a collection delivers it: shaped like an Article, with any
/// values, and now and then any JSON at all.
fn article(actor: &'static str) -> BoxedStrategy<Value> {
    let shaped = (
        prop_oneof![8 => Just(json!("Article")), 1 => json_value()],
        prop_oneof![4 => address().prop_map(Value::from), 4 => address_near(actor).prop_map(Value::from), 1 => json_value()],
        attributed(actor),
        prop_oneof![address().prop_map(Value::from), json_value()],
        proptest::collection::btree_map(
            select(&["name", "summary", "author", "published", "itemReviewed", "content"][..]).prop_map(str::to_string),
            json_value(),
            0..5,
        ),
    )
        .prop_map(|(kind, id, attributed, url, rest)| {
            let mut o: serde_json::Map<String, Value> = rest.into_iter().collect();
            o.insert("type".into(), kind);
            o.insert("id".into(), id);
            o.insert("attributedTo".into(), attributed);
            o.insert("url".into(), url);
            Value::Object(o)
        });
    prop_oneof![8 => shaped, 1 => json_value()].boxed()
}

/// The host a browser (or the HTTP client) would reach for `url`: who owns the address. (The
/// scheme and port may differ: `http://a.example/1` is still a.example's.)
fn reached(url: &str) -> Option<String> {
    url::Url::parse(url).ok()?.host_str().map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Articles, rankings, actors
// ---------------------------------------------------------------------------------------------

fn check_article(actor: &str, object: &Value) -> Result<(), TestCaseError> {
    let Ok(a) = read_article(actor, object) else { return Ok(()) };
    let id_host = reached(&a.object_id);
    prop_assert!(id_host.is_some() && id_host == reached(actor), "{actor} sent {} which is on {id_host:?}", a.object_id);
    prop_assert!(is_web_address(&a.url), "{}", a.url);
    prop_assert!(a.title.chars().count() <= 300 && a.summary.chars().count() <= 1000 && a.byline.chars().count() <= 300);
    Ok(())
}

proptest! {
    /// The inbox's security rule: an article is accepted only when its id is a web address on
    /// the sender's own server, as a browser or the HTTP client reads the address, so that one
    /// paper cannot speak for another. What is accepted links only to web addresses and keeps
    /// to its lengths.
    #[test]
    fn articles_live_on_their_senders_server((actor, object) in select(ACTORS).prop_flat_map(|a| (Just(a), article(a)))) {
        check_article(actor, &object)?;
    }

    /// A ranking keeps only the sender's own stories, each once, at most 50, each with a
    /// title and a web address.
    #[test]
    fn rankings_keep_only_the_senders_stories((actor, items) in select(ACTORS).prop_flat_map(|a| (Just(a), proptest::collection::vec(article(a), 0..8))), key in select(&["orderedItems", "items", "x"][..])) {
        let doc = json!({ key: items.clone() });
        let Ok(stories) = read_trending(actor, &doc) else { return Ok(()) };
        prop_assert!(stories.len() <= items.len().min(50));
        for (i, s) in stories.iter().enumerate() {
            prop_assert!(!s.title.trim().is_empty() && is_web_address(&s.url));
            prop_assert!(stories[..i].iter().all(|t| t.url != s.url));
        }
    }

    /// Actor documents: one is read only when it names itself as fetched and owns its key;
    /// the readers of activities take any JSON.
    #[test]
    fn actor_documents_are_what_they_claim(url in address(), doc in json_value(), id in address(), owner in address(), v in json_value()) {
        let mut shaped = json!({ "id": id, "inbox": format!("{id}/inbox"), "publicKey": { "id": format!("{id}#main-key"), "owner": owner, "publicKeyPem": "PEM" } });
        if let Value::Object(extra) = &doc {
            for (k, x) in extra {
                shaped[k] = x.clone();
            }
        }
        for d in [&doc, &shaped] {
            if let Ok(info) = read_actor(&url, d) {
                prop_assert_eq!(&info.id, &url);
                prop_assert_eq!(d["publicKey"]["owner"].as_str(), Some(url.as_str()));
            }
        }
        let _ = (actor_of(&v), object_id(&v), streams(&v), crate::fingerprint(&v));
        let activity = json!({ "actor": v.clone(), "object": v, "streams": doc });
        let _ = (actor_of(&activity), object_id(&activity), streams(&activity));
    }

    /// A film's ids survive the trip through `sameAs` addresses.
    #[test]
    fn film_ids_round_trip(title in any_text(10), imdb in proptest::option::of("tt[0-9]{7,8}"), wikidata in proptest::option::of("Q[0-9]{1,9}"), tmdb in proptest::option::of("[0-9]{1,7}"), junk in proptest::collection::vec(address(), 0..3)) {
        let ids = FilmIds { title: title.clone(), year: None, imdb, wikidata, tmdb };
        let mut addresses = ids.same_as();
        addresses.extend(junk);
        let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
        let back = FilmIds::from_same_as(&title, &refs);
        // Junk first found wins only if it is a database address itself; the written ones come first.
        prop_assert_eq!(back.imdb, ids.imdb);
        prop_assert_eq!(back.wikidata, ids.wikidata);
        prop_assert_eq!(back.tmdb, ids.tmdb);
    }
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// `Signature` headers glued from their parts, right and wrong.
fn signature_header() -> BoxedStrategy<String> {
    const PIECES: &[&str] = &[
        "keyId=",
        "\"https://a.example/actor#main-key\"",
        "algorithm=",
        "\"rsa-sha256\"",
        "\"hs2019\"",
        "headers=",
        "\"(request-target) host date digest\"",
        "\"(request-target)\"",
        "\"\"",
        "signature=",
        "\"AAAA\"",
        "\"bm90IGEgc2lnbmF0dXJl\"",
        ",",
        " ",
        "\"",
        "=",
        "(created)",
        "created=",
        "expires=",
        "1",
        "-1",
        "99999999999999999999",
        "\\",
        "\u{0}",
        "é",
    ];
    prop_oneof![
        4 => proptest::collection::vec(select(PIECES), 0..16).prop_map(|v| v.concat()),
        1 => any_text(60),
    ]
    .boxed()
}

proptest! {
    /// Any headers are read or refused, never a panic; what is read from made-up headers
    /// never verifies.
    #[test]
    fn signature_headers_of_any_form(
        signature in signature_header(),
        method in select(&["POST", "GET", "post", "", "PO ST"][..]),
        path in prop_oneof![Just("/actor/inbox".to_string()), any_text(12)],
        host in prop_oneof![Just("b.example".to_string()), any_text(8)],
        digest in prop_oneof![Just(None), any_text(20).prop_map(Some)],
        date in prop_oneof![Just(None), any_text(30).prop_map(Some)],
        body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
    ) {
        let mut headers = BTreeMap::new();
        headers.insert("host".to_string(), host);
        headers.insert("date".to_string(), date.unwrap_or_else(|| httpdate::fmt_http_date(SystemTime::now())));
        headers.insert("signature".to_string(), signature);
        if let Some(d) = digest {
            headers.insert("digest".to_string(), d);
        }
        if let Ok(incoming) = Incoming::read(method, &path, &headers, body.as_deref()) {
            let _ = incoming.key_id();
            let (keys, _) = crate::keys::test_keys();
            prop_assert!(!incoming.verify(&keys.public_pem));
            prop_assert!(!incoming.verify("not a key"));
        }
    }

    /// A request the paper signs verifies at the other end, for any path, host and body; with
    /// another body, path or key it does not.
    #[test]
    fn signed_requests_verify_and_nothing_else_does(
        path in "/[a-zA-Z0-9/_.~-]{0,20}(\\?[a-z=&]{0,10})?",
        host in "[a-z]{1,10}\\.example(:[0-9]{2,4})?",
        body in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        other in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let (keys, stranger) = crate::keys::test_keys();
        let me = Identity { base_url: format!("https://{host}"), username: "paper".into(), name: String::new(), summary: String::new() };
        let signed = sign_request(keys, &me.key_id(), if body.is_some() { "POST" } else { "GET" }, &host, &path, body.as_deref(), SystemTime::now()).expect("signs");
        let mut headers = BTreeMap::new();
        headers.insert("host".to_string(), host.clone());
        headers.insert("date".to_string(), signed.date.clone());
        headers.insert("signature".to_string(), signed.signature.clone());
        if let Some(d) = &signed.digest {
            headers.insert("digest".to_string(), d.clone());
        }
        let method = if body.is_some() { "POST" } else { "GET" };
        let incoming = Incoming::read(method, &path, &headers, body.as_deref()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(incoming.key_id(), me.key_id());
        prop_assert!(incoming.verify(&keys.public_pem));
        prop_assert!(!incoming.verify(&stranger.public_pem));
        if let Some(b) = &body {
            if *b != other {
                let swapped = Incoming::read(method, &path, &headers, Some(&other)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert!(!swapped.verify(&keys.public_pem));
            }
        }
        let moved = format!("{path}x");
        if let Ok(elsewhere) = Incoming::read(method, &moved, &headers, body.as_deref()) {
            prop_assert!(!elsewhere.verify(&keys.public_pem));
        }
    }
}

/// Found by `articles_live_on_their_senders_server`: `host_of` ended the host at `/`, `?` or
/// `#` but not at `\`, which browsers and the HTTP client treat as `/` in http(s) addresses,
/// so a.example could send an Article whose id, `https://b.example\@a.example/articles/1`,
/// passed for one of a.example's while it is an address on b.example.
#[test]
fn a_backslash_does_not_move_an_article_to_another_server() {
    let forged =
        json!({ "type": "Article", "id": "https://b.example\\@a.example/articles/1", "attributedTo": "https://a.example/actor", "name": "Not from b" });
    let read = read_article("https://a.example/actor", &forged);
    assert!(read.is_err(), "accepted an article that lives on b.example: {read:?}");
}
