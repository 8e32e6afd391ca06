//! Unit tests of the device.toml walker.

use super::*;

fn src(text: &str) -> Source {
    Source { path: "device.toml".into(), text: text.into() }
}

#[test]
fn unknown_key_names_its_table_and_the_closest() {
    let (_, errors) = parse_device(&src("[device]\nname = \"x\"\nbaord = \"y\"\n"));
    let text = crate::diag::render(&errors);
    assert!(text.contains("device.toml:3:1"), "{text}");
    assert!(text.contains("unknown key `device.baord`"), "{text}");
    assert!(text.contains("did you mean `board`?"), "{text}");
}

#[test]
fn threads_and_features_keep_spans_and_file_order() {
    let (raw, errors) = parse_device(&src(
        "[device]\nname = \"x\"\n[features]\nconsole = true\n[threads.zeta]\nentry = \"main\"\npriority = 1\nstack = \"1K\"\n[threads.alpha]\nentry = \"main\"\npriority = 1\nstack = 512\n",
    ));
    assert!(errors.is_empty(), "{errors:?}");
    let (key, _) = raw.features.first().unwrap();
    assert_eq!(key.span(), 31..38);
    let names: Vec<_> = raw.threads.iter().map(|(n, _)| n.get_ref().as_str()).collect();
    assert_eq!(names, ["zeta", "alpha"]);
}

#[test]
fn data_file_messages_name_no_rust_types() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct RawBoard {
        x: u32,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct File {
        board: RawBoard,
    }
            use crate::schema::{Kind, Schema, opt};
    const ANY: Schema = &[opt("board", Kind::AnyTable)];
    // Past the schema (a table of any keys), serde's own message.
    let err = parse::<File>(&src("[board]\ny = 1\n"), "board", ANY).unwrap_err();
    let text = crate::diag::render(&err.diagnostics);
    assert!(!text.contains("RawBoard") && text.contains("missing field `x`"), "{text}");
    // The schema's.
    let err = parse::<File>(&src("board = \"x\"\n"), "board", ANY).unwrap_err();
    let text = crate::diag::render(&err.diagnostics);
    assert!(!text.contains("RawBoard") && text.contains("is a table, not a string"), "{text}");
}

/// A value the parser recovered from is an error, not a panic later.
#[test]
fn a_broken_value_is_an_error() {
    let (raw, errors) = parse_device(&src("[device]
name = \"x\"
[features]
a = 30-F
"));
    assert!(raw.features.is_empty());
    assert!(crate::diag::render(&errors).contains("device.toml:4:"), "{errors:?}");
}
