//! Report: the matrix, each pair's line, the summary table, JSON and JUnit XML.

use std::time::Duration;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::matrix::Case;
use super::{Outcome, Status};
use crate::diag::{Error, Result};

/// Lines of a failing run's console shown under the table.
const TAIL_LINES: usize = 20;

fn result_word(status: &Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Built => "built",
        Status::Fail(_) => "FAIL",
        Status::Error(_) => "ERROR",
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The line printed (on stderr) as a pair ends.
pub fn progress(case: &Case, o: &Outcome) -> String {
    let how = match &o.status {
        Status::Fail(f) => format!(": {}", f.message()),
        Status::Built => " (hardware: built and budget-checked, not run)".into(),
        _ => String::new(),
    };
    format!("test {} on {} ... {}{how} [{} + {}]", case.project, case.board, result_word(&o.status), secs(o.build), secs(o.run))
}

/// `--list`: one pair a line (`project board run|build`), or JSON.
pub fn list(cases: &[Case], json: bool) -> Result<()> {
    if json {
        let rows: Vec<_> = cases.iter().map(|c| serde_json::json!({ "project": c.project, "device": c.device, "board": c.board, "run": c.emulated })).collect();
        crate::outln!("{}", serde_json::to_string_pretty(&rows).map_err(|e| Error::msg(e.to_string()))?)?;
        return Ok(());
    }
    for c in cases {
        crate::outln!("{} {} {}", c.project, c.board, if c.emulated { "run" } else { "build" })?;
    }
    Ok(())
}

/// Passed, built, failed and errors among `outcomes`.
fn counts<'a>(outcomes: impl IntoIterator<Item = &'a Outcome> + Clone) -> (usize, usize, usize, usize) {
    let n = |f: fn(&Status) -> bool| outcomes.clone().into_iter().filter(|o| f(&o.status)).count();
    (n(|s| matches!(s, Status::Pass)), n(|s| matches!(s, Status::Built)), n(|s| matches!(s, Status::Fail(_))), n(|s| matches!(s, Status::Error(_))))
}

/// The summary table, each failure with its console's tail, the totals.
pub fn table(cases: &[Case], outcomes: &[Outcome], without_test: &[String], elapsed: Duration) -> Result<()> {
    let w = cases.iter().map(|c| c.project.len()).max().unwrap_or(0).max(7);
    let b = cases.iter().map(|c| c.board.len()).max().unwrap_or(0).max(5);
    crate::outln!("{:<w$}  {:<b$}  {:<6}  {:>7}  {:>7}  {:>8}  {:>8}", "project", "board", "result", "build", "run", "flash", "ram")?;
    for (c, o) in cases.iter().zip(outcomes) {
        let bytes = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |v| format!("{v} B"));
        let run = if o.run.is_zero() { "-".to_string() } else { secs(o.run) };
        crate::outln!("{:<w$}  {:<b$}  {:<6}  {:>7}  {:>7}  {:>8}  {:>8}", c.project, c.board, result_word(&o.status), secs(o.build), run, bytes(o.flash), bytes(o.ram))?;
    }
    for (c, o) in cases.iter().zip(outcomes) {
        match &o.status {
            Status::Fail(f) => {
                crate::outln!("\nfailed: {} on {}: {}", c.project, c.board, f.message())?;
                let tail = crate::testing::tail(&o.console, TAIL_LINES);
                if tail.is_empty() {
                    crate::outln!("  (the console was empty)")?;
                } else {
                    crate::outln!("  the console's last {} lines:", tail.len())?;
                    for line in tail {
                        crate::outln!("  | {line}")?;
                    }
                }
            }
            Status::Error(e) => {
                match c.spec {
                    Err(_) => crate::outln!("\nerror: {}: its device.toml does not validate:", c.project)?,
                    Ok(_) => crate::outln!("\nerror: {} on {} did not build or run:", c.project, c.board)?,
                }
                for line in e.lines() {
                    crate::outln!("{}", if line.is_empty() { String::new() } else { format!("  {line}") })?;
                }
            }
            _ => {}
        }
    }
    if !without_test.is_empty() {
        crate::outln!("\nwithout [test] (not in the matrix): {}", without_test.join(", "))?;
    }
    let (pass, built, fail, error) = counts(outcomes);
    let word = if fail + error == 0 { "ok" } else { "FAILED" };
    let pairs = if outcomes.len() == 1 { "1 pair".to_string() } else { format!("{} pairs", outcomes.len()) };
    crate::outln!("\ntest result: {word}. {pass} passed, {built} built (hardware), {fail} failed, {error} errors; {pairs} in {}", secs(elapsed))?;
    Ok(())
}

/// `--json`: the results, one object.
pub fn json(cases: &[Case], outcomes: &[Outcome], without_test: &[String], elapsed: Duration) -> Result<()> {
    let results: Vec<_> = cases
        .iter()
        .zip(outcomes)
        .map(|(c, o)| {
            let message = match &o.status {
                Status::Fail(f) => Some(f.message()),
                Status::Error(e) => Some(e.clone()),
                _ => None,
            };
            serde_json::json!({
                "project": c.project,
                "device": c.device,
                "board": c.board,
                "result": result_word(&o.status).to_lowercase(),
                "message": message,
                "exit": o.exit,
                "build_ms": o.build.as_millis() as u64,
                "run_ms": o.run.as_millis() as u64,
                "flash_bytes": o.flash,
                "ram_bytes": o.ram,
                "console": o.console,
            })
        })
        .collect();
    let (pass, built, fail, error) = counts(outcomes);
    let doc = serde_json::json!({
        "results": results,
        "passed": pass,
        "built": built,
        "failed": fail,
        "errors": error,
        "without_test": without_test,
        "elapsed_ms": elapsed.as_millis() as u64,
    });
    crate::outln!("{}", serde_json::to_string_pretty(&doc).map_err(|e| Error::msg(e.to_string()))?)?;
    Ok(())
}

/// Text XML 1.0 can hold: its control characters other than tab, line
/// feed and carriage return (a console's escape sequences) become U+FFFD.
fn xml_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && !matches!(c, '\t' | '\n' | '\r') { '\u{fffd}' } else { c }).collect()
}

/// `--junit`: one `<testsuite>` per project, one `<testcase>` per board.
pub fn junit(cases: &[Case], outcomes: &[Outcome], elapsed: Duration) -> String {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let time = |d: Duration| format!("{:.3}", d.as_secs_f64());
    // Writing to a Vec cannot fail.
    let mut put = |e: Event<'_>| w.write_event(e).expect("writing XML to memory");
    put(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let (_, _, fail, error) = counts(outcomes);
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "bluegen test"));
    suites.push_attribute(("tests", outcomes.len().to_string().as_str()));
    suites.push_attribute(("failures", fail.to_string().as_str()));
    suites.push_attribute(("errors", error.to_string().as_str()));
    suites.push_attribute(("time", time(elapsed).as_str()));
    put(Event::Start(suites));
    let mut i = 0;
    while i < cases.len() {
        let project = &cases[i].project;
        let group: Vec<usize> = (i..cases.len()).take_while(|&j| cases[j].project == *project).collect();
        i += group.len();
        let outs: Vec<&Outcome> = group.iter().map(|&j| &outcomes[j]).collect();
        let (_, _, f, e) = counts(outs.iter().copied());
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", xml_text(project).as_str()));
        suite.push_attribute(("tests", group.len().to_string().as_str()));
        suite.push_attribute(("failures", f.to_string().as_str()));
        suite.push_attribute(("errors", e.to_string().as_str()));
        suite.push_attribute(("time", time(outs.iter().map(|o| o.build + o.run).sum()).as_str()));
        put(Event::Start(suite));
        for &j in &group {
            let (c, o) = (&cases[j], &outcomes[j]);
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", xml_text(&format!("{}.{}", c.project, c.device)).as_str()));
            case.push_attribute(("name", xml_text(&c.board).as_str()));
            case.push_attribute(("time", time(o.build + o.run).as_str()));
            put(Event::Start(case));
            let mut text = |tag: &str, message: Option<&str>, body: &str| {
                let mut e = BytesStart::new(tag.to_string());
                if let Some(m) = message {
                    e.push_attribute(("message", xml_text(m).as_str()));
                }
                put(Event::Start(e));
                put(Event::Text(BytesText::new(&xml_text(body))));
                put(Event::End(BytesEnd::new(tag.to_string())));
            };
            match &o.status {
                Status::Fail(f) => text("failure", Some(&f.message()), &crate::testing::tail(&o.console, TAIL_LINES).join("\n")),
                Status::Error(e) => text("error", Some(e.lines().next().unwrap_or("error")), e),
                Status::Built => text("system-out", None, &format!("board {} is hardware: the image was built and budget-checked, not run", c.board)),
                Status::Pass => {}
            }
            if !o.console.is_empty() {
                text("system-out", None, &o.console);
            }
            put(Event::End(BytesEnd::new("testcase")));
        }
        put(Event::End(BytesEnd::new("testsuite")));
    }
    put(Event::End(BytesEnd::new("testsuites")));
    let mut out = String::from_utf8(w.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}
