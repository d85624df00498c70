//! Load check: pushes N small files through FLORA reserve → upload → complete with a few
//! concurrent workers against a sandbox started in-process, and prints the rate.
//!
//! ```text
//! cargo run --release -p hoist-sandbox --example smallfiles -- [N] [CONCURRENCY]
//! ```

use std::sync::Arc;
use std::time::Instant;

use hoist_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const BOUNDARY: &str = "----smallfiles";

async fn one(
    http: &reqwest::Client,
    base: &str,
    i: usize,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let r: Value = http
        .post(format!("{base}/flora/api/v1/assets"))
        .bearer_auth("k")
        .json(&json!({"source": "signed-url", "workspace_id": "ws_bench", "file_name": format!("f{i}.jpg"), "content_type": "image/jpeg"}))
        .send()
        .await?
        .json()
        .await?;
    let mut body = Vec::new();
    if let Some(fields) = r["upload"]["form_fields"].as_object() {
        for (k, v) in fields {
            let v = v.as_str().unwrap_or_default();
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&vec![i as u8; 20_000]);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let url = r["upload"]["url"].as_str().unwrap_or_default();
    let up = http
        .post(url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await?;
    if !up.status().is_success() {
        return Err(format!("upload {}", up.status()).into());
    }
    let id = r["asset_id"].as_str().unwrap_or_default();
    let c = http
        .post(format!("{base}/flora/api/v1/assets/{id}/complete"))
        .bearer_auth("k")
        .send()
        .await?;
    if c.status() != 200 {
        return Err(format!("complete {}", c.status()).into());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let conc: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let dir = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sb = Sandbox::start(listener, SandboxConfig::new(dir.path())).await?;
    let base = Arc::new(sb.base_url());
    let http = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (http, base, next) = (http.clone(), base.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return Ok::<(), Box<dyn std::error::Error + Send + Sync>>(());
                }
                one(&http, &base, i).await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{n} files in {secs:.2} s: {:.0} files/s ({:.2} ms per file per worker)",
        n as f64 / secs,
        secs * 1000.0 * conc as f64 / n as f64
    );
    sb.shutdown().await;
    Ok(())
}
