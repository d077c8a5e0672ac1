//! Ghost's filters for Marquee's rows: what an NQL filter (`marquee_api::nql`) means for posts
//! (a `marquee_store::PostFilter`), for authors and tags (a test in memory), and the orders
//! posts can be listed in. Part of the API frame; the handlers use it.

use super::ApiError;
use marquee_api::ids::{self, Kind};
use marquee_api::nql::{self, Op, Value};
use marquee_store::{Cmp, OrderField, PostFilter, TextMatch, TimeField};

/// An instant a filter names: `'2026-01-01'`, `'2026-01-01 10:00:00'`, an RFC 3339 time, Unix
/// seconds, or `now-30d`.
pub(crate) fn instant(v: &Value, now: i64) -> Option<i64> {
    match v {
        Value::Number(n) => Some(*n as i64),
        Value::Relative(n, unit) => {
            let secs = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                'w' => 7 * 86_400,
                'M' => 30 * 86_400,
                'y' => 365 * 86_400,
                _ => return None,
            };
            now.checked_add(n.checked_mul(secs)?)
        }
        Value::Text(t) => {
            let t = t.trim();
            if let Ok(ts) = t.parse::<jiff::Timestamp>() {
                return Some(ts.as_second());
            }
            let civil = t.replace(' ', "T");
            if let Ok(dt) = civil.parse::<jiff::civil::DateTime>() {
                return dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_second());
            }
            t.parse::<jiff::civil::Date>().ok().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok()).map(|z| z.timestamp().as_second())
        }
        _ => None,
    }
}

pub(crate) fn texts(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Text(t) => Some(vec![t.clone()]),
        Value::Number(n) => Some(vec![n.to_string()]),
        Value::List(items) => items.iter().map(|i| texts(i).and_then(|mut t| t.pop())).collect(),
        _ => None,
    }
}

pub(crate) fn invalid_value(field: &str) -> ApiError {
    ApiError::invalid("filter", "Invalid value").context(format!("The filter's value for {field} cannot be read."))
}

/// What a filter means for posts, or a 400/422 for a field or value Marquee cannot match.
pub fn post_filter(f: &nql::Filter, now: i64) -> Result<PostFilter, ApiError> {
    Ok(match f {
        nql::Filter::And(parts) => PostFilter::All(parts.iter().map(|p| post_filter(p, now)).collect::<Result<_, _>>()?),
        nql::Filter::Or(parts) => PostFilter::Any(parts.iter().map(|p| post_filter(p, now)).collect::<Result<_, _>>()?),
        nql::Filter::Cond(c) => condition(c, now)?,
    })
}

fn condition(c: &nql::Condition, now: i64) -> Result<PostFilter, ApiError> {
    let field = c.field.as_str();
    let negated = matches!(c.op, Op::Ne | Op::NotIn | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith);
    let is_set = matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::NotIn);
    let positive = match field {
        "id" | "slug" | "tag" | "tags" | "tags.slug" | "primary_tag" | "primary_tag.slug" | "author" | "authors" | "authors.slug" | "primary_author" | "primary_author.slug" if is_set => {
            let values = texts(&c.value).ok_or_else(|| invalid_value(field))?;
            match field {
                "id" => PostFilter::Id(values.iter().map(|v| ids::number_of(Kind::Post, v).unwrap_or(-1)).collect()),
                "slug" => PostFilter::Slug(values),
                "tag" | "tags" | "tags.slug" => PostFilter::Tag(values),
                "primary_tag" | "primary_tag.slug" => PostFilter::PrimaryTag(values),
                "author" | "authors" | "authors.slug" => PostFilter::Author(values),
                _ => PostFilter::PrimaryAuthor(values),
            }
        }
        "featured" if matches!(c.op, Op::Eq | Op::Ne) => match c.value {
            Value::Bool(b) => PostFilter::Featured(b),
            _ => return Err(invalid_value(field)),
        },
        "visibility" | "status" if is_set => {
            let values = texts(&c.value).ok_or_else(|| invalid_value(field))?;
            let everyone = if field == "visibility" { "public" } else { "published" };
            if values.iter().any(|v| v == everyone) {
                PostFilter::Everything
            } else {
                PostFilter::Nothing
            }
        }
        "published_at" | "updated_at" | "created_at" => {
            let at = instant(&c.value, now).ok_or_else(|| invalid_value(field))?;
            let time = match field {
                "published_at" => TimeField::PublishedAt,
                "updated_at" => TimeField::UpdatedAt,
                _ => TimeField::CreatedAt,
            };
            let cmp = match c.op {
                Op::Eq | Op::Ne => Cmp::Eq,
                Op::Gt => Cmp::Gt,
                Op::Gte => Cmp::Ge,
                Op::Lt => Cmp::Lt,
                Op::Lte => Cmp::Le,
                _ => return Err(invalid_value(field)),
            };
            PostFilter::Time(time, cmp, at)
        }
        "title" => {
            let Value::Text(t) = &c.value else { return Err(invalid_value(field)) };
            let how = match c.op {
                Op::Eq | Op::Ne => TextMatch::Equals,
                Op::Contains | Op::NotContains => TextMatch::Contains,
                Op::StartsWith | Op::NotStartsWith => TextMatch::StartsWith,
                Op::EndsWith | Op::NotEndsWith => TextMatch::EndsWith,
                _ => return Err(invalid_value(field)),
            };
            PostFilter::Title(how, t.clone())
        }
        _ => {
            return Err(ApiError::bad_request("Request not understood error, cannot list posts.").context(format!(
                "Could not understand request: posts cannot be filtered by {field} with that operator. Marquee filters by id, slug, title, tag, primary_tag, author, primary_author, featured, visibility, status, published_at, updated_at and created_at."
            )))
        }
    };
    Ok(if negated { PostFilter::Not(Box::new(positive)) } else { positive })
}

/// A filter read as NQL; one that cannot be read is Ghost's 400, saying where.
pub(crate) fn parse_nql(raw: &str, listing: &str) -> Result<nql::Filter, ApiError> {
    nql::parse(raw).map_err(|e| ApiError::bad_request(format!("Request not understood error, cannot list {listing}.")).context(format!("Error parsing filter: {e}")))
}

pub(crate) fn parse_filter(raw: Option<&str>, now: i64) -> Result<Option<PostFilter>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let tree = parse_nql(raw, "posts")?;
    post_filter(&tree, now).map(Some)
}

pub(crate) fn post_order(order: &[(String, bool)]) -> Vec<(OrderField, bool)> {
    order
        .iter()
        .filter_map(|(field, desc)| {
            let f = match field.as_str() {
                "published_at" => OrderField::PublishedAt,
                "updated_at" => OrderField::UpdatedAt,
                "created_at" => OrderField::CreatedAt,
                "title" => OrderField::Title,
                "slug" => OrderField::Slug,
                "id" => OrderField::Id,
                "featured" => OrderField::Featured,
                // Ghost ignores rules it cannot order by.
                _ => return None,
            };
            Some((f, *desc))
        })
        .collect()
}

/// A simple filter on authors or tags: `slug:` and `id:` (and their lists and negations).
pub(crate) fn simple_match(filter: Option<&str>, what: &str) -> Result<Option<Box<dyn Fn(&str, &str) -> bool + Send + Sync>>, ApiError> {
    let Some(raw) = filter else { return Ok(None) };
    let tree = parse_nql(raw, what)?;
    fn eval(f: &nql::Filter, id: &str, slug: &str) -> bool {
        match f {
            nql::Filter::And(p) => p.iter().all(|x| eval(x, id, slug)),
            nql::Filter::Or(p) => p.iter().any(|x| eval(x, id, slug)),
            nql::Filter::Cond(c) => {
                let subject = if c.field == "id" { id } else { slug };
                let values = texts(&c.value).unwrap_or_default();
                let hit = if c.field == "visibility" { values.iter().any(|v| v == "public") } else { values.iter().any(|v| v == subject) };
                if matches!(c.op, Op::Ne | Op::NotIn) {
                    !hit
                } else {
                    hit
                }
            }
        }
    }
    for c in tree.conditions() {
        if !matches!(c.field.as_str(), "id" | "slug" | "visibility") || !matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::NotIn) {
            return Err(ApiError::bad_request(format!("Request not understood error, cannot list {what}.")).context(format!("Could not understand request: {what} can be filtered by id, slug and visibility.")));
        }
    }
    Ok(Some(Box::new(move |id: &str, slug: &str| eval(&tree, id, slug))))
}

/// A filter on the tiers list, read against each tier's fields: `id`, `slug`, `type`,
/// `visibility` and `active`, compared for (in)equality as Ghost's tiers filter does.
pub(crate) fn tier_match(filter: Option<&str>) -> Result<Option<Box<dyn Fn(&serde_json::Value) -> bool + Send + Sync>>, ApiError> {
    let Some(raw) = filter else { return Ok(None) };
    let tree = parse_nql(raw, "tiers")?;
    for c in tree.conditions() {
        if !matches!(c.field.as_str(), "id" | "slug" | "type" | "visibility" | "active") || !matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::NotIn) {
            return Err(ApiError::bad_request("Request not understood error, cannot list tiers.").context("Could not understand request: tiers can be filtered by id, slug, type, visibility and active."));
        }
    }
    fn as_text(v: &Value) -> Vec<String> {
        match v {
            Value::Bool(b) => vec![b.to_string()],
            Value::List(items) => items.iter().flat_map(as_text).collect(),
            other => texts(other).unwrap_or_default(),
        }
    }
    fn eval(f: &nql::Filter, tier: &serde_json::Value) -> bool {
        match f {
            nql::Filter::And(p) => p.iter().all(|x| eval(x, tier)),
            nql::Filter::Or(p) => p.iter().any(|x| eval(x, tier)),
            nql::Filter::Cond(c) => {
                let have = match &tier[c.field.as_str()] {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let hit = as_text(&c.value).contains(&have);
                if matches!(c.op, Op::Ne | Op::NotIn) {
                    !hit
                } else {
                    hit
                }
            }
        }
    }
    Ok(Some(Box::new(move |tier: &serde_json::Value| eval(&tree, tier))))
}

/// Orders listed authors or tags by `order` (`name asc`, `slug desc`, `count.posts desc`...):
/// a field they do not have is ignored, as Ghost ignores it; ties keep the list's order.
pub(crate) fn order_listed(items: &mut [serde_json::Value], order: &[(String, bool)]) {
    fn at<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
        path.split('.').try_fold(v, |v, part| v.get(part))
    }
    let rules: Vec<&(String, bool)> = order.iter().filter(|(field, _)| items.first().is_some_and(|first| at(first, field).is_some())).collect();
    if rules.is_empty() {
        return;
    }
    items.sort_by(|a, b| {
        for (field, desc) in &rules {
            let ord = match (at(a, field), at(b, field)) {
                (Some(serde_json::Value::Number(x)), Some(serde_json::Value::Number(y))) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal),
                (Some(serde_json::Value::String(x)), Some(serde_json::Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
                _ => std::cmp::Ordering::Equal,
            };
            let ord = if *desc { ord.reverse() } else { ord };
            if ord.is_ne() {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
}
