//! Unit tests of [`super`].

use super::*;

#[test]
fn names() {
    assert!(is_name("hello"));
    assert!(is_name("smart-band2"));
    assert!(!is_name("Hello"));
    assert!(!is_name("2fast"));
    assert!(!is_name("build"));
    assert!(!is_name("deps"));
    assert!(!is_name(&"a".repeat(NAME_MAX + 1)));
    assert!(is_name(&"a".repeat(NAME_MAX)));
    assert_eq!(suggest_name("My Band"), "my-band");
    assert_eq!(suggest_name("build"), "my-build");
}

/// Validation reads nothing: a device whose directory does not exist
/// validates from what was loaded, and every mistake comes back at once.
#[test]
fn validation_is_a_function_of_what_was_loaded() {
    let board = Board::from_file(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../boards/qemu-mps2-an385.toml")).unwrap();
    let source = Source {
        path: "/nonexistent/device.toml".into(),
        text: "[device]\nname = \"t\"\n[threads.a]\nentry = \"main\"\npriority = 1\nstack = 1024\n[threads.b]\nentry = \"mian\"\npriority = 0\nstack = 100\n".into(),
    };
    let (raw, parse_errors) = crate::load::parse_device(&source);
    let mut api = crate::app_scan::AppApi::default();
    api.items.insert("main".into(), crate::app_scan::Item::Entry);
    let loaded = Loaded {
        dir: "/nonexistent".into(),
        raw,
        parse_errors,
        board: Some(Ok(board)),
        board_from_flag: false,
        chip: None,
        app: Ok(crate::load::AppCrate { dir: "/nonexistent/app".into(), package: "t-app".into(), package_at: None, dependencies: Vec::new(), api: Ok(api), feature_requests: Vec::new(), foreign: Vec::new() }),
        c: None,
        driver_c: Vec::new(),
        model_files: Vec::new(),
        known_boards: Vec::new(),
        source,
    };
    let (device, diagnostics) = check(&loaded);
    let device = device.unwrap();
    assert_eq!(device.threads.len(), 1);
    let lines: Vec<usize> = diagnostics.iter().map(|d| d.location.as_ref().unwrap().line).collect();
    assert_eq!(lines, [8, 9, 10], "{}", crate::diag::render(&diagnostics));
}

#[test]
fn entries() {
    assert!(entry_problem("main", None, &THREAD_ENTRY).is_none());
    assert!(entry_problem("sensors::poll", None, &THREAD_ENTRY).is_none());
    for bad in ["fn", "crate::main", "self::main", "super::x", "a::_", "loop", "my main", ""] {
        assert!(entry_problem(bad, None, &THREAD_ENTRY).is_some(), "{bad}");
    }
}
