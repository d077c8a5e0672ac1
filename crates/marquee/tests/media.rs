//! The media library over real HTTP on both databases: uploads checked by their bytes, refused
//! with a reason, renditions made by the background queue and served for a year, alt text
//! required before publishing, and lead and body images on the article page.

mod common;

use common::{article_id, new_client, TestSite};
use std::io::Cursor;

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 199) as u8]));
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88).encode_image(&img).unwrap();
    out.into_inner()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([(x % 256) as u8, 40, (y % 256) as u8, 200]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The media id in `/admin/media/{id}?...`.
fn media_id(loc: &str) -> i64 {
    loc.trim_start_matches("/admin/media/").split('?').next().unwrap().parse().unwrap_or_else(|_| panic!("not a media page: {loc}"))
}

/// Waits until the queue has made every rendition of `id`.
async fn wait_ready(site: &TestSite, id: i64) -> marquee_store::MediaRow {
    for _ in 0..200 {
        let row = site.store.media(id).await.unwrap().unwrap();
        if row.ready == 1 {
            return row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the renditions of media {id} were not made within 20 s: {:?}", site.store.media_queue_stats().await.unwrap());
}

async fn upload(site: &TestSite, name: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> (u16, String, String) {
    site.upload("/admin/media", "/admin/media", fields, name, bytes).await
}

both_backends!(uploads_are_checked_by_content_and_served_in_every_width, |site| {
    site.login("writer").await;
    let (status, loc, body) = upload(&site, "marquee.jpg", jpeg(1500, 1000), &[("alt", "The marquee of the Grand Lake at dusk"), ("caption", "Opening night"), ("credit", "Photo: Staff")]).await;
    assert_eq!(status, 303, "{body}");
    assert!(loc.ends_with("?uploaded=new"), "{loc}");
    let id = media_id(&loc);
    let row = wait_ready(&site, id).await;
    assert_eq!((row.kind.as_str(), row.width, row.height, row.alt.as_str()), ("jpeg", 1500, 1000, "The marquee of the Grand Lake at dusk"));
    let key = row.content_key.clone();

    // Every planned rendition is served, with a year's cache and the right type and size.
    for (w, ext, mime) in [(320, "webp", "image/webp"), (640, "jpg", "image/jpeg"), (1280, "webp", "image/webp"), (1500, "jpg", "image/jpeg")] {
        let r = new_client().get(site.url(&format!("/media/{key}/{w}.{ext}"))).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "/media/{key}/{w}.{ext}");
        assert_eq!(r.headers()["content-type"], mime);
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
        let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(img.width(), w);
        assert_eq!(img.height(), (1000 * w + 750) / 1500);
    }
    // Nothing outside the plan: other widths, formats, keys, or paths that try to leave it.
    for path in [format!("/media/{key}/321.webp"), format!("/media/{key}/1920.jpg"), format!("/media/{key}/320.svg"), format!("/media/{key}/0320.jpg"), "/media/ffffffffffffffffffffffff/320.jpg".to_string(), "/media/..%2F..%2Fetc/passwd".to_string()] {
        assert_eq!(site.read(&path).await.0, 404, "{path}");
    }

    // The same file again is the same item.
    let (status, loc, _) = upload(&site, "copy.jpg", jpeg(1500, 1000), &[]).await;
    assert_eq!((status, media_id(&loc)), (303, id));
    assert!(loc.ends_with("?uploaded=again"), "{loc}");

    // Refused by content whatever the name says, each with its reason; nothing is added.
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>".to_vec();
    let mut cut = jpeg(400, 300);
    cut.truncate(cut.len() / 3);
    for (name, bytes, says) in [
        ("photo.jpg", svg, "SVG images are not accepted"),
        ("photo.png", b"<html><body><script>alert(1)</script></body></html>".to_vec(), "is not a JPEG, PNG, GIF or WebP image"),
        ("photo.avif", b"\0\0\0\x1cftypavif\0\0\0\0mif1avif".to_vec(), "AVIF images cannot be processed"),
        ("cut.jpg", cut, "could not be read"),
    ] {
        let (status, _, body) = upload(&site, name, bytes, &[("alt", "x")]).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert!(body.contains(says), "{name} should say {says:?}: {body}");
    }
    let (status, _, body) = upload(&site, "empty.jpg", Vec::new(), &[]).await;
    assert_eq!(status, 422);
    assert!(body.contains("Choose an image file"), "{body}");
    assert_eq!(site.store.media_page(None, 100).await.unwrap().1, 1);

    // The library lists it with the line to paste into a body.
    let (_, html) = site.get("/admin/media").await;
    assert!(html.contains(&format!("![The marquee of the Grand Lake at dusk](media:{key})")), "{html}");
    assert!(html.contains("1500×1000 JPEG"), "{html}");
});

fn small_limits() -> marquee_web::WebConfig {
    marquee_web::WebConfig { media_limits: marquee_media::Limits { max_bytes: 200 * 1024, max_pixels: 1_000_000, max_side: 4000 }, ..Default::default() }
}

both_backends!(size_and_pixel_limits_are_refused_with_the_numbers, small_limits(), |site| {
    site.login("editor").await;
    let (status, _, body) = upload(&site, "wide.png", png(1200, 1000), &[]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("1200×1000 pixels") && body.contains("1 megapixels"), "{body}");
    let noise: Vec<u8> = (0..300 * 1024u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let mut big = b"\xFF\xD8\xFF".to_vec();
    big.extend(noise);
    let (status, _, body) = upload(&site, "big.jpg", big, &[]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("The file is 0.3 MB; images can be at most 0.2 MB."), "{body}");
    assert_eq!(site.store.media_page(None, 100).await.unwrap().1, 0);
});

both_backends!(alt_text_is_required_before_lead_and_body_images_are_published, |site| {
    site.login("editor").await;
    let (_, loc, _) = upload(&site, "lead.jpg", jpeg(2000, 1200), &[("caption", "The <b>lobby</b> & bar"), ("credit", "Photo: R. \"Bo\" Ng")]).await;
    let lead = site.store.media(media_id(&loc)).await.unwrap().unwrap();
    let (_, loc, _) = upload(&site, "inset.png", png(500, 400), &[]).await;
    let inset = site.store.media(media_id(&loc)).await.unwrap().unwrap();
    let sec = site.section_id("news").await;
    let author = site.author_id("eddie-editor").await;
    let body = format!("The lobby reopened.\n\n![](media:{})\n\nMore text.", inset.content_key);
    let fields = |action: &'static str| {
        vec![("headline", "The Grand Lake reopens".to_string()), ("section", sec.clone()), ("author1", author.clone()), ("body", body.clone()), ("lead_image", lead.content_key.clone()), ("action", action.to_string())]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let draft = as_refs(&fields("save"));
    let draft: Vec<(&str, &str)> = draft.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, loc, text) = site.write(&draft).await;
    assert_eq!(status, 303, "a draft may lack alt text: {text}");
    let id = article_id(&loc);

    let publish = as_refs(&fields("publish"));
    let publish: Vec<(&str, &str)> = publish.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let editor = format!("/admin/articles/{id}");
    let (status, _, html) = site.post_form(&editor, &editor, &publish).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("The lead image has no alt text"), "{html}");
    assert!(html.contains("The image inset.png has no alt text"), "{html}");

    // Alt text in the library (for the lead) and in the body (for the inset) let it out.
    let page = format!("/admin/media/{}", lead.id);
    let (status, _, _) = site.post_form(&page, &page, &[("alt", "The lobby's chandelier"), ("caption", "The <b>lobby</b> & bar"), ("credit", "Photo: R. \"Bo\" Ng")]).await;
    assert_eq!(status, 303);
    let body = format!("The lobby reopened.\n\n![A ticket stub](media:{})\n\nMore text.", inset.content_key);
    let mut publish: Vec<(&str, &str)> = publish.into_iter().filter(|(k, _)| *k != "body").collect();
    publish.push(("body", &body));
    let (status, _, html) = site.post_form(&editor, &editor, &publish).await;
    assert_eq!(status, 303, "{html}");

    let (status, html) = site.read("/news/the-grand-lake-reopens/").await;
    assert_eq!(status, 200);
    let k = &lead.content_key;
    assert!(html.contains(&format!("<source type=\"image/webp\" srcset=\"/media/{k}/320.webp 320w, /media/{k}/640.webp 640w, /media/{k}/960.webp 960w, /media/{k}/1280.webp 1280w, /media/{k}/1920.webp 1920w\"")), "{html}");
    assert!(html.contains(&format!("src=\"/media/{k}/960.jpg\"")) && html.contains("width=\"1920\" height=\"1152\" alt=\"The lobby&#39;s chandelier\""), "{html}");
    assert!(html.contains("<figcaption>The &lt;b&gt;lobby&lt;/b&gt; &amp; bar <span class=\"credit\">Photo: R. &quot;Bo&quot; Ng</span></figcaption>"), "{html}");
    assert!(html.contains(&format!("<meta property=\"og:image\" content=\"{}/media/{k}/1920.jpg\">", site.base)), "{html}");
    assert!(html.contains(&format!("\"image\":{{\"@type\":\"ImageObject\",\"height\":1152,\"url\":\"{}/media/{k}/1920.jpg\",\"width\":1920}}", site.base)), "{html}");
    let ik = &inset.content_key;
    assert!(html.contains(&format!("<figure class=\"media\"><picture><source type=\"image/webp\" srcset=\"/media/{ik}/320.webp 320w, /media/{ik}/500.webp 500w\"")), "{html}");
    assert!(html.contains("alt=\"A ticket stub\" loading=\"lazy\""), "{html}");

    // A new caption in the library shows in the bodies that carry the image.
    let page = format!("/admin/media/{}", inset.id);
    let (status, _, _) = site.post_form(&page, &page, &[("alt", "Stub"), ("caption", "Kept since 1926"), ("credit", "")]).await;
    assert_eq!(status, 303);
    let (_, html) = site.read("/news/the-grand-lake-reopens/").await;
    assert!(html.contains("<figcaption>Kept since 1926</figcaption>"), "{html}");

    // An image an article shows stays in the library.
    let (status, _, html) = site.post_form(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(status, 409, "{html}");
    assert!(site.store.media(inset.id).await.unwrap().is_some());
});

both_backends!(an_image_uploaded_from_the_editor_can_lead_the_article, |site| {
    site.login("writer").await;
    let sec = site.section_id("news").await;
    let author = site.author_id("wren-writer").await;
    let (status, loc, _) = site.write(&[("headline", "Draft with a picture"), ("section", &sec), ("author1", &author), ("body", "Words."), ("action", "save")]).await;
    assert_eq!(status, 303);
    let id = article_id(&loc);
    let editor = format!("/admin/articles/{id}");
    let (status, loc, body) = site.upload(&editor, "/admin/media", &[("article", &id.to_string()), ("lead", "1"), ("alt", "A projector")], "projector.png", png(800, 600)).await;
    assert_eq!(status, 303, "{body}");
    let key = loc.split("uploaded=").nth(1).unwrap().to_string();
    assert!(loc.starts_with(&format!("/admin/articles/{id}?")), "{loc}");
    let (_, html) = site.get(&loc).await;
    assert!(html.contains("Uploaded and made the lead image"), "{html}");
    assert!(html.contains(&format!("name=\"lead_image\" value=\"{key}\"")), "{html}");
    assert_eq!(site.store.article_record(id.parse().unwrap()).await.unwrap().unwrap().lead_media_key.as_deref(), Some(key.as_str()));

    // A refused upload goes back to the editor with the reason, and changes nothing.
    let (status, loc, _) = site.upload(&editor, "/admin/media", &[("article", &id.to_string()), ("lead", "1")], "evil.svg", b"<svg onload=alert(1)>".to_vec()).await;
    assert_eq!(status, 303);
    let (_, html) = site.get(&loc).await;
    assert!(html.contains("SVG images are not accepted"), "{html}");
    assert_eq!(site.store.article_record(id.parse().unwrap()).await.unwrap().unwrap().lead_media_key.as_deref(), Some(key.as_str()));

    // Another contributor cannot change this writer's image.
    let other = new_client();
    site.login_as(&other, "other").await;
    let row = site.store.media_by_key(&key).await.unwrap().unwrap();
    let page = format!("/admin/media/{}", row.id);
    let (_, html) = common::get_with(&other, &site.url(&page)).await;
    let csrf = common::csrf_in(&html);
    let r = other.post(site.url(&page)).form(&[("_csrf", csrf.as_str()), ("alt", "defaced")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(site.store.media(row.id).await.unwrap().unwrap().alt, "A projector");
});
