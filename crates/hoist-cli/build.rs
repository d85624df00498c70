//! `hoist --version` names the commit it was built from. From a git checkout
//! that is `git rev-parse`; from a source tarball (no .git) `HOIST_COMMIT`
//! may say it, else the version stands alone.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=HOIST_COMMIT");
    let version = env!("CARGO_PKG_VERSION");
    let commit = std::env::var("HOIST_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves: HEAD itself (a checkout) and the ref it names
    // (a commit). Worktrees keep HEAD in their own git dir.
    if let Some(dir) = git(&["rev-parse", "--path-format=absolute", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
            if let Some(common) = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
            {
                println!("cargo:rerun-if-changed={common}/{head_ref}");
                println!("cargo:rerun-if-changed={common}/packed-refs");
            }
        }
    }
    let long = match commit {
        Some(c) => format!("{version} ({c})"),
        None => version.to_owned(),
    };
    println!("cargo:rustc-env=HOIST_LONG_VERSION={long}");
}
