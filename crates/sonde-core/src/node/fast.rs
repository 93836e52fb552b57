//! A direct reader from granit-parser events to [`Node`] trees for ordinary documents.
//!
//! serde-saphyr's `Spanned<NodeKind>` path costs several hundred instructions per byte; this
//! one reads the same parser's events straight into the tree. It resolves scalars exactly
//! as serde-saphyr's `deserialize_any` does with the options `parse` sets (YAML 1.2 core
//! schema, strict booleans, leading-zero numbers as strings) and takes each node's position
//! from its first event, as `Spanned::referenced` does.
//!
//! Whenever the document holds anything this reader does not reproduce with certainty
//! (anchors, aliases, tags, merge keys, directives, several documents, non-scalar keys,
//! non-finite or overflowing numbers, very deep or large documents) or does not parse at
//! all, it returns `None` and the caller takes the serde-saphyr path, so that results and
//! error messages stay exactly the same.

use std::borrow::Cow;

use compact_str::CompactString;
use serde_saphyr::granit_parser::{
    Event, Options, Parser, ScalarStyle, Span as EventSpan, StrInput,
};

use super::{Node, NodeKind};
use crate::source::Span;

/// serde-saphyr's default budget allows a depth of 64; stay well below it.
const MAX_DEPTH: usize = 60;
/// serde-saphyr's default budget allows 250 000 nodes; stay well below it.
const MAX_NODES: usize = 100_000;
/// Larger texts go the ordinary way (scalar-byte budgets and the like).
const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Why the fast reader gave up; the caller falls back in every case.
pub(super) struct Unsupported;

type Read<T> = Result<T, Unsupported>;

/// The parser options serde-saphyr derives from its default budget, so that the parser
/// accepts and rejects exactly the same texts.
fn parser_options() -> Options {
    let mut options = Options::default();
    options.simple_key_max_lookahead = 1024;
    options.flow_nesting_limit = 255;
    options.block_nesting_limit = options.block_nesting_limit.max(65);
    options.emit_comments = true;
    options.max_buffered_comment_events = 32;
    options.strict_indentation = false;
    options
}

/// Reads `text` into a tree: with the line reader (`simple.rs`) if it can, else from
/// granit-parser's events; `None` when serde-saphyr must decide.
pub(super) fn parse(text: &str) -> Option<Node> {
    if text.len() > MAX_TEXT_BYTES {
        return None;
    }
    if let Some(node) = super::simple::parse(text) {
        return Some(node);
    }
    from_events(text)
}

/// Reads `text` from granit-parser's events, or `None` when serde-saphyr must decide.
pub(super) fn from_events(text: &str) -> Option<Node> {
    if text.len() > MAX_TEXT_BYTES {
        return None;
    }
    let mut reader = Reader {
        parser: Parser::new_from_str_with_options(text, parser_options()),
        nodes: 0,
    };
    reader.document().ok()
}

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    nodes: usize,
}

impl<'a> Reader<'a> {
    /// The next event that is not a comment.
    fn next(&mut self) -> Read<(Event<'a>, EventSpan)> {
        loop {
            match self.parser.next_event() {
                Some(Ok((Event::Comment(..), _))) => {}
                Some(Ok(event)) => return Ok(event),
                Some(Err(_)) | None => return Err(Unsupported),
            }
        }
    }

    fn document(&mut self) -> Read<Node> {
        if !matches!(self.next()?.0, Event::StreamStart) {
            return Err(Unsupported);
        }
        match self.next()?.0 {
            Event::DocumentStart(_, None) => {}
            _ => return Err(Unsupported),
        }
        let (event, span) = self.next()?;
        let node = self.node(event, span, 0)?;
        if !matches!(self.next()?.0, Event::DocumentEnd) {
            return Err(Unsupported);
        }
        if !matches!(self.next()?.0, Event::StreamEnd) {
            return Err(Unsupported);
        }
        Ok(node)
    }

    fn node(&mut self, event: Event<'a>, span: EventSpan, depth: usize) -> Read<Node> {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return Err(Unsupported);
        }
        let at = position(&span);
        let kind = match event {
            Event::Scalar(value, style, 0, None) => resolve(value, style)?,
            Event::SequenceStart(_, 0, None) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, span, depth + 1)?);
                }
                NodeKind::Seq(items)
            }
            Event::MappingStart(_, 0, None) => {
                let mut entries = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    match &event {
                        Event::MappingEnd => break,
                        // Merge keys, in any style, are serde-saphyr's business.
                        Event::Scalar(key, ..) if key.as_ref() != "<<" => {}
                        _ => return Err(Unsupported),
                    }
                    let key = self.node(event, span, depth + 1)?;
                    let (event, span) = self.next()?;
                    let value = self.node(event, span, depth + 1)?;
                    entries.push((key, value));
                }
                NodeKind::Map(entries)
            }
            // Anchors, aliases, tags, stray ends and anything newer.
            _ => return Err(Unsupported),
        };
        Ok(Node { span: at, kind })
    }
}

/// Where serde-saphyr places a node that starts with this event (1-based line and column).
fn position(span: &EventSpan) -> Span {
    Span::new(
        u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    )
}

/// Resolves an untagged scalar as serde-saphyr's `deserialize_any` does with
/// `strict_booleans` and `leading_zero_numbers_as_strings`.
pub(super) fn resolve(value: Cow<'_, str>, style: ScalarStyle) -> Read<NodeKind> {
    if style != ScalarStyle::Plain {
        return Ok(NodeKind::Str(CompactString::from(value)));
    }
    let text = value.as_ref();
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(NodeKind::Null);
    }
    let t = yaml_trim(text);
    match t {
        "true" | "True" | "TRUE" => return Ok(NodeKind::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(NodeKind::Bool(false)),
        _ => {}
    }
    // Nothing that starts otherwise can be a number: keep ordinary words cheap.
    let first = t.as_bytes().first().copied().unwrap_or(b' ');
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Ok(NodeKind::Str(CompactString::from(value)));
    }
    if leading_zero_decimal(t) {
        return Ok(NodeKind::Str(CompactString::from(value)));
    }
    if let Some(rest) = t.strip_prefix('-') {
        if let Some(magnitude) = parse_int_magnitude(rest)
            && let Ok(v) = i64::try_from(-i128::from(magnitude))
        {
            return Ok(NodeKind::Int(v.into()));
        }
    } else {
        let rest = t.strip_prefix('+').unwrap_or(t);
        if let Some(magnitude) = parse_int_magnitude(rest) {
            return Ok(NodeKind::Int(magnitude.into()));
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        // Non-finite floats: serde-saphyr decides (by default, an error).
        return Err(Unsupported);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(NodeKind::Float(v)),
        // An overflowing numeral such as `1e999`.
        Ok(_) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => Err(Unsupported),
        _ => Ok(NodeKind::Str(CompactString::from(value))),
    }
}

fn yaml_trim(s: &str) -> &str {
    // Bytes, not chars: every scalar goes through here, and the four are ASCII.
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let bytes = s.as_bytes();
    let Some(start) = bytes.iter().position(|b| !blank(b)) else {
        return "";
    };
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// `0127`, `+0127`, `-0127`: digits with a redundant leading zero.
fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The magnitude of an unsigned integer spelling (after its sign): decimal, `0x`, `0o` or
/// `0b`, with single underscores between digits. `None` when it is no integer or does not
/// fit in 64 bits (serde-saphyr then tries a float, as the caller does).
fn parse_int_magnitude(rest: &str) -> Option<u64> {
    let (radix, digits) =
        if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
            (2, r)
        } else {
            if rest.starts_with('0') && rest != "0" {
                return None;
            }
            (10, rest)
        };
    let bytes = digits.as_bytes();
    let mut value: u64 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        let d = match b {
            b'_' => {
                if i == 0 || bytes[i - 1] == b'_' || i + 1 >= bytes.len() || bytes[i + 1] == b'_' {
                    return None;
                }
                continue;
            }
            b'0'..=b'9' => u64::from(b - b'0'),
            b'a'..=b'f' if radix > 10 => u64::from(b - b'a' + 10),
            b'A'..=b'F' if radix > 10 => u64::from(b - b'A' + 10),
            _ => return None,
        };
        if d >= radix {
            return None;
        }
        value = value.checked_mul(radix)?.checked_add(d)?;
        saw = true;
    }
    saw.then_some(value)
}
