//! Compiler-style messages for invalid input: `path:line:col`, the offending line quoted,
//! a caret under the spot, and what was expected.

use std::fmt::Write as _;
use std::sync::Arc;

use anstyle::{AnsiColor, Style};

use super::source::{SourceFile, Span};

/// One problem found in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub source: Arc<SourceFile>,
    pub span: Span,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
    pub message: String,
    /// A short text printed after the caret.
    pub label: Option<String>,
    /// Extra lines: hints, lists of known keys, variables in scope.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// Every diagnostic of a list, rendered without colour, one after the other.
    pub fn render_all(diagnostics: &[Diagnostic]) -> String {
        diagnostics
            .iter()
            .map(|d| d.render(false))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn new(source: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            source: Arc::clone(source),
            span,
            width: 1,
            message: message.into(),
            label: None,
            notes: Vec::new(),
        }
    }

    pub fn width(mut self, width: usize) -> Diagnostic {
        self.width = width.max(1);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// A line of context, printed as `= note: …` (or `= help: …` when it starts so).
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        let note = note.into();
        self.notes.push(if note.starts_with("help:") {
            note
        } else {
            format!("note: {note}")
        });
        self
    }

    /// `path:line:col`, or only the path when no position is known.
    pub fn location(&self) -> String {
        let path = self.source.path.display();
        if self.span.is_known() {
            format!("{path}:{}:{}", self.span.line, self.span.col)
        } else {
            path.to_string()
        }
    }

    /// The message as printed: with ANSI colours when `color` is true.
    pub fn render(&self, color: bool) -> String {
        let paint = |style: Style, text: &str| {
            if color {
                format!("{}{text}{}", style.render(), style.render_reset())
            } else {
                text.to_string()
            }
        };
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
        let bold = Style::new().bold();

        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}{} {}",
            paint(red, "error"),
            paint(bold, ":"),
            paint(bold, &self.message)
        );
        let gutter = self.span.line.to_string().len().max(1);
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}{} {}", paint(blue, "-->"), self.location());
        if let Some(line) = self.source.line(self.span.line) {
            let (line, col) = excerpt(line, self.span.col);
            let _ = writeln!(out, "{pad} {}", paint(blue, "|"));
            let _ = writeln!(
                out,
                "{} {} {line}",
                paint(blue, &self.span.line.to_string()),
                paint(blue, "|")
            );
            let indent = " ".repeat(col.saturating_sub(1));
            let carets = "^".repeat(self.width.min(120));
            let label = self
                .label
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pad} {} {indent}{}",
                paint(blue, "|"),
                paint(red, &format!("{carets}{label}"))
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "{pad} {} {note}", paint(blue, "="));
        }
        out
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// The part of a long line around column `col` (and the column within it), printable: a
/// 10 MB line is not printed whole, tabs become spaces and other control characters their
/// Unicode pictures (`␀`), so that quoting a line never sends raw controls to a terminal.
fn excerpt(line: &str, col: u32) -> (String, usize) {
    const BEFORE: usize = 60;
    const WIDTH: usize = 160;
    let col = col.max(1) as usize;
    let chars = line.chars().count();
    if chars <= WIDTH {
        return (printable(line), col);
    }
    let start = col.saturating_sub(BEFORE + 1);
    let piece: String = line.chars().skip(start).take(WIDTH).collect();
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if start + WIDTH < chars { "…" } else { "" };
    (
        format!("{prefix}{}{suffix}", printable(&piece)),
        col - start + usize::from(start > 0),
    )
}

fn printable(text: &str) -> String {
    crate::printable::printable(text).replace('\t', " ")
}

/// The known word nearest to `word`, when it is near enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    let known: Vec<&str> = known.into_iter().collect();
    // An abbreviation (`int` for `integer`) is as likely as a typo.
    if word.len() >= 3
        && let Some(k) = known.iter().find(|k| k.to_lowercase().starts_with(&word))
    {
        return Some(k);
    }
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&word, &k.to_lowercase()), k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(1) + usize::from(k.len() > 5))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_lines_show_control_characters_as_pictures() {
        let (line, col) = excerpt("a\u{0}b\tc\u{1b}[31md\u{7f}", 3);
        assert_eq!(line, "a␀b c␛[31md␡");
        assert_eq!(col, 3);
    }

    #[test]
    fn suggests_the_nearest_key() {
        let keys = ["name", "request", "expect", "capture"];
        assert_eq!(suggest("expcet", keys), Some("expect"));
        assert_eq!(suggest("reqest", keys), Some("request"));
        assert_eq!(suggest("Name", keys), Some("name"));
        assert_eq!(suggest("zzzzzz", keys), None);
    }

    #[test]
    fn quotes_the_line_with_a_caret() {
        let source = SourceFile::new("a.yaml", "steps:\n  - expcet: 1\n");
        let d = Diagnostic::new(&source, Span::new(2, 5), "unknown key `expcet`")
            .width(6)
            .label("did you mean `expect`?");
        let text = d.render(false);
        assert!(text.contains("--> a.yaml:2:5"), "{text}");
        assert!(text.contains("2 |   - expcet: 1"), "{text}");
        assert!(
            text.contains("  |     ^^^^^^ did you mean `expect`?"),
            "{text}"
        );
    }
}
