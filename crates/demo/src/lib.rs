//! Original demo content for a Marquee paper: sections, staff writers and a few hundred
//! articles (news, movie reviews, music, food & drink, arts), all fictional except the films
//! the reviews discuss. Everything is generated from templates written for this crate and is
//! deterministic for a given seed.

mod arts;
mod common;
mod food;
mod gen;
pub mod guides;
mod movies;
mod music;
mod news;

use gen::G;
use std::collections::{HashMap, HashSet};

use gen::slugify;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSection {
    pub slug: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAuthor {
    pub slug: String,
    pub name: String,
    pub email: String,
    pub bio: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoArticle {
    /// A [`DemoSection`] slug.
    pub section: String,
    pub headline: String,
    /// One short line, e.g. "Physical therapy."
    pub deck: String,
    /// Lowercase a-z, 0-9 and '-', unique within its section, at most 80 characters.
    pub slug: String,
    /// CommonMark.
    pub body_markdown: String,
    /// One or two [`DemoAuthor`] slugs, in byline order.
    pub authors: Vec<String>,
    /// One to four human-readable tag names.
    pub tags: Vec<String>,
    /// Minutes before "now" the article was published; at least 30.
    pub age_minutes: i64,
}

/// A film the demo reviews, as facts for the film database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFilm {
    pub title: String,
    pub year: i64,
    pub directors: Vec<String>,
    pub cast: Vec<String>,
    pub genre: String,
}

/// The films the demo's reviews are about (other than Rust and Bone); each review's headline
/// is its film's title.
pub fn films() -> Vec<DemoFilm> {
    movies::film_facts()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoContent {
    pub sections: Vec<DemoSection>,
    pub authors: Vec<DemoAuthor>,
    pub articles: Vec<DemoArticle>,
}

/// How far back the demo archive reaches, in minutes (about 150 days).
const SPAN_MINUTES: i64 = 150 * 24 * 60;

const SECTIONS: &[(&str, &str, &str)] = &[
    ("news", "News", "City Hall, housing, transit and the neighborhoods, reported without the press release."),
    ("movie-review", "Movie Review", "New releases, repertory revivals and the films worth leaving the house for."),
    ("music", "Music", "Local bands, touring acts, new records and the venues that keep the city loud."),
    (
        "food-drink",
        "Food & Drink",
        "Where to eat, what to drink and who is cooking it, reviewed anonymously and paid for in full.",
    ),
    ("arts", "Arts", "Galleries, stages, books and dance from every corner of the city's art scene."),
];

const AUTHORS: &[(&str, &str)] = &[
    (
        "Theodora Vance",
        "Theodora Vance has been Marquee's film critic since the video store on Quarry Street closed and she needed somewhere to put her opinions. She watches everything twice, once for the movie and once for the audience. Her seat is on the aisle, fourth row, where nobody can see her take notes.",
    ),
    (
        "Julian Okafor-Reyes",
        "Julian Okafor-Reyes edits Marquee's music coverage and has stood at the back of every room in town with a notebook and earplugs. He played bass in three local bands, one of which briefly had a song on college radio. He still spends rent money on records and is not sorry.",
    ),
    (
        "Priya Castellanos",
        "Priya Castellanos is Marquee's food and drink critic. She eats anonymously, pays for every meal and has never sent a dish back, though she has thought about it. Before this job she spent a decade on restaurant lines, which is why she always tips the dishwasher.",
    ),
    (
        "Wendell Marsh",
        "Wendell Marsh covers City Hall, which means he has sat through more public comment than any living person should. He keeps a spreadsheet of every council vote since 2014 and will show it to you whether or not you ask. Send him tips, documents and strong coffee.",
    ),
    (
        "Ines Halloran",
        "Ines Halloran reports on housing, transit and the neighborhoods for Marquee. She rides the bus to every story she can and files from whatever seat is open. Her series on eviction filings won a regional press award that now lives on top of the newsroom fridge.",
    ),
    (
        "Caleb Duquesne",
        "Caleb Duquesne writes about visual art, theater and dance. A former stage manager, he judges every production partly on how smoothly the scene changes go. He lives in Foundry Hill with a tabletop printing press and a cat who resents it.",
    ),
    (
        "Rosalie Tanaka",
        "Rosalie Tanaka is Marquee's critic at large: she goes wherever the editors point her and a few places they don't. She writes about movies, music and the occasional puppet show with the same seriousness. She has strong feelings about subtitles and will share them.",
    ),
    (
        "Gus Amundsen",
        "Gus Amundsen covers bars, coffee and late-night eating after twelve years on the other side of the bar. He believes every neighborhood deserves a decent dive and a good bakery, ideally next door to each other.",
    ),
];

/// Author slugs, for the section writers.
pub(crate) mod staff {
    pub const FILM: &str = "theodora-vance";
    pub const MUSIC: &str = "julian-okafor-reyes";
    pub const FOOD: &str = "priya-castellanos";
    pub const HALL: &str = "wendell-marsh";
    pub const HOUSING: &str = "ines-halloran";
    pub const ARTS: &str = "caleb-duquesne";
    pub const AT_LARGE: &str = "rosalie-tanaka";
    pub const DRINKS: &str = "gus-amundsen";
}

/// The demo paper. Deterministic for a given seed.
pub fn generate(seed: u64) -> DemoContent {
    let sections = SECTIONS
        .iter()
        .map(|(slug, name, description)| DemoSection {
            slug: slug.to_string(),
            name: name.to_string(),
            description: description.to_string(),
        })
        .collect();
    let authors = AUTHORS
        .iter()
        .map(|(name, bio)| {
            let slug = slugify(name);
            DemoAuthor {
                email: format!("{slug}@demo.marquee.test"),
                slug,
                name: name.to_string(),
                bio: bio.to_string(),
            }
        })
        .collect();

    let mut g = G::new(seed ^ 0x4d41_5251_5545_4521);
    let mut headlines = HashSet::new();
    let mut articles = Vec::new();
    movies::write(&mut g, &mut headlines, &mut articles);
    news::write(&mut g, &mut headlines, &mut articles);
    music::write(&mut g, &mut headlines, &mut articles);
    food::write(&mut g, &mut headlines, &mut articles);
    arts::write(&mut g, &mut headlines, &mut articles);

    assign_ages(&mut g, &mut articles);
    assign_slugs(&mut articles);
    articles.sort_by(|a, b| {
        a.age_minutes
            .cmp(&b.age_minutes)
            .then_with(|| a.slug.cmp(&b.slug))
    });
    DemoContent {
        sections,
        authors,
        articles,
    }
}

/// Spreads the articles of each section over the archive: the span is cut into one slot per
/// article and each gets a random time in its slot. Articles with an age already set keep it.
fn assign_ages(g: &mut G, articles: &mut [DemoArticle]) {
    for (slug, _, _) in SECTIONS {
        let mut idx: Vec<usize> = (0..articles.len())
            .filter(|&i| articles[i].section == *slug && articles[i].age_minutes == 0)
            .collect();
        g.shuffle(&mut idx);
        // Movie reviews other than the pinned one stay older than three hours.
        let min = if *slug == "movie-review" { 200 } else { 30 };
        let n = idx.len() as i64;
        for (k, &i) in idx.iter().enumerate() {
            let k = k as i64;
            let lo = (min + (SPAN_MINUTES - min) * k / n).max(min);
            let hi = (min + (SPAN_MINUTES - min) * (k + 1) / n).max(lo + 1);
            articles[i].age_minutes = g.between(lo, hi);
        }
    }
}

fn assign_slugs(articles: &mut [DemoArticle]) {
    let mut used: HashMap<String, HashSet<String>> = HashMap::new();
    // Preset slugs first, so they win.
    for a in articles.iter() {
        if !a.slug.is_empty() {
            used.entry(a.section.clone())
                .or_default()
                .insert(a.slug.clone());
        }
    }
    for a in articles.iter_mut() {
        if !a.slug.is_empty() {
            continue;
        }
        let taken = used.entry(a.section.clone()).or_default();
        let base = slugify(&a.headline);
        let mut slug = base.clone();
        let mut n = 2;
        while slug.is_empty() || taken.contains(&slug) {
            let suffix = format!("-{n}");
            let mut stem = base.clone();
            stem.truncate(80 - suffix.len());
            while stem.ends_with('-') {
                stem.pop();
            }
            slug = format!("{stem}{suffix}");
            n += 1;
        }
        taken.insert(slug.clone());
        a.slug = slug;
    }
}

/// A finished article as the section writers hand it over; ages and slugs come later.
pub(crate) fn article(
    section: &str,
    headline: String,
    deck: String,
    body: String,
    authors: &[&str],
    tags: &[String],
) -> DemoArticle {
    let mut t: Vec<String> = Vec::new();
    for tag in tags {
        if !tag.is_empty() && !t.iter().any(|x| slugify(x) == slugify(tag)) && t.len() < 4 {
            t.push(tag.clone());
        }
    }
    DemoArticle {
        section: section.to_string(),
        headline,
        deck,
        slug: String::new(),
        body_markdown: body,
        authors: authors.iter().map(|a| a.to_string()).collect(),
        tags: t,
        age_minutes: 0,
    }
}

#[cfg(test)]
mod tests;
