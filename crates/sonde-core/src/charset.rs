//! Text encodings by name, as python-requests and the WHATWG encoding standard know them.

/// A text encoding: a WHATWG one, or true ISO-8859-1, which WHATWG maps to windows-1252
/// but python-requests (and this contract) decode byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Whatwg(&'static encoding_rs::Encoding),
    Latin1,
}

impl Charset {
    /// A charset by its WHATWG label, or by Python's spelling (`latin-1`, `utf_8`).
    pub fn for_label(label: &str) -> Option<Charset> {
        let label = label.trim();
        let squeezed: String = label
            .chars()
            .filter(|c| !"-_ ".contains(*c))
            .collect::<String>()
            .to_ascii_lowercase();
        if [
            "latin1",
            "iso88591",
            "l1",
            "cp819",
            "ibm819",
            "isoir100",
            "csisolatin1",
            "8859",
        ]
        .contains(&squeezed.as_str())
        {
            return Some(Charset::Latin1);
        }
        encoding_rs::Encoding::for_label(label.as_bytes())
            .or_else(|| encoding_rs::Encoding::for_label(squeezed.as_bytes()))
            .map(Charset::Whatwg)
    }

    pub fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(e) => e.name(),
            Charset::Latin1 => "ISO-8859-1",
        }
    }

    /// The text, the charset actually used (a byte-order mark wins), and whether some
    /// bytes were invalid.
    pub fn decode(self, bytes: &[u8]) -> (String, &'static str, bool) {
        match self {
            Charset::Whatwg(encoding) => {
                let (text, used, malformed) = encoding.decode(bytes);
                (text.into_owned(), used.name(), malformed)
            }
            Charset::Latin1 => (
                bytes.iter().map(|&b| char::from(b)).collect(),
                "ISO-8859-1",
                false,
            ),
        }
    }
}
