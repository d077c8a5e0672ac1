//! The demo's event listings and its two special reports: a fall-arts season guide and a
//! holiday guide. Venues and events are fictional; dates are days from the day the demo starts,
//! so the calendar always has something coming up.

/// A place events happen, in the paper's area.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoVenue {
    pub key: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub city: &'static str,
    pub postal_code: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoEvent {
    pub key: &'static str,
    pub title: &'static str,
    /// One of the domain's event categories.
    pub category: &'static str,
    pub venue: &'static str,
    /// Days from the demo's start day (negative: already happened).
    pub day: i64,
    /// Local start time as (hour, minute).
    pub starts: (i8, i8),
    /// Length in minutes; `None` for an open-ended listing.
    pub minutes: Option<i64>,
    pub price: &'static str,
    pub description: &'static str,
}

/// What a report item points at: a demo event by key, or the newest articles of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoItem {
    Event(&'static str),
    /// The n-th newest article (0-based) of the section with this slug.
    Article(&'static str, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoReport {
    pub slug: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// A theme asset under `/static/`.
    pub cover_image: &'static str,
    pub cover_alt: &'static str,
    /// (title, intro, items with their blurbs).
    pub chapters: Vec<(&'static str, &'static str, Vec<(DemoItem, &'static str)>)>,
}

pub fn venues() -> Vec<DemoVenue> {
    vec![
        DemoVenue { key: "foundry", name: "The Foundry Hall", address: "1820 Wood Street", city: "Oakland", postal_code: "94607", latitude: 37.8149, longitude: -122.2887 },
        DemoVenue { key: "lakeside", name: "Lakeside Bandshell", address: "600 Bellevue Avenue", city: "Oakland", postal_code: "94610", latitude: 37.8085, longitude: -122.2531 },
        DemoVenue { key: "kiln", name: "Kiln Gallery", address: "455 25th Street", city: "Oakland", postal_code: "94612", latitude: 37.8132, longitude: -122.2681 },
        DemoVenue { key: "paramount-lane", name: "Paramount Lane Theatre", address: "2010 Telegraph Avenue", city: "Oakland", postal_code: "94612", latitude: 37.8098, longitude: -122.2689 },
        DemoVenue { key: "ferry-market", name: "Estuary Night Market", address: "10 Clay Street", city: "Oakland", postal_code: "94607", latitude: 37.7955, longitude: -122.2795 },
        DemoVenue { key: "shattuck-cellar", name: "Shattuck Cellar", address: "2120 Shattuck Avenue", city: "Berkeley", postal_code: "94704", latitude: 37.8702, longitude: -122.2681 },
    ]
}

pub fn events() -> Vec<DemoEvent> {
    vec![
        // Fall arts: some already past, most still ahead.
        DemoEvent { key: "open-studios", title: "West Oakland Open Studios", category: "arts", venue: "foundry", day: -12, starts: (11, 0), minutes: Some(420), price: "Free",
            description: "Forty artists prop their doors open for one long Saturday. Start at the Foundry's loading dock, where a hand-drawn map shows who is printing, welding or glazing that day." },
        DemoEvent { key: "brass-on-the-lake", title: "Brass on the Lake", category: "music", venue: "lakeside", day: -5, starts: (16, 0), minutes: Some(120), price: "Free",
            description: "Three neighborhood brass bands trade sets at the bandshell until the light goes. Bring a blanket; the hill gets cold once the sun drops behind the pergola." },
        DemoEvent { key: "glaze-and-ash", title: "Glaze and Ash: New Ceramics", category: "arts", venue: "kiln", day: 1, starts: (18, 0), minutes: Some(180), price: "Free",
            description: "An opening reception for six East Bay potters who fire with wood. The pieces keep the scorch marks: that is the point. Runs through the end of next month." },
        DemoEvent { key: "third-shift", title: "Third Shift: a play about the night crew", category: "theater", venue: "paramount-lane", day: 3, starts: (20, 0), minutes: Some(105), price: "$18–$35, pay what you can Thursdays",
            description: "A new play set in a bakery between midnight and dawn, written from interviews with Oakland's overnight workers. No intermission." },
        DemoEvent { key: "quiet-cinema", title: "Quiet Cinema: silent shorts with live piano", category: "film", venue: "shattuck-cellar", day: 6, starts: (19, 30), minutes: Some(90), price: "$12",
            description: "Eight silent comedies, one upright piano, no dialogue cards read aloud. The pianist improvises every score, so no two nights sound alike." },
        DemoEvent { key: "string-theory", title: "String Theory Quartet plays Haydn and Hill", category: "music", venue: "foundry", day: 9, starts: (19, 0), minutes: Some(100), price: "$25; $10 students",
            description: "A young quartet pairs two Haydn quartets with a new piece by a Richmond composer, written for the Foundry's odd, echoing brick room." },
        DemoEvent { key: "moves-on-25th", title: "Moves on 25th: dance in the street", category: "dance", venue: "kiln", day: 14, starts: (17, 0), minutes: Some(150), price: "Free",
            description: "The block outside the gallery closes to cars for an evening of short dance pieces, from hip-hop crews to a troupe of retired ballet teachers." },
        // Holiday season.
        DemoEvent { key: "makers-fair", title: "Winter Makers Fair", category: "community", venue: "foundry", day: 4, starts: (10, 0), minutes: Some(480), price: "Free entry",
            description: "Ninety local makers under one roof: letterpress cards, hot sauce, wool hats, cutting boards. Cash is welcome; most stalls take cards too." },
        DemoEvent { key: "night-market", title: "Estuary Night Market: holiday edition", category: "food", venue: "ferry-market", day: 5, starts: (17, 0), minutes: Some(300), price: "Free entry; food from $6",
            description: "Dumplings, tamales, grilled corn and hot cider along the water, with string lights and a brass band at the far end of the pier." },
        DemoEvent { key: "lights-walk", title: "Lake Lights Walk", category: "community", venue: "lakeside", day: 8, starts: (18, 0), minutes: Some(120), price: "Free",
            description: "A slow loop of the lake with lanterns made by neighborhood schools. The walk leaves the bandshell at six; cocoa waits at the end." },
        DemoEvent { key: "nutcracker-remix", title: "The Nutcracker, remixed", category: "dance", venue: "paramount-lane", day: 11, starts: (19, 30), minutes: Some(95), price: "$22–$48",
            description: "Tchaikovsky meets go-go and house music in a version set in a West Oakland train yard. Suitable for kids who can sit still for ninety minutes." },
        DemoEvent { key: "latke-night", title: "Latke night at the Cellar", category: "food", venue: "shattuck-cellar", day: 15, starts: (18, 0), minutes: Some(180), price: "$15 for a plate of three",
            description: "Potato, sweet potato and a wild-card latke, with apple sauce made that morning and sour cream by the tub. A klezmer trio plays the first hour." },
        DemoEvent { key: "carol-sing", title: "Sing-along carols (and some that are not carols)", category: "music", venue: "foundry", day: 18, starts: (15, 0), minutes: Some(90), price: "Free; donations to the food bank",
            description: "Lyrics on a big screen, a piano, and a crowd that does not care whether you can hold a tune. Bring a can for the food bank barrel." },
        DemoEvent { key: "new-year-comedy", title: "Last Laughs: a year-end comedy night", category: "comedy", venue: "shattuck-cellar", day: 26, starts: (21, 0), minutes: Some(120), price: "$20",
            description: "Six local comics look back on the year so you do not have to. Strong language; 18 and over." },
    ]
}

pub fn reports() -> Vec<DemoReport> {
    vec![
        DemoReport {
            slug: "fall-arts-2026",
            title: "Fall Arts 2026: our picks for the best events of the season",
            intro: "The season turned and the calendar filled. Our critics went through every gallery mailer, \
                    season brochure and photocopied flyer they could find, and kept the few they would pay to see \
                    themselves. Start with the reviews, then plan your weekends.",
            cover_image: "/static/reports/fall-arts.svg",
            cover_alt: "Falling leaves in rust and gold over a stage curtain",
            chapters: vec![
                ("", "", vec![(DemoItem::Article("arts", 0), "The show everyone will be arguing about by Thanksgiving.")]),
                ("On stage", "Plays and dance worth leaving the house for.", vec![
                    (DemoItem::Event("third-shift"), "Overheard stories, staged with real tenderness."),
                    (DemoItem::Event("moves-on-25th"), "Free, outdoors, and over before dinner gets cold."),
                    (DemoItem::Article("arts", 1), ""),
                ]),
                ("Music", "", vec![
                    (DemoItem::Event("string-theory"), "Haydn sounds new in a room built for machinery."),
                    (DemoItem::Event("brass-on-the-lake"), "Already played; we list it so you remember it next year."),
                    (DemoItem::Article("music", 0), ""),
                ]),
                ("Galleries and screens", "", vec![
                    (DemoItem::Event("glaze-and-ash"), "Go to the opening; the potters explain their kilns."),
                    (DemoItem::Event("open-studios"), ""),
                    (DemoItem::Event("quiet-cinema"), "The best date night in Berkeley this fall."),
                ]),
            ],
        },
        DemoReport {
            slug: "holiday-guide-2026",
            title: "Holiday Guide 2026: gifts, outings, eats",
            intro: "Shop from people who live here, get out of the house after dark, and eat something fried. \
                    Here is how to spend the short days well.",
            cover_image: "/static/reports/holiday-guide.svg",
            cover_alt: "Paper lanterns strung over a night market",
            chapters: vec![
                ("Gifts", "Made nearby, wrapped by you.", vec![
                    (DemoItem::Event("makers-fair"), "Go early for the letterpress stall."),
                    (DemoItem::Article("arts", 2), ""),
                ]),
                ("Outings", "", vec![
                    (DemoItem::Event("lights-walk"), "Free, slow and lovely with small children."),
                    (DemoItem::Event("nutcracker-remix"), ""),
                    (DemoItem::Event("carol-sing"), "Nobody checks whether you can sing."),
                    (DemoItem::Event("new-year-comedy"), ""),
                ]),
                ("Eats", "", vec![
                    (DemoItem::Event("night-market"), "Bring small bills and an appetite."),
                    (DemoItem::Event("latke-night"), ""),
                    (DemoItem::Article("food-drink", 0), "Our critic's latest find."),
                    (DemoItem::Article("food-drink", 1), ""),
                ]),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_item_and_event_points_somewhere() {
        let venues: Vec<_> = venues().iter().map(|v| v.key).collect();
        let events = events();
        for e in &events {
            assert!(venues.contains(&e.venue), "{} has an unknown venue", e.key);
        }
        for r in reports() {
            for (_, _, items) in &r.chapters {
                for (item, _) in items {
                    if let DemoItem::Event(key) = item {
                        assert!(events.iter().any(|e| e.key == *key), "{} lists unknown event {key}", r.slug);
                    }
                }
            }
        }
        assert!(events.iter().any(|e| e.day < 0) && events.iter().filter(|e| e.day > 0).count() >= 10, "past and upcoming events");
    }
}
