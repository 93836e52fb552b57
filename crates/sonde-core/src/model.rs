//! The scenario model: what a file asks for, whatever its syntax (YAML or `.http`).
//!
//! Every value a user wrote keeps its position, so that the executor and the checks can
//! point back at the line. The doc comments here are the descriptions of
//! `schema/scenario.schema.json`; the schemas of the either/or fields are in `schema.rs`.

use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;

use super::source::{SourceFile, Span, Spanned};

/// One scenario file: a session and its steps.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields, title = "sonde scenario")]
pub struct Scenario {
    #[schemars(skip)]
    pub source: Arc<SourceFile>,
    /// The scenario's name in reports; defaults to the file stem.
    #[schemars(default)]
    pub name: String,
    /// Free text describing the scenario.
    #[schemars(default)]
    pub description: Option<String>,
    /// Tags to select scenarios with `--tag` / `--skip-tag`.
    #[schemars(default)]
    pub tags: Vec<String>,
    /// Variables of this file, templated lazily and in order: a variable may use the ones above it.
    #[schemars(default)]
    pub vars: Vars,
    /// Defaults for every step, like a `requests.Session`: base URL, headers, auth, cookies, transport.
    #[schemars(default)]
    pub session: Settings,
    /// The steps, run in order: each one request and what is expected of its response.
    pub steps: Vec<Step>,
}

/// Variables: names mapped to values, whose strings may be templates.
#[derive(Debug, Clone, Default)]
pub struct Vars(pub Vec<(Spanned<String>, Value)>);

/// One request and what is expected of its response; one `JUnit` testcase.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Step {
    #[schemars(skip)]
    pub span: Span,
    /// The step's name in reports; defaults to `METHOD url`.
    #[schemars(default)]
    pub name: String,
    /// The request to send.
    pub request: Request,
    /// What the response must satisfy; every assertion is evaluated and every failure reported.
    #[schemars(default)]
    pub expect: Expect,
    /// Values taken from the response, available to the following steps as variables.
    #[schemars(default, with = "super::schema::CapturesSchema")]
    pub capture: Vec<Capture>,
    /// Variables for this step only.
    #[schemars(default)]
    pub vars: Vars,
    /// Tags of this step.
    #[schemars(default)]
    pub tags: Vec<String>,
    /// Send again until `expect` passes or the tries run out.
    #[schemars(default)]
    pub poll: Option<Poll>,
    /// `true` or a reason: the step is reported as skipped and not sent.
    #[schemars(default, with = "Option<super::schema::SkipSchema>")]
    pub skip: Option<String>,
    /// `skip: "{{ expr }}"`: evaluated when the step is reached; the step is skipped when the
    /// result is true (a non-empty text but `false`, `0` or `no`, a non-zero number…).
    #[schemars(skip)]
    pub skip_when: Option<Text>,
    /// Let the following steps run even when this one fails.
    #[schemars(default)]
    pub continue_on_failure: bool,
    /// Sent without the session's cookie jar (`# @no-cookie-jar` in `.http` files).
    #[schemars(skip)]
    pub no_cookie_jar: bool,
}

/// `poll: { every: 500ms, max: 20 }`.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Poll {
    /// Time between tries.
    #[schemars(with = "super::schema::DurationSchema")]
    pub every: Duration,
    /// The most tries, the first included.
    pub max: u32,
}

/// What can stand on the session, on the run (config) and on each request; the nearer wins,
/// mappings merge key by key.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Settings {
    /// Relative request URLs are joined onto this URL.
    #[schemars(default)]
    pub base_url: Option<Text>,
    /// Request headers; names are case-insensitive; `null` removes a default.
    #[schemars(default)]
    pub headers: Headers,
    /// Query parameters: a mapping (a list value repeats the key), a list of `[key, value]` pairs, or a raw string.
    #[schemars(default)]
    pub params: Option<Params>,
    /// Cookies sent with the request, added to the session's jar.
    #[schemars(default, with = "super::schema::CookiesSchema")]
    pub cookies: Vec<(Spanned<String>, Value)>,
    /// `[user, pass]`, `{basic: [u, p]}`, `{digest: [u, p]}`, `{bearer: token}`, `{header: {name, value}}`, or `null` to remove the session's.
    #[schemars(default)]
    pub auth: Setting<Auth>,
    /// One duration for the whole request, or `{connect, read}`; a bare number is seconds.
    #[schemars(default)]
    pub timeout: Option<Timeout>,
    /// Transport retries: a count, or `{count, backoff, on_status}`.
    #[schemars(default)]
    pub retries: Option<Retries>,
    /// Follow redirects (default `true`).
    #[schemars(default)]
    pub allow_redirects: Option<bool>,
    /// The most redirects followed (default 10).
    #[schemars(default)]
    pub max_redirects: Option<u32>,
    /// A proxy URL for every scheme, or `{http: url, https: url}`.
    #[schemars(default)]
    pub proxies: Option<Proxies>,
    /// Verify TLS certificates (`true`, the default), don't (`false`), or verify against this CA bundle (PEM path).
    #[schemars(default)]
    pub verify: Option<Verify>,
    /// Client certificate: a PEM path holding certificate and key, or `[cert.pem, key.pem]`.
    #[schemars(default)]
    pub cert: Option<ClientCert>,
}

/// A setting that can also be removed with `null`.
#[derive(Debug, Clone, Default)]
pub enum Setting<T> {
    /// Not written: inherited.
    #[default]
    Inherit,
    /// `null`: the inherited value is removed.
    Remove,
    Set(T),
}

/// The `request` of a step: everything `requests.request` takes.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Request {
    /// `GET` (default), `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`, or any other token.
    #[schemars(with = "Option<String>")]
    pub method: Spanned<String>,
    /// Absolute, or relative to `base_url`.
    pub url: Text,
    #[serde(flatten)]
    pub settings: Settings,
    /// Any value, sent as JSON with `Content-Type: application/json` unless a header says otherwise.
    #[schemars(default)]
    pub json: Option<Value>,
    /// A mapping or list of pairs (form-urlencoded), a string (raw body), or `{file: path}` (the file's bytes, streamed).
    #[schemars(default)]
    pub data: Option<Data>,
    /// Multipart upload: `name: {file, filename, content_type, headers}` or `name: "inline text"`.
    #[schemars(default, with = "super::schema::FilesSchema")]
    pub files: Vec<FilePart>,
    /// Decode the body with this charset instead of the one the headers give.
    #[schemars(default, with = "Option<String>")]
    pub encoding: Option<Spanned<String>>,
    /// Stream the body to this path instead of holding it in memory.
    #[schemars(default)]
    pub save_body: Option<Text>,
}

/// A string as written, which may be a template.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub source: String,
    pub span: Span,
    pub kind: TextKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TextKind {
    /// No template syntax: used as is.
    Literal,
    /// Text with `{{ … }}` or `{% … %}` inside: rendered to a string.
    Template,
    /// Exactly one `{{ expr }}`: evaluated, and keeps the type of its result.
    Expression(String),
}

impl Text {
    pub fn literal(source: impl Into<String>, span: Span) -> Text {
        Text {
            source: source.into(),
            span,
            kind: TextKind::Literal,
        }
    }

    pub fn is_literal(&self) -> bool {
        self.kind == TextKind::Literal
    }

    pub fn is_template(&self) -> bool {
        !self.is_literal()
    }
}

/// A YAML value whose strings may be templates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Text),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Request headers in the order written; a `None` value removes an inherited header.
#[derive(Debug, Clone, Default)]
pub struct Headers(pub Vec<(Spanned<String>, Option<Value>)>);

#[derive(Debug, Clone)]
pub enum Params {
    /// `{q: x, tag: [a, b]}`: a list value repeats the key.
    Map(Vec<(Spanned<String>, Value)>),
    /// `[[q, x], [tag, a]]`: order kept.
    Pairs(Vec<(Value, Value)>),
    /// `q=requests+language:python`: appended as is.
    Raw(Text),
}

#[derive(Debug, Clone)]
pub enum Auth {
    Basic { user: Text, password: Text },
    Digest { user: Text, password: Text },
    Bearer(Text),
    Header { name: Text, value: Text },
}

/// Timeouts; `total` bounds the whole request, `connect` and `read` each phase.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timeout {
    pub total: Option<Duration>,
    pub connect: Option<Duration>,
    pub read: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retries {
    pub count: u32,
    /// The first wait; each next one doubles.
    pub backoff: Duration,
    /// Statuses that are retried besides connect errors and timeouts.
    pub on_status: Vec<u16>,
}

impl Retries {
    pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(100);
    pub const DEFAULT_ON_STATUS: [u16; 3] = [502, 503, 504];
}

#[derive(Debug, Clone)]
pub enum Proxies {
    All(Text),
    PerScheme {
        http: Option<Text>,
        https: Option<Text>,
    },
}

#[derive(Debug, Clone)]
pub enum Verify {
    Enabled(bool),
    CaBundle(Text),
}

#[derive(Debug, Clone)]
pub enum ClientCert {
    /// One PEM file holding certificate and key.
    Combined(Text),
    Pair {
        cert: Text,
        key: Text,
    },
}

#[derive(Debug, Clone)]
pub enum Data {
    /// Form fields (`application/x-www-form-urlencoded`, or multipart fields beside `files`).
    Form(Vec<(Value, Value)>),
    Raw(Text),
    /// The bytes of a file, streamed.
    File(Text),
}

#[derive(Debug, Clone)]
pub struct FilePart {
    pub field: Spanned<String>,
    pub content: FileContent,
}

#[derive(Debug, Clone)]
pub enum FileContent {
    File {
        path: Text,
        filename: Option<Text>,
        content_type: Option<Text>,
        headers: Headers,
    },
    Inline(Text),
}

/// `expect`: what the response must satisfy.
#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Expect {
    /// `200`, `[200, 201]`, `"2xx"`, or a predicate.
    #[schemars(default)]
    pub status: Option<Spanned<StatusExpect>>,
    /// `true`: the status is below 400 (like `bool(response)`); `false`: it is not.
    #[schemars(default, with = "Option<bool>")]
    pub ok: Option<Spanned<bool>>,
    /// `name: value-or-predicate`; names are case-insensitive; `name: null` asserts absence.
    #[schemars(default, with = "std::collections::BTreeMap<String, Option<Matcher>>")]
    pub headers: Vec<HeaderExpect>,
    /// `jsonpath: value-or-predicate` (RFC 9535 `JSONPath`).
    #[schemars(default, with = "std::collections::BTreeMap<String, Matcher>")]
    pub json: Vec<JsonExpect>,
    /// Exact text, or a predicate over the decoded body.
    #[schemars(default)]
    pub body: Option<Spanned<Matcher>>,
    /// Predicates over the raw body.
    #[schemars(default)]
    pub bytes: Option<BytesExpect>,
    /// A JSON Schema (inline, or a path relative to the scenario) the JSON body must satisfy.
    #[schemars(default)]
    pub schema: Option<Spanned<SchemaSource>>,
    /// `name: value-or-predicate` over the cookies this response sets.
    #[schemars(default, with = "std::collections::BTreeMap<String, Matcher>")]
    pub cookies: Vec<(Spanned<String>, Spanned<Matcher>)>,
    /// A predicate on the elapsed time, e.g. `{lt: 500ms}`.
    #[schemars(default, with = "Option<Matcher>")]
    pub duration: Option<Spanned<Matcher>>,
    /// The number of redirects followed, or a predicate on it.
    #[schemars(default, with = "Option<Matcher>")]
    pub redirects: Option<Spanned<Matcher>>,
    /// The final URL, after redirects: a value or a predicate.
    #[schemars(default, with = "Option<Matcher>")]
    pub url: Option<Spanned<Matcher>>,
}

#[derive(Debug, Clone)]
pub enum StatusExpect {
    Code(u16),
    AnyOf(Vec<u16>),
    /// `"2xx"`: the hundreds digit.
    Class(u16),
    Matches(Matcher),
}

#[derive(Debug, Clone)]
pub struct HeaderExpect {
    pub name: Spanned<String>,
    /// `None`: the header must be absent.
    pub matcher: Option<Spanned<Matcher>>,
}

#[derive(Debug, Clone)]
pub struct JsonExpect {
    pub path: JsonPath,
    pub matcher: Spanned<Matcher>,
}

/// A `JSONPath`, compiled when the file loads.
#[derive(Debug, Clone)]
pub struct JsonPath {
    pub source: Spanned<String>,
    pub compiled: Arc<crate::json_path::CompiledPath>,
}

#[derive(Debug, Clone, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BytesExpect {
    /// The body's length in bytes: a number or a predicate.
    #[schemars(default, with = "Option<Matcher>")]
    pub length: Option<Spanned<Matcher>>,
    /// The hex SHA-256 of the body.
    #[schemars(default, with = "Option<String>")]
    pub sha256: Option<Spanned<String>>,
    /// A file whose bytes the body must equal, relative to the scenario.
    #[schemars(default)]
    pub equals_file: Option<Text>,
}

#[derive(Debug, Clone)]
pub enum SchemaSource {
    Inline(serde_json::Value),
    /// A path relative to the scenario file.
    File(String),
}

/// A bare value (compared for equality) or a predicate mapping.
#[derive(Debug, Clone)]
pub enum Matcher {
    Equals(Value),
    /// Every one must hold.
    All(Vec<Spanned<Predicate>>),
}

#[derive(Debug, Clone)]
pub enum Predicate {
    Eq(Value),
    Ne(Value),
    Lt(Value),
    Le(Value),
    Gt(Value),
    Ge(Value),
    Contains(Value),
    NotContains(Value),
    StartsWith(Value),
    EndsWith(Value),
    Matches(Pattern),
    OneOf(Vec<Value>),
    Type(JsonType),
    Length(Box<Matcher>),
    Exists(bool),
    Not(Box<Matcher>),
}

impl Predicate {
    /// The words that make a mapping a predicate.
    pub const WORDS: [&'static str; 16] = [
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "matches",
        "one_of",
        "type",
        "length",
        "exists",
        "not",
    ];
}

/// A regular expression: compiled at load, or at run time when it is a template.
#[derive(Debug, Clone)]
pub enum Pattern {
    Compiled(regex::Regex),
    Template(Text),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Null,
}

impl JsonType {
    pub const NAMES: [&'static str; 7] = [
        "string", "number", "integer", "boolean", "array", "object", "null",
    ];

    pub fn from_name(name: &str) -> Option<JsonType> {
        Some(match name {
            "string" => JsonType::String,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "boolean" => JsonType::Boolean,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            "null" => JsonType::Null,
            _ => return None,
        })
    }
}

/// `name: source` under `capture`.
#[derive(Debug, Clone)]
pub struct Capture {
    pub name: Spanned<String>,
    pub source: CaptureSource,
}

#[derive(Debug, Clone)]
pub enum CaptureSource {
    Json(JsonPath),
    Header(Spanned<String>),
    Cookie(Spanned<String>),
    Status,
    Url,
    Body,
    Regex { regex: regex::Regex, group: usize },
    Duration,
}
