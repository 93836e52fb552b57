//! What the tests share: `sonde(["validate", "x.yaml"]).run()` runs the binary (here), and
//! `scenario(yaml).against(&server).run()` runs a file in-process (`engine`).

pub(crate) mod engine;
pub(crate) mod proxy;

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub(crate) struct Sonde {
    command: Command,
}

/// `sonde ARGS…`, run from `tests/fixtures`, with colour off and no inherited SONDE_ variables.
pub(crate) fn sonde<I, S>(args: I) -> Sonde
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_sonde"));
    command
        .args(args)
        .current_dir(fixtures())
        .env("NO_COLOR", "1");
    Sonde { command }
}

pub(crate) struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sonde {
    pub(crate) fn current_dir(mut self, dir: impl AsRef<Path>) -> Sonde {
        self.command.current_dir(dir);
        self
    }

    pub(crate) fn env(mut self, key: &str, value: &str) -> Sonde {
        self.command.env(key, value);
        self
    }

    pub(crate) fn run(mut self) -> Output {
        let output = self.command.output().expect("the sonde binary runs");
        Output {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Output {
    pub(crate) fn expect_status(self, status: i32) -> Output {
        assert_eq!(
            self.status, status,
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// One `#[test]` per fixture, so that every file that fails is named by its own test (a
/// loop in one test stops at the first). `one_test_per_file! { list FILES, check CHECK;
/// test_name => "file", … }` defines `const FILES: &[&str]` (every file, for a test that
/// the list matches the directory) and `#[test] fn test_name() { CHECK("file") }` for each;
/// attributes before an entry (`#[ignore = "…"]`) go on its test.
macro_rules! one_test_per_file {
    (list $list:ident, check $check:path; $($(#[$attr:meta])* $test:ident => $file:literal,)*) => {
        const $list: &[&str] = &[$($file),*];
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                $check($file);
            }
        )*
    };
}
pub(crate) use one_test_per_file;

/// A temp dir with a `sonde.yaml` that starts the embedded server (`{{ httpbin }}`), plus
/// `config` lines, and the given files (their folders made).
pub(crate) fn project_with(config: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sonde.yaml"),
        format!("servers: {{ httpbin: builtin }}\n{config}"),
    )
    .unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// [`project_with`] and no more config.
pub(crate) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    project_with("", files)
}

/// Validates a report with xmllint against the `JUnit` XSD (`.ci/run` installs libxml2-utils).
pub(crate) fn xmllint(report: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit/junit-10.xsd");
    let status = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(report)
        .status();
    match status {
        Ok(status) => assert!(status.success(), "xmllint rejected {}", report.display()),
        Err(e) if std::env::var_os("CI").is_some() => panic!("xmllint is not installed: {e}"),
        Err(_) => eprintln!("xmllint not installed: the XSD check was not run"),
    }
}
