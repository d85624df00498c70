//! The built `hoist-app` binary answers `--version` and `--help` without
//! opening a window (no display needed). Building this test also makes
//! `cargo test --workspace` produce the binary the end-to-end suite drives,
//! with the same features, so CI compiles the app once.

use std::process::Command;

fn hoist_app(arg: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hoist-app"))
        .arg(arg)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run hoist-app")
}

#[test]
fn version_prints_without_a_display() {
    let out = hoist_app("--version");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), format!("Hoist {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_names_the_arguments() {
    let out = hoist_app("--help");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Usage: hoist-app [FILE | FOLDER]..."),
        "{text}"
    );
    assert!(text.contains("--version"), "{text}");
}
