//! Files for apps: littlefs, the fail-safe flash filesystem, on a disk the kernel provides, shared by threads.
//!
//! [`mount`] gives the [`Fs`] token (the first call formats a blank disk);
//! its methods open, list, stat, rename and remove, and a [`File`] is
//! embedded-io's `Read`, `Write` and `Seek`, closed when dropped. littlefs
//! is C (crates.io's `littlefs2-sys` compiles it, built with
//! `LFS_THREADSAFE`); its lock callbacks take one kernel [`Mutex`], so any
//! thread may use any file or path at any time, and a thread waiting for it
//! lends its priority to the holder.
//!
//! The disk is Kconfig's choice: a RAM disk of `FS_BLOCK_COUNT` blocks of
//! `FS_BLOCK_SIZE` bytes, or with `FS_FLASH` the flash bank device.toml's
//! pflash-cfi01 `[drivers.<name>]` drives, in blocks of its erase sector.
//! littlefs is copy-on-write with two metadata copies: a power cut loses
//! at most what a file had written since its last `sync` or close, never
//! the filesystem. Open files come from a table of `FS_FILES` (each with a
//! cache of `FS_CACHE_SIZE` bytes); everything is static, nothing is
//! allocated.
//!
//! ```text
//! let fs = bluegen_fs::mount()?;
//! let mut log = fs.create("/log.txt")?;
//! log.write_all(b"boot\n")?;
//! log.close()?;
//! fs.read_dir("/", |entry| { console::write_str(entry.name()); true })?;
//! ```
//!
//! [`Mutex`]: bluegen_kernel::Mutex

#![no_std]

#[cfg(feature = "strings")]
extern crate tinyrlibc as _;

#[cfg(feature = "fs")]
mod dir;
#[cfg(feature = "fs")]
mod disk;
#[cfg(feature = "fs")]
mod error;
#[cfg(feature = "fs")]
mod file;
#[cfg(feature = "fs")]
mod mount;
#[cfg(feature = "fs-posix")]
mod posix;

#[cfg(feature = "fs")]
pub use dir::{DirEntry, Kind, Metadata};
#[cfg(feature = "fs")]
pub use embedded_io::{self, Read, Seek, SeekFrom, Write};
#[cfg(feature = "fs")]
pub use error::Error;
#[cfg(feature = "fs")]
pub use file::{File, OpenOptions};
#[cfg(feature = "fs")]
pub use mount::{Fs, Usage, format, lock_waits, mount};
