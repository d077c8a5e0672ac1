//! Events and venues end to end, over real HTTP, on both databases: the newsroom's forms, the
//! calendar and event pages, the calendar file and structured data, and CSV feeds.

mod common;

use common::{new_client, TestSite};

/// A date `days` from today in Los Angeles, as YYYY-MM-DD.
fn la_date(days: i64) -> String {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    today.checked_add(jiff::ToSpan::days(days)).unwrap().to_string()
}

fn la_tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("America/Los_Angeles").unwrap()
}

/// Adds a venue through the newsroom form; returns its id.
async fn add_venue(site: &TestSite, name: &str, zip: &str, zone: &str) -> String {
    let (status, loc, html) = site.post_form("/admin/venues", "/admin/venues", &[("name", name), ("address", "1 Lake St"), ("city", "Oakland"), ("state", "CA"), ("postal_code", zip), ("position", ""), ("time_zone", zone), ("url", "https://venue.example")]).await;
    assert_eq!(status, 303, "{html}");
    loc.trim_start_matches("/admin/venues/").split('?').next().unwrap().to_string()
}

/// Adds an event through the newsroom form; returns its id.
async fn add_event(site: &TestSite, fields: &[(&str, &str)]) -> i64 {
    let (status, loc, html) = site.post_form("/admin/events/new", "/admin/events/new", fields).await;
    assert_eq!(status, 303, "{html}");
    assert!(loc.ends_with("?saved=1"), "{loc}");
    loc.trim_start_matches("/admin/events/").split('?').next().unwrap().parse().unwrap()
}

async fn slug_of(site: &TestSite, id: i64) -> String {
    site.store.event(id).await.unwrap().unwrap().event.card.slug
}

/// The text between the heading of `day` on a calendar page and the next day's heading.
fn day_section<'a>(page: &'a str, day: &str) -> &'a str {
    let start = page.find(&format!("id=\"day-{day}\"")).unwrap_or_else(|| panic!("no heading for {day} in {page}"));
    let rest = &page[start..];
    let end = rest[10..].find("id=\"day-").map(|e| e + 10).unwrap_or(rest.len());
    &rest[..end]
}

fn jsonld(page: &str) -> serde_json::Value {
    let marker = "<script type=\"application/ld+json\">";
    let start = page.find(marker).expect("JSON-LD") + marker.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
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

both_backends!(an_editor_adds_a_venue_and_an_event_that_readers_find_on_its_local_day, |site| {
    site.login("editor").await;
    let venue = add_venue(&site, "Lakeside Hall", "94612", "America/Los_Angeles").await;
    let v = site.store.venue(venue.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(v.latitude, Some(marquee_domain::geo::zip("94612").unwrap().latitude), "placed by its ZIP code");
    let (d, next) = (la_date(5), la_date(6));
    let start = format!("{d}T23:30");
    let end = format!("{next}T01:30");
    let title = "Midnight Jazz <script>alert(1)</script>";
    let id = add_event(
        &site,
        &[
            ("title", title),
            ("slug", ""),
            ("venue_id", &venue),
            ("category", "music"),
            ("start", &start),
            ("end", &end),
            ("price", "$15"),
            ("ticket_url", "https://tix.example/jazz"),
            ("description", "Doors at 7, show at 8; **bring** friends.\n\n<script>alert('x')</script>\n\n[tickets](javascript:alert(2))"),
        ],
    )
    .await;
    let slug = slug_of(&site, id).await;
    assert!(slug.starts_with("midnight-jazz") && slug.ends_with(&d), "slug from the title and local date: {slug}");

    // 23:30 in Los Angeles is the next day in UTC: the calendar puts it on its local day.
    let (status, cal) = site.read("/events/").await;
    assert_eq!(status, 200);
    let day = day_section(&cal, &d);
    assert!(day.contains(&format!("href=\"/events/{slug}/\"")), "{day}");
    assert!(day.contains("11:30 p.m.") && day.contains("Lakeside Hall") && day.contains("$15"), "{day}");
    assert!(cal.contains("Midnight Jazz &lt;script&gt;alert(1)&lt;/script&gt;") && !cal.contains("<script>alert(1)"), "the title is escaped");
    assert!(cal.contains("href=\"/events/\" aria-current=\"page\""), "Events is marked in the site navigation");

    let (status, page) = site.read(&format!("/events/{slug}/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<strong>bring</strong>") && !page.contains("alert('x')") && !page.contains("javascript:"), "the description is sanitized");
    assert!(!page.contains("<script>alert"), "no script from the title either");
    assert!(page.contains(&format!("href=\"/events/{slug}/event.ics\"")) && page.contains("Add to calendar (.ics)"));
    assert!(page.contains("href=\"https://tix.example/jazz\"") && page.contains("1 Lake St, Oakland, CA 94612"));
    let ld = jsonld(&page);
    let tz = la_tz();
    let starts = marquee_domain::time::parse_datetime_local(&start, &tz).unwrap();
    let offset = jiff::Timestamp::from_second(starts).unwrap().to_zoned(tz.clone()).strftime("%:z").to_string();
    assert_eq!(ld["@type"], "Event");
    assert_eq!(ld["name"], title);
    assert_eq!(ld["startDate"], format!("{start}:00{offset}"));
    assert!(ld["endDate"].as_str().unwrap().starts_with(&format!("{end}:00")));
    assert_eq!(ld["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode");
    assert_eq!(ld["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(ld["location"]["@type"], "Place");
    assert_eq!(ld["location"]["address"]["postalCode"], "94612");
    assert!(ld["location"]["geo"]["latitude"].as_f64().unwrap() > 37.0);
    assert_eq!((ld["offers"]["price"].as_str(), ld["offers"]["priceCurrency"].as_str(), ld["offers"]["url"].as_str()), (Some("15.00"), Some("USD"), Some("https://tix.example/jazz")));
    assert_eq!(ld["url"], site.url(&format!("/events/{slug}/")));
    assert!(ld["description"].as_str().unwrap().starts_with("Doors at 7, show at 8; bring friends."));

    let r = new_client().get(site.url(&format!("/events/{slug}/event.ics"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    let utc = |t: i64| jiff::Timestamp::from_second(t).unwrap().strftime("%Y%m%dT%H%M%SZ").to_string();
    assert!(ics.contains(&format!("\r\nDTSTART:{}\r\n", utc(starts))), "{ics}");
    assert!(ics.contains(&format!("\r\nDTEND:{}\r\n", utc(starts + 2 * 3600))), "{ics}");
    assert!(ics.contains(&format!("UID:event-{id}@127.0.0.1")));
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("DESCRIPTION:Doors at 7\\, show at 8\\; bring friends."), "{unfolded}");
    assert!(unfolded.contains("LOCATION:Lakeside Hall\\, 1 Lake St\\, Oakland\\, CA 94612"), "{unfolded}");
    assert!(unfolded.contains("SUMMARY:Midnight Jazz <script>alert(1)</script>") && unfolded.contains("Tickets: https://tix.example/jazz"));
    assert!(ics.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));

    // The newsroom lists it, and an edit shows at once on the cached calendar.
    let (_, list) = site.get("/admin/events").await;
    assert!(list.contains(&format!("href=\"/admin/events/{id}\"")));
    let edit = format!("/admin/events/{id}");
    let (_, form) = site.get(&edit).await;
    assert!(form.contains(&format!("value=\"{start}\"")) && form.contains("value=\"$15\""), "the form shows local times");
    let (status, _, _) = site.post_form(&edit, &edit, &[("title", "Midnight Jazz"), ("slug", &slug), ("venue_id", &venue), ("category", "music"), ("start", &start), ("end", &end), ("price", "$20")]).await;
    assert_eq!(status, 303);
    let (_, cal) = site.read("/events/").await;
    assert!(cal.contains("$20") && !cal.contains("&lt;script&gt;"), "the page cache was refreshed");
});

both_backends!(the_category_filter_marks_the_current_category, |site| {
    site.login("editor").await;
    let venue = add_venue(&site, "The Basement", "94612", "America/Los_Angeles").await;
    let d = la_date(2);
    add_event(&site, &[("title", "Loud Band"), ("venue_id", &venue), ("category", "music"), ("start", &format!("{d}T20:00"))]).await;
    add_event(&site, &[("title", "Funny Person"), ("venue_id", &venue), ("category", "comedy"), ("start", &format!("{d}T21:00"))]).await;
    let (_, all) = site.read("/events/").await;
    assert!(all.contains("Loud Band") && all.contains("Funny Person"));
    assert!(all.contains("<a href=\"/events/\" aria-current=\"page\">All</a>"), "{all}");
    let (status, music) = site.read("/events/?category=music").await;
    assert_eq!(status, 200);
    assert!(music.contains("Loud Band") && !music.contains("Funny Person"));
    assert!(music.contains("<a href=\"/events/?category=music\" aria-current=\"page\">Music</a>"), "{music}");
    assert!(!music.contains("<a href=\"/events/\" aria-current=\"page\">All</a>"));
    let (_, kids) = site.read("/events/?category=KIDS").await;
    assert!(kids.contains("No events in Kids are listed for"), "a clear message when nothing is listed");
    let (_, one_day) = site.read(&format!("/events/?from={d}&days=1&category=comedy")).await;
    assert!(one_day.contains("Funny Person") && !one_day.contains("Loud Band"));
    assert!(one_day.contains(&format!("from={}&amp;days=1&amp;category=comedy", la_date(3))), "the next period keeps the settings");
    assert!(one_day.contains("name=\"category\" value=\"comedy\""), "the date form keeps the category");
});

both_backends!(past_events_leave_the_calendar_but_keep_their_pages_and_running_ones_continue, |site| {
    let (past, before, later) = (la_date(-10), la_date(-3), la_date(3));
    let lines = vec![
        format!("P1,Old Show,theater,{past}T19:00,{past}T21:00,,,,V1,Old Hall,,,,94612,,,America/Los_Angeles,"),
        format!("P2,Long Exhibit,arts,{before}T10:00,{later}T18:00,,,,V1,,,,,,,,,"),
    ];
    marquee::import::import_events(&site.store, "past.csv", &feed(&lines)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await; // the server notices the change
    let (_, cal) = site.read("/events/").await;
    assert!(!cal.contains("Old Show"), "a past event is not listed by default");
    let today = day_section(&cal, &la_date(0));
    assert!(today.contains("Continuing") && today.contains("Long Exhibit"), "a running event leads the first day: {today}");
    let old = site.store.event_by_slug(&format!("old-show-{past}")).await.unwrap().unwrap();
    let (status, page) = site.read(&format!("/events/{}/", old.event.card.slug)).await;
    assert_eq!(status, 200);
    assert!(page.contains("This event is over"));
    let (_, then) = site.read(&format!("/events/?from={past}&days=1")).await;
    assert!(then.contains("Old Show"));
    assert_eq!(site.read("/events/no-such-event/").await.0, 404);
    assert_eq!(site.read("/events/no-such-event/event.ics").await.0, 404);
    assert_eq!(site.location("/events").await, (301, "/events/".to_string()));
});

both_backends!(bad_calendar_queries_are_refused_with_a_message, |site| {
    for (query, message) in [("from=yesterday", "is not a date"), ("days=0", "from 1 to 62"), ("days=63", "from 1 to 62"), ("days=two", "from 1 to 62"), ("category=opera", "is not an event category")] {
        let (status, page) = site.read(&format!("/events/?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(page.contains(message), "{query}: {page}");
    }
    let (status, _) = site.read("/events/?from=&category=&days=").await;
    assert_eq!(status, 200, "empty fields mean the defaults");
});

both_backends!(contributors_cannot_manage_events_or_venues, |site| {
    let writer = new_client();
    site.login_as(&writer, "writer").await;
    for path in ["/admin/events", "/admin/events/new", "/admin/venues", "/admin/events/1", "/admin/events/1/delete", "/admin/venues/1"] {
        assert_eq!(common::get_with(&writer, &site.url(path)).await.0, 403, "{path}");
    }
    let (_, page) = common::get_with(&writer, &site.url("/admin/")).await;
    let csrf = common::csrf_in(&page);
    for path in ["/admin/events/new", "/admin/venues", "/admin/events/1/delete"] {
        let r = writer.post(site.url(path)).form(&[("_csrf", csrf.as_str()), ("name", "Sneaky"), ("time_zone", "UTC")]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 403, "{path}");
    }
    assert!(site.store.venues().await.unwrap().is_empty());
    assert!(!page.contains("href=\"/admin/events\""), "the nav does not offer them");
    site.login("editor").await;
    let (_, page) = site.get("/admin/").await;
    assert!(page.contains("href=\"/admin/events\"") && page.contains("href=\"/admin/venues\""));
});

both_backends!(the_event_form_keeps_what_was_typed_when_it_is_refused, |site| {
    site.login("editor").await;
    let (status, _, html) = site.post_form("/admin/venues", "/admin/venues", &[("name", "Moon Room"), ("time_zone", "Mars/Base"), ("position", "95, 10")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("is not an IANA time zone") && html.contains("Give a latitude and longitude") && html.contains("value=\"Moon Room\""));
    let venue = add_venue(&site, "Moon Room", "", "America/Chicago").await;
    assert_eq!(site.store.venue(venue.parse().unwrap()).await.unwrap().unwrap().latitude, None, "a venue may have no position");
    let d = la_date(4);
    let fields = [
        ("title", "Backwards Show"),
        ("venue_id", venue.as_str()),
        ("category", "dance"),
        ("start", &format!("{d}T20:00")),
        ("end", &format!("{d}T19:00")),
        ("price", "Free"),
        ("ticket_url", "javascript:alert(1)"),
        ("description", "Some *words*."),
    ];
    let (status, _, html) = site.post_form("/admin/events/new", "/admin/events/new", &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("The end must be after the start.") && html.contains("A ticket link starts with https://"));
    assert!(html.contains("Nothing was saved"));
    for kept in ["value=\"Backwards Show\"", &format!("value=\"{d}T19:00\""), "Some *words*.", "value=\"dance\" selected", &format!("value=\"{venue}\" selected")] {
        assert!(html.contains(kept), "the form keeps {kept}");
    }
    let (status, _, html) = site.post_form("/admin/events/new", "/admin/events/new", &[("title", "No Venue"), ("category", "film"), ("start", &format!("{d}T20:00"))]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a venue."));
    assert!(site.store.upcoming_events(0, marquee_store::EVENT_CURSOR_START, 10).await.unwrap().is_empty());
});

both_backends!(slugs_move_with_a_redirect_and_events_are_deleted_after_asking, |site| {
    site.login("editor").await;
    let venue = add_venue(&site, "Hall", "94612", "America/Los_Angeles").await;
    let d = la_date(7);
    let start = format!("{d}T19:00");
    let fields = |slug: &'static str| vec![("title", "Poetry Slam"), ("slug", slug), ("venue_id", venue.as_str()), ("category", "community"), ("start", start.as_str())];
    let id = add_event(&site, &fields("poetry-slam")).await;
    let (status, _, html) = site.post_form("/admin/events/new", "/admin/events/new", &fields("poetry-slam")).await;
    assert_eq!(status, 422, "a slug that is taken is refused");
    assert!(html.contains("Another event already has the slug"));
    let id2 = add_event(&site, &fields("")).await;
    assert_eq!(slug_of(&site, id2).await, format!("poetry-slam-{d}"));
    let edit = format!("/admin/events/{id}");
    let (status, _, _) = site.post_form(&edit, &edit, &fields("poetry-slam-finals")).await;
    assert_eq!(status, 303);
    assert_eq!(site.location("/events/poetry-slam/").await, (301, "/events/poetry-slam-finals/".to_string()));
    assert_eq!(site.location("/events/poetry-slam/event.ics").await, (301, "/events/poetry-slam-finals/event.ics".to_string()));

    // A special report lists the event; deleting the event takes the item with it.
    let (report,): (i64,) = sqlx::query_as("INSERT INTO reports (slug, title, status, updated_at) VALUES ('best-of', 'Best Of', 'published', 0) RETURNING id").fetch_one(site.store.pool()).await.unwrap();
    sqlx::query("INSERT INTO report_items (report_id, position, event_id) VALUES ($1, 1, $2)").bind(report).bind(id).execute(site.store.pool()).await.unwrap();
    let (status, confirm) = site.get(&format!("{edit}/delete")).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Delete this event?") && confirm.contains("Poetry Slam") && confirm.contains("method=\"post\""));
    assert_eq!(site.read("/events/poetry-slam-finals/").await.0, 200, "asking deletes nothing");
    let (status, loc, _) = site.post_form(&format!("{edit}/delete"), &format!("{edit}/delete"), &[]).await;
    assert_eq!((status, loc.as_str()), (303, "/admin/events?deleted=1"));
    assert_eq!(site.read("/events/poetry-slam-finals/").await.0, 404);
    assert_eq!(site.read("/events/poetry-slam/").await.0, 404, "its old address goes with it");
    assert!(site.get("/admin/events?deleted=1").await.1.contains("The event was deleted."));
    let (items,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM report_items").fetch_one(site.store.pool()).await.unwrap();
    assert_eq!(items, 0);
});

both_backends!(editors_upload_an_events_feed, |site| {
    let editor = new_client();
    site.login_as(&editor, "editor").await;
    let (_, page) = common::get_with(&editor, &site.url("/admin/feeds")).await;
    assert!(page.contains("action=\"/admin/feeds/events\""));
    let upload = |body: String| {
        let csrf = common::csrf_in(&page);
        let client = editor.clone();
        let url = site.url("/admin/feeds/events");
        async move {
            let form = reqwest::multipart::Form::new().text("_csrf", csrf).part("file", reqwest::multipart::Part::text(body).file_name("events.csv"));
            let r = client.post(url).multipart(form).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let d = la_date(2);
    let good = feed(&[format!("U1,Open Mic,music,{d}T19:00,,,,,V1,Cafe,,,,94612,,,America/Los_Angeles,")]);
    let (status, html) = upload(good.clone()).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Events from events.csv: 1 added, 0 updated, 0 unchanged; venues: 1 added, 0 updated."), "{html}");
    let (_, html) = upload(good).await;
    assert!(html.contains("0 added, 0 updated, 1 unchanged"));
    let (status, html) = upload(feed(&[format!("U2,Bad,music,{d}T19:00,,,,,V1,,,,,,,,,"), "U3,Worse,music,someday,,,,,V1,,,,,,,,,".to_string()])).await;
    assert_eq!(status, 422);
    assert!(html.contains("Nothing was imported") && html.contains("events.csv:3: start:"));
    assert_eq!(site.read("/events/").await.1.matches("Open Mic").count(), 1);
});
