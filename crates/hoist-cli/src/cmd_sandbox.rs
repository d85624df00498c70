//! `hoist sandbox`: the local asset API server.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// Where assets and their metadata are kept (default: the state dir's `sandbox`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Accept only this key (default: any non-empty key).
    #[arg(long, env = "HOIST_SANDBOX_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Inject faults, e.g. "error=0.1,rate_limit=0.05,drop=0.05,expiry=3s,latency=20ms".
    #[arg(long)]
    faults: Option<String>,
    /// Hand out presigned URLs of an S3-compatible store instead of serving
    /// bytes here. Reads AWS_ENDPOINT_URL, HOIST_SANDBOX_S3_BUCKET, AWS_REGION
    /// (default us-east-1), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long)]
    s3: bool,
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<u8> {
    let faults: hoist_sandbox::FaultSpec = match &args.faults {
        Some(spec) => spec
            .parse()
            .map_err(|e| crate::UsageError(format!("--faults: {e}")))?,
        None => hoist_sandbox::FaultSpec::default(),
    };
    let storage = if args.s3 {
        let settings = hoist_sandbox::S3Settings::from_env()
            .map_err(|e| crate::UsageError(format!("--s3: {e}")))?;
        hoist_sandbox::StorageMode::S3(settings)
    } else {
        hoist_sandbox::StorageMode::Disk
    };
    let data = args
        .data
        .unwrap_or_else(|| hoist_core::state_dir::default_state_dir().join("sandbox"));
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let mut config = hoist_sandbox::SandboxConfig::new(&data);
    config.api_key = args.api_key;
    config.faults = faults;
    let storage_note = match &storage {
        hoist_sandbox::StorageMode::S3(s) => {
            format!("bytes in s3 bucket {} at {}", s.bucket, s.endpoint)
        }
        hoist_sandbox::StorageMode::Disk => "bytes on disk".to_string(),
    };
    config.storage = storage;
    let sandbox = hoist_sandbox::Sandbox::start(listener, config)
        .await
        .context("cannot start the sandbox")?;
    println!("listening on {}", sandbox.base_url());
    eprintln!(
        "FLORA {0}/flora/api/v1 · Runflow {0}/runflow · Segmentflow {0}/segmentflow · data in {1} · {2}",
        sandbox.base_url(),
        data.display(),
        storage_note
    );
    crate::stop_signal().await;
    sandbox.shutdown().await;
    Ok(0)
}
