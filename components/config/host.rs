// Host defaults of the bluegen configuration, for builds and tests of the
// component crates outside an image (the workspace's .cargo/config.toml points
// BLUEGEN_CONFIG_RS here). Images get a file that bluegen renders from the
// resolved Kconfig symbols instead; the values here are the Kconfig defaults.

/// Console output: the kernel prints to the board's console.
pub const CONSOLE: bool = true;
/// Print the source location of a panic before the run ends.
pub const PANIC_LOCATION: bool = true;
/// Print a one-line banner when the kernel starts.
pub const BANNER: bool = false;
/// Boot stack size (bytes).
pub const BOOT_STACK_SIZE: u32 = 1024;
/// Baud rate divisor of the CMSDK UART.
pub const CMSDK_UART_BAUDDIV: u32 = 217;
/// Baud rate divisor of the NS16550A UART.
pub const NS16550_DIVISOR: u32 = 1;
/// Threads with their own stacks and a priority scheduler.
pub const THREADS: bool = false;
/// Tick, sleep and preemption.
pub const PREEMPT: bool = false;
/// Stack overflow detection.
pub const STACK_CHECK: bool = true;
/// Counting semaphore.
pub const SEMAPHORE: bool = false;
/// Mutex with priority inheritance.
pub const MUTEX: bool = false;
/// Event flags.
pub const EVENTS: bool = false;
/// Message queue.
pub const QUEUE: bool = false;
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
/// CLINT mtime frequency (Hz).
pub const MTIME_HZ: u32 = 10000000;
/// Software timers.
pub const TIMERS: bool = false;
/// Tickless idle.
pub const TICKLESS: bool = false;
/// Dynamic threads (spawn and join).
pub const SPAWN: bool = false;
/// Spawned threads at a time.
pub const SPAWN_THREADS: u32 = 2;
/// Stack of each spawned thread (bytes).
pub const SPAWN_STACK_SIZE: u32 = 1024;
