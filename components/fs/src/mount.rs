//! The one filesystem: its littlefs state, the kernel mutex littlefs locks, mount and format.

use crate::disk;
use crate::error::Error;
use bluegen_kernel::{Mutex, MutexGuard, Timeout};
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};
use littlefs2_sys as lfs;

/// Bytes of littlefs's read and program caches, and of each file's.
pub const CACHE_SIZE: usize = bluegen_config::FS_CACHE_SIZE as usize;
const LOOKAHEAD_SIZE: usize = bluegen_config::FS_LOOKAHEAD_SIZE as usize;

const _: () = assert!(CACHE_SIZE % 4 == 0 && CACHE_SIZE >= disk::PROG_SIZE, "FS_CACHE_SIZE is a multiple of 4");
const _: () = assert!(disk::BLOCK_SIZE % CACHE_SIZE == 0, "FS_CACHE_SIZE divides the block size");
const _: () = assert!(LOOKAHEAD_SIZE % 4 == 0, "FS_LOOKAHEAD_SIZE is a multiple of 4");

/// Static memory shared between threads under a rule of this crate's.
///
/// Each static of this type has one rule, written at its declaration, and
/// every access keeps it:
/// - littlefs's state, its caches and lookahead, and the disk: only
///   littlefs (C) touches them, between its lock and unlock callbacks,
///   that is while the calling thread holds the kernel mutex `LOCK`; code
///   of this crate that uses the disk directly holds `LOCK` too ([`hold`]).
/// - the configuration: written only under the mount mutex before the
///   first mount (nobody else reads it then), read-only afterwards.
/// - an open-file slot's file, configuration, cache and flags: only the
///   slot's owner (whoever took its `TAKEN` bit) touches them, littlefs
///   the file itself under `LOCK`.
pub struct Shared<T>(UnsafeCell<T>);

// SAFETY: the rules above give every access one thread at a time (a
// mutex, or the ownership of a slot), so sharing the cell between threads
// never makes two accesses overlap. No `T: Send` bound: littlefs's structs
// hold raw pointers, which this crate's statics point at one another.
unsafe impl<T> Sync for Shared<T> {}

impl<T> Shared<T> {
    pub const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    pub const fn get(&self) -> *mut T {
        self.0.get()
    }
}

/// littlefs's state. Only C touches it, under its lock.
static LFS: Shared<MaybeUninit<lfs::lfs_t>> = Shared::new(MaybeUninit::zeroed());
/// littlefs's configuration: written by `configure` under the mount
/// mutex before the first mount, read-only afterwards.
static CONFIG: Shared<MaybeUninit<lfs::lfs_config>> = Shared::new(MaybeUninit::zeroed());
static READ_CACHE: Shared<[u32; CACHE_SIZE / 4]> = Shared::new([0; CACHE_SIZE / 4]);
static PROG_CACHE: Shared<[u32; CACHE_SIZE / 4]> = Shared::new([0; CACHE_SIZE / 4]);
static LOOKAHEAD: Shared<[u32; LOOKAHEAD_SIZE / 4]> = Shared::new([0; LOOKAHEAD_SIZE / 4]);

/// The mutex littlefs's lock callbacks take.
static LOCK: Mutex<()> = Mutex::new(());

/// The guard of `LOCK`, which its holder keeps between littlefs's `lock`
/// and `unlock` callbacks.
struct Guard(UnsafeCell<Option<MutexGuard<'static, ()>>>);

// SAFETY: only the thread that holds LOCK touches the cell (the `lock`
// callback after acquiring it, `unlock` before releasing it), and littlefs
// unlocks in the thread that locked, so the guard, which is not `Send`, is
// dropped by the thread that made it.
unsafe impl Sync for Guard {}

static GUARD: Guard = Guard(UnsafeCell::new(None));

/// Serialises mount and format; true once mounted.
static MOUNT: Mutex<bool> = Mutex::new(false);
static MOUNTED: AtomicBool = AtomicBool::new(false);

unsafe extern "C" fn lock(_: *const lfs::lfs_config) -> c_int {
    if LOCK.is_locked() {
        bluegen_port::critical(|cs| WAITS.set(cs, WAITS.get(cs).wrapping_add(1)));
    }
    match LOCK.lock(Timeout::FOREVER) {
        Ok(guard) => {
            // SAFETY: this thread holds LOCK now, and only its holder
            // touches GUARD.
            unsafe { *GUARD.0.get() = Some(guard) };
            0
        }
        // Waiting for ever fails only for a thread that holds LOCK already
        // (littlefs entered twice, which it never does), or in a handler,
        // where the kernel ends the run. A failed lock would leave
        // littlefs's state half-done (a close that does not unlink its
        // file): end the run rather than go on.
        Err(_) => {
            bluegen_kernel::console::write_str("fs: littlefs's lock failed\n");
            bluegen_kernel::exit(1)
        }
    }
}

unsafe extern "C" fn unlock(_: *const lfs::lfs_config) -> c_int {
    // SAFETY: littlefs unlocks in the thread that locked, which holds LOCK.
    let guard = unsafe { (*GUARD.0.get()).take() };
    drop(guard);
    0
}

/// How many times a thread found the filesystem's mutex held and waited.
static WAITS: bluegen_port::CsCell<u32> = bluegen_port::CsCell::new(0);

/// How many times a littlefs call waited for another thread's (wrapping):
/// how much the threads contend for the filesystem.
pub fn lock_waits() -> u32 {
    bluegen_port::critical(|cs| WAITS.get(cs))
}

/// The filesystem's mutex, for code outside littlefs that uses the disk
/// (`None` only where the lock callback would end the run).
pub(crate) fn hold() -> Option<MutexGuard<'static, ()>> {
    LOCK.lock(Timeout::FOREVER).ok()
}

/// littlefs's state and configuration, for the C calls.
pub(crate) fn lfs() -> (*mut lfs::lfs_t, *const lfs::lfs_config) {
    (LFS.get().cast(), CONFIG.get().cast())
}

fn configure() {
    let config = lfs::lfs_config {
        context: core::ptr::null_mut::<c_void>(),
        read: Some(disk::read),
        prog: Some(disk::prog),
        erase: Some(disk::erase),
        sync: Some(disk::sync),
        lock: Some(lock),
        unlock: Some(unlock),
        read_size: disk::PROG_SIZE as u32,
        prog_size: disk::PROG_SIZE as u32,
        block_size: disk::BLOCK_SIZE as u32,
        block_count: disk::BLOCK_COUNT as u32,
        block_cycles: 500,
        cache_size: CACHE_SIZE as u32,
        lookahead_size: LOOKAHEAD_SIZE as u32,
        compact_thresh: 0,
        read_buffer: READ_CACHE.get().cast(),
        prog_buffer: PROG_CACHE.get().cast(),
        lookahead_buffer: LOOKAHEAD.get().cast(),
        name_max: 0,
        file_max: 0,
        attr_max: 0,
        metadata_max: 0,
        inline_max: 0,
    };
    // SAFETY: the caller holds MOUNT and the filesystem is not mounted, so
    // littlefs is not reading the configuration.
    unsafe { CONFIG.get().write(MaybeUninit::new(config)) };
}

/// Proof that the filesystem is mounted: its methods are the calls on
/// paths, and [`Fs::open`] the way to files. `Copy`: every thread may hold one.
#[derive(Clone, Copy)]
pub struct Fs(());

/// How full the disk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Blocks in use (littlefs's metadata pairs and file data).
    pub used_blocks: u32,
    pub total_blocks: u32,
    pub block_size: u32,
}

/// Mounts the filesystem (once; later calls return at once), formatting
/// the disk when it is blank. A disk that holds something else, or a
/// damaged filesystem, is [`Error::Corrupt`] and left as it is:
/// [`format`] erases it when the app decides so.
pub fn mount() -> Result<Fs, Error> {
    if MOUNTED.load(Ordering::Acquire) {
        return Ok(Fs(()));
    }
    let mut mounted = MOUNT.lock(Timeout::FOREVER).map_err(|_| Error::Io)?;
    if !*mounted {
        configure();
        let (fs, config) = lfs();
        // SAFETY: LFS and CONFIG are static, the configuration's buffers
        // and callbacks are this crate's; nobody else uses littlefs before
        // `mounted` is set.
        let mut result = Error::check(unsafe { lfs::lfs_mount(fs, config) });
        if result == Err(Error::Corrupt) && disk::blank() {
            // SAFETY: as above.
            Error::check(unsafe { lfs::lfs_format(fs, config) })?;
            // SAFETY: as above.
            result = Error::check(unsafe { lfs::lfs_mount(fs, config) });
        }
        result?;
        *mounted = true;
        MOUNTED.store(true, Ordering::Release);
    }
    Ok(Fs(()))
}

/// Erases the disk and writes an empty filesystem, then mounts it. Only
/// before the filesystem is mounted (after [`mount`] said
/// [`Error::Corrupt`]): [`Error::Mounted`] otherwise.
pub fn format() -> Result<Fs, Error> {
    let mut mounted = MOUNT.lock(Timeout::FOREVER).map_err(|_| Error::Io)?;
    if *mounted {
        return Err(Error::Mounted);
    }
    configure();
    let (fs, config) = lfs();
    // SAFETY: not mounted, and MOUNT is held: nobody else uses littlefs.
    Error::check(unsafe { lfs::lfs_format(fs, config) })?;
    // SAFETY: as above.
    Error::check(unsafe { lfs::lfs_mount(fs, config) })?;
    *mounted = true;
    MOUNTED.store(true, Ordering::Release);
    Ok(Fs(()))
}

/// A path as littlefs takes it: NUL-terminated, in a buffer on the stack.
pub(crate) struct CPath([u8; 256]);

impl CPath {
    pub(crate) fn new(path: &str) -> Result<Self, Error> {
        let bytes = path.as_bytes();
        if bytes.contains(&0) {
            return Err(Error::Invalid);
        }
        let mut buf = [0u8; 256];
        buf.get_mut(..bytes.len()).filter(|_| bytes.len() < 256).ok_or(Error::NameTooLong)?.copy_from_slice(bytes);
        Ok(Self(buf))
    }

    pub(crate) fn ptr(&self) -> *const core::ffi::c_char {
        self.0.as_ptr().cast()
    }
}

impl Fs {
    /// Removes a file or an empty directory.
    pub fn remove(&self, path: &str) -> Result<(), Error> {
        let path = CPath::new(path)?;
        // SAFETY: mounted (this token); littlefs locks; the path is
        // NUL-terminated and lives for the call.
        Error::check(unsafe { lfs::lfs_remove(lfs().0, path.ptr()) }).map(drop)
    }

    /// Renames (moves) a file or directory, replacing `to` if it is a file
    /// or an empty directory.
    pub fn rename(&self, from: &str, to: &str) -> Result<(), Error> {
        let (from, to) = (CPath::new(from)?, CPath::new(to)?);
        // SAFETY: as in `remove`.
        Error::check(unsafe { lfs::lfs_rename(lfs().0, from.ptr(), to.ptr()) }).map(drop)
    }

    /// Makes a directory.
    pub fn create_dir(&self, path: &str) -> Result<(), Error> {
        let path = CPath::new(path)?;
        // SAFETY: as in `remove`.
        Error::check(unsafe { lfs::lfs_mkdir(lfs().0, path.ptr()) }).map(drop)
    }

    /// The blocks in use and the disk's geometry.
    pub fn usage(&self) -> Result<Usage, Error> {
        // SAFETY: mounted; littlefs locks.
        let used = Error::check(unsafe { lfs::lfs_fs_size(lfs().0) })?;
        Ok(Usage { used_blocks: used as u32, total_blocks: disk::BLOCK_COUNT as u32, block_size: disk::BLOCK_SIZE as u32 })
    }
}
