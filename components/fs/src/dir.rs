//! Directories and what a path is: listing, metadata.

use crate::error::Error;
use crate::mount::{CPath, Fs, lfs};
use core::mem::MaybeUninit;
use littlefs2_sys as lfs;

/// A file or a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// What [`Fs::metadata`] says of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub kind: Kind,
    /// Bytes (0 for a directory).
    pub size: u32,
}

/// One entry of a directory listing.
pub struct DirEntry {
    info: lfs::lfs_info,
}

impl DirEntry {
    /// The entry's name (not its path); "?" if littlefs holds one that is
    /// not UTF-8.
    pub fn name(&self) -> &str {
        let bytes: &[u8] = {
            let name = &self.info.name;
            let len = name.iter().position(|&c| c == 0).unwrap_or(name.len());
            // SAFETY: `c_char` and `u8` have one layout; `len` is inside the array.
            unsafe { core::slice::from_raw_parts(name.as_ptr().cast::<u8>(), len) }
        };
        core::str::from_utf8(bytes).unwrap_or("?")
    }

    pub fn metadata(&self) -> Metadata {
        metadata_of(&self.info)
    }
}

fn metadata_of(info: &lfs::lfs_info) -> Metadata {
    if u32::from(info.type_) == lfs::lfs_type_LFS_TYPE_DIR as u32 {
        Metadata { kind: Kind::Dir, size: 0 }
    } else {
        Metadata { kind: Kind::File, size: info.size }
    }
}

impl Fs {
    /// What `path` is, and its size.
    pub fn metadata(&self, path: &str) -> Result<Metadata, Error> {
        let path = CPath::new(path)?;
        let mut info = MaybeUninit::<lfs::lfs_info>::zeroed();
        // SAFETY: mounted (this token); littlefs locks, fills `info`; the
        // path is NUL-terminated.
        Error::check(unsafe { lfs::lfs_stat(lfs().0, path.ptr(), info.as_mut_ptr()) })?;
        // SAFETY: zeroed is a valid `lfs_info` (integers and bytes), and
        // littlefs wrote it.
        Ok(metadata_of(unsafe { info.assume_init_ref() }))
    }

    /// Calls `each` with every entry of directory `path` (not `.` and
    /// `..`), in littlefs's order (by name), until it returns false.
    pub fn read_dir(&self, path: &str, mut each: impl FnMut(&DirEntry) -> bool) -> Result<(), Error> {
        let path = CPath::new(path)?;
        // The open directory stays on this stack frame, in littlefs's list
        // of open directories, until it is closed below.
        let mut dir = MaybeUninit::<lfs::lfs_dir_t>::zeroed();
        let fs = lfs().0;
        // SAFETY: mounted; littlefs locks; `dir` lives until the close.
        Error::check(unsafe { lfs::lfs_dir_open(fs, dir.as_mut_ptr(), path.ptr()) })?;
        // Closes it however this frame ends (a panic in `each` too): `dir`
        // is declared before, so it outlives the guard.
        struct Close(*mut lfs::lfs_t, *mut lfs::lfs_dir_t);
        impl Drop for Close {
            fn drop(&mut self) {
                // SAFETY: the directory is open, and closing takes it out
                // of littlefs's list before its frame ends.
                unsafe { lfs::lfs_dir_close(self.0, self.1) };
            }
        }
        let open = Close(fs, dir.as_mut_ptr());
        let mut entry = DirEntry { info: lfs::lfs_info::default() };
        let result = loop {
            // SAFETY: `dir` is open; littlefs fills `info`.
            match Error::check(unsafe { lfs::lfs_dir_read(fs, open.1, &mut entry.info) }) {
                Ok(0) => break Ok(()),
                Ok(_) if matches!(entry.name(), "." | "..") => {}
                Ok(_) => {
                    if !each(&entry) {
                        break Ok(());
                    }
                }
                Err(e) => break Err(e),
            }
        };
        let dir = open.1;
        core::mem::forget(open);
        // SAFETY: `dir` is open (the guard did not close it).
        let closed = Error::check(unsafe { lfs::lfs_dir_close(fs, dir) });
        result.and(closed.map(drop))
    }
}
