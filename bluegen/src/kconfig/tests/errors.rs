//! The exact text of each error class, as the CLI prints it.

use super::*;

#[test]
fn unknown_feature() {
    let text = errors(&fixture(), &user(&[("consle", b(true)), ("zzz", b(true))]));
    insta::assert_snapshot!(text, @r#"
        error: unknown feature `consle`
          --> device.toml:10:1
           = key: features.consle
           = why: no component of this image declares CONSLE in its Kconfig
           = hint: did you mean `console`?

        error: unknown feature `zzz`
          --> device.toml:11:1
           = key: features.zzz
           = why: no component of this image declares ZZZ in its Kconfig
           = hint: `bluegen config` lists every symbol of the image
    "#);
}

#[test]
fn wrong_types() {
    let a = user(&[
        ("console", s("yes")),
        ("tick-hz", b(true)),
        ("stack-base", s("20000000")),
        ("heap-size", i(-1)),
        ("banner-text", i(3)),
    ]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `console` takes a boolean, not a string
          --> device.toml:10:1
           = key: features.console
           = value: "yes"
           = why: CONSOLE is a bool symbol
           = note: declared at [FIXTURE]/Kconfig:6
           = hint: write `console = true`

        error: `tick-hz` takes an integer, not a boolean
          --> device.toml:11:1
           = key: features.tick-hz
           = value: true
           = why: TICK_HZ is an int symbol
           = note: declared at [FIXTURE]/Kconfig:39
           = hint: write `tick-hz = 1000`

        error: `stack-base` takes a hex number, not a string
          --> device.toml:12:1
           = key: features.stack-base
           = value: "20000000"
           = why: STACK_BASE is a hex symbol
           = note: declared at [FIXTURE]/Kconfig:91
           = hint: write `stack-base = 0x20000000` (a TOML hex integer) or `stack-base = "0x20000000"`

        error: `heap-size` takes a hex number, not a negative integer
          --> device.toml:13:1
           = key: features.heap-size
           = value: -1
           = why: HEAP_SIZE is a hex symbol
           = note: declared at [FIXTURE]/Kconfig:114
           = hint: write `heap-size = 0x2000` (a TOML hex integer) or `heap-size = "0x2000"`

        error: `banner-text` takes a string, not an integer
          --> device.toml:14:1
           = key: features.banner-text
           = value: 3
           = why: BANNER_TEXT is a string symbol
           = note: declared at [FIXTURE]/Kconfig:96
           = hint: write `banner-text = "3"`
    "#);
}

#[test]
fn out_of_range() {
    let a = user(&[("tick-hz", i(5)), ("stack-base", s("0x10000000"))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `tick-hz` is out of range
          --> device.toml:10:1
           = key: features.tick-hz
           = value: 5
           = why: TICK_HZ must be between 10 and 10000 (range 10 10000)
           = note: declared at [FIXTURE]/Kconfig:39
           = hint: use a value from 10 to 10000

        error: `stack-base` is out of range
          --> device.toml:11:1
           = key: features.stack-base
           = value: "0x10000000"
           = why: STACK_BASE must be between 0x20000000 and 0x2003ffff (range 0x20000000 0x2003ffff)
           = note: declared at [FIXTURE]/Kconfig:91
           = hint: use a value from 0x20000000 to 0x2003ffff
    "#);
}

#[test]
fn unmet_dependencies() {
    let a = user(&[("console", b(false)), ("log-level", i(2)), ("uart-baud", i(9600))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `log-level` cannot be set: its dependencies are unmet
          --> device.toml:11:1
           = key: features.log-level
           = value: 2
           = why: LOG_LEVEL depends on `CONSOLE`, which is false (CONSOLE = n)
           = note: declared at [FIXTURE]/Kconfig:12
           = hint: set `console = true`, or remove this line

        error: `uart-baud` cannot be set: its dependencies are unmet
          --> device.toml:12:1
           = key: features.uart-baud
           = value: 9600
           = why: UART_BAUD depends on `CONSOLE && !DEBUG || STATS`, which is false (CONSOLE = n, DEBUG = n, STATS = n)
           = note: declared at [FIXTURE]/sub/Kconfig:3
           = hint: set `console = true`, or remove this line
    "#);
}

#[test]
fn unmet_comparison_and_prompt_condition() {
    let a = user(&[("uart-baud", i(9600)), ("uart-fifo-depth", i(8)), ("tick-hz", i(50)), ("soft-timers", b(true))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `uart-fifo-depth` cannot be set: its dependencies are unmet
          --> device.toml:11:1
           = key: features.uart-fifo-depth
           = value: 8
           = why: UART_FIFO_DEPTH depends on `UART_BAUD > 9600`, which is false (UART_BAUD = 9600)
           = note: declared at [FIXTURE]/sub/Kconfig.fifo:1
           = hint: set `uart-baud = 9601`, or remove this line

        error: `soft-timers` cannot be set: its dependencies are unmet
          --> device.toml:13:1
           = key: features.soft-timers
           = value: true
           = why: SOFT_TIMERS can be set only if `TICK_HZ > 100`, which is false (TICK_HZ = 50)
           = note: declared at [FIXTURE]/Kconfig:53
           = hint: set `tick-hz = 101`, or remove this line
    "#);
}

#[test]
fn unmet_with_several_symbols() {
    let a = user(&[("scheduler", b(false)), ("heap-none", b(true)), ("net", b(true))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `net` cannot be set: its dependencies are unmet
          --> device.toml:12:1
           = key: features.net
           = value: true
           = why: NET depends on `SCHEDULER && !HEAP_NONE`, which is false (SCHEDULER = n, HEAP_NONE = y)
           = note: declared at [FIXTURE]/Kconfig:138
           = hint: set `scheduler = true` and `heap-none = false`, or remove this line
    "#);
}

#[test]
fn contradicts_a_select() {
    let a = user(&[("debug", b(true)), ("net", b(true)), ("log-level", i(2)), ("stats", b(false))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `stats = false` contradicts a select
          --> device.toml:13:1
           = key: features.stats
           = value: false
           = why: NET selects STATS, so it is on whenever NET is
           = note: STATS declared at [FIXTURE]/Kconfig:29
           = note: NET declared at [FIXTURE]/Kconfig:138
           = hint: remove this line, or set `net = false`
    "#);
}

#[test]
fn two_members_of_a_choice() {
    let a = user(&[("heap-talc", b(true)), ("heap-none", b(true))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `heap-talc` and `heap-none` cannot both be true: they belong to one choice
          --> device.toml:11:1
           = key: features.heap-none
           = why: only one member of the choice "Heap allocator" can be on (HEAP_TLSF, HEAP_TALC, HEAP_NONE)
           = note: choice declared at [FIXTURE]/Kconfig:61
           = note: `heap-talc` is set at device.toml:10:1
           = hint: keep one of them
    "#);
}

#[test]
fn symbol_without_a_prompt() {
    let a = user(&[("asserts", b(true)), ("arch-has-fpu", b(true))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `asserts` cannot be set by a device
          --> device.toml:10:1
           = key: features.asserts
           = value: true
           = why: ASSERTS has no prompt: its value comes from its defaults and the selects of DEBUG
           = note: declared at [FIXTURE]/Kconfig:26
           = hint: remove this line; set `debug = true` to turn it on

        error: `arch-has-fpu` cannot be set by a device
          --> device.toml:11:1
           = key: features.arch-has-fpu
           = value: true
           = why: ARCH_HAS_FPU has no prompt: its value comes from its defaults
           = note: declared at [FIXTURE]/Kconfig:100
           = hint: remove this line
    "#);
}

#[test]
fn a_presets_mistake_names_the_preset() {
    let a = preset("full", &[("tick-hz", i(0))]);
    insta::assert_snapshot!(errors(&fixture(), &a), @r#"
        error: `tick-hz` is out of range
         --> configs/full.toml:3:1
          = key: features.tick-hz
          = value: 0
          = why: TICK_HZ must be between 10 and 10000 (range 10 10000)
          = note: declared at [FIXTURE]/Kconfig:39
          = note: set by preset `full`
          = hint: use a value from 10 to 10000
    "#);
}

#[test]
fn every_mistake_in_one_run() {
    let a = user(&[
        ("consle", b(true)),
        ("tick-hz", s("fast")),
        ("log-level", i(9)),
        ("asserts", b(true)),
        ("stats", b(true)),
        ("console", b(false)),
    ]);
    let text = errors(&fixture(), &a);
    assert_eq!(text.matches("error: ").count(), 5, "{text}");
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("--> device.toml")).collect();
    assert_eq!(
        lines,
        [
            "  --> device.toml:10:1",
            "  --> device.toml:11:1",
            "  --> device.toml:12:1",
            "  --> device.toml:13:1",
            "  --> device.toml:14:1"
        ]
    );
}

#[test]
fn symbols_that_never_settle() {
    let (_d, t) = tree("config A\n\tbool\n\tdefault y if !B\nconfig B\n\tbool\n\tdefault y if A\n");
    insta::assert_snapshot!(render(&resolve(&t, &[]).unwrap_err().diagnostics), @r#"
        error: the Kconfig symbols do not settle on a value
          = why: after 64 rounds these still change: A, B
          = hint: look for a dependency loop between them (a symbol whose default or select depends on itself)
    "#);
}
