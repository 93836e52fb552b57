//! Endpoints that take real time: `/delay/{seconds}` and `/drip`.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::Value;
use tokio::time::Instant;

use super::request::{DELAY_FIELDS, RequestInfo};
use super::responses::{self, PLAIN_UTF8, json_ok};
use super::status::final_status;
use super::stream::{InvalidArgument, float_arg, int_arg};

/// httpbin's cap on `/delay`.
const MAX_DELAY_SECONDS: f64 = 10.0;
/// httpbin's cap on `/drip?numbytes=`.
const MAX_DRIP_BYTES: i64 = 10 * 1024 * 1024;
/// No client-chosen wait runs longer than this, whatever it asks for.
const MAX_WAIT_SECONDS: f64 = 3600.0;

/// A client-chosen number of seconds as a duration; negative or NaN means none.
pub(crate) fn seconds(value: f64) -> Duration {
    if value > 0.0 {
        Duration::from_secs_f64(value.min(MAX_WAIT_SECONDS))
    } else {
        Duration::ZERO
    }
}

/// `/delay/{seconds}`: waits (at most 10 s), then echoes the request.
pub(crate) async fn delay(Path(delay): Path<String>, request: RequestInfo) -> Response {
    let delay = match delay.trim().parse::<f64>() {
        // Python's `time.sleep` raises on negative and NaN values.
        Ok(delay) if delay >= 0.0 => delay.min(MAX_DELAY_SECONDS),
        _ => return responses::internal_error_page(),
    };
    tokio::time::sleep(seconds(delay)).await;
    json_ok(&Value::Object(request.echo(DELAY_FIELDS)))
}

/// `/drip?duration=&numbytes=&code=&delay=`: after `delay` seconds, sends
/// `numbytes` asterisks spread evenly over `duration` seconds.
pub(crate) async fn drip(request: RequestInfo) -> Response {
    let Ok(plan) = DripPlan::from_request(&request) else {
        return responses::internal_error_page();
    };
    if plan.numbytes == 0 {
        return responses::with_content(
            StatusCode::BAD_REQUEST,
            PLAIN_UTF8,
            "number of bytes must be positive",
        );
    }
    tokio::time::sleep(plan.delay).await;
    if matches!(
        plan.status,
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    ) {
        // These statuses forbid a body, so announcing one would stall the client.
        return plan.status.into_response();
    }
    let mut response = (
        plan.status,
        [(CONTENT_TYPE, "application/octet-stream")],
        Body::from_stream(drip_stream(plan.numbytes, plan.duration)),
    )
        .into_response();
    // Known up front, as in httpbin, so clients see the length before the bytes.
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(plan.numbytes));
    response
}

struct DripPlan {
    duration: Duration,
    numbytes: u64,
    status: StatusCode,
    delay: Duration,
}

impl DripPlan {
    fn from_request(request: &RequestInfo) -> Result<Self, InvalidArgument> {
        let duration = seconds(float_arg(request, "duration", 2.0)?);
        let numbytes = int_arg(request, "numbytes", 10)?.min(MAX_DRIP_BYTES);
        let code = int_arg(request, "code", 200)?;
        let status = u16::try_from(code)
            .ok()
            .and_then(final_status)
            .ok_or(InvalidArgument)?;
        let delay = seconds(float_arg(request, "delay", 0.0)?);
        Ok(Self {
            duration,
            numbytes: u64::try_from(numbytes).unwrap_or(0),
            status,
            delay,
        })
    }
}

/// Byte `i` is due `i * duration / total` after the start, as in httpbin's
/// write-then-sleep loop. Bytes that fall due together go out as one chunk, so a
/// fast drip of many bytes does not need one timer per byte.
fn drip_stream(
    total: u64,
    duration: Duration,
) -> impl futures_util::Stream<Item = Result<Bytes, Infallible>> {
    let start = Instant::now();
    let pause = duration.as_secs_f64() / total as f64;
    stream::unfold(0u64, move |sent| async move {
        if sent >= total {
            return None;
        }
        tokio::time::sleep_until(start + Duration::from_secs_f64(pause * sent as f64)).await;
        let due = if pause > 0.0 {
            (start.elapsed().as_secs_f64() / pause) as u64 + 1
        } else {
            total
        };
        let count = due.clamp(sent + 1, total);
        // At most 10 MiB, so the conversion cannot truncate.
        let chunk = Bytes::from(vec![b'*'; (count - sent) as usize]);
        Some((Ok(chunk), count))
    })
}
