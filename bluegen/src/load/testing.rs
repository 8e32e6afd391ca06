//! Testing: the `[test]` table of device.toml as written.

use toml::Spanned;
use toml::de::DeValue;

use super::Walker;

/// The keys of `[test]`.
pub const TEST_KEYS: &[&str] = &["boards", "console", "exit", "timeout", "qemu-args"];

/// `[test]`: what a passing run of the device looks like. Values are kept
/// as written; [`crate::validate`] checks them.
#[derive(Debug, Default)]
pub struct RawTest {
    pub boards: Option<Spanned<toml::Value>>,
    pub console: Option<Spanned<toml::Value>>,
    pub exit: Option<Spanned<toml::Value>>,
    pub timeout: Option<Spanned<toml::Value>>,
    pub qemu_args: Option<Spanned<toml::Value>>,
    /// The console's entries, each with its own span (the array's
    /// [`toml::Value`] has none).
    pub console_items: Vec<Spanned<toml::Value>>,
    /// Each of `boards`' names with its span.
    pub board_items: Vec<Spanned<toml::Value>>,
}

/// The `[test]` table, its unknown keys reported.
pub(super) fn parse(p: &mut Walker<'_>, key: &Spanned<std::borrow::Cow<'_, str>>, value: &Spanned<DeValue<'_>>) -> Option<Spanned<RawTest>> {
    let t = p.table(key, value, "test", TEST_KEYS)?;
    let items = |p: &mut Walker<'_>, name: &str| -> Vec<Spanned<toml::Value>> {
        let Some(DeValue::Array(a)) = t.get(name).map(Spanned::get_ref) else { return Vec::new() };
        a.iter().filter_map(|v| p.value(v, &format!("test.{name}"))).collect()
    };
    let raw = RawTest {
        boards: p.any(t, "test", "boards"),
        console: p.any(t, "test", "console"),
        exit: p.any(t, "test", "exit"),
        timeout: p.any(t, "test", "timeout"),
        qemu_args: p.any(t, "test", "qemu-args"),
        console_items: items(p, "console"),
        board_items: items(p, "boards"),
    };
    Some(Spanned::new(key.span(), raw))
}
