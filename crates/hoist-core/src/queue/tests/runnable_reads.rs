//! The scheduler's reads (`runnable.rs`): what they return, and that they
//! cost what the answer costs, not what the queue holds.

use super::*;
use crate::queue::runnable::{self, Wanted, DESTS_SQL};
use std::collections::HashMap;

fn other_dest() -> JobTarget {
    let mut d = flora();
    d.set("workspace", "ws_2");
    JobTarget::new("acc_other", d)
}

async fn enqueue_n(q: &Queue, target: &JobTarget, prefix: &str, n: usize) -> Vec<JobId> {
    let files = (0..n).map(|i| file(&format!("{prefix}{i}"), 1)).collect();
    q.enqueue("b", target, files, ct)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect()
}

fn wanted(free: &[(&JobTarget, usize)]) -> Wanted {
    Wanted {
        free: free.iter().map(|(t, n)| (t.scope(), *n)).collect(),
        fresh: 4,
        ..Default::default()
    }
}

/// Every read goes through `jobs_runnable`: never a scan of the table and
/// never a sort of every queued job.
#[tokio::test]
async fn the_scheduler_reads_the_index_not_the_table() {
    let (_dir, q) = queue().await;
    let plans = q
        .call(|conn| {
            let mut out = Vec::new();
            for sql in [
                DESTS_SQL.to_string(),
                runnable::fresh_sql(),
                runnable::due_sql(),
            ] {
                let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let params = rusqlite::params![4, "d", "[]", "queued", 0];
                let n = stmt.parameter_count();
                let rows = stmt.query_map(&params[..n], |r| r.get::<_, String>(3))?;
                out.push(rows.collect::<rusqlite::Result<Vec<_>>>()?.join("\n"));
            }
            Ok(out)
        })
        .await
        .unwrap();
    for plan in &plans {
        assert!(plan.contains("INDEX jobs_runnable"), "{plan}");
        assert!(!plan.contains("SCAN jobs"), "{plan}");
    }
    // Never-tried jobs come in id order, due retries in due order: no sort.
    assert!(!plans[1].contains("TEMP B-TREE"), "{}", plans[1]);
    assert!(!plans[2].contains("TEMP B-TREE"), "{}", plans[2]);
}

/// Oldest first per destination, leaving out started jobs, full
/// destinations and accounts without a key; another destination's jobs
/// still come while the first one is full.
#[tokio::test]
async fn each_destination_gets_its_free_slots() {
    let (_dir, q) = queue().await;
    let (a, b) = (dest(), other_dest());
    let a_ids = enqueue_n(&q, &a, "a", 5).await;
    let b_ids = enqueue_n(&q, &b, "b", 3).await;
    let ids = |w: Wanted| {
        let q = q.clone();
        async move {
            let rows = q.next_runnable(now_millis(), w).await.unwrap();
            rows.iter().map(|r| r.id).collect::<Vec<JobId>>()
        }
    };
    let mut w = wanted(&[(&a, 2), (&b, 0)]);
    w.started = vec![a_ids[0]];
    assert_eq!(ids(w).await, vec![a_ids[1], a_ids[2]]);
    // `a` full: `b`, with nothing running, takes a fresh window (4; it has 3).
    assert_eq!(ids(wanted(&[(&a, 0)])).await, b_ids);
    let mut w = wanted(&[]);
    w.accounts_without_key = vec![a.account.clone()];
    assert_eq!(ids(w).await, b_ids);
    assert!(ids(wanted(&[(&a, 0), (&b, 0)])).await.is_empty());
}

/// A due retry comes before a younger never-tried job of its destination;
/// one not yet due does not come.
#[tokio::test]
async fn due_retries_come_with_the_fresh_jobs() {
    let (_dir, q) = queue().await;
    let ids = enqueue_n(&q, &dest(), "r", 3).await;
    let now = now_millis();
    let (due, later) = (ids[0], ids[1]);
    q.write(move |conn| {
        conn.execute(
            "UPDATE jobs SET state='waiting_retry', next_attempt_at=?2 WHERE id=?1",
            params![due, now - 1],
        )?;
        conn.execute(
            "UPDATE jobs SET state='waiting_retry', next_attempt_at=?2 WHERE id=?1",
            params![later, now + 60_000],
        )
    })
    .await
    .unwrap();
    let got: Vec<JobId> = q
        .next_runnable(now, wanted(&[]))
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(got, vec![ids[0], ids[2]]);
}

/// SQLite's own count of virtual-machine steps for one scheduler read, with
/// 50 and then 2,050 jobs queued, in the cases the scheduler meets: a
/// destination with free slots, the same one full (the common case: it
/// fills again right after a job ends; a "not these destinations" filter
/// once walked every queued job here), and an account without a key.
#[tokio::test]
async fn the_scheduler_reads_do_not_grow_with_the_queue() {
    let (_dir, q) = queue().await;
    let big = dest();
    let cases: Vec<(&str, Wanted)> = vec![
        ("free slots", wanted(&[(&big, 4)])),
        ("destination full", wanted(&[(&big, 0)])),
        (
            "account without a key",
            Wanted {
                accounts_without_key: vec![big.account.clone()],
                ..wanted(&[])
            },
        ),
    ];
    let mut steps: HashMap<&str, Vec<i32>> = HashMap::new();
    for n in [50usize, 2_000] {
        enqueue_n(&q, &big, &format!("n{n}-"), n).await;
        for (name, w) in &cases {
            let w = w.clone();
            let counted = q
                .call(move |conn| {
                    let sqls = [
                        DESTS_SQL.to_string(),
                        runnable::fresh_sql(),
                        runnable::due_sql(),
                    ];
                    for sql in &sqls {
                        conn.prepare_cached(sql)?
                            .reset_status(rusqlite::StatementStatus::VmStep);
                    }
                    runnable::runnable(conn, now_millis(), &w)?;
                    let mut total = 0;
                    for sql in &sqls {
                        total += conn
                            .prepare_cached(sql)?
                            .get_status(rusqlite::StatementStatus::VmStep);
                    }
                    Ok(total)
                })
                .await
                .unwrap();
            steps.entry(name).or_default().push(counted);
        }
    }
    for (name, counted) in &steps {
        let (small, big) = (counted[0], counted[1]);
        assert!(small > 0, "{name}: no steps counted");
        assert!(
            big <= small + 50,
            "{name}: {small} steps with 50 queued, {big} with 2,050"
        );
    }
}
