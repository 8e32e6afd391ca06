//! Typed constants for the generated `config.rs`.

use super::*;

fn constant(c: &Config, name: &str) -> (String, String) {
    let k = c.constants().into_iter().find(|k| k.name == name).unwrap_or_else(|| panic!("no {name}"));
    (k.rust_type, k.value)
}

fn pair(t: &str, v: &str) -> (String, String) {
    (t.to_string(), v.to_string())
}

#[test]
fn types_follow_the_kconfig_file() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert_eq!(constant(&c, "TICK_HZ"), pair("u32", "1000"));
    assert_eq!(constant(&c, "CLOCK_OFFSET"), pair("i32", "-5"), "range -100 100");
    assert_eq!(constant(&c, "CYCLE_BUDGET"), pair("u64", "5000000000"));
    assert_eq!(constant(&c, "STACK_BASE"), pair("usize", "0x20001000"));
    assert_eq!(constant(&c, "BANNER_TEXT"), pair("&str", "\"bluegen\""));
    assert_eq!(constant(&c, "CONSOLE"), pair("bool", "true"));
    // Symbols without a value: false, 0, "".
    assert_eq!(constant(&c, "NET_NAME"), pair("&str", "\"\""));
    assert_eq!(constant(&c, "NET_MTU"), pair("u32", "0"));
    let k = c.constants().into_iter().find(|k| k.name == "CONSOLE").unwrap();
    assert_eq!(k.help, "Print to the board's console.");
    let k = c.constants().into_iter().find(|k| k.name == "TICK_HZ").unwrap();
    assert_eq!(k.help, "Tick rate (Hz)", "the prompt when there is no help");
}

#[test]
fn the_type_does_not_follow_the_users_value() {
    let (_d, t) = tree(
        "config A\n\tint \"a\"\n\tdefault -1\nconfig B\n\tint \"b\"\n\tdefault 1\nconfig C\n\tint \"c\"\n\trange 0 0x1FFFFFFFF\n",
    );
    let c = resolve(&t, &user(&[("a", i(5)), ("b", i(-3)), ("c", i(1))])).unwrap();
    assert_eq!(constant(&c, "A"), pair("i32", "5"), "a default may be negative");
    assert_eq!(constant(&c, "B"), pair("i32", "-3"), "a negative value needs a signed type");
    assert_eq!(constant(&c, "C"), pair("u64", "1"), "the range needs 64 bits");
}

#[test]
fn strings_are_escaped() {
    let (_d, t) = tree("config S\n\tstring \"s\"\n");
    let c = resolve(&t, &user(&[("s", s("a \"quoted\" \\ line\nend\u{7}"))])).unwrap();
    assert_eq!(constant(&c, "S").1, r#""a \"quoted\" \\ line\nend\u{7}""#);
}
