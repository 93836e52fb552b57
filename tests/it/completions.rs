//! `sonde completions SHELL` and `sonde man`, made from the flag definitions.

use crate::support::sonde;

#[test]
fn bash_takes_the_completion_script() {
    let out = sonde(["completions", "bash"]).run().expect_status(0);
    assert!(out.stdout.contains("--no-tests"), "{}", out.stdout);
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(script.path(), &out.stdout).unwrap();
    match std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p sonde",
            script.path().display()
        ))
        .output()
    {
        Ok(run) => assert!(
            String::from_utf8_lossy(&run.stdout).contains("-F _sonde"),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        ),
        Err(_) => eprintln!("bash not found: the script was not sourced"),
    }
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = sonde(["completions", shell]).run().expect_status(0);
        assert!(out.stdout.contains("validate"), "{shell}: {}", out.stdout);
    }
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let out = sonde(["man"]).run().expect_status(0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH sonde 1"),
        "{}",
        out.stdout
    );
    for command in [
        "run",
        "validate",
        "serve",
        "curl",
        r"merge\-junit",
        "completions",
    ] {
        assert!(out.stdout.contains(command), "{command}: {}", out.stdout);
    }
    assert!(out.stdout.contains("Exit status"), "{}", out.stdout);
}
