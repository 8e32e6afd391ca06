//! `bluegen menuconfig`: the terminal UI over a device's configuration.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::diag::{Diagnostic, Result};

#[derive(Debug, clap::Args)]
pub struct Cmd {
    /// A device.toml, or a directory holding one [default: .]
    pub path: Option<PathBuf>,
}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        // A read-only device.toml is refused before the UI starts, not at the first save.
        let manifest = crate::pipeline::manifest_path(self.path.as_deref())?;
        crate::files::check_writable(&manifest).map_err(|mut e| {
            for d in &mut e.diagnostics {
                d.labels.push(("note", "`bluegen config` shows the configuration without changing the file".into()));
            }
            e
        })?;
        if !std::io::stdout().is_terminal() {
            return Err(Diagnostic::error("menuconfig needs a terminal")
                .why("standard output is not a terminal")
                .hint("from scripts, use `bluegen config set` and `bluegen config unset`")
                .into());
        }
        let (_, plan) = crate::pipeline::plan(Some(&manifest), None)?;
        let image_dir = plan.device.image_dir();
        let mut state = crate::menuconfig::state::State::new(plan);
        state.estimator = crate::menuconfig::estimate::Estimator::load(&image_dir);
        crate::menuconfig::run(&mut state)?;
        Ok(0)
    }
}
