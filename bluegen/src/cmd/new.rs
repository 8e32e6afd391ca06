//! `bluegen new`: create a device project from `kernel-templates/new/`.

use std::path::PathBuf;

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Result};
use crate::render::{render_tree, write_atomic};
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
        let board = Board::load(&root, &self.board, None).map_err(|e| relabel(e, "--board"))?;
        if let Some(preset) = &self.preset {
            crate::preset::assignments(&root, preset, None).map_err(|e| relabel(e, "--preset"))?;
        }
        let name = match &self.name {
            Some(name) => name.clone(),
            None => self.dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string(),
        };
        if !is_name(&name) {
            return Err(Diagnostic::error(format!("`{name}` cannot be a device name"))
                .key(if self.name.is_some() { "--name" } else { "DIR" })
                .why(crate::validate::name_problem(&name).unwrap_or_default())
                .hint("pass --name <NAME>, e.g. --name my-device")
                .into());
        }
        if self.dir.exists() {
            let empty = std::fs::read_dir(&self.dir).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty {
                return Err(Diagnostic::error(format!("`{}` already exists and is not empty", self.dir.display()))
                    .why("bluegen new never writes into a directory that holds files")
                    .hint("pick a new directory name, or empty this one first")
                    .into());
            }
        }
        let context = minijinja::context! {
            name => name.clone(),
            crate_name => name.replace('-', "_"),
            board => board.name.clone(),
            board_description => board.description,
            preset => self.preset,
            kernel_path => root.components().join("kernel").display().to_string(),
        };
        let files = render_tree(&root.templates().join("new"), &self.dir, &context)?;
        for (path, text) in &files {
            write_atomic(path, text.as_bytes())?;
        }
        println!("created device `{name}` for {} in {}", board.name, self.dir.display());
        println!("next: bluegen run {}", self.dir.display());
        Ok(0)
    }
}

/// Errors about a flag's value name the flag as the key.
fn relabel(mut err: Error, flag: &str) -> Error {
    for d in &mut err.diagnostics {
        for (label, text) in &mut d.labels {
            if *label == "key" {
                *text = flag.to_string();
            }
        }
    }
    err
}
