//! Group commit: tests that need the crate's insides.

use super::*;
use std::time::Duration;

/// Hold the queue's connection on another thread (as a long read would)
/// until the returned sender is dropped or sent to.
fn hold_connection(q: &Queue) -> std::sync::mpsc::Sender<()> {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let conn = q.conn.clone();
    std::thread::spawn(move || {
        let _g = conn.lock().unwrap();
        held_tx.send(()).unwrap();
        let _ = wait.recv();
    });
    held_rx.recv().unwrap();
    release
}

/// Eight jobs' durable steps queued while the connection is busy go to disk
/// in one fsynced commit, and every one of them is in the durable copy (what
/// a power cut would leave) before any caller hears back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_durable_steps_share_one_fsynced_commit() {
    let (dir, q) = queue().await;
    let files: Vec<_> = (0..8).map(|i| file(&format!("f{i}"), 1)).collect();
    let ids: Vec<JobId> = q
        .enqueue("b", &dest(), files, ct)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let power = PowerCut::new(dir.path().join("durable.db"), None);
    q.simulate_power_cut(power.clone());
    // Hold the connection, as a long read would, while the steps arrive.
    let release = hold_connection(&q);
    let mut tasks = Vec::new();
    for &id in &ids {
        let q = q.clone();
        tasks.push(tokio::spawn(async move {
            q.advance(
                id,
                &[JobState::Queued],
                JobState::Reserving,
                Changes {
                    step_key: Some(Some(format!("key-{id}"))),
                    durable: true,
                    ..Default::default()
                },
            )
            .await
        }));
    }
    // Wait (a hang guard, not a timing assert) until all eight are queued.
    for _ in 0..1000 {
        if q.pending.len() == ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(q.pending.len(), ids.len());
    drop(release);
    for t in tasks {
        assert!(t.await.unwrap().unwrap(), "every step moved its job");
    }
    assert_eq!(
        power.durable_commits(),
        1,
        "one fsynced commit for the group"
    );
    let copy = rusqlite::Connection::open(power.snapshot()).unwrap();
    let keyed: i64 = copy
        .query_row(
            "SELECT COUNT(*) FROM jobs WHERE state='reserving' AND step_key IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(keyed, 8, "all eight steps are in the durable state");
}

/// A write of the group that fails is undone alone; the others commit.
#[tokio::test]
async fn a_failing_write_in_a_group_rolls_back_only_itself() {
    let (_dir, q) = queue().await;
    let ids: Vec<JobId> = q
        .enqueue("b", &dest(), vec![file("a", 1), file("b", 1)], ct)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    let (a, b) = (ids[0], ids[1]);
    let release = hold_connection(&q);
    let q1 = q.clone();
    let bad = tokio::spawn(async move {
        q1.grouped(false, move |conn| {
            conn.execute("UPDATE jobs SET state='failed' WHERE id=?1", [a])?;
            conn.execute("INSERT INTO no_such_table VALUES (1)", [])
        })
        .await
    });
    let q2 = q.clone();
    let good = tokio::spawn(async move {
        q2.advance(
            b,
            &[JobState::Queued],
            JobState::Hashing,
            Changes::default(),
        )
        .await
    });
    for _ in 0..1000 {
        if q.pending.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(release);
    assert!(bad.await.unwrap().is_err());
    assert!(good.await.unwrap().unwrap());
    assert_eq!(q.get(a).await.unwrap().unwrap().state, JobState::Queued);
    assert_eq!(q.get(b).await.unwrap().unwrap().state, JobState::Hashing);
}
