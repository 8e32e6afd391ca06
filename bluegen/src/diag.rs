//! Diagnostics: every user mistake becomes one of these, with place and hint.
//!
//! A [`Diagnostic`] names what is wrong (`message`), where (`location`, a
//! file:line:col with the source line), the key and value involved, why it is
//! wrong and what to do about it (`hint`). Errors that several checks find
//! together travel as one [`Error`] holding all of them, so a user fixes a
//! whole device.toml in one round instead of one mistake per run.
//!
//! Styling (colour, caret underlines) belongs to [`render`] alone: the strings
//! inside a diagnostic are plain text, so tests can snapshot them.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the pipeline.
    Error,
    /// Reported, but the pipeline goes on.
    Warning,
}

/// A place in a text file, 1-based, with the line's text for the excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    /// The source line and the number of columns to underline.
    pub excerpt: Option<(String, usize)>,
}

impl Location {
    /// A location without an excerpt (for files we did not read as text).
    pub fn at(file: impl Into<PathBuf>, line: usize, col: usize) -> Self {
        Location { file: file.into(), line, col, excerpt: None }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// One finding, ready to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// `(label, text)` lines printed after the excerpt: key, value, why, note.
    pub labels: Vec<(&'static str, String)>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            labels: Vec::new(),
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// The configuration key involved, e.g. `device.board`.
    pub fn key(self, key: impl Into<String>) -> Self {
        self.label("key", key)
    }

    /// The offending value, as the user wrote it.
    pub fn value(self, value: impl Into<String>) -> Self {
        self.label("value", value)
    }

    /// Why the value is rejected.
    pub fn why(self, why: impl Into<String>) -> Self {
        self.label("why", why)
    }

    pub fn note(self, note: impl Into<String>) -> Self {
        self.label("note", note)
    }

    pub fn label(mut self, label: &'static str, text: impl Into<String>) -> Self {
        self.labels.push((label, text.into()));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds "did you mean `x`?" when some candidate is close to `wrong`,
    /// else the `otherwise` hint: a mistake always gets one.
    pub fn suggest<'a>(self, wrong: &str, candidates: impl IntoIterator<Item = &'a str>, otherwise: impl Into<String>) -> Self {
        match did_you_mean(wrong, candidates) {
            Some(hint) => self.hint(hint),
            None => self.hint(otherwise),
        }
    }
}

/// The error type of every bluegen stage: one or more diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub fn new(diagnostic: Diagnostic) -> Self {
        Error { diagnostics: vec![diagnostic] }
    }

    /// Shorthand for an error with a message only.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(Diagnostic::error(message))
    }

    /// An I/O failure on `path`, with the operation that failed.
    /// A failed file operation, with what to check for its kind of failure.
    pub fn io(what: &str, path: &Path, err: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let quoted = crate::cli::shell_quote(&path.display().to_string());
        let hint = match err.kind() {
            K::NotFound => format!("check the path: `ls -ld {quoted}`"),
            K::PermissionDenied => format!("check its permissions and owner: `ls -ld {quoted}`"),
            K::IsADirectory => "name a file there, not a directory".to_string(),
            K::StorageFull | K::QuotaExceeded => "free some disk space, then run the command again".to_string(),
            K::ReadOnlyFilesystem => "that file system is mounted read-only: use a writable place".to_string(),
            _ => format!("check the path and its permissions: `ls -ld {quoted}`"),
        };
        Error::new(Diagnostic::error(format!("cannot {what} `{}`", path.display())).why(err.to_string()).hint(hint))
    }

    /// Collects diagnostics into `Ok(())` when none is an error.
    pub fn check(diagnostics: Vec<Diagnostic>) -> Result<Vec<Diagnostic>> {
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            Err(Error { diagnostics })
        } else {
            Ok(diagnostics)
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::new(d)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render(&self.diagnostics))
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A text file kept in memory so that byte spans become file:line:col.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// Reads a text file; one that is not UTF-8 (as TOML requires) is an
    /// error at its first bad byte.
    pub fn read(path: &Path) -> Result<Source> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { path: path.to_path_buf(), text }),
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let lossy = Source { path: path.to_path_buf(), text: String::from_utf8_lossy(&bytes).into_owned() };
                let prefix = Source { path: path.to_path_buf(), text: String::from_utf8_lossy(&bytes[..good]).into_owned() };
                let (line, col) = prefix.line_col(good);
                let excerpt = lossy.text.lines().nth(line - 1).unwrap_or("").to_string();
                Err(Diagnostic::error(format!("`{}` is not UTF-8 text", path.display()))
                    .at(Some(Location { file: path.to_path_buf(), line, col, excerpt: Some((excerpt, 1)) }))
                    .value(format!("byte 0x{:02x}", bytes[good]))
                    .why("bluegen reads text files as UTF-8 (TOML and JSON require it), and this byte cannot start or continue a UTF-8 character")
                    .hint(format!("save it as UTF-8 (from Latin-1, say: `iconv -f latin1 -t utf-8 {0} > {0}.utf8`, then rename it)", crate::cli::shell_quote(&path.display().to_string())))
                    .into())
            }
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The location of a byte span, with the first line of it as excerpt.
    pub fn location(&self, span: Range<usize>) -> Location {
        let (line, col) = self.line_col(span.start);
        let text = self.text.lines().nth(line - 1).unwrap_or("").to_string();
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, span.end.min(self.text.len())).max(start);
        let first_line = self.text[start..end].split('\n').next().unwrap_or("");
        let width = first_line.chars().count().max(1);
        Location { file: self.path.clone(), line, col, excerpt: Some((text, width)) }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Sorts diagnostics the way a user reads `file`: those located in it by
/// line and column, then the rest (other files, no location) as found.
pub fn in_line_order(diagnostics: &mut [Diagnostic], file: &Path) {
    diagnostics.sort_by_key(|d| match &d.location {
        Some(l) if l.file == file => (0, l.line, l.col),
        _ => (1, 0, 0),
    });
}

/// "did you mean `x`?" for the candidate closest to `wrong`, if any is close.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&wrong.to_lowercase(), &c.to_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Renders diagnostics as plain text, the way the CLI prints them.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{level}: {}", d.message);
        let gutter = d.location.as_ref().map_or(1, |l| l.line.to_string().len());
        let pad = " ".repeat(gutter);
        if let Some(loc) = &d.location {
            let _ = writeln!(out, "{pad}--> {loc}");
            if let Some((text, width)) = &loc.excerpt {
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{} | {}", loc.line, text);
                let indent: String =
                    text.chars().take(loc.col - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                let _ = writeln!(out, "{pad} | {indent}{}", "^".repeat(*width));
            }
        }
        for (label, text) in &d.labels {
            let _ = writeln!(out, "{pad} = {label}: {text}");
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "{pad} = hint: {hint}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_line_and_column() {
        let src = Source { path: "d.toml".into(), text: "[device]\nboard = \"x\"\n".into() };
        let loc = src.location(17..20);
        assert_eq!((loc.line, loc.col), (2, 9));
        assert_eq!(loc.excerpt, Some(("board = \"x\"".to_string(), 3)));
    }

    #[test]
    fn renders_key_value_why_and_hint() {
        let src = Source { path: "d.toml".into(), text: "[device]\nboard = \"qemu-mps2-an358\"\n".into() };
        let d = Diagnostic::error("unknown board `qemu-mps2-an358`")
            .at(Some(src.location(17..34)))
            .key("device.board")
            .value("\"qemu-mps2-an358\"")
            .why("there is no boards/qemu-mps2-an358.toml")
            .suggest("qemu-mps2-an358", ["qemu-mps2-an385", "qemu-virt-rv32"], "see `bluegen boards`");
        insta::assert_snapshot!(render(&[d]), @r#"
        error: unknown board `qemu-mps2-an358`
         --> d.toml:2:9
          |
        2 | board = "qemu-mps2-an358"
          |         ^^^^^^^^^^^^^^^^^
          = key: device.board
          = value: "qemu-mps2-an358"
          = why: there is no boards/qemu-mps2-an358.toml
          = hint: did you mean `qemu-mps2-an385`?
        "#);
    }

    #[test]
    fn no_suggestion_when_nothing_is_close() {
        assert_eq!(did_you_mean("zzz", ["console", "banner"]), None);
    }
}
