// Host defaults of the bluegen configuration, for builds and tests of the
// component crates outside an image (the workspace's .cargo/config.toml points
// BLUEGEN_CONFIG_RS here). Images get a file that bluegen renders from the
// resolved Kconfig symbols instead; the values here are the Kconfig defaults.
// Bool symbols are not constants: they are cargo features of the crates that
// read them (see src/lib.rs).

/// Boot stack size (bytes).
pub const BOOT_STACK_SIZE: u32 = 1024;
/// Baud rate divisor of the CMSDK UART.
pub const CMSDK_UART_BAUDDIV: u32 = 217;
/// Baud rate divisor of the NS16550A UART.
pub const NS16550_DIVISOR: u32 = 1;
/// Thread priority levels.
pub const PRIORITIES: u32 = 32;
/// Tick rate (Hz).
pub const TICK_HZ: u32 = 100;
/// Round-robin time slice (ticks).
pub const TIME_SLICE_TICKS: u32 = 10;
/// SysTick clock (Hz).
pub const SYSTICK_CLOCK_HZ: u32 = 25000000;
/// CLINT base address.
pub const CLINT_BASE: usize = 0x2000000;
/// PLIC base address.
pub const PLIC_BASE: usize = 0xc000000;
/// CLINT mtime frequency (Hz).
pub const MTIME_HZ: u32 = 10000000;
/// Spawned threads at a time.
pub const SPAWN_THREADS: u32 = 2;
/// Stack of each spawned thread (bytes).
pub const SPAWN_STACK_SIZE: u32 = 1024;
/// Timers at a time (TIMER_MAX).
pub const POSIX_TIMER_MAX: u32 = 4;
/// The device's interrupts' numbers: none on the host.
pub mod irq {}
/// RAM disk block size (bytes).
pub const FS_BLOCK_SIZE: u32 = 512;
/// RAM disk blocks.
pub const FS_BLOCK_COUNT: u32 = 32;
/// Cache size (bytes).
pub const FS_CACHE_SIZE: u32 = 64;
/// Lookahead buffer (bytes).
pub const FS_LOOKAHEAD_SIZE: u32 = 16;
/// Open files at a time.
pub const FS_FILES: u32 = 4;
