//! The book's device.toml reference documents exactly the keys the loader
//! accepts: each key of every table has its row (or line) on the page, and
//! every example of the page parses without an unknown key.

use std::path::Path;

fn page() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("book/src/device-toml.md");
    std::fs::read_to_string(path).unwrap()
}

/// The text of the page's `## ` section whose heading names `table`.
fn section(page: &str, table: &str) -> Option<String> {
    let heading = format!("## `[{table}]`");
    page.split("\n## ").find(|s| format!("## {}", s.lines().next().unwrap_or("")) == heading).map(str::to_string)
}

#[test]
fn every_key_the_loader_accepts_is_documented() {
    let page = page();
    let mut missing = Vec::new();
    for (table, keys) in bluegen::load::TABLE_KEYS {
        if table.is_empty() {
            for key in *keys {
                if section(&page, key).is_none() && section(&page, &format!("{key}.<name>")).is_none() {
                    missing.push(format!("no `## [{key}]` section"));
                }
            }
            continue;
        }
        let Some(text) = section(&page, table) else { continue };
        for key in *keys {
            if !text.contains(&format!("| `{key}` |")) {
                missing.push(format!("[{table}] has no row for `{key}`"));
            }
        }
    }
    assert!(missing.is_empty(), "book/src/device-toml.md misses:\n{}", missing.join("\n"));
}

#[test]
fn every_example_on_the_page_has_only_known_keys() {
    let page = page();
    let mut blocks = 0;
    for block in page.split("```toml\n").skip(1) {
        let text = block.split("\n```").next().unwrap();
        blocks += 1;
        let source = bluegen::diag::Source { path: "device-toml.md".into(), text: text.to_string() };
        let (_, errors) = bluegen::load::parse_device(&source);
        let unknown: Vec<_> = errors.iter().filter(|d| d.message.starts_with("unknown key") || d.message.contains("not valid TOML")).collect();
        assert!(unknown.is_empty(), "{}", bluegen::diag::render(&errors));
    }
    assert!(blocks >= 1);
}
