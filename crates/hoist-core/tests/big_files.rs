//! Big files send before they are hashed in full (issue 12, part 3): they are
//! claimed by a sample (size + first, middle, last MiB), their full hash is
//! taken from the bytes sent, and dedupe stays exact. The engine's threshold
//! is lowered so a few MiB make a big file.

mod common;

use common::*;
use hoist_core::{EngineEvent, JobState};
use hoist_testkit::{exactly_once_problems, sha256_hex, Fixture, TestSandbox};
use std::path::Path;

const MIB: usize = 1024 * 1024;
/// The tests' big-file threshold.
const BIG: u64 = 3 * MIB as u64;

/// `size` bytes of a pattern that differs with `seed`.
fn pattern(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| ((i * 131 + i / 4093) as u8).wrapping_add(seed))
        .collect()
}

fn write(path: &Path, data: &[u8]) -> Fixture {
    std::fs::write(path, data).unwrap();
    Fixture {
        path: path.to_path_buf(),
        sha256: sha256_hex(data),
        size: data.len() as u64,
    }
}

fn blake3_hex(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_big_file_is_sent_before_its_full_hash_and_keeps_it_after() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(6 * MIB, 1);
        let fixture = write(&dir.path().join("big.jpg"), &data);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |c| c.sample_from = BIG).await;
        let mut events = engine.subscribe();
        let dest = destination(&sb, provider);
        engine
            .add(std::slice::from_ref(&fixture.path), &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;

        // Every state the job passed through, as the worker committed it.
        let mut seen = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let EngineEvent::JobChanged { job } = event {
                seen.push((job.state, job.hash.is_some()));
            }
        }
        assert!(
            seen.contains(&(JobState::Uploading, false)),
            "{provider}: expected the bytes to go out before a full hash was stored: {seen:?}"
        );

        let rows = all_jobs(&engine).await;
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.state, JobState::Ready, "{provider}: {row:#?}");
        assert_eq!(row.hash.as_deref(), Some(blake3_hex(&data).as_str()));
        assert!(row.sample.is_some(), "{provider}: {row:#?}");
        let record = engine
            .queue()
            .uploaded_content(row.dest_key.clone(), blake3_hex(&data))
            .await
            .unwrap();
        assert_eq!(record.map(|r| r.0), row.asset_id, "{provider}");
        let problems = exactly_once_problems(&[fixture], &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_big_content_at_two_paths_is_sent_once() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        let data = pattern(5 * MIB, 2);
        write(&dir.path().join("a.jpg"), &data);
        write(&dir.path().join("b.jpg"), &data);
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |c| c.sample_from = BIG).await;
        let dest = destination(&sb, provider);
        engine
            .add(&[dir.path().to_path_buf()], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(count(&rows, JobState::Ready), 1, "{provider}: {rows:#?}");
        assert_eq!(
            count(&rows, JobState::Duplicate),
            1,
            "{provider}: {rows:#?}"
        );
        assert_eq!(rows[0].asset_id, rows[1].asset_id, "{provider}");
        let assets: Vec<_> = sb
            .assets()
            .await
            .into_iter()
            .filter(|a| a.is_vendor_asset())
            .collect();
        assert_eq!(assets.len(), 1, "{provider}: {assets:#?}");

        // Added again later, under a third name: a duplicate, not a send.
        write(&dir.path().join("c.jpg"), &data);
        engine
            .add(&[dir.path().join("c.jpg")], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(
            count(&rows, JobState::Duplicate),
            2,
            "{provider}: {rows:#?}"
        );
        let uploads = sb.uploads().await;
        assert_eq!(uploads.len(), 1, "{provider}: {uploads:#?}");
        engine.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn different_big_files_with_equal_samples_both_arrive() {
    for &provider in PROVIDERS {
        let sb = TestSandbox::start("").await;
        let dir = tempfile::tempdir().unwrap();
        // Equal size, first, middle and last MiB; they differ in between.
        let a = pattern(8 * MIB, 3);
        let mut b = a.clone();
        b[2 * MIB + 17] ^= 0xff;
        b[6 * MIB] ^= 0x0f;
        let fixtures = vec![
            write(&dir.path().join("a.jpg"), &a),
            write(&dir.path().join("b.jpg"), &b),
        ];
        let state = tempfile::tempdir().unwrap();
        let engine = engine(state.path(), |c| c.sample_from = BIG).await;
        let dest = destination(&sb, provider);
        engine
            .add(&[dir.path().to_path_buf()], &target(&dest))
            .await
            .unwrap();
        wait_settled(&engine).await;
        let rows = all_jobs(&engine).await;
        assert_eq!(count(&rows, JobState::Ready), 2, "{provider}: {rows:#?}");
        assert_eq!(
            rows[0].sample, rows[1].sample,
            "{provider}: the fixture must give equal samples"
        );
        assert_ne!(rows[0].hash, rows[1].hash, "{provider}");
        let problems = exactly_once_problems(&fixtures, &sb.assets().await);
        assert!(problems.is_empty(), "{provider}: {problems:#?}");
        engine.shutdown().await;
    }
}
