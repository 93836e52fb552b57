//! Text from files and servers made safe to print: control characters (other than tab)
//! become their Unicode pictures (`␀`, `␛`), so that a quoted line or a response body
//! never moves the cursor, clears the screen or retitles the terminal of whoever reads
//! the output.

use std::borrow::Cow;

pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\u{7f}' => '␡',
                c if is_control(c) => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
                c => c,
            })
            .collect(),
    )
}

fn is_control(c: char) -> bool {
    (c < ' ' && c != '\t') || c == '\u{7f}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_pictures_and_the_rest_stays() {
        assert_eq!(printable("a\u{0}b\tc\u{1b}[31md\u{7f}"), "a␀b\tc␛[31md␡");
        assert!(matches!(printable("plain é\ttext"), Cow::Borrowed(_)));
    }
}
