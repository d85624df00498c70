//! `--provider flora|runflow|segmentflow` through the whole CLI (upload,
//! queue, ls), refusals before any request, and the wrong provider or
//! endpoint answered with one clear message.

mod common;

use common::*;
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_queue_and_ls_for_every_provider() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    for (i, &(provider, flags)) in PROVIDERS.iter().enumerate() {
        let src = dir.path().join(provider);
        let files = random_files(&src, 5, 1..50_000, 70 + i as u64);
        let state = tempfile::tempdir().unwrap();
        let endpoint = sb.endpoint(provider);
        let mut args = upload_args(&endpoint, provider, flags);
        args.push("--json".into());
        args.push(src.to_string_lossy().into_owned());
        let out = run(hoist(state.path()).args(&args));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len(), 5, "{provider}");
        assert!(lines.iter().all(|l| l["status"] == "ready"), "{lines:?}");
        let assets: Vec<_> = sb
            .assets()
            .await
            .into_iter()
            .filter(|a| a.dialect == provider)
            .collect();
        assert!(exactly_once_problems(&files, &assets).is_empty());

        let out = run(hoist(state.path()).args(["queue", "list", "--json"]));
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            text(&out.stdout)
                .lines()
                .filter(|l| l.contains("\"status\":\"ready\""))
                .count(),
            5
        );

        let mut ls = vec!["ls", "--provider", provider, "--endpoint", &endpoint];
        ls.extend_from_slice(flags);
        ls.push("--json");
        let out = run(hoist(state.path()).args(&ls));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );
        let listed: Vec<serde_json::Value> = text(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(listed.len(), 5, "{provider}: {listed:?}");
        for l in &lines {
            assert!(
                listed.iter().any(|a| a["id"] == l["asset_id"]),
                "{provider}: {l} not listed"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_refused_per_file_before_any_request() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.jpg"), b"fine").unwrap();
    std::fs::write(dir.path().join("empty.jpg"), b"").unwrap();
    let big = std::fs::File::create(dir.path().join("big.jpg")).unwrap();
    big.set_len(52_428_801).unwrap(); // sparse
    std::fs::write(dir.path().join("clip.mov"), b"moov").unwrap();

    let cases: [(&str, &[&str]); 2] = [
        (
            "runflow",
            &[
                "empty.jpg: Runflow does not accept empty files",
                "big.jpg: Runflow accepts files up to 50 MiB",
            ],
        ),
        (
            "segmentflow",
            &[
                "empty.jpg: Segmentflow does not accept empty files",
                "big.jpg: Segmentflow accepts files up to 20 MiB",
                "clip.mov: Segmentflow accepts only JPEG, PNG, CSV, Excel (.xls) and PDF files",
            ],
        ),
    ];
    for (provider, expected) in cases {
        let state = tempfile::tempdir().unwrap();
        let mut args = upload_args(&sb.endpoint(provider), provider, &[]);
        args.push(dir.path().to_string_lossy().into_owned());
        let out = run(hoist(state.path()).args(&args));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{provider}: {err}");
        for e in expected {
            assert!(err.contains(e), "{provider}: expected '{e}' in: {err}");
        }
    }
    // Only ok.jpg (both providers) and clip.mov (Runflow) reached the sandbox.
    let mut names: Vec<_> = sb
        .assets()
        .await
        .into_iter()
        .map(|a| (a.dialect, a.name.unwrap_or_default(), a.status))
        .collect();
    names.sort();
    let ready = |d: &str, n: &str| (d.to_string(), n.to_string(), "ready".to_string());
    assert_eq!(
        names,
        vec![
            ready("runflow", "clip.mov"),
            ready("runflow", "ok.jpg"),
            ready("segmentflow", "ok.jpg"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_provider_for_the_endpoint_gets_one_clear_message() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.jpg");
    std::fs::write(&file, b"abc").unwrap();
    let host = sb.base().trim_start_matches("http://").to_string();
    for &(provider, flags) in PROVIDERS {
        for &(other, _) in PROVIDERS.iter().filter(|(o, _)| *o != provider) {
            let state = tempfile::tempdir().unwrap();
            let mut args = upload_args(&sb.endpoint(other), provider, flags);
            args.push(file.to_string_lossy().into_owned());
            let out = run(hoist(state.path()).args(&args));
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{provider} at {other}: {err}");
            let expected = match provider {
                "flora" => "FLORA",
                "runflow" => "Runflow",
                _ => "Segmentflow",
            };
            let wanted = format!(
                "{host} answered HTTP 404 with an empty body instead of a {expected} error"
            );
            // The engine's own `WARN upload failed` log line repeats the
            // reason; what the CLI says to the person is the `failed:` line.
            let said: String = err
                .lines()
                .filter(|l| !l.contains("WARN"))
                .collect::<Vec<_>>()
                .join("\n");
            assert_eq!(
                said.matches(&wanted).count(),
                1,
                "{provider} at {other}: one message naming what answered and what was expected: {err}"
            );
            assert!(err.contains("check --provider and --endpoint"), "{err}");
            for noise in ["expected value", "EOF while parsing", "missing field"] {
                assert!(!err.contains(noise), "JSON parser noise: {err}");
            }

            let mut ls = vec!["ls", "--provider", provider, "--endpoint"];
            let endpoint = sb.endpoint(other);
            ls.push(&endpoint);
            ls.extend_from_slice(flags);
            let out = run(hoist(state.path()).args(&ls));
            let err = text(&out.stderr);
            assert_ne!(out.status.code(), Some(0), "{provider} at {other}: {err}");
            assert!(
                err.contains(&format!("instead of a {expected} error")),
                "ls {provider} at {other}: {err}"
            );
        }
    }
    assert!(sb.assets().await.is_empty());
}
