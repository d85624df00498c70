//! The library cache against the real sandbox over loopback, with a real
//! SQLite state database: refresh while uploads continue, search, attach,
//! downloads (exact bytes, hostile names, a dropped connection, an expired
//! signed URL), offline answers, and uploads entering the cache.

mod common;

use common::{destination, target, PROVIDERS, TEST_KEY};
use hoist_core::library::{
    download_original, DownloadError, DownloadOptions, LibraryCache, LibraryQuery, Overwrite,
    Refresh, RefreshError, RefreshStep,
};
use hoist_core::provider::{self, http, ConfirmOutcome, FileSpec, Provider};
use hoist_core::transfer::{self, BandwidthLimiter, FileIdentity, Upload};
use hoist_core::{JobState, ProviderKind, RemoteAsset};
use hoist_testkit::{sha256_file, sha256_hex, TestSandbox};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

fn connect(sb: &TestSandbox, kind: ProviderKind) -> Box<dyn Provider> {
    let client = http::api_client_builder().build().expect("client");
    provider::for_destination(&destination(sb, kind), TEST_KEY, client).expect("provider")
}

fn cache_at(dir: &Path, sb: &TestSandbox, kind: ProviderKind) -> LibraryCache {
    LibraryCache::open(dir, &target(&destination(sb, kind))).expect("cache opens")
}

/// Upload `data` as `name` through the adapter (reserve, storage, confirm):
/// the vendor's asset, whatever its name.
async fn put(p: &dyn Provider, dir: &Path, name: &str, data: &[u8]) -> RemoteAsset {
    let file = dir.join(format!("f{}", sha256_hex(name.as_bytes())));
    std::fs::write(&file, data).expect("write");
    let spec = FileSpec {
        name: name.to_string(),
        size: data.len() as u64,
        content_type: "image/jpeg".into(),
    };
    let key = uuid::Uuid::new_v4().to_string();
    let res = p.reserve(&spec, &key).await.expect("reserve");
    let storage = http::storage_client_builder().build().expect("client");
    transfer::send(
        &storage,
        Upload {
            target: &res.target,
            path: &file,
            file_name: name,
            content_type: &spec.content_type,
            expected: FileIdentity::of(&file).expect("identity"),
            expected_hash: None,
            progress: Arc::new(AtomicU64::new(0)),
            limiter: Arc::new(BandwidthLimiter::unlimited()),
        },
    )
    .await
    .expect("storage upload");
    let confirm_key = uuid::Uuid::new_v4().to_string();
    match p.confirm(&res, &spec, &confirm_key).await.expect("confirm") {
        ConfirmOutcome::Ready(a) => a,
        other => panic!("not ready: {other:?}"),
    }
}

async fn cached_ids(cache: &LibraryCache) -> Vec<String> {
    let page = cache
        .query(&LibraryQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("query");
    page.items.into_iter().map(|a| a.asset.id).collect()
}

#[tokio::test]
async fn refresh_over_many_pages_while_uploads_continue_has_no_duplicates_or_gaps() {
    let sb = TestSandbox::start("").await;
    for &kind in PROVIDERS {
        let dir = tempfile::tempdir().expect("dir");
        let p = connect(&sb, kind);
        let mut uploaded = BTreeSet::new();
        for i in 0..10 {
            uploaded.insert(
                put(p.as_ref(), dir.path(), &format!("a{i}.jpg"), b"x")
                    .await
                    .id,
            );
        }
        let cache = cache_at(dir.path(), &sb, kind);
        let mut refresh = Refresh::new(p.as_ref(), &cache).page_size(3);
        let mut pages = 0;
        loop {
            match refresh.step().await.expect("step") {
                RefreshStep::Page { .. } => pages += 1,
                RefreshStep::Done { total, .. } => {
                    assert_eq!(total as usize, uploaded.len(), "{kind:?}");
                    break;
                }
            }
            // Uploads continue between pages (they land at the top).
            if pages <= 3 {
                let n = format!("during{pages}.jpg");
                uploaded.insert(put(p.as_ref(), dir.path(), &n, b"y").await.id);
            }
            assert!(pages < 50, "{kind:?}: the refresh does not end");
        }
        assert!(pages >= 5, "{kind:?}: only {pages} pages");
        let ids = cached_ids(&cache).await;
        let distinct: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), distinct.len(), "{kind:?}: duplicates in {ids:?}");
        assert_eq!(distinct, uploaded, "{kind:?}: gaps or strays");
        assert!(cache
            .state()
            .await
            .expect("state")
            .last_complete_ms
            .is_some());
    }
}

#[tokio::test]
async fn search_on_the_server_for_flora_and_in_the_cache_elsewhere() {
    let sb = TestSandbox::start("").await;
    for &kind in PROVIDERS {
        let dir = tempfile::tempdir().expect("dir");
        let p = connect(&sb, kind);
        for n in ["Alpha-1.jpg", "beta.jpg", "xalpha-2.jpg"] {
            put(p.as_ref(), dir.path(), n, n.as_bytes()).await;
        }
        let names = |items: Vec<RemoteAsset>| -> BTreeSet<String> {
            items.into_iter().filter_map(|a| a.name).collect()
        };
        let want: BTreeSet<String> = ["Alpha-1.jpg", "xalpha-2.jpg"].map(String::from).into();
        if kind == ProviderKind::Flora {
            let found = p.search("alpha", None, 100).await.expect("FLORA searches");
            assert_eq!(names(found.items), want);
        } else {
            let e = p.search("alpha", None, 100).await.expect_err("no search");
            assert_eq!(e.code.as_deref(), Some("not_offered"), "{e}");
            assert!(e.message.contains("not offered by this provider"), "{e}");
        }
        let cache = cache_at(dir.path(), &sb, kind);
        Refresh::new(p.as_ref(), &cache)
            .run()
            .await
            .expect("refresh");
        let q = LibraryQuery {
            search: Some("ALPHA".into()),
            ..Default::default()
        };
        let page = cache.query(&q).await.expect("query");
        assert_eq!(page.total, 2, "{kind:?}");
        assert_eq!(
            names(page.items.into_iter().map(|a| a.asset).collect()),
            want
        );
    }
}

#[tokio::test]
async fn attach_to_a_flora_project_and_not_offered_elsewhere() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("dir");
    let flora = connect(&sb, ProviderKind::Flora);
    let a = put(flora.as_ref(), dir.path(), "p.jpg", b"p").await;
    flora
        .attach_to("prj_lib", &a.id, "k1")
        .await
        .expect("attached");
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/assets", sb.endpoint("flora")))
        .query(&[("workspace_id", "ws_test"), ("project_id", "prj_lib")])
        .bearer_auth(TEST_KEY)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = listed["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .filter_map(|v| v["asset_id"].as_str())
        .collect();
    assert_eq!(ids, [a.id.as_str()]);
    let bad = flora
        .attach_to("proj_1", &a.id, "k2")
        .await
        .expect_err("bad id");
    assert_eq!(bad.code.as_deref(), Some("invalid_project"), "{bad}");
    for kind in [ProviderKind::Runflow, ProviderKind::Segmentflow] {
        let e = connect(&sb, kind)
            .attach_to("prj_lib", "x", "k")
            .await
            .expect_err("no projects");
        assert!(e.message.contains("not offered by this provider"), "{e}");
    }
}

#[tokio::test]
async fn downloads_are_exact_and_resume_after_a_dropped_connection() {
    let sb = TestSandbox::start("").await;
    let storage = http::storage_client_builder().build().expect("client");
    for (round, &kind) in PROVIDERS.iter().enumerate() {
        let dir = tempfile::tempdir().expect("dir");
        let p = connect(&sb, kind);
        let data: Vec<u8> = (0..600_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let a = put(p.as_ref(), dir.path(), "big.jpg", &data).await;
        let cache = cache_at(dir.path(), &sb, kind);
        Refresh::new(p.as_ref(), &cache)
            .run()
            .await
            .expect("refresh");
        sb.set_faults("drop_download=1").await;
        let out = dir.path().join("out");
        let seen = Arc::new(AtomicU64::new(0));
        let s2 = seen.clone();
        let opts = DownloadOptions {
            progress: Some(Arc::new(move |done, _| {
                s2.store(done, std::sync::atomic::Ordering::Relaxed)
            })),
            ..Default::default()
        };
        let got = download_original(p.as_ref(), Some(&cache), &storage, &a.id, &out, &opts)
            .await
            .expect("downloaded");
        assert_eq!(got.path, out.join("big.jpg"));
        assert_eq!(sha256_file(&got.path), sha256_hex(&data), "{kind:?}");
        assert!(
            got.resumes >= 1,
            "{kind:?}: the cut was not resumed: {got:?} {}",
            sb.stats().await
        );
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            data.len() as u64
        );
        // Counters add up over the rounds.
        let faults = &sb.stats().await["faults"];
        assert_eq!(faults["drop_download"], round + 1, "{faults}");
        assert!(
            faults["download_range"].as_u64() > Some(round as u64),
            "{faults}"
        );
        // No temp file is left, and a second download never replaces the first.
        let left: Vec<_> = std::fs::read_dir(&out).expect("out").collect();
        assert_eq!(left.len(), 1, "{left:?}");
        let again = download_original(p.as_ref(), Some(&cache), &storage, &a.id, &out, &opts)
            .await
            .expect_err("exists");
        assert!(matches!(again, DownloadError::Exists(_)), "{again}");
        sb.set_faults("").await;
    }
}

#[tokio::test]
async fn hostile_remote_names_are_saved_as_safe_local_names() {
    let sb = TestSandbox::start("").await;
    let storage = http::storage_client_builder().build().expect("client");
    let dir = tempfile::tempdir().expect("dir");
    let p = connect(&sb, ProviderKind::Flora);
    let out = dir.path().join("a").join("out");
    let cases = [
        ("../../x", "x"),
        ("CON", "_CON"),
        ("new\nline.jpg", "new_line.jpg"),
    ];
    for (remote, local) in cases {
        let a = put(p.as_ref(), dir.path(), remote, remote.as_bytes()).await;
        let got = download_original(p.as_ref(), None, &storage, &a.id, &out, &Default::default())
            .await
            .expect("downloaded");
        assert_eq!(got.path, out.join(local), "{remote:?}");
        assert_eq!(std::fs::read(&got.path).expect("read"), remote.as_bytes());
        if remote == "CON" {
            let opts = DownloadOptions {
                overwrite: Overwrite::Rename,
                ..Default::default()
            };
            let second = download_original(p.as_ref(), None, &storage, &a.id, &out, &opts)
                .await
                .expect("renamed");
            assert_eq!(second.path, out.join("_CON (1)"));
        }
    }
    assert!(!dir.path().join("x").exists() && !dir.path().join("a").join("x").exists());
}

#[tokio::test]
async fn an_expired_signed_url_is_fetched_again_before_use() {
    let sb = TestSandbox::start("download_ttl=2s").await;
    let storage = http::storage_client_builder().build().expect("client");
    let dir = tempfile::tempdir().expect("dir");
    let p = connect(&sb, ProviderKind::Runflow);
    let a = put(p.as_ref(), dir.path(), "s.jpg", b"signed bytes").await;
    let cache = cache_at(dir.path(), &sb, ProviderKind::Runflow);
    Refresh::new(p.as_ref(), &cache)
        .run()
        .await
        .expect("refresh");
    let cached = cache.get(&a.id).await.expect("read").expect("cached");
    let expiry = cached.url_expires_ms.expect("a signed URL has an expiry");
    // Wait until the cached URL has lapsed (a guard, not a timing assert).
    while hoist_core::queue::now_millis() <= expiry + 1000 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let got = download_original(
        p.as_ref(),
        Some(&cache),
        &storage,
        &a.id,
        dir.path(),
        &Default::default(),
    )
    .await
    .expect("downloaded");
    assert!(got.url_refreshed);
    assert_eq!(std::fs::read(&got.path).expect("read"), b"signed bytes");
    let faults = &sb.stats().await["faults"];
    assert!(
        faults.get("download_url_expired").is_none(),
        "stale URL sent: {faults}"
    );
}

#[tokio::test]
async fn offline_the_cache_answers_and_says_when_it_was_updated() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("dir");
    let p = connect(&sb, ProviderKind::Segmentflow);
    for i in 0..3 {
        put(p.as_ref(), dir.path(), &format!("o{i}.jpg"), b"o").await;
    }
    let cache = cache_at(dir.path(), &sb, ProviderKind::Segmentflow);
    Refresh::new(p.as_ref(), &cache)
        .run()
        .await
        .expect("refresh");
    let TestSandbox {
        sandbox,
        data: _data,
    } = sb;
    sandbox.shutdown().await;
    let e = Refresh::new(p.as_ref(), &cache)
        .run()
        .await
        .expect_err("offline");
    assert!(e.is_offline(), "{e}");
    let RefreshError::Offline {
        last_complete_ms, ..
    } = &e
    else {
        unreachable!()
    };
    assert!(last_complete_ms.is_some());
    assert!(e.to_string().contains("last updated"), "{e}");
    assert_eq!(cached_ids(&cache).await.len(), 3);
}

#[tokio::test]
async fn an_upload_enters_the_cache_linked_to_its_file_and_job() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("dir");
    let state = dir.path().join("state");
    let file = dir.path().join("mine.jpg");
    std::fs::write(&file, b"from this machine").expect("write");
    let d = destination(&sb, ProviderKind::Flora);
    let engine = common::engine(&state, |_| {}).await;
    engine
        .add(std::slice::from_ref(&file), &target(&d))
        .await
        .expect("add");
    common::wait_settled(&engine).await;
    let rows = common::all_jobs(&engine).await;
    engine.shutdown().await;
    assert_eq!(rows[0].state, JobState::Ready);
    let asset_id = rows[0].asset_id.clone().expect("asset id");
    let cache = LibraryCache::open(&state, &target(&d)).expect("cache");
    let check = |a: Option<hoist_core::library::CachedAsset>| {
        let a = a.expect("the upload is in the cache");
        assert_eq!(a.local_path.as_deref(), Some(file.as_path()));
        assert_eq!(a.job_id, Some(rows[0].id));
        assert_eq!(a.asset.name.as_deref(), Some("mine.jpg"));
    };
    check(cache.get(&asset_id).await.expect("read"));
    // A refresh keeps the link while it updates the rest.
    let p = connect(&sb, ProviderKind::Flora);
    Refresh::new(p.as_ref(), &cache)
        .run()
        .await
        .expect("refresh");
    check(cache.get(&asset_id).await.expect("read"));
}

#[tokio::test]
async fn the_engine_refreshes_a_cache_in_steps_for_a_window() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().expect("dir");
    let p = connect(&sb, ProviderKind::Runflow);
    for i in 0..5 {
        put(p.as_ref(), dir.path(), &format!("w{i}.jpg"), b"w").await;
    }
    let engine = common::engine(&dir.path().join("state"), |_| {}).await;
    let t = target(&destination(&sb, ProviderKind::Runflow));
    let mut steps = 0;
    while !matches!(
        engine.refresh_library(&t, 1).await.expect("refresh"),
        RefreshStep::Done { .. }
    ) {
        steps += 1;
        assert!(steps < 10, "the refresh does not end");
    }
    let page = engine
        .library_cache(&t)
        .query(&LibraryQuery::default())
        .await
        .expect("query");
    assert_eq!(page.total, 5);
    engine.shutdown().await;
}
