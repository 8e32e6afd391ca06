//! Limits: what the kernel, the arch crates and the target can hold, checked
//! on the resolved configuration before anything is compiled.
//!
//! Each check here stands for a build or a run that would otherwise fail far
//! from device.toml: threads beyond the kernel's table that never run, a
//! tick period the arch crate divides by zero or SysTick truncates, a
//! constant rustc refuses for the target's `usize`, stacks that do not fit
//! RAM. Each is a located diagnostic on the key to change.

use crate::diag::{Diagnostic, Location};
use crate::kconfig::{Assignment, Config, SymbolType, Value, name_of};
use crate::model::Device;
use crate::units::{human, pointer_bits, usize_max};

/// The most threads the kernel schedules: one bit each in a `u32`
/// (`MAX_THREADS` in components/kernel/src/sched.rs; a test keeps the two
/// equal).
pub const MAX_THREADS: usize = 32;
/// SysTick's reload register has 24 bits: at most 2^24 cycles per tick.
pub const SYSTICK_MAX_PERIOD: u64 = 1 << 24;

/// Every limit of a resolved device; `assignments` are the board's, the
/// preset's and the device's, for where a value was set.
pub fn check(device: &Device, config: &Config, assignments: &[Assignment], boot_stack: u64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let v = Values { config, assignments };
    threads(device, &v, &mut out);
    tick(device, &v, &mut out);
    constants(device, &v, &mut out);
    register_blocks(device, &v, &mut out);
    usart_stm32(&v, &mut out);
    spawn_stack(&v, &mut out);
    filesystem(device, &v, &mut out);
    ram(device, &v, boot_stack, &mut out);
    out
}

/// littlefs's geometry rules, which the fs crate also asserts at compile
/// time: the caches are whole program units (4 bytes) and divide the block
/// (the RAM disk's `fs-block-size`, or the flash bank's erase sector), the
/// lookahead bitmap is whole 32-bit words.
fn filesystem(device: &Device, v: &Values, out: &mut Vec<Diagnostic>) {
    if !v.on("FS") {
        return;
    }
    let flash = if v.on("FS_FLASH") { device.drivers.iter().find(|d| d.peripheral.driver == "pflash-cfi01").map(|d| (d.name.as_str(), d.peripheral.erase_size)) } else { None };
    let block = match flash {
        Some((_, erase)) => Some(erase),
        None => v.int("FS_BLOCK_SIZE"),
    };
    if let Some(cache) = v.int("FS_CACHE_SIZE") {
        if cache % 4 != 0 {
            out.push(v.blame(
                Diagnostic::error(format!("fs-cache-size = {cache} is not a multiple of 4")).why("littlefs's caches hold whole program units, and the disks program 4 bytes at a time").hint(format!("set fs-cache-size = {}", cache.next_multiple_of(4))),
                &["FS_CACHE_SIZE"],
            ));
        } else if let Some(block) = block.filter(|b| *b > 0 && b % cache != 0) {
            let what = match flash {
                Some((name, _)) => format!("the erase sector of [drivers.{name}]'s flash bank, {block} bytes"),
                None => format!("fs-block-size, {block}"),
            };
            out.push(v.blame(
                Diagnostic::error(format!("fs-cache-size = {cache} does not divide the filesystem's block"))
                    .why(format!("littlefs reads and programs a block in cache-sized pieces, and the block is {what}"))
                    .hint("make fs-cache-size a power of two up to the block size, such as 64 or 256"),
                &["FS_CACHE_SIZE", "FS_BLOCK_SIZE"],
            ));
        }
    }
    if let Some(lookahead) = v.int("FS_LOOKAHEAD_SIZE").filter(|n| n % 4 != 0) {
        out.push(v.blame(
            Diagnostic::error(format!("fs-lookahead-size = {lookahead} is not a multiple of 4")).why("the fs component keeps littlefs's lookahead bitmap in 32-bit words").hint(format!("set fs-lookahead-size = {}", lookahead.next_multiple_of(4))),
            &["FS_LOOKAHEAD_SIZE"],
        ));
    }
}

struct Values<'a> {
    config: &'a Config,
    assignments: &'a [Assignment],
}

impl Values<'_> {
    fn on(&self, name: &str) -> bool {
        self.config.get(name).and_then(|s| s.value.as_ref()) == Some(&Value::Bool(true))
    }

    fn int(&self, name: &str) -> Option<u64> {
        match self.config.get(name)?.value.as_ref()? {
            Value::Int(n) => u64::try_from(*n).ok(),
            Value::Hex(h) => Some(*h),
            _ => None,
        }
    }

    /// Where `name` was last assigned, if anywhere.
    fn at(&self, name: &str) -> Option<&Assignment> {
        self.assignments.iter().rev().find(|a| name_of(&a.key) == name)
    }

    /// A diagnostic on the assignment of the first of `names` that has one.
    fn blame(&self, d: Diagnostic, names: &[&str]) -> Diagnostic {
        match names.iter().find_map(|n| self.at(n)) {
            Some(a) => keyed(d.at(a.location.clone()), format!("features.{}", a.key), None),
            None => keyed(d, format!("features.{}", crate::kconfig::key_of(names[0])), None),
        }
    }
}

/// Puts the key (and the value) first among a diagnostic's labels, where
/// every other diagnostic has them.
fn keyed(mut d: Diagnostic, key: String, value: Option<String>) -> Diagnostic {
    let mut front = vec![("key", key)];
    front.extend(value.map(|v| ("value", v)));
    let value_label = d.labels.iter().position(|(l, _)| *l == "value");
    if let (Some(i), true) = (value_label, front.len() == 1) {
        let v = d.labels.remove(i);
        front.push(v);
    }
    d.labels.splice(0..0, front);
    d
}

/// The kernel's table holds [`MAX_THREADS`] threads, spawn slots included;
/// without `threads` they run one after another and any number fits.
fn threads(device: &Device, v: &Values, out: &mut Vec<Diagnostic>) {
    if !v.on("THREADS") {
        return;
    }
    let spawn = if v.on("SPAWN") { v.int("SPAWN_THREADS").unwrap_or(0) as usize } else { 0 };
    let total = device.threads.len() + spawn;
    if total <= MAX_THREADS {
        return;
    }
    let mut in_file: Vec<_> = device.threads.iter().collect();
    in_file.sort_by_key(|t| t.at.as_ref().map(|l| (l.line, l.col)));
    let first_extra = in_file.get(MAX_THREADS.saturating_sub(spawn)).or(in_file.last());
    let with_spawn = if spawn > 0 { format!(" and {spawn} spawn slots (`spawn-threads = {spawn}`)") } else { String::new() };
    out.push(
        Diagnostic::error(format!("too many threads: {} declared{with_spawn}", device.threads.len()))
            .at(first_extra.and_then(|t| t.at.clone()))
            .key(first_extra.map_or("threads".into(), |t| format!("threads.{}", t.name)))
            .why(format!("the kernel schedules at most {MAX_THREADS} threads (one bit each in a 32-bit ready set); this one and those after it would never run"))
            .hint(if spawn > 0 {
                format!("remove {} thread{}, or lower `spawn-threads`", total - MAX_THREADS, if total - MAX_THREADS == 1 { "" } else { "s" })
            } else {
                format!("remove {} thread{}, or merge threads that share a priority", total - MAX_THREADS, if total - MAX_THREADS == 1 { "" } else { "s" })
            }),
    );
}

/// The tick period in timer counts must be one the arch's timer can count:
/// SysTick needs 2..=2^24 cycles per tick (its reload is the period less
/// one, 24 bits, and a reload of 0 never interrupts); the CLINT at least one
/// mtime count (the arch crate divides by it).
fn tick(device: &Device, v: &Values, out: &mut Vec<Diagnostic>) {
    if !v.on("PREEMPT") {
        return;
    }
    let Some(tick) = v.int("TICK_HZ").filter(|t| *t > 0) else { return };
    let (clock_name, min, max, timer) = match device.board.arch {
        crate::board::Arch::CortexM => ("SYSTICK_CLOCK_HZ", 2, SYSTICK_MAX_PERIOD, "SysTick"),
        crate::board::Arch::Riscv => ("MTIME_HZ", 1, u64::MAX, "mtime"),
        crate::board::Arch::Aarch64 => ("TIMER_HZ", 1, u64::MAX, "generic timer"),
    };
    let Some(clock) = v.int(clock_name) else { return };
    let period = clock / tick;
    if (min..=max).contains(&period) {
        return;
    }
    let clock_key = crate::kconfig::key_of(clock_name);
    let counts = format!("{clock} Hz / {tick} Hz is {period} {timer} counts per tick");
    let (why, hint) = if period < min {
        let cannot = if min == 2 {
            "at least 2 are needed: SysTick's reload is the count less one, a reload of 0 never interrupts, and at 0 the arch crate divides by zero"
        } else {
            "at least 1 is needed: the arch crate divides by it"
        };
        (format!("{counts}; {cannot}"), format!("lower `tick-hz` to at most {}, or raise `{clock_key}` to the timer's real clock", clock / min))
    } else {
        (
            format!("{counts}, but SysTick's 24-bit reload counts at most {max}: the reload would be cut to 24 bits silently and every sleep would take the wrong time"),
            format!("raise `tick-hz` to at least {}, or check `{clock_key}`", clock.div_ceil(max)),
        )
    };
    let d = Diagnostic::error(format!("`tick-hz = {tick}` does not fit the {timer} clock of {clock} Hz")).value(tick.to_string()).why(why).hint(hint);
    out.push(v.blame(d, &["TICK_HZ", clock_name]));
}

/// Every number bluegen writes into the image as a `usize` (hex Kconfig
/// symbols, the board's device addresses) must fit the target's `usize`;
/// int symbols get a Rust type wide enough for their range already.
fn constants(device: &Device, v: &Values, out: &mut Vec<Diagnostic>) {
    let bits = pointer_bits(&device.board.target);
    let max = usize_max(bits);
    for s in &v.config.symbols {
        let Some(Value::Hex(h)) = s.value else { continue };
        if s.ty != SymbolType::Hex || h <= max {
            continue;
        }
        let d = Diagnostic::error(format!("`{}` does not fit a {bits}-bit address", s.key))
            .value(format!("{h:#x}"))
            .why(format!("hex symbols become `usize` constants, and a `usize` of {} holds at most {max:#x}", device.board.target))
            .hint(format!("use an address of at most {max:#x}"));
        out.push(v.blame(d, &[s.name.as_str()]));
    }
    let board = &device.board;
    let mut addresses = Vec::new();
    if let Some(c) = &board.console {
        addresses.push(("console.base", c.base));
    }
    if let crate::board::Exit::SifiveTest { base } = board.exit {
        addresses.push(("exit.base", base));
    }
    for (key, value) in addresses {
        if value > max {
            out.push(
                Diagnostic::error(format!("board {}: `{key}` does not fit a {bits}-bit address", board.name))
                    .at(Some(Location::at(&board.path, 1, 1)))
                    .key(key)
                    .value(format!("{value:#x}"))
                    .why(format!("it becomes a `usize` constant of {}", board.target)),
            );
        }
    }
}

/// The registers a component addresses from a base-address symbol: the
/// symbol, the bytes from the base to the end of the last register it
/// touches, and what that register is. The offsets are the components'
/// (a test keeps them equal).
fn register_spans(v: &Values) -> Vec<(&'static str, u64, &'static str)> {
    let apb = v.int("USART_STM32_APB_ENR_OFFSET").unwrap_or(0);
    vec![
        ("CLINT_BASE", 0xBFF8 + 8, "arch-riscv's mtime at +0xbff8"),
        ("PLIC_BASE", 0x20_0004 + 4, "arch-riscv's PLIC claim/complete at +0x200004"),
        ("USART_STM32_RCC_BASE", apb.max(0x30).saturating_add(4), "usart-stm32's AHB1ENR at +0x30 and APBxENR at `usart-stm32-apb-enr-offset`"),
        ("USART_STM32_GPIO_BASE", 0x24 + 4, "usart-stm32's AFRH at +0x24"),
    ]
}

/// A base address must leave room for its registers below the end of the
/// address space: rustc refuses an address computed past it
/// (`arithmetic_overflow`), so the image would not compile.
fn register_blocks(device: &Device, v: &Values, out: &mut Vec<Diagnostic>) {
    let bits = pointer_bits(&device.board.target);
    let max = usize_max(bits);
    for (name, span, what) in register_spans(v) {
        // A base wider than `usize` is reported by `constants`.
        let Some(base) = v.int(name).filter(|b| *b <= max) else { continue };
        if u128::from(base) + u128::from(span) <= u128::from(max) + 1 {
            continue;
        }
        let key = crate::kconfig::key_of(name);
        let room = (u128::from(max) + 1).saturating_sub(u128::from(span));
        let d = Diagnostic::error(format!("`{key} = {base:#x}` leaves no room for its registers below the end of the address space"))
            .value(format!("{base:#x}"))
            .why(format!("the component addresses up to {span:#x} bytes past it ({what}), beyond the {bits}-bit address space of {}: rustc refuses the overflowing address", device.board.target))
            .hint(match u64::try_from(room) {
                Ok(most) if span <= max => format!("use a base of at most {most:#x}"),
                _ => "use a smaller offset".to_string(),
            });
        out.push(v.blame(d, &[name, "USART_STM32_APB_ENR_OFFSET"]));
    }
}

/// A spawned thread's stack obeys a declared thread's rules (see
/// [`crate::validate::MIN_STACK`]): at least 512 bytes, since the red zone
/// and a saved register frame take up to 384 (a 256-byte stack overflows
/// on its first switch on RV64), and a multiple of 8, as the stack's top
/// must be 8-byte aligned.
fn spawn_stack(v: &Values, out: &mut Vec<Diagnostic>) {
    if !v.on("SPAWN") {
        return;
    }
    let Some(size) = v.int("SPAWN_STACK_SIZE") else { return };
    let min = crate::validate::MIN_STACK;
    let why = if size < min {
        format!("a thread stack needs at least {min} bytes (128 of them are the overflow red zone, up to 256 the saved registers); a spawned thread's too")
    } else if size % 8 != 0 {
        "stacks are 8-byte aligned, so their size is a multiple of 8".to_string()
    } else {
        return;
    };
    let fix = size.max(min).next_multiple_of(8);
    let d = Diagnostic::error(format!("`spawn-stack-size = {size}` is not a usable stack")).value(size.to_string()).why(why).hint(format!("use {fix}"));
    out.push(v.blame(d, &["SPAWN_STACK_SIZE"]));
}

/// USART BRR of the STM32 console: `(pclk + baud / 2) / baud`, as
/// components/usart-stm32 computes it when the image is built.
fn usart_brr(pclk: u64, baud: u64) -> u64 {
    (pclk + baud / 2) / baud
}

/// The STM32 USART's divisor (BRR) must be 16..=0xFFFF: usart-stm32
/// asserts it at compile time, so a clock and baud rate whose ratio is
/// outside fails in rustc otherwise.
fn usart_stm32(v: &Values, out: &mut Vec<Diagnostic>) {
    let (Some(pclk), Some(baud)) = (v.int("USART_STM32_PCLK_HZ"), v.int("USART_STM32_BAUD")) else { return };
    let brr = |b: u64| usart_brr(pclk, b);
    if baud == 0 || (16..=0xFFFF).contains(&brr(baud)) {
        return;
    }
    // The baud rates this clock can divide down to: BRR falls as baud rises.
    // The baud rates this clock can divide down to (BRR falls as baud
    // rises), within the symbol's own range.
    let (lo, hi) = match v.config.get("USART_STM32_BAUD").and_then(|s| s.range) {
        Some((lo, hi)) => (lo.max(1) as u64, hi.max(1) as u64),
        None => (1, u64::from(u32::MAX)),
    };
    let mut fastest = (pclk / 15).clamp(lo, hi);
    while fastest > lo && brr(fastest) < 16 {
        fastest -= 1;
    }
    let mut slowest = (pclk / 0x1_0000).clamp(lo, hi);
    while slowest < hi && brr(slowest) > 0xFFFF {
        slowest += 1;
    }
    let d = Diagnostic::error(format!("`usart-stm32-baud = {baud}` cannot be divided from the USART clock of {pclk} Hz"))
        .value(baud.to_string())
        .why(format!(
            "the USART's divisor (BRR) is {pclk} Hz / {baud} baud = {}, but it must be 16 to 65535 (oversampling by 16, a 16-bit register)",
            brr(baud)
        ))
        .hint(format!("use a baud rate from {slowest} to {fastest}, or check `usart-stm32-pclk-hz`"));
    out.push(v.blame(d, &["USART_STM32_BAUD", "USART_STM32_PCLK_HZ"]));
}

/// Bytes of the kernel's idle thread stack (`IDLE_STACK_WORDS`,
/// components/kernel/src/sched.rs): 384 on 32-bit targets, 640 on 64-bit
/// ones, and the arch's extra (AArch64's record).
fn idle_stack(bits: u32, arch: crate::board::Arch) -> u64 {
    (if bits >= 64 { 640 } else { 384 }) + u64::from(arch.stack_extra())
}

/// RAM must hold the boot stack, the thread stacks (with `threads`), the
/// spawn pool and the heap arena; the statics of the kernel and the app
/// come on top and the linker counts those.
fn ram(device: &Device, v: &Values, boot_stack: u64, out: &mut Vec<Diagnostic>) {
    let mut parts = vec![(format!("the {} boot stack", human(boot_stack)), boot_stack)];
    let threads_on = v.on("THREADS");
    if threads_on && !device.threads.is_empty() {
        let sum: u64 = device.threads.iter().map(|t| u64::from(t.stack)).sum();
        let n = device.threads.len();
        parts.push((format!("{n} thread stack{} of {} in all", if n == 1 { "" } else { "s" }, human(sum)), sum));
        let idle = idle_stack(pointer_bits(&device.board.target), device.board.arch);
        parts.push((format!("the idle thread's {} stack", human(idle)), idle));
    }
    if threads_on && v.on("ISOLATION") {
        // Each isolated thread's own region holds its statics too, and the
        // unit's rules round and align the regions (largest first).
        let areas = crate::isolation::layout(device, true);
        let declared: u64 = areas.iter().map(|a| if a.thread { a.statics } else { a.declared }).sum();
        if declared > 0 {
            parts.push((format!("{} of isolated threads' statics and shared regions", human(declared)), declared));
        }
        let rules = crate::isolation::overhead(&areas);
        if rules > 0 {
            parts.push((format!("up to {} that the MPU's or PMP's size and alignment rules add", human(rules)), rules));
        }
    }
    if v.on("SPAWN") {
        // The kernel adds the arch's extra to each of the pool's stacks.
        let pool = v.int("SPAWN_THREADS").unwrap_or(0) * (v.int("SPAWN_STACK_SIZE").unwrap_or(0) + u64::from(device.board.arch.stack_extra()));
        parts.push((format!("the {} spawn pool", human(pool)), pool));
    }
    if v.on("HEAP") {
        let heap = v.int("HEAP_SIZE").unwrap_or(0);
        parts.push((format!("the {} heap", human(heap)), heap));
    }
    let mut disk = 0;
    if v.on("FS") {
        if !v.on("FS_FLASH") {
            disk = v.int("FS_BLOCK_COUNT").unwrap_or(0).saturating_mul(v.int("FS_BLOCK_SIZE").unwrap_or(0));
            parts.push((format!("the {} RAM disk", human(disk)), disk));
        }
        let cache = v.int("FS_CACHE_SIZE").unwrap_or(0);
        let buffers = (2 + v.int("FS_FILES").unwrap_or(0)).saturating_mul(cache).saturating_add(v.int("FS_LOOKAHEAD_SIZE").unwrap_or(0));
        parts.push((format!("the filesystem's {} of caches", human(buffers)), buffers));
    }
    let needed: u64 = parts.iter().map(|(_, n)| *n).fold(0, u64::saturating_add);
    let ram = device.ram.size;
    if needed <= ram {
        return;
    }
    let list = parts.iter().map(|(what, _)| what.as_str()).collect::<Vec<_>>().join(", ");
    let why = format!("{} of RAM must hold {list}: {} together", human(ram), human(needed));
    let d = Diagnostic::error(format!("RAM is too small: {} needed, {} available", human(needed), human(ram))).why(why);
    let board_ram = device.board.ram.size;
    let raise = needed.next_multiple_of(1024);
    if device.ram_set_here() {
        let hint = if raise <= board_ram {
            format!("raise `ram` to at least \"{}\" (the board has {}), or make the stacks smaller", human(raise), human(board_ram))
        } else {
            "make the stacks (or the heap) smaller: the board has no more RAM".to_string()
        };
        out.push(keyed(d.at(device.ram_at.clone()), "memory.ram".into(), Some(human(ram))).hint(hint));
        return;
    }
    // The board's RAM: blame the largest part the device sets.
    let largest = device.threads.iter().filter(|_| threads_on).max_by_key(|t| t.stack);
    if disk > largest.map_or(0, |t| u64::from(t.stack)) {
        let blocks = disk.saturating_sub(needed - ram) / v.int("FS_BLOCK_SIZE").unwrap_or(1).max(1);
        out.push(v.blame(d, &["FS_BLOCK_COUNT", "FS_BLOCK_SIZE"]).hint(format!("make the RAM disk {} smaller: fs-block-count = {blocks} at most, or keep the filesystem on flash (fs-flash)", human(needed - ram))));
        return;
    }
    // A model's arena is the largest part of its thread's stack: the model
    // is what to make smaller, where device.toml declares it.
    let arena = largest.and_then(|t| device.models.iter().filter(|m| m.thread == t.name).max_by_key(|m| m.arena));
    match (largest, arena) {
        (Some(t), Some(m)) if m.arena > u64::from(t.stack) / 2 => out.push(
            keyed(d.at(m.at.clone()), format!("models.{}", m.name), None)
                .note(format!("thread `{}`'s stack of {} B holds model `{}`'s arena of {} B: its activations, which bluegen sized from the model", t.name, t.stack, m.name, m.arena))
                .hint(format!("use a smaller model (its activations must shrink by {}), run it on a board with more RAM, or make the other stacks smaller", human(needed - ram))),
        ),
        (Some(t), _) => out.push(
            keyed(d.at(t.stack_at.clone()), format!("threads.{}.stack", t.name), Some(t.stack.to_string()))
                .hint(format!("make the stacks {} smaller in all; this one is the largest", human(needed - ram))),
        ),
        (None, _) => out.push(v.blame(d, &["HEAP_SIZE", "SPAWN_STACK_SIZE", "BOOT_STACK_SIZE"]).hint(format!("free {} of RAM", human(needed - ram)))),
    }
}

/// The bytes of the Cortex-M vector table at the flash origin: 16 words
/// (components/arch-cortex-m/src/exceptions.rs; a test keeps them equal).
pub const VECTOR_TABLE_BYTES: u64 = 16 * 4;

/// The alignment the flash origin needs, and why. Cortex-M boots from the
/// vector table there, and VTOR takes a table aligned to the next power of
/// two of its size, at least 128 bytes. RISC-V instructions need 2 bytes
/// with the C extension, 4 without; but the image's `.text` also holds the
/// trap vector, which mtvec needs 4-byte aligned, so the linker aligns
/// `.text` to 4 and a 2-aligned origin would put `_start` 2 bytes past the
/// first byte of flash, where the hart starts: 4 on every RISC-V target.
pub fn flash_alignment(arch: crate::board::Arch) -> (u64, String) {
    match arch {
        crate::board::Arch::CortexM => (
            VECTOR_TABLE_BYTES.next_power_of_two().max(128),
            format!("the vector table ({VECTOR_TABLE_BYTES} bytes) sits at the flash origin, and VTOR needs it aligned to the next power of two of its size, at least 128 bytes"),
        ),
        crate::board::Arch::Aarch64 => (
            2048,
            "the vector table, `_start` in its first entries, sits at the flash origin, where the loader jumps, and VBAR_EL1 needs it 2 KiB aligned".into(),
        ),
        crate::board::Arch::Riscv => (
            4,
            "the hart starts at the flash origin, where `_start` must be; the code there is 4-byte aligned (the trap vector in it needs that for mtvec), so the linker would move `_start` past an unaligned origin".into(),
        ),
    }
}

/// Why a flash origin is unaligned for `arch`, and the hint: the aligned
/// addresses either side.
pub fn unaligned_flash(arch: crate::board::Arch, origin: u64) -> Option<(String, String)> {
    let (align, why) = flash_alignment(arch);
    let down = format!("{:#x}", origin - origin % align);
    let near = origin.checked_next_multiple_of(align).map_or(down.clone(), |up| format!("{down} or {up:#x}"));
    (origin % align != 0).then(|| (why, format!("use a multiple of {align}: {near}")))
}

#[cfg(test)]
mod tests {
    /// The vector table bluegen aligns is arch-cortex-m's.
    #[test]
    fn vector_table_bytes_are_the_arch_crates() {
        let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../components/arch-cortex-m/src/exceptions.rs")).unwrap();
        let table = text.split("__bluegen_vectors:").nth(1).and_then(|t| t.split(".size __bluegen_vectors").next()).unwrap();
        assert_eq!(table.matches(".word").count() as u64 * 4, super::VECTOR_TABLE_BYTES, "arch-cortex-m changed its vector table");
    }

    /// bluegen's limit is the kernel's.
    #[test]
    fn max_threads_is_the_kernels() {
        let sched = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../components/kernel/src/sched.rs");
        let text = std::fs::read_to_string(sched).unwrap();
        assert!(text.contains(&format!("pub const MAX_THREADS: usize = {};", super::MAX_THREADS)), "components/kernel/src/sched.rs changed MAX_THREADS");
        let bytes = |bits| super::idle_stack(bits, crate::board::Arch::Riscv);
        assert!(text.contains(&format!("if cfg!(target_pointer_width = \"64\") {{ {} }} else {{ {} }}", bytes(64), bytes(32))), "components/kernel/src/sched.rs changed IDLE_STACK_WORDS");
        let extra = crate::board::Arch::Aarch64.stack_extra();
        assert!(text.contains(&format!("if cfg!(target_arch = \"aarch64\") {{ {extra} }} else {{ 0 }}")), "components/kernel/src/sched.rs changed ARCH_STACK_EXTRA");
    }

    /// The register offsets bluegen checks are the components'.
    #[test]
    fn register_offsets_are_the_components() {
        let read = |path: &str| std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../components").join(path)).unwrap();
        let switch = read("arch-riscv/src/switch.rs");
        assert!(switch.contains("bluegen_config::CLINT_BASE as usize + 0xBFF8;") && switch.contains("bluegen_config::CLINT_BASE as usize + 0x4000;"), "arch-riscv changed its CLINT offsets");
        let irq = read("arch-riscv/src/irq.rs");
        assert!(irq.contains("const PLIC_CLAIM: usize = PLIC + 0x20_0004;"), "arch-riscv changed its PLIC offsets");
        let usart = read("usart-stm32/src/lib.rs");
        for line in ["const RCC_AHB1ENR: usize = 0x30;", "const GPIO_MODER: usize = 0x00;", "const GPIO_AFRL: usize = 0x20;", "cfg::GPIO + GPIO_AFRL + if cfg::PIN >= 8 { 4 } else { 0 }"] {
            assert!(usart.contains(line), "usart-stm32 changed `{line}`");
        }
    }

    /// bluegen's BRR is the one usart-stm32 computes and asserts.
    #[test]
    fn usart_brr_is_the_components() {
        let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../components/usart-stm32/src/lib.rs");
        let text = std::fs::read_to_string(lib).unwrap();
        assert!(text.contains("const BRR_VALUE: u32 = (cfg::PCLK + cfg::BAUD / 2) / cfg::BAUD;"), "components/usart-stm32 changed how BRR is computed");
        assert!(text.contains("BRR_VALUE >= 16 && BRR_VALUE <= 0xFFFF"), "components/usart-stm32 changed BRR's bounds");
        assert_eq!(super::usart_brr(16_000_000, 115_200), 139);
    }
}
