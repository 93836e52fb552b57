//! The fast reader (`fast.rs`) against the serde-saphyr path: identical trees, spans and
//! errors on every YAML file of the repository and on a list of tricky documents.

use std::path::{Path, PathBuf};

use super::*;

/// Every way `parse` may answer, spelled out so that `-0.0` and `0.0` differ.
fn outcome(result: &Result<Node, SyntaxError>) -> String {
    match result {
        Ok(node) => format!("{node:?}"),
        Err(e) => format!("error at {:?}: {}", e.span, e.message),
    }
}

/// How many documents the line reader took, for the reports below.
static LINE_READER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Checks one document; returns whether the fast reader took it.
fn check(name: &str, text: &str) -> bool {
    let reference = parse_with_serde(text);
    let fast = if text.trim().is_empty() {
        None
    } else {
        fast::parse(text)
    };
    // Each reader on its own, since the line reader hides the event reader when it agrees.
    let tiers = [
        ("line reader", simple::parse(text)),
        ("event reader", fast::from_events(text)),
        ("fast path", fast.clone()),
    ];
    for (tier, node) in &tiers {
        if let Some(node) = node {
            assert!(
                reference.is_ok(),
                "{name}: the {tier} accepted what serde-saphyr rejects: {}\n{text:?}",
                outcome(&reference)
            );
            assert_eq!(
                format!("{node:?}"),
                outcome(&reference),
                "{name}: the {tier} gives another tree\n{text:?}"
            );
        }
    }
    if tiers[0].1.is_some() {
        LINE_READER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    assert_eq!(
        outcome(&parse(text)),
        outcome(&reference),
        "{name}: parse differs\n{text:?}"
    );
    fast.is_some()
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                yaml_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// serde-saphyr recurses deeply on nested documents; give it room as the test runs in debug.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn agrees_with_serde_on_every_repository_file() {
    with_big_stack(repository_files);
}

fn repository_files() {
    let root = repository_root();
    let mut files = Vec::new();
    for dir in ["examples", "scenarios", "tests", "bench", "docs", "schema"] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut fast = 0;
    let mut examples = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let took = check(&file.display().to_string(), &text);
        fast += usize::from(took);
        if file.starts_with(root.join("examples")) {
            examples.0 += 1;
            examples.1 += usize::from(took);
        }
    }
    // Ordinary files must not fall back, or the reader is pointless.
    eprintln!(
        "fast reader took {fast} of {} files (line reader: {})",
        files.len(),
        LINE_READER.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert_eq!(examples.0, examples.1, "examples that fell back");
    assert!(fast * 2 > files.len(), "{fast} of {} files", files.len());
}

const TRICKY: &[&str] = &[
    "a: 1\n",
    "0x1F",
    "-0o7",
    "0o17\n",
    "0b101\n",
    "-0x1F\n",
    "0X1f\n",
    "0x\n",
    "0x_1\n",
    "0xg\n",
    "1e3\n",
    "1E-3\n",
    "-1.5e+10\n",
    ".5\n",
    "-.5\n",
    "5.\n",
    "+.5\n",
    "1.0\n",
    "-0.0\n",
    "0.0\n",
    "-0\n",
    "+0\n",
    "0\n",
    "-.inf\n",
    ".inf\n",
    "+.inf\n",
    ".Inf\n",
    ".INF\n",
    ".NaN\n",
    ".nan\n",
    ".NAN\n",
    "inf\n",
    "nan\n",
    "infinity\n",
    "-infinity\n",
    "NaN\n",
    "1e999\n",
    "-1e999\n",
    "007\n",
    "-007\n",
    "+007\n",
    "00\n",
    "0_7\n",
    "+1\n",
    "+-1\n",
    "-+1\n",
    "--1\n",
    "1_000\n",
    "1__000\n",
    "_1000\n",
    "1000_\n",
    "1_000.5\n",
    "9223372036854775807\n",
    "9223372036854775808\n",
    "18446744073709551615\n",
    "18446744073709551616\n",
    "-9223372036854775808\n",
    "-9223372036854775809\n",
    "340282366920938463463374607431768211456\n",
    "0xFFFFFFFFFFFFFFFF\n",
    "0x10000000000000000\n",
    "-0x8000000000000000\n",
    "-0x8000000000000001\n",
    "yes\n",
    "No\n",
    "y\n",
    "on\n",
    "OFF\n",
    "true\n",
    "True\n",
    "TRUE\n",
    "tRUE\n",
    "false\n",
    "False\n",
    "FALSE\n",
    "~\n",
    "null\n",
    "Null\n",
    "NULL\n",
    "nULL\n",
    "a:\nb: ~\nc: null\nd:\n",
    "a: ''\nb: \"\"\n",
    "a: '1'\nb: \"2\"\nc: 'true'\nd: \"null\"\ne: '~'\nf: \"0x1F\"\n",
    "a: \"1.5\"\nb: '.inf'\n",
    "a: multi\n  line\n  plain\nb: next\n",
    "a: 'single\n\n  quoted'\nb: \"double \\\n  escaped\\tx\\u00e9\"\n",
    "lit: |\n  a\n  b\n\nfold: >\n  a\n  b\n\n  c\nx: 1\n",
    "keep: |+\n  a\n\n\nstrip: |-\n  a\n\nclip: |\n  a\n\n",
    "fk: >+\n  a\n\nfs: >-\n  a\n  b\nind: |2\n    indented\n",
    "- |\n  in a list\n- >-\n  folded\n- end\n",
    "- {a: 1, b: [x, y]}\n- [1, {c: d}]\n- {}\n- []\n",
    "a: {b: {c: [1, 2, {d: e}]}}\n",
    "{a: 1, b: 2}\n",
    "[1, 2, 3]\n",
    "[a, b,\n  c]\n",
    "{a: 1,\n b: 2,\n}\n",
    "1: one\n2.5: two\ntrue: three\n~: four\n'5': five\n0x10: hex\n",
    "- a\n- - b\n  - c\n- d: e\n  f: g\n",
    "a:\n- 1\n- 2\nb:\n  - 3\n",
    "name: héllo wörld ✓\nemoji: 🚀\n\"ключ\": значение\n",
    "a:\tb\n",
    "a: b\t\n",
    "a: 'x\ty'\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  lit\r\n  more\r\n",
    "\u{feff}a: 1\nb: 2\n",
    "\u{feff}- x\n",
    "---\na: 1\n",
    "---\na: 1\n...\n",
    "--- \n- x\n",
    "# only a comment\n",
    "# c\na: 1 # trailing\n# between\nb: 2\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.2\n---\na: 1\n",
    "%TAG !e! tag:example.com,2000:\n---\na: 1\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "<<: {a: 1}\n",
    "'<<': 1\n",
    "a: !!str 1\n",
    "a: !!int '1'\n",
    "a: !custom x\n",
    "? complex\n: value\n",
    "? [a, b]\n: value\n",
    "{[a]: b}\n",
    "a: 1\na: 2\n",
    "a: [1, 2\nb: 3\n",
    "a: {b: 1\n",
    "a: 'unterminated\n",
    "a: \"bad \\q escape\"\n",
    "a:\n  b: 1\n c: 2\n",
    "- a\nb: 1\n",
    "a: b: c\n",
    "\tkey: value\n",
    "a: |\n  x\n y\n",
    "key: value\n  more: x\n",
    "a: @reserved\n",
    "a: `tick\n",
    "- - - - - - - - - - deep\n",
    "a: -\n",
    "a: - b\n",
    "- -1\n- - 2\n",
    "a: 12:30\n",
    "a: 2001-12-14\n",
    "a: 1,000\n",
    "a: 0.\n",
    "a: 1e\n",
    "a: 1.2.3\n",
    "a: 0x1.8p1\n",
    "a: +\n",
    "a: .\n",
    "a: ..\n",
    "a: -.\n",
    "a: e5\n",
    "a: http://example.com/x?y=1#frag\n",
    "a: x #comment\n",
    "a: x#nocomment\n",
    "a:    \n",
    "a",
    "a: 1",
    "   \n  a: 1\n",
    "\n\n\na: 1\n\n\n",
    "...\n",
    "---\n",
    "--- ~\n",
    "--- |\n  text\n",
    "- \n- ''\n-\n",
    "[a, , b]\n",
    "{a, b: }\n",
    "[a: 1, b]\n",
    "- ? a\n  : b\n",
    "a: [\n  1,\n  2\n]\n",
    "a[0]: x\n$.items[0].id: 1\nb{c}: d\n",
    "a#b: c\nd: e#f\ng: h #i\n",
    "a: 'x # y'\nb: \"z # w\"\n",
    "\"a\" : b\n",
    "a :b\n",
    "a : b\n",
    "- - a\n  - b\n- c\n",
    "- a: 1\n  b:\n    c: 2\n  d: [x]\n- e\n",
    "-   spaced: 1\n    next: 2\n",
    "- a\n  # comment\n- b\n",
    "a: b\n    # deeper comment\nc: d\n",
    "a:\n- b: 1\n  c: 2\n- d\n",
    "a:\n-\n  b: 1\n",
    "a:\n- - x\n",
    "a:\n  - b\n  -  c\n",
    "a:\n  -\n    b\n",
    "[a, \"b, c\", 'd']\n",
    "{a: http://x:1/y, b: c}\n",
    "- # comment\n  a: 1\n",
    "- a:\n  - x\n  b: 1\n",
    "- a\n-x: 1\n",
    "- a: 1\n - b\n",
    "- a: 1\n    b: 2\n",
    "a: \"x\" # c \"y\"\n",
    "a: \"x\" \"y\"\n",
    "a: \u{a0}\nb: x\u{a0}\n\u{a0}c: d\n",
    "a: b !c &d *e\n",
    "a: b[0]{x}\n",
    "a: -]\n",
    "a: ?]\n",
    "a: :]\n",
    "a: -,\n",
    "a: \"x\\ny\\t\\\"q\\\" \\\\ \\/ \\u00e9 \\x41 \\U0001F680 \\u009f \\N \\_ \\L \\P \\e \\0 \\a \\b \\v \\f \\r \\ z\"\n",
    "a: \"\\ud800\"\n",
    "a: \"\\q\"\n",
    "a: \"\\x4\"\n",
    "a: \"x\\\"\n",
    "a: [\"\\\"\", \"b\\\\\"]\n",
    "\"k\\ty\": 1\n",
    "[http://x:1, b]\n",
    "{a:b: c}\n",
    "[a:b]\n",
    "{a: b:c}\n",
    "{a: b:}\n",
    "{a: b:, c: d}\n",
    "[a:, b]\n",
    "[a:]\n",
    "{a: b :c}\n",
    "{a:: b}\n",
    "{a: [1, 2], b: {c: d}, \"e\": 'f'}\n",
    "[ ]\n",
    "{ }\n",
    "[a,b]\n",
    "{a: 1,b: 2}\n",
    "{a:1}\n",
    "{a: 1 , b: 2 }\n",
    "[-1, -x, - x]\n",
    "[a: 1]\n",
    "[a, b]: c\n",
    "{a: b} # comment\n",
    "{a: b}#c\n",
    "a: {b: c} d\n",
    "a: 'it''s'\n",
    "a: \"x\\\"y\"\n",
    "a: \"\"\nb: ''\n",
    "a: value # comment with: colon\n",
    "a: b: c\n",
    "-a: 1\n",
    ":a: 1\n",
    "? a\n",
    "a: %x\n",
    "a: @x\n",
    "a: ,x\n",
    "a: x,y\n",
    "a: [x,y]z\n",
    "a: x]\n",
    "a: -x\n",
    "a: -\n",
    "a: ?x\n",
    "a: :x\n",
    "a: x:\n",
    "a: x: \n",
    "a: b\n  c\n",
    "a: b\nc\n",
    "a:\n  b: 1\n   c: 2\n",
    "a:\n   b: 1\n  c: 2\n",
    "  a: 1\n  b: 2\n",
    "  a: 1\nb: 2\n",
    "a: 1\n  \n\n  # x\nb: 2",
    "a:   1   \nb:    'x'   # c\n",
    "ключ: значение\n\"κλειδί\": 'τιμή'\n- x\n",
    "emoji: 🚀 rocket\nnbsp: a\u{a0}b\n",
    "a: \u{85}x\n",
    "a: x\u{2028}y\n",
    "a: x\u{feff}y\n",
    "a: x\u{7f}y\n",
    "a: \u{1}\n",
    "- 1\n- -2\n- 0x1F\n- 1e3\n- .5\n- 007\n- yes\n- ~\n- null\n- true\n- 1_000\n- .inf\n- +1\n",
    "[1, -2, 0x1F, 1e3, .5, 007, yes, ~, null, True, 1_000]\n",
    "{1: a, 2.5: b, true: c, ~: d, null: e}\n",
    "<<: x\n",
    "{<<: x}\n",
    "a: &x b\n",
    "a: *x\n",
    "a: !t b\n",
    "a: |\n  b\n",
    "a: >\n  b\n",
    "a:\n",
    "a:\nb: 1\n",
    "- \n",
    "a: [\n  1]\n",
    "a: \"x\n  y\"\n",
    "a: 'x\n  y'\n",
    "---a: 1\n",
    "a: 1\n--- \n",
    "a: 1\n...\n",
    "%a: 1\n",
    "a:\n  - b:\n      c: |\n        deep\n      d: >\n        folded\n",
];

#[test]
fn agrees_with_serde_on_tricky_documents() {
    with_big_stack(tricky_documents);
}

#[test]
fn agrees_with_serde_near_the_depth_limit() {
    with_big_stack(|| {
        for depth in [40, 47, 48, 49, 50, 58, 59, 60, 61, 62, 63, 64, 65, 66, 70] {
            let block: String = (0..depth)
                .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                .collect();
            check(
                &format!("block depth {depth}"),
                &format!("{block}{}x\n", "  ".repeat(depth)),
            );
            let flow = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            check(&format!("flow depth {depth}"), &flow);
            let seq: String = (0..depth)
                .map(|i| format!("{}-\n", "  ".repeat(i)))
                .collect();
            check(
                &format!("seq depth {depth}"),
                &format!("{seq}{}x\n", "  ".repeat(depth)),
            );
        }
    });
}

fn tricky_documents() {
    let mut fast = 0;
    for (i, text) in TRICKY.iter().enumerate() {
        fast += usize::from(check(&format!("tricky #{i}"), text));
    }
    for len in [1000, 1100, 2000, 5000] {
        let long = "x".repeat(len);
        for text in [
            format!("- {long}\n"),
            format!("a: {long}\n"),
            format!("a: [{long}]\n"),
            format!("a: '{long}'\n"),
            format!("a: \"{long}\"\n"),
            format!("- '{long}'\n"),
            format!("a: {{k: {long}}}\n"),
            format!("a: [{}]\n", vec!["xy"; len / 3].join(", ")),
            format!("- b {long}: c\n"),
        ] {
            check(&format!("long value of {len}"), &text);
        }
    }
    for len in [500, 511, 512, 513, 1000, 1023, 1024, 1025, 1100] {
        let key = "k".repeat(len);
        check(&format!("key of {len}"), &format!("{key}: v\n- x\n"));
        check(&format!("key of {len}"), &format!("{key}: v\nb: 1\n"));
        check(&format!("flow key of {len}"), &format!("{{{key}: v}}\n"));
    }
    eprintln!(
        "fast reader took {fast} of {} tricky documents (line reader: {})",
        TRICKY.len(),
        LINE_READER.load(std::sync::atomic::Ordering::Relaxed)
    );
    assert!(
        fast > TRICKY.len() / 2,
        "only {fast} of {} were read fast",
        TRICKY.len()
    );
    // The same documents nested one level down, and with CRLF line endings.
    for (i, text) in TRICKY.iter().enumerate() {
        let nested: String = text
            .lines()
            .map(|line| format!("  {line}\n"))
            .collect::<String>();
        check(&format!("nested #{i}"), &format!("root:\n{nested}"));
        check(&format!("crlf #{i}"), &text.replace('\n', "\r\n"));
        check(&format!("in flow #{i}"), &format!("[{}]", text.trim_end()));
        if text.trim_end().lines().count() == 1 {
            let line = text.trim_end();
            check(&format!("as value #{i}"), &format!("k: {line}\n"));
            check(
                &format!("as item #{i}"),
                &format!("- {line}\n- {line} # c\n"),
            );
            check(
                &format!("in flow value #{i}"),
                &format!("k: [{line}, {{x: {line}}}]\n"),
            );
            check(&format!("as key #{i}"), &format!("{line}: v\n"));
        }
    }
}

fn fast_kind(text: &str) -> NodeKind {
    let node = fast::parse(text).unwrap_or_else(|| panic!("fell back on {text:?}"));
    assert_eq!(format!("{node:?}"), outcome(&parse_with_serde(text)));
    node.kind
}

#[test]
fn resolves_nulls() {
    for text in ["~", "null", "Null", "NULL", "a:"] {
        let kind = fast_kind(text);
        match kind {
            NodeKind::Null => {}
            NodeKind::Map(entries) => assert!(entries[0].1.is_null()),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn resolves_booleans_strictly() {
    assert_eq!(fast_kind("true"), NodeKind::Bool(true));
    assert_eq!(fast_kind("True"), NodeKind::Bool(true));
    assert_eq!(fast_kind("FALSE"), NodeKind::Bool(false));
    assert_eq!(fast_kind("yes"), NodeKind::Str("yes".into()));
    assert_eq!(fast_kind("No"), NodeKind::Str("No".into()));
}

#[test]
fn resolves_integers() {
    assert_eq!(fast_kind("42"), NodeKind::Int(42));
    assert_eq!(fast_kind("+1"), NodeKind::Int(1));
    assert_eq!(fast_kind("-17"), NodeKind::Int(-17));
    assert_eq!(fast_kind("0x1F"), NodeKind::Int(31));
    assert_eq!(fast_kind("-0o7"), NodeKind::Int(-7));
    assert_eq!(fast_kind("0b11"), NodeKind::Int(3));
    assert_eq!(fast_kind("1_000"), NodeKind::Int(1000));
    assert_eq!(fast_kind("007"), NodeKind::Str("007".into()));
}

#[test]
fn resolves_floats() {
    assert_eq!(fast_kind("1e3"), NodeKind::Float(1000.0));
    assert_eq!(fast_kind(".5"), NodeKind::Float(0.5));
    assert_eq!(fast_kind("-2.25"), NodeKind::Float(-2.25));
    assert_eq!(
        fast_kind("18446744073709551616"),
        NodeKind::Float(18_446_744_073_709_551_616.0)
    );
    // Non-finite values are left to serde-saphyr.
    assert!(fast::parse(".inf").is_none());
    assert!(fast::parse("-.inf").is_none());
    assert!(fast::parse(".NaN").is_none());
}

#[test]
fn resolves_strings() {
    assert_eq!(fast_kind("'1'"), NodeKind::Str("1".into()));
    assert_eq!(fast_kind("\"true\""), NodeKind::Str("true".into()));
    assert_eq!(fast_kind("nan"), NodeKind::Str("nan".into()));
    assert_eq!(fast_kind("|\n  x\n"), NodeKind::Str("x\n".into()));
    assert_eq!(fast_kind(">-\n  a\n  b\n"), NodeKind::Str("a b".into()));
}

#[test]
fn keeps_the_positions_serde_gives() {
    let node = fast::parse("a: 1\nb:\n  - x\n  - {c: 'q'}\nd: |\n  t\n").unwrap();
    let NodeKind::Map(entries) = &node.kind else {
        panic!()
    };
    assert_eq!(entries[0].0.span, Span::new(1, 1));
    assert_eq!(entries[0].1.span, Span::new(1, 4));
    assert_eq!(
        format!("{node:?}"),
        outcome(&parse_with_serde(
            "a: 1\nb:\n  - x\n  - {c: 'q'}\nd: |\n  t\n"
        ))
    );
}

#[test]
fn falls_back_on_what_it_does_not_handle() {
    for text in [
        "a: &x 1\nb: *x\n",
        "<<: {a: 1}\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "? [a]\n: b\n",
        "a: [1\n",
        "# just a comment\n",
    ] {
        assert!(fast::parse(text).is_none(), "{text:?}");
    }
}

/// `cargo test --release --lib bench_node_parse -- --ignored --nocapture`: both readers on
/// an ordinary scenario.
#[test]
#[ignore = "a measurement, not a test"]
fn bench_node_parse() {
    let path = std::env::var("NODE_BENCH_FILE").map_or_else(
        |_| repository_root().join("examples/04-bodies.yaml"),
        PathBuf::from,
    );
    let text = std::fs::read_to_string(path).unwrap();
    let rounds = 2000;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(parse_with_serde(std::hint::black_box(&text)).unwrap());
    }
    let serde = start.elapsed() / rounds;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(fast::parse(std::hint::black_box(&text)).unwrap());
    }
    let fast = start.elapsed() / rounds;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(fast::from_events(std::hint::black_box(&text)).unwrap());
    }
    let events = start.elapsed() / rounds;
    eprintln!("event reader alone {events:?} per parse");
    eprintln!(
        "{} bytes: serde-saphyr {serde:?}, fast {fast:?} per parse ({:.1}x)",
        text.len(),
        serde.as_secs_f64() / fast.as_secs_f64()
    );
}

/// Small random edits of real scenario files (a deterministic generator): whatever the
/// readers make of them must be what serde-saphyr makes of them.
#[test]
fn agrees_with_serde_on_mutated_files() {
    const PIECES: &[&str] = &[
        " ", ":", ": ", "#", " #", "-", "- ", "\"", "'", "\\", "[", "]", "{", "}", ",", "\n",
        "\n  ", "\n- ", "|", ">", "&a ", "*a", "!t ", "? ", "~", "0x", "1e3", ".5", "é", "\t",
        "\r\n", "''", "<<: ",
    ];
    with_big_stack(|| {
        let root = repository_root();
        let mut files = Vec::new();
        yaml_files(&root.join("examples"), &mut files);
        yaml_files(&root.join("scenarios"), &mut files);
        files.sort();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap_or(0)
        };
        for file in files.iter().filter(|f| !f.ends_with("sonde.yaml")) {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            for round in 0..60 {
                let mut doc = text.clone();
                for _ in 0..=round % 3 {
                    let mut at = next(doc.len() + 1);
                    while !doc.is_char_boundary(at) {
                        at -= 1;
                    }
                    if next(4) == 0 {
                        let mut end = (at + 1 + next(3)).min(doc.len());
                        while !doc.is_char_boundary(end) {
                            end += 1;
                        }
                        doc.replace_range(at..end, "");
                    } else {
                        doc.insert_str(at, PIECES[next(PIECES.len())]);
                    }
                }
                check(&format!("{} mutation {round}", file.display()), &doc);
            }
        }
    });
}

/// The workspace's root: the examples, scenarios and fixtures these tests read live there.
fn repository_root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}
