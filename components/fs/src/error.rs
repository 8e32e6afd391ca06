//! What a filesystem call can fail with: littlefs's errors, by name.

use core::ffi::c_int;
use littlefs2_sys as lfs;

/// A failed filesystem call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The disk failed a read, program or erase.
    Io,
    /// The disk holds something that is not a littlefs filesystem, or a
    /// damaged one ([`crate::mount`] formats only a blank disk).
    Corrupt,
    /// No such file or directory.
    NotFound,
    /// It exists already.
    Exists,
    /// A path component is not a directory.
    NotADirectory,
    /// A directory where a file was meant.
    IsADirectory,
    /// The directory is not empty.
    NotEmpty,
    /// The file is not open for that (reading a file opened write-only).
    BadFile,
    /// The file would outgrow littlefs's largest (2 GiB).
    TooBig,
    /// An invalid argument: a path with a NUL byte, a seek before the start.
    Invalid,
    /// The disk is full.
    NoSpace,
    /// littlefs ran out of its static buffers.
    NoMemory,
    /// A path or name longer than 255 bytes.
    NameTooLong,
    /// All `FS_FILES` slots of the open-file table are in use.
    TooManyOpen,
    /// [`crate::format`] on a mounted filesystem.
    Mounted,
}

impl Error {
    /// littlefs's negative error code as an error, other values as `Ok`.
    pub(crate) fn check(code: c_int) -> Result<c_int, Error> {
        if code >= 0 {
            return Ok(code);
        }
        Err(match code {
            lfs::lfs_error_LFS_ERR_CORRUPT => Error::Corrupt,
            lfs::lfs_error_LFS_ERR_NOENT => Error::NotFound,
            lfs::lfs_error_LFS_ERR_EXIST => Error::Exists,
            lfs::lfs_error_LFS_ERR_NOTDIR => Error::NotADirectory,
            lfs::lfs_error_LFS_ERR_ISDIR => Error::IsADirectory,
            lfs::lfs_error_LFS_ERR_NOTEMPTY => Error::NotEmpty,
            lfs::lfs_error_LFS_ERR_BADF => Error::BadFile,
            lfs::lfs_error_LFS_ERR_FBIG => Error::TooBig,
            lfs::lfs_error_LFS_ERR_INVAL => Error::Invalid,
            lfs::lfs_error_LFS_ERR_NOSPC => Error::NoSpace,
            lfs::lfs_error_LFS_ERR_NOMEM => Error::NoMemory,
            lfs::lfs_error_LFS_ERR_NAMETOOLONG => Error::NameTooLong,
            _ => Error::Io,
        })
    }

    /// The POSIX error number (picolibc's values).
    pub fn errno(self) -> c_int {
        match self {
            Error::Io => 5,
            Error::Corrupt => 5,
            Error::NotFound => 2,
            Error::Exists => 17,
            Error::NotADirectory => 20,
            Error::IsADirectory => 21,
            Error::NotEmpty => 90,
            Error::BadFile => 9,
            Error::TooBig => 27,
            Error::Invalid => 22,
            Error::NoSpace => 28,
            Error::NoMemory => 12,
            Error::NameTooLong => 91,
            Error::TooManyOpen => 24,
            Error::Mounted => 16,
        }
    }

    /// A short description, for the console.
    pub fn as_str(self) -> &'static str {
        match self {
            Error::Io => "disk I/O error",
            Error::Corrupt => "corrupt filesystem",
            Error::NotFound => "no such file or directory",
            Error::Exists => "file exists",
            Error::NotADirectory => "not a directory",
            Error::IsADirectory => "is a directory",
            Error::NotEmpty => "directory not empty",
            Error::BadFile => "file not open for that",
            Error::TooBig => "file too large",
            Error::Invalid => "invalid argument",
            Error::NoSpace => "no space left on the disk",
            Error::NoMemory => "out of buffers",
            Error::NameTooLong => "name too long",
            Error::TooManyOpen => "too many open files",
            Error::Mounted => "filesystem is mounted",
        }
    }
}

impl embedded_io::Error for Error {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind;
        match self {
            Error::NotFound => ErrorKind::NotFound,
            Error::Exists => ErrorKind::AlreadyExists,
            Error::Invalid | Error::NameTooLong => ErrorKind::InvalidInput,
            Error::NoSpace | Error::TooBig => ErrorKind::OutOfMemory,
            Error::NoMemory | Error::TooManyOpen => ErrorKind::OutOfMemory,
            Error::BadFile => ErrorKind::PermissionDenied,
            Error::Corrupt => ErrorKind::InvalidData,
            _ => ErrorKind::Other,
        }
    }
}
