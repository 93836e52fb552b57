//! A tiny HTTP forward proxy: records each request head, rewrites an absolute-form request
//! line to origin form, answers `CONNECT` by opening a tunnel, and pipes bytes both ways.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub(crate) struct ForwardProxy {
    pub address: String,
    pub heads: Arc<Mutex<Vec<String>>>,
}

impl ForwardProxy {
    pub(crate) fn start() -> ForwardProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || forward(client, &seen));
            }
        });
        ForwardProxy { address, heads }
    }

    /// The proxy's URL with the user `pro` and the password `xy`.
    pub(crate) fn url_with_credentials(&self) -> String {
        format!("http://pro:xy@{}", self.address)
    }
}

/// Asserts that a request head carries the credentials of [`ForwardProxy::url_with_credentials`].
pub(crate) fn assert_sends_credentials(head: &str) {
    // base64("pro:xy")
    assert!(
        head.to_ascii_lowercase()
            .contains("proxy-authorization: basic chjvonh5"),
        "{head}"
    );
}

fn forward(client: TcpStream, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    seen.lock().unwrap().push(head.clone());
    let mut client = client;
    let target = head.split_whitespace().nth(1).unwrap().to_string();
    let mut upstream = if head.starts_with("CONNECT ") {
        let upstream = TcpStream::connect(&target).unwrap();
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        upstream
    } else {
        let url = url::Url::parse(&target).unwrap();
        let mut upstream =
            TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).unwrap();
        let origin_form = head.replacen(&target, &url[url::Position::BeforePath..], 1);
        upstream.write_all(origin_form.as_bytes()).unwrap();
        upstream
    };
    let mut to_upstream = upstream.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut to_upstream);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
}
