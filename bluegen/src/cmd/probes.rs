//! `bluegen probes`: the debug probes attached to this machine.

use crate::diag::Result;

#[derive(Debug, clap::Args)]
pub struct Cmd {}

impl Cmd {
    pub fn run(self) -> Result<u8> {
        let probes = probe_rs::probe::list::Lister::new().list_all();
        if probes.is_empty() {
            crate::outln!("no debug probe found")?;
        }
        for p in &probes {
            let serial = p.serial_number.as_deref().map(|s| format!(":{s}")).unwrap_or_default();
            crate::outln!("{:04x}:{:04x}{serial}  {}", p.vendor_id, p.product_id, p.identifier)?;
        }
        Ok(0)
    }
}
