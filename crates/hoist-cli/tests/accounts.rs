//! Keys per account: a key given to `hoist` serves only the destination it
//! was given for, and two accounts (two keys) never share jobs or dedupe.
//! Every server here checks its own key, and records every key it is shown.

mod common;

use common::*;
use hoist_testkit::TestSandbox;
use std::collections::BTreeSet;
use std::path::Path;

const KEY_A: &str = "sk_account_a_1111";
const KEY_B: &str = "sk_account_b_2222";

fn keys_seen(seen: &std::collections::BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    seen.values().flatten().cloned().collect()
}

fn queue_json(state: &Path) -> Vec<serde_json::Value> {
    let out = run(hoist(state).args(["queue", "list", "--json"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("queue list --json line"))
        .collect()
}

/// The reported bug: a job queued for server B, then worked by a `hoist`
/// given account A's key, went to B with A's key. Now B's job waits for B's
/// key, B never sees A's key, and B's own key later finishes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_key_never_reaches_another_accounts_server() {
    for (provider, flags) in PROVIDERS {
        let a = TestSandbox::start_with("", |c| c.api_key = Some(KEY_A.into())).await;
        let b = TestSandbox::start_with("", |c| c.api_key = Some(KEY_B.into())).await;
        let state = tempfile::tempdir().expect("state");
        let files = tempfile::tempdir().expect("files");
        let file_a = files.path().join("for-a.png");
        let file_b = files.path().join("for-b.png");
        std::fs::write(&file_a, b"content for A").expect("write");
        std::fs::write(&file_b, b"content for B").expect("write");

        // B's job waits in the queue (paused) until someone works the queue.
        assert_eq!(
            run(hoist(state.path()).args(["queue", "pause", "--all"]))
                .status
                .code(),
            Some(0)
        );
        let mut args = upload_args(&b.endpoint(provider), provider, flags);
        args.push(file_b.display().to_string());
        let out = run(hoist(state.path()).args(&args).env("HOIST_API_KEY", KEY_B));
        assert_eq!(
            out.status.code(),
            Some(1),
            "paused, so not ready: {}",
            text(&out.stderr)
        );
        assert_eq!(
            run(hoist(state.path()).args(["queue", "resume", "--all"]))
                .status
                .code(),
            Some(0)
        );

        // A `hoist upload` with A's key works the shared queue.
        let mut args = upload_args(&a.endpoint(provider), provider, flags);
        args.extend(["--json".to_string(), file_a.display().to_string()]);
        let out = run(hoist(state.path()).args(&args).env("HOIST_API_KEY", KEY_A));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );
        let line: serde_json::Value =
            serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
        assert_eq!(line["status"], "ready");

        let b_seen = keys_seen(&b.credentials_seen().await);
        assert!(
            !b_seen.contains(KEY_A),
            "{provider}: B was sent A's key; B saw {b_seen:?}"
        );
        assert_eq!(
            keys_seen(&a.credentials_seen().await),
            BTreeSet::from([KEY_A.to_string()])
        );
        // B's job waits, and says why.
        let jobs = queue_json(state.path());
        let job_b = jobs
            .iter()
            .find(|j| j["path"].as_str() == Some(file_b.to_str().expect("utf-8 temp path")))
            .expect("B's job is in the queue");
        assert_eq!(job_b["status"], "queued", "{provider}: {job_b}");
        assert!(
            job_b["error"]
                .as_str()
                .is_some_and(|e| e.contains("waiting for its API key")),
            "{provider}: {job_b}"
        );

        // `hoist queue run` without B's key cannot finish it, and says so.
        let out = run(hoist(state.path())
            .args(["queue", "run"])
            .env("HOIST_API_KEY", KEY_A));
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("wait for an API key"),
            "{}",
            text(&out.stderr)
        );
        // With B's key it does.
        let out = run(hoist(state.path())
            .args(["queue", "run"])
            .env("HOIST_API_KEY", KEY_B));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );

        assert_eq!(
            keys_seen(&b.credentials_seen().await),
            BTreeSet::from([KEY_B.to_string()])
        );
        assert_eq!(
            keys_seen(&a.credentials_seen().await),
            BTreeSet::from([KEY_A.to_string()])
        );
        let names = |assets: Vec<hoist_testkit::SandboxAsset>| -> Vec<String> {
            assets
                .into_iter()
                .filter(|x| x.is_vendor_asset())
                .filter_map(|x| x.name)
                .collect()
        };
        assert_eq!(
            names(a.assets().await),
            vec!["for-a.png".to_string()],
            "{provider}"
        );
        assert_eq!(
            names(b.assets().await),
            vec!["for-b.png".to_string()],
            "{provider}"
        );
    }
}

/// The reported bug: the same file uploaded with key A, then again with key
/// B to the same destination, was reported ready with A's asset and never
/// reached B's account. Each key is its own account: B uploads its own copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_keys_for_one_destination_are_two_accounts() {
    // Segmentflow without a website, and Runflow without an org: the
    // destinations two accounts share.
    for provider in ["segmentflow", "runflow", "flora"] {
        let sb = TestSandbox::start("").await;
        let state = tempfile::tempdir().expect("state");
        let files = tempfile::tempdir().expect("files");
        let file = files.path().join("shared.png");
        std::fs::write(&file, b"the same bytes").expect("write");
        let extra: &[&str] = if provider == "flora" {
            &["--workspace", "ws_shared"]
        } else {
            &[]
        };
        let upload = |key: &str| {
            let mut args = upload_args(&sb.endpoint(provider), provider, extra);
            args.extend(["--json".to_string(), file.display().to_string()]);
            let out = run(hoist(state.path()).args(&args).env("HOIST_API_KEY", key));
            assert_eq!(
                out.status.code(),
                Some(0),
                "{provider}: {}",
                text(&out.stderr)
            );
            let v: serde_json::Value =
                serde_json::from_str(text(&out.stdout).trim()).expect("one JSON line");
            v
        };
        let first = upload(KEY_A);
        let second = upload(KEY_B);
        assert_eq!(first["status"], "ready");
        assert_eq!(second["status"], "ready", "{provider}: {second}");
        assert_ne!(
            first["asset_id"], second["asset_id"],
            "{provider}: key B was handed key A's asset"
        );
        // The same key again is the same account: nothing is sent twice.
        let third = upload(KEY_B);
        assert_eq!(third["asset_id"], second["asset_id"], "{provider}");
        let vendor_assets = sb
            .assets()
            .await
            .into_iter()
            .filter(|a| a.is_vendor_asset() && a.status == "ready")
            .count();
        assert_eq!(vendor_assets, 2, "{provider}: one asset per account");
        assert_eq!(
            keys_seen(&sb.credentials_seen().await),
            BTreeSet::from([KEY_A.to_string(), KEY_B.to_string()])
        );
    }
}
