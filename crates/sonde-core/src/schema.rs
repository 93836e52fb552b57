//! The JSON Schema of the scenario format (`sonde schema`), generated from the model.
//!
//! Structs derive their schema; the either/or fields, which the YAML reader tells apart by
//! shape, describe their accepted shapes here.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::model::{
    Auth, CaptureSource, ClientCert, Data, Headers, JsonType, Matcher, Params, Predicate, Proxies,
    Retries, Scenario, SchemaSource, Setting, StatusExpect, Text, Timeout, Value, Vars, Verify,
};
use super::source::Spanned;

/// The schema, pretty-printed, as committed in `schema/scenario.schema.json`.
pub fn scenario_schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<Scenario>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

macro_rules! schema_named {
    ($ty:ty, $name:literal, $schema:expr) => {
        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                let f: fn(&mut SchemaGenerator) -> Schema = $schema;
                f(generator)
            }
        }
    };
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

impl<T: JsonSchema> JsonSchema for Setting<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Nullable{}", T::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let inner = generator.subschema_for::<T>();
        json_schema!({ "anyOf": [inner, { "type": "null" }] })
    }
}

schema_named!(Text, "Text", |_| json_schema!({
    "type": "string",
    "description": "A string; `{{ expr }}` inside it is a template. Exactly one `{{ expr }}` keeps the type of its result."
}));

schema_named!(Value, "Value", |_| json_schema!({
    "description": "Any value; its strings may be templates."
}));

schema_named!(Vars, "Vars", |g| {
    let value = g.subschema_for::<Value>();
    json_schema!({
        "type": "object",
        "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
        "additionalProperties": value
    })
});

schema_named!(Headers, "Headers", |_| json_schema!({
    "type": "object",
    "description": "Header names (case-insensitive) to values; `null` removes an inherited header.",
    "additionalProperties": { "type": ["string", "number", "boolean", "null"] }
}));

fn pair_schema(g: &mut SchemaGenerator) -> Schema {
    let value = g.subschema_for::<Value>();
    json_schema!({ "type": "array", "prefixItems": [value.clone(), value], "minItems": 2, "maxItems": 2 })
}

schema_named!(Params, "Params", |g| {
    let pair = pair_schema(g);
    let value = g.subschema_for::<Value>();
    json_schema!({
        "anyOf": [
            { "type": "object", "description": "A mapping; a list value repeats the key.", "additionalProperties": value },
            { "type": "array", "description": "`[key, value]` pairs, order kept.", "items": pair },
            { "type": "string", "description": "A raw query string, appended as is." }
        ]
    })
});

fn credentials_schema(g: &mut SchemaGenerator) -> Schema {
    let text = g.subschema_for::<Text>();
    json_schema!({ "type": "array", "prefixItems": [text.clone(), text], "minItems": 2, "maxItems": 2 })
}

schema_named!(Auth, "Auth", |g| {
    let credentials = credentials_schema(g);
    let text = g.subschema_for::<Text>();
    json_schema!({
        "anyOf": [
            credentials.clone(),
            { "type": "object", "additionalProperties": false, "required": ["basic"],
              "properties": { "basic": credentials.clone() }, "description": "HTTP basic auth." },
            { "type": "object", "additionalProperties": false, "required": ["digest"],
              "properties": { "digest": credentials }, "description": "HTTP digest auth (RFC 7616: MD5, SHA-256, qop=auth)." },
            { "type": "object", "additionalProperties": false, "required": ["bearer"],
              "properties": { "bearer": text.clone() }, "description": "`Authorization: Bearer <token>`." },
            { "type": "object", "additionalProperties": false, "required": ["header"],
              "properties": { "header": {
                  "type": "object", "additionalProperties": false, "required": ["name", "value"],
                  "properties": { "name": text.clone(), "value": text } } },
              "description": "A token in a header of your choice." }
        ]
    })
});

schema_named!(Timeout, "Timeout", |g| {
    let duration = g.subschema_for::<DurationSchema>();
    json_schema!({
        "anyOf": [
            duration.clone(),
            { "type": "object", "additionalProperties": false,
              "properties": { "connect": duration.clone(), "read": duration.clone(), "total": duration } }
        ]
    })
});

schema_named!(Retries, "Retries", |g| {
    let duration = g.subschema_for::<DurationSchema>();
    json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 0, "description": "Retries on connect errors, timeouts, 502, 503 and 504." },
            { "type": "object", "additionalProperties": false, "required": ["count"],
              "properties": {
                  "count": { "type": "integer", "minimum": 0 },
                  "backoff": duration,
                  "on_status": { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 } }
              } }
        ]
    })
});

schema_named!(Proxies, "Proxies", |g| {
    let text = g.subschema_for::<Text>();
    json_schema!({
        "anyOf": [
            text.clone(),
            { "type": "object", "additionalProperties": false,
              "properties": { "http": text.clone(), "https": text } }
        ]
    })
});

schema_named!(
    Verify,
    "Verify",
    |_| json_schema!({ "type": ["boolean", "string"] })
);

schema_named!(ClientCert, "ClientCert", |g| {
    let pair = credentials_schema(g);
    json_schema!({ "anyOf": [{ "type": "string" }, pair] })
});

schema_named!(Data, "Data", |g| {
    let value = g.subschema_for::<Value>();
    let pair = pair_schema(g);
    json_schema!({
        "anyOf": [
            { "type": "object", "additionalProperties": false, "required": ["file"],
              "properties": { "file": { "type": "string" } }, "description": "The bytes of a file, streamed." },
            { "type": "object", "additionalProperties": value, "description": "Form fields." },
            { "type": "array", "items": pair, "description": "Form fields as pairs, order kept." },
            { "type": ["string", "number", "boolean"], "description": "A raw body." }
        ]
    })
});

/// Schema of one `files` entry.
pub struct FilePartSchema;

schema_named!(FilePartSchema, "FilePart", |g| {
    let text = g.subschema_for::<Text>();
    let headers = g.subschema_for::<Headers>();
    json_schema!({
        "anyOf": [
            { "type": "string", "description": "Inline text." },
            { "type": "object", "additionalProperties": false, "required": ["file"],
              "properties": { "file": text.clone(), "filename": text.clone(), "content_type": text, "headers": headers } }
        ]
    })
});

/// Schema of the `files` mapping.
#[allow(
    clippy::zero_sized_map_values,
    reason = "never built: only describes a mapping to schemars, the value type standing for one file entry's schema"
)]
pub type FilesSchema = BTreeMap<String, FilePartSchema>;

schema_named!(StatusExpect, "StatusExpect", |g| {
    let predicate = g.subschema_for::<Predicate>();
    json_schema!({
        "anyOf": [
            { "type": "integer", "minimum": 100, "maximum": 599 },
            { "type": "array", "items": { "type": "integer", "minimum": 100, "maximum": 599 } },
            { "type": "string", "pattern": "^[1-5]([0-9][0-9]|[xX][xX])$" },
            predicate
        ]
    })
});

schema_named!(Matcher, "Matcher", |g| {
    let predicate = g.subschema_for::<Predicate>();
    json_schema!({
        "description": "A bare value (compared as JSON) or a predicate: a mapping whose keys are all predicate words.",
        "anyOf": [predicate, {}]
    })
});

schema_named!(Predicate, "Predicate", |g| {
    let value = g.subschema_for::<Value>();
    let matcher = g.subschema_for::<Matcher>();
    json_schema!({
        "type": "object",
        "minProperties": 1,
        "additionalProperties": false,
        "properties": {
            "eq": value.clone(), "ne": value.clone(), "lt": value.clone(), "le": value.clone(),
            "gt": value.clone(), "ge": value.clone(), "contains": value.clone(),
            "not_contains": value.clone(), "starts_with": value.clone(), "ends_with": value.clone(),
            "matches": { "type": "string", "description": "A regular expression." },
            "one_of": { "type": "array", "items": value },
            "type": { "enum": JsonType::NAMES },
            "length": matcher.clone(),
            "exists": { "type": "boolean" },
            "not": matcher
        }
    })
});

schema_named!(SchemaSource, "SchemaSource", |_| json_schema!({
    "description": "An inline JSON Schema, or the path of one relative to the scenario.",
    "anyOf": [{ "type": "string" }, { "type": ["object", "boolean"] }]
}));

schema_named!(CaptureSource, "CaptureSource", |_| json_schema!({
    "anyOf": [
        { "type": "string", "pattern": "^\\$", "description": "A JSONPath on the body." },
        { "type": "object", "additionalProperties": false, "required": ["json"], "properties": { "json": { "type": "string" } } },
        { "type": "object", "additionalProperties": false, "required": ["header"], "properties": { "header": { "type": "string" } } },
        { "type": "object", "additionalProperties": false, "required": ["cookie"], "properties": { "cookie": { "type": "string" } } },
        { "type": "object", "additionalProperties": false, "required": ["status"], "properties": { "status": { "const": true } } },
        { "type": "object", "additionalProperties": false, "required": ["url"], "properties": { "url": { "const": true } } },
        { "type": "object", "additionalProperties": false, "required": ["body"], "properties": { "body": { "const": true } } },
        { "type": "object", "additionalProperties": false, "required": ["duration"], "properties": { "duration": { "const": true } } },
        { "type": "object", "additionalProperties": false, "required": ["regex"],
          "properties": { "regex": { "type": "string" }, "group": { "type": "integer", "minimum": 0 } } }
    ]
}));

/// Schema of the `capture` mapping.
pub type CapturesSchema = BTreeMap<String, CaptureSource>;
/// Schema of the `cookies` mapping.
pub type CookiesSchema = BTreeMap<String, Value>;

/// Schema of `skip`: `true` or a reason.
pub struct SkipSchema;

schema_named!(SkipSchema, "Skip", |_| json_schema!({
    "type": ["boolean", "string"],
    "description": "`true`, or the reason the step is skipped."
}));

/// Schema of a duration.
pub struct DurationSchema;

schema_named!(DurationSchema, "Duration", |_| json_schema!({
    "description": "A duration: `500ms`, `2s`, `1m`, `1h`, or a number of seconds.",
    "anyOf": [
        { "type": "number", "minimum": 0 },
        { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h)?\\s*$" }
    ]
}));
