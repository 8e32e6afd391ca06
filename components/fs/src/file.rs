//! Open files: a table of `FS_FILES` slots, each a littlefs file and its cache.

use crate::error::Error;
use crate::mount::{CACHE_SIZE, CPath, Fs, Shared, lfs};
use bluegen_port::CsCell;
use core::mem::MaybeUninit;
use littlefs2_sys as lfs;

/// Open files at a time.
pub const FILES: usize = bluegen_config::FS_FILES as usize;
const _: () = assert!(FILES >= 1 && FILES <= 32);

/// One slot: littlefs keeps the open file in its list of open files, so
/// it stays where it is until closed.
struct Slot {
    file: Shared<MaybeUninit<lfs::lfs_file_t>>,
    config: Shared<MaybeUninit<lfs::lfs_file_config>>,
    cache: Shared<[u32; CACHE_SIZE / 4]>,
    /// The open flags: littlefs does not check reads and writes against
    /// them (only its assertions do), so this crate does.
    flags: Shared<u32>,
}

static SLOTS: [Slot; FILES] = [const { Slot { file: Shared::new(MaybeUninit::zeroed()), config: Shared::new(MaybeUninit::zeroed()), cache: Shared::new([0; CACHE_SIZE / 4]), flags: Shared::new(0) } }; FILES];

/// Bit `i`: slot `i` is taken. Bit `i` of `BY_C`: a C file descriptor owns it.
static TAKEN: CsCell<u32> = CsCell::new(0);
#[cfg(feature = "fs-posix")]
pub(crate) static BY_C: CsCell<u32> = CsCell::new(0);

fn take_slot(by_c: bool) -> Option<usize> {
    let _ = by_c;
    bluegen_port::critical(|cs| {
        let taken = TAKEN.get(cs);
        let free = (0..FILES).find(|i| taken & (1 << i) == 0)?;
        TAKEN.set(cs, taken | 1 << free);
        #[cfg(feature = "fs-posix")]
        if by_c {
            BY_C.set(cs, BY_C.get(cs) | 1 << free);
        }
        Some(free)
    })
}

fn free_slot(slot: usize) {
    bluegen_port::critical(|cs| {
        TAKEN.set(cs, TAKEN.get(cs) & !(1 << slot));
        #[cfg(feature = "fs-posix")]
        BY_C.set(cs, BY_C.get(cs) & !(1 << slot));
    });
}

/// How to open a file, as `std::fs::OpenOptions`: read, write, append,
/// truncate, create, create_new.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    flags: u32,
}

impl OpenOptions {
    pub const fn new() -> Self {
        Self { flags: 0 }
    }

    const fn with(self, flag: u32, on: bool) -> Self {
        Self { flags: if on { self.flags | flag } else { self.flags & !flag } }
    }

    pub const fn read(self, on: bool) -> Self {
        self.with(lfs::lfs_open_flags_LFS_O_RDONLY as u32, on)
    }

    pub const fn write(self, on: bool) -> Self {
        self.with(lfs::lfs_open_flags_LFS_O_WRONLY as u32, on)
    }

    /// Every write goes to the end (and so writes).
    pub const fn append(self, on: bool) -> Self {
        let this = self.with(lfs::lfs_open_flags_LFS_O_APPEND as u32, on);
        if on { this.write(true) } else { this }
    }

    /// Cut the file to 0 bytes when opening it.
    pub const fn truncate(self, on: bool) -> Self {
        self.with(lfs::lfs_open_flags_LFS_O_TRUNC as u32, on)
    }

    /// Make the file if it does not exist.
    pub const fn create(self, on: bool) -> Self {
        self.with(lfs::lfs_open_flags_LFS_O_CREAT as u32, on)
    }

    /// Make the file; [`Error::Exists`] if it does.
    pub const fn create_new(self, on: bool) -> Self {
        self.with((lfs::lfs_open_flags_LFS_O_CREAT | lfs::lfs_open_flags_LFS_O_EXCL) as u32, on)
    }

    #[cfg(feature = "fs-posix")]
    pub(crate) const fn from_flags(flags: u32) -> Self {
        Self { flags }
    }
}

/// An open file, closed when dropped (or with [`File::close`], which says
/// whether the last writes reached the disk). embedded-io's `Read`,
/// `Write` and `Seek` read and write it.
pub struct File {
    slot: u8,
}

impl Fs {
    /// Opens `path` for reading.
    pub fn open(&self, path: &str) -> Result<File, Error> {
        self.open_with(path, OpenOptions::new().read(true))
    }

    /// Opens `path` for writing, made if missing and cut to 0 bytes.
    pub fn create(&self, path: &str) -> Result<File, Error> {
        self.open_with(path, OpenOptions::new().write(true).create(true).truncate(true))
    }

    /// Opens `path` as `options` say.
    pub fn open_with(&self, path: &str, options: OpenOptions) -> Result<File, Error> {
        open(path, options, false).map(|slot| File { slot: slot as u8 })
    }
}

/// The public open flags; C's are masked to them (littlefs keeps its
/// internal state flags in the same word).
const PUBLIC: u32 = (lfs::lfs_open_flags_LFS_O_RDWR | lfs::lfs_open_flags_LFS_O_CREAT | lfs::lfs_open_flags_LFS_O_EXCL | lfs::lfs_open_flags_LFS_O_TRUNC | lfs::lfs_open_flags_LFS_O_APPEND) as u32;

/// Opens `path` into a free slot, owned by C (a file descriptor) or Rust.
/// As std's `OpenOptions`: neither read nor write, or truncate, create or
/// append without write, is [`Error::Invalid`] (littlefs would commit a
/// truncation or a new entry through a read-only file).
pub(crate) fn open(path: &str, options: OpenOptions, by_c: bool) -> Result<usize, Error> {
    let flags = options.flags & PUBLIC;
    let write = flags & lfs::lfs_open_flags_LFS_O_WRONLY as u32 != 0;
    let needs_write = (lfs::lfs_open_flags_LFS_O_CREAT | lfs::lfs_open_flags_LFS_O_EXCL | lfs::lfs_open_flags_LFS_O_TRUNC | lfs::lfs_open_flags_LFS_O_APPEND) as u32;
    if flags & lfs::lfs_open_flags_LFS_O_RDWR as u32 == 0 || (!write && flags & needs_write != 0) {
        return Err(Error::Invalid);
    }
    let options = OpenOptions { flags };
    let path = CPath::new(path)?;
    let slot = take_slot(by_c).ok_or(Error::TooManyOpen)?;
    let s = &SLOTS[slot];
    let config = lfs::lfs_file_config { buffer: s.cache.get().cast(), attrs: core::ptr::null_mut(), attr_count: 0 };
    // SAFETY: the slot is this caller's alone (taken above), and not open:
    // littlefs does not know its file or configuration.
    unsafe { s.config.get().write(MaybeUninit::new(config)) };
    // SAFETY: as above: the slot is this caller's alone.
    unsafe { s.flags.get().write(options.flags) };
    // SAFETY: mounted (the caller has an `Fs`); the file, its configuration
    // and cache are static and this slot's; the path is NUL-terminated.
    let result = unsafe { lfs::lfs_file_opencfg(lfs().0, file_ptr(slot), path.ptr(), options.flags as i32, s.config.get().cast()) };
    if let Err(e) = Error::check(result) {
        free_slot(slot);
        return Err(e);
    }
    Ok(slot)
}

fn file_ptr(slot: usize) -> *mut lfs::lfs_file_t {
    SLOTS[slot].file.get().cast()
}

/// The calls on an open slot, shared by [`File`] and the C descriptors.
pub(crate) mod raw {
    use super::*;

    // Every call: the caller owns open slot `slot` (a `File`, or a C
    // descriptor's bit), so the file is open and nobody else uses it, and
    // littlefs locks.
    /// Whether the slot's file was opened with `flag`.
    fn opened(slot: usize, flag: lfs::lfs_open_flags) -> Result<(), Error> {
        // SAFETY: the caller owns the slot; only its owner writes the flags.
        let flags = unsafe { *SLOTS[slot].flags.get() };
        if flags & flag as u32 != 0 { Ok(()) } else { Err(Error::BadFile) }
    }

    pub fn read(slot: usize, buf: &mut [u8]) -> Result<usize, Error> {
        opened(slot, lfs::lfs_open_flags_LFS_O_RDONLY)?;
        // SAFETY: the caller owns the open slot; `buf` is writable for its length.
        let n = unsafe { lfs::lfs_file_read(lfs().0, file_ptr(slot), buf.as_mut_ptr().cast(), buf.len() as u32) };
        Error::check(n).map(|n| n as usize)
    }

    pub fn write(slot: usize, buf: &[u8]) -> Result<usize, Error> {
        opened(slot, lfs::lfs_open_flags_LFS_O_WRONLY)?;
        // SAFETY: the caller owns the open slot; `buf` is readable for its length.
        let n = unsafe { lfs::lfs_file_write(lfs().0, file_ptr(slot), buf.as_ptr().cast(), buf.len() as u32) };
        Error::check(n).map(|n| n as usize)
    }

    pub fn seek(slot: usize, offset: i32, whence: i32) -> Result<u32, Error> {
        // SAFETY: the caller owns the open slot.
        let at = unsafe { lfs::lfs_file_seek(lfs().0, file_ptr(slot), offset, whence) };
        Error::check(at).map(|at| at as u32)
    }

    pub fn sync(slot: usize) -> Result<(), Error> {
        // SAFETY: the caller owns the open slot.
        let r = unsafe { lfs::lfs_file_sync(lfs().0, file_ptr(slot)) };
        Error::check(r).map(drop)
    }

    pub fn size(slot: usize) -> Result<u32, Error> {
        // SAFETY: the caller owns the open slot.
        let n = unsafe { lfs::lfs_file_size(lfs().0, file_ptr(slot)) };
        Error::check(n).map(|n| n as u32)
    }

    pub fn truncate(slot: usize, len: u32) -> Result<(), Error> {
        opened(slot, lfs::lfs_open_flags_LFS_O_WRONLY)?;
        // SAFETY: the caller owns the open slot.
        let r = unsafe { lfs::lfs_file_truncate(lfs().0, file_ptr(slot), len) };
        Error::check(r).map(drop)
    }

    /// Closes the file and frees its slot, whatever littlefs says.
    pub fn close(slot: usize) -> Result<(), Error> {
        // SAFETY: the caller owns the open slot and gives it up here.
        let r = unsafe { lfs::lfs_file_close(lfs().0, file_ptr(slot)) };
        free_slot(slot);
        Error::check(r).map(drop)
    }
}

impl File {
    /// The file's size in bytes.
    pub fn len(&self) -> Result<u32, Error> {
        raw::size(self.slot.into())
    }

    /// Writes what is cached to the disk: after this a power cut keeps it.
    pub fn sync(&mut self) -> Result<(), Error> {
        raw::sync(self.slot.into())
    }

    /// Cuts or extends (with zeros) the file to `len` bytes.
    pub fn set_len(&mut self, len: u32) -> Result<(), Error> {
        raw::truncate(self.slot.into(), len)
    }

    /// Closes the file: its last writes reach the disk, or the error says
    /// why not.
    pub fn close(self) -> Result<(), Error> {
        let slot = self.slot.into();
        core::mem::forget(self);
        raw::close(slot)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = raw::close(self.slot.into());
    }
}

impl embedded_io::ErrorType for File {
    type Error = Error;
}

impl embedded_io::Read for File {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        raw::read(self.slot.into(), buf)
    }
}

impl embedded_io::Write for File {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        raw::write(self.slot.into(), buf)
    }

    fn flush(&mut self) -> Result<(), Error> {
        self.sync()
    }
}

impl embedded_io::Seek for File {
    fn seek(&mut self, pos: embedded_io::SeekFrom) -> Result<u64, Error> {
        let (offset, whence) = match pos {
            embedded_io::SeekFrom::Start(n) => (i32::try_from(n).map_err(|_| Error::Invalid)?, lfs::lfs_whence_flags_LFS_SEEK_SET),
            embedded_io::SeekFrom::Current(n) => (i32::try_from(n).map_err(|_| Error::Invalid)?, lfs::lfs_whence_flags_LFS_SEEK_CUR),
            embedded_io::SeekFrom::End(n) => (i32::try_from(n).map_err(|_| Error::Invalid)?, lfs::lfs_whence_flags_LFS_SEEK_END),
        };
        raw::seek(self.slot.into(), offset, whence as i32).map(u64::from)
    }
}
