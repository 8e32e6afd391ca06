//! Files: atomic writes that keep a user's links, mode, line endings and BOM.
//!
//! Every file bluegen writes goes through [`write_atomic`] (or
//! [`write_if_changed`]): the new content goes to a temporary file next to
//! the target, which then replaces it with one rename, so a reader never sees
//! half a file and a failed write leaves the old one. The write behaves as
//! writing the file in place would, only atomically:
//! - a symbolic link is followed and its *target* is replaced, so the link
//!   stays a link (a device.toml kept in a dotfiles repository stays there);
//! - the file keeps its permission bits (and, where allowed, owner and group);
//! - a read-only file (no write bit at all) is refused with an error naming
//!   it, as the user asked for it not to change; bluegen never chmods it.
//!
//! [`UserText`] is for edits of a user's text (device.toml): it reads the
//! file as LF text without a BOM, and writes the edited text back with the
//! file's own line endings (CRLF or LF) and its BOM, if it had one.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Error, Result};

/// How many links are followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Writes `content` to `path` atomically unless the file already holds
/// exactly that. Returns whether it wrote.
pub fn write_if_changed(path: &Path, content: &[u8]) -> Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    write_atomic(path, content)?;
    Ok(true)
}

/// Writes `content` to `path` through a temporary file and a rename, through
/// symbolic links, keeping the file's mode; refuses a read-only file.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let target = resolve_links(path)?;
    let old = std::fs::metadata(&target).ok();
    if let Some(meta) = &old {
        if !meta.is_file() {
            return Err(Diagnostic::error(format!("cannot write `{}`: it is not a regular file", path.display()))
                .hint("pass the path of a file, or of a directory bluegen may create it in")
                .into());
        }
        if meta.permissions().readonly() {
            return Err(read_only(path, &target));
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    let name = target.file_name().map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{unique}.bluegen-tmp", std::process::id()));
    let result = write_tmp(&tmp, &target, content, old.as_ref()).and_then(|()| {
        std::fs::rename(&tmp, &target).map_err(|e| Error::io("replace", &target, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Whether bluegen may replace `path`: an error naming it when it is read-only.
pub fn check_writable(path: &Path) -> Result<()> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if meta.permissions().readonly() => Err(read_only(path, &target)),
        _ => Ok(()),
    }
}

fn read_only(path: &Path, target: &Path) -> Error {
    let shown = if target == path { format!("`{}`", path.display()) } else { format!("`{}` (a link to `{}`)", path.display(), target.display()) };
    Diagnostic::error(format!("{shown} is read-only"))
        .why("the file has no write permission, so bluegen leaves it as it is")
        .hint(format!("make it writable first if it should change: chmod u+w {}", crate::cli::shell_quote(&target.display().to_string())))
        .into()
}

/// The new file: content, the old file's mode (and owner where allowed), on
/// disk. Failures name `target`, the user's file, not the temporary one.
fn write_tmp(tmp: &Path, target: &Path, content: &[u8], old: Option<&std::fs::Metadata>) -> Result<()> {
    use std::io::Write as _;
    let failed = |what: &str, e: std::io::Error| {
        let mut err = Error::io(what, target, e);
        if let Some(d) = err.diagnostics.last_mut() {
            d.labels.push(("note", format!("bluegen writes a temporary file next to it, {}, then renames it", tmp.display())));
        }
        err
    };
    let mut file = std::fs::File::create(tmp).map_err(|e| failed("write", e))?;
    file.write_all(content).map_err(|e| failed("write", e))?;
    if let Some(meta) = old {
        file.set_permissions(meta.permissions()).map_err(|e| failed("set the permissions of", e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            // Best effort, as an editor does: only root may give a file away.
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
    }
    file.sync_all().map_err(|e| failed("write", e))
}

/// The file a path finally names: symbolic links followed (relative targets
/// are relative to the link's directory); a path that is no link is itself.
pub fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current).map_err(|e| Error::io("read the link", &current, e))?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(Diagnostic::error(format!("cannot write `{}`: too many levels of symbolic links", path.display()))
        .hint("check the links for a loop (`ls -l`)")
        .into())
}

const BOM: &str = "\u{feff}";

/// A user's text file, read for an edit that keeps its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserText {
    /// The text with LF line endings and without a BOM, as editors see it.
    pub text: String,
    bom: bool,
    crlf: bool,
}

impl UserText {
    /// Splits `raw` into the text to edit and the form to write it back in.
    /// A file is CRLF when most of its line endings are.
    pub fn parse(raw: &str) -> UserText {
        let (bom, body) = match raw.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let crlf_count = body.matches("\r\n").count();
        let crlf = crlf_count > 0 && crlf_count * 2 >= body.matches('\n').count();
        let text = if crlf { body.replace("\r\n", "\n") } else { body.to_string() };
        UserText { text, bom, crlf }
    }

    pub fn read(path: &Path) -> Result<UserText> {
        let raw = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Ok(UserText::parse(&raw))
    }

    /// `text` (LF, no BOM) in this file's form: its line endings, its BOM.
    pub fn encode(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        if self.bom {
            out.push_str(BOM);
        }
        if self.crlf {
            // Lines already ending in CRLF (a lone edit) are kept as they are.
            out.push_str(&text.replace("\r\n", "\n").replace('\n', "\r\n"));
        } else {
            out.push_str(text);
        }
        out
    }

    /// Writes `text` back to `path` in this file's form; returns whether
    /// the file changed.
    pub fn write(&self, path: &Path, text: &str) -> Result<bool> {
        if text == self.text {
            return Ok(false);
        }
        write_if_changed(path, self.encode(text).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_bom_come_back_as_they_were() {
        let raw = "\u{feff}[device]\r\nname = \"x\"\r\n";
        let t = UserText::parse(raw);
        assert_eq!(t.text, "[device]\nname = \"x\"\n");
        assert_eq!(t.encode(&t.text), raw);
        assert_eq!(t.encode("[device]\nname = \"y\"\n\n[features]\n"), "\u{feff}[device]\r\nname = \"y\"\r\n\r\n[features]\r\n");
    }

    #[test]
    fn lf_files_stay_lf() {
        let t = UserText::parse("a = 1\nb = 2\n");
        assert_eq!(t.encode("a = 1\nb = 3\n"), "a = 1\nb = 3\n");
    }

    #[test]
    fn a_relative_link_is_followed_from_its_directory() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("real")).unwrap();
        std::fs::write(tmp.path().join("real/device.toml"), "old").unwrap();
        std::os::unix::fs::symlink("real/device.toml", tmp.path().join("link.toml")).unwrap();
        std::os::unix::fs::symlink("link.toml", tmp.path().join("link2.toml")).unwrap();
        assert_eq!(resolve_links(&tmp.path().join("link2.toml")).unwrap(), tmp.path().join("real/device.toml"));
        write_atomic(&tmp.path().join("link2.toml"), b"new").unwrap();
        assert!(std::fs::symlink_metadata(tmp.path().join("link2.toml")).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(tmp.path().join("real/device.toml")).unwrap(), "new");
    }

    #[test]
    fn a_link_loop_is_an_error_not_a_hang() {
        let tmp = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("b", tmp.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", tmp.path().join("b")).unwrap();
        let err = write_atomic(&tmp.path().join("a"), b"x").unwrap_err();
        assert!(err.to_string().contains("too many levels of symbolic links"), "{err}");
    }
}
