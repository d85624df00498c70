//! `hoist attach`: attach assets to a FLORA project.
//!
//! Exit codes like `upload`: 0 all attached, 1 some failed, 2 usage errors,
//! including a provider without projects ("not offered by this provider").

use crate::dest::DestinationArgs;
use crate::output::{print_json_line, terminal_safe};
use crate::remote::Remote;
use crate::UsageError;
use clap::Args;
use hoist_core::provider::spec::{self, PROJECT};
use serde_json::json;

#[derive(Args, Debug)]
pub struct AttachArgs {
    /// The destination, with `--project prj_…`: the project to attach to.
    #[command(flatten)]
    dest: DestinationArgs,
    /// One JSON object per asset on stdout.
    #[arg(long)]
    json: bool,
    /// Asset ids (as `hoist ls` shows them).
    #[arg(required = true)]
    ids: Vec<String>,
}

fn not_offered(kind: hoist_core::ProviderKind) -> UsageError {
    UsageError(hoist_core::provider::not_offered(kind, "attaching to a project").message)
}

pub async fn run(args: AttachArgs) -> anyhow::Result<u8> {
    // Before the flags are checked: `--project` is no Runflow setting, but
    // the answer to give is that Runflow has no projects.
    if let Some(kind) = args.dest.provider {
        if !spec::spec(kind).library.attach {
            return Err(not_offered(kind).into());
        }
    }
    let remote = Remote::resolve(&args.dest)?;
    let destination = &remote.target().destination;
    if !spec::spec(destination.provider).library.attach {
        return Err(not_offered(destination.provider).into());
    }
    let project = destination
        .field(PROJECT)
        .map(str::to_string)
        .ok_or_else(|| UsageError("name the project to attach to with --project prj_…".into()))?;
    let provider = remote.provider()?;
    let mut failed = 0;
    for id in &args.ids {
        // A fresh key per request: attaching again is harmless, and a
        // replayed key within FLORA's window would be refused as a duplicate.
        let key = uuid::Uuid::new_v4().to_string();
        match provider.attach_to(&project, id, &key).await {
            Ok(()) if args.json => print_json_line(&json!({
                "asset_id": id, "project": project, "status": "attached",
            })),
            Ok(()) => println!(
                "{}  attached to {}",
                terminal_safe(id),
                terminal_safe(&project)
            ),
            Err(e) => {
                failed += 1;
                let said = crate::hints::with_hint(&e.to_string(), Some(&e.reason()));
                if args.json {
                    print_json_line(&json!({
                        "asset_id": id, "project": project, "status": "failed", "error": said,
                    }));
                } else {
                    eprintln!("failed: {}: {}", terminal_safe(id), terminal_safe(&said));
                }
            }
        }
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
