//! A provider pointed at another provider's endpoint, or at a server
//! answering in another vendor's error shape.

use hoist_core::{Destination, JobState, ProviderKind};
use hoist_testkit::TestSandbox;
use serde_json::json;

use crate::common::{all_jobs, destination, engine, target, wait_settled, PROVIDERS};
use crate::support::canned;

/// Every provider pointed at every other dialect's sandbox endpoint (and at
/// a server answering in another vendor's error shape) fails with one
/// message that names what answered and what was expected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_provider_or_endpoint_gets_one_clear_message() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jpg"), b"abc").unwrap();
    for &provider in PROVIDERS {
        for &other in PROVIDERS.iter().filter(|&&o| o != provider) {
            let mut dest = destination(&sb, provider);
            dest.endpoint = sb.endpoint(other.as_str());
            let state = tempfile::tempdir().unwrap();
            let engine = engine(state.path(), |c| c.retry.max_attempts = 2).await;
            engine
                .add(&[dir.path().to_path_buf()], &target(&dest))
                .await
                .unwrap();
            wait_settled(&engine).await;
            let rows = all_jobs(&engine).await;
            assert_eq!(
                rows[0].state,
                JobState::Failed,
                "{provider} at {other}: {rows:#?}"
            );
            let err = rows[0].last_error.clone().unwrap_or_default();
            let expected = match provider {
                ProviderKind::Flora => "FLORA",
                ProviderKind::Runflow => "Runflow",
                ProviderKind::Segmentflow => "Segmentflow",
            };
            let host = sb.base().trim_start_matches("http://").to_string();
            assert!(
                err.contains(&format!("{host} answered HTTP 404")),
                "{provider} at {other}: {err}"
            );
            assert!(
                err.contains(&format!("instead of a {expected} error")),
                "{provider} at {other}: {err}"
            );
            assert!(err.contains("check the provider and endpoint"), "{err}");
            assert!(
                !err.contains("expected value") && !err.contains("EOF"),
                "no JSON parser noise: {err}"
            );
            assert_eq!(
                rows[0].attempts, 0,
                "a wrong endpoint is not retried: {rows:#?}"
            );
            engine.shutdown().await;
        }
    }
    assert!(sb.assets().await.is_empty());

    // A real vendor answers unknown routes in its own error shape.
    let flora_says =
        json!({"error": {"code": "not_found", "message": "Route not found"}}).to_string();
    let runflow_says =
        json!({"code": "UNAUTHORIZED", "message": "Invalid token", "errors": []}).to_string();
    for (provider, route, expect) in [
        (ProviderKind::Runflow, ("POST ", 404, "", flora_says.clone()), "a FLORA-style error ('not_found: Route not found') where a Runflow API was expected"),
        (ProviderKind::Segmentflow, ("POST ", 404, "", flora_says), "a FLORA-style error ('not_found: Route not found') where a Segmentflow API was expected"),
        (ProviderKind::Flora, ("POST ", 401, "", runflow_says), "a Runflow-style error ('UNAUTHORIZED: Invalid token') where a FLORA API was expected"),
    ] {
        let c = canned("/api", vec![route]).await;
        let mut dest = Destination::new(provider, c.base.clone());
        dest.set("workspace", "ws_1");
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |_| {}).await;
        engine.add(&[dir.path().to_path_buf()], &target(&dest)).await.unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        let err = rows[0].last_error.clone().unwrap_or_default();
        assert_eq!(rows[0].state, JobState::Failed);
        assert!(err.contains(expect), "{provider}: {err}");
        assert!(err.contains("check the provider and endpoint"), "{err}");
        engine.shutdown().await;
    }
}
