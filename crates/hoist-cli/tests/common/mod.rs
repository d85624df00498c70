//! Running the real `hoist` binary against a real sandbox.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const HOIST: &str = env!("CARGO_BIN_EXE_hoist");

/// Providers the CLI tests run against, with the flags each needs.
/// Runflow and Segmentflow run once with their optional flags: Runflow's
/// `--org`/`--folder` are UUIDs, Segmentflow's `--website` too.
pub const PROVIDERS: &[(&str, &[&str])] = &[
    ("flora", &["--workspace", "ws_cli"]),
    (
        "runflow",
        &[
            "--org",
            "6f1c2a7e-3b8d-4c59-9a12-0d4e5f6a7b8c",
            "--folder",
            "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
        ],
    ),
    (
        "segmentflow",
        &["--website", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"],
    ),
];

/// `hoist` with an isolated state dir and no inherited key.
pub fn hoist(state: &Path) -> Command {
    let mut c = Command::new(HOIST);
    c.env("HOIST_STATE_DIR", state).env_remove("HOIST_API_KEY");
    c
}

pub fn upload_args(endpoint: &str, provider: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["upload", "--provider", provider, "--endpoint", endpoint]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("hoist runs")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
