//! The servers of a config, started before the run and stopped when it ends (also on
//! failure: they stop when [`Servers`] is dropped).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use sonde_core::config::{Server, ServerKind};
#[cfg(feature = "httpbin")]
use sonde_httpbin::ServerHandle;

/// Running servers; their URLs become variables of the same names.
#[derive(Default)]
pub(super) struct Servers {
    pub urls: IndexMap<String, String>,
    #[cfg(feature = "httpbin")]
    builtin: Vec<ServerHandle>,
    children: Vec<Child>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            stop(child);
        }
        #[cfg(feature = "httpbin")]
        for handle in self.builtin.drain(..) {
            handle.shutdown();
        }
    }
}

/// A config's server that did not start.
#[derive(Debug, thiserror::Error)]
#[error("server `{name}`: {why}")]
pub(crate) struct ServerError {
    pub name: String,
    pub why: NotStarted,
}

/// Why a server did not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotStarted {
    #[cfg(feature = "httpbin")]
    #[error("the embedded server did not start: {0}")]
    Builtin(#[source] std::io::Error),
    #[cfg_attr(feature = "httpbin", allow(dead_code))]
    #[error("this sonde was built without the embedded server (the `httpbin` feature)")]
    NotBuiltIn,
    #[error("no free port: {0}")]
    NoFreePort(#[source] std::io::Error),
    #[error("the command is empty")]
    EmptyCommand,
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{why}\n  command: {command}\n  its last output:\n{output}")]
    NotReady {
        why: NotReady,
        command: String,
        output: String,
    },
}

/// Why a started command was not ready.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotReady {
    #[error("`ready` is not a URL ({url}): {source}")]
    BadUrl {
        url: String,
        source: url::ParseError,
    },
    #[error("the command exited ({status}) before {url} answered")]
    Exited {
        status: std::process::ExitStatus,
        url: String,
    },
    #[error("the run was interrupted while waiting for {url}")]
    Interrupted { url: String },
    #[error("{url} did not answer 2xx within {}", sonde_core::duration::display(*.timeout))]
    Timeout { url: String, timeout: Duration },
}

impl Servers {
    /// Starts every server; the first that fails stops the others and says why.
    /// Ctrl-C or SIGTERM while a server is getting ready (`interrupted`) stops it too.
    pub(super) fn start(
        servers: &[Server],
        interrupted: &AtomicBool,
    ) -> Result<Servers, ServerError> {
        let mut running = Servers::default();
        for server in servers {
            let name = server.name.value.clone();
            let url = match &server.kind {
                ServerKind::Builtin => running.start_builtin().map_err(|why| ServerError {
                    name: name.clone(),
                    why,
                })?,
                ServerKind::Command {
                    command,
                    ready,
                    timeout,
                } => running
                    .start_command(
                        &command.source,
                        ready.as_ref().map(|t| t.source.as_str()),
                        *timeout,
                        interrupted,
                    )
                    .map_err(|why| ServerError {
                        name: name.clone(),
                        why,
                    })?,
            };
            running.urls.insert(name, url);
        }
        Ok(running)
    }

    /// The embedded httpbin-compatible server, on a free port of 127.0.0.1.
    #[cfg(feature = "httpbin")]
    fn start_builtin(&mut self) -> Result<String, NotStarted> {
        let handle = sonde_httpbin::spawn([127, 0, 0, 1].into(), 0).map_err(NotStarted::Builtin)?;
        let url = handle.url();
        self.builtin.push(handle);
        Ok(url)
    }

    #[cfg(not(feature = "httpbin"))]
    #[allow(
        clippy::unused_self,
        reason = "the same signature as with the server built in"
    )]
    fn start_builtin(&mut self) -> Result<String, NotStarted> {
        Err(NotStarted::NotBuiltIn)
    }

    fn start_command(
        &mut self,
        command: &str,
        ready: Option<&str>,
        timeout: Duration,
        interrupted: &AtomicBool,
    ) -> Result<String, NotStarted> {
        let port = free_port().map_err(NotStarted::NoFreePort)?;
        let url = format!("http://127.0.0.1:{port}");
        let fill = |text: &str| {
            text.replace("{{ port }}", &port.to_string())
                .replace("{{port}}", &port.to_string())
                .replace("{{ url }}", &url)
                .replace("{{url}}", &url)
        };
        let command_line = fill(command);
        let words = shell_words(&command_line);
        let Some((program, args)) = words.split_first() else {
            return Err(NotStarted::EmptyCommand);
        };
        // No shell is involved: the command is split into words here. The server gets a
        // process group of its own, so that stopping it stops what it started too.
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|source| NotStarted::Spawn {
            command: command_line.clone(),
            source,
        })?;
        let output = collect_output(&mut child);
        if let Some(ready) = ready {
            let ready_url = fill(ready);
            if let Err(why) = wait_ready(&ready_url, timeout, &mut child, interrupted) {
                stop(&mut child);
                return Err(NotStarted::NotReady {
                    why,
                    command: command_line,
                    output: last_lines(&output),
                });
            }
        }
        self.children.push(child);
        Ok(url)
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Polls `url` until it answers 2xx, the command exits, or `timeout` passes.
fn wait_ready(
    url: &str,
    timeout: Duration,
    child: &mut Child,
    interrupted: &AtomicBool,
) -> Result<(), NotReady> {
    let parsed = url::Url::parse(url).map_err(|source| NotReady::BadUrl {
        url: url.to_owned(),
        source,
    })?;
    let started = Instant::now();
    while started.elapsed() < timeout {
        if interrupted.load(Ordering::Relaxed) {
            return Err(NotReady::Interrupted {
                url: url.to_owned(),
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(NotReady::Exited {
                status,
                url: url.to_owned(),
            });
        }
        if probe(&parsed).is_some_and(|status| (200..300).contains(&status)) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(NotReady::Timeout {
        url: url.to_owned(),
        timeout,
    })
}

/// One plain HTTP/1.1 GET; the status code when an answer came.
fn probe(url: &url::Url) -> Option<u16> {
    use std::io::Write;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .ok()?
        .next()?;
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    let path = &url[url::Position::BeforePath..];
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The last lines a server printed, kept as it runs: reading its pipes all along also keeps
/// a chatty server from blocking on a full pipe.
type Output = Arc<Mutex<VecDeque<String>>>;

const KEPT_LINES: usize = 20;

fn collect_output(child: &mut Child) -> Output {
    let output: Output = Arc::default();
    let pipes: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ];
    for pipe in pipes.into_iter().flatten() {
        let output = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Ok(mut lines) = output.lock() {
                    if lines.len() == KEPT_LINES {
                        lines.pop_front();
                    }
                    lines.push_back(line);
                }
            }
        });
    }
    output
}

fn last_lines(output: &Output) -> String {
    // The readers may still be taking in the last lines written before the exit.
    std::thread::sleep(Duration::from_millis(50));
    output
        .lock()
        .map(|lines| lines.iter().map(|l| format!("    {l}\n")).collect())
        .unwrap_or_default()
}

/// Stops a server and everything in its process group: SIGTERM, then SIGKILL after a moment.
fn stop(child: &mut Child) {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, Signal, kill_process_group};
        // The child leads its own process group (it was spawned with `process_group(0)`).
        let group = i32::try_from(child.id()).ok().and_then(Pid::from_raw);
        let signal_group = |signal| {
            if let Some(group) = group {
                let _ = kill_process_group(group, signal);
            }
        };
        signal_group(Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                // What the server started may still be running.
                signal_group(Signal::KILL);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_group(Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Splits a command line into words: whitespace separates, quotes group, no shell expansion.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words_like_a_shell_without_expanding() {
        assert_eq!(
            shell_words("a  'b c' \"d\"e $HOME"),
            ["a", "b c", "de", "$HOME"]
        );
    }

    #[test]
    fn starts_and_stops_the_builtin_server() {
        let config = sonde_core::config::Config::load(&sonde_core::SourceFile::new(
            "sonde.yaml",
            "servers: { bin: builtin }\n",
        ))
        .unwrap();
        let servers = Servers::start(&config.servers, &AtomicBool::new(false)).unwrap();
        let url = servers.urls["bin"].clone();
        assert!(probe(&url::Url::parse(&format!("{url}/get")).unwrap()) == Some(200));
        drop(servers);
        assert!(probe(&url::Url::parse(&format!("{url}/get")).unwrap()).is_none());
    }

    #[test]
    fn a_command_that_never_gets_ready_is_reported_with_its_output() {
        let config = sonde_core::config::Config::load(&sonde_core::SourceFile::new(
            "sonde.yaml",
            "servers:\n  api:\n    command: sh -c 'echo starting on {{ port }}; exit 3'\n    ready: \"{{ url }}/health\"\n    timeout: 5s\n",
        ))
        .unwrap();
        let err = Servers::start(&config.servers, &AtomicBool::new(false))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("exited"), "{err}");
        assert!(err.contains("starting on"), "{err}");
    }
}
