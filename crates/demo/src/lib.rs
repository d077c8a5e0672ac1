//! Demo content (placeholder until the full generator lands).
pub struct DemoSection { pub slug: String, pub name: String, pub description: String }
pub struct DemoAuthor { pub slug: String, pub name: String, pub email: String, pub bio: String }
pub struct DemoArticle { pub section: String, pub headline: String, pub deck: String, pub slug: String, pub body_markdown: String, pub authors: Vec<String>, pub tags: Vec<String>, pub age_minutes: i64 }
pub struct DemoContent { pub sections: Vec<DemoSection>, pub authors: Vec<DemoAuthor>, pub articles: Vec<DemoArticle> }
pub fn generate(_seed: u64) -> DemoContent {
    let sections = [("news", "News"), ("movie-review", "Movie Review"), ("music", "Music"), ("food-drink", "Food & Drink"), ("arts", "Arts")]
        .iter().map(|(s, n)| DemoSection { slug: s.to_string(), name: n.to_string(), description: format!("{n}.") }).collect();
    let authors = vec![DemoAuthor { slug: "dana-whitfield".into(), name: "Dana Whitfield".into(), email: "d@x".into(), bio: "Bio.".into() }];
    let mut articles = vec![DemoArticle { section: "movie-review".into(), headline: "Rust and Bone".into(), deck: "Physical therapy.".into(), slug: "rust-and-bone".into(), body_markdown: "Review.".into(), authors: vec!["dana-whitfield".into()], tags: vec!["French cinema".into()], age_minutes: 90 }];
    for i in 0..300 {
        let sec = ["news", "movie-review", "music", "food-drink", "arts"][i % 5];
        articles.push(DemoArticle { section: sec.into(), headline: format!("Story {i}"), deck: "d".into(), slug: format!("story-{i}"), body_markdown: "x".into(), authors: vec!["dana-whitfield".into()], tags: vec![], age_minutes: 200 + i as i64 * 600 });
    }
    DemoContent { sections, authors, articles }
}
