//! A parser for NQL, the filter language of Ghost's Content and Admin APIs (the `filter=`
//! query parameter), following the lexer and grammar of TryGhost's `nql-lang` as used by Ghost 5.
//!
//! The language, as implemented here:
//!
//! ```text
//! filter     := or_expr
//! or_expr    := and_expr ( "," and_expr )*            -- "," is OR
//! and_expr   := primary ( "+" primary )*              -- "+" is AND, binds tighter than ","
//! primary    := "(" or_expr ")" | condition
//! condition  := PROPERTY ":" op_value                 -- no space between the property and ":"
//! op_value   := "-"? "~" STRING                       -- contains / does not contain
//!             | "-"? "~^" STRING                      -- starts with / does not start with
//!             | "-"? "~$" STRING                      -- ends with / does not end with
//!             | "-"? "[" value ( "," value )* "]"     -- in / not in
//!             | ( ">" | ">=" | "<" | "<=" ) value
//!             | "-"? value                            -- equals / not equals
//! value      := null | true | false | NUMBER | RELATIVE_DATE | STRING | LITERAL
//! PROPERTY   := [a-zA-Z_][a-zA-Z0-9_.]*               -- lowercased in the result
//! NUMBER     := [0-9]+ ( "." [0-9]+ )?                -- the whole bare word must look like this
//! RELATIVE   := "now" ( "-" | "+" ) [0-9]+ ( d | w | M | y | h | m | s )
//! STRING     := "'" ... "'"                           -- at least one character; \' and \" escape quotes
//! LITERAL    := a bare word that does not start with "-" and contains no whitespace and none of
//!               ' " + , ( ) > < = [ ] ~ unless escaped with a backslash
//! ```
//!
//! Whitespace is allowed between tokens (after the colon, around operators, separators,
//! brackets and parentheses) but not inside a property name, between a property and its colon,
//! or inside the two-character operators `>=`, `<=`, `~^` and `~$`.
//!
//! `null`, `true` and `false` are keywords when written in lower case, upper case or with a
//! capital first letter (`null`, `NULL`, `Null`); other spellings and longer words such as
//! `nullable` are plain literals, and quoting (`'null'`) always gives text.
//!
//! Positions in errors are 0-based character (not byte) offsets into the input.

/// A parsed filter: a tree of conditions joined by AND (`+`) and OR (`,`), with parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Cond(Condition),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The property as written, lowercased: "tag", "tags.slug", "published_at", "featured", "authors.slug", "primary_tag", "id", "slug", "title", "visibility" ...
    pub field: String,
    pub op: Op,
    pub value: Value,
}

/// How a condition compares its field with its value.
///
/// `Contains` .. `NotEndsWith` always carry a [`Value::Text`]; `In` and `NotIn` always carry a
/// [`Value::List`]; the others carry a single (non-list) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `field:value`
    Eq,
    /// `field:-value`
    Ne,
    /// `field:>value`
    Gt,
    /// `field:>=value`
    Gte,
    /// `field:<value`
    Lt,
    /// `field:<=value`
    Lte,
    /// `field:~'text'`
    Contains,
    /// `field:-~'text'`
    NotContains,
    /// `field:~^'text'`
    StartsWith,
    /// `field:-~^'text'`
    NotStartsWith,
    /// `field:~$'text'`
    EndsWith,
    /// `field:-~$'text'`
    NotEndsWith,
    /// `field:[a,b]`
    In,
    /// `field:-[a,b]`
    NotIn,
}

impl Op {
    /// What NQL writes between `field:` and the value (a list's brackets are the value's).
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq | Op::In => "",
            Op::Ne | Op::NotIn => "-",
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::Contains => "~",
            Op::NotContains => "-~",
            Op::StartsWith => "~^",
            Op::NotStartsWith => "-~^",
            Op::EndsWith => "~$",
            Op::NotEndsWith => "-~$",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    /// A quoted or bare string, unescaped.
    Text(String),
    /// `[a,b,c]` (only with In / NotIn).
    List(Vec<Value>),
    /// A relative date such as `now-30d` (Ghost's `now-Nd|w|M|y|h|m|s` form), as (amount, unit char).
    ///
    /// NQL defines both directions (`now-…` and `now+…`), so the amount is signed: the offset from now. `now-30d` is
    /// `Relative(-30, 'd')` and `now+2w` is `Relative(2, 'w')`. The unit is one of `d` (days),
    /// `w` (weeks), `M` (months), `y` (years), `h` (hours), `m` (minutes), `s` (seconds).
    Relative(i64, char),
}

/// Why a filter could not be parsed; `position` is a 0-based character offset into the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct ParseError {
    pub message: String,
    pub position: usize,
}

/// Longest accepted filter, in characters.
const MAX_CHARS: usize = 2000;
/// Most conditions one filter may hold.
const MAX_CONDITIONS: usize = 50;
/// Deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 10;

/// How messages refer to the beginning of the input.
const START: &str = "at the start of the filter";
/// Characters that end a bare literal (besides whitespace).
const LITERAL_STOP: &[char] = &['\'', '"', '+', ',', '(', ')', '>', '<', '=', '[', ']', '~'];
/// Characters a backslash may escape inside a bare literal.
const LITERAL_ESCAPABLE: &[char] = &['\'', '"', '+', ',', '(', ')', '>', '<', '=', '[', ']', '~', '^', '$'];
/// Characters that may directly follow a relative date (besides whitespace and the end).
const RELATIVE_FOLLOW: &[char] = &['+', ',', '(', ')', '[', ']'];
/// Units of a relative date.
const RELATIVE_UNITS: &[char] = &['d', 'w', 'M', 'y', 'h', 'm', 's'];

/// Parses a filter; limits: at most 2,000 characters, at most 50 conditions, nesting at most 10 deep.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    let length = input.chars().count();
    if length > MAX_CHARS {
        return Err(ParseError {
            message: format!("filter is too long: {length} characters, at most {MAX_CHARS} are allowed"),
            position: MAX_CHARS,
        });
    }
    let mut parser = Parser { chars: input.chars().collect(), pos: 0, conditions: 0 };
    parser.skip_ws();
    if parser.at_end() {
        return Err(parser.error_here("empty filter: expected a condition such as tag:news"));
    }
    let filter = parser.parse_or(0, START)?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(filter),
        Some(')') => Err(parser.error_here("unbalanced parenthesis: found \")\" without a matching \"(\"")),
        Some(_) => Err(parser.unexpected_after_condition(false)),
    }
}

impl Filter {
    /// Every condition in the tree, in order (for checking fields against an allow-list).
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut found = Vec::new();
        self.collect_conditions(&mut found);
        found
    }

    fn collect_conditions<'a>(&'a self, found: &mut Vec<&'a Condition>) {
        match self {
            Filter::And(parts) | Filter::Or(parts) => {
                for part in parts {
                    part.collect_conditions(found);
                }
            }
            Filter::Cond(condition) => found.push(condition),
        }
    }
}

/// A recursive-descent parser over the input's characters.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    conditions: usize,
}

fn quoted(c: char) -> String {
    format!("\"{c}\"")
}

fn is_property_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_property_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// `[0-9]+ ( "." [0-9]+ )?`
fn looks_like_number(raw: &[char]) -> bool {
    let mut parts = raw.splitn(2, |&c| c == '.');
    let whole = parts.next().unwrap_or(&[]);
    let fraction = parts.next();
    let digits = |part: &[char]| !part.is_empty() && part.iter().all(char::is_ascii_digit);
    digits(whole) && fraction.is_none_or(digits)
}

/// Whether a bare word begins the way a property does (`name:`), which NQL reads as the start
/// of another condition rather than as a value.
fn property_prefix(raw: &[char]) -> Option<String> {
    let first = *raw.first()?;
    if !is_property_start(first) {
        return None;
    }
    let end = raw.iter().position(|&c| !is_property_char(c))?;
    if raw[end] == ':' {
        Some(raw[..=end].iter().collect())
    } else {
        None
    }
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, index: usize) -> Option<char> {
        self.chars.get(index).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error_at(&self, position: usize, message: impl Into<String>) -> ParseError {
        ParseError { message: message.into(), position }
    }

    fn error_here(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.pos, message)
    }

    /// What is at the cursor, for messages: `"x"` or `end of input`.
    fn found(&self) -> String {
        match self.peek() {
            Some(c) => quoted(c),
            None => "end of input".to_string(),
        }
    }

    /// The condition written so far, from `start` to the cursor, quoted for messages; long
    /// stretches keep only their end.
    fn context(&self, start: usize) -> String {
        let end = self.pos.min(self.chars.len());
        let start = start.min(end);
        let mut text: String = self.chars[start..end].iter().collect();
        let trimmed_len = text.trim_end().len();
        text.truncate(trimmed_len);
        let count = text.chars().count();
        if count > 40 {
            let tail: String = text.chars().skip(count - 30).collect();
            format!("\"…{tail}\"")
        } else {
            format!("\"{text}\"")
        }
    }

    /// An error for whatever follows a complete condition or group when it is not a separator.
    fn unexpected_after_condition(&self, in_group: bool) -> ParseError {
        let Some(c) = self.peek() else {
            return self.error_here("unexpected end of input");
        };
        let message = match c {
            '\'' => "a quoted string cannot directly follow a value (to put a quote inside a string, write \\' rather than '')".to_string(),
            '"' => "double quotes are not allowed in NQL; put strings in single quotes, e.g. title:'My Post'".to_string(),
            '=' => "NQL has no \"=\" operator; write property:value, e.g. tag:news".to_string(),
            _ => {
                let expected = if in_group {
                    "\"+\" (and), \",\" (or) or \")\""
                } else {
                    "\"+\" (and), \",\" (or) or the end of the filter"
                };
                format!("expected {expected} after a condition, found {}", quoted(c))
            }
        };
        self.error_here(message)
    }

    fn parse_or(&mut self, depth: usize, after: &str) -> Result<Filter, ParseError> {
        let mut parts = vec![self.parse_and(depth, after)?];
        loop {
            self.skip_ws();
            if self.peek() != Some(',') {
                break;
            }
            self.pos += 1;
            parts.push(self.parse_and(depth, "after \",\"")?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Filter::Or(parts) })
    }

    fn parse_and(&mut self, depth: usize, after: &str) -> Result<Filter, ParseError> {
        let mut parts = vec![self.parse_primary(depth, after)?];
        loop {
            self.skip_ws();
            if self.peek() != Some('+') {
                break;
            }
            self.pos += 1;
            parts.push(self.parse_primary(depth, "after \"+\"")?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Filter::And(parts) })
    }

    fn parse_primary(&mut self, depth: usize, after: &str) -> Result<Filter, ParseError> {
        self.skip_ws();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.error_here(format!(
                "expected a condition (such as tag:news) or \"(\" {after}, found end of input"
            )));
        };
        match c {
            '(' => {
                if depth >= MAX_DEPTH {
                    return Err(self.error_here(format!(
                        "parentheses are nested too deeply: at most {MAX_DEPTH} levels are allowed"
                    )));
                }
                self.pos += 1;
                let inner = self.parse_or(depth + 1, "after \"(\"")?;
                self.skip_ws();
                match self.peek() {
                    Some(')') => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    None => Err(self.error_here(format!(
                        "unbalanced parenthesis: expected \")\" to close the \"(\" at character {start}"
                    ))),
                    Some(_) => Err(self.unexpected_after_condition(true)),
                }
            }
            c if is_property_start(c) => self.parse_condition(),
            ')' if after == START => {
                Err(self.error_here("unbalanced parenthesis: found \")\" without a matching \"(\""))
            }
            '-' => Err(self.error_here(format!(
                "expected a property name {after}, found \"-\" (to negate, put \"-\" after the colon, e.g. tag:-news)"
            ))),
            '\'' => Err(self.error_here(format!(
                "expected a property name {after}, found a quoted string (property names are written bare, e.g. title:'My Post')"
            ))),
            ':' => Err(self.error_here("expected a property name before \":\"")),
            c if c.is_ascii_digit() => Err(self.error_here(format!(
                "expected a property name {after}, found {} (property names start with a letter or \"_\")",
                quoted(c)
            ))),
            c => Err(self.error_here(format!(
                "expected a condition (such as tag:news) or \"(\" {after}, found {}",
                quoted(c)
            ))),
        }
    }

    fn parse_condition(&mut self) -> Result<Filter, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(is_property_char) {
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        match self.peek() {
            Some(':') => self.pos += 1,
            Some(c) if c.is_whitespace() => {
                let mut next = self.pos;
                while self.peek_at(next).is_some_and(char::is_whitespace) {
                    next += 1;
                }
                let message = if self.peek_at(next) == Some(':') {
                    format!("no space is allowed between the property \"{name}\" and \":\"")
                } else {
                    format!("expected \":\" after the property \"{name}\", found a space")
                };
                return Err(self.error_here(message));
            }
            None => {
                return Err(self.error_here(format!(
                    "expected \":\" and a value after the property \"{name}\", found end of input"
                )))
            }
            Some(c) => {
                return Err(self.error_here(format!(
                    "expected \":\" after the property \"{name}\", found {} (property names may contain only letters, digits, \"_\" and \".\")",
                    quoted(c)
                )))
            }
        }
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(self.error_at(
                start,
                format!("too many conditions: at most {MAX_CONDITIONS} are allowed in one filter"),
            ));
        }
        let (op, value) = self.parse_op_value(start)?;
        Ok(Filter::Cond(Condition { field: name.to_ascii_lowercase(), op, value }))
    }

    /// Everything after `property:`.
    fn parse_op_value(&mut self, start: usize) -> Result<(Op, Value), ParseError> {
        self.skip_ws();
        let negated = self.peek() == Some('-');
        if negated {
            self.pos += 1;
            self.skip_ws();
        }
        match self.peek() {
            Some('~') => {
                self.pos += 1;
                let op = match self.peek() {
                    Some('^') => {
                        self.pos += 1;
                        if negated { Op::NotStartsWith } else { Op::StartsWith }
                    }
                    Some('$') => {
                        self.pos += 1;
                        if negated { Op::NotEndsWith } else { Op::EndsWith }
                    }
                    _ => {
                        if negated { Op::NotContains } else { Op::Contains }
                    }
                };
                self.skip_ws();
                if self.peek() != Some('\'') {
                    return Err(self.error_here(format!(
                        "expected a quoted string after {}, found {} (NQL's ~ operators take a value in single quotes, e.g. title:~'ghost')",
                        self.context(start),
                        self.found()
                    )));
                }
                Ok((op, Value::Text(self.parse_string()?)))
            }
            Some('[') => {
                let items = self.parse_list(start)?;
                Ok((if negated { Op::NotIn } else { Op::In }, Value::List(items)))
            }
            Some(c @ ('>' | '<')) if !negated => {
                self.pos += 1;
                let or_equal = self.peek() == Some('=');
                if or_equal {
                    self.pos += 1;
                }
                let op = match (c, or_equal) {
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Gte,
                    ('<', false) => Op::Lt,
                    _ => Op::Lte,
                };
                self.skip_ws();
                Ok((op, self.parse_scalar(start)?))
            }
            _ => {
                let value = self.parse_scalar(start)?;
                Ok((if negated { Op::Ne } else { Op::Eq }, value))
            }
        }
    }

    /// `[ value, value ... ]`, the cursor on the `[`.
    fn parse_list(&mut self, start: usize) -> Result<Vec<Value>, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => {
                    return Err(self.error_here(format!(
                        "unterminated list: expected a value and \"]\" to close the \"[\" at character {open}"
                    )))
                }
                Some(']') if items.is_empty() => {
                    return Err(self.error_here("empty list: expected at least one value between \"[\" and \"]\""))
                }
                Some(']') => return Err(self.error_here("expected a value after \",\" in the list, found \"]\"")),
                Some('-') => {
                    return Err(self.error_here(
                        "\"-\" is not allowed inside a list; to exclude values, negate the whole list, e.g. tag:-[news,arts]",
                    ))
                }
                Some(_) => {}
            }
            items.push(self.parse_scalar(start)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some('+') => {
                    return Err(self.error_here(
                        "\"+\" inside a list (match all, [a+b]) is not supported; separate list values with \",\" or write tag:a+tag:b",
                    ))
                }
                None => {
                    return Err(self.error_here(format!(
                        "unterminated list: expected \",\" or \"]\" to close the \"[\" at character {open}"
                    )))
                }
                Some(c) => {
                    return Err(self.error_here(format!("expected \",\" or \"]\" in the list, found {}", quoted(c))))
                }
            }
        }
    }

    /// A single value: keyword, number, relative date, quoted string or bare literal.
    fn parse_scalar(&mut self, start: usize) -> Result<Value, ParseError> {
        let value_start = self.pos;
        let Some(c) = self.peek() else {
            return Err(self.error_here(format!("expected a value after {}", self.context(start))));
        };
        match c {
            '\'' => return Ok(Value::Text(self.parse_string()?)),
            '"' => {
                return Err(self.error_here(
                    "double quotes are not allowed in NQL; put strings in single quotes, e.g. title:'My Post'",
                ))
            }
            '-' => {
                return Err(self.error_here(format!(
                    "expected a value after {}, found \"-\" (\"-\" means \"not\" and may only come directly after the colon; quote values that start with \"-\")",
                    self.context(start)
                )))
            }
            c if c.is_whitespace() || LITERAL_STOP.contains(&c) => {
                return Err(self.error_here(format!(
                    "expected a value after {}, found {}",
                    self.context(start),
                    quoted(c)
                )))
            }
            _ => {}
        }
        if let Some(relative) = self.relative_date()? {
            return Ok(relative);
        }
        let text = self.read_literal();
        let raw = &self.chars[value_start..self.pos];
        let raw_text: String = raw.iter().collect();
        match raw_text.as_str() {
            "null" | "NULL" | "Null" => return Ok(Value::Null),
            "true" | "TRUE" | "True" => return Ok(Value::Bool(true)),
            "false" | "FALSE" | "False" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if looks_like_number(raw) {
            return match raw_text.parse::<f64>() {
                Ok(number) if number.is_finite() => Ok(Value::Number(number)),
                _ => Err(self.error_at(value_start, format!("number {raw_text:.20} is too large"))),
            };
        }
        if let Some(prefix) = property_prefix(raw) {
            return Err(self.error_at(
                value_start,
                format!(
                    "expected a value after {}, found what reads as another property \"{prefix}\" (put values containing \":\" in single quotes)",
                    self.context_before(start, value_start)
                ),
            ));
        }
        Ok(Value::Text(text))
    }

    /// Like [`Parser::context`] but ending at `end` rather than at the cursor.
    fn context_before(&self, start: usize, end: usize) -> String {
        let shortened = Parser { chars: self.chars[..end.min(self.chars.len())].to_vec(), pos: end, conditions: 0 };
        shortened.context(start)
    }

    /// `now-30d`, `now+2w` ...: consumed only when followed by whitespace, the end, or one of
    /// `+ , ( ) [ ]`; otherwise the word is an ordinary literal (`now-2`, `now-2dx`, `snow-2d`).
    fn relative_date(&mut self) -> Result<Option<Value>, ParseError> {
        let at = self.pos;
        let starts_with_now = self.peek_at(at) == Some('n')
            && self.peek_at(at + 1) == Some('o')
            && self.peek_at(at + 2) == Some('w');
        if !starts_with_now {
            return Ok(None);
        }
        let negative = match self.peek_at(at + 3) {
            Some('-') => true,
            Some('+') => false,
            _ => return Ok(None),
        };
        let digits_start = at + 4;
        let mut digits_end = digits_start;
        while self.peek_at(digits_end).is_some_and(|c| c.is_ascii_digit()) {
            digits_end += 1;
        }
        if digits_end == digits_start {
            return Ok(None);
        }
        let Some(unit) = self.peek_at(digits_end).filter(|c| RELATIVE_UNITS.contains(c)) else {
            return Ok(None);
        };
        let ends_cleanly = match self.peek_at(digits_end + 1) {
            None => true,
            Some(c) => c.is_whitespace() || RELATIVE_FOLLOW.contains(&c),
        };
        if !ends_cleanly {
            return Ok(None);
        }
        let digits: String = self.chars[digits_start..digits_end].iter().collect();
        let Ok(amount) = digits.parse::<i64>() else {
            return Err(self.error_at(digits_start, "relative date amount is too large"));
        };
        self.pos = digits_end + 1;
        Ok(Some(Value::Relative(if negative { -amount } else { amount }, unit)))
    }

    /// A bare literal from the cursor, returned unescaped; the caller has checked that the
    /// first character may start one.
    fn read_literal(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                if let Some(next) = self.peek_at(self.pos + 1).filter(|n| LITERAL_ESCAPABLE.contains(n)) {
                    text.push(next);
                    self.pos += 2;
                    continue;
                }
            } else if c.is_whitespace() || LITERAL_STOP.contains(&c) {
                break;
            }
            text.push(c);
            self.pos += 1;
        }
        text
    }

    /// A single-quoted string, the cursor on the opening quote. `\'` and `\"` stand for quotes;
    /// any other backslash is kept as written. As in NQL, when the string would otherwise be
    /// unterminated (or meets an unescaped `"`), its last `\'` is read as a backslash followed
    /// by the closing quote, so `'C:\'` is the text `C:\`.
    fn parse_string(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        let mut index = open + 1;
        let mut text = String::new();
        // (length of `text` before the escaped quote, index of its backslash)
        let mut last_escaped_quote: Option<(usize, usize)> = None;
        let failure = loop {
            match self.peek_at(index) {
                None => {
                    break self.error_at(
                        index,
                        format!("unterminated string: expected a closing \"'\" for the string opened at character {open}"),
                    )
                }
                Some('\\') if matches!(self.peek_at(index + 1), Some('\'' | '"')) => {
                    let escaped = self.chars[index + 1];
                    if escaped == '\'' {
                        last_escaped_quote = Some((text.len(), index));
                    }
                    text.push(escaped);
                    index += 2;
                }
                Some('\'') => {
                    if text.is_empty() {
                        return Err(self.error_at(
                            open,
                            "empty string '' is not allowed: a quoted string needs at least one character (use null for a missing value)",
                        ));
                    }
                    self.pos = index + 1;
                    return Ok(text);
                }
                Some('"') => {
                    break self.error_at(
                        index,
                        "double quotes must be escaped inside a string: write \\\" (or use single quotes only)",
                    )
                }
                Some(c) => {
                    text.push(c);
                    index += 1;
                }
            }
        };
        match last_escaped_quote {
            Some((length, backslash)) => {
                text.truncate(length);
                text.push('\\');
                self.pos = backslash + 2;
                Ok(text)
            }
            None => Err(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- helpers -------------------------------------------------------------------------

    fn cond(field: &str, op: Op, value: Value) -> Filter {
        Filter::Cond(Condition { field: field.to_string(), op, value })
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    fn num(n: f64) -> Value {
        Value::Number(n)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    fn ok(input: &str) -> Filter {
        match parse(input) {
            Ok(filter) => filter,
            Err(e) => panic!("{input:?} should parse, got: {e}"),
        }
    }

    fn err(input: &str) -> ParseError {
        match parse(input) {
            Ok(filter) => panic!("{input:?} should fail, got {filter:?}"),
            Err(e) => e,
        }
    }

    /// Asserts an error at `position` whose message contains `needle`.
    fn err_at(input: &str, position: usize, needle: &str) {
        let e = err(input);
        assert_eq!(e.position, position, "{input:?}: wrong position in: {e}");
        assert!(e.message.contains(needle), "{input:?}: message {:?} should contain {needle:?}", e.message);
    }

    /// The single condition of a one-condition filter.
    fn single(input: &str) -> (String, Op, Value) {
        match ok(input) {
            Filter::Cond(c) => (c.field, c.op, c.value),
            other => panic!("{input:?} should be a single condition, got {other:?}"),
        }
    }

    // ---- operators ---------------------------------------------------------------------------

    #[test]
    fn equality_and_negation() {
        assert_eq!(single("tag:news"), ("tag".into(), Op::Eq, text("news")));
        assert_eq!(single("tag:-news"), ("tag".into(), Op::Ne, text("news")));
        assert_eq!(single("tag:-photo-graph"), ("tag".into(), Op::Ne, text("photo-graph")));
        assert_eq!(single("author:-'Joe Bloggs'"), ("author".into(), Op::Ne, text("Joe Bloggs")));
        assert_eq!(single("count:-5"), ("count".into(), Op::Ne, num(5.0)));
    }

    #[test]
    fn comparisons() {
        assert_eq!(single("count:>5"), ("count".into(), Op::Gt, num(5.0)));
        assert_eq!(single("count:>=5"), ("count".into(), Op::Gte, num(5.0)));
        assert_eq!(single("count:<5"), ("count".into(), Op::Lt, num(5.0)));
        assert_eq!(single("count:<=5"), ("count".into(), Op::Lte, num(5.0)));
        assert_eq!(single("tag:>getting-started"), ("tag".into(), Op::Gt, text("getting-started")));
        assert_eq!(single("author:<='Joe Bloggs'"), ("author".into(), Op::Lte, text("Joe Bloggs")));
    }

    #[test]
    fn contains_family() {
        assert_eq!(single("email:~'gmail.com'"), ("email".into(), Op::Contains, text("gmail.com")));
        assert_eq!(single("email:-~'gmail.com'"), ("email".into(), Op::NotContains, text("gmail.com")));
        assert_eq!(single("email:~^'gmail'"), ("email".into(), Op::StartsWith, text("gmail")));
        assert_eq!(single("email:-~^'gmail'"), ("email".into(), Op::NotStartsWith, text("gmail")));
        assert_eq!(single("email:~$'.com'"), ("email".into(), Op::EndsWith, text(".com")));
        assert_eq!(single("email:-~$'.com'"), ("email".into(), Op::NotEndsWith, text(".com")));
        // Regex metacharacters are plain text here; escaping them is the query builder's job.
        assert_eq!(single(r"email:~'.*+?^$(){}|[]\'"), ("email".into(), Op::Contains, text(r".*+?^$(){}|[]\")));
        assert_eq!(single(r"name:~'john o\'nolan'"), ("name".into(), Op::Contains, text("john o'nolan")));
        assert_eq!(single(r#"name:~'john o\"nolan'"#), ("name".into(), Op::Contains, text("john o\"nolan")));
        // Whitespace may separate "-" and "~" and the string, but not "~" and "^".
        assert_eq!(single("title: - ~ 'x'"), ("title".into(), Op::NotContains, text("x")));
        assert_eq!(single("title:~ 'x y'"), ("title".into(), Op::Contains, text("x y")));
    }

    #[test]
    fn contains_needs_a_quoted_string() {
        err_at("email:~gmail.com", 7, "expected a quoted string after \"email:~\"");
        err_at("email:-~^gmail", 9, "quoted string");
        err_at("email:~", 7, "found end of input");
        err_at("title:~ ^'x'", 8, "quoted string");
        err_at("title:~null", 7, "quoted string");
    }

    #[test]
    fn lists() {
        assert_eq!(single("tag:[news,arts]"), ("tag".into(), Op::In, list(vec![text("news"), text("arts")])));
        assert_eq!(single("tag:-[news,arts]"), ("tag".into(), Op::NotIn, list(vec![text("news"), text("arts")])));
        assert_eq!(single("count:[5]"), ("count".into(), Op::In, list(vec![num(5.0)])));
        assert_eq!(
            single("count:-[5, 8, 12]"),
            ("count".into(), Op::NotIn, list(vec![num(5.0), num(8.0), num(12.0)]))
        );
        assert_eq!(
            single(r"author:[ 'Joe Bloggs' , 'John O\'Nolan', x ]"),
            ("author".into(), Op::In, list(vec![text("Joe Bloggs"), text("John O'Nolan"), text("x")]))
        );
        assert_eq!(
            single("id:[null,true,False,1.5,now-1d]"),
            (
                "id".into(),
                Op::In,
                list(vec![Value::Null, Value::Bool(true), Value::Bool(false), num(1.5), Value::Relative(-1, 'd')])
            )
        );
        assert_eq!(single("tag: - [a]"), ("tag".into(), Op::NotIn, list(vec![text("a")])));
    }

    #[test]
    fn list_errors() {
        err_at("tag:[", 5, "unterminated list");
        err_at("tag:[a", 6, "unterminated list: expected \",\" or \"]\" to close the \"[\" at character 4");
        err_at("tag:[a,", 7, "unterminated list");
        err_at("tag:[]", 5, "empty list");
        err_at("tag:[a,]", 7, "after \",\"");
        err_at("tag:[a+b]", 6, "not supported");
        err_at("tag:[-a]", 5, "not allowed inside a list");
        err_at("tag:[a b]", 7, "expected \",\" or \"]\"");
        err_at("tag:[[a]]", 5, "expected a value");
        err_at("tag:>[a]", 5, "expected a value after \"tag:>\", found \"[\"");
        err_at("id:test,ing]", 11, "expected");
    }

    // ---- precedence and grouping ---------------------------------------------------------------

    #[test]
    fn and_binds_tighter_than_or() {
        let a = cond("a", Op::Eq, num(1.0));
        let b = cond("b", Op::Eq, num(2.0));
        let c = cond("c", Op::Eq, num(3.0));
        assert_eq!(ok("a:1+b:2,c:3"), Filter::Or(vec![Filter::And(vec![a.clone(), b.clone()]), c.clone()]));
        assert_eq!(ok("a:1,b:2+c:3"), Filter::Or(vec![a.clone(), Filter::And(vec![b.clone(), c.clone()])]));
        assert_eq!(ok("a:1+b:2+c:3"), Filter::And(vec![a.clone(), b.clone(), c.clone()]));
        assert_eq!(ok("a:1,b:2,c:3"), Filter::Or(vec![a.clone(), b.clone(), c.clone()]));
        assert_eq!(
            ok("tag:photo+featured:true,tag.count:>5"),
            Filter::Or(vec![
                Filter::And(vec![cond("tag", Op::Eq, text("photo")), cond("featured", Op::Eq, Value::Bool(true))]),
                cond("tag.count", Op::Gt, num(5.0)),
            ])
        );
    }

    #[test]
    fn parentheses() {
        let a = cond("a", Op::Eq, num(1.0));
        let b = cond("b", Op::Eq, num(2.0));
        let c = cond("c", Op::Eq, num(3.0));
        assert_eq!(ok("a:1+(b:2,c:3)"), Filter::And(vec![a.clone(), Filter::Or(vec![b.clone(), c.clone()])]));
        assert_eq!(ok("(a:1,b:2)+c:3"), Filter::And(vec![Filter::Or(vec![a.clone(), b.clone()]), c.clone()]));
        // Single-element groups collapse; a group of the same kind stays nested, as in NQL.
        assert_eq!(ok("(a:1)"), a.clone());
        assert_eq!(ok("((((a:1))))"), a.clone());
        assert_eq!(ok("(a:1+b:2)"), Filter::And(vec![a.clone(), b.clone()]));
        assert_eq!(ok("a:1,(b:2,c:3)"), Filter::Or(vec![a.clone(), Filter::Or(vec![b.clone(), c.clone()])]));
        assert_eq!(ok("(a:1+b:2)+c:3"), Filter::And(vec![Filter::And(vec![a.clone(), b.clone()]), c.clone()]));
        assert_eq!(
            ok("name:sample,(name:-sample+created_at:<='2016-03-03'),(name:-sample+(created_at:'2016-03-03',created_at:'2016-03-04'))"),
            Filter::Or(vec![
                cond("name", Op::Eq, text("sample")),
                Filter::And(vec![cond("name", Op::Ne, text("sample")), cond("created_at", Op::Lte, text("2016-03-03"))]),
                Filter::And(vec![
                    cond("name", Op::Ne, text("sample")),
                    Filter::Or(vec![
                        cond("created_at", Op::Eq, text("2016-03-03")),
                        cond("created_at", Op::Eq, text("2016-03-04")),
                    ]),
                ]),
            ])
        );
        assert_eq!(
            ok("author:-joe+(tag:photo,image:-null,featured:true)"),
            Filter::And(vec![
                cond("author", Op::Ne, text("joe")),
                Filter::Or(vec![
                    cond("tag", Op::Eq, text("photo")),
                    cond("image", Op::Ne, Value::Null),
                    cond("featured", Op::Eq, Value::Bool(true)),
                ]),
            ])
        );
    }

    #[test]
    fn parenthesis_errors() {
        err_at(")", 0, "unbalanced parenthesis");
        err_at("  )", 2, "unbalanced parenthesis");
        err_at("count:3)", 7, "unbalanced parenthesis");
        err_at("(a:1))", 5, "unbalanced parenthesis");
        err_at("(a:1", 4, "unbalanced parenthesis: expected \")\" to close the \"(\" at character 0");
        err_at("id:5,(count:3", 13, "character 5");
        err_at("((a:1)", 6, "at character 0");
        err_at("()", 1, "after \"(\", found \")\"");
        err_at("(", 1, "after \"(\", found end of input");
        err_at("id:5(count:3)", 4, "expected \"+\" (and), \",\" (or) or the end of the filter");
        err_at("(a:1 b:2)", 5, "or \")\"");
        err_at("a:1+)", 4, "after \"+\", found \")\"");
    }

    #[test]
    fn nesting_limit() {
        let ten = format!("{}a:1{}", "(".repeat(10), ")".repeat(10));
        assert_eq!(ok(&ten), cond("a", Op::Eq, num(1.0)));
        let eleven = format!("{}a:1{}", "(".repeat(11), ")".repeat(11));
        err_at(&eleven, 10, "nested too deeply");
        let deep = format!("a:1+{}", "(".repeat(1900));
        err_at(&deep, 14, "nested too deeply");
    }

    #[test]
    fn condition_limit() {
        let fifty = vec!["a:1"; 50].join(",");
        assert_eq!(ok(&fifty).conditions().len(), 50);
        let fifty_one = vec!["a:1"; 51].join(",");
        err_at(&fifty_one, 200, "too many conditions");
        let in_groups = format!("({})+b:2", vec!["a:1"; 50].join("+"));
        err_at(&in_groups, 202, "too many conditions");
    }

    #[test]
    fn length_limit() {
        let long_value = format!("title:'{}'", "x".repeat(MAX_CHARS - 8));
        assert_eq!(long_value.chars().count(), MAX_CHARS);
        assert!(parse(&long_value).is_ok());
        let too_long = format!("title:'{}'", "x".repeat(MAX_CHARS - 7));
        err_at(&too_long, MAX_CHARS, "too long");
        // Characters, not bytes, are counted.
        let unicode = format!("title:'{}'", "é".repeat(MAX_CHARS - 8));
        assert!(unicode.len() > MAX_CHARS);
        assert_eq!(single(&unicode).2, text(&"é".repeat(MAX_CHARS - 8)));
        err_at(&"x".repeat(100_000), MAX_CHARS, "too long");
    }

    // ---- values ----------------------------------------------------------------------------

    #[test]
    fn keywords() {
        for (input, value) in [
            ("image:null", Value::Null),
            ("image:NULL", Value::Null),
            ("image:Null", Value::Null),
            ("featured:true", Value::Bool(true)),
            ("featured:TRUE", Value::Bool(true)),
            ("featured:True", Value::Bool(true)),
            ("featured:false", Value::Bool(false)),
            ("featured:FALSE", Value::Bool(false)),
            ("featured:False", Value::Bool(false)),
        ] {
            assert_eq!(single(input).2, value, "{input}");
        }
        assert_eq!(single("image:-null"), ("image".into(), Op::Ne, Value::Null));
        assert_eq!(single("featured:-false"), ("featured".into(), Op::Ne, Value::Bool(false)));
        // Other spellings, longer words and quoted keywords are text.
        for word in ["nUll", "nullable", "null-thing", "its-a-null-thing", "trueth", "true_thing", "falsey", "tRUE"] {
            assert_eq!(single(&format!("tag:{word}")).2, text(word), "{word}");
        }
        assert_eq!(single("tag:'null'").2, text("null"));
        assert_eq!(single("tag:'true'").2, text("true"));
        // Keywords work as property names too.
        assert_eq!(
            ok("true:null+false:true,null:false"),
            Filter::Or(vec![
                Filter::And(vec![cond("true", Op::Eq, Value::Null), cond("false", Op::Eq, Value::Bool(true))]),
                cond("null", Op::Eq, Value::Bool(false)),
            ])
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(single("id:3").2, num(3.0));
        assert_eq!(single("count:0").2, num(0.0));
        assert_eq!(single("count:007").2, num(7.0));
        assert_eq!(single("price:1.5").2, num(1.5));
        assert_eq!(single("count:>=12345").2, num(12345.0));
        // Words that merely start with digits are text.
        for word in ["123-test", "5-3", "1a", "1.2.3", "12:30", "2021-01-01", "0x10", "1e5"] {
            assert_eq!(single(&format!("tag:{word}")).2, text(word), "{word}");
        }
        assert_eq!(single("tag:'5'").2, text("5"));
        let huge = format!("count:{}", "9".repeat(400));
        err_at(&huge, 6, "too large");
    }

    #[test]
    fn dates() {
        assert_eq!(single("published_at:>'2020-01-01'"), ("published_at".into(), Op::Gt, text("2020-01-01")));
        assert_eq!(single("published_at:>2020-01-01"), ("published_at".into(), Op::Gt, text("2020-01-01")));
        assert_eq!(
            single("published_at:>'2017-06-03 23:43:12'"),
            ("published_at".into(), Op::Gt, text("2017-06-03 23:43:12"))
        );
        // A bare date-time may contain colons because it starts with a digit.
        assert_eq!(
            single("published_at:<=2021-01-01T10:00:00.000Z"),
            ("published_at".into(), Op::Lte, text("2021-01-01T10:00:00.000Z"))
        );
        assert_eq!(
            single("created_at:'2025-02-27T19:03:00.000-05:00'"),
            ("created_at".into(), Op::Eq, text("2025-02-27T19:03:00.000-05:00"))
        );
    }

    #[test]
    fn relative_dates() {
        assert_eq!(single("published_at:>now-30d"), ("published_at".into(), Op::Gt, Value::Relative(-30, 'd')));
        assert_eq!(single("last_seen_at:<=now+365d"), ("last_seen_at".into(), Op::Lte, Value::Relative(365, 'd')));
        for unit in ['d', 'w', 'M', 'y', 'h', 'm', 's'] {
            assert_eq!(single(&format!("x:>=now-2{unit}")).2, Value::Relative(-2, unit));
            assert_eq!(single(&format!("x:>=now+2{unit}")).2, Value::Relative(2, unit));
        }
        assert_eq!(single("x:now-0d").2, Value::Relative(0, 'd'));
        assert_eq!(single("x:-now-1h"), ("x".into(), Op::Ne, Value::Relative(-1, 'h')));
        // Followed by separators, brackets, parentheses and whitespace.
        assert_eq!(
            ok("last_seen_at:>=now+2d+foo:bar"),
            Filter::And(vec![cond("last_seen_at", Op::Gte, Value::Relative(2, 'd')), cond("foo", Op::Eq, text("bar"))])
        );
        assert_eq!(
            ok("(created_at:>=now-1d ,tag:a)"),
            Filter::Or(vec![cond("created_at", Op::Gte, Value::Relative(-1, 'd')), cond("tag", Op::Eq, text("a"))])
        );
        // Near misses are ordinary literals.
        for word in ["now-2", "now-12", "now-2Q", "now-2dQ", "now-2d1", "now-2D", "now-2W", "now-2Y", "its-now-2d", "snow-2d", "now", "now-d"] {
            assert_eq!(single(&format!("x:{word}")).2, text(word), "{word}");
        }
        assert_eq!(single("x:'now-2d'").2, text("now-2d"));
        // "now+2" is the literal "now" AND something that is not a condition.
        err_at("x:now+2", 6, "property name");
        err_at("x:now-99999999999999999999d", 6, "too large");
    }

    #[test]
    fn quoted_strings_and_escapes() {
        assert_eq!(single("author:'Joe Bloggs'").2, text("Joe Bloggs"));
        assert_eq!(single("author:'  spaced  '").2, text("  spaced  "));
        assert_eq!(single(r"author:'John O\'Nolan'").2, text("John O'Nolan"));
        assert_eq!(single(r#"title:'say \"hi\"'"#).2, text("say \"hi\""));
        assert_eq!(single("title:'a+b,c(d)e[f]g>h<i=j~k-l:m'").2, text("a+b,c(d)e[f]g>h<i=j~k-l:m"));
        assert_eq!(single("title:'-starts-with-dash'").2, text("-starts-with-dash"));
        // Other backslashes are kept as written.
        assert_eq!(single(r"path:'a\b\\c'").2, text(r"a\b\\c"));
        // With nothing left to close it, a final \' closes the string (as NQL's lexer does).
        assert_eq!(single(r"path:'C:\'").2, text(r"C:\"));
        assert_eq!(
            ok(r"path:'C:\'+tag:x"),
            Filter::And(vec![cond("path", Op::Eq, text(r"C:\")), cond("tag", Op::Eq, text("x"))])
        );
        assert_eq!(single("title:'日本語 ✓'").2, text("日本語 ✓"));
        assert_eq!(single("title:'line\nbreak'").2, text("line\nbreak"));
    }

    #[test]
    fn string_errors() {
        err_at("tag:'abc", 8, "unterminated string: expected a closing \"'\" for the string opened at character 4");
        err_at("tag:'", 5, "unterminated string");
        err_at("tag:''", 4, "empty string");
        // NQL does not double quotes to escape them.
        err_at("title:'it''s'", 10, "\\'");
        err_at("tag:'a\"b'", 6, "double quotes must be escaped");
        err_at("tag:\"news\"", 4, "double quotes are not allowed");
        err_at("'My Tag':tag", 0, "quoted string");
        err_at("tag:'My Tag'-", 12, "expected \"+\" (and)");
    }

    #[test]
    fn bare_literals() {
        assert_eq!(single("tag:a").2, text("a"));
        assert_eq!(single("tag:é").2, text("é"));
        assert_eq!(single("tag:getting-started").2, text("getting-started"));
        assert_eq!(single("tag:my&value!").2, text("my&value!"));
        assert_eq!(single("tag:café-au-lait").2, text("café-au-lait"));
        assert_eq!(single("tag:#hash").2, text("#hash"));
        assert_eq!(single("tag:a^b$c").2, text("a^b$c"));
        assert_eq!(single("url:https\\://x").2, text("https\\://x"));
        // Escaped special characters, unescaped in the value.
        assert_eq!(single(r"tag:t\+st").2, text("t+st"));
        assert_eq!(single(r"tag:t\,st").2, text("t,st"));
        assert_eq!(single(r"tag:a\(b\)c\[d\]").2, text("a(b)c[d]"));
        assert_eq!(single(r"tag:a\>b\<c\=d\~e").2, text("a>b<c=d~e"));
        assert_eq!(single(r"tag:my&valu\'e!").2, text("my&valu'e!"));
        assert_eq!(single(r#"tag:thing\"amabob"#).2, text("thing\"amabob"));
        // A backslash before anything else is kept.
        assert_eq!(single(r"tag:a\b").2, text(r"a\b"));
        assert_eq!(single(r"tag:a\").2, text(r"a\"));
        // A colon may appear in a value that does not read as a property.
        assert_eq!(single("tag::test").2, text(":test"));
        assert_eq!(single("tag:te!:st").2, text("te!:st"));
    }

    #[test]
    fn bare_literal_errors() {
        err_at("tag:a:b", 4, "another property \"a:\"");
        err_at("tag:http://x", 4, "another property \"http:\"");
        err_at("tag:a=b", 5, "no \"=\" operator");
        err_at("tag:t'st", 5, "quoted string cannot directly follow");
        err_at("tag:a~b", 5, "expected \"+\" (and)");
        err_at("tag:--x", 5, "found \"-\"");
        err_at("count:>-5", 7, "found \"-\"");
        err_at("tag:->5", 5, "found \">\"");
        err_at("tag:=x", 4, "found \"=\"");
        err_at("tag:> =5", 6, "found \"=\"");
        err_at("tag:>", 5, "expected a value after \"tag:>\"");
    }

    // ---- properties ---------------------------------------------------------------------------

    #[test]
    fn properties() {
        assert_eq!(single("tags.slug:news").0, "tags.slug");
        assert_eq!(single("Tag:News"), ("tag".into(), Op::Eq, text("News")));
        assert_eq!(single("PUBLISHED_AT:>now-1d").0, "published_at");
        assert_eq!(single("_private:1").0, "_private");
        assert_eq!(single("count.posts:>=1").0, "count.posts");
        assert_eq!(single("post_count:6").0, "post_count");
    }

    #[test]
    fn property_errors() {
        err_at("", 0, "empty filter");
        err_at("   \t ", 5, "empty filter");
        err_at(":x", 0, "property name before \":\"");
        err_at("tag:", 4, "expected a value after \"tag:\"");
        err_at("tag: ", 5, "expected a value after \"tag:\"");
        err_at("tag", 3, "expected \":\" and a value after the property \"tag\"");
        err_at("tag :x", 3, "no space is allowed");
        err_at("tag x", 3, "found a space");
        err_at("post-count:6", 4, "found \"-\"");
        err_at("1tag:x", 0, "start with a letter");
        err_at("-tag:x", 0, "put \"-\" after the colon");
        err_at("5>:tag", 0, "start with a letter");
        err_at("tág:x", 1, "found \"á\"");
        err_at("日本:x", 0, "found \"日\"");
        err_at("count:3+", 8, "after \"+\", found end of input");
        err_at(",count:3", 0, "found \",\"");
        err_at("a:1,,b:2", 4, "after \",\", found \",\"");
        err_at("a:1 b:2", 4, "expected \"+\" (and), \",\" (or)");
    }

    #[test]
    fn whitespace() {
        assert_eq!(ok("count: -5"), ok("count:-5"));
        assert_eq!(ok("author: -joe + tag: [photo, video]"), ok("author:-joe+tag:[photo,video]"));
        assert_eq!(ok("  ( a:1 , b:2 )  +  c:>= 3 "), ok("(a:1,b:2)+c:>=3"));
        assert_eq!(ok("\ttag:\nnews\r\n"), ok("tag:news"));
        assert_ne!(ok("author:'Hello World'"), ok("author:'HelloWorld'"));
    }

    // ---- Ghost documentation examples ----------------------------------------------------

    #[test]
    fn ghost_documentation_examples() {
        assert_eq!(single("tag:hash-noimg"), ("tag".into(), Op::Eq, text("hash-noimg")));
        assert_eq!(single("primary_tag:getting-started"), ("primary_tag".into(), Op::Eq, text("getting-started")));
        assert_eq!(single("primary_author:my-author"), ("primary_author".into(), Op::Eq, text("my-author")));
        assert_eq!(single("visibility:public"), ("visibility".into(), Op::Eq, text("public")));
        assert_eq!(
            single("tag:-[getting-started,hello]"),
            ("tag".into(), Op::NotIn, list(vec![text("getting-started"), text("hello")]))
        );
        assert_eq!(
            ok("featured:true+tag:[news,arts]"),
            Filter::And(vec![
                cond("featured", Op::Eq, Value::Bool(true)),
                cond("tag", Op::In, list(vec![text("news"), text("arts")])),
            ])
        );
        assert_eq!(
            ok("featured:true+feature_image:null"),
            Filter::And(vec![cond("featured", Op::Eq, Value::Bool(true)), cond("feature_image", Op::Eq, Value::Null)])
        );
        assert_eq!(
            single("tags:[photo, video, audio]"),
            ("tags".into(), Op::In, list(vec![text("photo"), text("video"), text("audio")]))
        );
        assert_eq!(
            ok("tag:fiction+tag:-fables"),
            Filter::And(vec![cond("tag", Op::Eq, text("fiction")), cond("tag", Op::Ne, text("fables"))])
        );
        assert_eq!(
            ok("tag:photo,featured:true,image:-null"),
            Filter::Or(vec![
                cond("tag", Op::Eq, text("photo")),
                cond("featured", Op::Eq, Value::Bool(true)),
                cond("image", Op::Ne, Value::Null),
            ])
        );
        assert_eq!(
            ok("tags:[photo, video] + id:-5"),
            Filter::And(vec![
                cond("tags", Op::In, list(vec![text("photo"), text("video")])),
                cond("id", Op::Ne, num(5.0)),
            ])
        );
        assert_eq!(single("post.count:>=1"), ("post.count".into(), Op::Gte, num(1.0)));
        assert_eq!(single("slug:getting-started"), ("slug".into(), Op::Eq, text("getting-started")));
        assert_eq!(single("published_at:>'2020-01-01'"), ("published_at".into(), Op::Gt, text("2020-01-01")));
    }

    #[test]
    fn conditions_in_order() {
        let filter = ok("a:1+(b:2,c:[x,y]),d:-~'z'+(e:3+(f:4))");
        let fields: Vec<&str> = filter.conditions().iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(filter.conditions()[3].op, Op::NotContains);
        assert_eq!(ok("x:1").conditions().len(), 1);
    }

    #[test]
    fn error_display() {
        let e = err("tag:");
        assert_eq!(e.to_string(), "expected a value after \"tag:\" (at character 4)");
        // Long contexts are shortened.
        let e = err(&format!("tag:[{}", "abc,".repeat(30)));
        assert!(e.message.len() < 200, "{}", e.message);
    }

    // ---- round trip and robustness ----------------------------------------------------------

    /// Xorshift64*, for deterministic pseudo-random tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    const PIECES: &[&str] = &[
        "tag", "tags.slug", "a", "_x", "Featured", ":", ":", ":", "-", "+", ",", "(", ")", "[", "]", "'", "\"",
        "\\", "~", "^", "$", ">", "<", ">=", "<=", "=", ".", "_", "0", "1", "42", "3.5", " ", "  ", "\t", "null",
        "true", "False", "now", "now-2d", "now+1M", "-3w", "'x'", "'a b'", "\\'", "\\,", "é", "日本", "🦀",
        "\u{0}", "\u{200b}", "2021-01-01", "T10:00", "news", "getting-started",
    ];

    fn check_no_panic(input: &str) {
        match parse(input) {
            Ok(filter) => {
                let count = filter.conditions().len();
                assert!((1..=MAX_CONDITIONS).contains(&count), "{input:?}: {count} conditions");
            }
            Err(e) => {
                assert!(e.position <= input.chars().count().max(MAX_CHARS), "{input:?}: position {}", e.position);
                assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut parsed = 0;
        for _ in 0..6000 {
            let pieces = rng.below(25);
            let mut input = String::new();
            for _ in 0..pieces {
                let piece: &str = PIECES[rng.below(PIECES.len())];
                input.push_str(piece);
            }
            if parse(&input).is_ok() {
                parsed += 1;
            }
            check_no_panic(&input);
        }
        // Random single characters, including arbitrary unicode scalars.
        for _ in 0..3000 {
            let len = rng.below(12);
            let input: String = (0..len)
                .map(|_| {
                    if rng.below(4) == 0 {
                        char::from_u32((rng.next() % 0x11_0000) as u32).unwrap_or('?')
                    } else {
                        *rng.pick(&[
                            'a', 'z', '_', '.', ':', '-', '+', ',', '(', ')', '[', ']', '\'', '"', '\\', '~', '^', '$',
                            '>', '<', '=', ' ', '0', '9', 'n', 'o', 'w', 'd',
                        ])
                    }
                })
                .collect();
            check_no_panic(&input);
        }
        assert!(parsed > 0, "the generator should produce some valid filters");
        for input in [
            "(".repeat(2000),
            ")".repeat(2000),
            "[".repeat(2000),
            "'".repeat(2000),
            "\\".repeat(2000),
            format!("a:{}", "-".repeat(1998)),
            format!("a:'{}", "\\'".repeat(999)),
            format!("a:[{}", "1,".repeat(998)),
            "a:1+".repeat(500),
            "a:now-".to_string() + &"9".repeat(1990) + "d",
        ] {
            check_no_panic(&input);
        }
    }

    fn random_scalar(rng: &mut Rng) -> Value {
        match rng.below(6) {
            0 => Value::Null,
            1 => Value::Bool(rng.below(2) == 0),
            2 => Value::Number(rng.below(10_000) as f64 / if rng.below(2) == 0 { 1.0 } else { 4.0 }),
            3 => Value::Relative(rng.below(1000) as i64 * if rng.below(2) == 0 { -1 } else { 1 }, *rng.pick(RELATIVE_UNITS)),
            _ => random_text(rng),
        }
    }

    fn random_text(rng: &mut Rng) -> Value {
        let chars = ['a', 'Z', ' ', '\'', '"', '+', ',', '(', ')', '[', ']', '-', '~', ':', 'é', '日', '\n', '0'];
        let len = 1 + rng.below(8);
        Value::Text((0..len).map(|_| *rng.pick(&chars)).collect())
    }

    fn random_condition(rng: &mut Rng) -> Filter {
        let field = rng.pick(&["tag", "tags.slug", "published_at", "featured", "_x", "a.b.c"]).to_string();
        let op = *rng.pick(&[
            Op::Eq, Op::Ne, Op::Gt, Op::Gte, Op::Lt, Op::Lte, Op::Contains, Op::NotContains, Op::StartsWith,
            Op::NotStartsWith, Op::EndsWith, Op::NotEndsWith, Op::In, Op::NotIn,
        ]);
        let value = match op {
            Op::In | Op::NotIn => Value::List((0..1 + rng.below(4)).map(|_| random_scalar(rng)).collect()),
            Op::Contains | Op::NotContains | Op::StartsWith | Op::NotStartsWith | Op::EndsWith | Op::NotEndsWith => {
                random_text(rng)
            }
            _ => random_scalar(rng),
        };
        Filter::Cond(Condition { field, op, value })
    }

    fn random_filter(rng: &mut Rng, depth: usize, budget: &mut usize) -> Filter {
        if depth >= 4 || *budget <= 2 || rng.below(3) == 0 {
            *budget = budget.saturating_sub(1);
            return random_condition(rng);
        }
        let count = 2 + rng.below(3);
        let parts: Vec<Filter> = (0..count).map(|_| random_filter(rng, depth + 1, budget)).collect();
        if rng.below(2) == 0 { Filter::And(parts) } else { Filter::Or(parts) }
    }

    #[test]
    fn written_filters_parse_back_to_themselves() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        for _ in 0..2000 {
            let mut budget = MAX_CONDITIONS - 15;
            let filter = random_filter(&mut rng, 0, &mut budget);
            // The property tests' writer; these texts hold no backslash, so all can be written.
            let written = crate::proptests::write(&filter, "").expect("a filter without backslashes");
            match parse(&written) {
                Ok(parsed) => assert_eq!(parsed, filter, "{written}"),
                Err(e) => panic!("{written:?} failed to parse: {e}"),
            }
        }
    }
}
