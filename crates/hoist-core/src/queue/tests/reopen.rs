//! What a queue file written earlier reads as: after a reopen, after a
//! schema migration, and rows in the formats of earlier versions.

use super::*;

#[tokio::test]
async fn queue_survives_reopen() {
    let (dir, q) = queue().await;
    q.enqueue("b", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    q.set_setting("paused", "1".into()).await.unwrap();
    drop(q);
    let q = Queue::open(dir.path()).unwrap();
    assert_eq!(q.list(JobFilter::default()).await.unwrap().len(), 1);
    assert_eq!(q.setting("paused").await.unwrap().as_deref(), Some("1"));
    let counts = q.counts().await.unwrap();
    assert_eq!(counts, vec![(JobState::Queued, 1)]);
}

#[tokio::test]
async fn a_schema_1_queue_is_migrated_and_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let old_scope = flora().key();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO jobs (uuid, batch, path, name, size, mtime_ns, content_type, dest_key, \
             destination, state, created_at, updated_at) \
             VALUES ('u1', 'b', '/data/old.png', 'old.png', 5, 9, 'image/png', ?1, ?2, 'queued', 1, 1)",
            params![old_scope, serde_json::to_string(&flora()).unwrap()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO uploaded_content (dest_key, hash, asset_id, url, at) VALUES (?1, 'h', 'asset_1', NULL, 1)",
            params![old_scope],
        )
        .unwrap();
    }
    let q = Queue::open(dir.path()).unwrap();
    let rows = q.list(JobFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].path, PathBuf::from("/data/old.png"));
    // Schema 9 counted the rows it found into the tally.
    let tally = q.tally().await.unwrap();
    assert_eq!((tally.all, tally.active, tally.bytes_total), (1, 1, 5));
    assert_eq!(rows[0].account, crate::accounts::LEGACY_ACCOUNT);
    // A legacy job is nobody's until adopted: no key may be guessed for it.
    assert_eq!(
        q.legacy_destinations().await.unwrap(),
        vec![(old_scope.clone(), flora())]
    );
    assert_eq!(q.adopt(old_scope, dest()).await.unwrap(), 1);
    let row = q.get(rows[0].id).await.unwrap().unwrap();
    assert_eq!(row.target(), dest());
    assert_eq!(row.dest_key, dest().scope());
    // Its dedupe memory moved with it.
    assert_eq!(
        q.uploaded_content(dest().scope(), "h".into())
            .await
            .unwrap(),
        Some(("asset_1".into(), None))
    );
    assert!(q.legacy_destinations().await.unwrap().is_empty());
    // The same text path, enqueued again, is the same job (stored as bytes).
    let mut f = file("old.png", 5);
    f.mtime_ns = 9;
    f.ctime_ns = 0;
    f.inode = 0;
    let again = q.enqueue("b2", &dest(), vec![f], ct).await.unwrap();
    assert_eq!(again[0].id, rows[0].id);
}

/// A row written before destinations had `fields` (the flat JSON) still
/// reads, with the same fields, and still matches its scope: a new enqueue
/// of the same file for the same destination reuses it.
#[tokio::test]
async fn rows_with_the_flat_destination_of_earlier_versions_still_load_and_match() {
    let (dir, q) = queue().await;
    let first = q
        .enqueue("b1", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    let id = first[0].id;
    let flat =
        r#"{"provider":"flora","endpoint":"http://127.0.0.1:1/flora/api/v1","workspace":"ws_1"}"#;
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    // Both columns as the old code wrote them: scope = account + flat key.
    conn.execute(
        "UPDATE jobs SET destination=?1, dest_key=?2 WHERE id=?3",
        rusqlite::params![flat, format!("acc_test {flat}"), id],
    )
    .unwrap();
    drop(conn);
    let row = q.get(id).await.unwrap().expect("row");
    assert_eq!(row.destination, flora());
    assert_eq!(row.destination.field("workspace"), Some("ws_1"));
    let again = q
        .enqueue("b2", &dest(), vec![file("a", 1)], ct)
        .await
        .unwrap();
    assert!(again[0].reused, "the old row is found by its scope");
    assert_eq!(again[0].id, id);
}
