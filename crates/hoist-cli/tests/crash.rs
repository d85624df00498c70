//! Crash safety with real processes: `hoist upload` and `hoist queue run`
//! killed with SIGKILL at random moments, then run to the end. Every file must
//! be in the sandbox exactly once, ready, byte-identical, and every asset the
//! sandbox holds must be known to the queue (no orphaned reservation).

mod common;

use common::*;
use hoist_core::queue::{JobFilter, Queue};
use hoist_testkit::{exactly_once_problems, random_files, TestSandbox};
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let seed: u64 = std::env::var("HOIST_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    eprintln!("crash test seed {seed} (set HOIST_CRASH_SEED to replay)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    for &(provider, flags) in PROVIDERS {
        let sb = TestSandbox::start("latency=3ms").await;
        let endpoint = sb.endpoint(provider);
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("shoot");
        let mut files = random_files(&src.join("big"), 4, 2_000_000..4_000_000, seed + 1);
        let state = tempfile::tempdir().unwrap();
        let mut args = upload_args(&endpoint, provider, flags);
        args.push(src.to_string_lossy().into_owned());

        let mut kills = 0;
        for round in 0..16u64 {
            // New files keep arriving, so every round has work in flight.
            let more = random_files(
                &src.join(format!("r{round:02}")),
                60,
                1..64 * 1024,
                seed + 10 + round,
            );
            files.extend(more);
            let mut cmd = hoist(state.path());
            if round % 3 == 2 {
                cmd.args(["queue", "run"]);
            } else {
                cmd.args(&args);
            }
            let mut child = cmd
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            tokio::time::sleep(Duration::from_millis(rng.gen_range(5..300))).await;
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
            child.wait().unwrap();
        }
        eprintln!("{provider}: {kills} of 16 runs killed mid-flight");
        assert!(kills >= 8, "{provider}: only {kills} kills landed mid-run");

        // Finish: upload again (queues anything never queued), then run the queue.
        let out = run(hoist(state.path()).args(&args).arg("--json"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );
        let out = run(hoist(state.path()).args(["queue", "run"]));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{provider}: {}",
            text(&out.stderr)
        );

        let assets = sb.assets().await;
        let problems = exactly_once_problems(&files, &assets);
        assert!(
            problems.is_empty(),
            "{provider} (seed {seed}): {problems:#?}"
        );

        let queue = Queue::open(state.path()).unwrap();
        // Known to the queue: its reservations (FLORA and Runflow ids) and
        // the assets it recorded (Segmentflow reserves a key, not an id).
        let known: HashSet<String> = queue
            .list(JobFilter::default())
            .await
            .unwrap()
            .into_iter()
            .flat_map(|r| [r.reservation.map(|res| res.remote_id), r.asset_id])
            .flatten()
            .collect();
        // Runflow/Segmentflow reservations abandoned by a crash before they
        // were stored are no assets (records exist only once confirmed).
        let abandoned = assets.iter().filter(|a| !a.is_vendor_asset()).count();
        eprintln!("{provider}: {abandoned} unconfirmed reservations abandoned");
        let orphans: Vec<_> = assets
            .iter()
            .filter(|a| a.is_vendor_asset() && !known.contains(&a.id))
            .collect();
        assert!(
            orphans.is_empty(),
            "{provider}: assets the queue does not know: {orphans:#?}"
        );
    }
}
