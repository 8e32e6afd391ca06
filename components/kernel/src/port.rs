//! The kernel's boundary to its image: two functions the image defines.
//!
//! The generated `src/main.rs` of an image crate defines both with
//! `#[unsafe(no_mangle)]`: `__bluegen_console_write` calls the board's console
//! driver (or does nothing when the board has none) and `__bluegen_exit` ends
//! the run the board's way (semihosting, the SiFive test device, or a halt).
//! The kernel and the arch crates call them; apps use [`crate::console`] and
//! [`crate::exit`] instead.
//!
//! Host builds (tests, `cargo check`) get doubles: console output goes to a
//! per-thread buffer in tests, and exit panics with [`host::Exit`] there.

#[cfg(target_os = "none")]
#[allow(unsafe_code)]
// SAFETY: the generated image defines both functions with `#[unsafe(no_mangle)]`
// and exactly these Rust signatures (bluegen renders them from one template),
// so a call is a plain safe Rust call; neither has preconditions.
unsafe extern "Rust" {
    /// Writes `bytes` to the board's console, waiting until the driver took them.
    pub safe fn __bluegen_console_write(bytes: &[u8]);
    /// Ends the run with `code` (0 is success); never returns.
    pub safe fn __bluegen_exit(code: i32) -> !;
}

#[cfg(not(target_os = "none"))]
pub use host::{__bluegen_console_write, __bluegen_exit};

/// Test doubles of the image's functions, for host builds.
#[cfg(not(target_os = "none"))]
pub mod host {
    /// The payload `__bluegen_exit` panics with in host tests.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Exit(pub i32);

    #[cfg(test)]
    std::thread_local! {
        static OUTPUT: core::cell::RefCell<std::vec::Vec<u8>> = const { core::cell::RefCell::new(std::vec::Vec::new()) };
    }

    /// Host double: appends to this thread's output buffer in tests.
    pub fn __bluegen_console_write(bytes: &[u8]) {
        #[cfg(test)]
        OUTPUT.with(|out| out.borrow_mut().extend_from_slice(bytes));
        #[cfg(not(test))]
        let _ = bytes;
    }

    /// Host double: panics with [`Exit`] in tests, spins otherwise.
    pub fn __bluegen_exit(code: i32) -> ! {
        #[cfg(test)]
        std::panic::panic_any(Exit(code));
        #[cfg(not(test))]
        {
            let _ = code;
            loop {
                core::hint::spin_loop();
            }
        }
    }

    /// Takes what this thread wrote to the console so far.
    #[cfg(test)]
    pub fn take_output() -> std::vec::Vec<u8> {
        OUTPUT.with(|out| core::mem::take(&mut *out.borrow_mut()))
    }

    /// Runs `f`, which must end the run; returns its exit code.
    #[cfg(test)]
    pub fn exit_code_of(f: impl FnOnce() + std::panic::UnwindSafe) -> i32 {
        let payload = std::panic::catch_unwind(f).expect_err("the run must end with exit");
        payload.downcast_ref::<Exit>().expect("ended by exit, not by another panic").0
    }
}
