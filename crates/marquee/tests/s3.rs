//! Media files in an S3-compatible object store, as several app servers use them: a real
//! server on loopback (`.ci/run` starts s3s-fs; set MARQUEE_TEST_S3_ENDPOINT, with
//! MARQUEE_TEST_S3_ACCESS_KEY and MARQUEE_TEST_S3_SECRET_KEY, to run these elsewhere). Without
//! one the tests print SKIPPED, or fail when MARQUEE_REQUIRE_S3=1, as in CI.

mod common;

use common::{new_client, TestSite};
use marquee_media::s3::Bucket;
use marquee_media::{storage, Storage};
use std::io::Cursor;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 250) as u8, (y % 120) as u8, 140]));
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&img).unwrap();
    out.into_inner()
}

/// A new, empty bucket on the test's object store, or `None` (skipped) when there is none.
async fn bucket() -> Option<Bucket> {
    let required = std::env::var("MARQUEE_REQUIRE_S3").is_ok_and(|v| v == "1");
    let Ok(endpoint) = std::env::var("MARQUEE_TEST_S3_ENDPOINT") else {
        assert!(!required, "MARQUEE_REQUIRE_S3=1 but MARQUEE_TEST_S3_ENDPOINT is not set");
        eprintln!("SKIPPED: no S3-compatible server (set MARQUEE_TEST_S3_ENDPOINT; .ci/run starts one)");
        return None;
    };
    let key = std::env::var("MARQUEE_TEST_S3_ACCESS_KEY").unwrap_or_default();
    let secret = std::env::var("MARQUEE_TEST_S3_SECRET_KEY").unwrap_or_default();
    let name = format!("marquee-t-{}-{}", std::process::id(), rand::random::<u32>());
    let b = Bucket::new(&endpoint, &name, "us-east-1", &key, &secret);
    match b.create().await {
        Ok(()) => Some(b),
        Err(e) if !required => {
            eprintln!("SKIPPED: the S3 server at {endpoint} refused a new bucket: {e}");
            None
        }
        Err(e) => panic!("the S3 server at {endpoint} refused a new bucket: {e}"),
    }
}

async fn s3_site(b: &Bucket, pg: bool) -> Option<TestSite> {
    let web = marquee_web::WebConfig { media: Storage::S3(b.clone()), ..Default::default() };
    if pg {
        TestSite::postgres(web).await
    } else {
        Some(TestSite::sqlite(web).await)
    }
}

async fn two_servers_share_one_bucket(pg: bool) {
    let Some(b) = bucket().await else { return };
    let Some(site) = s3_site(&b, pg).await else { return };
    site.login("editor").await;
    let original = jpeg(900, 600);
    let (status, loc, body) = site.upload("/admin/media", "/admin/media", &[("alt", "A lobby"), ("caption", ""), ("credit", "")], "lobby.jpg", original.clone()).await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = loc.trim_start_matches("/admin/media/").split('?').next().unwrap().parse().unwrap();
    let row = site.store.media(id).await.unwrap().unwrap();
    let key = row.content_key.clone();
    assert_eq!(b.get(&storage::original_key(&key, "jpg")).await.unwrap(), Some(original), "the original is in the bucket");

    // This server makes a rendition and keeps it in the bucket...
    let r = new_client().get(site.url(&format!("/media/{key}/320.webp"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/webp");
    let served = r.bytes().await.unwrap().to_vec();
    assert_eq!(b.get(&storage::rendition_key(&key, 320, "webp")).await.unwrap(), Some(served.clone()));

    // ...and a second server on the same database and bucket serves the same bytes, and makes
    // the ones still missing from the original in the bucket.
    let state = marquee_web::AppState::new(site.store.clone(), marquee_web::WebConfig { media: Storage::S3(b.clone()), ..Default::default() }).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(marquee_web::serve_until(listener, state, async move {
        let _ = stopped.await;
    }));
    let r = new_client().get(format!("{second}/media/{key}/320.webp")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), served);
    let r = new_client().get(format!("{second}/media/{key}/640.jpg")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(image::load_from_memory(&r.bytes().await.unwrap()).unwrap().width(), 640);
    let _ = stop.send(());
    let _ = server.await;

    // An export takes the originals out of the bucket.
    let out = std::env::temp_dir().join(format!("marquee-s3-export-{}", rand::random::<u32>()));
    let r = marquee::import::backup::export(&site.store, &site.media, &out, false).await.unwrap();
    assert_eq!(r.media_files, 1);
    assert!(out.join(format!("media/originals/{key}.jpg")).exists());
    let _ = std::fs::remove_dir_all(&out);

    // Removing the image from the library leaves its files in the bucket (a page cached
    // elsewhere may still name them), and its address then answers 404.
    let page = format!("/admin/media/{id}");
    let (status, _, body) = site.post_form(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("lobby.jpg was removed from the library."));
    assert!(b.get(&storage::original_key(&key, "jpg")).await.unwrap().is_some());
    assert_eq!(new_client().get(site.url(&format!("/media/{key}/320.webp"))).send().await.unwrap().status(), 404);
    site.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_bucket_sqlite() {
    two_servers_share_one_bucket(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_bucket_postgres() {
    two_servers_share_one_bucket(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_an_error_that_says_so() {
    let Some(b) = bucket().await else { return };
    let wrong = Bucket::new(&b.endpoint, &b.bucket, "us-east-1", &std::env::var("MARQUEE_TEST_S3_ACCESS_KEY").unwrap_or_default(), "not-the-secret");
    let err = Storage::S3(wrong).put("originals/abc.jpg", b"x", "image/jpeg").await.unwrap_err().to_string();
    assert!(err.contains("answered 403"), "{err}");
}
