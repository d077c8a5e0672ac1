//! The web and store crates are built in layers, and ARCHITECTURE.md says which file sits in
//! which layer. This test reads the sources and that document and fails when:
//! - a file imports a file of a higher layer, or of its own layer where that layer forbids it;
//! - the files import each other in a loop (of any length);
//! - a file on disk is missing from the layer table or the file list, or either names a file
//!   that is not there.
//!
//! `cargo test -p marquee --test layers -- --nocapture` prints each crate's import graph.
//!
//! An import is any path through `crate::` or `super::` outside a `#[cfg(test)]` module,
//! resolved to the file that defines it (directly, or through the crate root's re-exports).
//! `lib.rs` only declares modules, re-exports and wires the router; nothing may import it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

struct Layer {
    name: String,
    files: Vec<String>,
    /// Whether files of this layer may import each other (still without a loop).
    own: bool,
}

struct Crate {
    /// Module path ("admin::articles") to its source text, without comments or tests.
    modules: BTreeMap<String, String>,
    /// Module path to the file it lives in, relative to `src/` ("admin/articles.rs").
    files: BTreeMap<String, String>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_crate(src: &Path) -> Crate {
    let mut modules = BTreeMap::new();
    let mut files = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
            let module = rel.trim_end_matches(".rs").trim_end_matches("/mod").replace('/', "::");
            let text = strip(&std::fs::read_to_string(&path).unwrap());
            files.insert(module.clone(), rel);
            modules.insert(module, text);
        }
    }
    Crate { modules, files }
}

/// The source without comments, string contents and the unit-test module.
fn strip(source: &str) -> String {
    let code = match source.find("#[cfg(test)]") {
        Some(i) => &source[..i],
        None => source,
    };
    let mut out = String::with_capacity(code.len());
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                // Skip to the closing quote, honouring escapes.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            '\'' => {
                // A char literal ('a', '\n', '"') is dropped; a lifetime ('a) is kept.
                let rest: String = chars.clone().take(3).collect();
                let literal = rest.starts_with('\\') || rest.chars().nth(1) == Some('\'');
                if literal {
                    if chars.next() == Some('\\') {
                        chars.next();
                    }
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn ident(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    (end > 0).then(|| (&s[..end], &s[end..]))
}

/// Paths written after `prefix` (`crate::`, `super::`), with `{a, b::{c, d}}` groups expanded.
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    fn group(s: &str, base: &[String], out: &mut Vec<Vec<String>>) -> usize {
        // `s` starts just after `{`; answers how many bytes were read up to the matching `}`.
        let mut i = 0;
        let bytes = s.as_bytes();
        while i < s.len() {
            let c = bytes[i] as char;
            if c == '}' {
                return i + 1;
            }
            if c.is_whitespace() || c == ',' {
                i += 1;
                continue;
            }
            i += path(&s[i..], base.to_vec(), out);
            // `name as alias`: the alias is not a path.
            let rest = s[i..].trim_start();
            if let Some(r) = rest.strip_prefix("as ") {
                let alias = ident(r.trim_start()).map(|(a, _)| a.len()).unwrap_or(0);
                i = s.len() - r.trim_start().len() + alias;
            }
        }
        i
    }
    fn path(s: &str, mut segs: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
        let mut i = 0;
        loop {
            let rest = &s[i..];
            if let Some(r) = rest.strip_prefix('{') {
                return i + 1 + group(r, &segs, out);
            }
            match ident(rest) {
                Some((name, after)) => {
                    if name != "self" {
                        segs.push(name.to_string());
                    }
                    i += name.len();
                    if after.starts_with("::") {
                        i += 2;
                        continue;
                    }
                    out.push(segs);
                    return i;
                }
                None => {
                    out.push(segs);
                    return i.max(1);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find(prefix) {
        let start = at + found;
        let boundary = start == 0 || !text[..start].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        at = start + prefix.len();
        if boundary {
            at += path(&text[at..], Vec::new(), &mut out);
        }
    }
    out
}

/// Names each module defines at its top level (items start at the beginning of a line).
fn definitions(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let mut l = line;
        for vis in ["pub(crate) ", "pub(super) ", "pub "] {
            if let Some(r) = l.strip_prefix(vis) {
                l = r;
            }
        }
        for kw in ["async fn ", "fn ", "struct ", "enum ", "type ", "const ", "static ", "trait ", "macro_rules! ", "use ", "mod "] {
            if let Some(r) = l.strip_prefix(kw) {
                if kw == "use " {
                    // `pub(crate) use live;` re-exports a macro under its own name.
                    if let Some((name, ";")) = ident(r.rsplit("::").next().unwrap_or(r)).map(|(n, a)| (n, a.trim())) {
                        names.insert(name.to_string());
                    }
                } else if let Some((name, _)) = ident(r) {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

fn graph(krate: &Crate) -> BTreeMap<String, BTreeSet<String>> {
    let defined: BTreeMap<&String, BTreeSet<String>> = krate.modules.iter().map(|(m, t)| (m, definitions(t))).collect();
    // Where an item of the crate root's namespace is defined: the root itself or a module
    // whose items it re-exports.
    let owner = |name: &str| -> Option<String> {
        let mut found: Vec<&String> = defined.iter().filter(|(m, names)| m.as_str() != "lib" && !m.contains("::") && names.contains(name)).map(|(m, _)| *m).collect();
        if found.is_empty() && defined.get(&"lib".to_string()).is_some_and(|d| d.contains(name)) {
            return Some("lib".into());
        }
        found.sort();
        found.first().map(|m| m.to_string())
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &krate.modules {
        let mut to = BTreeSet::new();
        let parent = module.rsplit_once("::").map(|(p, _)| p.to_string());
        let mut resolve = |base: Option<&str>, segs: &[String]| {
            // The longest prefix that names a module, else the module defining the first item.
            for n in (1..=segs.len()).rev() {
                let joined = segs[..n].join("::");
                let candidate = match base {
                    Some(b) if !b.is_empty() => format!("{b}::{joined}"),
                    _ => joined,
                };
                if krate.modules.contains_key(&candidate) {
                    to.insert(candidate);
                    return;
                }
            }
            match (base, segs.first()) {
                (Some(b), Some(_)) if !b.is_empty() => {
                    to.insert(b.to_string());
                }
                (_, Some(first)) => {
                    if let Some(o) = owner(first) {
                        to.insert(o);
                    }
                }
                _ => {}
            }
        };
        for segs in paths_after(text, "crate::") {
            resolve(None, &segs);
        }
        for segs in paths_after(text, "super::") {
            // `super::` in a folder's file is that folder's `mod.rs`; at the top it is the root.
            resolve(Some(parent.as_deref().unwrap_or("")), &segs);
        }
        to.remove(module);
        edges.insert(module.clone(), to);
    }
    edges
}

/// Strongly connected components with more than one module: the loops.
fn loops(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on.insert(v);
            for w in &self.edges[v] {
                let w = w.as_str();
                if !self.edges.contains_key(w) {
                    continue;
                }
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.on.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on: BTreeSet::new(), out: Vec::new() };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}

/// The part of ARCHITECTURE.md under the heading that starts with `heading`, up to the next
/// heading of the same or a higher level.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc.find(heading).unwrap_or_else(|| panic!("ARCHITECTURE.md has no heading {heading:?}"));
    let level = heading.chars().take_while(|c| *c == '#').count();
    let body = &doc[start + heading.len()..];
    let mut end = body.len();
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if offset > 0 && hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
            end = offset;
            break;
        }
        offset += line.len();
    }
    &body[..end]
}

fn backticked_files(s: &str) -> Vec<String> {
    s.split('`').skip(1).step_by(2).filter(|t| t.ends_with(".rs")).map(str::to_string).collect()
}

/// The layer table: `| layer | files | may import |`, lowest layer first.
fn layers(section: &str) -> Vec<Layer> {
    let mut out = Vec::new();
    for line in section.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 3 || cells[0] == "layer" || cells[0].starts_with("---") {
            continue;
        }
        out.push(Layer { name: cells[0].to_string(), files: backticked_files(cells[1]), own: cells[2].contains("and its own") });
    }
    out
}

fn check(crate_dir: &str, heading: &str) -> Vec<String> {
    let root = workspace();
    let krate = read_crate(&root.join(crate_dir).join("src"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let section = section(&doc, heading);
    let layers = layers(section);
    let mut problems = Vec::new();
    let on_disk: BTreeSet<&String> = krate.files.values().collect();

    let mut layer_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, l) in layers.iter().enumerate() {
        for f in &l.files {
            if layer_of.insert(f.as_str(), i).is_some() {
                problems.push(format!("{crate_dir}: {f} is in two layers"));
            }
            if !on_disk.contains(f) {
                problems.push(format!("{crate_dir}: the layer table names {f}, which is not a file"));
            }
        }
    }
    // Every file has a line of its own in the file list: "- `file`: what it holds".
    let described: BTreeSet<String> = section.lines().filter_map(|l| l.trim_start().strip_prefix("- `")).filter_map(|l| l.split_once('`')).map(|(f, _)| f.to_string()).collect();
    for f in &on_disk {
        if f.as_str() != "lib.rs" && !layer_of.contains_key(f.as_str()) {
            problems.push(format!("{crate_dir}: {f} is in no layer of ARCHITECTURE.md"));
        }
        if !described.contains(f.as_str()) {
            problems.push(format!("{crate_dir}: ARCHITECTURE.md does not describe {f} (a line \"- `{f}`: ...\")"));
        }
    }
    for f in &described {
        if f.ends_with(".rs") && !on_disk.contains(f) {
            problems.push(format!("{crate_dir}: ARCHITECTURE.md describes {f}, which is not a file"));
        }
    }

    let edges = graph(&krate);
    println!("{crate_dir} imports (lowest layer first):");
    for (i, layer) in layers.iter().enumerate() {
        println!("  {}. {}", i + 1, layer.name);
        for f in &layer.files {
            let module = krate.files.iter().find(|(_, file)| *file == f).map(|(m, _)| m.clone()).unwrap_or_default();
            let to: Vec<&str> = edges.get(&module).map(|s| s.iter().map(String::as_str).collect()).unwrap_or_default();
            println!("     {module} -> {}", if to.is_empty() { "(nothing)".to_string() } else { to.join(", ") });
        }
    }
    for comp in loops(&edges) {
        problems.push(format!("{crate_dir}: these files import each other in a loop: {}", comp.join(", ")));
    }
    for (from, tos) in &edges {
        let from_file = &krate.files[from];
        for to in tos {
            let to_file = &krate.files[to];
            if to == "lib" {
                problems.push(format!("{crate_dir}: {from_file} imports from lib.rs; import the module that defines it"));
                continue;
            }
            let (Some(&lf), Some(&lt)) = (layer_of.get(from_file.as_str()), layer_of.get(to_file.as_str())) else { continue };
            if lt > lf {
                problems.push(format!("{crate_dir}: {from_file} ({}) imports {to_file}, which is in a higher layer ({})", layers[lf].name, layers[lt].name));
            } else if lt == lf && !layers[lf].own {
                problems.push(format!("{crate_dir}: {from_file} imports {to_file}, of its own layer ({}), which its layer does not allow", layers[lf].name));
            }
        }
    }
    problems
}

#[test]
fn the_web_crate_has_layers_and_no_loop() {
    let problems = check("crates/web", "### `crates/web`");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_store_crate_has_layers_and_no_loop() {
    let problems = check("crates/store", "### `crates/store`");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_reader_of_imports_sees_groups_and_aliases() {
    let text = strip("use crate::a::{b, c::{D, e}};\nuse crate::{f, g as h};\nlet s = \"crate::nope\"; // crate::nor_this\nsuper::i::j();\nx::crate::k;");
    let got = paths_after(&text, "crate::");
    assert_eq!(got, vec![vec!["a", "b"], vec!["a", "c", "D"], vec!["a", "c", "e"], vec!["f"], vec!["g"]]);
    assert_eq!(paths_after(&text, "super::"), vec![vec!["i", "j"]]);
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(loops(&edges), vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]]);
}
