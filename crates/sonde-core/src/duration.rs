//! Durations as users write them: `500ms`, `2s`, `1.5s`, `1m`, `1h`, or a bare number of seconds.

use std::time::Duration;

/// Parses `500ms`, `2s`, `1m`, `1h`; a bare number is seconds.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (like 500ms, 2s, 1m)"))?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "`{other}` is not a duration unit: use ms, s, m or h (`{text}`)"
            ));
        }
    };
    from_seconds(seconds).ok_or_else(|| format!("`{text}` is out of range for a duration"))
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
        assert!(parse("5 parsecs").unwrap_err().contains("unit"));
        assert!(parse("").is_err());
        assert!(parse("-1s").is_err());
    }

    #[test]
    fn displays_short_forms() {
        assert_eq!(display(Duration::from_millis(250)), "250ms");
        assert_eq!(display(Duration::from_millis(1500)), "1.5s");
    }
}
