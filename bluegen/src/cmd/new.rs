//! `bluegen new`: create a device project from `kernel-templates/new/`.

use std::path::{Path, PathBuf};

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Result};
use crate::files::write_atomic;
use crate::render::render_tree;
use crate::root::Root;
use crate::validate::is_name;

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// The project directory to create (it must not exist, or be empty).
    pub dir: PathBuf,
    /// The board the device is built for (`bluegen boards` lists them).
    #[arg(long)]
    pub board: String,
    /// A preset from configs/ to start from.
    #[arg(long)]
    pub preset: Option<String>,
    /// The device name [default: the directory's name].
    #[arg(long)]
    pub name: Option<String>,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let root = Root::discover()?;
        let board = Board::load(&root, &self.board, None, "--board")?;
        if let Some(preset) = &self.preset {
            crate::preset::assignments(&root, preset, None, "--preset")?;
        }
        let name = match &self.name {
            Some(name) => name.clone(),
            None => dir_name(&self.dir)?,
        };
        if !is_name(&name) {
            let (key, what) = match &self.name {
                Some(_) => ("--name", format!("`{name}`")),
                None => ("DIR", format!("`{name}`, the directory's name,")),
            };
            return Err(Diagnostic::error(format!("{what} cannot be a device name"))
                .key(key)
                .value(name.clone())
                .why(crate::validate::name_problem(&name).unwrap_or_default())
                .hint(format!("pass --name {}", suggested_name(&name)))
                .into());
        }
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(Diagnostic::error(format!("`{}` already exists and is not a directory", self.dir.display()))
                .key("DIR")
                .value(self.dir.display().to_string())
                .why("bluegen new creates a project directory; a file (or a device) of that name is in the way, and bluegen never replaces it")
                .hint("pick a new directory name")
                .into());
        }
        if self.dir.exists() {
            let empty = std::fs::read_dir(&self.dir).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty {
                return Err(Diagnostic::error(format!("`{}` already exists and is not empty", self.dir.display()))
                    .key("DIR")
                    .value(self.dir.display().to_string())
                    .why("bluegen new never writes into a directory that holds files")
                    .hint("pick a new directory name, or empty this one first")
                    .into());
            }
        }
        let context = minijinja::context! {
            name => name.clone(),
            crate_name => name.replace('-', "_"),
            board => board.name.clone(),
            // One line: it goes into a TOML comment.
            board_description => board.description.split_whitespace().collect::<Vec<_>>().join(" "),
            emulated => board.qemu.is_some(),
            preset => self.preset,
            // Escaped by the template's `toml_str` filter: a checkout path
            // may hold `"` or `\`.
            kernel_path => root.components().join("kernel").display().to_string(),
        };
        let files = render_tree(&root.templates().join("new"), &self.dir, &context)?;
        for (path, text) in &files {
            write_atomic(path, text.as_bytes())?;
        }
        crate::outln!("created device `{name}` for {} in {}", board.name, self.dir.display())?;
        // Emulated boards boot in QEMU; real ones are programmed through a probe.
        let next = if board.qemu.is_some() { "run" } else { "flash" };
        crate::outln!("next: bluegen {next} {}", crate::cli::shell_quote(&self.dir.display().to_string()))?;
        Ok(0)
    }
}

/// The device name a directory gives: its last component, after `.` and
/// `..` are resolved (`bluegen new .` names the device after the current
/// directory).
fn dir_name(dir: &Path) -> Result<String> {
    let full = match std::fs::canonicalize(dir) {
        Ok(full) => full,
        Err(_) => std::path::absolute(dir).map_err(|e| Error::io("resolve", dir, e))?,
    };
    let name = full.file_name().map(|n| n.to_string_lossy().into_owned());
    name.filter(|n| !n.is_empty()).ok_or_else(|| {
        Diagnostic::error(format!("`{}` names no directory to take a device name from", dir.display()))
            .key("DIR")
            .hint("pass --name <NAME>, e.g. --name my-device")
            .into()
    })
}

/// A valid device name close to `name` (`My Device` → `my-device`, `ünï`
/// → `uni`): letters transliterated to ASCII, at most 32 characters, or
/// `my-device` when fewer than two letters or digits are left.
fn suggested_name(name: &str) -> String {
    // Letters and digits are transliterated, symbols (emoji: `slight smile`) are not.
    let ascii: String = name.chars().map(|c| if c.is_ascii() { c.to_string() } else if c.is_alphanumeric() { deunicode::deunicode_char(c).unwrap_or("-").to_string() } else { "-".into() }).collect();
    let lower: String = ascii.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let parts = lower.trim_start_matches(|c: char| !c.is_ascii_lowercase()).split('-').filter(|p| !p.is_empty());
    let mut candidate = String::new();
    for part in parts {
        let sep = usize::from(!candidate.is_empty());
        if candidate.len() + sep + part.len() > 32 {
            if candidate.is_empty() {
                candidate = part[..32].to_string();
            }
            break;
        }
        if sep == 1 {
            candidate.push('-');
        }
        candidate.push_str(part);
    }
    if candidate.len() >= 2 && is_name(&candidate) { candidate } else { "my-device".to_string() }
}
