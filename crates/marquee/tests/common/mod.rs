//! Test harness: a real Marquee server on a loopback port, over a real database. Each test
//! runs twice, on a fresh SQLite file and on a fresh PostgreSQL database. Without a reachable
//! PostgreSQL the PostgreSQL half prints why it was skipped (and fails instead when
//! MARQUEE_REQUIRE_POSTGRES=1, as in CI).

#![allow(dead_code)]

use marquee_store::Store;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestSite {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
    pub state: marquee_web::AppState,
    cleanup: Cleanup,
    /// Where this site's media files go (a directory of its own unless the test chose one).
    pub media: marquee_media::Storage,
    /// Stops the HTTP server (see [`TestSite::stop`]).
    stop: std::sync::Mutex<Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>)>>,
}

enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique() -> String {
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), rand::random::<u32>())
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("MARQUEE_TEST_POSTGRES_URL").ok().or_else(|| Some("postgres://postgres@127.0.0.1:5432/test".into()))
}

impl TestSite {
    pub async fn sqlite(web: marquee_web::WebConfig) -> TestSite {
        let dir = std::env::temp_dir().join(format!("marquee-test-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("marquee.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        Self::start(store, web, Cleanup::Dir(dir)).await
    }

    /// `None` (with a message) when no PostgreSQL is reachable and CI did not demand one.
    pub async fn postgres(web: marquee_web::WebConfig) -> Option<TestSite> {
        let admin_url = pg_admin_url()?;
        let required = std::env::var("MARQUEE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let admin = match Store::connect(&admin_url).await {
            Ok(s) => s,
            Err(e) if !required => {
                eprintln!("SKIPPED the PostgreSQL half of this test: cannot reach {admin_url} ({e}). Set MARQUEE_TEST_POSTGRES_URL to run it.");
                return None;
            }
            Err(e) => panic!("PostgreSQL is required (MARQUEE_REQUIRE_POSTGRES=1) but {admin_url} is unreachable: {e}"),
        };
        let name = format!("marquee_t_{}", unique());
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.expect("create test database");
        admin.close().await;
        let url = replace_db(&admin_url, &name);
        let store = Store::open(&url).await.expect("open postgres");
        Some(Self::start(store, web, Cleanup::PgDatabase { admin_url, name }).await)
    }

    async fn start(store: Store, mut web: marquee_web::WebConfig, cleanup: Cleanup) -> TestSite {
        if matches!(&web.media, marquee_media::Storage::Local(d) if d == std::path::Path::new("./marquee-data/media")) {
            web.media = marquee_media::Storage::Local(std::env::temp_dir().join(format!("marquee-test-media-{}", unique())));
        }
        let media = web.media.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        fixtures(&store, &base).await;
        let state = marquee_web::AppState::new(store.clone(), web).await.unwrap();
        let stop = std::sync::Mutex::new(Some(Self::spawn(listener, state.clone())));
        TestSite { base, store, client: new_client(), state, cleanup, media, stop }
    }

    fn spawn(listener: tokio::net::TcpListener, state: marquee_web::AppState) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(marquee_web::serve_until(listener, state, async move {
            let _ = rx.await;
        }));
        (tx, task)
    }

    /// Takes the site off the network: its address refuses connections until [`restart`].
    pub async fn stop(&self) {
        let running = self.stop.lock().unwrap().take();
        if let Some((tx, task)) = running {
            let _ = tx.send(());
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
        }
    }

    /// Serves the site again at the same address, as a new server process would, on the same
    /// database.
    pub async fn restart(&self) {
        let addr = self.base.trim_start_matches("http://");
        let listener = tokio::net::TcpListener::bind(addr).await.expect("the address is free again");
        let state = marquee_web::AppState::new(self.store.clone(), marquee_web::WebConfig { allow_private_fetch: true, media: self.media.clone(), ..Default::default() }).await.unwrap();
        *self.stop.lock().unwrap() = Some(Self::spawn(listener, state));
    }

    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(admin) = Store::connect(&admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await;
                    admin.close().await;
                }
            }
        }
    }

    /// The PostgreSQL database's address, for a second server of its own (`None` on SQLite).
    pub fn postgres_url(&self) -> Option<String> {
        match &self.cleanup {
            Cleanup::PgDatabase { admin_url, name } => Some(replace_db(admin_url, name)),
            Cleanup::Dir(_) => None,
        }
    }

    /// The database's address, for a second store of its own.
    pub fn database_url(&self) -> String {
        match &self.cleanup {
            Cleanup::PgDatabase { admin_url, name } => replace_db(admin_url, name),
            Cleanup::Dir(dir) => format!("sqlite://{}", dir.join("marquee.db").display()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        get_with(&self.client, &self.url(path)).await
    }

    /// A reader's view: a client with no cookies.
    pub async fn read(&self, path: &str) -> (u16, String) {
        get_with(&new_client(), &self.url(path)).await
    }

    pub async fn location(&self, path: &str) -> (u16, String) {
        let r = new_client().get(self.url(path)).send().await.unwrap();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (r.status().as_u16(), loc)
    }

    /// Signs `client` in as one of the fixture accounts (admin@, editor@, writer@, other@).
    pub async fn login_as(&self, client: &reqwest::Client, who: &str) {
        let (_, html) = get_with(client, &self.url("/admin/login")).await;
        let csrf = csrf_in(&html);
        let r = client
            .post(self.url("/admin/login"))
            .form(&[("_csrf", csrf.as_str()), ("email", &format!("{who}@paper.test")), ("password", PASSWORD), ("next", "/admin/")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "signing in as {who} failed");
    }

    pub async fn login(&self, who: &str) {
        self.login_as(&self.client, who).await;
    }

    /// Posts a form from `page` (whose CSRF token it uses) to `action`.
    pub async fn post_form(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let (_, html) = self.get(page).await;
        let csrf = csrf_in(&html);
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.client.post(self.url(action)).form(&all).send().await.unwrap();
        let status = r.status().as_u16();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, loc, r.text().await.unwrap())
    }

    /// Uploads a file with a multipart form from `page` (whose CSRF token it uses) to
    /// `action`, with text `fields`; returns (status, location, body).
    pub async fn upload(&self, page: &str, action: &str, fields: &[(&str, &str)], file_name: &str, bytes: Vec<u8>) -> (u16, String, String) {
        let (_, html) = self.get(page).await;
        let csrf = csrf_in(&html);
        let mut form = reqwest::multipart::Form::new().text("_csrf", csrf);
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
        let r = self.client.post(self.url(action)).multipart(form).send().await.unwrap();
        let status = r.status().as_u16();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, loc, r.text().await.unwrap())
    }

    /// Creates an article through the newsroom form; returns (status, location, body).
    pub async fn write(&self, fields: &[(&str, &str)]) -> (u16, String, String) {
        self.post_form("/admin/articles/new", "/admin/articles/new", fields).await
    }

    pub async fn section_id(&self, slug: &str) -> String {
        self.store.section_by_slug(slug).await.unwrap().unwrap().id.to_string()
    }

    pub async fn author_id(&self, slug: &str) -> String {
        self.store.author_by_slug(slug).await.unwrap().unwrap().id.to_string()
    }
}

pub async fn get_with(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no CSRF field in page:\n{html}")) + marker.len();
    html[start..start + 64].to_string()
}

/// The article id from an editor redirect such as `/admin/articles/7?saved=1`.
pub fn article_id(location: &str) -> String {
    location.trim_start_matches("/admin/articles/").split('?').next().unwrap().to_string()
}

pub fn replace_db(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, Some(q))).unwrap_or((url, None));
    let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(base);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// Every test starts with: two sections, and staff of each role with author profiles.
async fn fixtures(store: &Store, base: &str) {
    let mut p = store.publication().await.unwrap();
    p.name = "The Test Weekly".into();
    p.base_url = base.into();
    p.copyright = "© The Test Weekly & friends".into();
    store.update_publication(&p).await.unwrap();
    store.create_section("news", "News", "What happened.", 0).await.unwrap();
    store.create_section("movie-review", "Movie Review", "Films, reviewed.", 1).await.unwrap();
    let hash = marquee_web::hash_password(PASSWORD);
    for (who, name, role) in [("admin", "Ada Admin", "admin"), ("editor", "Eddie Editor", "editor"), ("writer", "Wren Writer", "contributor"), ("other", "Otto Other", "contributor")] {
        let email = format!("{who}@paper.test");
        let u = marquee_store::NewUser { email: &email, name, password_hash: &hash, role, now: 0 };
        store.create_user(u, &marquee_domain::slugify(name)).await.unwrap().unwrap();
    }
}

/// A web configuration whose mail goes over real SMTP to `sink` on loopback.
pub fn mail_config(sink: &marquee_mail::sink::SmtpSink) -> marquee_web::WebConfig {
    let mailer = marquee_mail::Mailer::new(marquee_mail::MailSettings {
        from: "The Test Weekly <news@paper.test>".into(),
        transport: marquee_mail::Transport::Smtp { host: "127.0.0.1".into(), port: sink.port(), security: marquee_mail::Security::None, username: None, password: None, timeout_secs: 10 },
    })
    .unwrap();
    marquee_web::WebConfig { mail: marquee_web::MailConfig::new(mailer), ..Default::default() }
}

/// Declares a test with an SMTP sink, run once on SQLite and once on PostgreSQL. `$tweak`
/// adjusts the web configuration (rate limits and such).
#[macro_export]
macro_rules! with_mail {
    ($name:ident, |$site:ident, $sink:ident| $body:block) => {
        $crate::with_mail!($name, |_cfg| {}, |$site, $sink| $body);
    };
    ($name:ident, |$cfg:ident| $tweak:block, |$site:ident, $sink:ident| $body:block) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $sink = marquee_mail::sink::SmtpSink::start().await;
                #[allow(unused_mut)]
                let mut $cfg = common::mail_config(&$sink);
                $tweak
                let $site = common::TestSite::sqlite($cfg).await;
                $body
                $site.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $sink = marquee_mail::sink::SmtpSink::start().await;
                #[allow(unused_mut)]
                let mut $cfg = common::mail_config(&$sink);
                $tweak
                let Some($site) = common::TestSite::postgres($cfg).await else { return };
                $body
                $site.finish().await;
            }
        }
    };
}

/// Declares a test that runs once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $web:expr, |$site:ident| $body:block) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $site = common::TestSite::sqlite($web).await;
                $body
                $site.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($site) = common::TestSite::postgres($web).await else { return };
                $body
                $site.finish().await;
            }
        }
    };
    ($name:ident, |$site:ident| $body:block) => {
        $crate::both_backends!($name, marquee_web::WebConfig::default(), |$site| $body);
    };
}

/// A database backend, for tests that start several sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl TestSite {
    /// A new site on its own database of kind `db`; `None` when PostgreSQL is unreachable and
    /// not required.
    pub async fn on(db: Db, web: marquee_web::WebConfig) -> Option<TestSite> {
        match db {
            Db::Sqlite => Some(TestSite::sqlite(web).await),
            Db::Postgres => TestSite::postgres(web).await,
        }
    }
}

/// Declares a test that starts its own sites with `TestSite::on($db, ..)`, run once with
/// SQLite sites and once with PostgreSQL sites.
#[macro_export]
macro_rules! each_backend {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = common::Db::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $db = common::Db::Postgres;
                $body
            }
        }
    };
}

/// Polls `check` every 50 ms for up to 20 seconds; panics with `what` if it never holds.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("timed out waiting: {what}");
}

// ----- readers and their mail -----

/// How long a test waits for mail to arrive.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

pub async fn register(site: &TestSite, name: &str, email: &str) -> (reqwest::Client, u16, String) {
    let client = new_client();
    let (_, html) = get_with(&client, &site.url("/account/register")).await;
    let csrf = csrf_in(&html);
    let r = client.post(site.url("/account/register")).form(&[("_csrf", csrf.as_str()), ("name", name), ("email", email), ("password", PASSWORD), ("website", "")]).send().await.unwrap();
    let status = r.status().as_u16();
    (client, status, r.text().await.unwrap())
}

/// Waits for the `n`th message (1-based) to `email`.
pub async fn nth_mail(sink: &marquee_mail::sink::SmtpSink, email: &str, n: usize) -> marquee_mail::sink::Received {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mine: Vec<marquee_mail::sink::Received> = sink.messages().into_iter().filter(|m| m.rcpt_to.iter().any(|r| r == email)).collect();
        if mine.len() >= n {
            return mine[n - 1].clone();
        }
        if tokio::time::Instant::now() > deadline {
            panic!("no message #{n} to {email} arrived; got {:?}", sink.messages().iter().map(|m| (m.rcpt_to.clone(), m.subject())).collect::<Vec<_>>());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The first link in `text` that contains `needle`.
pub fn link_in(text: &str, needle: &str) -> String {
    text.split_whitespace().find(|w| w.starts_with("http") && w.contains(needle)).unwrap_or_else(|| panic!("no link with {needle} in:\n{text}")).to_string()
}

/// A registered reader who opened the verification link; signed in.
pub async fn verified_reader(site: &TestSite, sink: &marquee_mail::sink::SmtpSink, name: &str, email: &str) -> reqwest::Client {
    let (client, status, body) = register(site, name, email).await;
    assert_eq!(status, 200, "registration failed: {body}");
    let mail = nth_mail(sink, email, 1).await;
    let link = link_in(&mail.text(), "/account/verify?token=");
    let (status, page) = get_with(&client, &link).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Address confirmed"), "{page}");
    client
}

/// Makes a key at `/admin/integrations/` as an admin; `user` is the staff member an Admin key
/// acts as (their email's local part). Answers the key, shown once on the page.
pub async fn make_key(site: &TestSite, kind: &str, name: &str, user: Option<&str>) -> String {
    let admin = new_client();
    site.login_as(&admin, "admin").await;
    let (_, page) = get_with(&admin, &site.url("/admin/integrations/")).await;
    let csrf = csrf_in(&page);
    let user_id = match user {
        Some(who) => site.store.user_by_email(&format!("{who}@paper.test")).await.unwrap().unwrap().id.to_string(),
        None => String::new(),
    };
    let r = admin.post(site.url("/admin/integrations/keys")).form(&[("_csrf", csrf.as_str()), ("kind", kind), ("name", name), ("user_id", &user_id)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().await.unwrap();
    let marker = "id=\"made-value\" class=\"secret\" value=\"";
    let start = body.find(marker).unwrap_or_else(|| panic!("no key shown:\n{body}")) + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// A desktop Firefox's User-Agent: a reader's browser, whose article views count.
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

static READERS: AtomicU32 = AtomicU32::new(0);

/// A browser of its own reader: `agent`, connecting from a loopback address no other client
/// of this test process uses (127.1.x.y), since views count once per address and article.
pub fn another_reader(agent: &str) -> reqwest::Client {
    let n = READERS.fetch_add(1, Ordering::Relaxed);
    let address = std::net::Ipv4Addr::new(127, 1, (n / 250 % 250) as u8, (n % 250 + 1) as u8);
    reqwest::Client::builder().user_agent(agent).local_address(std::net::IpAddr::V4(address)).build().unwrap()
}

/// A client that keeps no cookies: each test request carries exactly the cookies it names.
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The value a response sets for the cookie `name`.
pub fn cookie_set(r: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|c| c.strip_prefix(&prefix).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}
