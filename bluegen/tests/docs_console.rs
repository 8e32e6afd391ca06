//! The book's and README's console sessions are what bluegen prints today.
//!
//! Each ```` ```console ```` block that runs bluegen follows a marker that
//! says where it runs: `<!-- replay: examples/NAME -->` (a fresh copy of that
//! example), `<!-- replay: in DIR -->` (DIR of the checkout itself, for
//! commands that write nothing) or `<!-- replay: empty -->` (an empty
//! directory). Paths of the checkout print relative to it. The test runs
//! every `$ bluegen …` line there, in order, and compares what it printed
//! with the lines below it: standard output after a success (cargo's
//! progress on standard error is not shown), standard output then standard
//! error after a failure; a line `…` stands for any number of lines.
//! `$ echo $?` prints the last status.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn pages() -> Vec<PathBuf> {
    let mut pages = vec![repo().join("README.md")];
    for e in std::fs::read_dir(repo().join("book/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages.sort();
    pages
}

/// (page, line, marker, block lines) of every console block that runs bluegen.
fn sessions() -> Vec<(PathBuf, usize, Option<String>, Vec<String>)> {
    let mut out = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            if lines[i].trim() == "```console" {
                let start = i;
                let body: Vec<String> = lines[i + 1..].iter().take_while(|l| l.trim() != "```").map(|l| l.to_string()).collect();
                i += body.len() + 1;
                if !body.iter().any(|l| command(l).is_some()) {
                    continue;
                }
                let marker = start
                    .checked_sub(1)
                    .and_then(|m| lines[m].trim().strip_prefix("<!-- replay:"))
                    .and_then(|m| m.strip_suffix("-->"))
                    .map(|m| m.trim().to_string());
                out.push((page.clone(), start + 1, marker, body));
            }
            i += 1;
        }
    }
    out
}

/// The bluegen arguments of a `$ bluegen …` (or `$ cargo run -p bluegen -- …`) line.
fn command(line: &str) -> Option<Vec<String>> {
    let rest = line.strip_prefix("$ ")?;
    let rest = rest.strip_prefix("bluegen ").or_else(|| rest.strip_prefix("cargo run -p bluegen -- "))?;
    shlex::split(rest)
}

/// Whether `actual` matches `expected`, where a `…` line matches any lines.
fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "…" => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((e, rest)) => actual.split_first().is_some_and(|(a, more)| a.trim_end() == e.trim_end() && matches(rest, more)),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "target" {
            continue;
        }
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest)
        } else if e.file_name() == "Cargo.toml" {
            // The copy's app names the checkout's kernel as the example's does.
            let text = std::fs::read_to_string(e.path()).unwrap().replace("\"../../../components/", &format!("\"{}/components/", repo().display()));
            std::fs::write(dest, text).unwrap()
        } else {
            std::fs::copy(e.path(), dest).map(|_| ()).unwrap()
        }
    }
}

#[test]
fn every_console_session_has_a_replay_marker() {
    let unmarked: Vec<String> = sessions().into_iter().filter(|s| s.2.is_none()).map(|(p, l, _, _)| format!("{}:{l}", p.display())).collect();
    assert!(unmarked.is_empty(), "console blocks that run bluegen need a `<!-- replay: … -->` line above them:\n{}", unmarked.join("\n"));
}

#[test]
fn every_console_session_prints_what_the_page_shows() {
    let mut wrong = Vec::new();
    for (page, line, marker, body) in sessions() {
        let Some(marker) = marker else { continue };
        let tmp = tempfile::tempdir().unwrap();
        let dir = match marker.as_str() {
            "empty" => tmp.path().to_path_buf(),
            m if m.starts_with("in ") => repo().join(&m[3..]),
            example => {
                let dir = tmp.path().join(Path::new(example).file_name().unwrap());
                copy_dir(&repo().join(example), &dir);
                dir
            }
        };
        let mut status = 0;
        let mut i = 0;
        while i < body.len() {
            let expected: Vec<&str> = body[i + 1..].iter().take_while(|l| !l.starts_with("$ ")).map(String::as_str).collect();
            let actual = if body[i] == "$ echo $?" {
                format!("{status}\n")
            } else if let Some(args) = command(&body[i]) {
                let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("bluegen")).current_dir(&dir).args(&args).output().unwrap();
                status = out.status.code().unwrap_or(-1);
                let stderr = if status == 0 { Default::default() } else { String::from_utf8_lossy(&out.stderr) };
                format!("{}{stderr}", String::from_utf8_lossy(&out.stdout))
            } else {
                panic!("{}:{line}: cannot replay `{}`", page.display(), body[i]);
            };
            let actual = actual.replace(&format!("{}/", repo().display()), "");
            let actual: Vec<&str> = actual.lines().collect();
            if !matches(&expected, &actual) {
                wrong.push(format!("{}:{line}: `{}` printed:\n{}\nthe page shows:\n{}", page.display(), body[i], actual.join("\n"), expected.join("\n")));
            }
            i += expected.len() + 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_matcher_skips_only_where_told() {
    assert!(matches(&["a", "…", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "  …"], &["a"]));
    assert!(!matches(&["a", "d"], &["a", "b", "d"]));
    assert!(!matches(&["a"], &["a", "b"]));
}

/// Output is never hand-copied: every ```` ```text ```` block of the pages is
/// the inside of an `<!-- output: bluegen … -->` region (which `bluegen docs`
/// writes and `docs --check` keeps true) or shows the markers themselves;
/// sessions with commands are ```` ```console ```` blocks, replayed above.
#[test]
fn every_text_block_is_generated_output() {
    let mut hand_copied = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim() != "```text" {
                continue;
            }
            let marked = i > 0 && lines[i - 1].trim_start().starts_with("<!-- output:");
            let shows_markers = lines.get(i + 1).is_some_and(|l| l.trim_start().starts_with("<!--"));
            if !marked && !shows_markers {
                hand_copied.push(format!("{}:{}", page.display(), i + 1));
            }
        }
    }
    assert!(hand_copied.is_empty(), "text blocks outside an output region (make them one, or a replayed console block):\n{}", hand_copied.join("\n"));
}
