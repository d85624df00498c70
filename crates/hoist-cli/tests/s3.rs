//! S3 storage mode end to end: `moto_server` (PyPI `moto[server]`) on
//! loopback behind a recording proxy, `hoist sandbox --s3` in front of it,
//! and `hoist upload` of a folder for each provider. Every file must arrive
//! exactly once with identical bytes (read back from moto through the asset
//! URL), and no request that reached the storage host may carry a provider
//! credential: the proxy sees every request head moto receives, so this is
//! asserted on what was actually sent, not assumed.

mod common;

use common::*;
use hoist_testkit::moto::start_moto;
use hoist_testkit::{assets_at, exactly_once_problems, random_files};
use std::io::BufRead;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const API_KEY: &str = "sk_test_S3_END_TO_END_SECRET";

/// Kills a child process when dropped.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Read one HTTP message head (through the blank line) from `sock`.
async fn read_head(sock: &mut tokio::net::TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(p + 4);
            return Some((buf, rest));
        }
    }
}

/// The head with any `Connection` header replaced by `Connection: close`, so
/// every request travels on its own connection and is seen here.
fn close_after(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text
        .trim_end_matches("\r\n")
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n")).into_bytes()
}

/// A loopback proxy in front of moto that records every request head.
async fn recording_proxy(upstream: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let up_addr = upstream.trim_start_matches("http://").to_string();
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (seen, up_addr) = (seen.clone(), up_addr.clone());
            tokio::spawn(async move {
                let Some((head, rest)) = read_head(&mut client).await else {
                    return;
                };
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let Ok(mut server) = tokio::net::TcpStream::connect(&up_addr).await else {
                    return;
                };
                if server.write_all(&close_after(&head)).await.is_err()
                    || server.write_all(&rest).await.is_err()
                {
                    return;
                }
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let upload = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                    let _ = sw.shutdown().await;
                });
                // The response head gets `Connection: close` too, so the
                // client never reuses this connection.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 16384];
                let split = loop {
                    match sr.read(&mut chunk).await {
                        Ok(0) | Err(_) => break None,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break Some(p + 4);
                    }
                };
                if let Some(p) = split {
                    let body = buf.split_off(p);
                    let _ = cw.write_all(&close_after(&buf)).await;
                    let _ = cw.write_all(&body).await;
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                }
                let _ = cw.shutdown().await;
                upload.abort();
            });
        }
    });
    (format!("http://{addr}"), heads)
}

/// `hoist sandbox --s3` on a free port; returns its base URL.
fn start_sandbox(state: &std::path::Path, s3_endpoint: &str, bucket: &str) -> (Reaper, String) {
    let mut child = hoist(state)
        .args(["sandbox", "--s3", "--listen", "127.0.0.1:0"])
        .env("AWS_ENDPOINT_URL", s3_endpoint)
        .env("HOIST_SANDBOX_S3_BUCKET", bucket)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hoist sandbox runs");
    let stdout = child.stdout.take().expect("stdout");
    let reaper = Reaper(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the sandbox's first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line from hoist sandbox: {line:?}"))
        .to_string();
    (reaper, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_mode_uploads_a_folder_exactly_once_for_every_provider() {
    let moto = start_moto().await;
    let moto_endpoint = moto.endpoint.clone();
    let (proxy, heads) = recording_proxy(moto_endpoint.clone()).await;
    let bucket = "hoist-e2e";
    let state = tempfile::tempdir().unwrap();

    // Without the S3 settings, --s3 is a usage error that names what is missing.
    let out = run(hoist(state.path())
        .args(["sandbox", "--s3", "--listen", "127.0.0.1:0"])
        .env_remove("AWS_ENDPOINT_URL"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("AWS_ENDPOINT_URL"),
        "{}",
        text(&out.stderr)
    );

    let (_sandbox, base) = start_sandbox(state.path(), &proxy, bucket);
    let dir = tempfile::tempdir().unwrap();
    for (i, &(provider, flags)) in PROVIDERS.iter().enumerate() {
        let src = dir.path().join(provider);
        let files = random_files(&src, 12, 1..400_000, 40 + i as u64);
        let endpoint = format!("{base}{}", hoist_core::ProviderKind::ALL[i].sandbox_path());
        assert!(endpoint.contains(provider));
        let mut args = upload_args(&endpoint, provider, flags);
        args.push("--json".into());
        args.push(src.to_string_lossy().into_owned());
        let out = run(hoist(state.path())
            .args(&args)
            .env("HOIST_API_KEY", API_KEY));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );

        // Exactly once, ready, same SHA-256 (the sandbox hashes the object in moto).
        let assets: Vec<_> = assets_at(&base)
            .await
            .into_iter()
            .filter(|a| a.dialect == provider)
            .collect();
        let problems = exactly_once_problems(&files, &assets);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");

        // And the bytes themselves, read back from moto through each asset URL.
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len(), files.len(), "{provider}");
        for l in &lines {
            let url = l["url"].as_str().expect("asset url");
            assert!(url.starts_with(&proxy), "{provider}: {url} is not in S3");
            let path = l["path"].as_str().expect("path");
            let body = reqwest::get(url).await.unwrap().bytes().await.unwrap();
            assert_eq!(
                body.as_ref(),
                std::fs::read(path).unwrap().as_slice(),
                "{provider}: {path}"
            );
        }
    }

    // What the storage host received. Client uploads (presigned, so without
    // an Authorization header) must have gone through the proxy, and no
    // request may carry a provider credential or tenant header.
    let heads = heads.lock().unwrap().clone();
    let uploads = heads
        .iter()
        .filter(|h| {
            (h.starts_with("PUT ") || h.starts_with("POST "))
                && !h.to_ascii_lowercase().contains("\r\nauthorization:")
        })
        .count();
    assert!(
        uploads >= 36,
        "only {uploads} presigned uploads reached storage: {heads:#?}"
    );
    for h in &heads {
        let lower = h.to_ascii_lowercase();
        assert!(!h.contains(API_KEY), "API key sent to storage: {h}");
        assert!(
            !lower.contains("bearer"),
            "bearer token sent to storage: {h}"
        );
        assert!(
            !lower.contains("\r\nx-api-key:"),
            "x-api-key sent to storage: {h}"
        );
        assert!(
            !lower.contains("\r\nx-organization-id:"),
            "tenant header sent to storage: {h}"
        );
        assert!(
            !lower.contains("idempotency-key"),
            "API header sent to storage: {h}"
        );
    }
}
