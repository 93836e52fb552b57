//! Unified diffs of expected and actual texts or documents, with word-level emphasis.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::Value as J;
use similar::{ChangeTag, TextDiff};

use super::json_value::pretty_sorted;

/// Lines of context kept around each change; the rest is cut with a note.
const CONTEXT: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiffLine {
    pub kind: LineKind,
    /// The text, in pieces; `true` marks the words that changed.
    pub segments: Vec<(bool, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Header,
    Context,
    Removed,
    Added,
    /// A note that unchanged lines were left out.
    Cut,
}

impl LineKind {
    /// What starts the line in a unified diff.
    fn marker(self) -> &'static str {
        match self {
            LineKind::Header | LineKind::Cut => "",
            LineKind::Context => " ",
            LineKind::Removed => "-",
            LineKind::Added => "+",
        }
    }
}

impl Diff {
    /// The diff of two JSON values: pretty-printed with sorted keys, so a difference deep in
    /// a document is one changed line. Strings are diffed as texts.
    pub fn of_json(expected: &J, actual: &J) -> Diff {
        match (expected, actual) {
            (J::String(e), J::String(a)) => Diff::of_text(e, a),
            _ => Diff::of_text(&pretty_sorted(expected), &pretty_sorted(actual)),
        }
    }

    pub fn of_text(expected: &str, actual: &str) -> Diff {
        let diff = TextDiff::from_lines(expected, actual);
        let mut lines = vec![
            plain(LineKind::Header, "--- expected"),
            plain(LineKind::Header, "+++ actual"),
        ];
        let groups = diff.grouped_ops(CONTEXT);
        let total_old = diff.old_slices().len();
        let mut shown_until = 0;
        for group in &groups {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let start = first.old_range().start;
            if start > shown_until {
                lines.push(cut(start - shown_until));
            }
            let (old, new) = (first.old_range().start, first.new_range().start);
            let old_len = last.old_range().end.saturating_sub(old);
            let new_len = last.new_range().end.saturating_sub(new);
            lines.push(plain(
                LineKind::Header,
                &format!("@@ -{},{old_len} +{},{new_len} @@", old + 1, new + 1),
            ));
            for op in group {
                for change in diff.iter_inline_changes(op) {
                    let kind = match change.tag() {
                        ChangeTag::Equal => LineKind::Context,
                        ChangeTag::Delete => LineKind::Removed,
                        ChangeTag::Insert => LineKind::Added,
                    };
                    let segments = change
                        .iter_strings_lossy()
                        .map(|(emphasized, text)| {
                            let text = text.trim_end_matches(['\n', '\r']);
                            (
                                emphasized,
                                sonde_core::printable::printable(text).into_owned(),
                            )
                        })
                        .filter(|(_, text)| !text.is_empty())
                        .collect();
                    lines.push(DiffLine { kind, segments });
                }
            }
            shown_until = last.old_range().end;
        }
        if !groups.is_empty() && total_old > shown_until {
            lines.push(cut(total_old - shown_until));
        }
        Diff { lines }
    }

    /// The diff as plain lines, without colour or indentation: `--- expected`, `+++ actual`,
    /// `@@ … @@` headers, then ` `, `-` or `+` and the text. `render(indent, false)` is these
    /// lines, each indented and ended with a line break.
    pub fn plain_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|line| {
                let mut text = line.kind.marker().to_string();
                line.segments.iter().for_each(|(_, t)| text.push_str(t));
                text
            })
            .collect()
    }

    /// The diff as text: `-`/`+` markers, indented by `indent`; coloured when `color`.
    pub fn render(&self, indent: &str, color: bool) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let marker = line.kind.marker();
            let style = match line.kind {
                LineKind::Header => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
                LineKind::Context => Style::new(),
                LineKind::Removed => Style::new().fg_color(Some(AnsiColor::Red.into())),
                LineKind::Added => Style::new().fg_color(Some(AnsiColor::Green.into())),
                LineKind::Cut => Style::new().dimmed(),
            };
            let _ = write!(out, "{indent}");
            if color {
                let _ = write!(out, "{}{marker}", style.render());
                for (emphasized, text) in &line.segments {
                    if *emphasized {
                        let strong = style.bold().underline();
                        let _ = write!(
                            out,
                            "{}{text}{}{}",
                            strong.render(),
                            strong.render_reset(),
                            style.render()
                        );
                    } else {
                        let _ = write!(out, "{text}");
                    }
                }
                let _ = write!(out, "{}", style.render_reset());
            } else {
                out.push_str(marker);
                line.segments
                    .iter()
                    .for_each(|(_, text)| out.push_str(text));
            }
            out.push('\n');
        }
        out
    }
}

fn plain(kind: LineKind, text: &str) -> DiffLine {
    DiffLine {
        kind,
        segments: vec![(false, text.to_string())],
    }
}

fn cut(lines: usize) -> DiffLine {
    let noun = if lines == 1 { "line" } else { "lines" };
    plain(
        LineKind::Cut,
        &format!("… {lines} unchanged {noun} not shown"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deep_difference_is_one_changed_line() {
        let expected = json!({"a": {"b": {"c": [1, 2, 3]}}, "z": "same"});
        let actual = json!({"z": "same", "a": {"b": {"c": [1, 2, 4]}}});
        let text = Diff::of_json(&expected, &actual).render("", false);
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with('-') && !l.starts_with("---"))
                .count(),
            1,
            "{text}"
        );
        assert!(text.contains("-        3\n"), "{text}");
        assert!(text.contains("+        4\n"), "{text}");
    }

    #[test]
    fn long_texts_are_cut_around_the_change() {
        let expected: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let actual = expected.replace("line 50\n", "line fifty\n");
        let text = Diff::of_text(&expected, &actual).render("", false);
        assert!(text.contains("… 47 unchanged lines not shown"), "{text}");
        assert!(text.contains("… 46 unchanged lines not shown"), "{text}");
        assert!(text.lines().count() < 15, "{text}");
    }

    #[test]
    fn blank_lines_do_not_underflow_the_hunk_header() {
        let text = Diff::of_text("J\n\n\n\n\n\n\n\np", &"\n".repeat(13)).render("", false);
        assert!(!text.contains("18446744073709551"), "{text}");
    }

    #[test]
    fn plain_lines_are_the_rendered_text_without_indentation() {
        let expected: String = (0..20).map(|i| format!("line {i}\n")).collect();
        let diff = Diff::of_text(&expected, &expected.replace("line 9\n", "line nine\n"));
        let lines = diff.plain_lines();
        assert_eq!(
            lines[..3],
            [
                "--- expected",
                "+++ actual",
                "… 6 unchanged lines not shown"
            ]
        );
        assert!(lines.contains(&"-line 9".to_string()), "{lines:?}");
        assert!(lines.contains(&"+line nine".to_string()), "{lines:?}");
        let indented: String = lines.iter().map(|l| format!("  {l}\n")).collect();
        assert_eq!(indented, diff.render("  ", false));
    }

    #[test]
    fn colour_marks_the_changed_words() {
        let text = Diff::of_text("the quick fox\n", "the slow fox\n").render("", true);
        assert!(text.contains("\u{1b}["), "{text}");
        let plain = Diff::of_text("the quick fox\n", "the slow fox\n").render("  ", false);
        assert!(
            plain.contains("  -the quick fox\n  +the slow fox\n"),
            "{plain}"
        );
    }
}
