//! Durations as users write them: `500ms`, `2s`, `1.5s`, `1m`, `1h`, or a bare number of seconds.

use std::time::Duration;

/// Why a text or number is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// No number where the duration starts.
    #[error("`{text}` is not a duration (like 500ms, 2s, 1m)")]
    NotANumber { text: String },
    /// A number followed by something that is not a unit.
    #[error("`{unit}` is not a duration unit: use ms, s, m or h (`{text}`)")]
    UnknownUnit { unit: String, text: String },
    /// Negative, or too long to be a duration.
    #[error("`{text}` is out of range for a duration")]
    OutOfRange { text: String },
    /// A bare number of seconds (YAML number, written as it reads) below 0 or too large.
    #[error("{number} is not a duration: seconds must be 0 or more")]
    Seconds { number: String },
}

/// Parses `500ms`, `2s`, `1m`, `1h`; a bare number is seconds.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| DurationError::NotANumber {
        text: text.to_owned(),
    })?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(DurationError::UnknownUnit {
                unit: other.to_owned(),
                text: text.to_owned(),
            });
        }
    };
    from_seconds(seconds).ok_or_else(|| DurationError::OutOfRange {
        text: text.to_owned(),
    })
}

/// A non-negative, finite number of seconds.
pub fn from_seconds(seconds: f64) -> Option<Duration> {
    (seconds.is_finite() && (0.0..1e10).contains(&seconds))
        .then(|| Duration::from_secs_f64(seconds))
}

/// `1.5s`, `250ms`: the short form used in messages.
pub fn display(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{}ms", (ms * 10.0).round() / 10.0)
    } else {
        format!("{}s", (ms / 10.0).round() / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse(" 1h "), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse("soon").is_err());
        assert!(matches!(
            parse("5 parsecs"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert_eq!(
            parse("5 parsecs").unwrap_err().to_string(),
            "`parsecs` is not a duration unit: use ms, s, m or h (`5 parsecs`)"
        );
        assert!(parse("").is_err());
        assert!(parse("-1s").is_err());
    }

    #[test]
    fn displays_short_forms() {
        assert_eq!(display(Duration::from_millis(250)), "250ms");
        assert_eq!(display(Duration::from_millis(1500)), "1.5s");
    }
}
