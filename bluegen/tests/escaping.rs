//! Escaping: any string a user controls reaches the image crate's files intact and inert.
//!
//! The property test renders (no cargo) an image crate for random strings —
//! quotes, backslashes, newlines, `$`, `=`, `#`, brackets, unicode — in every
//! field that reaches a rendered file: the project directory, the `app`
//! path and the app's package name (through the real load → validate →
//! resolve front end), and, set on the plan, component directories, board
//! name, target, QEMU binary and arguments, the probe-rs chip, and thread
//! names and entries. Every TOML file must parse with the toml crate and hold
//! exactly the values asked for, with no key that was not in the template;
//! `main.rs`, `config.rs` and `build.rs` must parse as Rust (syn) with the
//! thread names as string literals of the same value. A value a file cannot
//! express (a keyword as an entry) is a render error, never a broken file.
//! `bluegen new`'s templates get the same treatment (kernel path, board,
//! description, preset), and the filters themselves round-trip any string.
//! It runs in CI: rendering only, a few seconds in all.
//!
//! The end-to-end test builds and boots a project whose path holds `"`,
//! `\` and a space.

use std::path::{Path, PathBuf};

use bluegen::board::Qemu;
use bluegen::render::{context, render_tree};
use bluegen::root::Root;
use bluegen::toolchain::Pin;
use proptest::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Strings rich in what breaks TOML, Rust and shells.
fn nasty() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec!["\"", "'", "\\", "\n", "\r", "\t", "$", "=", "#", "[", "]", "{", "}", "'''", "\"\"\"", "*/", "\\u{0}", "é", "💥", " ", "\u{7f}", "\u{0}", "\u{202e}", "\u{2028}"]);
    prop::collection::vec(prop_oneof![special.prop_map(str::to_string), "[a-z0-9]{1,3}", any::<char>().prop_map(String::from)], 0..8)
        .prop_map(|parts| parts.concat())
}

/// A file name (one path component): no `/`, no NUL, not `.` or `..`.
fn file_name() -> impl Strategy<Value = String> {
    nasty().prop_map(|s| format!("d{}", s.replace(['/', '\0'], "_")))
}

#[derive(Debug, Clone)]
struct Case {
    project: String,
    app_dir: String,
    app_package: String,
    component_dir: String,
    board_name: String,
    target: String,
    qemu_arg: String,
    chip: Option<String>,
    thread_name: String,
    entry: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (file_name(), file_name(), nasty(), file_name(), nasty()),
        (nasty(), nasty(), prop::option::of(nasty())),
        // Thread names and entries as far as validation allows (keywords too).
        ("[a-z_][a-z0-9_]{0,6}", "[a-z_][a-z0-9_]{0,5}(::[a-z_][a-z0-9_]{0,5}){0,2}|fn|crate::main|self"),
    )
        .prop_map(|((project, app_dir, app_package, component_dir, board_name), (target, qemu_arg, chip), (thread_name, entry))| Case {
            project,
            app_dir,
            app_package,
            component_dir,
            board_name,
            target,
            qemu_arg,
            chip,
            thread_name,
            entry,
        })
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Writes the project of `case` under `tmp`; returns its directory.
fn project(tmp: &Path, case: &Case) -> PathBuf {
    let dir = tmp.join(&case.project);
    let app = dir.join(&case.app_dir);
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(app.join("Cargo.toml"), format!("[package]\nname = {}\nversion = \"0.1.0\"\n", toml_string(&case.app_package))).unwrap();
    std::fs::write(app.join("src/lib.rs"), "#![no_std]\npub fn main() {}\n").unwrap();
    let device = format!(
        "[device]\nname = \"band\"\nboard = \"qemu-mps2-an385\"\napp = {}\n\n[features]\nthreads = true\n\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n",
        toml_string(&case.app_dir)
    );
    std::fs::write(dir.join("device.toml"), device).unwrap();
    dir
}

fn table<'a>(v: &'a toml::Value, path: &[&str]) -> &'a toml::Table {
    path.iter().fold(v, |v, k| &v[*k]).as_table().unwrap_or_else(|| panic!("no table {path:?}"))
}

fn keys(t: &toml::Table) -> Vec<&str> {
    t.keys().map(String::as_str).collect()
}

/// `name` and `entry` of each `ThreadSpec::new` of `static THREADS`.
fn threads_of(main_rs: &syn::File) -> Vec<(String, String)> {
    let init = main_rs
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Static(s) if s.ident == "THREADS" => Some(&*s.expr),
            _ => None,
        })
        .expect("static THREADS");
    let syn::Expr::Array(array) = init else { panic!("THREADS is not an array") };
    array
        .elems
        .iter()
        .map(|e| {
            // `ThreadSpec::new(name, entry, priority, stack, start)`.
            let syn::Expr::Call(spec) = e else { panic!("not a ThreadSpec::new call") };
            let arg = |i: usize| &spec.args[i];
            let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(name), .. }) = arg(0) else { panic!("name is not a string literal") };
            let syn::Expr::Path(entry) = arg(1) else { panic!("entry is not a path") };
            let entry = entry.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::");
            (name.value(), entry)
        })
        .collect()
}

fn check(tmp: &Path, case: &Case) -> Result<(), TestCaseError> {
    let dir = project(tmp, case);
    let (root, mut plan) = bluegen::pipeline::plan(Some(&dir), None).map_err(|e| TestCaseError::fail(format!("front end refused the project: {e:?}")))?;
    let app_path = plan.device.app.dir.to_str().unwrap().to_string();
    prop_assert_eq!(&plan.device.app.package, &case.app_package);
    // Set on the plan what the front end does not take from device.toml.
    let board = &mut plan.device.board;
    board.name = case.board_name.clone();
    board.target = case.target.clone();
    let runner: Vec<String> = match &case.chip {
        Some(chip) => {
            board.qemu = None;
            board.chip = Some(chip.clone());
            ["probe-rs", "run", "--chip", chip].map(String::from).to_vec()
        }
        None => {
            let q: &mut Qemu = board.qemu.as_mut().unwrap();
            q.binary = case.qemu_arg.clone();
            q.args = vec![case.qemu_arg.clone(), "-M".into()];
            vec![case.qemu_arg.clone(), case.qemu_arg.clone(), "-M".into(), "-kernel".into()]
        }
    };
    let component_path = tmp.join(&case.component_dir).join("config");
    plan.components[0].dir = component_path.clone();
    plan.device.threads[0].name = case.thread_name.clone();
    plan.device.threads[0].entry = case.entry.clone();

    let pin = Pin::of_root(&root, &case.target);
    let ctx = context(&plan, &pin).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let out = tmp.join("image");
    let files = match render_tree(&root.templates().join("image"), &out, &ctx) {
        Ok(files) => files,
        Err(e) => {
            // Only a value Rust cannot express may be refused, and then by name.
            let expressible = bluegen::escape::rust_path(&case.entry).is_ok() && bluegen::escape::rust_ident(&case.thread_name.to_uppercase()).is_ok();
            prop_assert!(!expressible, "render failed for expressible values: {:?}", e);
            prop_assert!(format!("{e:?}").contains("keyword") || format!("{e:?}").contains("not a Rust identifier"), "{:?}", e);
            return Ok(());
        }
    };
    let text = |rel: &str| files.iter().find(|(p, _)| p == &out.join(rel)).unwrap_or_else(|| panic!("{rel} not rendered")).1.clone();

    // Cargo.toml: the app and the component, exactly.
    let cargo: toml::Value = toml::from_str(&text("Cargo.toml")).map_err(|e| TestCaseError::fail(format!("Cargo.toml: {e}")))?;
    prop_assert_eq!(keys(cargo.as_table().unwrap()), ["bin", "dependencies", "package", "profile", "workspace"]);
    let deps = table(&cargo, &["dependencies"]);
    prop_assert_eq!(deps["app"]["package"].as_str(), Some(case.app_package.as_str()));
    prop_assert_eq!(deps["app"]["path"].as_str(), Some(app_path.as_str()));
    prop_assert_eq!(keys(deps["app"].as_table().unwrap()), ["package", "path"]);
    let first = &plan.components[0];
    prop_assert_eq!(deps[&first.package]["path"].as_str(), component_path.to_str());
    prop_assert_eq!(keys(deps[&first.package].as_table().unwrap()), ["default-features", "features", "path"]);
    prop_assert_eq!(keys(table(&cargo, &["package"])), ["build", "edition", "name", "publish", "version"]);

    // .cargo/config.toml: target, runner words and remaps, nothing else.
    let config: toml::Value = toml::from_str(&text(".cargo/config.toml")).map_err(|e| TestCaseError::fail(format!("config.toml: {e}")))?;
    prop_assert_eq!(keys(config.as_table().unwrap()), ["build", "env", "target"]);
    prop_assert_eq!(keys(table(&config, &["build"])), ["target"]);
    prop_assert_eq!(config["build"]["target"].as_str(), Some(case.target.as_str()));
    let cfg = table(&config, &["target", "cfg(target_os = \"none\")"]);
    prop_assert_eq!(keys(table(&config, &["target"])).len(), 1);
    prop_assert_eq!(keys(cfg), ["runner", "rustflags"]);
    let words = |v: &toml::Value| v.as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect::<Vec<_>>();
    prop_assert_eq!(words(&cfg["runner"]), runner);
    let flags = words(&cfg["rustflags"]);
    prop_assert_eq!(&flags[..2], ["-C", "link-arg=--nmagic"]);
    // Then remaps only, each its own pair of words: crates.io's sources
    // (when the environment names a cargo home), the image directory, the
    // app and every component.
    let pairs: Vec<&[String]> = flags[2..].chunks(2).collect();
    prop_assert!(pairs.iter().all(|p| p.len() == 2 && p[0] == "--remap-path-prefix"), "{:?}", flags);
    let remaps: Vec<&str> = pairs.iter().map(|p| p[1].as_str()).collect();
    let image = format!("{}={}", plan.device.image_dir().display(), plan.device.crate_name());
    let app = format!("{app_path}={}", case.app_package);
    let component = format!("{}={}", component_path.display(), first.package);
    for remap in [&image, &app, &component] {
        prop_assert!(remaps.contains(&remap.as_str()), "no {:?} in {:?}", remap, flags);
    }
    let registry = usize::from(remaps.iter().any(|r| r.ends_with("/registry/src=registry")));
    prop_assert_eq!(remaps.len(), registry + 2 + plan.components.len());
    prop_assert_eq!(keys(table(&config, &["env"])), ["BLUEGEN_CONFIG_RS"]);

    // rust-toolchain.toml: the pinned channel and the target.
    let toolchain: toml::Value = toml::from_str(&text("rust-toolchain.toml")).map_err(|e| TestCaseError::fail(format!("rust-toolchain.toml: {e}")))?;
    prop_assert_eq!(toolchain["toolchain"]["channel"].as_str(), Some(pin.channel.as_str()));
    prop_assert_eq!(words(&toolchain["toolchain"]["targets"]), [case.target.clone()]);

    // Rust files parse; the thread table holds the name and entry asked for.
    let main_rs = syn::parse_file(&text("src/main.rs")).map_err(|e| TestCaseError::fail(format!("main.rs: {e}")))?;
    prop_assert_eq!(threads_of(&main_rs), [(case.thread_name.clone(), format!("app::{}", case.entry))]);
    for rel in ["src/config.rs", "build.rs"] {
        syn::parse_file(&text(rel)).map_err(|e| TestCaseError::fail(format!("{rel}: {e}")))?;
    }

    // link.x: the board name stays inside the opening comment.
    let link = text("link.x");
    let close = link.find("*/").unwrap();
    prop_assert!(link[..close].contains("exact bytes over."), "the first comment closed early:\n{}", link);
    prop_assert!(link[close..].starts_with("*/\n\nMEMORY\n{"), "{}", link);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_user_string_renders_escaped_and_intact(case in case()) {
        let tmp = tempfile::tempdir().unwrap();
        check(tmp.path(), &case)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// The filters themselves, on any string: each output parses in its
    /// language (syn for Rust, toml for TOML) back to the input.
    #[test]
    fn filters_round_trip(s in nasty(), t in any::<String>()) {
        for s in [&s, &t] {
            let lit: syn::LitStr = syn::parse_str(&bluegen::escape::rust_str(s)).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&lit.value(), s);
            let doc: toml::Table = toml::from_str(&format!("{} = {}", bluegen::escape::toml_key(s), bluegen::escape::toml_str(s))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(doc.get(s.as_str()).and_then(|v| v.as_str()), Some(s.as_str()));
            let comment = bluegen::escape::comment(s);
            prop_assert!(!comment.contains('\n') && !comment.contains("*/") && !comment.contains("/*") && !comment.contains('\u{202e}'), "{:?}", comment);
            let rust = syn::parse_file(&format!("// {comment}\n/* {comment} */\nfn f() {{}}\n")).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(rust.items.len(), 1);
            let doc: toml::Table = toml::from_str(&format!("# {comment}\nk = 1\n")).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(doc.len(), 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// `bluegen new`'s templates: the kernel path (the checkout's), the board
    /// and its description and the preset reach device.toml, the app's
    /// Cargo.toml and lib.rs intact.
    #[test]
    fn new_project_files_render_escaped_and_intact(kernel_path in nasty(), board in nasty(), description in nasty(), preset in nasty()) {
        let root = Root::discover().unwrap();
        let ctx = minijinja::context! {
            name => "band", crate_name => "band", board => &board, board_description => &description, emulated => board.len() % 2 == 0, preset => &preset, kernel_path => &kernel_path,
        };
        let out = Path::new("/nowhere");
        let files = render_tree(&root.templates().join("new"), out, &ctx).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let text = |rel: &str| files.iter().find(|(p, _)| p == &out.join(rel)).unwrap().1.clone();
        let device: toml::Value = toml::from_str(&text("device.toml")).map_err(|e| TestCaseError::fail(format!("device.toml: {e}")))?;
        prop_assert_eq!(device["device"]["board"].as_str(), Some(board.as_str()));
        // An empty preset is no preset.
        let want = if preset.is_empty() { vec!["board", "name"] } else { vec!["board", "name", "preset"] };
        prop_assert_eq!(keys(table(&device, &["device"])), want);
        prop_assert_eq!(device["device"].get("preset").and_then(|p| p.as_str()), (!preset.is_empty()).then_some(preset.as_str()));
        let cargo: toml::Value = toml::from_str(&text("app/Cargo.toml")).map_err(|e| TestCaseError::fail(format!("Cargo.toml: {e}")))?;
        prop_assert_eq!(cargo["dependencies"]["bluegen-kernel"]["path"].as_str(), Some(kernel_path.as_str()));
        syn::parse_file(&text("app/src/lib.rs")).map_err(|e| TestCaseError::fail(format!("lib.rs: {e}")))?;
    }
}

/// The formatter refuses a raw string: a template cannot paste one by mistake.
#[test]
fn templates_cannot_paste_raw_strings() {
    let root = Root::discover().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.txt.j2"), "name = \"{{ device.name }}\"\n").unwrap();
    let (_, plan) = bluegen::pipeline::plan(Some(&repo().join("examples/hello")), None).unwrap();
    let ctx = context(&plan, &Pin::of_root(&root, "thumbv7m-none-eabi")).unwrap();
    let err = render_tree(tmp.path(), &tmp.path().join("out"), &ctx).unwrap_err();
    assert!(format!("{err:?}").contains("refusing to paste"), "{err:?}");
}

/// An `app` value that tries to add keys to the image's Cargo.toml stays one string.
#[test]
fn a_crafted_app_value_injects_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let case = Case {
        project: "p".into(),
        app_dir: "x\", features = [\"evil\"] }\n[patch.crates-io]\ny = { path = \"".into(),
        app_package: "a\"\n[target.'cfg(all())']\nrunner = \"sh -c 'touch /tmp/pwned'\"\n".into(),
        component_dir: "c".into(),
        board_name: "b".into(),
        target: "thumbv7m-none-eabi\"\n[build]\nrustflags = [\"-Cevil\"]\n#".into(),
        qemu_arg: "qemu".into(),
        chip: None,
        thread_name: "main".into(),
        entry: "main".into(),
    };
    check(tmp.path(), &case).unwrap();
}

/// A project whose path holds `"`, `\` and a space builds and boots in QEMU.
#[test]
fn a_project_path_with_quotes_backslashes_and_spaces_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("we\"ird \\dir").join("band");
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    let bluegen = || {
        let mut cmd = assert_cmd::Command::cargo_bin("bluegen").unwrap();
        cmd.env("CARGO_TARGET_DIR", repo().join("target/images"));
        cmd
    };
    let out = bluegen().args(["new".as_ref(), dir.as_os_str(), "--board".as_ref(), "qemu-mps2-an385".as_ref()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bluegen().args(["run".as_ref(), dir.as_os_str(), "--timeout".as_ref(), "60".as_ref()]).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("Hello from band!"), "{stdout}");
}
