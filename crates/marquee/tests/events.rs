//! Events and venues end to end, over real HTTP, on both databases: the newsroom's forms, the
//! calendar and event pages, the calendar file and structured data, and CSV feeds.

mod common;

#[allow(unused_imports)]
use common::{new_client, TestSite};

/// A date `days` from today in Los Angeles, as YYYY-MM-DD.
fn la_date(days: i64) -> String {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    today.checked_add(jiff::ToSpan::days(days)).unwrap().to_string()
}

fn feed(lines: &[String]) -> String {
    let mut text = "id,title,category,start,end,all_day,price,ticket_url,venue_id,venue_name,address,city,state,postal_code,latitude,longitude,time_zone,description\n".to_string();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    text
}

both_backends!(csv_feeds_add_then_update_and_a_bad_line_writes_nothing, |site| {
    let (d1, d2) = (la_date(3), la_date(4));
    let lines = vec![
        format!("E1,Jazz on the Lake,music,{d1} 20:00,{d1} 23:00,,$15,https://tix.example/e1,V1,Lakeside Hall,1 Lake St,Oakland,CA,94612,,,America/Los_Angeles,\"Doors at 7, show at 8; bring friends.\""),
        format!("E2,Craft Fair,community,{d1},{d2},true,Free,,V1,,,,,,,,,"),
        format!("E3,Comedy Night,comedy,{d2}T21:00,,,,,V2,The Basement,9 Low Rd,Brooklyn,NY,,40.68,-73.97,America/New_York,"),
    ];
    let first = marquee::import::import_events(&site.store, "events.csv", &feed(&lines)).await.unwrap();
    assert_eq!((first.added, first.updated, first.unchanged, first.venues_added), (3, 0, 0, 2));
    let again = marquee::import::import_events(&site.store, "events.csv", &feed(&lines)).await.unwrap();
    assert_eq!((again.added, again.updated, again.unchanged, again.venues_added, again.venues_updated), (0, 0, 3, 0, 0));
    let mut changed = lines.clone();
    changed[2] = format!("E3,Comedy Night (late show),comedy,{d2}T22:00,,,,,V2,,,,,,,,,");
    let third = marquee::import::import_events(&site.store, "events.csv", &feed(&changed)).await.unwrap();
    assert_eq!((third.added, third.updated, third.unchanged), (0, 1, 2));
    let e3 = site.store.event_by_slug(&format!("comedy-night-{d2}")).await.unwrap().expect("the slug is kept on update");
    assert_eq!(e3.event.card.title, "Comedy Night (late show)");
    assert_eq!(e3.venue.time_zone, "America/New_York");
    let fair = site.store.event_by_slug(&format!("craft-fair-{d1}")).await.unwrap().unwrap();
    assert!(fair.event.card.all_day && fair.event.card.ends_at.unwrap() - fair.event.card.starts_at == 2 * 86400);
    let v1 = site.store.venue_by_external_id("V1").await.unwrap().unwrap();
    assert_eq!(v1.latitude, Some(marquee_domain::geo::zip("94612").unwrap().latitude), "placed by its ZIP code");

    // One bad line (zone, date, category or unknown venue) refuses the whole file.
    let before = site.store.content_version().await.unwrap();
    let bad = vec![
        format!("N1,New Show,music,{d1}T20:00,,,,,V1,,,,,,,,,"),
        format!("N2,Moon Show,music,{d1}T20:00,,,,,V9,Moon Base,,,,,,,Mars/Base,"),
        "N3,Sometime,music,next Tuesday,,,,,V1,,,,,,,,,".to_string(),
        format!("N4,Opera,opera,{d1}T20:00,,,,,V1,,,,,,,,,"),
        format!("N5,Nowhere,arts,{d1}T20:00,,,,,V7,,,,,,,,,"),
        format!("N6,Backwards,arts,{d1}T20:00,{d1}T19:00,,,javascript:alert(1),V1,,,,,,,,,"),
    ];
    let err = marquee::import::import_events(&site.store, "bad.csv", &feed(&bad)).await.unwrap_err().to_string();
    for needle in ["nothing was imported", "bad.csv:3: venue “V9”: “Mars/Base” is not an IANA time zone", "bad.csv:4: start: “next Tuesday” is not a date", "bad.csv:5: category: “opera” is not an event category", "bad.csv:6: no venue has the id “V7”", "bad.csv:7: end: the end must be after the start; ticket_url: a ticket link"] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    assert!(!err.contains("bad.csv:2:"), "{err}");
    assert!(site.store.event_by_slug(&format!("new-show-{d1}")).await.unwrap().is_none(), "the good line was not written either");
    assert_eq!(site.store.content_version().await.unwrap(), before);
    let err = marquee::import::import_events(&site.store, "x.csv", "title,start\nA,2026-01-01T10:00\n").await.unwrap_err().to_string();
    assert!(err.contains("x.csv:1: the header must name"), "{err}");
});
