//! Evaluation: defaults, visibility, select, imply, choices, ranges.

use super::*;

#[test]
fn defaults_menus_and_if_blocks() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert!(on(&c, "CONSOLE"));
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(1)));
    assert_eq!(val(&c, "TICK_HZ"), Some(Value::Int(1000)));
    assert_eq!(c.get("TICK_HZ").unwrap().depends_on.as_deref(), Some("SCHEDULER"));
    assert_eq!(c.get("SOFT_TIMERS").unwrap().menu, ["Kernel", "Timers"]);
    assert_eq!(c.get("UART_BAUD").unwrap().menu, ["Drivers"]);
    assert_eq!(val(&c, "STACK_BASE"), Some(Value::Hex(0x2000_1000)));
    assert_eq!(val(&c, "BANNER_TEXT"), Some(Value::Str("bluegen".into())));
    assert_eq!(c.get("CONSOLE").unwrap().set_by, SetBy::Default);
    assert_eq!(c.get("CONSOLE").unwrap().help.as_deref(), Some("Print to the board's console."));
    assert_eq!(c.get("CONSOLE").unwrap().prompt.as_deref(), Some("Console output"));
    assert_eq!(c.get("CONSOLE").unwrap().key, "console");
    // No default: off, and its `if NET` block has no value at all.
    assert!(!on(&c, "NET"));
    assert_eq!(val(&c, "NET_NAME"), None);
    assert_eq!(c.get("NET_MTU").unwrap().depends_on.as_deref(), Some("NET"));
    assert_eq!(c.get("NET").unwrap().depends_on.as_deref(), Some("SCHEDULER && !HEAP_NONE"));
    assert_eq!(val(&c, "CLOCK_OFFSET"), Some(Value::Int(-5)));
    assert_eq!(val(&c, "UART_FIFO_DEPTH"), Some(Value::Int(16)));
    assert_eq!(c.get("UART_FIFO_DEPTH").unwrap().defined_at, format!("{}/sub/Kconfig.fifo:1", fixture_dir().display()));
}

#[test]
fn symbols_keep_kconfig_order_and_components() {
    let c = resolve(&fixture(), &[]).unwrap();
    let names: Vec<&str> = c.symbols.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(&names[..4], ["CONSOLE", "LOG_LEVEL", "DEBUG", "ASSERTS"]);
    assert_eq!(&names[names.len() - 2..], ["BOARD_LED", "BOARD_LED_PIN"]);
    assert_eq!(c.features_of("board"), ["board-led"]);
    let kernel = c.features_of("kernel");
    assert!(kernel.contains(&"console".to_string()) && !kernel.contains(&"board-led".to_string()), "{kernel:?}");
    // A dependency across components.
    let c = resolve(&fixture(), &user(&[("console", b(false))])).unwrap();
    assert!(c.features_of("board").is_empty());
    assert_eq!(val(&c, "BOARD_LED_PIN"), None);
}

#[test]
fn conditional_default_select_and_imply() {
    let c = resolve(&fixture(), &user(&[("debug", b(true))])).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(3)));
    assert!(on(&c, "ASSERTS"));
    assert_eq!(c.get("ASSERTS").unwrap().set_by, SetBy::Select("DEBUG".into()));
    assert!(on(&c, "STATS"));
    assert_eq!(c.get("STATS").unwrap().set_by, SetBy::Imply("DEBUG".into()));
    // An implied symbol can still be turned off.
    let c = resolve(&fixture(), &user(&[("debug", b(true)), ("stats", b(false))])).unwrap();
    assert!(!on(&c, "STATS"));
    assert_eq!(c.selects_of("DEBUG"), ["ASSERTS"]);
}

#[test]
fn select_and_imply_with_conditions() {
    // NET selects STATS if LOG_LEVEL >= 2, implies TRACE_HOOKS if DEBUG.
    let c = resolve(&fixture(), &user(&[("net", b(true))])).unwrap();
    assert!(on(&c, "NET"));
    assert!(!on(&c, "STATS") && !on(&c, "TRACE_HOOKS"));
    assert_eq!(val(&c, "NET_NAME"), Some(Value::Str("bluegen".into())));
    let c = resolve(&fixture(), &user(&[("net", b(true)), ("log-level", i(2))])).unwrap();
    assert_eq!(c.get("STATS").unwrap().set_by, SetBy::Select("NET".into()));
    let c = resolve(&fixture(), &user(&[("net", b(true)), ("debug", b(true))])).unwrap();
    // A select wins over an imply of the same symbol.
    assert_eq!(c.get("STATS").unwrap().set_by, SetBy::Select("NET".into()));
    assert_eq!(c.get("TRACE_HOOKS").unwrap().set_by, SetBy::Imply("NET".into()));
    assert_eq!(val(&c, "NET_NAME"), Some(Value::Str("bluegen-dev".into())));
}

#[test]
fn select_against_unmet_dependencies_warns() {
    let (_d, t) =
        tree("config A\n\tbool \"a\"\n\tselect B\nconfig B\n\tbool \"b\"\n\tdepends on C\nconfig C\n\tbool \"c\"\n");
    let c = resolve(&t, &user(&[("a", b(true))])).unwrap();
    assert!(on(&c, "B"), "a select forces the symbol on");
    insta::assert_snapshot!(render(&c.warnings), @r"
    warning: A selects B, whose dependencies are unmet
      = why: B depends on `C`, which is false; a select turns it on all the same
      = note: A declared at components/c/Kconfig:1
      = note: B declared at components/c/Kconfig:4
    ");
}

#[test]
fn unmet_dependencies_turn_symbols_off() {
    let c = resolve(&fixture(), &user(&[("scheduler", b(false))])).unwrap();
    assert_eq!(val(&c, "TICK_HZ"), None);
    assert!(!on(&c, "SOFT_TIMERS"));
    let c = resolve(&fixture(), &user(&[("console", b(false))])).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), None);
    // `CONSOLE && !DEBUG || STATS`.
    assert_eq!(val(&c, "UART_BAUD"), None);
    assert_eq!(val(&c, "UART_FIFO_DEPTH"), None, "depends on UART_BAUD > 9600");
    let c = resolve(&fixture(), &user(&[("console", b(false)), ("debug", b(true))])).unwrap();
    assert_eq!(val(&c, "UART_BAUD"), None, "STATS is implied but depends on CONSOLE");
    let c = resolve(&fixture(), &user(&[("uart-baud", i(9600))])).unwrap();
    assert_eq!(val(&c, "UART_FIFO_DEPTH"), None);
}

#[test]
fn turning_off_a_hidden_symbol_is_fine() {
    let c = resolve(&fixture(), &user(&[("console", b(false)), ("stats", b(false))])).unwrap();
    assert!(!on(&c, "STATS"));
}

#[test]
fn conditional_ranges_and_clamping() {
    let c = resolve(&fixture(), &user(&[("time-slice", i(50))])).unwrap();
    assert_eq!(val(&c, "TIME_SLICE"), Some(Value::Int(50)));
    assert_eq!(c.get("TIME_SLICE").unwrap().range, Some((1, 100)));
    let text = errors(&fixture(), &user(&[("tick-hz", i(500)), ("time-slice", i(50))]));
    assert!(text.contains("TIME_SLICE must be between 1 and 10 (range 1 10)"), "{text}");
    // A default outside the range in force is clamped into it.
    let (_d, t) =
        tree("config A\n\tint \"a\"\n\trange 5 9\n\tdefault 20\nconfig B\n\tint \"b\"\n\trange 1 A\n\tdefault 100\n");
    let c = resolve(&t, &[]).unwrap();
    assert_eq!((val(&c, "A"), val(&c, "B")), (Some(Value::Int(9)), Some(Value::Int(9))), "range bound from a symbol");
}

#[test]
fn hex_ranges_with_and_without_0x() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert_eq!(val(&c, "HEAP_SIZE"), Some(Value::Hex(0x2000)));
    assert_eq!(c.get("HEAP_SIZE").unwrap().range, Some((0x400, 0x10000)));
    // STACK_BASE high: the second range, `range 400 4000`, is hex as well.
    let c = resolve(&fixture(), &user(&[("stack-base", s("0x20030000"))])).unwrap();
    assert_eq!(c.get("HEAP_SIZE").unwrap().range, Some((0x400, 0x4000)));
    let text = errors(&fixture(), &user(&[("stack-base", s("0x20030000")), ("heap-size", s("0x8000"))]));
    assert!(text.contains("HEAP_SIZE must be between 0x400 and 0x4000"), "{text}");
}

#[test]
fn hex_values_from_strings_and_integers() {
    let c = resolve(&fixture(), &user(&[("stack-base", s("0x20002000"))])).unwrap();
    assert_eq!(val(&c, "STACK_BASE"), Some(Value::Hex(0x2000_2000)));
    let c = resolve(&fixture(), &user(&[("stack-base", i(0x2000_3000))])).unwrap();
    assert_eq!(val(&c, "STACK_BASE"), Some(Value::Hex(0x2000_3000)));
}

#[test]
fn menu_visible_if_hides_prompts() {
    let text = errors(&fixture(), &user(&[("tick-hz", i(50)), ("soft-timers", b(true))]));
    assert!(text.contains("`soft-timers` cannot be set: its dependencies are unmet"), "{text}");
    assert!(text.contains("SOFT_TIMERS can be set only if `TICK_HZ > 100`"), "{text}");
    assert!(text.contains("set `tick-hz = 101`"), "{text}");
    let c = resolve(&fixture(), &user(&[("tick-hz", i(500)), ("soft-timers", b(true))])).unwrap();
    assert!(on(&c, "SOFT_TIMERS"));
}

#[test]
fn menu_depends_on_is_inherited() {
    let c = resolve(&fixture(), &user(&[("heap-none", b(true))])).unwrap();
    assert_eq!(val(&c, "HEAP_SIZE"), None);
    assert!(!on(&c, "HEAP_AFTER_BSS") && !on(&c, "HEAP_END_OF_RAM"), "a choice inside the menu is off too");
    assert_eq!(c.get("HEAP_SIZE").unwrap().depends_on.as_deref(), Some("!HEAP_NONE"));
}

#[test]
fn choices() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert!(on(&c, "HEAP_TLSF") && !on(&c, "HEAP_TALC"));
    let c = resolve(&fixture(), &user(&[("heap-talc", b(true))])).unwrap();
    assert!(!on(&c, "HEAP_TLSF") && on(&c, "HEAP_TALC"));
    assert_eq!(c.get("HEAP_TALC").unwrap().set_by, SetBy::User);
    assert_eq!(c.get("HEAP_TALC").unwrap().choice.as_deref(), Some("Heap allocator"));
    // An optional choice picks nothing by itself.
    assert!(!on(&c, "TRACE_UART") && !on(&c, "TRACE_RTT"));
    let c = resolve(&fixture(), &user(&[("trace-rtt", b(true))])).unwrap();
    assert!(on(&c, "TRACE_RTT"));
    // Turning the default member off picks the next visible one.
    let c = resolve(&fixture(), &user(&[("heap-tlsf", b(false))])).unwrap();
    assert!(on(&c, "HEAP_TALC"));
}

#[test]
fn choice_defaults_with_conditions_and_hidden_members() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert!(on(&c, "HEAP_AFTER_BSS"), "default HEAP_AFTER_BSS if !USE_FPU");
    // HEAP_IN_CCM's prompt is hidden (ARCH_HAS_FPU = n): never picked.
    let c = resolve(&fixture(), &user(&[("heap-after-bss", b(false))])).unwrap();
    assert!(on(&c, "HEAP_END_OF_RAM") && !on(&c, "HEAP_IN_CCM"));
    let text = errors(&fixture(), &user(&[("heap-in-ccm", b(true))]));
    assert!(text.contains("HEAP_IN_CCM can be set only if `ARCH_HAS_FPU`"), "{text}");
    // Exactly one member is on in every non-optional, visible choice.
    for a in [vec![], user(&[("heap-end-of-ram", b(true))]), user(&[("heap-after-bss", b(false))])] {
        let c = resolve(&fixture(), &a).unwrap();
        let members = ["HEAP_AFTER_BSS", "HEAP_END_OF_RAM", "HEAP_IN_CCM"];
        assert_eq!(members.iter().filter(|m| on(&c, m)).count(), 1);
    }
}

#[test]
fn a_device_overrides_a_presets_choice() {
    let mut a = preset("full", &[("heap-tlsf", b(true))]);
    a.extend(user(&[("heap-talc", b(true))]));
    let c = resolve(&fixture(), &a).unwrap();
    assert!(on(&c, "HEAP_TALC") && !on(&c, "HEAP_TLSF"));
    assert_eq!(c.get("HEAP_TLSF").unwrap().set_by, SetBy::Default);
    // Of two presets, the later (inheriting) one wins.
    let mut a = preset("standard", &[("heap-talc", b(true))]);
    a.extend(preset("full", &[("heap-none", b(true))]));
    let c = resolve(&fixture(), &a).unwrap();
    assert!(on(&c, "HEAP_NONE") && !on(&c, "HEAP_TALC"));
    assert_eq!(c.get("HEAP_NONE").unwrap().set_by, SetBy::Preset("full".into()));
}

#[test]
fn a_select_wins_over_a_presets_false() {
    let mut a = preset("minimal", &[("asserts", b(false)), ("stats", b(false))]);
    a.extend(user(&[("net", b(true)), ("log-level", i(2))]));
    // ASSERTS has no prompt: a preset may not set it either.
    let text = errors(&fixture(), &a);
    assert!(text.contains("`asserts` cannot be set by a device"), "{text}");
    a.remove(0);
    let c = resolve(&fixture(), &a).unwrap();
    assert!(on(&c, "STATS"));
    assert_eq!(c.get("STATS").unwrap().set_by, SetBy::Select("NET".into()));
}

#[test]
fn prompt_if_and_def_bool() {
    let c = resolve(&fixture(), &[]).unwrap();
    assert!(!on(&c, "USE_FPU"));
    assert!(!c.get("USE_FPU").unwrap().visible);
    let text = errors(&fixture(), &user(&[("use-fpu", b(true))]));
    assert!(text.contains("`use-fpu` cannot be set: its dependencies are unmet"), "{text}");
}

#[test]
fn expressions() {
    let (_d, t) = tree(
        "config A\n\tint \"a\"\n\tdefault 5\nconfig B\n\tbool \"b\"\n\tdefault y if A >= 5 && (A != 7 || !C)\nconfig C\n\tbool \"c\"\nconfig D\n\tbool \"d\"\n\tdefault y if A < 5 || A = 9\nconfig E\n\tstring \"e\"\n\tdefault \"x\"\nconfig F\n\tbool \"f\"\n\tdefault y if E = \"x\" && A <= 5 && A > 4\nconfig G\n\tbool \"g\"\n\tdefault !(A = 5) || n\nconfig H\n\thex \"h\"\n\tdefault 0x10\nconfig I\n\tbool \"i\"\n\tdefault y if H > 0xF && H < 17 && 16 = H\n",
    );
    let c = resolve(&t, &[]).unwrap();
    assert!(on(&c, "B"));
    assert!(!on(&c, "D"));
    assert!(on(&c, "F"));
    assert!(!on(&c, "G"));
    assert!(on(&c, "I"), "hex and decimal compare as numbers");
    let c = resolve(&t, &user(&[("a", i(9))])).unwrap();
    assert!(on(&c, "D") && on(&c, "G"));
    let c = resolve(&t, &user(&[("a", i(7)), ("c", b(true))])).unwrap();
    assert!(!on(&c, "B"));
}

#[test]
fn expression_text_round_trips() {
    let (_d, t) = tree("config A\n\tbool \"a\"\n\tdepends on !(B = 5) && (C || !D) && E != \"x\" && F >= 0x10\n");
    assert_eq!(t.sym("A").unwrap().deps.to_string(), "!(B = 5) && (C || !D) && E != \"x\" && F >= 0x10");
}

#[test]
fn menuconfig_and_comment() {
    let (_d, t) = tree(
        "menuconfig NET\n\tbool \"Networking\"\n\nif NET\ncomment \"Options\"\n\tdepends on NET\nconfig IPV6\n\tbool \"IPv6\"\n\tdefault y\nendif\n",
    );
    let c = resolve(&t, &[]).unwrap();
    assert!(!on(&c, "IPV6"));
    let c = resolve(&t, &user(&[("net", b(true))])).unwrap();
    assert!(on(&c, "IPV6"));
}

#[test]
fn tristate_is_bool_with_a_warning_for_m() {
    let (_d, t) = tree("config T\n\ttristate \"t\"\nconfig U\n\ttristate \"u\"\n\tdefault m\n");
    assert!(
        render(&t.warnings).contains("U uses the tristate value `m`, which bluegen reads as `y`"),
        "{}",
        render(&t.warnings)
    );
    let c = resolve(&t, &user(&[("t", s("m"))])).unwrap();
    assert!(on(&c, "T") && on(&c, "U"));
    assert!(render(&c.warnings).contains("`t` is a tristate; `m` is treated as `y`"));
}

#[test]
fn preset_then_user_and_origins() {
    let mut a = preset("full", &[("debug", b(true)), ("log-level", i(4))]);
    a.extend(user(&[("log-level", i(2))]));
    let c = resolve(&fixture(), &a).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), Some(Value::Int(2)));
    assert_eq!(c.get("LOG_LEVEL").unwrap().set_by, SetBy::User);
    assert_eq!(c.get("DEBUG").unwrap().set_by, SetBy::Preset("full".into()));
}

#[test]
fn a_presets_value_under_unmet_dependencies_does_not_apply() {
    let mut a = preset("standard", &[("log-level", i(3))]);
    a.extend(user(&[("console", b(false))]));
    let c = resolve(&fixture(), &a).unwrap();
    assert_eq!(val(&c, "LOG_LEVEL"), None);
}

#[test]
fn a_symbol_defined_twice_merges() {
    let (_d, t) = tree(
        "config A\n\tint \"a\"\n\trange 0 9\nconfig B\n\tbool \"b\"\nconfig A\n\tint\n\tdefault 7 if B\n\tdefault 3\n",
    );
    assert_eq!(resolve(&t, &[]).unwrap().get("A").unwrap().value, Some(Value::Int(3)));
    let c = resolve(&t, &user(&[("b", b(true))])).unwrap();
    assert_eq!(val(&c, "A"), Some(Value::Int(7)));
    assert_eq!(c.get("A").unwrap().defined_at, "components/c/Kconfig:1");
}

/// Bluegen's own value (`Origin::Derived`, e.g. `interrupts` from
/// `[interrupts]`) sets a symbol without a prompt, which a device may not.
#[test]
fn a_derived_value_sets_a_symbol_without_a_prompt() {
    let derived = Assignment { key: "asserts".into(), value: b(true), origin: Origin::Derived("[interrupts]".into()), location: None };
    let c = resolve(&fixture(), &[derived]).unwrap();
    assert!(on(&c, "ASSERTS"));
    assert_eq!(c.get("ASSERTS").unwrap().set_by, SetBy::Derived("[interrupts]".into()));
    let text = errors(&fixture(), &user(&[("asserts", b(true))]));
    assert!(text.contains("`asserts` cannot be set by a device"), "{text}");
}
