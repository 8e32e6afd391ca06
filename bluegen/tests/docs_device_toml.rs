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

/// The boards page's example board file names every key a board file may
/// hold (checked against the loader's schema; keys that do not fit the
/// example board are there as `# key =` comments), and has no mistake.
#[test]
fn the_boards_page_documents_every_board_key() {
    use bluegen::schema::{Key, Kind};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("book/src/boards.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let example = page.split("```toml\n").nth(1).and_then(|b| b.split("\n```").next()).unwrap().to_string();
    fn walk(keys: &[Key], path: &str, out: &mut Vec<String>) {
        for key in keys {
            let full = if path.is_empty() { key.name.to_string() } else { format!("{path}.{}", key.name) };
            if let Kind::Table(inner) = key.kind {
                walk(inner, &full, out);
            }
            out.push(full);
        }
    }
    let mut all = Vec::new();
    walk(bluegen::board::SCHEMA, "", &mut all);
    let doc: toml::Table = toml::from_str(&example).unwrap();
    let missing: Vec<_> = all
        .iter()
        .filter(|full| {
            let mut v = Some(&doc);
            let parts: Vec<&str> = full.split('.').collect();
            for p in &parts[..parts.len() - 1] {
                v = v.and_then(|t| t.get(*p)).and_then(|t| t.as_table());
            }
            let last = parts.last().unwrap();
            !v.is_some_and(|t| t.contains_key(*last)) && !example.contains(&format!("\n# {last} ="))
        })
        .collect();
    assert!(missing.is_empty(), "boards.md's example board file has no {missing:?}");
    let source = bluegen::diag::Source { path: "boards.md".into(), text: example };
    let mistakes = bluegen::schema::check(&source, "board", bluegen::board::SCHEMA);
    assert!(mistakes.is_empty(), "{}", bluegen::diag::render(&mistakes));
}
