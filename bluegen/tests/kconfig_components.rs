//! The components' own Kconfig files: they parse and resolve (their speed is
//! the bench's `check_ms` row).
//!
//! Every `components/*/Kconfig` of the repository is loaded together, as a
//! build of an image with every component would, and resolved with no
//! assignments (the defaults) and with each bool symbol switched on.

use std::path::{Path, PathBuf};

use bluegen::kconfig::{self, Assignment, ComponentKconfig, Origin, SymbolType};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn components() -> Vec<ComponentKconfig> {
    let mut out: Vec<ComponentKconfig> = std::fs::read_dir(repo().join("components"))
        .unwrap()
        .filter_map(|e| {
            let dir = e.unwrap().path();
            let path = dir.join("Kconfig");
            path.is_file()
                .then(|| ComponentKconfig { component: dir.file_name().unwrap().to_string_lossy().into_owned(), path })
        })
        .collect();
    out.sort_by(|a, b| a.component.cmp(&b.component));
    out
}

#[test]
fn every_component_kconfig_parses_and_resolves() {
    let files = components();
    assert!(files.iter().any(|f| f.component == "kernel"));
    let tree = kconfig::load(&files).unwrap_or_else(|e| panic!("{e}"));
    let config = kconfig::resolve(&tree, &[]).unwrap_or_else(|e| panic!("{e}"));
    for s in &config.symbols {
        assert!(s.defined_at.starts_with(&format!("components/{}/", s.component)), "{}: {}", s.name, s.defined_at);
        assert!(!s.defined_at.ends_with(":0"), "{} has no line", s.name);
        assert_eq!(s.key, s.name.to_lowercase().replace('_', "-"));
    }
    for c in config.constants() {
        let ok = match c.rust_type.as_str() {
            "bool" => c.value.parse::<bool>().is_ok(),
            "u32" => c.value.parse::<u32>().is_ok(),
            "i32" => c.value.parse::<i32>().is_ok(),
            "u64" => c.value.parse::<u64>().is_ok(),
            "i64" => c.value.parse::<i64>().is_ok(),
            "usize" => c.value.starts_with("0x"),
            "&str" => c.value.starts_with('"') && c.value.ends_with('"'),
            _ => false,
        };
        assert!(ok, "{}: {} = {}", c.name, c.rust_type, c.value);
    }
}

#[test]
fn every_visible_bool_can_be_switched_on() {
    let tree = kconfig::load(&components()).unwrap();
    let defaults = kconfig::resolve(&tree, &[]).unwrap();
    for s in defaults.symbols.iter().filter(|s| s.ty == SymbolType::Bool && s.visible && s.choice.is_none()) {
        let a =
            Assignment { key: s.key.clone(), value: toml::Value::Boolean(true), origin: Origin::User, location: None };
        let config = kconfig::resolve(&tree, &[a]).unwrap_or_else(|e| panic!("{} = true:\n{e}", s.key));
        assert!(config.features_of(&s.component).contains(&s.key), "{}", s.key);
    }
}
