//! Watched folders changed after they were added: pause and resume survive a
//! restart, an edit of the ignores takes effect, a change made by another
//! process is followed by `reconcile`, and sync jobs carry their folder.
//! Real sandbox, real SQLite, real filesystem events.

mod common;

use common::{destination, engine, target};
use hoist_core::sync::{store, FolderState, SyncOptions, Syncer};
use hoist_core::{Engine, ProviderKind};
use hoist_testkit::TestSandbox;
use std::path::Path;
use std::time::Duration;

fn options() -> SyncOptions {
    SyncOptions {
        debounce: Duration::from_millis(50),
        tick: Duration::from_millis(20),
        root_check: Duration::from_millis(100),
        ..SyncOptions::default()
    }
}

/// Wait (a "this hung" guard, not a timing assert) for `ok`.
async fn wait_for<F, Fut>(what: &str, mut ok: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !ok().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn state_of(syncer: &Syncer, id: i64) -> FolderState {
    let all = syncer.statuses().await.expect("statuses");
    all.into_iter()
        .find(|s| s.folder.id == id)
        .map(|s| s.status)
        .expect("folder listed")
}

/// Jobs of the queue whose path ends with `name`, with their folder.
async fn jobs_named(engine: &Engine, name: &str) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for j in common::all_jobs(engine).await {
        if j.path.ends_with(name) {
            out.push(engine.job(j.id).await.expect("job").sync_folder);
        }
    }
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write");
}

#[tokio::test]
async fn pause_resume_edit_and_reconcile() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().expect("state");
    let watched = tempfile::tempdir().expect("watched");
    let dir = watched.path();
    let t = target(&destination(&sb, ProviderKind::Flora));

    let eng = engine(state.path(), |_| {}).await;
    let syncer = Syncer::new(eng.clone(), options());
    let f = syncer.add(dir, &t, vec![], 0).await.expect("add");
    write(dir, "one.jpg", b"first file");
    // Queued, and then tagged with the folder that queued it (the app marks
    // the row); a job of no folder or of two would never match.
    wait_for("one.jpg queued and tagged", || async {
        jobs_named(&eng, "one.jpg").await == vec![Some(f.id)]
    })
    .await;
    let s = syncer.summary().await.expect("summary");
    assert_eq!((s.syncing, s.troubled), (1, 0));

    // Paused: nothing new is queued, and the pause is stored.
    assert!(syncer.pause(f.id).await.expect("pause"));
    assert_eq!(state_of(&syncer, f.id).await, FolderState::Paused);
    assert_eq!(syncer.summary().await.expect("summary").line(), None);
    write(dir, "two.jpg", b"second file");
    syncer.shutdown().await;
    eng.shutdown().await;

    // After a restart the folder is still paused and is not started.
    let eng = engine(state.path(), |_| {}).await;
    let syncer = Syncer::new(eng.clone(), options());
    let started = syncer.start_all().await.expect("start_all");
    assert!(started[0].paused, "pause survived the restart");
    assert_eq!(state_of(&syncer, f.id).await, FolderState::Paused);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(jobs_named(&eng, "two.jpg").await.is_empty());

    // Resumed: the file written while paused is found by the scan.
    assert!(syncer.resume(f.id).await.expect("resume"));
    wait_for("two.jpg queued after resume", || async {
        jobs_named(&eng, "two.jpg").await == vec![Some(f.id)]
    })
    .await;
    assert!(
        !syncer
            .folder(f.id)
            .await
            .expect("folder")
            .expect("stored")
            .paused
    );

    // An edited ignore list applies to the running folder.
    let edited = syncer
        .edit(f.id, vec!["*.log".into()], 0)
        .await
        .expect("edit");
    assert_eq!(edited.ignores, vec!["*.log".to_string()]);
    write(dir, "skip.log", b"ignored");
    write(dir, "three.jpg", b"third file");
    wait_for("three.jpg queued", || async {
        !jobs_named(&eng, "three.jpg").await.is_empty()
    })
    .await;
    assert!(jobs_named(&eng, "skip.log").await.is_empty());
    let bad = syncer.edit(f.id, vec!["[z-a]".into()], 0).await;
    assert!(bad.is_err(), "a glob that does not parse is refused");

    // Another process pauses it in the database: reconcile stops it here.
    store::set_paused(eng.queue(), f.id, true)
        .await
        .expect("pause in store");
    syncer.reconcile().await.expect("reconcile");
    assert_eq!(state_of(&syncer, f.id).await, FolderState::Paused);
    store::set_paused(eng.queue(), f.id, false)
        .await
        .expect("resume in store");
    syncer.reconcile().await.expect("reconcile");
    wait_for("running again", || async {
        state_of(&syncer, f.id).await.is_syncing()
    })
    .await;

    // Removed: gone from the list; its jobs stay in the queue.
    assert!(syncer.remove(f.id).await.expect("remove"));
    assert!(syncer.statuses().await.expect("statuses").is_empty());
    assert!(!jobs_named(&eng, "one.jpg").await.is_empty());
    syncer.shutdown().await;
    eng.shutdown().await;
}

#[tokio::test]
async fn find_folder_by_id_or_path() {
    let sb = TestSandbox::start("").await;
    let state = tempfile::tempdir().expect("state");
    let watched = tempfile::tempdir().expect("watched");
    let t = target(&destination(&sb, ProviderKind::Flora));
    let eng = engine(state.path(), |_| {}).await;
    let syncer = Syncer::new(eng.clone(), options());
    let f = syncer
        .register(watched.path(), &t, vec![], 1000)
        .await
        .expect("register");
    let q = eng.queue();
    let by_id = hoist_core::sync::find_folder(q, &f.id.to_string()).await;
    assert_eq!(by_id.expect("find").map(|x| x.id), Some(f.id));
    let path = watched.path().to_string_lossy().into_owned();
    let by_path = hoist_core::sync::find_folder(q, &path).await;
    assert_eq!(by_path.expect("find").map(|x| x.id), Some(f.id));
    let none = hoist_core::sync::find_folder(q, "/no/such/folder").await;
    assert_eq!(none.expect("find"), None);
    eng.shutdown().await;
}
