//! Run: boot an image in QEMU, stream its console, return its exit status.
//!
//! The board's `[qemu]` table gives the binary and machine flags. The console
//! is copied to our stdout as it comes (a closed pipe ends the run quietly, a
//! failed write stops QEMU and is an error); the kernel's exit status comes back through
//! semihosting (Arm) or the SiFive test device (RISC-V virt) as QEMU's own.
//!
//! With [`icount_args`] QEMU runs under the board's `[qemu.icount]`
//! settings: virtual time follows the executed instructions, not the host's
//! clock, so what a run prints about time does not depend on how busy the
//! host is (`bluegen run --icount`; the kernel's timing tests use it).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::board::Board;
use crate::diag::{Diagnostic, Error, Result};

/// Boots `elf` on `board` and waits; `Ok(status)` is the kernel's exit code.
pub fn qemu(
    board: &Board,
    elf: &Path,
    timeout: Option<Duration>,
    extra_args: &[String],
) -> Result<i32> {
    let mut child = spawn(board, elf, extra_args, Stdio::piped())?;
    let mut console = child.stdout.take();
    let (failed, failure) = std::sync::mpsc::channel();
    // Through bluegen's own writer, not an inherited descriptor: QEMU blocks
    // for ever on a stdout it cannot write (`> /dev/full`).
    let copier = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut buf = [0u8; 4096];
        let mut out = crate::cli::stdout();
        while let Some(Ok(n @ 1..)) = console.as_mut().map(|c| c.read(&mut buf)) {
            if let Err(e) = out.write_all(&buf[..n]).and_then(|()| out.flush()) {
                let _ = failed.send(crate::cli::stdout_failed(e));
                return;
            }
        }
    });
    let code = wait_or(board, &mut child, timeout, Some(&failure)).and_then(|code| code.ok_or_else(|| timed_out(timeout.unwrap_or_default())));
    let _ = copier.join();
    // A write that failed after QEMU ended still fails the run.
    match failure.try_recv() {
        Ok(err) => Err(err),
        Err(_) => code,
    }
}

/// Like [`qemu`], but returns the console output instead of streaming it.
pub fn qemu_output(
    board: &Board,
    elf: &Path,
    timeout: Option<Duration>,
    extra_args: &[String],
) -> Result<(i32, String)> {
    let (code, console) = capture(board, elf, timeout, extra_args)?;
    match code {
        Some(code) => Ok((code, console)),
        None => Err(timed_out(timeout.unwrap_or_default())),
    }
}

/// Boots `elf` on `board` and keeps its console: `(Some(status), console)`
/// when the kernel exited, `(None, console)` when QEMU was stopped after
/// `timeout` (the console so far is kept, for a test's report).
pub fn capture(
    board: &Board,
    elf: &Path,
    timeout: Option<Duration>,
    extra_args: &[String],
) -> Result<(Option<i32>, String)> {
    let mut child = spawn(board, elf, extra_args, Stdio::piped())?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = std::io::Read::read_to_end(out, &mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let code = wait_or(board, &mut child, timeout, None)?;
    Ok((code, reader.join().unwrap_or_default()))
}

/// QEMU's `-icount` option with the board's `[qemu.icount]` value, for
/// deterministic virtual time; an error naming the board file when the
/// board has no such table.
pub fn icount_args(board: &Board) -> Result<Vec<String>> {
    let Some(qemu) = &board.qemu else {
        // Not emulated at all: booting it says so.
        return Ok(Vec::new());
    };
    match &qemu.icount {
        Some(icount) => Ok(vec!["-icount".to_string(), icount.args.clone()]),
        None => Err(Diagnostic::error(format!("board {} has no deterministic clock", board.name))
            .why("--icount runs QEMU with the board's [qemu.icount] settings, and its board file has none")
            .hint("run without --icount, or add a [qemu.icount] table (args, units-per-instruction) to the board file")
            .into()),
    }
}

/// QEMU's `-drive` arguments for the device's drivers of file-backed
/// peripherals (a flash bank): each file sits beside the ELF,
/// `<elf>.<driver>.flash`, made erased (all 0xff) when missing, of the
/// wrong size, or when `erase` asks; otherwise it keeps what earlier runs
/// wrote, as a flash chip does across a power cycle.
pub fn drives(device: &crate::model::Device, elf: &Path, erase: bool) -> Result<Vec<String>> {
    let mut args = Vec::new();
    for d in &device.drivers {
        let Some(drive) = &d.peripheral.qemu_drive else { continue };
        let file = drive_file(elf, &d.name);
        let size = d.peripheral.size;
        let fits = std::fs::metadata(&file).is_ok_and(|m| m.len() == size);
        if erase || !fits {
            let bytes = vec![0xffu8; usize::try_from(size).map_err(|_| Error::msg(format!("flash bank `{}` is too large", d.peripheral.name)))?];
            crate::files::write_atomic(&file, &bytes)?;
        }
        args.push("-drive".to_string());
        args.push(format!("{drive},file={}", file.display().to_string().replace(',', ",,")));
    }
    Ok(args)
}

/// The file `drives` backs `[drivers.<driver>]` with, for an image at `elf`.
pub fn drive_file(elf: &Path, driver: &str) -> std::path::PathBuf {
    let mut name = elf.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{driver}.flash"));
    elf.with_file_name(name)
}

fn spawn(board: &Board, elf: &Path, extra_args: &[String], stdout: Stdio) -> Result<Child> {
    let Some(qemu) = &board.qemu else {
        return Err(
            Diagnostic::error(format!("board {} is not emulated", board.name))
                .why("its board file has no [qemu] table, so there is nothing to run the image in")
                .hint("flash it to the device instead, or pick a qemu-* board (`bluegen boards`)")
                .into(),
        );
    };
    if find_in_path(&qemu.binary).is_none() {
        return Err(
            Diagnostic::error(format!("`{}` is not installed", qemu.binary))
                .why(format!(
                    "board {} runs in QEMU, and `{}` is not on PATH",
                    board.name, qemu.binary
                ))
                .hint(format!(
                    "install Debian's package: sudo apt-get install {}",
                    qemu.package
                ))
                .into(),
        );
    }
    let mut cmd = Command::new(&qemu.binary);
    cmd.args(&qemu.args).args(extra_args);
    // QEMU 7.2's virt machine takes a second pflash drive for S-mode
    // firmware and then loads no `-kernel`; the generic loader puts the
    // ELF's segments in place all the same, and the reset vector jumps to
    // the start of RAM, where the image begins.
    if extra_args.iter().any(|a| a == "-drive") {
        let mut load = std::ffi::OsString::from("loader,file=");
        load.push(elf.as_os_str().to_string_lossy().replace(',', ",,"));
        cmd.arg("-device").arg(load);
    } else {
        cmd.arg("-kernel").arg(elf);
    }
    cmd.stdin(Stdio::null())
        .stdout(stdout);
    cmd.spawn()
        .map_err(|e| Error::msg(format!("cannot start {}: {e}", qemu.binary)))
}

/// Waits for QEMU to end (`Some(status)`), to run out of `timeout` (`None`),
/// or for `failure` (the console could not be written): the last two stop it.
fn wait_or(board: &Board, child: &mut Child, timeout: Option<Duration>, failure: Option<&std::sync::mpsc::Receiver<Error>>) -> Result<Option<i32>> {
    let binary = board.qemu.as_ref().map_or("QEMU", |q| q.binary.as_str());
    let start = Instant::now();
    loop {
        if let Some(Ok(err)) = failure.map(std::sync::mpsc::Receiver::try_recv) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(err);
        }
        if let Some(status) = child
            .try_wait()
            .map_err(|e| Error::msg(format!("waiting for QEMU: {e}")))?
        {
            return match status.code() {
                Some(code) => Ok(Some(code)),
                None => Err(Error::msg(format!("{binary} was killed by a signal"))),
            };
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn timed_out(limit: Duration) -> Error {
    Diagnostic::error(format!("the image did not finish within {} s", limit.as_secs_f64()))
        .why("QEMU was stopped: the kernel neither exited nor halted in time")
        .hint("a thread may be waiting forever; raise --timeout if the work is just slow")
        .into()
}

/// The full path of `program` if it is on PATH.
pub fn find_in_path(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
