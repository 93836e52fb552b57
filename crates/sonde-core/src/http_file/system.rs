//! System variables (`{{$guid}}`, `{{$timestamp -1 d}}`…) as sonde's template functions.

use super::names::is_plain_identifier;

/// What the error notes list.
pub(super) const KNOWN: &str = "sonde knows $guid, $uuid, $random.uuid, $timestamp [offset unit], $isoTimestamp, \
                         $datetime iso8601, $randomInt [min max], $random.integer(min, max), \
                         $processEnv NAME, $env.NAME, $dotenv NAME";

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
pub(super) fn parse(text: &str) -> Result<System<'_>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let expression = match words.as_slice() {
        ["guid" | "uuid" | "random.uuid"] => "uuid()".to_owned(),
        ["timestamp", offset @ ..] => timestamp(offset)?,
        ["isoTimestamp"] | ["datetime", "iso8601"] => "now()".to_owned(),
        ["datetime" | "localDatetime", ..] => {
            return Err(
                "only `{{$datetime iso8601}}` (without an offset) is supported: it becomes `now()`"
                    .to_owned(),
            );
        }
        ["randomInt", bounds @ ..] => random_int(bounds)?,
        ["processEnv", name] => return Ok(System::ProcessEnv(name)),
        ["dotenv", name] => return Ok(System::DotEnv(name)),
        [name] if name.starts_with("env.") => env_lookup(&name["env.".len()..]),
        _ if text.starts_with("random.integer") => {
            random_integer_call(&text["random.integer".len()..])?
        }
        _ => return Err(format!("unknown system variable `${text}`")),
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
fn timestamp(offset: &[&str]) -> Result<String, String> {
    let (amount, unit) = match offset {
        [] => return Ok("timestamp()".to_owned()),
        [amount, unit] => (amount, *unit),
        _ => {
            return Err(
                "expected `{{$timestamp}}` or `{{$timestamp OFFSET UNIT}}` like `-1 d`".to_owned(),
            );
        }
    };
    let amount: i64 = amount
        .parse()
        .map_err(|_| format!("`{amount}` is not a whole number"))?;
    let seconds = match unit {
        "ms" => amount.div_euclid(1000),
        "s" => amount,
        "m" => amount.saturating_mul(60),
        "h" => amount.saturating_mul(3600),
        "d" => amount.saturating_mul(86_400),
        "w" => amount.saturating_mul(604_800),
        "y" | "Q" | "M" => {
            return Err(format!(
                "a `{unit}` offset is not supported: use w, d, h, m, s or ms"
            ));
        }
        other => {
            return Err(format!(
                "`{other}` is not a time unit: use w, d, h, m, s or ms"
            ));
        }
    };
    Ok(match seconds {
        0 => "timestamp()".to_owned(),
        s if s < 0 => format!("(timestamp() - {})", s.unsigned_abs()),
        s => format!("(timestamp() + {s})"),
    })
}

/// `$randomInt min max`: REST Client excludes `max`, sonde's `random_int` includes both bounds.
/// Without bounds (`JetBrains`), a number from 0 to 1000.
fn random_int(bounds: &[&str]) -> Result<String, String> {
    match bounds {
        [] => Ok("random_int(0, 1000)".to_owned()),
        [low, high] => exclusive_range(low, high),
        _ => Err("expected `{{$randomInt MIN MAX}}`".to_owned()),
    }
}

/// `$random.integer(from, to)` (`JetBrains`; `to` excluded).
fn random_integer_call(args: &str) -> Result<String, String> {
    let inner = args
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .ok_or("expected `{{$random.integer(FROM, TO)}}`")?;
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
        _ => Err("expected `{{$random.integer(FROM, TO)}}`".to_owned()),
    }
}

fn exclusive_range(low: &str, high: &str) -> Result<String, String> {
    let parse = |s: &str| {
        s.parse::<i64>()
            .map_err(|_| format!("`{s}` is not a whole number"))
    };
    let (low, high) = (parse(low)?, parse(high)?);
    if low >= high {
        return Err(format!(
            "the range {low}..{high} is empty: the maximum is excluded, so it must be above the minimum"
        ));
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
        assert!(
            parse("timestamp 1 y")
                .unwrap_err()
                .contains("not supported")
        );
        assert!(
            parse("timestamp x d")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(
            parse("timestamp 1 fortnight")
                .unwrap_err()
                .contains("not a time unit")
        );
        assert!(parse("randomInt 1").unwrap_err().contains("MIN MAX"));
        assert!(parse("random.integer(1)").unwrap_err().contains("FROM, TO"));
        assert!(parse("aadToken").unwrap_err().contains("unknown"));
        assert!(parse("").unwrap_err().contains("unknown"));
    }
}
