//! Pages of a long list. A list's own links ("Older", "Newer") carry the place where the
//! next page begins: the (time, id) of the last or first item shown, by which the list is
//! ordered, so a page deep in an archive is read from an index at that place instead of by
//! skipping every entry before it. A page number typed in (`?page=N`) still works: a
//! listing reads it from the nearest mark before it (`typed_page` in `public.rs`). The
//! number a page shows is only a label: a list that changes while a reader walks it moves
//! numbered pages by an item, but a reader following the links sees every item once.

use crate::views::Pager;
use marquee_store::Seek;

/// A `page=` parameter: 1 when absent, else a whole number from 1 up.
pub fn page_number(page: Option<&str>) -> Result<i64, &'static str> {
    match page.map(str::trim) {
        None | Some("") => Ok(1),
        Some(p) => p.parse::<i64>().ok().filter(|n| (1..=100_000).contains(n)).ok_or("The page number must be a whole number from 1 up."),
    }
}

/// A page of a list as a request asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The number the reader sees ("Page 3 of 40").
    pub page: i64,
    pub seek: Seek,
}

impl Place {
    /// The page that `page`, `after` and `before` ask for, `per_page` items to a page.
    /// `after=TIME.ID` is the items after that one in the list's order; `before=TIME.ID`, the
    /// items just before it.
    pub fn parse(page: Option<&str>, after: Option<&str>, before: Option<&str>, per_page: i64) -> Result<Place, &'static str> {
        let page = page_number(page)?;
        let cursor = |v: &str| -> Result<(i64, i64), &'static str> {
            v.trim()
                .split_once('.')
                .and_then(|(t, id)| Some((t.parse().ok()?, id.parse().ok()?)))
                .ok_or("The place in the list (after= or before=) must be two whole numbers joined by a dot, as this site's Older and Newer links write it.")
        };
        let seek = match (after, before) {
            (None, None) => Seek::Skip((page - 1) * per_page),
            (Some(a), None) => cursor(a).map(|(t, id)| Seek::Older(t, id))?,
            (None, Some(b)) => cursor(b).map(|(t, id)| Seek::Newer(t, id))?,
            (Some(_), Some(_)) => return Err("Use after= or before= in one address, not both."),
        };
        if page == 1 && !matches!(seek, Seek::Skip(_)) {
            return Err("A page reached with after= or before= is numbered from 2 up: page 1 is the start of the list.");
        }
        Ok(Place { page, seek })
    }

    /// The page's query (`page=3&after=...`), written the same way however the request wrote
    /// it: a cache's key.
    pub fn query(&self) -> String {
        match self.seek {
            Seek::Skip(_) | Seek::OlderSkip(..) => format!("page={}", self.page),
            Seek::Older(t, id) => format!("page={}&after={t}.{id}", self.page),
            Seek::Newer(t, id) => format!("page={}&before={t}.{id}", self.page),
        }
    }

    /// The page cache's key for this page of the list at `base`, or `None` for a page found
    /// from a place: any two numbers make a place, so keeping those pages would let anyone
    /// fill the cache with made-up ones and push out every other page. Such a page is read
    /// from its place in an index, about as cheap as the first page.
    pub fn cache_key(&self, base: &str) -> Option<String> {
        matches!(self.seek, Seek::Skip(_)).then(|| format!("{base}?{}", self.query()))
    }

    /// One page from `fetched`, which the store read with this place's seek and a limit of
    /// one item more than a page (to learn whether the list goes on), and the pager around it.
    /// `base` is the list's first page; `mark` gives an item's place (time, id).
    pub fn cut<T>(&self, base: &str, per_page: i64, mut fetched: Vec<T>, total: i64, mark: impl Fn(&T) -> (i64, i64)) -> (Vec<T>, Pager) {
        let more = fetched.len() as i64 > per_page;
        // Whether there is more before this page than the first page, and more after it.
        let (before_beyond_first, after) = match self.seek {
            Seek::Newer(..) => {
                if more {
                    fetched.remove(0);
                }
                (more, true)
            }
            _ => {
                fetched.truncate(per_page.max(0) as usize);
                (true, more)
            }
        };
        let sep = if base.contains('?') { '&' } else { '?' };
        let at = |item: &T| {
            let (t, id) = mark(item);
            format!("{t}.{id}")
        };
        let prev_url = match fetched.first() {
            _ if self.page <= 1 => None,
            Some(first) if self.page > 2 && before_beyond_first => Some(format!("{base}{sep}page={}&before={}", self.page - 1, at(first))),
            _ => Some(base.to_string()),
        };
        let next_url = match fetched.last() {
            Some(last) if after => Some(format!("{base}{sep}page={}&after={}", self.page + 1, at(last))),
            _ => None,
        };
        let pages = ((total + per_page - 1) / per_page.max(1)).max(self.page + next_url.is_some() as i64);
        (fetched, Pager { page: self.page, pages, prev_url, next_url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(page: Option<&str>, after: Option<&str>, before: Option<&str>) -> Result<Place, &'static str> {
        Place::parse(page, after, before, 20)
    }

    #[test]
    fn a_place_is_read_strictly_and_written_one_way() {
        assert_eq!(place(None, None, None), Ok(Place { page: 1, seek: Seek::Skip(0) }));
        assert_eq!(place(Some("3"), None, None).unwrap().seek, Seek::Skip(40));
        let older = place(Some(" 4 "), Some("-86400.17"), None).unwrap();
        assert_eq!(older, Place { page: 4, seek: Seek::Older(-86_400, 17) });
        assert_eq!(older.query(), "page=4&after=-86400.17");
        assert_eq!(place(Some("2"), None, Some("5.6")).unwrap().query(), "page=2&before=5.6");
        assert_eq!(place(Some("4"), None, None).unwrap().cache_key("/news/").as_deref(), Some("/news/?page=4"));
        assert_eq!(older.cache_key("/news/"), None, "a page found from a place is not kept");
        for bad in [(Some("2"), Some("5"), None), (Some("2"), Some("5.x"), None), (Some("2"), Some(".5"), None), (Some("2"), None, Some("1.2.3"))] {
            assert!(place(bad.0, bad.1, bad.2).unwrap_err().contains("two whole numbers"), "{bad:?}");
        }
        assert!(place(Some("2"), Some("1.2"), Some("3.4")).unwrap_err().contains("not both"));
        assert!(place(None, Some("1.2"), None).unwrap_err().contains("from 2 up"));
    }

    #[test]
    fn the_pager_links_from_the_items_shown() {
        let items = |ids: std::ops::Range<i64>| ids.rev().collect::<Vec<i64>>();
        let mark = |id: &i64| (*id * 10, *id);
        // A numbered middle page, with one item more read than it shows.
        let (shown, pager) = place(Some("3"), None, None).unwrap().cut("/news/", 2, items(5..8), 100, mark);
        assert_eq!(shown, vec![7, 6]);
        assert_eq!(pager.prev_url.as_deref(), Some("/news/?page=2&before=70.7"));
        assert_eq!(pager.next_url.as_deref(), Some("/news/?page=4&after=60.6"));
        assert_eq!(pager.pages, 50);
        // The last page: nothing after it.
        let (_, pager) = place(Some("3"), Some("80.8"), None).unwrap().cut("/admin/?status=", 2, items(6..8), 6, mark);
        assert_eq!((pager.prev_url.as_deref(), pager.next_url), (Some("/admin/?status=&page=2&before=70.7"), None));
        // Page 2 leads back to the first page's own address.
        let (_, pager) = place(Some("2"), Some("80.8"), None).unwrap().cut("/news/", 2, items(5..8), 6, mark);
        assert_eq!(pager.prev_url.as_deref(), Some("/news/"));
        // Walking back: the nearest items are kept, the farthest one read dropped.
        let (shown, pager) = place(Some("3"), None, Some("40.4")).unwrap().cut("/news/", 2, items(5..8), 100, mark);
        assert_eq!(shown, vec![6, 5]);
        assert_eq!(pager.prev_url.as_deref(), Some("/news/?page=2&before=60.6"));
        assert_eq!(pager.next_url.as_deref(), Some("/news/?page=4&after=50.5"));
        // Walking back to the top of a list that lost items meanwhile: nothing newer is left,
        // so "Newer" is the first page.
        let (shown, pager) = place(Some("5"), None, Some("40.4")).unwrap().cut("/news/", 2, items(5..7), 100, mark);
        assert_eq!((shown, pager.prev_url.as_deref()), (vec![6, 5], Some("/news/")));
        // A page number past a list that shrank still counts itself.
        let (_, pager) = place(Some("9"), Some("80.8"), None).unwrap().cut("/news/", 2, items(5..8), 4, mark);
        assert_eq!(pager.pages, 10);
    }
}
