//! `hoist completions SHELL` and `hoist manpages DIR`: generated from the
//! same clap definition as the parser (clap_complete, clap_mangen), so they
//! never drift from the flags. scripts/package.sh puts them in the package.

use clap::Args;
use clap_complete::Shell;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManpagesArgs {
    /// Folder for the pages (created if missing).
    dir: PathBuf,
}

pub fn completions(args: &CompletionsArgs, mut cmd: clap::Command) -> ExitCode {
    clap_complete::generate(args.shell, &mut cmd, "hoist", &mut std::io::stdout());
    ExitCode::SUCCESS
}

pub fn manpages(args: &ManpagesArgs, cmd: clap::Command) -> ExitCode {
    let written =
        std::fs::create_dir_all(&args.dir).and_then(|()| clap_mangen::generate_to(cmd, &args.dir));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "hoist: cannot write man pages to {}: {e}",
                args.dir.display()
            );
            ExitCode::from(1)
        }
    }
}
