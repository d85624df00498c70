//! Shared setup for the engine's integration tests (real sandbox, real SQLite).

#![allow(dead_code)]

use hoist_core::accounts::GivenKeys;
use hoist_core::engine::EngineConfig;
use hoist_core::queue::JobFilter;
use hoist_core::retry::RetryPolicy;
use hoist_core::{Destination, Engine, JobState, JobTarget, ProviderKind};
use hoist_testkit::TestSandbox;
use std::path::Path;
use std::sync::Arc;

/// Providers every engine test runs against.
pub const PROVIDERS: &[ProviderKind] = &ProviderKind::ALL;

pub const RUNFLOW_ORG: &str = "6f1c2a7e-3b8d-4c59-9a12-0d4e5f6a7b8c";
pub const RUNFLOW_FOLDER: &str = "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";
pub const SEGMENTFLOW_WEBSITE: &str = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

pub fn destination(sb: &TestSandbox, provider: ProviderKind) -> Destination {
    let mut d = Destination::new(provider, sb.endpoint(provider.as_str()));
    match provider {
        ProviderKind::Flora => d.set("workspace", "ws_test"),
        ProviderKind::Runflow => {
            d.set("org", RUNFLOW_ORG);
            d.set("folder", RUNFLOW_FOLDER);
        }
        ProviderKind::Segmentflow => d.set("website", SEGMENTFLOW_WEBSITE),
    }
    d
}

/// The key the tests' engines are given (the sandbox accepts any).
pub const TEST_KEY: &str = "sk_test_key";

/// `d`, reached with [`TEST_KEY`]: what `hoist upload --api-key` queues.
pub fn target(d: &Destination) -> JobTarget {
    JobTarget::adhoc(d.clone(), TEST_KEY)
}

pub async fn engine(state: &Path, tweak: impl FnOnce(&mut EngineConfig)) -> Engine {
    let mut config = EngineConfig::new(state, Arc::new(GivenKeys::new([TEST_KEY.to_string()])));
    config.retry = RetryPolicy::fast();
    config.poll_interval = std::time::Duration::from_millis(200);
    tweak(&mut config);
    Engine::start(config).await.expect("engine starts")
}

/// Rows of every job, for assertions.
pub async fn all_jobs(engine: &Engine) -> Vec<hoist_core::queue::JobRow> {
    engine
        .queue()
        .list(JobFilter::default())
        .await
        .expect("list jobs")
}

pub async fn wait_settled(engine: &Engine) {
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        engine.run_until_settled(),
    )
    .await
    .expect("queue settles within 2 minutes")
    .expect("engine works");
}

pub fn count(rows: &[hoist_core::queue::JobRow], state: JobState) -> usize {
    rows.iter().filter(|r| r.state == state).count()
}
