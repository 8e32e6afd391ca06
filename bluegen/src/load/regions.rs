//! Regions: `[regions.<name>]` of device.toml as written, for isolated threads.

use toml::Spanned;
use toml::de::DeValue;

use super::{Walker, in_file_order};

/// The keys of one `[regions.<name>]` table.
pub const REGION_KEYS: &[&str] = &["size", "peripheral", "access"];

/// One `[regions.<name>]` table: a RAM buffer bluegen places (`size`) or a
/// peripheral's register range (`peripheral`), and its access.
#[derive(Debug, Default)]
pub struct RawRegion {
    pub size: Option<Spanned<toml::Value>>,
    pub peripheral: Option<Spanned<String>>,
    pub access: Option<Spanned<toml::Value>>,
}

/// The `[regions]` table into `out`, each table's unknown keys reported.
pub(super) fn parse(
    p: &mut Walker<'_>,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    out: &mut Vec<(Spanned<String>, Spanned<RawRegion>)>,
) {
    let Some(t) = p.table(key, value, "regions", &[]) else { return };
    for (name, region) in in_file_order(t) {
        let path = format!("regions.{}", name.get_ref());
        if let Some(r) = p.table(name, region, &path, REGION_KEYS) {
            let raw = RawRegion { size: p.any(r, &path, "size"), peripheral: p.string(r, &path, "peripheral"), access: p.any(r, &path, "access") };
            out.push((p.key(name), Spanned::new(region.span(), raw)));
        }
    }
}
