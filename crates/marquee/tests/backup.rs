//! Export, restore and backup: a paper written on one database, exported, restored into an
//! empty database of the other kind and exported again gives the same bytes; a bad file or a
//! database that already holds a paper loads nothing.

mod common;

use common::{article_id, TestSite};
use marquee_store::Store;
use std::io::Cursor;
use std::path::{Path, PathBuf};

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 200) as u8, (y % 180) as u8, 77]));
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out.into_inner()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("marquee-backup-{name}-{}-{}", std::process::id(), rand::random::<u32>()))
}

/// Every file under `dir`, relative, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A new, empty database of the other kind than `site`'s: (store, PostgreSQL name to drop).
async fn other_database(site: &TestSite) -> Option<(Store, Option<String>)> {
    match site.store.backend() {
        marquee_store::Backend::Postgres => Some((Store::open(&format!("sqlite://{}", temp("db").join("m.db").display())).await.unwrap(), None)),
        marquee_store::Backend::Sqlite => {
            let admin_url = common::pg_admin_url()?;
            let admin = match Store::connect(&admin_url).await {
                Ok(a) => a,
                Err(e) if std::env::var("MARQUEE_REQUIRE_POSTGRES").as_deref() != Ok("1") => {
                    eprintln!("SKIPPED restoring into PostgreSQL: {e}");
                    return None;
                }
                Err(e) => panic!("PostgreSQL is required: {e}"),
            };
            let name = format!("marquee_t_restore_{}_{}", std::process::id(), rand::random::<u32>());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin.pool()).await.unwrap();
            admin.close().await;
            Some((Store::open(&common::replace_db(&admin_url, &name)).await.unwrap(), Some(name)))
        }
    }
}

both_backends!(an_export_restored_into_the_other_database_exports_the_same_bytes, |site| {
    site.login("editor").await;
    let (status, loc, _) = site.upload("/admin/media", "/admin/media", &[("alt", "The booth"), ("caption", "Reel two")], "booth.jpg", jpeg(700, 400)).await;
    assert_eq!(status, 303);
    let key = site.store.media(loc.trim_start_matches("/admin/media/").split('?').next().unwrap().parse().unwrap()).await.unwrap().unwrap().content_key;
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let body = format!("Première: “quoted” text, a tab\there, and an emoji 🎞.\n\n![](media:{key})");
    let (status, loc, text) = site.write(&[("headline", "Projection booth"), ("slug", "projection-booth"), ("section", &sec), ("author1", &author), ("body", &body), ("lead_image", &key), ("action", "publish")]).await;
    assert_eq!(status, 303, "{text}");
    let id = article_id(&loc);
    let editor = format!("/admin/articles/{id}");
    let (status, _, _) = site.post_form(&editor, &editor, &[("headline", "Projection booth, revised"), ("slug", "projection-booth"), ("section", &sec), ("author1", &author), ("body", &body), ("lead_image", &key), ("action", "publish")]).await;
    assert_eq!(status, 303);

    // A WordPress site moved in: what it became, its custom fields, its comments' names and its
    // old addresses travel too.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wordpress");
    let mut opts = marquee::import::wordpress::Options::new(&site.media);
    opts.uploads = Some(examples.join("uploads"));
    let imported = marquee::import::wordpress::import(&site.store, &examples.join("lantern.WordPress.2025-11-30.xml"), &opts).await.unwrap();
    assert_eq!((imported.added, imported.images), (30, 3), "{}", imported.details());

    let first = temp("first");
    let r = marquee::import::backup::export(&site.store, &site.media, &first, false).await.unwrap();
    assert_eq!(r.media_files, 4);
    for table in ["import_map", "article_fields", "comment_fields", "path_redirects"] {
        assert!(std::fs::read_to_string(first.join(format!("tables/{table}.jsonl"))).unwrap().lines().count() > 2, "{table} is exported");
    }
    assert!(std::fs::read_to_string(first.join("tables/revisions.jsonl")).unwrap().lines().count() >= 2, "both revisions are kept");
    assert!(first.join(format!("media/originals/{key}.jpg")).exists());
    // Exporting into a directory that holds something is refused.
    assert!(marquee::import::backup::export(&site.store, &site.media, &first, false).await.unwrap_err().to_string().contains("not empty"));

    let Some((other, pg_name)) = other_database(&site).await else { return };
    let other_media = marquee_media::Storage::Local(temp("media"));
    // A damaged line loads nothing and names the file and line.
    let broken = temp("broken");
    std::fs::create_dir_all(broken.join("tables")).unwrap();
    for (name, bytes) in files(&first) {
        let path = broken.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let bytes = if name == "tables/articles.jsonl" { String::from_utf8(bytes).unwrap().replacen("{", "{oops", 1).into_bytes() } else { bytes };
        std::fs::write(path, bytes).unwrap();
    }
    let err = marquee::import::backup::restore(&other, &other_media, &broken, false).await.unwrap_err().to_string();
    assert!(err.contains("tables/articles.jsonl:1:"), "{err}");
    assert!(!other.holds_a_paper().await.unwrap(), "nothing was loaded");

    let r = marquee::import::backup::restore(&other, &other_media, &first, false).await.unwrap();
    assert_eq!(r.media_files, 4);
    let second = temp("second");
    marquee::import::backup::export(&other, &other_media, &second, false).await.unwrap();
    let (a, b) = (files(&first), files(&second));
    assert_eq!(a.len(), b.len());
    for ((na, ba), (nb, bb)) in a.iter().zip(&b) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between the export from {:?} and the one after restoring it:\n{}\n{}", site.store.backend(), String::from_utf8_lossy(ba), String::from_utf8_lossy(bb));
    }
    // The restored paper works: its article, its search and new rows after the restored ids.
    let restored = other.live_article("news", "projection-booth", i64::MAX / 2).await.unwrap().expect("the article is there");
    assert_eq!(restored.card.headline, "Projection booth, revised");
    assert!(restored.body_html.contains(&format!("/media/{key}/700.jpg")));
    assert_eq!(other.redirect_target("/?p=110", i64::MAX / 2).await.unwrap().as_deref(), Some("/film/tides-of-the-grand-lake/"));
    assert_eq!(other.redirect_target("/tag/caf%C3%A9-culture/", 0).await.unwrap().as_deref(), Some("/tags/cafe-culture/"));
    let review = other.live_article("film", "tides-of-the-grand-lake", i64::MAX / 2).await.unwrap().expect("the imported review is there");
    let names: Vec<String> = other.article_comments(review.card.id).await.unwrap().into_iter().filter_map(|c| c.author_name).collect();
    assert!(names.iter().any(|n| n == "Ruth Abernathy"), "{names:?}");
    // A second restore into the now full database is refused.
    let err = marquee::import::backup::restore(&other, &other_media, &first, false).await.unwrap_err().to_string();
    assert!(err.contains("already holds a paper"), "{err}");

    other.close().await;
    if let Some(name) = pg_name {
        let admin = Store::connect(&common::pg_admin_url().unwrap()).await.unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(admin.pool()).await;
        admin.close().await;
    }
    for d in [first, second, broken] {
        let _ = std::fs::remove_dir_all(d);
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_sqlite_site_is_backed_up_without_stopping() {
    let site = TestSite::sqlite(marquee_web::WebConfig::default()).await;
    site.login("editor").await;
    let (status, _, _) = site.upload("/admin/media", "/admin/media", &[("alt", "A seat")], "seat.jpg", jpeg(300, 200)).await;
    assert_eq!(status, 303);
    // Writes keep going while the snapshot is taken.
    let writer = {
        let store = site.store.clone();
        tokio::spawn(async move {
            for i in 0..50 {
                store.create_section(&format!("extra-{i}"), &format!("Extra {i}"), "", 10 + i).await.unwrap();
            }
        })
    };
    let dir = temp("snapshot");
    let (bytes, images) = marquee::import::backup::backup(&site.store, &site.media, &dir).await.unwrap();
    writer.await.unwrap();
    assert!(bytes > 0);
    assert_eq!(images, 1);
    let copy = Store::open(&format!("sqlite://{}", dir.join("marquee.db").display())).await.unwrap();
    let sections = copy.table_names().await.unwrap();
    assert!(sections.contains(&"articles".to_string()));
    assert_eq!(copy.media_page(None, 10).await.unwrap().1, 1);
    assert_eq!(site.read("/healthz").await.0, 200, "the site kept serving");
    copy.close().await;
    let _ = std::fs::remove_dir_all(dir);
    site.finish().await;
}

#[test]
fn every_table_is_exported_or_left_out_on_purpose() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let dir = temp("tables");
        let store = Store::open(&format!("sqlite://{}", dir.join("m.db").display())).await.unwrap();
        for t in store.table_names().await.unwrap() {
            assert!(marquee_store::EXPORTED_TABLES.contains(&t.as_str()) || marquee_store::LEFT_OUT_TABLES.contains(&t.as_str()), "the table {t} is neither exported nor left out on purpose");
        }
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    });
}
