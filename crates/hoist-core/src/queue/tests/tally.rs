//! The tally the triggers of schema 9 keep stays equal to counting the jobs
//! themselves, through every kind of write.

use super::*;

/// Counts and bytes per state by reading every job (what the tally saves).
async fn counted(q: &Queue) -> QueueTally {
    q.call(|conn| {
        super::super::tally::fold(
            conn,
            "SELECT state, COUNT(*), COALESCE(SUM(size), 0) FROM jobs GROUP BY state",
        )
    })
    .await
    .unwrap()
}

async fn assert_tally_matches(q: &Queue, after: &str) {
    assert_eq!(q.tally().await.unwrap(), counted(q).await, "after {after}");
}

#[tokio::test]
async fn the_tally_follows_every_write() {
    let (_dir, q) = queue().await;
    assert_eq!(q.tally().await.unwrap(), QueueTally::default());
    let files: Vec<_> = (0..6).map(|i| file(&format!("f{i}"), 10 + i)).collect();
    let jobs = q.enqueue("b", &dest(), files, ct).await.unwrap();
    let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
    let tally = q.tally().await.unwrap();
    assert_eq!((tally.all, tally.active, tally.bytes_total), (6, 6, 75));
    assert_tally_matches(&q, "enqueue").await;

    // Steps of a worker, a file that changed size, one that arrived.
    let (a, b) = (ids[0], ids[1]);
    q.write(move |conn| {
        conn.execute("UPDATE jobs SET state='uploading' WHERE id=?1", [a])?;
        conn.execute("UPDATE jobs SET size=size+100 WHERE id=?1", [b])?;
        conn.execute("UPDATE jobs SET updated_at=updated_at+1 WHERE id=?1", [b])?;
        conn.execute(
            "UPDATE jobs SET state='ready', size=size+1 WHERE id=?1",
            [b],
        )
    })
    .await
    .unwrap();
    assert_tally_matches(&q, "worker steps").await;
    assert_eq!(q.tally().await.unwrap().bytes_done, 112);

    q.cancel(Some(vec![ids[2], ids[3]])).await.unwrap();
    assert_tally_matches(&q, "cancel").await;
    q.pause(None).await.unwrap();
    assert_tally_matches(&q, "pause all").await;
    q.retry(Some(vec![ids[2]])).await.unwrap();
    assert_tally_matches(&q, "retry").await;
    // Enqueueing a cancelled file again reuses (and requeues) its job.
    q.enqueue("b2", &dest(), vec![file("f3", 13)], ct)
        .await
        .unwrap();
    assert_tally_matches(&q, "enqueue again").await;
    q.clear_done().await.unwrap();
    assert_tally_matches(&q, "clear done").await;
    // A write that rolls back leaves the tally as it was.
    let before = q.tally().await.unwrap();
    let failed = q
        .write(move |conn| {
            let tx = conn.transaction()?;
            tx.execute("DELETE FROM jobs", [])?;
            tx.execute("INSERT INTO no_such_table VALUES (1)", [])?;
            tx.commit()
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(q.tally().await.unwrap(), before);
    assert_tally_matches(&q, "a rolled-back write").await;
}

/// The SQL group of every state is `JobState::group`, and a group's list is
/// read from the index of schema 10 in queue order, without a sort.
#[tokio::test]
async fn a_group_is_listed_from_its_index_in_queue_order() {
    let (_dir, q) = queue().await;
    for state in JobState::ALL {
        let group: String = q
            .call(move |conn| {
                conn.query_row(
                    concat!(
                        "SELECT ",
                        schema::group_of_state!(),
                        " FROM (SELECT ?1 AS state)"
                    ),
                    [state.as_str()],
                    |r| r.get(0),
                )
            })
            .await
            .unwrap();
        assert_eq!(group, group_name(state.group()), "{state:?}");
    }
    let files: Vec<_> = (0..6).map(|i| file(&format!("g{i}"), 1)).collect();
    let jobs = q.enqueue("b", &dest(), files, ct).await.unwrap();
    let ids: Vec<JobId> = jobs.iter().map(|j| j.id).collect();
    q.cancel(Some(vec![ids[4], ids[1]])).await.unwrap();
    let listed = |group, offset, limit| {
        let q = q.clone();
        async move {
            q.list(JobFilter {
                group: Some(group),
                offset,
                limit: Some(limit),
                ..Default::default()
            })
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(JobGroup::Stopped, 0, 10).await, [ids[1], ids[4]]);
    assert_eq!(listed(JobGroup::Active, 1, 2).await, [ids[2], ids[3]]);
    assert!(listed(JobGroup::Done, 0, 10).await.is_empty());
    let plan: Vec<String> = q
        .call(|conn| {
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM jobs WHERE 1=1 AND ({})=? ORDER BY id LIMIT 5",
                schema::group_of_state!()
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(["active"], |r| r.get::<_, String>(3))?;
            rows.collect()
        })
        .await
        .unwrap();
    assert!(plan.iter().any(|p| p.contains("jobs_group")), "{plan:?}");
    assert!(!plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
}
