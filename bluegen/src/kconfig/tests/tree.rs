//! Parsing: sources, locations, parse errors, merged definitions.

use super::*;

#[test]
fn locations_of_symbols_and_choices() {
    let t = fixture();
    let at = |n: &str| t.sym(n).unwrap().defined_at.replace(&fixture_dir().display().to_string(), "[FIXTURE]");
    assert_eq!(at("CONSOLE"), "[FIXTURE]/Kconfig:6");
    assert_eq!(at("SCHEDULER"), "[FIXTURE]/Kconfig:33", "menuconfig");
    assert_eq!(at("UART_BAUD"), "[FIXTURE]/sub/Kconfig:3");
    assert_eq!(at("BOARD_LED_PIN"), "[FIXTURE]/board/Kconfig.pins:1");
    let choices: Vec<String> =
        t.choices.iter().map(|c| c.defined_at.replace(&fixture_dir().display().to_string(), "[FIXTURE]")).collect();
    assert_eq!(choices, ["[FIXTURE]/Kconfig:61", "[FIXTURE]/Kconfig:76", "[FIXTURE]/Kconfig:120"]);
}

#[test]
fn help_texts_keep_their_inner_indentation() {
    let (_d, t) = tree("config A\n\tbool \"a\"\n\thelp\n\t  First line.\n\t    Indented.\n\n\t  Second paragraph.\n");
    assert_eq!(t.sym("A").unwrap().help.as_deref(), Some("First line.\n  Indented.\n\nSecond paragraph."));
}

#[test]
fn source_is_relative_to_the_component_and_rsource_to_the_file() {
    let (_d, t) = files(&[
        ("Kconfig", "source \"a/Kconfig\"\nosource \"missing/Kconfig\"\n"),
        ("a/Kconfig", "config A\n\tbool \"a\"\nsource \"b/Kconfig\"\nrsource \"c/Kconfig\"\n"),
        ("b/Kconfig", "config B\n\tbool \"b\"\n"),
        ("a/c/Kconfig", "config C\n\tbool \"c\"\n"),
    ]);
    let t = t.unwrap();
    let at: Vec<&str> = ["A", "B", "C"].iter().map(|n| t.sym(n).unwrap().defined_at.as_str()).collect();
    assert_eq!(at, ["components/c/a/Kconfig:1", "components/c/b/Kconfig:1", "components/c/a/c/Kconfig:1"]);
}

#[test]
fn a_missing_source_is_an_error() {
    let (_d, t) = files(&[("Kconfig", "config A\n\tbool \"a\"\n\nsource \"drivers/Kconfig\"\n")]);
    insta::assert_snapshot!(render(&t.unwrap_err().diagnostics), @r#"
        error: the Kconfig file of component `c` sources a missing file
         --> components/c/Kconfig:4:1
          = value: drivers/Kconfig
          = why: there is no components/c/drivers/Kconfig
          = hint: `source` paths are relative to the component's directory; `osource` may name a missing file
    "#);
}

#[test]
fn parse_errors_name_the_file_line_and_column() {
    let (_d, t) = files(&[("Kconfig", "config A\n\tbool \"a\"\n\nconfig\n")]);
    insta::assert_snapshot!(render(&t.unwrap_err().diagnostics), @r#"
        error: cannot parse the Kconfig file of component `c`
         --> components/c/Kconfig:4:1
          |
        4 | config
          | ^^^^^^
          = why: the parser stopped at `config`: an unknown keyword, a missing name or a malformed expression
          = note: bluegen reads the Linux Kconfig language: config, menuconfig, choice, menu, if, comment, source
    "#);
    let (_d, t) = files(&[
        ("Kconfig", "config A\n\tbool \"a\"\n\nsource \"sub/Kconfig\"\n"),
        ("sub/Kconfig", "config B\n\tbool \"b\"\n\tdepends on\n"),
    ]);
    insta::assert_snapshot!(render(&t.unwrap_err().diagnostics), @r#"
        error: cannot parse the Kconfig file of component `c`
         --> components/c/sub/Kconfig:3:2
          |
        3 | 	depends on
          | 	^^^^^^^
          = why: the parser stopped at `depends`: an unknown keyword, a missing name or a malformed expression
          = note: bluegen reads the Linux Kconfig language: config, menuconfig, choice, menu, if, comment, source
    "#);
}

#[test]
fn a_source_outside_the_component_is_an_error() {
    let (_d, t) =
        files(&[("Kconfig", "source \"../other/Kconfig\"\n"), ("../other/Kconfig", "config X\n\tbool \"x\"\n")]);
    insta::assert_snapshot!(render(&t.unwrap_err().diagnostics), @r#"
        error: cannot parse the Kconfig file of component `c`
         --> components/c/Kconfig:1:1
          |
        1 | source "../other/Kconfig"
          | ^^^^^^
          = why: a sourced file must lie inside the component's directory
          = note: bluegen reads the Linux Kconfig language: config, menuconfig, choice, menu, if, comment, source
    "#);
}

#[test]
fn configdefault_adds_defaults() {
    let (_d, t) =
        tree("config A\n\tint \"a\"\n\tdefault 1 if B\nconfigdefault A\n\tdefault 5\nconfig B\n\tbool \"b\"\n");
    assert_eq!(resolve(&t, &[]).unwrap().get("A").unwrap().value, Some(Value::Int(5)));
    assert_eq!(resolve(&t, &user(&[("b", b(true))])).unwrap().get("A").unwrap().value, Some(Value::Int(1)));
}

#[test]
fn choice_with_type_prompt_and_conditions() {
    let (_d, t) = tree(
        "config FAST\n\tbool \"fast\"\nchoice\n\tbool \"Mode\"\n\tdefault B if FAST\n\tdefault A\nconfig A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\nendchoice\n",
    );
    assert_eq!(t.choices[0].prompt.as_deref(), Some("Mode"));
    assert_eq!(t.choices[0].defined_at, "components/c/Kconfig:3");
    let c = resolve(&t, &[]).unwrap();
    assert!(on(&c, "A") && !on(&c, "B"));
    let c = resolve(&t, &user(&[("fast", b(true))])).unwrap();
    assert!(on(&c, "B") && !on(&c, "A"));
}

/// A file that sources itself, or a cycle of files, is an error at the
/// `source` that closes it (nom-kconfig would recurse until the stack
/// overflows: the fuzz test found it).
#[test]
fn a_source_cycle_is_an_error_not_a_stack_overflow() {
    let (_d, t) = files(&[("Kconfig", "config A\n\tbool \"a\"\nsource \"Kconfig\"\n")]);
    let err = crate::diag::render(&t.unwrap_err().diagnostics);
    assert!(err.contains("source each other in a cycle") && err.contains("Kconfig:3:1"), "{err}");
    let (_d, t) = files(&[("Kconfig", "source \"sub/Kconfig\"\n"), ("sub/Kconfig", "config B\n\tbool \"b\"\nrsource \"../Kconfig\"\n")]);
    let err = crate::diag::render(&t.unwrap_err().diagnostics);
    assert!(err.contains("source each other in a cycle") && err.contains("sub/Kconfig:3:1"), "{err}");
}
