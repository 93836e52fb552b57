//! How WSGI and Werkzeug present a request to httpbin, reproduced where it shows
//! in the echoes: header names, header value decoding, and URLs as IRIs.

/// WSGI's header naming: `x-trace_id` becomes `X-Trace-Id`, with Python's
/// `str.title()` rule that a letter after any non-letter starts a word.
pub(crate) fn title_case(name: &str) -> String {
    let mut titled = String::with_capacity(name.len());
    let mut previous_is_letter = false;
    for ch in name.chars() {
        let ch = if ch == '_' { '-' } else { ch };
        if previous_is_letter {
            titled.extend(ch.to_lowercase());
        } else {
            titled.extend(ch.to_uppercase());
        }
        previous_is_letter = ch.is_alphabetic();
    }
    titled
}

/// WSGI hands header bytes over as Latin-1 text.
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&byte| char::from(byte)).collect()
}

/// Werkzeug reports URLs as IRIs: percent-escapes that spell non-ASCII UTF-8 are
/// shown as the characters, while escapes of ASCII bytes stay escaped.
pub(crate) fn iri_from_uri(target: &str) -> String {
    let bytes = target.as_bytes();
    let mut out = String::with_capacity(target.len());
    let mut index = 0;
    while index < bytes.len() {
        let run_end = escape_run_end(bytes, index);
        if run_end == index {
            let ch_len = utf8_len(bytes[index]);
            out.push_str(&target[index..index + ch_len]);
            index += ch_len;
            continue;
        }
        out.push_str(&decode_escape_run(&target[index..run_end]));
        index = run_end;
    }
    out
}

/// The end of a run of consecutive `%XX` escapes starting at `start`.
fn escape_run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    while bytes.get(end) == Some(&b'%')
        && bytes.get(end + 1).is_some_and(u8::is_ascii_hexdigit)
        && bytes.get(end + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        end += 3;
    }
    end
}

/// Decodes a run of `%XX` escapes, keeping the escape of every byte that is ASCII
/// or not part of a valid UTF-8 character.
fn decode_escape_run(run: &str) -> String {
    let escapes: Vec<&str> = (0..run.len() / 3).map(|i| &run[i * 3..i * 3 + 3]).collect();
    let decoded: Vec<u8> = escapes
        .iter()
        .map(|escape| u8::from_str_radix(&escape[1..], 16).unwrap_or(0))
        .collect();
    let mut out = String::new();
    let mut index = 0;
    while index < decoded.len() {
        let char_len = utf8_len(decoded[index]);
        let character = decoded
            .get(index..index + char_len)
            .filter(|_| !decoded[index].is_ascii())
            .and_then(|bytes| std::str::from_utf8(bytes).ok());
        match character {
            Some(character) => {
                out.push_str(character);
                index += char_len;
            }
            None => {
                out.push_str(escapes[index]);
                index += 1;
            }
        }
    }
    out
}

fn utf8_len(first_byte: u8) -> usize {
    match first_byte {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_matches_python() {
        assert_eq!(title_case("x-my-header2a"), "X-My-Header2A");
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("x_trace_id"), "X-Trace-Id");
    }

    #[test]
    fn iri_shows_non_ascii_and_keeps_ascii_escapes() {
        assert_eq!(
            iri_from_uri("/anything?x=%C3%A9%20+y"),
            "/anything?x=é%20+y"
        );
        assert_eq!(iri_from_uri("/a%FFb%2"), "/a%FFb%2");
        assert_eq!(iri_from_uri("/é"), "/é");
    }
}
