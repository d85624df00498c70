//! `hoist ls`: what is already in the remote library.

use crate::dest::DestinationArgs;
use crate::output::{human_bytes, print_json_line, terminal_safe};
use clap::Args;
use hoist_core::engine::Credentials;

#[derive(Args, Debug)]
pub struct LsArgs {
    #[command(flatten)]
    dest: DestinationArgs,
    /// At most this many assets.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

pub async fn run(args: LsArgs) -> anyhow::Result<u8> {
    let (target, credentials) = args.dest.resolve()?;
    let destination = target.destination.clone();
    let key = credentials
        .api_key(&target.account, &destination)
        .ok_or_else(|| crate::UsageError(format!("no API key for {}", destination.label())))?;
    let provider = hoist_core::provider::for_destination(&destination, &key, reqwest_client()?)
        .map_err(|e| {
            anyhow::anyhow!("{}", crate::hints::with_hint(&e.message, Some(&e.reason())))
        })?;
    let mut cursor: Option<String> = None;
    let mut shown = 0;
    while shown < args.limit {
        let want = (args.limit - shown).min(100) as u32;
        let page = provider.list(cursor.as_deref(), want).await.map_err(|e| {
            let said = crate::hints::with_hint(&e.to_string(), Some(&e.reason()));
            anyhow::anyhow!("listing assets: {said}")
        })?;
        for a in page.items.iter().take(args.limit - shown) {
            if args.json {
                print_json_line(&serde_json::to_value(a)?);
            } else {
                println!(
                    "{:<40} {:<15} {:>9}  {}",
                    terminal_safe(&a.id),
                    terminal_safe(&a.status),
                    a.size.map(human_bytes).unwrap_or_default(),
                    terminal_safe(a.name.as_deref().unwrap_or(""))
                );
            }
            shown += 1;
        }
        match page.next {
            Some(next) if !page.items.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    if shown == 0 && !args.json {
        eprintln!("no assets at {}", destination.label());
    }
    Ok(0)
}

/// The engine's API client rules: same-origin redirects only, capped bodies.
fn reqwest_client() -> anyhow::Result<hoist_core::provider::http::HttpClient> {
    Ok(hoist_core::provider::http::api_client_builder().build()?)
}
