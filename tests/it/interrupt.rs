//! Ctrl-C and SIGTERM during a run: no new file starts, the reports hold what finished
//! (valid `JUnit`), started servers are stopped, and the exit status is 130 / 143.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn slow_project(with_command_server: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut config = String::from("servers:\n  httpbin: builtin\n");
    if with_command_server {
        config.push_str("  api:\n    command: python3 -m http.server {{ port }} --bind 127.0.0.1\n    ready: \"{{ url }}/\"\n    timeout: 20s\n");
    }
    std::fs::write(dir.path().join("sonde.yaml"), config).unwrap();
    for i in 0..20 {
        std::fs::write(
            dir.path().join(format!("f{i:02}.yaml")),
            "steps:\n  - request: { url: \"{{ httpbin }}/delay/1\" }\n  - request: { url: \"{{ httpbin }}/delay/1\" }\n",
        )
        .unwrap();
    }
    dir
}

/// Runs sonde, sends `signal` after `after`, and returns (exit status, stdout, stderr).
fn interrupt_run(dir: &std::path::Path, signal: &str, after: Duration) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args([
            "run",
            ".",
            "--jobs",
            "2",
            "--junit",
            "j.xml",
            "--json",
            "r.json",
            "--no-progress",
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sonde took too long to stop"
    );
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn python_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn ctrl_c_writes_what_finished_and_exits_130() {
    let dir = slow_project(false);
    let (status, stdout, stderr) = interrupt_run(dir.path(), "-INT", Duration::from_millis(2500));
    assert_eq!(status, 130, "{stdout}\n{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    // The files in flight finished their step and skipped the rest: said, never "✓".
    assert!(
        stdout.contains("(interrupted: 1 of 2 steps run;"),
        "{stdout}"
    );
    for line in stdout.lines().filter(|l| l.starts_with('✓')) {
        assert!(line.contains("(2/2 steps;"), "{line}\n{stdout}");
    }
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    let suites = junit.matches("<testsuite ").count();
    assert!((1..20).contains(&suites), "{suites} suites:\n{junit}");
    assert!(junit.trim_end().ends_with("</testsuites>"), "{junit}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), suites);
}

#[test]
fn sigterm_exits_143_and_stops_the_servers_it_started() {
    if !python_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for this test"
        );
        return;
    }
    let dir = slow_project(true);
    let (status, stdout, stderr) = interrupt_run(dir.path(), "-TERM", Duration::from_secs(3));
    assert_eq!(status, 143, "{stdout}\n{stderr}");
    // No python http.server started by this run may be left listening.
    let leftover = Command::new("pgrep")
        .args(["-f", "http.server [0-9]+ --bind 127.0.0.1"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(leftover.is_empty(), "a server was left running: {leftover}");
}

#[test]
fn ctrl_c_while_a_server_is_getting_ready_stops_it_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    // A server that never answers: sonde waits for it up to its timeout (20 s).
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers:\n  api:\n    command: sleep 37.25\n    ready: \"{{ url }}/\"\n    timeout: 20s\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.yaml"),
        "steps:\n  - request: { url: \"{{ api }}/\" }\n",
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args(["run", ".", "--no-progress"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "sonde kept waiting for the server"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("while the servers were starting"),
        "{stderr}"
    );
    let leftover = Command::new("pgrep")
        .args(["-f", "sleep 37.25"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(
        leftover.is_empty(),
        "the server was left running: {leftover}"
    );
}

#[test]
fn a_second_ctrl_c_stops_waiting_for_running_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        "servers:\n  httpbin: builtin\n",
    )
    .unwrap();
    // Each file waits 4 s for its answer: the grace after a first Ctrl-C is 5 s.
    for i in 0..4 {
        std::fs::write(
            dir.path().join(format!("f{i}.yaml")),
            "steps:\n  - request: { url: \"{{ httpbin }}/delay/4\" }\n",
        )
        .unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args([
            "run",
            ".",
            "--jobs",
            "2",
            "--junit",
            "j.xml",
            "--no-progress",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let kill = || {
        Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
    };
    kill();
    std::thread::sleep(Duration::from_millis(300));
    let second = Instant::now();
    kill();
    let output = child.wait_with_output().unwrap();
    assert!(
        second.elapsed() < Duration::from_millis(2500),
        "sonde waited {:?} after the second Ctrl-C",
        second.elapsed()
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let junit = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
    assert!(junit.trim_end().ends_with("</testsuites>"), "{junit}");
}
