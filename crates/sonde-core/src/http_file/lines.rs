//! The first pass over a `.http` file: lines, grouped into blocks by `###` separators.

use std::sync::LazyLock;

use regex::Regex;

use crate::source::{Span, Spanned};

/// One line of the file, without its line ending.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SourceLine {
    pub number: u32,
    pub text: String,
}

impl SourceLine {
    /// The span of the first non-blank character (column 1 for a blank line).
    pub(super) fn start(&self) -> Span {
        Span::new(self.number, leading_columns(&self.text) + 1)
    }

    /// The line without surrounding blanks, with the span of its first character.
    pub(super) fn trimmed(&self) -> Spanned<String> {
        Spanned::new(self.text.trim().to_owned(), self.start())
    }

    pub(super) fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// The number of characters of leading whitespace.
pub(super) fn leading_columns(text: &str) -> u32 {
    count_chars(&text[..text.len() - text.trim_start().len()])
}

/// A character count as a column offset (saturating: no file has 4 billion columns).
pub(super) fn count_chars(text: &str) -> u32 {
    u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
}

/// The lines between two separators; `title` is the text after the `###` that opens it.
#[derive(Debug, Default)]
pub(super) struct Block {
    pub title: Option<Spanned<String>>,
    pub lines: Vec<SourceLine>,
}

/// Splits the file at every line starting with `###`, as the VS Code REST Client does
/// (so `#####…` rulers are separators too). The text after the hashes names the next request.
pub(super) fn split_blocks(text: &str) -> Vec<Block> {
    let mut blocks = vec![Block::default()];
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if line.starts_with("###") {
            blocks.push(Block {
                title: separator_title(line, number),
                lines: Vec::new(),
            });
        } else if let Some(block) = blocks.last_mut() {
            block.lines.push(SourceLine {
                number,
                text: line.to_owned(),
            });
        }
    }
    blocks
}

fn separator_title(line: &str, number: u32) -> Option<Spanned<String>> {
    let after_hashes = line.trim_start_matches('#');
    let title = after_hashes.trim();
    if title.is_empty() {
        return None;
    }
    let hashes = count_chars(&line[..line.len() - after_hashes.len()]);
    let col = hashes + leading_columns(after_hashes) + 1;
    Some(Spanned::new(title.to_owned(), Span::new(number, col)))
}

/// `#` or `//` first on the line (after blanks): a comment, wherever it stands.
pub(super) fn is_comment(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// `# @name value` / `// @name value`: a directive (the value may be empty).
pub(super) fn directive(line: &SourceLine) -> Option<(Spanned<String>, Spanned<String>)> {
    static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:#+|//+)\s*@([A-Za-z][\w-]*)(?:(?:\s+|\s*=\s*)(.*?))?\s*$")
            .expect("valid regex")
    });
    let caps = DIRECTIVE.captures(&line.text)?;
    let name = caps.get(1)?;
    let name = Spanned::new(name.as_str().to_owned(), column_span(line, name.start()));
    let value = match caps.get(2) {
        Some(v) => Spanned::new(v.as_str().to_owned(), column_span(line, v.start())),
        None => Spanned::new(String::new(), name.span),
    };
    Some((name, value))
}

/// `@name = value`: a file variable (REST Client's own pattern).
pub(super) fn variable_definition(line: &SourceLine) -> Option<(Spanned<String>, Spanned<String>)> {
    static VARIABLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*@([^\s=]+)\s*=\s*(.*?)\s*$").expect("valid regex"));
    let caps = VARIABLE.captures(&line.text)?;
    let (name, value) = (caps.get(1)?, caps.get(2)?);
    Some((
        Spanned::new(name.as_str().to_owned(), column_span(line, name.start())),
        Spanned::new(value.as_str().to_owned(), column_span(line, value.start())),
    ))
}

/// The span of byte `offset` of `line`.
pub(super) fn column_span(line: &SourceLine, offset: usize) -> Span {
    let offset = offset.min(line.text.len());
    let before = line.text.get(..offset).unwrap_or("");
    Span::new(line.number, count_chars(before) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> SourceLine {
        SourceLine {
            number: 3,
            text: text.to_owned(),
        }
    }

    #[test]
    fn splits_at_separators_and_rulers() {
        let blocks = split_blocks("a\n### first\nb\r\n#####\n#### second ###\nc");
        let titles: Vec<_> = blocks
            .iter()
            .map(|b| b.title.as_ref().map(|t| t.value.as_str()))
            .collect();
        assert_eq!(titles, vec![None, Some("first"), None, Some("second ###")]);
        assert_eq!(blocks[1].lines, vec![line_at(3, "b")]);
        assert_eq!(blocks[1].title.as_ref().unwrap().span, Span::new(2, 5));
    }

    fn line_at(number: u32, text: &str) -> SourceLine {
        SourceLine {
            number,
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_separator_needs_three_hashes_first_on_the_line() {
        assert_eq!(split_blocks("## not\n  ### not").len(), 1);
    }

    #[test]
    fn recognises_comments() {
        assert!(is_comment("# x"));
        assert!(is_comment("   // x"));
        assert!(!is_comment("GET /x # not a comment"));
        assert!(!is_comment("/x"));
    }

    #[test]
    fn reads_directives() {
        let (name, value) = directive(&line("# @name login")).unwrap();
        assert_eq!(
            (name.value.as_str(), value.value.as_str()),
            ("name", "login")
        );
        assert_eq!(name.span, Span::new(3, 4));
        assert_eq!(value.span, Span::new(3, 9));
        let (name, value) = directive(&line("//@no-redirect")).unwrap();
        assert_eq!(
            (name.value.as_str(), value.value.as_str()),
            ("no-redirect", "")
        );
        let (_, value) = directive(&line("# @timeout 2 m  ")).unwrap();
        assert_eq!(value.value, "2 m");
        assert!(directive(&line("# contact @john")).is_none());
        assert!(directive(&line("# @Catalog.API = 1")).is_none());
    }

    #[test]
    fn reads_variable_definitions() {
        let (name, value) =
            variable_definition(&line("@Catalog.API_HostAddress = http://x:1")).unwrap();
        assert_eq!(name.value, "Catalog.API_HostAddress");
        assert_eq!(value.value, "http://x:1");
        assert_eq!(value.span, Span::new(3, 28));
        let (_, value) = variable_definition(&line("  @token =")).unwrap();
        assert_eq!(value.value, "");
        assert!(variable_definition(&line("@name login")).is_none());
    }
}
