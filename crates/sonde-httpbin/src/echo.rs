//! Request inspection: `/get`, `/post` and the other method echoes, `/anything`,
//! `/headers`, `/ip`, `/user-agent`, `/uuid`.

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::request::{ANYTHING_FIELDS, BODY_FIELDS, GET_FIELDS, RequestInfo};
use super::responses::json_ok;

pub(crate) async fn get(request: RequestInfo) -> Response {
    json_ok(&Value::Object(request.echo(GET_FIELDS)))
}

/// `/post`, `/put`, `/patch` and `/delete`.
pub(crate) async fn with_body(request: RequestInfo) -> Response {
    json_ok(&Value::Object(request.echo(BODY_FIELDS)))
}

pub(crate) async fn anything(request: RequestInfo) -> Response {
    json_ok(&Value::Object(request.echo(ANYTHING_FIELDS)))
}

pub(crate) async fn headers(request: RequestInfo) -> Response {
    json_ok(&json!({ "headers": request.headers_echo() }))
}

pub(crate) async fn ip(request: RequestInfo) -> Response {
    json_ok(&json!({ "origin": request.origin() }))
}

pub(crate) async fn user_agent(request: RequestInfo) -> Response {
    let headers = request.headers_echo();
    let user_agent = headers.get("User-Agent").cloned().unwrap_or(Value::Null);
    let mut body = Map::new();
    body.insert("user-agent".to_owned(), user_agent);
    json_ok(&Value::Object(body))
}

pub(crate) async fn uuid() -> Response {
    json_ok(&json!({ "uuid": uuid::Uuid::new_v4().to_string() }))
}
