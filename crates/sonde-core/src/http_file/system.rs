//! System variables (`{{$guid}}`, `{{$timestamp -1 d}}`…) as sonde's template functions.

use super::names::is_plain_identifier;

/// What the error notes list.
pub(super) const KNOWN: &str = "sonde knows $guid, $uuid, $random.uuid, $timestamp [offset unit], $isoTimestamp, \
                         $datetime iso8601, $randomInt [min max], $random.integer(min, max), \
                         $processEnv NAME, $env.NAME, $dotenv NAME";

/// Why a system variable cannot be translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SystemError {
    #[error("unknown system variable `${text}`")]
    Unknown { text: String },
    #[error(
        "only `{{{{$datetime iso8601}}}}` (without an offset) is supported: it becomes `now()`"
    )]
    DatetimeFormat,
    #[error("expected `{{{{$timestamp}}}}` or `{{{{$timestamp OFFSET UNIT}}}}` like `-1 d`")]
    TimestampForm,
    /// A calendar unit (`y`, `Q`, `M`): it cannot be added as seconds.
    #[error("a `{0}` offset is not supported: use w, d, h, m, s or ms")]
    CalendarUnit(String),
    #[error("`{0}` is not a time unit: use w, d, h, m, s or ms")]
    NotATimeUnit(String),
    #[error("`{0}` is not a whole number")]
    NotAWholeNumber(String),
    #[error("expected `{{{{$randomInt MIN MAX}}}}`")]
    RandomIntForm,
    #[error("expected `{{{{$random.integer(FROM, TO)}}}}`")]
    RandomIntegerForm,
    #[error(
        "the range {low}..{high} is empty: the maximum is excluded, so it must be above the minimum"
    )]
    EmptyRange { low: i64, high: i64 },
    /// `$processEnv %NAME` where `NAME` is not a variable of the file.
    #[error("`$processEnv %{0}`: `{0}` is not a variable of this file")]
    UnknownProcessEnvVariable(String),
}

/// A system variable, read.
#[derive(Debug, PartialEq)]
pub(super) enum System<'t> {
    /// The minijinja expression it is.
    Expression(String),
    /// `$processEnv NAME`: needs the file's variables for `%NAME`.
    ProcessEnv(&'t str),
    /// `$dotenv NAME`: needs the `.env` file.
    DotEnv(&'t str),
}

/// Reads `text`, what follows the `$` of `{{$…}}`.
pub(super) fn parse(text: &str) -> Result<System<'_>, SystemError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let expression = match words.as_slice() {
        ["guid" | "uuid" | "random.uuid"] => "uuid()".to_owned(),
        ["timestamp", offset @ ..] => timestamp(offset)?,
        ["isoTimestamp"] | ["datetime", "iso8601"] => "now()".to_owned(),
        ["datetime" | "localDatetime", ..] => return Err(SystemError::DatetimeFormat),
        ["randomInt", bounds @ ..] => random_int(bounds)?,
        ["processEnv", name] => return Ok(System::ProcessEnv(name)),
        ["dotenv", name] => return Ok(System::DotEnv(name)),
        [name] if name.starts_with("env.") => env_lookup(&name["env.".len()..]),
        _ if text.starts_with("random.integer") => {
            random_integer_call(&text["random.integer".len()..])?
        }
        _ => {
            return Err(SystemError::Unknown {
                text: text.to_owned(),
            });
        }
    };
    Ok(System::Expression(expression))
}

/// `env.NAME`, or `env["NAME"]` when the name is not an identifier.
pub(super) fn env_lookup(name: &str) -> String {
    if is_plain_identifier(name) {
        format!("env.{name}")
    } else {
        format!("env[{}]", serde_json::to_string(name).unwrap_or_default())
    }
}

/// `$timestamp`, or `$timestamp -1 d` (REST Client offsets; calendar units cannot be added).
fn timestamp(offset: &[&str]) -> Result<String, SystemError> {
    let (amount, unit) = match offset {
        [] => return Ok("timestamp()".to_owned()),
        [amount, unit] => (*amount, *unit),
        _ => return Err(SystemError::TimestampForm),
    };
    let amount: i64 = amount
        .parse()
        .map_err(|_| SystemError::NotAWholeNumber(amount.to_owned()))?;
    let seconds = match unit {
        "ms" => amount.div_euclid(1000),
        "s" => amount,
        "m" => amount.saturating_mul(60),
        "h" => amount.saturating_mul(3600),
        "d" => amount.saturating_mul(86_400),
        "w" => amount.saturating_mul(604_800),
        "y" | "Q" | "M" => return Err(SystemError::CalendarUnit(unit.to_owned())),
        other => return Err(SystemError::NotATimeUnit(other.to_owned())),
    };
    Ok(match seconds {
        0 => "timestamp()".to_owned(),
        s if s < 0 => format!("(timestamp() - {})", s.unsigned_abs()),
        s => format!("(timestamp() + {s})"),
    })
}

/// `$randomInt min max`: REST Client excludes `max`, sonde's `random_int` includes both bounds.
/// Without bounds (`JetBrains`), a number from 0 to 1000.
fn random_int(bounds: &[&str]) -> Result<String, SystemError> {
    match bounds {
        [] => Ok("random_int(0, 1000)".to_owned()),
        [low, high] => exclusive_range(low, high),
        _ => Err(SystemError::RandomIntForm),
    }
}

/// `$random.integer(from, to)` (`JetBrains`; `to` excluded).
fn random_integer_call(args: &str) -> Result<String, SystemError> {
    let inner = args
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .ok_or(SystemError::RandomIntegerForm)?;
    if inner.trim().is_empty() {
        return Ok("random_int(0, 1000)".to_owned());
    }
    match inner
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [low, high] => exclusive_range(low, high),
        _ => Err(SystemError::RandomIntegerForm),
    }
}

fn exclusive_range(low: &str, high: &str) -> Result<String, SystemError> {
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| SystemError::NotAWholeNumber(s.to_owned()))
    };
    let (low, high) = (parse(low)?, parse(high)?);
    if low >= high {
        return Err(SystemError::EmptyRange { low, high });
    }
    Ok(format!("random_int({low}, {})", high - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(text: &str) -> String {
        match parse(text) {
            Ok(System::Expression(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn translates_what_needs_nothing_from_the_file() {
        assert_eq!(expr("guid"), "uuid()");
        assert_eq!(expr("timestamp -1 d"), "(timestamp() - 86400)");
        assert_eq!(expr("timestamp 1500 ms"), "(timestamp() + 1)");
        assert_eq!(expr("timestamp 0 s"), "timestamp()");
        assert_eq!(expr("randomInt -5 5"), "random_int(-5, 4)");
        assert_eq!(expr("random.integer()"), "random_int(0, 1000)");
        assert_eq!(expr("env.A-B"), "env[\"A-B\"]");
        assert_eq!(parse("processEnv HOME"), Ok(System::ProcessEnv("HOME")));
        assert_eq!(parse("dotenv KEY"), Ok(System::DotEnv("KEY")));
    }

    #[test]
    fn explains_what_it_cannot_translate() {
        let message = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            message("timestamp 1 y"),
            "a `y` offset is not supported: use w, d, h, m, s or ms"
        );
        assert_eq!(message("timestamp x d"), "`x` is not a whole number");
        assert_eq!(
            message("timestamp 1 fortnight"),
            "`fortnight` is not a time unit: use w, d, h, m, s or ms"
        );
        assert_eq!(
            message("timestamp 1"),
            "expected `{{$timestamp}}` or `{{$timestamp OFFSET UNIT}}` like `-1 d`"
        );
        assert_eq!(
            message("datetime rfc1123"),
            "only `{{$datetime iso8601}}` (without an offset) is supported: it becomes `now()`"
        );
        assert_eq!(message("randomInt 1"), "expected `{{$randomInt MIN MAX}}`");
        assert_eq!(
            message("random.integer(1)"),
            "expected `{{$random.integer(FROM, TO)}}`"
        );
        assert_eq!(
            message("randomInt 5 5"),
            "the range 5..5 is empty: the maximum is excluded, so it must be above the minimum"
        );
        assert_eq!(message("aadToken"), "unknown system variable `$aadToken`");
        assert_eq!(
            parse(""),
            Err(SystemError::Unknown {
                text: String::new()
            })
        );
    }
}
