//! Unit tests of [`super`].

use super::*;

fn kernel(files: &[(&str, &str)]) -> (tempfile::TempDir, KernelGates) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let gates = KernelGates::load(&dir.path().join("src/lib.rs")).unwrap();
    (dir, gates)
}

fn on(fs: &[&str]) -> Vec<String> {
    fs.iter().map(|f| f.to_string()).collect()
}

#[test]
fn gates_follow_modules_and_re_exports() {
    let (_d, g) = kernel(&[
        (
            "src/lib.rs",
            "#[cfg(any(feature = \"queue\", feature = \"mutex\"))]\nmod sync;\n#[cfg(feature = \"queue\")]\npub use sync::Queue;\npub use sync::Mutex;\npub use crate::time::{Duration, sleep as nap};\nmod time;\npub mod sched { #[cfg(feature = \"preempt\")] pub fn tick() {} pub fn always() {} }\n#[cfg(feature = \"threads\")]\npub fn yield_now() {}\npub fn exit() {}\n",
        ),
        ("src/sync.rs", "pub struct Queue;\n#[cfg(feature = \"mutex\")]\npub struct Mutex;\n"),
        ("src/time.rs", "pub struct Duration;\n#[cfg(all(feature = \"preempt\", not(test)))]\npub fn sleep() {}\n"),
    ]);
    assert_eq!(g.missing("Queue", &on(&["queue"])), None);
    assert_eq!(g.missing("Queue", &on(&["mutex"])), Some(Gate::Feature("queue".into())));
    // Ungated at the root, gated where it is defined.
    assert_eq!(g.missing("Mutex", &on(&["queue"])), Some(Gate::Feature("mutex".into())));
    assert!(matches!(g.missing("Mutex", &[]), Some(Gate::Feature(f)) if f == "mutex"));
    assert_eq!(g.missing("nap", &on(&["preempt"])), None);
    assert!(g.missing("nap", &[]).is_some());
    assert_eq!(g.missing("Duration", &[]), None);
    assert_eq!(g.missing("sched::tick", &[]), Some(Gate::Feature("preempt".into())));
    assert_eq!(g.missing("sched::always", &[]), None);
    assert_eq!(g.missing("yield_now", &[]), Some(Gate::Feature("threads".into())));
    assert_eq!(g.missing("exit", &[]), None);
    // What the kernel does not define is rustc's to report.
    assert_eq!(g.missing("nonsense::deep", &[]), None);
    let (_d, globbed) = kernel(&[
        ("src/lib.rs", "mod sync;\n#[cfg(feature = \"events\")]\npub use sync::*;\n"),
        ("src/sync.rs", "pub struct Events;\n#[cfg(feature = \"queue\")]\npub struct Queue;\n"),
    ]);
    assert_eq!(globbed.missing("Events", &[]), Some(Gate::Feature("events".into())));
    assert_eq!(globbed.missing("Queue", &on(&["events"])), Some(Gate::Feature("queue".into())));
    assert_eq!(globbed.missing("Queue", &on(&["events", "queue"])), None);
    let any = Gate::Any(vec![Gate::Feature("queue".into()), Gate::Feature("mutex".into())]);
    assert_eq!(any.wanted(&[]), Wanted::Any(on(&["queue", "mutex"])));
}

#[test]
fn paths_of_use_trees_calls_and_types() {
    let text = "use bluegen_kernel::{sync::{Mutex, self}, Queue as Q, *};\nuse other::bluegen_kernel::Fake;\nfn f() { bluegen_kernel::sleep(1); let _ = bluegen_kernel::Queue::<u32, 4>::new(); }\nstatic S: bluegen_kernel::Semaphore = semaphore();\n";
    let source = Source { path: "lib.rs".into(), text: text.into() };
    let mut out = Vec::new();
    paths_in(text.parse().unwrap(), &["bluegen_kernel".to_string()], &source, &mut out);
    let paths: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["sync::Mutex", "sync", "Queue", "sleep", "Semaphore"]);
    let (_, at) = &out[0];
    assert_eq!((at.line, at.col), (1, 29));
}

#[test]
fn rustc_gated_items_translate_to_the_key() {
    let message = serde_json::json!({
        "message": "unresolved import `k::Queue`",
        "rendered": "error[E0432]: unresolved import `k::Queue`\n --> app/src/lib.rs:3:5\nnote: found an item that was configured out\n  --> bluegen-kernel/src/lib.rs:57:18\n   = note: the item is gated behind the `queue` feature\n",
        "spans": [{ "is_primary": true, "file_name": "t-app/src/lib.rs", "line_start": 3, "column_start": 5, "text": [{ "text": "use k::Queue;", "highlight_start": 5, "highlight_end": 13 }] }],
    });
    let config = Config { symbols: Vec::new(), warnings: Vec::new() };
    let d = translate(&message, &config, &[], ("t-app", Path::new("/p/app"))).unwrap();
    assert_eq!(d.message, "app uses bluegen_kernel::Queue, which needs features.queue = true in device.toml");
    let at = d.location.unwrap();
    assert_eq!((at.file, at.line, at.col), (PathBuf::from("/p/app/src/lib.rs"), 3, 5));
    assert!(d.labels.contains(&("key", "features.queue".into())));
    // Another crate's feature is not device.toml's.
    let other = serde_json::json!({ "message": "x", "rendered": "the item is gated behind the `std` feature of serde", "spans": [] });
    assert!(translate(&other, &config, &[], ("t-app", Path::new("/p/app"))).is_none());
}

#[test]
fn gated_methods_translate_to_the_key() {
    let (_d, g) = kernel(&[
        ("src/lib.rs", "mod handle;
pub use handle::Thread;
"),
        ("src/handle.rs", "pub struct Thread;
impl Thread {
pub fn id(self) {}
#[cfg(feature = \"priority-change\")]
pub fn set_priority(self) {}
}
#[cfg(feature = \"suspend\")]
impl Thread { pub fn resume(self) {} }
"),
    ]);
    assert_eq!(g.missing_method("Thread", "set_priority", &[]), Some(Gate::Feature("priority-change".into())));
    assert_eq!(g.missing_method("Thread", "set_priority", &on(&["priority-change"])), None);
    assert_eq!(g.missing_method("Thread", "resume", &[]), Some(Gate::Feature("suspend".into())));
    assert_eq!(g.missing_method("Thread", "id", &[]), None);
    assert_eq!(g.missing_method("Mine", "set_priority", &[]), None, "not a kernel type");
    let message = serde_json::json!({
        "message": "no method named `set_priority` found for struct `Thread` in the current scope",
        "rendered": "error[E0599]: no method named `set_priority` found for struct `Thread` in the current scope\n",
        "spans": [{ "is_primary": true, "file_name": "t-app/src/lib.rs", "line_start": 7, "column_start": 9, "text": [{ "text": "    t.set_priority(3);", "highlight_start": 7, "highlight_end": 19 }] }],
    });
    let config = Config { symbols: Vec::new(), warnings: Vec::new() };
    let d = translate_method(&message, &g, &[], &config, &[], ("t-app", Path::new("/p/app"))).unwrap();
    assert_eq!(d.message, "app uses bluegen_kernel::Thread::set_priority, which needs features.priority-change = true in device.toml");
    let at = d.location.unwrap();
    assert_eq!((at.file, at.line, at.col), (PathBuf::from("/p/app/src/lib.rs"), 7, 9));
    assert!(translate_method(&message, &g, &on(&["priority-change"]), &config, &[], ("t-app", Path::new("/p/app"))).is_none());
}
