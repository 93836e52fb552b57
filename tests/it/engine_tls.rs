//! TLS: verification by default, `verify: false`, `verify: ca.pem`, and `cert` for mutual
//! TLS, against test servers with rcgen certificates.

use std::path::Path;
use std::sync::Arc;

use crate::support::engine::{RecordExt, scenario};
use crate::support::proxy::{ForwardProxy, assert_sends_credentials};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    server_cert: CertificateDer<'static>,
    server_key: Vec<u8>,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca,
        server_cert: cert.der().clone(),
        server_key: key.serialize_der(),
    }
}

/// Writes `ca.pem`, `client.pem` (certificate and key), `client.crt` and `client.key`.
fn write_files(pki: &Pki, dir: &Path) {
    std::fs::write(dir.join("ca.pem"), pki.ca.pem()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["client".to_string()])
        .unwrap()
        .signed_by(&key, &pki.ca)
        .unwrap();
    std::fs::write(
        dir.join("client.pem"),
        format!("{}{}", cert.pem(), key.serialize_pem()),
    )
    .unwrap();
    std::fs::write(dir.join("client.crt"), cert.pem()).unwrap();
    std::fs::write(dir.join("client.key"), key.serialize_pem()).unwrap();
}

/// An HTTPS server answering `ok` (or `ok client` when the client showed a certificate).
fn tls_server(pki: &Pki, require_client_cert: bool) -> String {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if require_client_cert {
        let mut roots = RootCertStore::empty();
        roots.add(pki.ca.der().clone()).unwrap();
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key.clone()));
    let config = builder
        .with_single_cert(vec![pki.server_cert.clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "https://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf).await;
                    let body = if tls.get_ref().1.peer_certificates().is_some() {
                        "ok client"
                    } else {
                        "ok"
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    url
}

fn body_of(record: &sonde::engine::FileRecord) -> String {
    record
        .step(0)
        .exchange()
        .unwrap()
        .response
        .body
        .text
        .clone()
        .unwrap()
}

#[test]
fn an_unknown_certificate_fails_with_a_plain_tls_message() {
    let pki = pki();
    let url = tls_server(&pki, false);
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\" }\n")
        .var("url", url.into())
        .run();
    let message = record.failure(0);
    assert!(
        message.starts_with("TLS handshake with 127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("invalid peer certificate"), "{message}");
}

#[test]
fn verify_false_accepts_any_certificate() {
    let pki = pki();
    let url = tls_server(&pki, false);
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\", verify: false }\n")
        .var("url", url.into())
        .passes();
    assert_eq!(body_of(&record), "ok");
}

#[test]
fn verify_with_a_ca_bundle_passes() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_files(&pki, dir.path());
    let url = tls_server(&pki, false);
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\", verify: ca.pem }\n")
        .var("url", url.into())
        .in_dir(dir.path())
        .passes();
    assert_eq!(body_of(&record), "ok");
}

#[test]
fn a_client_certificate_in_one_pem_passes_mutual_tls() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_files(&pki, dir.path());
    let url = tls_server(&pki, true);
    let record =
        scenario("steps:\n  - request: { url: \"{{ url }}\", verify: ca.pem, cert: client.pem }\n")
            .var("url", url.into())
            .in_dir(dir.path())
            .passes();
    assert_eq!(body_of(&record), "ok client");
}

#[test]
fn a_client_certificate_and_key_pair_passes_mutual_tls() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_files(&pki, dir.path());
    let url = tls_server(&pki, true);
    let record = scenario(
        "steps:\n  - request: { url: \"{{ url }}\", verify: ca.pem, cert: [client.crt, client.key] }\n",
    )
    .var("url", url.into())
    .in_dir(dir.path())
    .passes();
    assert_eq!(body_of(&record), "ok client");
}

#[test]
fn without_a_client_certificate_mutual_tls_fails_plainly() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_files(&pki, dir.path());
    let url = tls_server(&pki, true);
    let record = scenario("steps:\n  - request: { url: \"{{ url }}\", verify: ca.pem }\n")
        .var("url", url.into())
        .in_dir(dir.path())
        .run();
    let message = record.failure(0);
    assert!(
        !message.contains("Error {") && !message.contains("kind:"),
        "{message}"
    );
}

#[test]
fn an_https_request_through_a_proxy_goes_through_a_connect_tunnel() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    write_files(&pki, dir.path());
    let url = tls_server(&pki, false);
    let proxy = ForwardProxy::start();
    let record = scenario(
        "steps:\n  - request: { url: \"{{ url }}\", verify: ca.pem, proxies: { https: \"{{ proxy }}\" } }\n",
    )
    .var("url", url.into())
    .var("proxy", proxy.url_with_credentials().into())
    .in_dir(dir.path())
    .passes();
    assert_eq!(body_of(&record), "ok");
    let heads = proxy.heads.lock().unwrap();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with("CONNECT 127.0.0.1:"), "{heads:?}");
    assert_sends_credentials(&heads[0]);
}

#[test]
fn a_handshake_that_never_ends_runs_into_the_connect_timeout() {
    // Takes connections and never answers: the TCP connect succeeds, the TLS handshake
    // waits forever, and the connect timeout covers both.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(std::time::Duration::from_secs(30));
        drop(held);
    });
    let record = scenario(
        "steps:\n  - request: { url: \"{{ url }}\", timeout: { connect: 300ms, read: 20s } }\n",
    )
    .var("url", url.into())
    .run();
    let message = record.failure(0);
    assert!(
        message.starts_with("no connection to 127.0.0.1:")
            && message.contains("within the connect timeout of 300ms"),
        "{message}"
    );
}
