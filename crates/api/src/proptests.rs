//! Property tests (proptest) for NQL, the filter language of the Ghost-compatible APIs: any
//! `filter=` a client sends is parsed or refused with a message and a position, never a
//! panic, and what parses means one thing (written back as NQL, it parses to the same tree).
//!
//! Each property runs `PROPTEST_CASES` cases, 256 by default, as part of `cargo test`; the
//! long run is `PROPTEST_CASES=100000 cargo test --release -p marquee-api --lib proptests`.

use crate::nql::{parse, Condition, Filter, Op, Value};
use proptest::prelude::*;
use proptest::sample::select;

// ---------------------------------------------------------------------------------------------
// Writing a filter back as NQL
// ---------------------------------------------------------------------------------------------

/// Characters a backslash escapes in a bare value.
const ESCAPABLE: &[char] = &['\'', '"', '+', ',', '(', ')', '>', '<', '=', '[', ']', '~', '^', '$'];

/// A filter as NQL, with `pad` between tokens; `None` when a text value cannot be written
/// (see [`write_text`]).
pub(crate) fn write(filter: &Filter, pad: &str) -> Option<String> {
    let mut out = String::new();
    write_filter(filter, pad, &mut out)?;
    Some(out)
}

fn write_filter(filter: &Filter, pad: &str, out: &mut String) -> Option<()> {
    let (parts, separator) = match filter {
        Filter::Cond(c) => return write_condition(c, pad, out),
        Filter::And(parts) => (parts, '+'),
        Filter::Or(parts) => (parts, ','),
    };
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(pad);
            out.push(separator);
            out.push_str(pad);
        }
        // AND binds tighter than OR: a group inside AND, or any group of the same kind
        // (which the parser would have flattened), keeps its parentheses.
        let parens = match part {
            Filter::Cond(_) => false,
            Filter::And(_) => separator == '+',
            Filter::Or(_) => true,
        };
        if parens {
            out.push('(');
            out.push_str(pad);
        }
        write_filter(part, pad, out)?;
        if parens {
            out.push_str(pad);
            out.push(')');
        }
    }
    Some(())
}

fn write_condition(c: &Condition, pad: &str, out: &mut String) -> Option<()> {
    out.push_str(&c.field);
    out.push(':');
    out.push_str(pad);
    out.push_str(c.op.symbol());
    if !matches!(c.op, Op::Eq | Op::In) {
        out.push_str(pad);
    }
    // The ~ operators take only a quoted string.
    if let (Op::Contains | Op::NotContains | Op::StartsWith | Op::NotStartsWith | Op::EndsWith | Op::NotEndsWith, Value::Text(t)) = (c.op, &c.value) {
        if t.ends_with('\\') {
            return None;
        }
    }
    write_value(&c.value, pad, out)
}

fn write_value(value: &Value, pad: &str, out: &mut String) -> Option<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Text(t) => write_text(t, out)?,
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    out.push_str(pad);
                }
                write_value(item, pad, out)?;
            }
            out.push(']');
        }
        Value::Relative(amount, unit) => out.push_str(&format!("now{}{}{unit}", if *amount < 0 { '-' } else { '+' }, amount.unsigned_abs())),
    }
    Some(())
}

/// A text value: in single quotes, `'` and `"` escaped. A quoted string cannot end in a
/// backslash (`'a\'` reads the quote as escaped), so such a text is written bare, its special
/// characters escaped and a space after it; a text that can be written neither way (it ends
/// in a backslash and holds white space, or starts with `-`), or after a `~` operator, which
/// takes only quoted strings, gives `None`: NQL reads `'a\'` as the text `a\` only where no
/// other quote follows.
fn write_text(t: &str, out: &mut String) -> Option<()> {
    if !t.ends_with('\\') {
        out.push('\'');
        for ch in t.chars() {
            if ch == '\'' || ch == '"' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('\'');
        return Some(());
    }
    if t.starts_with('-') || t.contains(char::is_whitespace) || t.starts_with(|c: char| c.is_ascii_digit()) || t.starts_with("now") || t.contains(':') {
        return None;
    }
    for ch in t.chars() {
        if ESCAPABLE.contains(&ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push(' ');
    Some(())
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Pieces of NQL and of what clients get wrong.
const PIECES: &[&str] = &[
    "tag",
    "tags.slug",
    "a",
    "_x",
    "Featured",
    "published_at",
    ":",
    ":",
    ":",
    "-",
    "+",
    ",",
    "(",
    ")",
    "[",
    "]",
    "'",
    "\"",
    "\\",
    "~",
    "^",
    "$",
    ">",
    "<",
    ">=",
    "<=",
    "=",
    ".",
    "_",
    "0",
    "1",
    "42",
    "3.5",
    "1e9",
    "99999999999999999999999",
    " ",
    "\t",
    "\n",
    "null",
    "NULL",
    "true",
    "False",
    "nullable",
    "now",
    "now-2d",
    "now+1M",
    "now-99999999999999999999d",
    "-3w",
    "'x'",
    "'a b'",
    "\\'",
    "\\,",
    "\\\\",
    "é",
    "日本",
    "🦀",
    "\u{0}",
    "\u{200b}",
    "\u{a0}",
    "2021-01-01",
    "T10:00",
    "news",
    "getting-started",
    "''",
];

fn any_text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s:.{{0,{max}}})")).expect("valid regex").boxed()
}

fn nql_like() -> BoxedStrategy<String> {
    let piece = prop_oneof![8 => select(PIECES).prop_map(str::to_string), 1 => any_text(3)];
    prop_oneof![
        1 => any_text(40),
        6 => proptest::collection::vec(piece, 0..30).prop_map(|v| v.concat()),
    ]
    .boxed()
}

fn text_value() -> BoxedStrategy<Value> {
    prop_oneof!["[a-zA-Z0-9 '\"+,()\\[\\]<>=~^$:.\\\\-]{1,10}", "\\PC{1,6}",].prop_map(Value::Text).boxed()
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (0u32..1_000_000, 0u32..4).prop_map(|(n, d)| Value::Number(f64::from(n) / f64::from(10u32.pow(d)))),
        (-100_000i64..100_000, select(&['d', 'w', 'M', 'y', 'h', 'm', 's'][..])).prop_map(|(n, u)| Value::Relative(n, u)),
        text_value(),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<Filter> {
    let field = "[a-z_][a-z0-9_.]{0,12}";
    let ops = select(
        &[
            Op::Eq,
            Op::Ne,
            Op::Gt,
            Op::Gte,
            Op::Lt,
            Op::Lte,
            Op::Contains,
            Op::NotContains,
            Op::StartsWith,
            Op::NotStartsWith,
            Op::EndsWith,
            Op::NotEndsWith,
            Op::In,
            Op::NotIn,
        ][..],
    );
    (field, ops, scalar(), proptest::collection::vec(scalar(), 1..4), text_value())
        .prop_map(|(field, op, one, many, text)| {
            let value = match op {
                Op::In | Op::NotIn => Value::List(many),
                Op::Contains | Op::NotContains | Op::StartsWith | Op::NotStartsWith | Op::EndsWith | Op::NotEndsWith => text,
                _ => one,
            };
            Filter::Cond(Condition { field, op, value })
        })
        .boxed()
}

/// A filter tree as the parser builds them: groups of two or more, an AND never directly in
/// an AND nor an OR in an OR (the parser flattens those), at most 50 conditions and 10 levels.
fn filter() -> BoxedStrategy<Filter> {
    condition()
        .prop_recursive(4, 40, 4, |inner| {
            (any::<bool>(), proptest::collection::vec(inner, 2..4)).prop_map(|(and, parts)| {
                let parts: Vec<Filter> = parts
                    .into_iter()
                    .flat_map(|p| match p {
                        Filter::And(ps) if and => ps,
                        Filter::Or(ps) if !and => ps,
                        other => vec![other],
                    })
                    .collect();
                if and {
                    Filter::And(parts)
                } else {
                    Filter::Or(parts)
                }
            })
        })
        .prop_filter("at most 50 conditions", |f| f.conditions().len() <= 50)
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    /// Any filter parses or is refused with a message and a position inside the input.
    #[test]
    fn any_filter_parses_or_says_where_it_went_wrong(input in nql_like()) {
        let length = input.chars().count();
        match parse(&input) {
            Ok(f) => {
                let n = f.conditions().len();
                prop_assert!((1..=50).contains(&n), "{n} conditions");
            }
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                prop_assert!(e.position <= length, "position {} of {length}: {}", e.position, e.message);
                let shown = e.to_string();
                let at = format!("(at character {})", e.position);
                prop_assert!(shown.ends_with(&at), "{shown}");
            }
        }
    }

    /// What parses means one thing: written back as NQL it parses to the same tree, with or
    /// without white space between the tokens.
    #[test]
    fn parsed_filters_read_back_the_same(input in nql_like()) {
        if let Ok(f) = parse(&input) {
            for pad in ["", " ", " \t "] {
                if let Some(written) = write(&f, pad) {
                    prop_assert_eq!(parse(&written), Ok(f.clone()), "{:?} written as {:?}", input, written);
                }
            }
        }
    }

    /// Every tree the parser can build is written and read back to itself.
    #[test]
    fn written_filters_read_back_the_same(f in filter(), pad in select(&["", " ", "\n  "][..])) {
        if let Some(written) = write(&f, pad) {
            prop_assert_eq!(parse(&written), Ok(f.clone()), "{}", written);
        }
    }

    /// Past 2,000 characters, 50 conditions or 10 levels of parentheses a filter is refused,
    /// quickly and at the limit.
    #[test]
    fn limits_hold(conditions in 1usize..80, depth in 0usize..14, tail in 0usize..40) {
        let flat = vec!["a:1"; conditions].join("+");
        match parse(&flat) {
            Ok(f) => prop_assert!(conditions <= 50 && f.conditions().len() == conditions),
            Err(e) => prop_assert!(conditions > 50 && e.message.contains("too many conditions"), "{}", e),
        }
        let nested = format!("{}a:1{}", "(".repeat(depth), ")".repeat(depth));
        match parse(&nested) {
            Ok(_) => prop_assert!(depth <= 10),
            Err(e) => prop_assert!(depth > 10 && e.message.contains("nested too deeply"), "{}", e),
        }
        let long = format!("a:'{}'", "x".repeat(1995 + tail));
        match parse(&long) {
            Ok(_) => prop_assert!(long.chars().count() <= 2000),
            Err(e) => {
                prop_assert!(long.chars().count() > 2000);
                prop_assert_eq!(e.position, 2000);
            }
        }
    }
}
