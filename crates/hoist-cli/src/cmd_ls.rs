//! `hoist ls`: what is already in the remote library.
//!
//! Online, it lists from the provider (newest first) and refreshes the
//! destination's library cache as it goes; `--query` searches on the server
//! where the provider can (FLORA), else in the cache after a refresh (both
//! `hoist_api::remote::list`; this file prints).
//! `--cached` answers from the cache alone, without a key's use or the
//! network; when the provider cannot be reached, plain `ls` does the same
//! and says when the cache was last updated.

use crate::dest::DestinationArgs;
use crate::output::{human_bytes, print_json_line, terminal_safe};
use crate::remote::Remote;
use clap::Args;
use hoist_api::remote::{list, Listed};
use hoist_core::library::refresh::last_updated;
use hoist_core::library::{AssetKind, LibraryCache, LibraryQuery, RefreshError, SortBy};
use hoist_core::RemoteAsset;

#[derive(Args, Debug)]
pub struct LsArgs {
    #[command(flatten)]
    dest: DestinationArgs,
    /// At most this many assets.
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// Only assets whose name contains this (case-insensitive).
    #[arg(long)]
    query: Option<String>,
    /// Answer from this machine's cache of the library, without the network.
    #[arg(long)]
    cached: bool,
    /// With --cached: only this type (image, video, audio, document, other).
    #[arg(long = "type", requires = "cached")]
    kind: Option<AssetKind>,
    /// With --cached: only this status (e.g. ready).
    #[arg(long, requires = "cached")]
    status: Option<String>,
    /// With --cached: order by date, name or size (newest, last, largest first).
    #[arg(long, requires = "cached")]
    sort: Option<SortBy>,
    #[arg(long)]
    json: bool,
}

pub async fn run(args: LsArgs) -> anyhow::Result<u8> {
    let remote = Remote::resolve(&args.dest)?;
    let cache = remote.cache()?;
    let label = remote.target().destination.label();
    if args.cached {
        let st = cache.state().await?;
        if !args.json {
            eprintln!(
                "hoist: from the cache ({})",
                last_updated(st.last_complete_ms)
            );
        }
        return from_cache(&args, &cache, &label).await;
    }
    let provider = remote.provider()?;
    let json = args.json;
    let show = |a: &RemoteAsset| {
        if let Err(e) = print(a, json) {
            tracing::warn!(error = %e, "could not print an asset");
        }
    };
    let listed = list(
        provider.as_ref(),
        &cache,
        args.query.as_deref(),
        args.limit,
        show,
    )
    .await;
    match listed {
        Ok(Listed::AskTheCache) => return from_cache(&args, &cache, &label).await,
        Ok(Listed::Shown(0)) if !args.json => eprintln!("no assets at {label}"),
        Ok(Listed::Shown(_)) => {}
        Err(RefreshError::Offline {
            reason,
            last_complete_ms,
        }) => {
            if last_complete_ms.is_none() && cache.is_empty().await? {
                anyhow::bail!("cannot reach {label} ({reason}), and nothing of it is cached");
            }
            eprintln!(
                "hoist: offline ({}); showing the cache, {}",
                terminal_safe(&reason),
                last_updated(last_complete_ms)
            );
            return from_cache(&args, &cache, &label).await;
        }
        Err(RefreshError::Api(e)) => {
            let said = crate::hints::with_hint(&e.to_string(), Some(&e.reason()));
            anyhow::bail!("listing assets: {said}");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(0)
}

fn print(a: &RemoteAsset, json: bool) -> anyhow::Result<()> {
    if json {
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
    Ok(())
}

/// The cache's answer: newest first unless `--sort` says otherwise.
async fn from_cache(args: &LsArgs, cache: &LibraryCache, label: &str) -> anyhow::Result<u8> {
    let mut q = LibraryQuery {
        search: args.query.clone(),
        kind: args.kind,
        status: args.status.clone(),
        sort: args.sort.unwrap_or_default(),
        descending: true,
        offset: 0,
        limit: 0,
    };
    let mut shown = 0;
    while shown < args.limit {
        q.offset = shown as u64;
        q.limit = (args.limit - shown).min(1000) as u32;
        let page = cache.query(&q).await?;
        if page.items.is_empty() {
            break;
        }
        for a in &page.items {
            if args.json {
                print_json_line(&serde_json::to_value(a)?);
            } else {
                print(&a.asset, false)?;
            }
            shown += 1;
        }
    }
    if shown == 0 && !args.json {
        eprintln!("no assets at {label} in the cache");
    }
    Ok(0)
}
