//! Wrap: bluegen as cargo's rustc wrapper, so that an image's symbols name no path.
//!
//! cargo gives every crate a `-C metadata` hash that rustc mixes into its
//! symbol names. For a path dependency outside the workspace (the app, the
//! components) that hash covers the dependency's absolute directory, so the
//! same device built in two directories, or with the kernel unpacked under
//! two homes, links symbols such as `_ZN9hello_app4main17h…E` with other
//! hashes: the raw binary is the same, the ELF is not. [`crate::build`]
//! therefore runs cargo with bluegen itself as `RUSTC_WRAPPER` (the user's
//! wrapper, such as sccache, moves to `BLUEGEN_RUSTC_WRAPPER` and still
//! runs). For a crate of the image's target, the wrapper replaces cargo's
//! metadata with a hash of the same command line without its paths: the
//! crate's name, edition, cfgs, features and codegen flags, the names of its
//! dependencies and its source file as the image's remaps name it
//! (`hello-app/src/lib.rs`). Everything else (output files, the
//! `-C extra-filename` cargo looks for) is as cargo asked; host crates
//! (build scripts, procedural macros) are not touched.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Set for cargo's rustc invocations: bluegen runs as the wrapper.
pub const MARK: &str = "BLUEGEN_RUSTC_WRAP";
/// The wrapper the user had (`RUSTC_WRAPPER`), run in turn.
pub const INNER: &str = "BLUEGEN_RUSTC_WRAPPER";

/// Runs the command cargo gave (`rustc ARGS…`, or a workspace wrapper and
/// rustc) with the metadata rewritten; does not return on success.
pub fn main() -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.is_empty() {
        let _ = writeln!(std::io::stderr(), "error: bluegen runs as a rustc wrapper only under cargo ({MARK} is set)");
        return ExitCode::FAILURE;
    }
    if let Some(strings) = args.iter().map(|a| a.to_str().map(str::to_string)).collect::<Option<Vec<String>>>() {
        args = rewrite(&strings).into_iter().map(OsString::from).collect();
    }
    let inner = std::env::var_os(INNER).filter(|w| !w.is_empty());
    let mut cmd = match &inner {
        Some(wrapper) => {
            let mut c = std::process::Command::new(wrapper);
            c.args(&args);
            c
        }
        None => {
            let mut c = std::process::Command::new(&args[0]);
            c.args(&args[1..]);
            c
        }
    };
    cmd.env_remove(MARK).env_remove(INNER);
    let err = std::os::unix::process::CommandExt::exec(&mut cmd);
    let _ = writeln!(std::io::stderr(), "error: bluegen's rustc wrapper cannot run {}: {err}", inner.as_ref().unwrap_or(&args[0]).to_string_lossy());
    ExitCode::FAILURE
}

/// `args` (a compiler and its arguments) with `-C metadata=…` replaced by
/// a hash of the path-free arguments, when the crate is built for a
/// `--target` and cargo gave it metadata; otherwise unchanged.
pub fn rewrite(args: &[String]) -> Vec<String> {
    let metadata = args.windows(2).position(|w| w[0] == "-C" && w[1].starts_with("metadata="));
    let (Some(at), true) = (metadata, args.iter().any(|a| a == "--target" || a.starts_with("--target="))) else {
        return args.to_vec();
    };
    let remaps: Vec<(&str, &str)> = args.windows(2).filter(|w| w[0] == "--remap-path-prefix").filter_map(|w| w[1].rsplit_once('=')).collect();
    let mut hash = Fnv::new();
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        // `--flag=value` and `--flag value` alike; `-C x`, `-L x` take the next.
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
            _ if TAKES_VALUE.contains(&arg) => {
                i += 1;
                (arg, args.get(i - 1).map(String::as_str))
            }
            _ => (arg, None),
        };
        let Some(value) = value else {
            if flag.ends_with(".rs") && !flag.starts_with('-') {
                if let Some(name) = source_name(flag, &remaps) {
                    hash.add("src", &name);
                }
            } else if !has_path(flag) {
                hash.add("arg", flag);
            }
            continue;
        };
        match flag {
            // Paths of this build machine, cargo's own path-dependent hashes,
            // and how messages are shown.
            "--out-dir" | "-L" | "--remap-path-prefix" | "--error-format" | "--json" | "--diagnostic-width" | "--color" => {}
            "-C" if value.starts_with("metadata=") || value.starts_with("extra-filename=") || value.starts_with("incremental=") => {}
            "--extern" => hash.add("extern", value.split_once('=').map_or(value, |(name, _)| name)),
            _ if has_path(value) => {}
            _ => hash.add(flag, value),
        }
    }
    let mut out = args.to_vec();
    out[at + 1] = format!("metadata={:016x}", hash.0);
    out
}

/// The source file `path` as the remaps name it (the last matching one
/// wins, as in rustc), a relative path as it is; `None`: an absolute path
/// no remap covers.
fn source_name(path: &str, remaps: &[(&str, &str)]) -> Option<String> {
    let p = std::path::Path::new(path);
    if p.is_relative() {
        return Some(path.to_string());
    }
    remaps.iter().rev().find_map(|(from, to)| p.strip_prefix(from).ok().map(|rest| format!("{to}/{}", rest.display())))
}

/// The flags whose value is the next argument.
const TAKES_VALUE: &[&str] = &["-C", "--cfg", "--check-cfg", "--extern", "-L", "-l", "--out-dir", "--crate-name", "--crate-type", "--edition", "--target", "--emit", "--cap-lints", "--error-format", "--json", "--diagnostic-width", "--remap-path-prefix", "--color", "-A", "-W", "-D", "-F", "-o"];

/// Whether an argument holds a path (`/x`, `name=/x`, `-Tlink/x`): the
/// machine's, or one the source file and the remaps already stand for.
fn has_path(arg: &str) -> bool {
    arg.contains('/')
}

/// 64-bit FNV-1a over tagged strings.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, tag: &str, value: &str) {
        for b in tag.bytes().chain([0]).chain(value.bytes()).chain([0xff]) {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    fn args(dir: &str) -> Vec<String> {
        let s = format!(
            "rustc --crate-name hello_app --edition=2024 {dir}/app/src/lib.rs --error-format=json --crate-type lib --emit=dep-info,metadata,link -C opt-level=z -C metadata=0123abcd -C extra-filename=-89ef --out-dir {dir}/target/deps --target thumbv7m-none-eabi -L dependency={dir}/target/deps --extern bluegen_kernel={dir}/target/deps/libbluegen_kernel-1234.rmeta -C link-arg=--nmagic --remap-path-prefix {dir}/app=hello-app --cfg feature=\"x\""
        );
        s.split(' ').map(str::to_string).collect()
    }

    fn metadata(a: &[String]) -> String {
        a.windows(2).find(|w| w[0] == "-C" && w[1].starts_with("metadata=")).unwrap()[1].clone()
    }

    #[test]
    fn the_metadata_does_not_depend_on_the_directory() {
        let (a, b) = (rewrite(&args("/home/a/dev")), rewrite(&args("/tmp/b/deeper/dev")));
        assert_eq!(metadata(&a), metadata(&b));
        assert_ne!(metadata(&a), "metadata=0123abcd");
        // Only the metadata changes; cargo still finds its outputs.
        assert_eq!(a.len(), args("/home/a/dev").len());
        assert!(a.contains(&"extra-filename=-89ef".to_string()));
    }

    #[test]
    fn what_the_crate_is_still_counts() {
        let base = metadata(&rewrite(&args("/d")));
        let other_feature: Vec<String> = args("/d").into_iter().map(|a| if a == "feature=\"x\"" { "feature=\"y\"".into() } else { a }).collect();
        assert_ne!(metadata(&rewrite(&other_feature)), base);
        let other_name: Vec<String> = args("/d").into_iter().map(|a| if a == "hello_app" { "other_app".into() } else { a }).collect();
        assert_ne!(metadata(&rewrite(&other_name)), base);
    }

    #[test]
    fn host_crates_and_probes_are_left_alone() {
        let host: Vec<String> = args("/d").into_iter().filter(|a| a != "--target" && a != "thumbv7m-none-eabi").collect();
        assert_eq!(rewrite(&host), host);
        let probe: Vec<String> = ["rustc", "-vV"].map(String::from).to_vec();
        assert_eq!(rewrite(&probe), probe);
    }
}
