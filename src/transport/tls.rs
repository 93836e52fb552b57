//! The rustls configuration of a transport profile: which roots to trust (the web's, a CA
//! bundle's, or none at all with `verify: false`) and the client certificate to show.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::HttpError;
use super::pool::{TransportProfile, Verification};

/// The configuration every TLS connection of `profile` is made with. HTTP/1.1 only, as
/// sonde speaks no HTTP/2.
pub(crate) fn client_config(profile: &TransportProfile) -> Result<Arc<ClientConfig>, HttpError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::TlsSetting(e.to_string()))?;
    let builder = match &profile.verify {
        Verification::Default => builder.with_root_certificates(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }),
        Verification::CaBundle(path) => builder.with_root_certificates(ca_bundle(path)?),
        Verification::Off => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider))),
    };
    let mut config = match &profile.client_cert {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let (chain, private_key) = identity(cert, key.as_deref())?;
            builder
                .with_client_auth_cert(chain, private_key)
                .map_err(|e| {
                    HttpError::TlsSetting(format!(
                        "{}: not a PEM certificate with its private key ({e})",
                        cert.display()
                    ))
                })?
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// `verify: ca.pem`: these roots only, as python-requests does with a bundle.
fn ca_bundle(path: &Path) -> Result<RootCertStore, HttpError> {
    let pem = read(path)?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            HttpError::TlsSetting(format!("{}: not a PEM CA bundle ({e})", path.display()))
        })?;
    if certificates.is_empty() {
        return Err(HttpError::TlsSetting(format!(
            "{}: no certificate in this CA bundle",
            path.display()
        )));
    }
    let mut roots = RootCertStore::empty();
    for certificate in certificates {
        roots.add(certificate).map_err(|e| {
            HttpError::TlsSetting(format!("{}: not a PEM CA bundle ({e})", path.display()))
        })?;
    }
    Ok(roots)
}

/// A PEM file holding the certificate chain and its key, or the chain and a key file.
fn identity(
    cert: &Path,
    key: Option<&Path>,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), HttpError> {
    let unusable = |reason: String| {
        HttpError::TlsSetting(format!(
            "{}: not a PEM certificate with its private key ({reason})",
            cert.display()
        ))
    };
    let cert_pem = read(cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(e.to_string()))?;
    if chain.is_empty() {
        return Err(unusable("no certificate".into()));
    }
    let key_pem = match key {
        Some(key) => read(key)?,
        None => cert_pem,
    };
    let private_key =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| unusable(format!("key: {e}")))?;
    Ok((chain, private_key))
}

fn read(path: &Path) -> Result<Vec<u8>, HttpError> {
    std::fs::read(path).map_err(|e| HttpError::ReadFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// `verify: false`: any certificate is taken, as python-requests does; signatures are still
/// checked, so the handshake itself is sound.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
