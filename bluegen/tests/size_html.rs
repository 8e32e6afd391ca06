//! `bluegen size --html` renders in a real browser (Debian's chromium, headless).
//!
//! Fails, never skips, when chromium is missing. The screenshot is kept as a
//! test artifact in target/test-artifacts/.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn chromium(args: &[&str], profile: &Path) -> std::process::Output {
    Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium must be installed (Debian package `chromium`) for this test")
}

#[test]
fn treemap_page_renders_in_chromium() {
    let artifacts = repo().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let html = artifacts.join("size-treemap.html");
    let out = assert_cmd::Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo().join("target/images"))
        .args(["size", repo().join("bluegen/tests/fixtures/panic").to_str().unwrap(), "--html", html.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"), "the page must be self-contained");

    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", html.display());
    let dom = chromium(&["--dump-dom", &url], profile.path());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg class=\"treemap\"").count(), 2, "two treemaps in the rendered DOM:\n{dom}");
    assert!(dom.contains("rust_begin_unwind") || dom.contains("kernel"), "{dom}");

    let png = artifacts.join("size-treemap.png");
    let _ = std::fs::remove_file(&png);
    let shot = chromium(&["--screenshot=".to_string() + png.to_str().unwrap(), "--window-size=1000,1400".into(), url].iter().map(String::as_str).collect::<Vec<_>>().as_slice(), profile.path());
    assert!(png.is_file(), "no screenshot: {}", String::from_utf8_lossy(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // A blank page compresses to a few KB; treemaps with text do not.
    assert!(bytes.len() > 20_000, "screenshot suspiciously small: {} bytes", bytes.len());
}
