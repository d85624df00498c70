//! The application's own tests: start, thumbnails, settings checks, status wording, JSON shapes.

use crate::dto::{self, SettingsView, UiEvent};
use crate::settings::validate as validate_settings;
use crate::test_support::boot;
use crate::{queue_feed, status_text as tray_status, Hoist};
use hoist_core::JobFilter;
use std::sync::Arc;
use std::time::Duration;

/// The app on `state` whose account keys live in memory (the keychain
/// itself is tested in `accounts::tests`).
async fn boot_with_memory_keys(state: &std::path::Path) -> Hoist {
    boot(
        state.to_path_buf(),
        false,
        Arc::new(hoist_core::accounts::MemorySecrets::default()),
    )
    .await
    .expect("boot")
}

#[tokio::test]
async fn thumbnails_come_from_the_cache_dir() {
    let state = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    let png = files.path().join("logo.png");
    std::fs::write(&png, include_bytes!("../../../icons/128x128.png")).expect("write");
    let shell = boot_with_memory_keys(state.path()).await;
    // The pool and its cache wait for the first thumbnail.
    assert!(shell.thumbs.get().is_none(), "thumbnail pool made at start");
    shell
        .add_paths(std::slice::from_ref(&png))
        .await
        .expect("add");
    let id = shell.engine.jobs(JobFilter::default()).await.expect("jobs")[0].id;
    let thumb = shell
        .thumbnail_path(id)
        .await
        .expect("thumb")
        .expect("a preview");
    assert!(thumb.starts_with(shell.thumbs_dir()), "{thumb:?}");
    assert!(std::fs::metadata(&thumb).expect("thumb file").len() > 0);
    assert!(shell.thumbs.get().is_some());
    shell.engine.shutdown().await;
}

#[test]
fn settings_are_checked_before_saving() {
    let ok = SettingsView {
        concurrency: 4,
        bandwidth_limit: 0,
        duplicates: "skip".into(),
        notifications: true,
        launch_at_login: false,
        sync_stable_secs: 3.0,
    };
    assert_eq!(validate_settings(ok.clone()), Ok(ok.clone()));
    // 0 is "Automatic": the engine adapts the number to the link.
    let automatic = SettingsView {
        concurrency: 0,
        ..ok.clone()
    };
    assert_eq!(validate_settings(automatic.clone()), Ok(automatic));
    let many = SettingsView {
        concurrency: 17,
        ..ok.clone()
    };
    assert_eq!(
        validate_settings(many).map_err(|e| e.code),
        Err(crate::dto::ErrorCode::Invalid)
    );
    let odd = SettingsView {
        duplicates: "maybe".into(),
        ..ok.clone()
    };
    assert!(validate_settings(odd).is_err());
    let window = SettingsView {
        sync_stable_secs: -1.0,
        ..ok
    };
    assert!(validate_settings(window).is_err());
}

/// What the window receives on a failure: exactly `{code, message}`, the
/// code in snake_case (the generated `ErrorCode` union in TypeScript).
#[test]
fn command_errors_reach_the_window_as_code_and_message() {
    let e = crate::accounts::error(
        crate::dto::ErrorCode::InvalidInput,
        "Choose a folder to save into.",
    );
    assert_eq!(
        serde_json::to_value(&e).expect("json"),
        serde_json::json!({"code": "invalid_input", "message": "Choose a folder to save into."})
    );
    let gone = crate::hoist::command_error(hoist_core::CoreError::NoSuchJob(7));
    assert_eq!(
        serde_json::to_value(&gone).expect("json")["code"],
        "not_found"
    );
}

/// The app's saved choices reach a CLI's engine; its flags win.
#[test]
fn the_cli_starts_from_the_saved_settings_and_its_flags_win() {
    use crate::settings::{engine_config, save, Settings, UploadOverrides};
    use hoist_core::engine::DuplicatePolicy;
    let state = tempfile::tempdir().expect("tempdir");
    let keys: Arc<dyn hoist_core::engine::Credentials> =
        Arc::new(hoist_core::accounts::GivenKeys::default());
    let fresh = engine_config(state.path(), keys.clone(), UploadOverrides::default());
    assert_eq!(fresh.concurrency, 0, "nothing saved: adapted to the link");
    assert_eq!(fresh.bandwidth_limit, 0);
    save(
        state.path(),
        &Settings {
            concurrency: Some(3),
            bandwidth_limit: Some(2_000_000),
            duplicates: Some("upload".into()),
            ..Settings::default()
        },
    )
    .expect("save");
    let saved = engine_config(state.path(), keys.clone(), UploadOverrides::default());
    assert_eq!(saved.concurrency, 3);
    assert_eq!(saved.bandwidth_limit, 2_000_000);
    assert_eq!(saved.duplicates, DuplicatePolicy::Upload);
    let flags = UploadOverrides {
        concurrency: Some(8),
        bandwidth_limit: Some(0),
        duplicates: Some(DuplicatePolicy::Skip),
    };
    let flagged = engine_config(state.path(), keys, flags);
    assert_eq!(flagged.concurrency, 8);
    assert_eq!(flagged.bandwidth_limit, 0);
    assert_eq!(flagged.duplicates, DuplicatePolicy::Skip);
}

#[test]
fn tray_status_reads_like_a_sentence() {
    assert_eq!(tray_status(0, false), "Idle: nothing to upload");
    assert_eq!(tray_status(1, false), "Uploading 1 file");
    assert_eq!(tray_status(4, false), "Uploading 4 files");
    assert_eq!(tray_status(4, true), "Paused");
}

#[test]
fn queue_update_json_matches_the_bindings() {
    let update = queue_feed::QueueUpdate {
        version: 7,
        summary: queue_feed::QueueSummary {
            all: 3,
            active: 1,
            failed: 1,
            done: 1,
            bytes_total: 30,
            bytes_sent: 15,
            paused_all: false,
        },
        rows: Vec::new(),
        progress: vec![dto::ProgressView {
            id: 3,
            bytes_sent: 10,
            size: 20,
        }],
        reslice: true,
        idle: false,
    };
    let json = serde_json::to_value(&update).expect("json");
    assert_eq!(
        json,
        serde_json::json!({
            "version": 7,
            "summary": {"all": 3, "active": 1, "failed": 1, "done": 1, "bytesTotal": 30, "bytesSent": 15, "pausedAll": false},
            "rows": [],
            "progress": [{"id": 3, "bytesSent": 10, "size": 20}],
            "reslice": true,
            "idle": false
        })
    );
}

#[tokio::test]
async fn a_dropped_folder_is_queued_uploaded_and_announced() {
    let state = tempfile::tempdir().expect("tempdir");
    let files = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(files.path().join("shots")).expect("mkdir");
    for i in 0..3 {
        std::fs::write(
            files.path().join(format!("shots/{i}.jpg")),
            vec![i as u8; 1000 + i],
        )
        .expect("write");
    }
    let shell = boot_with_memory_keys(state.path()).await;
    let mut events = shell.engine.subscribe();
    let summary = shell
        .add_paths(&[files.path().join("shots")])
        .await
        .expect("add");
    assert_eq!(summary.added, 3);
    assert!(summary.problems.is_empty());
    let jobs = shell.engine.jobs(JobFilter::default()).await.expect("jobs");
    let ids: Vec<_> = jobs.iter().map(|j| j.id).collect();
    let rows = shell.engine.wait_for(&ids).await.expect("wait");
    assert!(
        rows.iter().all(|r| r.state == hoist_core::JobState::Ready),
        "{rows:?}"
    );
    let views: Vec<_> = shell
        .engine
        .jobs(JobFilter::default())
        .await
        .expect("jobs")
        .iter()
        .map(|j| shell.view(j))
        .collect();
    assert!(views.iter().all(|v| v.destination == "Local sandbox"));
    assert!(views.iter().all(|v| v.state == dto::JobStateView::Ready));
    // Random bytes named .jpg have no preview (the UI shows a type tile).
    assert_eq!(shell.thumbnail_path(ids[0]).await.expect("thumb"), None);
    // Every job's arrival at ready is announced to the UI (the event
    // follows the commit the rows above were read from, so wait for it).
    let mut ready = std::collections::BTreeSet::new();
    while ready.len() < ids.len() {
        let Ok(Ok(ev)) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await else {
            break;
        };
        if let UiEvent::JobChanged { job } = UiEvent::from_engine(&ev, shell.sandbox_endpoint()) {
            if job.state == dto::JobStateView::Ready {
                ready.insert(job.id);
            }
        }
    }
    assert_eq!(ready.into_iter().collect::<Vec<_>>(), ids);
    shell.engine.shutdown().await;
}
