//! The Library window's actions against the app's own in-process sandbox
//! (the "Local sandbox" account, FLORA dialect): a real upload, then the
//! asset looked up, found from its queue row, previewed from the local copy,
//! downloaded (byte for byte, asking before replacing), attached and searched.

use super::*;
use crate::accounts::SANDBOX_ACCOUNT_ID;
use hoist_core::accounts::MemorySecrets;
use std::time::Duration;

struct Uploaded {
    shell: Hoist,
    _state: tempfile::TempDir,
    files: tempfile::TempDir,
    job_id: i64,
    bytes: Vec<u8>,
}

/// A shell whose Local sandbox holds one uploaded photo.
async fn one_upload() -> Uploaded {
    let state = tempfile::tempdir().expect("tempdir");
    let shell = crate::test_support::boot(
        state.path().to_path_buf(),
        false,
        Arc::new(MemorySecrets::default()),
    )
    .await
    .expect("boot");
    let files = tempfile::tempdir().expect("tempdir");
    let photo = files.path().join("harbour.png");
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../icons/icon.png")).expect("icon");
    std::fs::write(&photo, &bytes).expect("write");
    shell
        .add_paths(std::slice::from_ref(&photo))
        .await
        .expect("add");
    tokio::time::timeout(Duration::from_secs(60), shell.engine.run_until_settled())
        .await
        .expect("settles")
        .expect("engine");
    let jobs = shell
        .engine
        .jobs(hoist_core::JobFilter::default())
        .await
        .expect("jobs");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].state, hoist_core::JobState::Ready, "{jobs:#?}");
    Uploaded {
        job_id: jobs[0].id,
        shell,
        _state: state,
        files,
        bytes,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_row_leads_to_its_asset_and_back_to_its_file() {
    let up = one_upload().await;
    let at = locate_job(&up.shell, up.job_id).await.expect("locate");
    assert_eq!(at.account_id, SANDBOX_ACCOUNT_ID);
    let item = asset(&up.shell, &at.account_id, &at.asset_id)
        .await
        .expect("asset");
    assert_eq!(item.item.name, "harbour.png");
    assert!(item.item.url.is_some(), "a ready asset has a link");
    assert_eq!(item.job_id, Some(up.job_id));
    let local = local_file(&up.shell, &at.account_id, &at.asset_id)
        .await
        .expect("local file");
    assert_eq!(local, up.files.path().join("harbour.png"));
    let link = link_to_open(&up.shell, &at.account_id, &at.asset_id)
        .await
        .expect("link");
    assert!(link.starts_with("http://127.0.0.1:"), "{link}");

    // The preview comes from the local copy and is kept for next time.
    let preview = crate::library::thumbnail(&up.shell, &at.account_id, &at.asset_id)
        .await
        .expect("preview");
    let path = preview.path.expect("a preview of a PNG");
    assert!(std::path::Path::new(&path).is_file());
    assert!(!preview.retry);

    // The file moved away: the asset says so instead of pointing nowhere.
    std::fs::remove_file(up.files.path().join("harbour.png")).expect("rm");
    let gone = local_file(&up.shell, &at.account_id, &at.asset_id)
        .await
        .expect_err("gone");
    assert_eq!(gone.code, "not_found");
    assert!(gone.message.contains("harbour.png"), "{}", gone.message);
    up.shell.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_is_the_file_and_a_second_one_asks_first() {
    let up = one_upload().await;
    let at = locate_job(&up.shell, up.job_id).await.expect("locate");
    let out = tempfile::tempdir().expect("tempdir");
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress: ProgressFn = {
        let seen = seen.clone();
        Arc::new(move |done, total| seen.lock().expect("lock").push((done, total)))
    };
    let got = download(
        &up.shell,
        &at.account_id,
        &at.asset_id,
        out.path(),
        Overwrite::Fail,
        Some(progress),
    )
    .await
    .expect("download");
    assert_eq!(std::fs::read(&got.path).expect("read"), up.bytes);
    assert_eq!(got.bytes, up.bytes.len() as u64);
    assert_eq!(
        seen.lock().expect("lock").last().map(|p| p.0),
        Some(up.bytes.len() as u64),
        "progress reaches the end"
    );

    let again = download(
        &up.shell,
        &at.account_id,
        &at.asset_id,
        out.path(),
        Overwrite::Fail,
        None,
    )
    .await
    .expect_err("exists");
    assert_eq!(again.code, "exists");
    assert_eq!(again.message, "harbour.png already exists.");
    let kept = download(
        &up.shell,
        &at.account_id,
        &at.asset_id,
        out.path(),
        Overwrite::Rename,
        None,
    )
    .await
    .expect("keep both");
    assert!(kept.path.ends_with("harbour (1).png"), "{}", kept.path);

    let relative = download(
        &up.shell,
        &at.account_id,
        &at.asset_id,
        std::path::Path::new("downloads"),
        Overwrite::Fail,
        None,
    )
    .await
    .expect_err("relative");
    assert_eq!(relative.code, "invalid_input");
    up.shell.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_checks_the_project_id_and_search_asks_the_provider() {
    let up = one_upload().await;
    let at = locate_job(&up.shell, up.job_id).await.expect("locate");
    let bad = attach(&up.shell, &at.account_id, &at.asset_id, "project-1")
        .await
        .expect_err("not a prj_ id");
    assert_eq!(bad.code, "invalid_input");
    assert!(bad.message.contains("prj_"), "{}", bad.message);
    attach(&up.shell, &at.account_id, &at.asset_id, " prj_summer ")
        .await
        .expect("attached");
    let missing = asset(&up.shell, &at.account_id, "no-such-asset")
        .await
        .expect_err("unknown asset");
    assert_eq!(missing.code, "not_found", "{missing:?}");

    // FLORA searches on the server: what it finds is cached and sliced.
    let found = crate::library_cache::search(&up.shell, &at.account_id, "harbour")
        .await
        .expect("search");
    assert_eq!(found, Some(1));
    let slice = crate::library_cache::slice(
        &up.shell,
        &at.account_id,
        crate::library_cache::LibraryQueryInput {
            search: Some("harb".into()),
            ..Default::default()
        },
    )
    .await
    .expect("slice");
    assert_eq!(slice.total, 1);
    assert_eq!(
        slice.items[0]
            .local_path
            .as_deref()
            .map(|p| p.ends_with("harbour.png")),
        Some(true)
    );
    up.shell.engine.shutdown().await;
}
