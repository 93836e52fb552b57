//! A line-based reader for the plainest documents, far cheaper than any event parser.
//!
//! It only accepts a strict subset of YAML, the one scenario files are written in: block
//! mappings and sequences indented with spaces, `- key: value` items, one-line plain and
//! quoted scalars (no escapes), one-line flow collections, comments and blank lines. For
//! anything else (block scalars, multi-line scalars, empty values, tabs, CR, document
//! markers, anchors, tags, odd characters, anything it is not sure about) it returns `None`
//! and the granit-parser reader in `fast.rs` takes over, which itself falls back to
//! serde-saphyr. Scalars are resolved by the same function as there, and positions are
//! those granit-parser gives (1-based line, column counted in characters).

use std::borrow::Cow;

use serde_saphyr::granit_parser::ScalarStyle;

use super::fast::resolve;
use super::{Node, NodeKind};
use crate::source::Span;

/// Implicit keys longer than granit-parser's look-ahead are errors there.
const MAX_KEY_BYTES: usize = 512;
/// Stay far below serde-saphyr's depth budget.
const MAX_DEPTH: usize = 40;

struct Line<'a> {
    text: &'a str,
    /// Leading spaces.
    indent: usize,
    number: u32,
    ascii: bool,
}

impl Line<'_> {
    fn column(&self, offset: usize) -> u32 {
        let col = if self.ascii {
            offset
        } else {
            self.text[..offset].chars().count()
        };
        u32::try_from(col + 1).unwrap_or(u32::MAX)
    }

    fn span(&self, offset: usize) -> Span {
        Span::new(self.number, self.column(offset))
    }
}

/// Whether a non-ASCII character is one granit-parser reads as ordinary content.
fn plain_char(c: char) -> bool {
    matches!(c as u32, 0xA0..=0x2027 | 0x202A..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x10000..=0x10_FFFF)
}

pub(super) fn parse(text: &str) -> Option<Node> {
    let ascii = text.is_ascii();
    if has_control_character(text.as_bytes()) {
        return None;
    }
    if !ascii && !text.chars().all(|c| c.is_ascii() || plain_char(c)) {
        return None;
    }
    let mut lines = Vec::new();
    for (i, raw) in lines_of(text).enumerate() {
        let trimmed = raw.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
            return None;
        }
        lines.push(Line {
            text: raw.trim_end_matches(' '),
            indent: raw.len() - trimmed.len(),
            number: u32::try_from(i + 1).ok()?,
            ascii: ascii || raw.is_ascii(),
        });
    }
    let first = lines.first()?.indent;
    let mut reader = Reader { lines, pos: 0 };
    let root = reader.block(first, 0)?;
    (reader.pos == reader.lines.len()).then_some(root)
}

/// Whether a byte other than a line feed is a C0 control or DEL. Blocks are checked whole,
/// without an early exit, so the check is vectorised.
fn has_control_character(bytes: &[u8]) -> bool {
    bytes.chunks(64).any(|block| {
        block.iter().fold(false, |seen, &b| {
            seen || (b < 0x20) && (b != b'\n') || (b == 0x7F)
        })
    })
}

/// The lines of `text`, split at `\n` (found with memchr).
fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b'\n', current.as_bytes()) {
            Some(end) => {
                rest = Some(&current[end + 1..]);
                Some(&current[..end])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

fn is_dash(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// The end of a line's content: before ` #comment`, trailing spaces removed. Only valid
/// where no quote can hide the `#`.
fn before_comment(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = text.len();
    let mut search = from + 1;
    while search < bytes.len()
        && let Some(found) = memchr::memchr(b'#', &bytes[search..])
    {
        let i = search + found;
        if bytes[i - 1] == b' ' {
            end = i;
            break;
        }
        search = i + 1;
    }
    text[..end].trim_end_matches(' ').len()
}

/// Whether only spaces and perhaps a comment follow `offset`.
fn nothing_after(text: &str, offset: usize) -> bool {
    let rest = &text[offset..];
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

/// Whether a plain scalar may start with this text (no indicator that changes its meaning).
fn plain_start(rest: &str) -> bool {
    let b = rest.as_bytes();
    match b.first() {
        None => false,
        Some(b'-' | b'?' | b':') => b.get(1).is_some_and(|&c| !b" ,[]{}".contains(&c)),
        Some(
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`',
        ) => false,
        Some(_) => true,
    }
}

fn scalar<'t>(text: impl Into<Cow<'t, str>>, style: ScalarStyle, span: Span) -> Option<Node> {
    let kind = resolve(text.into(), style).ok()?;
    Some(Node { span, kind })
}

/// A one-line quoted scalar starting at `at`: its text and the offset after it.
fn quoted(text: &str, at: usize) -> Option<(Cow<'_, str>, ScalarStyle, usize)> {
    let quote = text.as_bytes()[at];
    let body = &text[at + 1..];
    if quote == b'\'' {
        let close = body.find('\'')?;
        let end = at + 1 + close + 1;
        // `''` is an escaped quote: leave it to the real parser.
        if text.as_bytes().get(end) == Some(&b'\'') {
            return None;
        }
        return Some((
            Cow::Borrowed(&body[..close]),
            ScalarStyle::SingleQuoted,
            end,
        ));
    }
    let close = body.find(['"', '\\'])?;
    if body.as_bytes()[close] == b'"' {
        let end = at + 1 + close + 1;
        return Some((
            Cow::Borrowed(&body[..close]),
            ScalarStyle::DoubleQuoted,
            end,
        ));
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), ScalarStyle::DoubleQuoted, at + 1 + i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                let decoded = match e {
                    '\\' => '\\',
                    '"' => '"',
                    '/' => '/',
                    ' ' => ' ',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'e' => '\u{1b}',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' | 'u' | 'U' => {
                        let digits = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut code = 0u32;
                        for _ in 0..digits {
                            let (_, h) = chars.next()?;
                            code = code * 16 + h.to_digit(16)?;
                        }
                        char::from_u32(code)?
                    }
                    _ => return None,
                };
                out.push(decoded);
            }
            _ => out.push(c),
        }
    }
    None
}

impl Reader<'_> {
    fn line(&self) -> Option<&Line<'_>> {
        self.lines.get(self.pos)
    }

    /// A block collection whose lines are indented by `indent`, at the current line.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.line()?;
        if line.indent != indent {
            return None;
        }
        if is_dash(&line.text[indent..]) {
            self.sequence(indent, depth, false)
        } else {
            self.mapping(indent, indent, depth)
        }
    }

    /// A block sequence with its `-` at `indent`. An `indentless` one (`key:` then `- a`
    /// at the key's column) takes the position of its first item, as granit-parser has it.
    fn sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<Node> {
        let mut span = self.line()?.span(indent);
        let mut items = Vec::new();
        while let Some(line) = self.line() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let rest = &line.text[indent..];
            if !is_dash(rest) {
                break;
            }
            let start = indent + 1 + rest[1..].len() - rest[1..].trim_start_matches(' ').len();
            if start >= line.text.len() || line.text.as_bytes()[start] == b'#' {
                // The item is on the following lines.
                if indentless && items.is_empty() {
                    return None;
                }
                self.pos += 1;
                let next = self.line()?;
                if next.indent <= indent {
                    return None;
                }
                let next_indent = next.indent;
                items.push(self.block(next_indent, depth + 1)?);
                continue;
            }
            if is_dash(&line.text[start..]) {
                return None;
            }
            if key_end(line.text, start).is_some() {
                items.push(self.mapping(start, start, depth + 1)?);
            } else {
                items.push(self.inline_value(start, depth + 1)?);
                self.pos += 1;
            }
        }
        if indentless {
            span = items.first()?.span;
        }
        Some(Node {
            span,
            kind: NodeKind::Seq(items),
        })
    }

    /// A block mapping whose keys are at column `indent`; the first starts at `first` of
    /// the current line (after `- ` for a mapping inside a list item).
    fn mapping(&mut self, indent: usize, first: usize, depth: usize) -> Option<Node> {
        let span = self.line()?.span(first);
        let mut entries = Vec::new();
        let mut start = first;
        while let Some(line) = self.line() {
            if entries.is_empty() {
                // The first key may follow a `- ` on its line.
            } else if line.indent < indent {
                break;
            } else if line.indent > indent {
                return None;
            } else {
                start = indent;
            }
            let text = line.text;
            let (key, after) = key_end(text, start)?;
            let key = match key {
                KeyText::Plain(end) => {
                    scalar(&text[start..end], ScalarStyle::Plain, line.span(start))?
                }
                KeyText::Quoted(content, style) => scalar(content, style, line.span(start))?,
            };
            if key.as_str() == Some("<<") {
                return None;
            }
            let value_at =
                after + text[after..].len() - text[after..].trim_start_matches(' ').len();
            let value = if nothing_after(text, after) {
                self.pos += 1;
                let next = self.line()?;
                if next.indent > indent {
                    let next_indent = next.indent;
                    self.block(next_indent, depth + 1)?
                } else if next.indent == indent && is_dash(&next.text[indent..]) {
                    self.sequence(indent, depth + 1, true)?
                } else {
                    // An empty value: its position is the real parser's business.
                    return None;
                }
            } else {
                if value_at == after {
                    return None;
                }
                let value = self.inline_value(value_at, depth + 1)?;
                self.pos += 1;
                value
            };
            entries.push((key, value));
        }
        Some(Node {
            span,
            kind: NodeKind::Map(entries),
        })
    }

    /// A value that fits on the rest of the current line, from `at`.
    fn inline_value(&self, at: usize, depth: usize) -> Option<Node> {
        let line = self.line()?;
        let text = line.text;
        match text.as_bytes()[at] {
            b'"' | b'\'' => {
                let (content, style, end) = quoted(text, at)?;
                if !nothing_after(text, end) {
                    return None;
                }
                scalar(content, style, line.span(at))
            }
            b'[' | b'{' => {
                let (node, end) = Flow { line, depth }.node(at, FlowIn::Value)?;
                nothing_after(text, end).then_some(node)
            }
            _ => {
                let rest = &text[at..];
                if !plain_start(rest) {
                    return None;
                }
                let end = before_comment(text, at);
                let value = &text[at..end];
                if value.contains(": ") || value.ends_with(':') {
                    return None;
                }
                scalar(value, ScalarStyle::Plain, line.span(at))
            }
        }
    }
}

enum KeyText<'a> {
    /// A plain key ending (exclusive) at this offset.
    Plain(usize),
    Quoted(Cow<'a, str>, ScalarStyle),
}

/// If an implicit key starts at `at`: the key and the offset after its `:`.
fn key_end(text: &str, at: usize) -> Option<(KeyText<'_>, usize)> {
    let bytes = text.as_bytes();
    let (key, colon) = match bytes[at] {
        b'"' | b'\'' => {
            let (content, style, end) = quoted(text, at)?;
            (KeyText::Quoted(content, style), end)
        }
        _ => {
            if !plain_start(&text[at..]) {
                return None;
            }
            let limit = before_comment(text, at);
            let mut i = at;
            loop {
                let found = memchr::memchr(b':', &bytes[i..limit])? + i;
                if found + 1 == limit || bytes[found + 1] == b' ' {
                    break (KeyText::Plain(found), found);
                }
                i = found + 1;
            }
        }
    };
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let after = colon + 1;
    if after < bytes.len() && bytes[after] != b' ' {
        return None;
    }
    if colon - at > MAX_KEY_BYTES {
        return None;
    }
    if let KeyText::Plain(end) = key
        && (end == at || bytes[end - 1] == b' ')
    {
        return None;
    }
    Some((key, after))
}

#[derive(Clone, Copy, PartialEq)]
enum FlowIn {
    Value,
    Key,
}

/// One-line flow collections.
struct Flow<'l, 'a> {
    line: &'l Line<'a>,
    depth: usize,
}

impl Flow<'_, '_> {
    fn skip(&self, mut at: usize) -> usize {
        while self.line.text.as_bytes().get(at) == Some(&b' ') {
            at += 1;
        }
        at
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.line.text.as_bytes().get(at).copied()
    }

    /// A flow node at `at`; returns it and the offset after it.
    fn node(&self, at: usize, role: FlowIn) -> Option<(Node, usize)> {
        let text = self.line.text;
        let span = self.line.span(at);
        match self.byte(at)? {
            b'[' | b'{' if role == FlowIn::Key => None,
            b'[' => {
                if self.depth > MAX_DEPTH {
                    return None;
                }
                let inner = Flow {
                    line: self.line,
                    depth: self.depth + 1,
                };
                let mut items = Vec::new();
                let mut at = self.skip(at + 1);
                if self.byte(at)? != b']' {
                    loop {
                        let (item, end) = inner.node(at, FlowIn::Value)?;
                        items.push(item);
                        at = self.skip(end);
                        match self.byte(at)? {
                            b',' => {
                                at = self.skip(at + 1);
                                if matches!(self.byte(at)?, b']' | b',') {
                                    return None;
                                }
                            }
                            b']' => break,
                            _ => return None,
                        }
                    }
                }
                Some((
                    Node {
                        span,
                        kind: NodeKind::Seq(items),
                    },
                    at + 1,
                ))
            }
            b'{' => {
                if self.depth > MAX_DEPTH {
                    return None;
                }
                let inner = Flow {
                    line: self.line,
                    depth: self.depth + 1,
                };
                let mut entries = Vec::new();
                let mut at = self.skip(at + 1);
                if self.byte(at)? != b'}' {
                    loop {
                        let (key, end) = inner.node(at, FlowIn::Key)?;
                        if key.as_str() == Some("<<") {
                            return None;
                        }
                        if self.byte(end)? != b':' || self.byte(end + 1)? != b' ' {
                            return None;
                        }
                        at = self.skip(end + 1);
                        let (value, end) = inner.node(at, FlowIn::Value)?;
                        entries.push((key, value));
                        at = self.skip(end);
                        match self.byte(at)? {
                            b',' => {
                                at = self.skip(at + 1);
                                if matches!(self.byte(at)?, b'}' | b',') {
                                    return None;
                                }
                            }
                            b'}' => break,
                            _ => return None,
                        }
                    }
                }
                Some((
                    Node {
                        span,
                        kind: NodeKind::Map(entries),
                    },
                    at + 1,
                ))
            }
            b'"' | b'\'' => {
                let (content, style, end) = quoted(text, at)?;
                Some((scalar(content, style, span)?, end))
            }
            _ => {
                let rest = &text[at..];
                if !plain_start(rest) {
                    return None;
                }
                let bytes = text.as_bytes();
                let mut end = at;
                while end < bytes.len() {
                    match bytes[end] {
                        b',' | b'[' | b']' | b'{' | b'}' => break,
                        b':' => match bytes.get(end + 1) {
                            // `key: ` in a mapping ends a plain scalar.
                            Some(b' ') if role == FlowIn::Key => break,
                            // `http://host:80`: a colon inside the scalar.
                            Some(&c) if c != b' ' && !b",[]{}".contains(&c) => end += 1,
                            _ => return None,
                        },
                        b'#' if bytes[end - 1] == b' ' => return None,
                        _ => end += 1,
                    }
                }
                let value = text[at..end].trim_end_matches(' ');
                let node = scalar(value, ScalarStyle::Plain, span)?;
                Some((node, at + value.len()))
            }
        }
    }
}
