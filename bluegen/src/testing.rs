//! Testing: what a device's `[test]` expects of a run, and whether a run met it.
//!
//! A test is a device.toml's `[test]` table: the boards it runs on, the
//! console lines (or regular expressions) it must print in order, the exit
//! status it must end with and how long it may take. [`verdict`] is the one
//! judgement, a pure function of what QEMU printed and returned, so that
//! `bluegen test` and its host unit tests agree on what passes.

use std::time::Duration;

use crate::diag::Location;

/// The timeout of a `[test]` without `timeout`: long enough for a
/// Thread-Metric period under `-icount` on a busy machine.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A validated `[test]` table.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// The boards to run on, in file order, each with where it was written
    /// (`[test] boards`; empty: the device's own board).
    pub boards: Vec<(String, Option<Location>)>,
    /// Console expectations, matched in order against the console's lines.
    pub console: Vec<Expect>,
    /// The exit status the kernel must end with.
    pub exit: i32,
    pub timeout: Duration,
    /// QEMU arguments added for the test run (after the board's and
    /// `[qemu] args`): a sensor to attach, a property to set.
    pub qemu_args: Vec<String>,
    /// The `[test]` header.
    pub at: Option<Location>,
}

/// One entry of `[test] console`.
#[derive(Debug, Clone)]
pub enum Expect {
    /// A string: a console line equal to it (trailing whitespace and the
    /// carriage return of a serial line ignored).
    Line(String),
    /// `{ regex = "…" }`: a console line the expression matches somewhere.
    Regex(regex::Regex),
}

impl Expect {
    pub fn matches(&self, line: &str) -> bool {
        match self {
            Expect::Line(want) => line.trim_end() == want.trim_end(),
            Expect::Regex(re) => re.is_match(line.trim_end_matches(['\r', '\n'])),
        }
    }

    /// As device.toml writes it.
    pub fn shown(&self) -> String {
        match self {
            Expect::Line(s) => format!("{s:?}"),
            Expect::Regex(re) => format!("{{ regex = {:?} }}", re.as_str()),
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The kernel exited with this status.
    Exited(i32),
    /// QEMU was stopped after the test's timeout.
    TimedOut(Duration),
}

/// Why a run failed its test; `None` from [`verdict`] is a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Expectation `index` (0-based) was not found after the line the one
    /// before it matched (`after`, 1-based; 0: the start).
    Missing { index: usize, expected: String, after: usize },
    /// The console matched, and the exit status is another.
    Exit { expected: i32, got: i32 },
    /// The run did not end in time.
    Timeout(Duration),
}

impl Failure {
    /// One line for the summary and the reports.
    pub fn message(&self) -> String {
        match self {
            Failure::Missing { index, expected, after: 0 } => format!("console line {} ({expected}) never came", index + 1),
            Failure::Missing { index, expected, after } => format!("console line {} ({expected}) never came after console line {after}", index + 1),
            Failure::Exit { expected, got } => format!("exit status {got}, expected {expected}"),
            Failure::Timeout(t) => format!("did not finish within {} s", t.as_secs_f64()),
        }
    }
}

/// Whether `console` and `ending` meet `spec`: the expectations in order,
/// each on a later line than the one before, then the exit status. A
/// timeout fails the test even when the console matched: a test ends.
pub fn verdict(spec: &TestSpec, console: &str, ending: &Ending) -> Option<Failure> {
    let lines: Vec<&str> = console.split('\n').collect();
    let mut next = 0;
    for (index, expect) in spec.console.iter().enumerate() {
        match lines[next..].iter().position(|line| expect.matches(line)) {
            Some(at) => next += at + 1,
            None if matches!(ending, Ending::TimedOut(_)) => return Some(Failure::Timeout(spec.timeout)),
            None => return Some(Failure::Missing { index, expected: expect.shown(), after: next }),
        }
    }
    match *ending {
        Ending::TimedOut(t) => Some(Failure::Timeout(t)),
        Ending::Exited(got) if got != spec.exit => Some(Failure::Exit { expected: spec.exit, got }),
        Ending::Exited(_) => None,
    }
}

/// The last `n` lines of `console`, for a failure's report.
pub fn tail(console: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = console.trim_end_matches('\n').split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if lines == [""] {
        return Vec::new();
    }
    lines[lines.len().saturating_sub(n)..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(console: Vec<Expect>, exit: i32) -> TestSpec {
        TestSpec { boards: Vec::new(), console, exit, timeout: Duration::from_secs(5), qemu_args: Vec::new(), at: None }
    }

    fn re(s: &str) -> Expect {
        Expect::Regex(regex::Regex::new(s).unwrap())
    }

    #[test]
    fn expectations_match_in_order_on_later_lines() {
        let s = spec(vec![Expect::Line("a".into()), re(r"^tick \d+$"), Expect::Line("done".into())], 0);
        assert_eq!(verdict(&s, "boot\na\r\ntick 12\ndone\n", &Ending::Exited(0)), None);
        // Out of order: "a" after the tick does not count.
        let f = verdict(&s, "tick 1\na\ndone\n", &Ending::Exited(0));
        assert_eq!(f, Some(Failure::Missing { index: 1, expected: "{ regex = \"^tick \\\\d+$\" }".into(), after: 2 }));
        // A whole line, not a part of one.
        assert!(matches!(verdict(&s, "a b\ntick 1\ndone\n", &Ending::Exited(0)), Some(Failure::Missing { index: 0, after: 0, .. })));
        // One line cannot satisfy two expectations.
        let twice = spec(vec![Expect::Line("x".into()), Expect::Line("x".into())], 0);
        assert!(verdict(&twice, "x\n", &Ending::Exited(0)).is_some());
        assert_eq!(verdict(&twice, "x\nx\n", &Ending::Exited(0)), None);
    }

    #[test]
    fn the_exit_status_and_the_timeout_count() {
        let s = spec(vec![Expect::Line("ok".into())], 3);
        assert_eq!(verdict(&s, "ok\n", &Ending::Exited(3)), None);
        assert_eq!(verdict(&s, "ok\n", &Ending::Exited(0)), Some(Failure::Exit { expected: 3, got: 0 }));
        let t = Duration::from_secs(5);
        assert_eq!(verdict(&s, "ok\n", &Ending::TimedOut(t)), Some(Failure::Timeout(t)));
        assert_eq!(verdict(&s, "", &Ending::TimedOut(t)), Some(Failure::Timeout(t)));
        assert_eq!(Failure::Exit { expected: 0, got: 1 }.message(), "exit status 1, expected 0");
    }

    #[test]
    fn the_tail_is_the_last_lines() {
        assert_eq!(tail("a\r\nb\nc\n", 2), ["b", "c"]);
        assert_eq!(tail("a", 5), ["a"]);
        assert!(tail("", 5).is_empty());
    }
}
