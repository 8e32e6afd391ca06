//! Leftovers of issue 10 found by a hostile second try: each test names the
//! defect it guards against.

mod common;

use common::{THREAD, bluegen, check, device, project};

#[test]
fn a_thread_stack_is_bounded_by_the_ram_of_memory_not_the_boards() {
    // The board has 4 MiB of RAM; `[memory]` gives 16 MiB, so an 8 MiB stack fits.
    let memory = "[memory]\nram-origin = 0x2000_0000\nram = \"16M\"\n";
    let thread = |stack: &str| format!("[threads.main]\nentry = \"main\"\npriority = 1\nstack = {stack}\n");
    let (code, err) = check(&format!("{}{memory}{}", device("qemu-mps2-an385"), thread("\"8M\"")));
    assert_eq!(code, 0, "{err}");
    let (code, err) = check(&format!("{}{memory}{}", device("qemu-mps2-an385"), thread("\"32M\"")));
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: invalid value for `threads.main.stack`
      --> device.toml:10:9
       |
    10 | stack = "32M"
       |         ^^^^^
       = key: threads.main.stack
       = value: "32M"
       = why: `[memory]` gives only 16 MiB of RAM
       = hint: use at most 16 MiB
    "#);
}
