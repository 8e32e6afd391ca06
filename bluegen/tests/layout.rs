//! The image's layout as planned and rendered: boot stack size and thread
//! order (no QEMU, no cargo).

mod common;

use common::project;

fn plan(device_toml: &str) -> (tempfile::TempDir, bluegen::resolve::Plan) {
    let dir = project(device_toml);
    let (_, plan) = bluegen::pipeline::plan(Some(&dir.path().join("device.toml")), None).unwrap();
    (dir, plan)
}

const BOARD: &str = "[device]\nname = \"t\"\nboard = \"qemu-mps2-an385\"\n";

/// With `threads`, every thread has a stack of its own: the boot stack is
/// `boot-stack-size`, not the largest thread stack again.
#[test]
fn threads_with_their_own_stacks_leave_the_boot_stack_alone() {
    let threads = "[threads.big]\nentry = \"main\"\npriority = 1\nstack = \"8K\"\n";
    let (_d, p) = plan(&format!("{BOARD}[features]\nthreads = true\nboot-stack-size = 512\n{threads}"));
    assert_eq!(p.stack_size, 512);
    let (_d, p) = plan(&format!("{BOARD}[features]\nthreads = true\n{threads}"));
    assert_eq!(p.stack_size, 1024);
    // Without threads they run on the boot stack, which must hold the largest.
    let (_d, p) = plan(&format!("{BOARD}[features]\nboot-stack-size = 512\n{threads}"));
    assert_eq!(p.stack_size, 8192);
}

/// Threads of equal priority start in file order (the book's promise), not
/// by name; higher priorities first.
#[test]
fn equal_priorities_keep_file_order_in_the_rendered_table() {
    let t = |name: &str, prio: u8| format!("[threads.{name}]\nentry = \"main\"\npriority = {prio}\nstack = 512\n");
    let text = format!("{BOARD}[features]\nthreads = true\n{}{}{}{}", t("zeta", 1), t("alpha", 1), t("mid", 2), t("beta", 1));
    let (dir, p) = plan(&text);
    let names: Vec<&str> = p.device.threads.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["mid", "zeta", "alpha", "beta"]);
    let root = bluegen::root::Root::discover().unwrap();
    let rendered = bluegen::render::render(&root, &p).unwrap();
    let main = std::fs::read_to_string(rendered.dir.join("src/main.rs")).unwrap();
    let order: Vec<usize> = ["\"mid\"", "\"zeta\"", "\"alpha\"", "\"beta\""].iter().map(|n| main.find(&format!("ThreadSpec::new({n},")).expect(n)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{main}");
    drop(dir);
}

/// End to end under QEMU: the first of two equal-priority threads in the
/// file runs first, though its name sorts last (`peer_b` before `peer_a`).
#[test]
fn equal_priorities_start_in_file_order_under_qemu() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let fixture = repo.join("bluegen/tests/fixtures/kernel-threads");
    let text = std::fs::read_to_string(fixture.join("device.toml")).unwrap();
    let a = text.find("[threads.peer_a]").unwrap();
    let b = text.find("[threads.peer_b]").unwrap();
    let end = text.find("[threads.high]").unwrap();
    let swapped = format!("{}{}{}{}", &text[..a], &text[b..end], &text[a..b], &text[end..]);
    let swapped = swapped.replace("preset = \"minimal\"", &format!("preset = \"minimal\"\napp = \"{}\"", fixture.join("app").display()));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.toml"), swapped).unwrap();
    let out = assert_cmd::Command::cargo_bin("bluegen")
        .unwrap()
        .env("CARGO_TARGET_DIR", repo.join("target/images"))
        .args(["run", dir.path().to_str().unwrap(), "--timeout", "60"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("high 0\npeer_b 0\npeer_a 0\npeer_b 1\npeer_a 1\npeer_b 2\npeer_a 2\n"), "{stdout}");
}

/// The boot stack's top is 16-byte aligned (RISC-V's ABI; AAPCS wants 8)
/// and inside RAM, whatever RAM's size: the stack pointer starts aligned.
#[test]
fn the_boot_stack_top_is_aligned_whatever_the_ram_size() {
    for (board, ram) in [("qemu-mps2-an385", "65541"), ("qemu-virt-rv32", "6291453"), ("qemu-virt-rv64", "1048572")] {
        let text = format!("[device]\nname = \"t\"\nboard = \"{board}\"\n[memory]\nram = {ram}\n[threads.main]\nentry = \"main\"\npriority = 1\nstack = 1024\n");
        let (dir, p) = plan(&text);
        let root = bluegen::root::Root::discover().unwrap();
        let rendered = bluegen::render::render(&root, &p).unwrap();
        let link = std::fs::read_to_string(rendered.dir.join("link.x")).unwrap();
        let line = link.lines().find(|l| l.trim_start().starts_with("STACK (rw)")).expect(&link);
        let field = |name: &str| {
            let v = line.split(name).nth(1).unwrap().trim_start_matches([' ', '=']).split([',', ' ']).next().unwrap();
            v.strip_prefix("0x").map_or_else(|| v.parse::<u64>().unwrap(), |h| u64::from_str_radix(h, 16).unwrap())
        };
        let top = field("ORIGIN") + field("LENGTH");
        assert_eq!(top % 16, 0, "{board}: {line}");
        assert!(top <= p.device.ram.end() && top + 16 > p.device.ram.end(), "{board}: {line}");
        drop(dir);
    }
}

/// On AArch64 a device's flash or RAM moved across a 1 GiB boundary, which
/// the start-up's translation table cannot map, is a located error of
/// `bluegen check`, not the linker script's assertion.
#[test]
fn an_aarch64_region_across_a_gib_boundary_is_refused() {
    let text = format!("{}{}\n[memory]\nram-origin = 0x7fff_0000\nram = \"1M\"\n", common::device("qemu-virt-aarch64"), common::THREAD);
    let dir = project(&text);
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("key: memory.ram-origin") && err.contains("crosses a 1 GiB boundary"), "{err}");
}
