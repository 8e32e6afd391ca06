//! The docs name every command and flag there is: README's command table
//! and the book's synopsis of each command (a `## \`bluegen CMD …\``
//! heading and its section) against the command line clap really parses.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// (subcommand name, its long flags), `config set`'s and `unset`'s under `config`.
fn commands() -> Vec<(String, Vec<String>)> {
    let cli = bluegen::cli::Cli::command();
    let flags = |c: &clap::Command| -> Vec<String> {
        c.get_arguments().filter_map(|a| a.get_long()).filter(|l| !["help", "version"].contains(l)).map(|l| format!("--{l}")).collect()
    };
    cli.get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| {
            let mut all = flags(c);
            for sub in c.get_subcommands() {
                all.extend(flags(sub));
            }
            (c.get_name().to_string(), all)
        })
        .collect()
}

/// Whether `text` names the command `bluegen NAME` (not `bluegen NAMEx`).
fn names(text: &str, name: &str) -> bool {
    let needle = format!("bluegen {name}");
    text.match_indices(&needle).any(|(i, _)| !text[i + needle.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-'))
}

#[test]
fn the_readme_command_table_lists_every_command_and_flag() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let cells: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `bluegen ")).map(|l| l.split(" | ").next().unwrap()).collect();
    let mut missing = Vec::new();
    for (name, flags) in commands() {
        let rows: String = cells.iter().filter(|c| names(c, &name)).copied().collect();
        if rows.is_empty() {
            missing.push(format!("bluegen {name}: no row"));
        }
        for flag in flags.iter().filter(|f| !rows.contains(f.as_str())) {
            missing.push(format!("bluegen {name} {flag}"));
        }
    }
    assert!(missing.is_empty(), "README.md's command table misses:\n{}", missing.join("\n"));
}

#[test]
fn the_book_has_a_synopsis_of_every_command_and_flag() {
    let mut sections = Vec::new();
    for e in std::fs::read_dir(repo().join("book/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            for section in text.split("\n## ").skip(1) {
                sections.push((section.lines().next().unwrap().to_string(), section.to_string()));
            }
        }
    }
    let mut missing = Vec::new();
    for (name, flags) in commands() {
        let mine: Vec<_> = sections.iter().filter(|(heading, _)| heading.starts_with('`') && names(heading, &name)).collect();
        if mine.is_empty() {
            missing.push(format!("bluegen {name}: no `## \\`bluegen {name} …\\`` heading"));
        }
        let text: String = mine.iter().map(|(_, s)| s.as_str()).collect();
        for flag in flags.iter().filter(|f| !text.contains(f.as_str())) {
            missing.push(format!("bluegen {name} {flag}"));
        }
    }
    assert!(missing.is_empty(), "the book's command sections miss:\n{}", missing.join("\n"));
}
