//! A tiny template expander and random helpers shared by the section writers.
//!
//! Template syntax, expanded recursively:
//! - `{name}`: the value of variable `name` (inserted literally, never expanded);
//! - `{@pool}`: a random entry of the named pool, itself expanded;
//! - `{a|b|c}`: one alternative at random (alternatives may be empty or nested);
//! - `{^...}`: like the above for a single var or pool, with the first letter capitalized.
//!
//! Unknown names panic, so the tests (which expand everything for several seeds) catch typos.

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

pub(crate) type Pool = &'static [&'static str];

#[derive(Default)]
pub(crate) struct Ctx {
    vars: Vec<(&'static str, String)>,
    pools: Vec<(&'static str, Pool)>,
}

impl Ctx {
    pub fn new(pools: &[(&'static str, Pool)]) -> Ctx {
        let mut c = Ctx::default();
        c.pools.extend_from_slice(crate::common::POOLS);
        c.pools.extend_from_slice(pools);
        c
    }

    pub fn set(&mut self, key: &'static str, value: &str) {
        if let Some(slot) = self.vars.iter_mut().find(|(k, _)| *k == key) {
            slot.1.clear();
            slot.1.push_str(value);
        } else {
            self.vars.push((key, value.to_string()));
        }
    }

    pub fn get(&self, key: &str) -> &str {
        self.var(key)
            .unwrap_or_else(|| panic!("unknown template variable {key:?}"))
    }

    pub fn var_opt(&self, key: &str) -> Option<&str> {
        self.var(key)
    }

    fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    fn pool(&self, key: &str) -> Option<Pool> {
        self.pools
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| *p)
    }
}

pub(crate) struct G {
    rng: StdRng,
    /// Pool entries already used in the current article (by address), avoided while others remain.
    used: HashSet<usize>,
}

impl G {
    pub fn new(seed: u64) -> G {
        G {
            rng: StdRng::seed_from_u64(seed),
            used: HashSet::new(),
        }
    }

    /// Starts a new article: every pool entry is fresh again.
    pub fn fresh(&mut self) {
        self.used.clear();
    }

    /// `n` distinct entries of `pool`, preferring ones not used yet in this article.
    fn pick_fresh(&mut self, pool: Pool, n: usize) -> Vec<&'static str> {
        let fresh: Vec<&'static str> = pool
            .iter()
            .copied()
            .filter(|e| !self.used.contains(&(e.as_ptr() as usize)))
            .collect();
        let picked: Vec<&'static str> = if fresh.len() >= n {
            let idx = sample(&mut self.rng, fresh.len(), n);
            idx.into_iter().map(|i| fresh[i]).collect()
        } else {
            self.pick_n(pool, n)
        };
        for e in &picked {
            self.used.insert(e.as_ptr() as usize);
        }
        picked
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.rng.gen_range(0..n)
    }

    /// A number in `lo..hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.gen_range(lo..hi)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    pub fn pick(&mut self, xs: Pool) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// `n` distinct entries in random order (fewer if the pool is smaller).
    pub fn pick_n(&mut self, xs: Pool, n: usize) -> Vec<&'static str> {
        let n = n.min(xs.len());
        sample(&mut self.rng, xs.len(), n)
            .into_iter()
            .map(|i| xs[i])
            .collect()
    }

    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        use rand::seq::SliceRandom;
        xs.shuffle(&mut self.rng);
    }

    /// Expands a template.
    pub fn x(&mut self, ctx: &Ctx, t: &str) -> String {
        let mut out = String::with_capacity(t.len() + 32);
        self.expand_into(ctx, t, &mut out, 0);
        out
    }

    /// Expands a random entry of `pool`.
    pub fn xp(&mut self, ctx: &Ctx, pool: Pool) -> String {
        let t = self.pick_fresh(pool, 1)[0];
        self.x(ctx, t)
    }

    /// A paragraph: `n` distinct sentences of `pool`, expanded and joined.
    pub fn para(&mut self, ctx: &Ctx, pool: Pool, n: usize) -> String {
        let picked = self.pick_fresh(pool, n);
        let mut out = String::new();
        for t in picked {
            if !out.is_empty() {
                out.push(' ');
            }
            self.expand_into(ctx, t, &mut out, 0);
        }
        out
    }

    fn expand_into(&mut self, ctx: &Ctx, t: &str, out: &mut String, depth: u32) {
        assert!(depth < 16, "template nests too deeply: {t}");
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' {
                let mut d = 0;
                let mut j = i;
                loop {
                    match b[j] {
                        b'{' => d += 1,
                        b'}' => {
                            d -= 1;
                            if d == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                    assert!(j < b.len(), "unbalanced braces in template: {t}");
                }
                self.expand_brace(ctx, &t[i + 1..j], out, depth);
                i = j + 1;
            } else {
                let start = i;
                while i < b.len() && b[i] != b'{' {
                    assert!(b[i] != b'}', "stray closing brace in template: {t}");
                    i += 1;
                }
                out.push_str(&t[start..i]);
            }
        }
    }

    fn expand_brace(&mut self, ctx: &Ctx, inner: &str, out: &mut String, depth: u32) {
        let parts = split_top(inner);
        if parts.len() > 1 {
            let k = self.below(parts.len());
            self.expand_into(ctx, parts[k], out, depth + 1);
            return;
        }
        let (cap, name) = match inner.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, inner),
        };
        let start = out.len();
        if let Some(p) = name.strip_prefix('@') {
            let pool = ctx
                .pool(p)
                .unwrap_or_else(|| panic!("unknown template pool {p:?}"));
            let entry = self.pick_fresh(pool, 1)[0];
            self.expand_into(ctx, entry, out, depth + 1);
        } else {
            out.push_str(ctx.get(name));
        }
        if cap {
            let tail = out.split_off(start);
            out.push_str(&capitalize(&tail));
        }
    }
}

fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.bytes().enumerate() {
        match c {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'|' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub use marquee_domain::slugify;

/// Assembles a Markdown body block by block.
#[derive(Default)]
pub(crate) struct Body {
    blocks: Vec<String>,
}

impl Body {
    pub fn p(&mut self, text: String) {
        self.blocks.push(text);
    }
    pub fn h(&mut self, text: &str) {
        self.blocks.push(format!("## {text}"));
    }
    pub fn quote(&mut self, text: &str, who: &str) {
        self.blocks.push(format!("> {text}\n>\n> — {who}"));
    }
    pub fn list(&mut self, items: &[String]) {
        let lines: Vec<String> = items.iter().map(|i| format!("- {i}")).collect();
        self.blocks.push(lines.join("\n"));
    }
    pub fn finish(self) -> String {
        let mut s = fix_said(&self.blocks.join("\n\n"));
        s.push('\n');
        s
    }
}

/// Title-cases a phrase for headlines (small words stay lowercase unless first).
pub(crate) fn title_case(s: &str) -> String {
    const SMALL: &[&str] = &[
        "a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with",
    ];
    s.split(' ')
        .enumerate()
        .map(|(i, w)| {
            if i > 0 && SMALL.contains(&w) {
                w.to_string()
            } else {
                capitalize(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A quotation followed by its attribution takes a comma, not a period:
/// “We'll see,” she said. Rewrites `.” X said` into `,” X said`.
pub(crate) fn fix_said(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(".”") {
        let after = &rest[i + ".”".len()..];
        let mut attributed = false;
        for w in after.split_whitespace().take(5) {
            let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
            if bare == "said" || bare == "says" {
                attributed = true;
                break;
            }
            if w.ends_with('.') || w.contains('“') || w.contains('\n') {
                break;
            }
        }
        out.push_str(&rest[..i]);
        out.push_str(if attributed { ",”" } else { ".”" });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Second and later mentions of a person use the short name ("Szabo" after "Ada Szabo").
/// `names` holds (full, short) pairs, applied in order; capitalized variants count too.
pub(crate) fn second_refs(text: &str, names: &[(String, String)]) -> String {
    let mut text = text.to_string();
    for (full, short) in names {
        if full.is_empty() || full == short {
            continue;
        }
        let cap = capitalize(full);
        let first = [text.find(full.as_str()), text.find(cap.as_str())]
            .into_iter()
            .flatten()
            .min();
        let Some(first) = first else { continue };
        let keep = first + full.len();
        let (head, tail) = text.split_at(keep);
        let tail = tail
            .replace(full.as_str(), short)
            .replace(cap.as_str(), short);
        text = format!("{head}{tail}");
    }
    text
}

/// The last word of a name, for second references.
pub(crate) fn surname(name: &str) -> String {
    name.rsplit(' ').next().unwrap_or(name).to_string()
}
