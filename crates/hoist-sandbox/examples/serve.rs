//! Runs the sandbox standalone (for manual testing and benchmarks):
//!
//! ```text
//! cargo run -p hoist-sandbox --example serve -- [--listen 127.0.0.1:8787] [--data DIR]
//!     [--api-key KEY] [--faults SPEC] [--s3-from-env]
//! ```
//!
//! Prints `listening on http://ADDR` once ready; stops on Ctrl-C.

use hoist_sandbox::{FaultSpec, S3Settings, Sandbox, SandboxConfig, StorageMode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut listen = "127.0.0.1:8787".to_string();
    let mut data = std::env::temp_dir().join("hoist-sandbox");
    let mut api_key = None;
    let mut faults = FaultSpec::default();
    let mut s3 = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--listen" => listen = value()?,
            "--data" => data = value()?.into(),
            "--api-key" => api_key = Some(value()?),
            "--faults" => faults = value()?.parse()?,
            "--s3-from-env" => s3 = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let mut config = SandboxConfig::new(data);
    config.api_key = api_key;
    config.faults = faults;
    if s3 {
        config.storage = StorageMode::S3(S3Settings::from_env()?);
    }
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    let sb = Sandbox::start(listener, config).await?;
    println!("listening on {}", sb.base_url());
    tokio::signal::ctrl_c().await?;
    sb.shutdown().await;
    Ok(())
}
