use super::*;
use std::collections::{HashMap, HashSet};

fn blocks(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .collect()
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Every structural rule the site and the brief rely on.
fn check(c: &DemoContent) {
    let expected = [
        ("news", "News"),
        ("movie-review", "Movie Review"),
        ("music", "Music"),
        ("food-drink", "Food & Drink"),
        ("arts", "Arts"),
    ];
    assert_eq!(c.sections.len(), expected.len());
    for (s, (slug, name)) in c.sections.iter().zip(expected) {
        assert_eq!(s.slug, slug);
        assert_eq!(s.name, name);
        assert!(
            s.description.ends_with('.') && s.description.matches(". ").count() == 0,
            "{}",
            s.description
        );
    }

    assert!((6..=8).contains(&c.authors.len()));
    let mut author_slugs = HashSet::new();
    for a in &c.authors {
        assert_eq!(a.slug, slugify(&a.name));
        assert!(valid_slug(&a.slug));
        assert_eq!(a.email, format!("{}@demo.marquee.test", a.slug));
        let sentences = a.bio.matches(". ").count() + 1;
        assert!(
            (2..=3).contains(&sentences) && a.bio.ends_with('.'),
            "bio of {}: {sentences} sentences",
            a.name
        );
        assert!(
            author_slugs.insert(a.slug.clone()),
            "duplicate author {}",
            a.slug
        );
    }

    let n = c.articles.len();
    assert!((300..=360).contains(&n), "{n} articles");
    let sections: HashSet<&str> = c.sections.iter().map(|s| s.slug.as_str()).collect();
    let mut per_section: HashMap<&str, usize> = HashMap::new();
    let mut slugs: HashSet<(String, String)> = HashSet::new();
    let mut headlines = HashSet::new();
    let mut bodies = HashSet::new();
    for a in &c.articles {
        assert!(
            sections.contains(a.section.as_str()),
            "unknown section {}",
            a.section
        );
        *per_section.entry(a.section.as_str()).or_default() += 1;
        assert!(valid_slug(&a.slug), "bad slug {:?}", a.slug);
        assert!(
            slugs.insert((a.section.clone(), a.slug.clone())),
            "duplicate slug {}/{}",
            a.section,
            a.slug
        );
        assert!(
            headlines.insert(a.headline.clone()),
            "duplicate headline {:?}",
            a.headline
        );
        assert!(
            bodies.insert(a.body_markdown.clone()),
            "duplicate body for {:?}",
            a.headline
        );
        assert!(
            !a.headline.trim().is_empty() && a.headline.len() < 120,
            "{:?}",
            a.headline
        );
        assert!(
            !a.deck.is_empty() && a.deck.len() <= 80 && !a.deck.contains('\n'),
            "deck {:?}",
            a.deck
        );
        assert!((1..=2).contains(&a.authors.len()));
        let distinct: HashSet<&String> = a.authors.iter().collect();
        assert_eq!(
            distinct.len(),
            a.authors.len(),
            "author twice on {:?}",
            a.headline
        );
        for s in &a.authors {
            assert!(author_slugs.contains(s), "unknown author {s}");
        }
        assert!(
            (1..=4).contains(&a.tags.len()),
            "{:?} has tags {:?}",
            a.headline,
            a.tags
        );
        let tag_slugs: HashSet<String> = a.tags.iter().map(|t| slugify(t)).collect();
        assert_eq!(
            tag_slugs.len(),
            a.tags.len(),
            "tags collide on {:?}",
            a.headline
        );
        assert!(a
            .tags
            .iter()
            .all(|t| !t.trim().is_empty() && !t.contains('{')));
        assert!(
            a.age_minutes >= 30 && a.age_minutes <= SPAN_MINUTES,
            "age {}",
            a.age_minutes
        );
        let paras = blocks(&a.body_markdown)
            .into_iter()
            .filter(|b| !b.starts_with("## "))
            .count();
        assert!(
            (4..=12).contains(&paras),
            "{:?} has {paras} paragraphs",
            a.headline
        );
        for text in [&a.headline, &a.deck, &a.body_markdown] {
            assert!(
                !text.contains('{') && !text.contains('}'),
                "unexpanded template in {text:?}"
            );
            assert!(
                !text.contains("  ") && !text.contains(" ,") && !text.contains(" ."),
                "spacing in {text:?}"
            );
            assert!(
                !text.contains("..") && !text.contains(",."),
                "punctuation in {text:?}"
            );
        }
    }
    for s in &c.sections {
        let k = per_section.get(s.slug.as_str()).copied().unwrap_or(0);
        assert!(k >= 40, "section {} has only {k} articles", s.slug);
    }

    let rab: Vec<&DemoArticle> = c
        .articles
        .iter()
        .filter(|a| a.headline == "Rust and Bone")
        .collect();
    assert_eq!(rab.len(), 1);
    let rab = rab[0];
    assert_eq!(rab.section, "movie-review");
    assert_eq!(rab.deck, "Physical therapy.");
    assert_eq!(rab.slug, "rust-and-bone");
    assert_eq!(rab.age_minutes, 90);
    assert_eq!(rab.authors.len(), 1);
    assert!(rab.tags.iter().any(|t| t == "French cinema"));
    let rab_paras = blocks(&rab.body_markdown).len();
    assert!((6..=8).contains(&rab_paras), "{rab_paras}");
    for a in c
        .articles
        .iter()
        .filter(|a| a.section == "movie-review" && a.slug != "rust-and-bone")
    {
        assert!(a.age_minutes > 180, "{} is too new", a.headline);
    }
    let ages_span = c.articles.iter().map(|a| a.age_minutes).max().unwrap();
    assert!(
        ages_span > SPAN_MINUTES * 9 / 10,
        "articles only reach back {ages_span} minutes"
    );

    // Things that need escaping, and the Markdown features the theme should show off.
    assert!(c.articles.iter().any(|a| a.headline.contains('&')));
    assert!(c.articles.iter().any(|a| a.body_markdown.contains("<3")));
    assert!(c.articles.iter().any(|a| a.body_markdown.contains("<em>")));
    assert!(c
        .articles
        .iter()
        .any(|a| a.headline.contains("Fish & Chips")));
    for (what, needle) in [
        ("subheads", "\n## "),
        ("lists", "\n- "),
        ("quotes", "\n> "),
        ("strong", "**"),
        ("links", "](https://example.org/"),
    ] {
        let k = c
            .articles
            .iter()
            .filter(|a| a.body_markdown.contains(needle))
            .count();
        assert!(k >= 20, "only {k} articles with {what}");
    }
    let emphasis = c
        .articles
        .iter()
        .filter(|a| a.body_markdown.replace("**", "").contains('*'))
        .count();
    assert!(emphasis >= 60, "only {emphasis} articles with emphasis");
}

/// Long paragraphs should rarely repeat word for word across the whole set.
fn repeated_paragraphs(c: &DemoContent) -> (usize, String) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for a in &c.articles {
        for b in blocks(&a.body_markdown) {
            if b.len() > 120 && !b.starts_with("- ") {
                *counts.entry(b).or_default() += 1;
            }
        }
    }
    let (p, k) = counts
        .into_iter()
        .max_by_key(|(p, k)| (*k, p.len()))
        .unwrap();
    (k, p.to_string())
}

#[test]
fn same_seed_same_content() {
    let a = generate(2026);
    let b = generate(2026);
    assert_eq!(a, b);
    let c = generate(2027);
    assert_ne!(a.articles, c.articles);
}

#[test]
fn demo_content_keeps_its_promises() {
    let c = generate(2026);
    check(&c);
    let (k, p) = repeated_paragraphs(&c);
    assert!(k <= 2, "paragraph repeated {k} times: {p}");
}

#[test]
fn every_seed_keeps_its_promises() {
    // Many seeds exercise every template branch, so a typo in one cannot hide.
    for seed in 0..40 {
        let c = generate(seed);
        check(&c);
        let (k, p) = repeated_paragraphs(&c);
        assert!(k <= 3, "seed {seed}: paragraph repeated {k} times: {p}");
    }
}

#[test]
fn one_review_per_film() {
    let c = generate(1);
    let reviews: Vec<&DemoArticle> = c
        .articles
        .iter()
        .filter(|a| a.section == "movie-review")
        .collect();
    let titles: HashSet<&str> = reviews.iter().map(|a| a.headline.as_str()).collect();
    assert_eq!(titles.len(), reviews.len());
    let newest = reviews.iter().min_by_key(|a| a.age_minutes).unwrap();
    assert_eq!(newest.slug, "rust-and-bone");
}

#[test]
fn slugs_follow_site_rules() {
    assert_eq!(slugify("Rust and Bone"), "rust-and-bone");
    assert_eq!(slugify("Amélie"), "amelie");
    assert_eq!(slugify("Food & Drink"), "food-and-drink");
    assert_eq!(slugify("Singin' in the Rain"), "singin-in-the-rain");
    assert_eq!(slugify("2001: A Space Odyssey"), "2001-a-space-odyssey");
    assert_eq!(slugify("Review: ‘Salt Rooms’"), "review-salt-rooms");
    assert!(slugify(&"word ".repeat(40)).len() <= 80);
}

