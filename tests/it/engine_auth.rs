//! Auth: basic, digest (MD5, SHA-256, state kept per session), bearer, header, removal,
//! and credentials dropped on a redirect to another host.

use crate::support::engine::{RecordExt, StepExt, scenario, server};

#[test]
fn a_pair_is_basic_auth() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/basic-auth/alice/s3cret", auth: [alice, s3cret] }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["user"], "alice");
}

#[test]
fn basic_auth_mapping() {
    let s = server();
    scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/basic-auth/bob/pw", auth: { basic: [bob, pw] } }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
}

#[test]
fn digest_md5_answers_the_challenge() {
    let s = server();
    scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/digest-auth/auth/u/p/MD5", auth: { digest: [u, p] } }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
}

#[test]
fn digest_sha256_answers_the_challenge() {
    let s = server();
    scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/digest-auth/auth/u/p/SHA-256", auth: { digest: [u, p] } }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
}

#[test]
fn digest_state_is_reused_by_later_requests_of_the_session() {
    let s = server();
    let record = scenario(
        r#"
session: { auth: { digest: [u, p] } }
steps:
  - request: { url: "{{ httpbin }}/digest-auth/auth/u/p/MD5" }
    expect: { status: 200 }
  - request: { url: "{{ httpbin }}/digest-auth/auth/u/p/MD5" }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
    // The second request answered up front, with the next nonce count.
    let sent = &record.step(1).exchange().unwrap().request;
    let authorization = sent.headers.get("authorization").expect("sent up front");
    assert!(authorization.contains("nc=00000002"), "{authorization}");
}

#[test]
fn wrong_digest_credentials_get_the_401() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/digest-auth/auth/u/p/MD5", auth: { digest: [u, wrong] } }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .run();
    assert_eq!(record.step(0).status(), 401);
}

#[test]
fn bearer_token() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/bearer", auth: { bearer: t0ken } }
    expect: { status: 200 }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(record.echoed()["token"], "t0ken");
}

#[test]
fn header_auth_sets_the_named_header() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request:
      url: "{{ httpbin }}/headers"
      auth: { header: { name: X-TokenAuth, value: 12345abcde-token } }
"#,
    )
    .against(&s)
    .passes();
    assert_eq!(
        record.echoed()["headers"]["X-Tokenauth"],
        "12345abcde-token"
    );
}

#[test]
fn null_removes_the_session_auth() {
    let s = server();
    let record = scenario(
        r#"
session: { auth: [alice, pw] }
steps:
  - request: { url: "{{ httpbin }}/headers", auth: null }
"#,
    )
    .against(&s)
    .passes();
    assert!(record.echoed()["headers"].get("Authorization").is_none());
}

#[test]
fn authorization_is_dropped_on_a_redirect_to_another_host() {
    let s = server();
    let other = server();
    let record = scenario(
        r#"
steps:
  - request:
      url: "{{ httpbin }}/redirect-to"
      params: { url: "{{ other }}/headers" }
      auth: [alice, pw]
      headers: { Cookie: "a=1", Proxy-Authorization: "Basic eA==" }
"#,
    )
    .against(&s)
    .var("other", other.url().into())
    .passes();
    let exchange = record.step(0).exchange().unwrap();
    assert!(exchange.hops[0].request.headers.contains("authorization"));
    let headers = &record.echoed()["headers"];
    for dropped in ["Authorization", "Cookie", "Proxy-Authorization"] {
        assert!(
            headers.get(dropped).is_none(),
            "{dropped} reached the other host: {headers}"
        );
    }
}

#[test]
fn authorization_is_kept_on_a_redirect_to_the_same_host() {
    let s = server();
    let record = scenario(
        r#"
steps:
  - request: { url: "{{ httpbin }}/redirect-to?url=/headers", auth: [alice, pw] }
"#,
    )
    .against(&s)
    .passes();
    assert!(record.echoed()["headers"].get("Authorization").is_some());
}
