//! Locating values inside the original JSON text of a scenario file.
//!
//! `serde_json` reports line/column positions for *syntax* and *type* errors,
//! but once a scenario has been deserialized successfully the resulting values
//! carry no spans. The semantic validation step (unknown sector names,
//! inconsistent budgets, ...) still wants to say "line 14, column 17" instead
//! of only "`clusters[2].sector`". This module bridges the gap:
//!
//! * [`JsonPath`] is a small owned path type (`clusters[2].sector`) that the
//!   validator builds while walking the deserialized scenario, and that can
//!   also be parsed from / converted from the paths reported by
//!   `serde_path_to_error`.
//! * [`locate`] re-scans the original source text with a tiny hand-written
//!   JSON scanner and returns the 1-based line/column at which the value at
//!   that path begins.
//!
//! The scanner is deliberately forgiving and never panics: on malformed or
//! truncated input it returns the position of the deepest value it could
//! reach, and it uses no recursion, so arbitrarily deep nesting cannot
//! overflow the stack.

use std::fmt;

/// One step of a [`JsonPath`]: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Object member with this (unescaped) key.
    Key(String),
    /// Zero-based array element.
    Index(usize),
}

/// Path from the document root to a value, e.g. `clusters[2].sector`.
///
/// The empty path denotes the root value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    /// The path of the top-level value.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// A copy of this path extended by the object member `k`.
    pub fn key(&self, k: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(k.into()));
        Self(segments)
    }

    /// A copy of this path extended by array element `i`.
    pub fn index(&self, i: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(i));
        Self(segments)
    }

    /// The individual steps of the path, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the textual form produced by `serde_path_to_error::Path`'s
    /// `Display` (and by this type's `Display`):
    ///
    /// * `""`, `"."` and `"(top level)"` are the root;
    /// * members are separated by `.`: `budget.total_ltl`;
    /// * array indices are written in brackets: `clusters[2].sector`,
    ///   `weights[3][0]`.
    ///
    /// Parsing never fails. Keys containing `.` or `[` cannot be expressed in
    /// this syntax (nor in `serde_path_to_error`'s); empty segments such as in
    /// `a..b` are skipped, and bracket contents that are not a plain decimal
    /// index (e.g. `a[x]`) are kept literally as part of the key.
    pub fn parse(s: &str) -> JsonPath {
        let s = s.trim();
        if s.is_empty() || s == "." || s == ROOT_DISPLAY {
            return Self::root();
        }
        let mut segments = Vec::new();
        for piece in s.split('.') {
            parse_piece(piece, &mut segments);
        }
        JsonPath(segments)
    }
}

/// How the root path is displayed.
const ROOT_DISPLAY: &str = "(top level)";

/// Parses one `.`-separated piece such as `clusters[2][0]` into segments.
fn parse_piece(piece: &str, out: &mut Vec<Segment>) {
    let mut key = String::new();
    let mut indices = Vec::new();
    let mut rest = piece;
    while !rest.is_empty() {
        if let Some((i, after)) = leading_index(rest) {
            indices.push(i);
            rest = after;
            continue;
        }
        // Anything that is not a well-formed `[n]` belongs to the key. If
        // indices were already seen (`a[1]b`), flush them first so the order
        // of segments is preserved.
        if !indices.is_empty() {
            flush(&mut key, &mut indices, out);
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            key.push(c);
        }
        rest = chars.as_str();
    }
    flush(&mut key, &mut indices, out);
}

/// If `s` starts with `[digits]`, returns the index and the remaining text.
fn leading_index(s: &str) -> Option<(usize, &str)> {
    let after = s.strip_prefix('[')?;
    let close = after.find(']')?;
    let inner = &after[..close];
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((inner.parse().ok()?, &after[close + 1..]))
}

fn flush(key: &mut String, indices: &mut Vec<usize>, out: &mut Vec<Segment>) {
    if !key.is_empty() {
        out.push(Segment::Key(std::mem::take(key)));
    }
    out.extend(indices.drain(..).map(Segment::Index));
}

impl fmt::Display for JsonPath {
    /// `clusters[2].sector`; the root displays as `(top level)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(ROOT_DISPLAY);
        }
        for (n, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) => {
                    if n > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl From<&serde_path_to_error::Path> for JsonPath {
    /// Converts a path reported by `serde_path_to_error`. Enum variants
    /// become keys (externally tagged enums are `{"Variant": ...}` in JSON);
    /// the path is cut at the first unknown segment, so [`locate`] will point
    /// at the deepest known ancestor.
    fn from(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        let mut segments = Vec::new();
        for segment in path {
            match segment {
                S::Seq { index } => segments.push(Segment::Index(*index)),
                S::Map { key } => segments.push(Segment::Key(key.clone())),
                S::Enum { variant } => segments.push(Segment::Key(variant.clone())),
                S::Unknown => break,
            }
        }
        JsonPath(segments)
    }
}

/// 1-based line and column (column counted in characters) of where the value
/// at `path` begins in `source`.
///
/// If the exact path does not exist (a missing field, an index past the end of
/// an array, a key applied to a non-object, ...), returns the position of the
/// deepest existing ancestor value (e.g. its opening `{` or `[`), so an error
/// can still point near the problem. The same applies when the text becomes
/// malformed before the path is fully resolved. Returns `None` only if the
/// source does not even contain the start of a root value.
///
/// Lines are split on `'\n'` only (a `'\r'` before it counts as an ordinary
/// character at the end of its line). Columns count Unicode scalar values, so
/// a multi-byte character before the value advances the column by one.
///
/// If an object contains the same key more than once, the *first* occurrence
/// is used: `#[derive(Deserialize)]` structs reject duplicate fields anyway,
/// and for the error messages we want the first place the user wrote it.
pub fn locate(source: &str, path: &JsonPath) -> Option<(usize, usize)> {
    let offset = Scanner::new(source).descend(path.segments())?;
    Some(line_col(source, offset))
}

/// Converts a byte offset (always at an ASCII byte, hence a char boundary)
/// into a 1-based (line, column) pair.
fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let before = &source[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Minimal JSON scanner over the raw bytes. All methods return `None` when the
/// input is malformed or ends early; none of them can panic.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            bytes: source.as_bytes(),
            pos: 0,
        }
    }

    /// Walks down `path` and returns the byte offset of the deepest value
    /// reached, or `None` if there is no root value at all.
    fn descend(&mut self, path: &[Segment]) -> Option<usize> {
        self.skip_ws();
        if !is_value_start(self.peek()?) {
            return None;
        }
        let mut best = self.pos;
        for segment in path {
            let found = match segment {
                Segment::Key(k) => self.enter_member(k),
                Segment::Index(i) => self.enter_element(*i),
            };
            match found {
                Some(()) => best = self.pos,
                None => break,
            }
        }
        Some(best)
    }

    /// With `pos` at a value, moves to the start of the value of its member
    /// `key`. Fails if the value is not an object, lacks the key, or is
    /// malformed before the key is found.
    fn enter_member(&mut self, key: &str) -> Option<()> {
        self.eat(b'{')?;
        self.skip_ws();
        if self.peek()? == b'}' {
            return None;
        }
        loop {
            let is_match = self.member_key()? == key;
            self.skip_ws();
            if is_match {
                return is_value_start(self.peek()?).then_some(());
            }
            self.skip_value()?;
            self.skip_ws();
            match self.bump()? {
                b',' => continue,
                _ => return None, // `}` (key missing) or garbage
            }
        }
    }

    /// With `pos` at a value, moves to the start of its `index`-th element.
    /// Fails if the value is not an array, is too short, or is malformed.
    fn enter_element(&mut self, index: usize) -> Option<()> {
        self.eat(b'[')?;
        self.skip_ws();
        if self.peek()? == b']' {
            return None;
        }
        let mut n = 0;
        loop {
            self.skip_ws();
            if n == index {
                return is_value_start(self.peek()?).then_some(());
            }
            self.skip_value()?;
            self.skip_ws();
            match self.bump()? {
                b',' => n += 1,
                _ => return None, // `]` (out of range) or garbage
            }
        }
    }

    /// Reads `"key" :` (with surrounding whitespace) and returns the
    /// unescaped key.
    fn member_key(&mut self) -> Option<String> {
        self.skip_ws();
        let key = self.string()?;
        self.skip_ws();
        self.eat(b':')?;
        Some(key)
    }

    /// Skips one complete value starting at `pos` (after optional
    /// whitespace). Iterative, with an explicit stack of expected closers.
    fn skip_value(&mut self) -> Option<()> {
        let mut closers: Vec<u8> = Vec::new();
        loop {
            // Expect a value.
            self.skip_ws();
            match self.peek()? {
                b'{' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        self.pos += 1;
                    } else {
                        closers.push(b'}');
                        self.member_key()?;
                        continue;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek()? == b']' {
                        self.pos += 1;
                    } else {
                        closers.push(b']');
                        continue;
                    }
                }
                b'"' => self.skip_string()?,
                b'-' | b'0'..=b'9' => self.skip_number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return None,
            }
            // A value just ended: handle separators and closing brackets.
            loop {
                let Some(&closer) = closers.last() else {
                    return Some(());
                };
                self.skip_ws();
                match self.bump()? {
                    b',' => {
                        if closer == b'}' {
                            self.member_key()?;
                        }
                        break;
                    }
                    c if c == closer => {
                        closers.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Parses a string literal at `pos` and returns its unescaped contents.
    /// Invalid `\u` surrogates are replaced by U+FFFD.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let b = self.bump()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let c = match self.bump()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
        // The source is a `&str` and we only split at ASCII bytes, so this is
        // valid UTF-8; stay lossy rather than trusting that.
        Some(String::from_utf8_lossy(&out).into_owned())
    }

    /// After `\u`: reads four hex digits (and a low surrogate if needed).
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            // High surrogate: try to pair it with a following `\uDC00..DFFF`.
            if self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u") {
                let save = self.pos;
                self.pos += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return Some(char::from_u32(c).unwrap_or('\u{FFFD}'));
                }
                self.pos = save;
            }
            return Some('\u{FFFD}');
        }
        Some(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = char::from(self.bump()?).to_digit(16)?;
            v = v * 16 + d;
        }
        Some(v)
    }

    /// Skips a string literal without building its value.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let b = self.bump()?;
            if b == b'"' {
                return Some(());
            }
            // `\"` and `\\` are consumed here, so they cannot end the string.
            if b == b'\\' && self.bump()? == b'u' {
                self.hex4()?;
            }
        }
    }

    /// Skips a number: `-? int frac? exp?`.
    fn skip_number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        self.digits()?;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// One or more ASCII digits.
    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(word.len())?;
        (self.bytes.get(self.pos..end)? == word).then(|| self.pos = end)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.bump()? == expected).then_some(())
    }
}

fn is_value_start(b: u8) -> bool {
    matches!(
        b,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    const DOC: &str = r#"{
  "name": "baseline",
  "budget": {
    "total_ltl": 1.5e6,
    "profile": { "weights": [0.1, 0.2, 0.3, 0.4] }
  },
  "clusters": [
    { "id": "a", "sector": "ict" },
    { "id": "b", "sector": "food", "tags": [] },
    { "id": "c", "sector": "bogus", "active": true, "x": null }
  ]
}"#;

    fn p(s: &str) -> JsonPath {
        JsonPath::parse(s)
    }

    /// Text starting at a 1-based (line, column) position.
    fn text_at(source: &str, (line, col): (usize, usize)) -> &str {
        let line_start: usize = source
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let rest = &source[line_start..];
        let byte = rest
            .char_indices()
            .nth(col - 1)
            .map_or(rest.len(), |(i, _)| i);
        &rest[byte..]
    }

    #[test]
    fn root() {
        assert_eq!(locate(DOC, &JsonPath::root()), Some((1, 1)));
        assert_eq!(locate("  \n\t [1]", &JsonPath::root()), Some((2, 3)));
        assert_eq!(locate("42", &JsonPath::root()), Some((1, 1)));
    }

    #[test]
    fn nested_key() {
        assert_eq!(locate(DOC, &p("budget.total_ltl")), Some((4, 18)));
        assert!(text_at(DOC, (4, 18)).starts_with("1.5e6"));
        let pos = locate(DOC, &p("budget.profile")).unwrap();
        assert!(text_at(DOC, pos).starts_with("{ \"weights\""));
    }

    #[test]
    fn array_index() {
        let pos = locate(DOC, &p("budget.profile.weights[2]")).unwrap();
        assert!(text_at(DOC, pos).starts_with("0.3"));
        let pos = locate(DOC, &p("clusters[1]")).unwrap();
        assert_eq!(pos, (9, 5));
        assert!(text_at(DOC, pos).starts_with("{ \"id\": \"b\""));
        assert_eq!(locate("[[1, [2, 3]]]", &p("[0][1][1]")), Some((1, 10)));
    }

    #[test]
    fn key_inside_array_element() {
        assert_eq!(locate(DOC, &p("clusters[2].sector")), Some((10, 28)));
        assert!(text_at(DOC, (10, 28)).starts_with("\"bogus\""));
        let path = JsonPath::root().key("clusters").index(0).key("id");
        let pos = locate(DOC, &path).unwrap();
        assert!(text_at(DOC, pos).starts_with("\"a\""));
    }

    #[test]
    fn value_kinds() {
        let cases = [
            ("name", "\"baseline\""),
            ("budget.total_ltl", "1.5e6"),
            ("budget", "{\n    \"total_ltl\""),
            ("budget.profile.weights", "[0.1"),
            ("clusters[1].tags", "[]"),
            ("clusters[2].active", "true"),
            ("clusters[2].x", "null"),
        ];
        for (path, prefix) in cases {
            let pos = locate(DOC, &p(path)).unwrap();
            assert!(text_at(DOC, pos).starts_with(prefix), "{path}");
        }
    }

    #[test]
    fn escaped_keys() {
        let src = r#"{"a\"b": 1, "c\\": 2, "\u00e9\ud83d\ude00": 3, "q": {"\"": [4]}}"#;
        let pos = locate(src, &JsonPath::root().key("a\"b")).unwrap();
        assert!(text_at(src, pos).starts_with('1'));
        let pos = locate(src, &JsonPath::root().key("c\\")).unwrap();
        assert!(text_at(src, pos).starts_with('2'));
        let pos = locate(src, &JsonPath::root().key("é😀")).unwrap();
        assert!(text_at(src, pos).starts_with('3'));
        let pos = locate(src, &JsonPath::root().key("q").key("\"").index(0)).unwrap();
        assert!(text_at(src, pos).starts_with('4'));
        // Escaped quotes inside a skipped string value do not end it early.
        let src = r#"{"s": "x\"}, \"t\": 9", "t": 5}"#;
        let pos = locate(src, &p("t")).unwrap();
        assert!(text_at(src, pos).starts_with('5'));
    }

    #[test]
    fn multibyte_columns_count_chars() {
        let src = "{\"žodis\": \"ąčę😀\", \"k\": 7}";
        // `{"žodis": "ąčę😀", "k": ` is 23 chars (31 bytes), so `7` is column 24.
        assert_eq!(locate(src, &p("k")), Some((1, 24)));
        let src = "{\n  \"ė\": [\"ų\",\n   \"日本\", 3]}";
        // `   "日本", ` is 9 chars (13 bytes).
        assert_eq!(locate(src, &p("ė[2]")), Some((3, 10)));
    }

    #[test]
    fn missing_key_points_at_parent() {
        let parent = locate(DOC, &p("clusters[2]")).unwrap();
        assert_eq!(locate(DOC, &p("clusters[2].missing")), Some(parent));
        assert_eq!(
            locate(DOC, &p("clusters[2].missing.deeper[3]")),
            Some(parent)
        );
        assert_eq!(locate(DOC, &p("nope")), Some((1, 1)));
        assert_eq!(locate("{}", &p("a")), Some((1, 1)));
        // Key applied to a scalar or array: the scalar/array itself.
        let name = locate(DOC, &p("name")).unwrap();
        assert_eq!(locate(DOC, &p("name.x")), Some(name));
        let clusters = locate(DOC, &p("clusters")).unwrap();
        assert_eq!(locate(DOC, &p("clusters.x")), Some(clusters));
    }

    #[test]
    fn index_out_of_range_points_at_array() {
        let arr = locate(DOC, &p("budget.profile.weights")).unwrap();
        assert!(text_at(DOC, arr).starts_with('['));
        assert_eq!(locate(DOC, &p("budget.profile.weights[4]")), Some(arr));
        assert_eq!(locate(DOC, &p("budget.profile.weights[99].x")), Some(arr));
        let tags = locate(DOC, &p("clusters[1].tags")).unwrap();
        assert_eq!(locate(DOC, &p("clusters[1].tags[0]")), Some(tags));
        // Index applied to an object: the object itself.
        let budget = locate(DOC, &p("budget")).unwrap();
        assert_eq!(locate(DOC, &p("budget[0]")), Some(budget));
    }

    #[test]
    fn first_duplicate_key_wins() {
        let src = r#"{"a": 1, "a": 2}"#;
        assert_eq!(locate(src, &p("a")), Some((1, 7)));
    }

    #[test]
    fn display_and_parse_round_trip() {
        for s in [
            "clusters[2].sector",
            "budget.profile.weights[3]",
            "budget.total_ltl",
            "[0][1].a",
            "m[10][2]",
        ] {
            let path = JsonPath::parse(s);
            assert_eq!(path.to_string(), s);
            assert_eq!(JsonPath::parse(&path.to_string()), path);
        }
        assert_eq!(
            JsonPath::parse("clusters[2].sector").segments(),
            &[
                Segment::Key("clusters".into()),
                Segment::Index(2),
                Segment::Key("sector".into()),
            ]
        );
        let built = JsonPath::root()
            .key("budget")
            .key("profile")
            .key("weights")
            .index(3);
        assert_eq!(JsonPath::parse("budget.profile.weights[3]"), built);
    }

    #[test]
    fn root_display_and_parse() {
        assert_eq!(JsonPath::root().to_string(), "(top level)");
        for s in ["", ".", " ", "(top level)"] {
            assert!(JsonPath::parse(s).is_root(), "{s:?}");
        }
        assert_eq!(JsonPath::default(), JsonPath::root());
    }

    #[test]
    fn parse_is_lenient() {
        assert_eq!(JsonPath::parse("a..b"), JsonPath::root().key("a").key("b"));
        assert_eq!(JsonPath::parse("a[x]"), JsonPath::root().key("a[x]"));
        assert_eq!(JsonPath::parse("a[1"), JsonPath::root().key("a[1"));
        assert_eq!(JsonPath::parse("a[]"), JsonPath::root().key("a[]"));
        assert_eq!(
            JsonPath::parse("a[1]b"),
            JsonPath::root().key("a").index(1).key("b")
        );
        assert_eq!(
            JsonPath::parse("ąž[0]"),
            JsonPath::root().key("ąž").index(0)
        );
    }

    #[test]
    fn from_serde_path_to_error() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Cluster {
            sector: String,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            clusters: Vec<Cluster>,
        }
        let src = r#"{"clusters": [{"sector": "a"}, {"sector": 5}]}"#;
        let de = &mut serde_json::Deserializer::from_str(src);
        let err = serde_path_to_error::deserialize::<_, Doc>(de).unwrap_err();
        let path = JsonPath::from(err.path());
        assert_eq!(path, p("clusters[1].sector"));
        assert_eq!(path, JsonPath::parse(&err.path().to_string()));
        let pos = locate(src, &path).unwrap();
        assert!(text_at(src, pos).starts_with('5'));
    }

    #[test]
    fn no_panic_on_prefixes_and_garbage() {
        let sample = format!(
            "{DOC}\n{}",
            r#"{"é": "a\"\\\u00e9\ud83d\ude00", "n": [-0.5e+3, 1E2, true, false, null, {}, []]}"#
        );
        let paths = [
            JsonPath::root(),
            p("clusters[2].sector"),
            p("budget.profile.weights[3]"),
            p("budget.profile.weights[9]"),
            p("clusters[1].tags[0]"),
            p("missing.x"),
        ];
        for end in (0..=sample.len()).filter(|&i| sample.is_char_boundary(i)) {
            let prefix = &sample[..end];
            for path in &paths {
                if let Some((line, col)) = locate(prefix, path) {
                    assert!(line >= 1 && col >= 1);
                }
            }
        }
        for src in [
            "",
            " ",
            "\n",
            "}",
            "]",
            ":",
            ",",
            "\"",
            "\"\\",
            "\"\\u12",
            "{\"a\"",
            "{\"a\":",
            "{\"a\" 1}",
            "[1 2]",
            "[,]",
            "{,}",
            "-",
            "1e",
            "1.",
            "tru",
            "nul",
            "{\"a\":1,}",
            "[[[[[[[[",
            "{\"\\ud800\":1}",
            "{\"\\x\":1}",
            "ž",
            "\u{feff}{}",
        ] {
            for path in &paths {
                let _ = locate(src, path);
            }
        }
        // Very deep nesting must not overflow the stack.
        let deep = format!("[{}{}, 1]", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(locate(&deep, &p("[1]")), Some((1, 200_004)));
        let deep_open = "{\"a\":[".repeat(100_000);
        assert!(locate(&deep_open, &p("b")).is_some());
    }

    #[test]
    fn none_only_without_root() {
        assert_eq!(locate("", &JsonPath::root()), None);
        assert_eq!(locate("   \n ", &p("a")), None);
        assert_eq!(locate("}", &JsonPath::root()), None);
        // A truncated document still locates the root and reachable values.
        assert_eq!(locate("{\"a\": [1, ", &p("a[5]")), Some((1, 7)));
        assert_eq!(locate("{\"a\": [1, 2", &p("a[1]")), Some((1, 11)));
    }

    /// All (path, value) pairs of a document, in pre-order.
    fn all_paths(value: &Value, path: JsonPath, out: &mut Vec<(JsonPath, Value)>) {
        out.push((path.clone(), value.clone()));
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    all_paths(v, path.key(k.clone()), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    all_paths(v, path.index(i), out);
                }
            }
            _ => {}
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            // Dyadic fractions: serde_json's default float parsing is not
            // always correctly rounded, so avoid long decimal expansions.
            any::<i32>().prop_map(|n| Value::from(f64::from(n) / 64.0)),
            "\\PC{0,6}|[\"\\\\/\n\t\u{1}é😀]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("\\PC{0,5}|[a\"\\\\.\\[\\]]{0,3}", inner), 0..6)
                    .prop_map(|kvs| Value::Object(kvs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// For every path of a generated document, the located text parses
        /// (as the first value of a stream) to exactly the expected value.
        #[test]
        fn locate_finds_every_value(doc in arb_json(), pretty in any::<bool>()) {
            let source = if pretty {
                serde_json::to_string_pretty(&doc).unwrap()
            } else {
                serde_json::to_string(&doc).unwrap()
            };
            let mut paths = Vec::new();
            all_paths(&doc, JsonPath::root(), &mut paths);
            for (path, expected) in paths {
                let pos = locate(&source, &path);
                prop_assert!(pos.is_some(), "{path} in {source}");
                let rest = text_at(&source, pos.unwrap());
                let token = serde_json::to_string(&expected).unwrap();
                if !expected.is_object() && !expected.is_array() {
                    prop_assert!(rest.starts_with(&token), "{path}: {rest:?} vs {token}");
                }
                let found = serde_json::Deserializer::from_str(rest)
                    .into_iter::<Value>()
                    .next();
                prop_assert!(matches!(&found, Some(Ok(v)) if *v == expected), "{path}");
            }
        }

        #[test]
        fn never_panics_on_arbitrary_text(src in "\\PC{0,40}|[\\[\\]{}\",:\\\\ 0-9a-z]{0,40}",
                                          path in "[a-z.\\[\\]0-9]{0,10}") {
            let _ = locate(&src, &JsonPath::parse(&path));
        }
    }
}
