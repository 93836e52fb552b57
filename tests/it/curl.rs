//! `sonde curl` prints commands that send the same requests: each is run with the real curl
//! against the embedded server and the echoes compared.

use crate::support::sonde;

fn curl_commands(file: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["curl", file];
    args.extend_from_slice(extra);
    let out = sonde(args).run().expect_status(0);
    out.stdout
        .split("\n\n")
        .filter_map(|block| {
            block
                .lines()
                .find(|l| l.starts_with("curl "))
                .map(str::to_owned)
        })
        .collect()
}

fn run_shell(command: &str) -> Option<serde_json::Value> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

#[test]
fn printed_commands_send_what_the_steps_send() {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(std::env::var_os("CI").is_none(), "curl is not installed");
        return;
    }
    let server = sonde_httpbin::spawn([127, 0, 0, 1].into(), 0).unwrap();
    let url = server.url();
    let file = std::env::temp_dir().join(format!("sonde-curl-{}.yaml", std::process::id()));
    std::fs::write(
        &file,
        "vars: { token: abc }\nsession:\n  base_url: \"{{ httpbin }}\"\n  headers: { X-Client: t }\nsteps:\n  - name: json\n    request:\n      method: POST\n      url: /post\n      params: { q: \"a b\" }\n      json: { n: 1, s: \"it's\" }\n  - name: form\n    request:\n      method: PUT\n      url: /put\n      data: { k: v }\n      auth: [u, \"{{ token }}\"]\n",
    )
    .unwrap();
    let commands = curl_commands(
        file.to_str().unwrap(),
        &["--var", &format!("httpbin={url}"), "--show-secrets"],
    );
    assert_eq!(commands.len(), 2, "{commands:?}");
    let json = run_shell(&commands[0]).expect("the first command runs");
    assert_eq!(json["json"], serde_json::json!({"n": 1, "s": "it's"}));
    assert_eq!(json["args"]["q"], "a b");
    assert_eq!(json["headers"]["X-Client"], "t");
    let form = run_shell(&commands[1]).expect("the second command runs");
    assert_eq!(form["form"]["k"], "v");
    assert!(
        form["headers"]["Authorization"]
            .as_str()
            .unwrap()
            .starts_with("Basic ")
    );

    let hidden = curl_commands(
        file.to_str().unwrap(),
        &["--var", &format!("httpbin={url}")],
    );
    assert!(hidden[1].contains("-u '***:***'"), "{}", hidden[1]);
    assert!(!hidden.join("\n").contains("abc"));
    let _ = std::fs::remove_file(file);
}

#[test]
fn an_unknown_step_name_is_an_error() {
    let out = sonde([
        "curl",
        "valid/every-expect-form.yaml",
        "--step",
        "no such step",
    ])
    .run()
    .expect_status(2);
    assert!(
        out.stderr.contains("no step named `no such step`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_reader_that_closes_the_pipe_ends_the_command_quietly() {
    // `sonde curl FILE | head -0`: standard output is closed before anything is written.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sonde"))
        .args(["curl", "examples/04-bodies.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}
