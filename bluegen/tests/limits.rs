//! Limits found by `bluegen check` before anything compiles: each would
//! otherwise fail in cargo, rustc or the running image (no QEMU needed).

mod common;

use common::{THREAD, check, device};

const THREADS_ON: &str = "[features]\nthreads = true\n";

fn threads(n: usize) -> String {
    (0..n).map(|i| format!("[threads.t{i:02}]\nentry = \"main\"\npriority = 1\nstack = 512\n")).collect()
}

#[test]
fn thirty_three_threads_are_too_many() {
    let (code, err) = check(&format!("{}{THREADS_ON}{}", device("qemu-mps2-an385"), threads(33)));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: too many threads: 33 declared
       --> device.toml:134:10
        |
    134 | [threads.t32]
        |          ^^^
        = key: threads.t32
        = why: the kernel schedules at most 32 threads (one bit each in a 32-bit ready set); this one and those after it would never run
        = hint: remove 1 thread, or merge threads that share a priority
    "#);
    let (code, err) = check(&format!("{}{THREADS_ON}{}", device("qemu-mps2-an385"), threads(32)));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn spawn_slots_count_against_the_thread_limit() {
    let (code, err) = check(&format!("{}{THREADS_ON}spawn = true\nspawn-threads = 2\n{}", device("qemu-mps2-an385"), threads(31)));
    assert_eq!(code, 1);
    assert!(err.contains("too many threads: 31 declared and 2 spawn slots"), "{err}");
    assert!(err.contains("--> device.toml:"), "{err}");
}

#[test]
fn a_region_of_zero_bytes_is_refused() {
    let (code, err) = check(&format!("{}[memory]\nflash = 0\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `memory.flash`
     --> device.toml:5:9
      |
    5 | flash = 0
      |         ^
      = key: memory.flash
      = value: 0
      = why: a flash region of 0 bytes cannot hold the image
      = hint: leave `flash` out to use the board's flash, or give its size in bytes
    "#);
}

#[test]
fn a_region_past_the_address_space_is_refused() {
    let (code, err) = check(&format!("{}[memory]\nram-origin = 0xFFFF_F000\nram = \"64K\"\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `memory.ram-origin`
     --> device.toml:5:14
      |
    5 | ram-origin = 0xFFFF_F000
      |              ^^^^^^^^^^^
      = key: memory.ram-origin
      = value: 0xFFFF_F000
      = why: the ram region 0xfffff000..0x10000f000 ends past the 32-bit address space of riscv32imac-unknown-none-elf
      = hint: the region must end at or below 0x100000000: lower the origin or the size
    "#);
}

#[test]
fn overlapping_regions_are_refused() {
    let (code, err) = check(&format!("{}[memory]\nram-origin = 0x1000\nram = \"64K\"\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `memory.ram-origin`
     --> device.toml:5:14
      |
    5 | ram-origin = 0x1000
      |              ^^^^^^
      = key: memory.ram-origin
      = value: 0x1000
      = why: flash 0x0..0x400000 and RAM 0x1000..0x11000 overlap: the image's statics would overwrite its code
      = hint: move or shrink one region so that they do not share an address
    "#);
}

const PREEMPT: &str = "[features]\nthreads = true\npreempt = true\n";

#[test]
fn a_tick_faster_than_the_systick_clock_is_refused() {
    let (code, err) = check(&format!("{}{PREEMPT}systick-clock-hz = 1000\ntick-hz = 10000\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `tick-hz = 10000` does not fit the SysTick clock of 1000 Hz
     --> device.toml:8:1
      |
    8 | tick-hz = 10000
      | ^^^^^^^
      = key: features.tick-hz
      = value: 10000
      = why: 1000 Hz / 10000 Hz is 0 SysTick counts per tick; at least 2 are needed: SysTick's reload is the count less one, a reload of 0 never interrupts, and at 0 the arch crate divides by zero
      = hint: lower `tick-hz` to at most 500, or raise `systick-clock-hz` to the timer's real clock
    "#);
}

#[test]
fn a_systick_reload_over_24_bits_is_refused() {
    let (code, err) = check(&format!("{}{PREEMPT}systick-clock-hz = 1000000000\ntick-hz = 10\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `tick-hz = 10` does not fit the SysTick clock of 1000000000 Hz
     --> device.toml:8:1
      |
    8 | tick-hz = 10
      | ^^^^^^^
      = key: features.tick-hz
      = value: 10
      = why: 1000000000 Hz / 10 Hz is 100000000 SysTick counts per tick, but SysTick's 24-bit reload counts at most 16777216: the reload would be cut to 24 bits silently and every sleep would take the wrong time
      = hint: raise `tick-hz` to at least 60, or check `systick-clock-hz`
    "#);
    // 2^24 cycles per tick is the most SysTick counts.
    let (code, err) = check(&format!("{}{PREEMPT}systick-clock-hz = 167772160\ntick-hz = 10\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_tick_faster_than_mtime_is_refused() {
    let (code, err) = check(&format!("{}{PREEMPT}mtime-hz = 1000\ntick-hz = 10000\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1);
    assert!(err.contains("error: `tick-hz = 10000` does not fit the mtime clock of 1000 Hz"), "{err}");
    assert!(err.contains("--> device.toml:8:1"), "{err}");
}

#[test]
fn a_hex_value_wider_than_usize_is_refused_on_rv32_only() {
    let text = |board: &str| format!("{}[features]\nclint-base = 0x1_0000_0000\n{THREAD}", device(board));
    let (code, err) = check(&text("qemu-virt-rv32"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `clint-base` does not fit a 32-bit address
     --> device.toml:5:1
      |
    5 | clint-base = 0x1_0000_0000
      | ^^^^^^^^^^
      = key: features.clint-base
      = value: 0x100000000
      = why: hex symbols become `usize` constants, and a `usize` of riscv32imac-unknown-none-elf holds at most 0xffffffff
      = hint: use an address of at most 0xffffffff
    "#);
    let (code, err) = check(&text("qemu-virt-rv64"));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn device_names_cargo_refuses() {
    for name in ["build", "deps"] {
        let (code, err) = check(&format!("[device]\nname = \"{name}\"\nboard = \"qemu-mps2-an385\"\n{THREAD}"));
        assert_eq!(code, 1);
        assert!(err.contains(&format!("cargo refuses `{name}` as a binary name")), "{err}");
        assert!(err.contains(&format!("hint: try \"my-{name}\"")), "{err}");
    }
    let (code, err) = check(&format!("[device]\nname = \"{}\"\nboard = \"qemu-mps2-an385\"\n{THREAD}", "a".repeat(300)));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err.replace(&"a".repeat(300), "[300 × a]"), @r#"
    error: invalid device name `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…`
     --> device.toml:2:8
      |
    2 | name = "[300 × a]"
      |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      = key: device.name
      = value: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…"
      = why: it is 300 characters long; a device name has at most 64 (crate names do, and cargo's file names must fit the file system)
      = hint: try "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "#);
}

#[test]
fn entries_that_are_keywords_or_paths_out_of_the_app() {
    let (code, err) = check(&format!(
        "{}[threads.a]\nentry = \"fn\"\npriority = 1\nstack = 1024\n[threads.b]\nentry = \"crate::main\"\npriority = 1\nstack = 1024\n",
        device("qemu-mps2-an385")
    ));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid thread entry `fn`
     --> device.toml:5:9
      |
    5 | entry = "fn"
      |         ^^^^
      = key: threads.a.entry
      = value: "fn"
      = why: `fn` is a Rust keyword, so no function or module can have that name
      = hint: use the name of a `pub fn` of the app crate

    error: invalid thread entry `crate::main`
     --> device.toml:9:9
      |
    9 | entry = "crate::main"
      |         ^^^^^^^^^^^^^
      = key: threads.b.entry
      = value: "crate::main"
      = why: an entry is a path inside the app crate, which bluegen puts after `app::`, so `crate` cannot be part of it
      = hint: write entry = "main"
    "#);
}

#[test]
fn a_misspelt_entry_lists_the_apps_functions_closest_first() {
    let (code, err) = check(&format!(
        "{}[threads.main]\nentry = \"mian\"\npriority = 1\nstack = 1024\n[threads.net]\nentry = \"net::serv\"\npriority = 1\nstack = 1024\n[threads.ever]\nentry = \"forever\"\npriority = 1\nstack = 1024\n",
        device("qemu-mps2-an385")
    ));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the app crate has no public function `mian`
     --> device.toml:5:9
      |
    5 | entry = "mian"
      |         ^^^^^^
      = key: threads.main.entry
      = value: "mian"
      = why: a thread entry is a `pub fn()` of the app crate (in src/lib.rs, or in a `pub mod` of it)
      = hint: the app's public functions, closest first: `main`, `net::serve`, `sensor_poll`

    error: the app crate has no public function `net::serv`
     --> device.toml:9:9
      |
    9 | entry = "net::serv"
      |         ^^^^^^^^^^^
      = key: threads.net.entry
      = value: "net::serv"
      = why: a thread entry is a `pub fn()` of the app crate (in src/lib.rs, or in a `pub mod` of it)
      = hint: the app's public functions, closest first: `net::serve`, `sensor_poll`, `main`

    error: `forever` cannot be a thread entry
      --> device.toml:13:9
       |
    13 | entry = "forever"
       |         ^^^^^^^^^
       = key: threads.ever.entry
       = value: "forever"
       = why: the kernel runs a thread's entry as a `fn()`: it returns `!`, and a `fn() -> !` is not a `fn()` (write `pub fn name()` with a loop that never ends)
       = hint: give the app a `pub fn forever()` for the thread to run
    "#);
}

#[test]
fn a_small_ram_is_blamed_on_the_ram() {
    let (code, err) = check(&format!(
        "{}[memory]\nram = \"2K\"\n{THREADS_ON}[threads.a]\nentry = \"main\"\npriority = 1\nstack = 1024\n[threads.b]\nentry = \"main\"\npriority = 1\nstack = 1024\n",
        device("qemu-mps2-an385")
    ));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: RAM is too small: 3456 B needed, 2 KiB available
     --> device.toml:5:7
      |
    5 | ram = "2K"
      |       ^^^^
      = key: memory.ram
      = value: 2 KiB
      = why: 2 KiB of RAM must hold the 1 KiB boot stack, 2 thread stacks of 2 KiB in all, the idle thread's 384 B stack: 3456 B together
      = hint: raise `ram` to at least "4 KiB" (the board has 4 MiB), or make the stacks smaller
    "#);
}

#[test]
fn a_usart_divisor_out_of_range_is_refused() {
    // usart-stm32 asserts 16 <= BRR <= 0xFFFF when the image compiles.
    let text = |pclk: u32, baud: u32| format!("{}[features]\nusart-stm32-pclk-hz = {pclk}\nusart-stm32-baud = {baud}\n{THREAD}", device("stm32f4-discovery"));
    let (code, err) = check(&text(1_000_000, 4_000_000));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `usart-stm32-baud = 4000000` cannot be divided from the USART clock of 1000000 Hz
     --> device.toml:6:1
      |
    6 | usart-stm32-baud = 4000000
      | ^^^^^^^^^^^^^^^^
      = key: features.usart-stm32-baud
      = value: 4000000
      = why: the USART's divisor (BRR) is 1000000 Hz / 4000000 baud = 0, but it must be 16 to 65535 (oversampling by 16, a 16-bit register)
      = hint: use a baud rate from 1200 to 64516, or check `usart-stm32-pclk-hz`
    "#);
    let (code, err) = check(&text(200_000_000, 1200));
    assert_eq!(code, 1);
    assert!(err.contains("the USART's divisor (BRR) is 200000000 Hz / 1200 baud = 166667"), "{err}");
    // The hint's bounds are the edges.
    let (code, err) = check(&text(1_000_000, 64_516));
    assert_eq!(code, 0, "{err}");
    let (code, _) = check(&text(1_000_000, 64_517));
    assert_eq!(code, 1);
    let (code, err) = check(&text(200_000_000, 3052));
    assert_eq!(code, 0, "{err}");
    let (code, _) = check(&text(200_000_000, 3051));
    assert_eq!(code, 1);
}

#[test]
fn a_budget_for_a_component_the_image_lacks_is_refused_before_compiling() {
    let (code, err) = check(&format!("{}[budget.components]\nkernal = \"1K\"\napp = \"1K\"\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the budget names component `kernal`, which this image does not contain
     --> device.toml:5:1
      |
    5 | kernal = "1K"
      | ^^^^^^
      = key: budget.components.kernal
      = why: the image's components are config, kernel, arch-cortex-m, uart-cmsdk, heap, fs, models, app, image, core, alloc, compiler_builtins
      = hint: did you mean `kernel`?
    "#);
    // The heap component is in every image (linking nothing without `heap`),
    // the Rust library crates too.
    let (code, err) = check(&format!("{}[budget.components]\nheap = \"1K\"\ncore = \"4K\"\n{THREAD}", device("qemu-mps2-an385")));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_budget_for_a_component_that_links_nothing_builds() {
    let dir = common::project(&format!("{}[budget.components]\nheap = \"1K\"\n{THREAD}", device("qemu-mps2-an385")));
    let images = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/images");
    let out = assert_cmd::Command::cargo_bin("bluegen").unwrap().env("CARGO_TARGET_DIR", images).arg("build").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_app_package_named_like_another_crate_of_the_image_is_refused() {
    for name in ["bluegen-kernel", "t-image"] {
        let dir = common::project(&format!("{}{THREAD}", device("qemu-mps2-an385")));
        std::fs::write(dir.path().join("app/Cargo.toml"), format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n")).unwrap();
        let (code, _, err) = common::bluegen(dir.path(), &["check"]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(&format!("error: the app crate's package name `{name}` clashes with another crate of the image")), "{err}");
        assert!(err.contains("--> app/Cargo.toml:2:8") || err.contains("[DIR]/app/Cargo.toml:2:8"), "{err}");
    }
}

#[test]
fn a_ram_region_ending_at_the_top_of_the_address_space_is_refused() {
    // Its end is the boot stack's top, which would wrap to address 0.
    let (code, err) = check(&format!("{}[memory]\nram-origin = 0xFFFF_0000\nram = \"64K\"\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `memory.ram-origin`
     --> device.toml:5:14
      |
    5 | ram-origin = 0xFFFF_0000
      |              ^^^^^^^^^^^
      = key: memory.ram-origin
      = value: 0xFFFF_0000
      = why: the ram region 0xffff0000..0x100000000 ends at the top of the 32-bit address space of riscv32imac-unknown-none-elf: the boot stack's top, RAM's end, would be address 0x100000000, which wraps to 0
      = hint: the region must end at or below 0xfffffff0: lower the origin or the size
    "#);
    let (code, err) = check(&format!("{}[memory]\nram-origin = 0xFFFE_FFF0\nram = \"64K\"\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_spawn_stack_follows_the_thread_stack_rules() {
    // 256 bytes overflow on the first switch on RV64 (red zone and trap
    // frame take 384): the Kconfig range starts at 512, like a thread
    // stack's minimum; 516 leaves the stack's top misaligned.
    let text = |size: u32| format!("{}{THREADS_ON}spawn = true\nspawn-stack-size = {size}\n{THREAD}", device("qemu-virt-rv64"));
    let (code, err) = check(&text(256));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `spawn-stack-size` is out of range
     --> device.toml:7:1
      |
    7 | spawn-stack-size = 256
      | ^^^^^^^^^^^^^^^^
      = key: features.spawn-stack-size
      = value: 256
      = why: SPAWN_STACK_SIZE must be between 512 and 65536 (range 512 65536)
      = note: declared at components/kernel/Kconfig:200
      = hint: use a value from 512 to 65536
    "#);
    let (code, err) = check(&text(516));
    assert_eq!(code, 1);
    assert!(err.contains("multiple of 8") && err.contains("hint: use 520"), "{err}");
    let (code, err) = check(&text(512));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_entry_behind_a_cargo_feature_the_app_leaves_off_is_refused() {
    let toml = format!("{}[threads.main]\nentry = \"gated\"\npriority = 1\nstack = 1024\n", device("qemu-mps2-an385"));
    let dir = common::project(&toml);
    std::fs::write(dir.path().join("app/src/lib.rs"), "#![no_std]\npub fn main() {}\n#[cfg(feature = \"extra\")]\npub fn gated() {}\n").unwrap();
    let manifest = "[package]\nname = \"t-app\"\nversion = \"0.1.0\"\n\n[features]\nextra = []\n";
    std::fs::write(dir.path().join("app/Cargo.toml"), manifest).unwrap();
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error: the app crate has no public function `gated`") && err.contains("--> device.toml:5:9"), "{err}");
    // On by default, the image's build has it.
    std::fs::write(dir.path().join("app/Cargo.toml"), manifest.replace("extra = []", "default = [\"extra\"]\nextra = []")).unwrap();
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_base_address_without_room_for_its_registers_is_refused() {
    // arch-riscv reads mtime at CLINT_BASE + 0xbff8: past 4 GiB, rustc
    // refuses the address.
    let (code, err) = check(&format!("{}{PREEMPT}clint-base = 0xFFFF_FFFF\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `clint-base = 0xffffffff` leaves no room for its registers below the end of the address space
     --> device.toml:7:1
      |
    7 | clint-base = 0xFFFF_FFFF
      | ^^^^^^^^^^
      = key: features.clint-base
      = value: 0xffffffff
      = why: the component addresses up to 0xc000 bytes past it (arch-riscv's mtime at +0xbff8), beyond the 32-bit address space of riscv32imac-unknown-none-elf: rustc refuses the overflowing address
      = hint: use a base of at most 0xffff4000
    "#);
    let (code, err) = check(&format!("{}{PREEMPT}clint-base = 0xFFFF_4000\n{THREAD}", device("qemu-virt-rv32")));
    assert_eq!(code, 0, "{err}");
    // usart-stm32 adds its register offsets to the RCC and GPIO bases.
    let stm = |line: &str| check(&format!("{}[features]\n{line}\n{THREAD}", device("stm32f4-discovery")));
    for line in ["usart-stm32-rcc-base = 0xFFFF_FFF0", "usart-stm32-gpio-base = 0xFFFF_FFFF", "usart-stm32-apb-enr-offset = 0xFFFF_0000"] {
        let (code, err) = stm(line);
        assert_eq!(code, 1, "{line}: {err}");
        assert!(err.contains("leaves no room for its registers"), "{line}: {err}");
        assert!(err.contains(&format!("key: features.{}", line.split(' ').next().unwrap())), "{line}: {err}");
    }
    let (code, err) = stm("usart-stm32-gpio-base = 0xFFFF_FFD8");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_device_named_like_a_component_or_the_app_is_refused() {
    let (code, err) = check(&format!("[device]\nname = \"bluegen-kernel\"\nboard = \"qemu-mps2-an385\"\n{THREAD}"));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: the device name `bluegen-kernel` is the crate name of another crate of the image
     --> device.toml:2:8
      |
    2 | name = "bluegen-kernel"
      |        ^^^^^^^^^^^^^^^^
      = key: device.name
      = value: "bluegen-kernel"
      = why: the image's binary crate is `bluegen_kernel`, and so is bluegen's component crate components/kernel (`bluegen-kernel`): the size report could not tell their code apart
      = hint: rename the device, e.g. "bluegen-kernel-device"
    "#);
    // common::project's app is `t-app`.
    let (code, err) = check(&format!("[device]\nname = \"t-app\"\nboard = \"qemu-mps2-an385\"\n{THREAD}"));
    assert_eq!(code, 1);
    assert!(err.contains("and so is the app crate (`t-app`)"), "{err}");
}
