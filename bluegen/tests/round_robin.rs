//! The kernel's `ROUND_ROBIN`: bluegen turns it on exactly when threads can
//! share a priority, and a device cannot set it.

mod common;

/// Two threads: `main` at priority 1, `peer` at `peer`, and `features`.
fn two_threads(peer: u8, features: &str) -> tempfile::TempDir {
    common::project(&format!(
        "{}\n[features]\nthreads = true\n{features}\n{}\n[threads.peer]\nentry = \"sensor_poll\"\npriority = {peer}\nstack = 1024\n",
        common::device("qemu-mps2-an385"),
        common::THREAD
    ))
}

/// `round-robin`'s row of `bluegen config --json`: (value, set by).
fn round_robin(dir: &tempfile::TempDir) -> (serde_json::Value, serde_json::Value) {
    let (code, out, err) = common::bluegen(dir.path(), &["config", "--json"]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = rows.as_array().unwrap().iter().find(|r| r["name"] == "round-robin").expect("the kernel has ROUND_ROBIN").clone();
    assert_eq!(row["prompt"], serde_json::Value::Null, "no prompt: {row}");
    (row["value"].clone(), row["set_by"].clone())
}

#[test]
fn round_robin_is_on_exactly_when_threads_can_share_a_priority() {
    assert_eq!(round_robin(&two_threads(1, "")), (true.into(), "derived".into()), "equal priorities");
    assert_eq!(round_robin(&two_threads(2, "")).0, serde_json::Value::Bool(false), "distinct priorities");
    assert_eq!(round_robin(&two_threads(2, "spawn = true\n")).0, serde_json::Value::Bool(true), "spawned threads may meet any priority");
    assert_eq!(round_robin(&two_threads(2, "priority-change = true\n")).0, serde_json::Value::Bool(true), "a priority may change to another's");
}

#[test]
fn the_round_robin_feature_is_not_a_device_setting() {
    let dir = two_threads(2, "round-robin = true\n");
    let (code, _, err) = common::bluegen(dir.path(), &["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(err, @r#"
    error: `round-robin` is set by bluegen, not by a device
     --> device.toml:7:1
      |
    7 | round-robin = true
      | ^^^^^^^^^^^
      = key: features.round-robin
      = value: true
      = why: the kernel's ROUND_ROBIN is on exactly when two threads share a priority (two [threads.<name>] with the same `priority`, or `spawn` or `priority-change`, which can make them meet at run time): its pick then takes turns among equals
      = hint: remove this line; give two threads the same priority to have them take turns
    "#);
}
