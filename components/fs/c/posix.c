/* POSIX file calls on the filesystem (Kconfig FS_POSIX): the fs component's C side.
 *
 * open, close, read, write, lseek, fsync, ftruncate, unlink, rmdir,
 * rename, mkdir, stat and fstat, with picolibc's own types and flags, on
 * the Rust side's open-file table (components/fs/src/posix.rs): file
 * descriptor 3 + n is slot n, which only descriptors own (a Rust `File`
 * never shares one). Descriptors 1 and 2 write to the console, 0 reads
 * end of file. Each call sets errno as POSIX says and returns -1 on
 * failure. */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* littlefs's open flags (lfs.h's LFS_O_*). */
#define BG_RDONLY 1
#define BG_WRONLY 2
#define BG_CREAT 0x0100
#define BG_EXCL 0x0200
#define BG_TRUNC 0x0400
#define BG_APPEND 0x0800

/* The Rust side: a slot number or size when >= 0, else -errno. */
int __bluegen_fs_open(const char *path, int lfs_flags);
int __bluegen_fs_close(int slot);
long __bluegen_fs_read(int slot, void *buf, size_t n);
long __bluegen_fs_write(int slot, const void *buf, size_t n);
long __bluegen_fs_seek(int slot, long offset, int whence);
int __bluegen_fs_sync(int slot);
int __bluegen_fs_truncate(int slot, unsigned long len);
int __bluegen_fs_size(int slot, uint32_t *size);
int __bluegen_fs_stat(const char *path, uint32_t *size, int *is_dir);
int __bluegen_fs_remove(const char *path);
int __bluegen_fs_rename(const char *from, const char *to);
int __bluegen_fs_mkdir(const char *path);
void __bluegen_libc_write(const char *bytes, size_t len);

#define FIRST_FD 3

static int fail(long code)
{
	errno = (int)-code;
	return -1;
}

int open(const char *path, int flags, ...)
{
	int lfs = 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: lfs = BG_RDONLY; break;
	case O_WRONLY: lfs = BG_WRONLY; break;
	case O_RDWR: lfs = BG_RDONLY | BG_WRONLY; break;
	default: errno = EINVAL; return -1;
	}
	if (flags & O_CREAT) lfs |= BG_CREAT;
	if (flags & O_EXCL) lfs |= BG_EXCL;
	if (flags & O_TRUNC) lfs |= BG_TRUNC;
	if (flags & O_APPEND) lfs |= BG_APPEND;
	/* The mode (with O_CREAT) means nothing to littlefs: no owners. */
	int slot = __bluegen_fs_open(path, lfs);
	return slot < 0 ? fail(slot) : FIRST_FD + slot;
}

int close(int fd)
{
	if (fd < FIRST_FD) return fd >= 0 ? 0 : fail(-EBADF);
	int r = __bluegen_fs_close(fd - FIRST_FD);
	return r < 0 ? fail(r) : 0;
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (fd == 0) return 0;
	if (fd < FIRST_FD) return fail(-EBADF);
	long r = __bluegen_fs_read(fd - FIRST_FD, buf, n);
	return r < 0 ? fail(r) : (ssize_t)r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (fd == 1 || fd == 2) {
		__bluegen_libc_write(buf, n);
		return (ssize_t)n;
	}
	if (fd < FIRST_FD) return fail(-EBADF);
	long r = __bluegen_fs_write(fd - FIRST_FD, buf, n);
	return r < 0 ? fail(r) : (ssize_t)r;
}

off_t lseek(int fd, off_t offset, int whence)
{
	if (fd < FIRST_FD) return fail(fd < 0 ? -EBADF : -ESPIPE);
	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return fail(-EINVAL);
	if (offset > INT32_MAX || offset < INT32_MIN) return fail(-EOVERFLOW);
	/* littlefs's whence values are POSIX's (0, 1, 2). */
	long r = __bluegen_fs_seek(fd - FIRST_FD, (long)offset, whence);
	return r < 0 ? fail(r) : (off_t)r;
}

int fsync(int fd)
{
	if (fd < FIRST_FD) return fd >= 0 ? 0 : fail(-EBADF);
	int r = __bluegen_fs_sync(fd - FIRST_FD);
	return r < 0 ? fail(r) : 0;
}

int ftruncate(int fd, off_t len)
{
	if (fd < FIRST_FD) return fail(-EBADF);
	if (len < 0 || len > INT32_MAX) return fail(-EINVAL);
	int r = __bluegen_fs_truncate(fd - FIRST_FD, (unsigned long)len);
	return r < 0 ? fail(r) : 0;
}

static int remove_kind(const char *path, int want_dir)
{
	uint32_t size;
	int is_dir;
	int r = __bluegen_fs_stat(path, &size, &is_dir);
	if (r < 0) return fail(r);
	if (is_dir != want_dir) return fail(want_dir ? -ENOTDIR : -EISDIR);
	r = __bluegen_fs_remove(path);
	return r < 0 ? fail(r) : 0;
}

int unlink(const char *path)
{
	return remove_kind(path, 0);
}

int rmdir(const char *path)
{
	return remove_kind(path, 1);
}

int rename(const char *from, const char *to)
{
	int r = __bluegen_fs_rename(from, to);
	return r < 0 ? fail(r) : 0;
}

int mkdir(const char *path, mode_t mode)
{
	(void)mode;
	int r = __bluegen_fs_mkdir(path);
	return r < 0 ? fail(r) : 0;
}

static void fill(struct stat *st, uint32_t size, int is_dir)
{
	memset(st, 0, sizeof *st);
	st->st_mode = (is_dir ? S_IFDIR : S_IFREG) | 0777;
	st->st_nlink = 1;
	st->st_size = is_dir ? 0 : (off_t)size;
	st->st_blksize = 512;
	st->st_blocks = (st->st_size + 511) / 512;
}

int stat(const char *path, struct stat *st)
{
	uint32_t size;
	int is_dir;
	int r = __bluegen_fs_stat(path, &size, &is_dir);
	if (r < 0) return fail(r);
	fill(st, size, is_dir);
	return 0;
}

int fstat(int fd, struct stat *st)
{
	if (fd >= 0 && fd < FIRST_FD) {
		memset(st, 0, sizeof *st);
		st->st_mode = S_IFCHR | 0666;
		return 0;
	}
	uint32_t size;
	int r = fd < 0 ? -EBADF : __bluegen_fs_size(fd - FIRST_FD, &size);
	if (r < 0) return fail(r);
	fill(st, size, 0);
	return 0;
}
