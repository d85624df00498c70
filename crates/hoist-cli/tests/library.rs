//! `hoist ls` (cache, search, offline), `hoist get` and `hoist attach`
//! through the real binary against the real sandbox.

mod common;

use common::*;
use hoist_testkit::{sha256_file, TestSandbox};
use serde_json::Value;
use std::path::Path;

/// `hoist <cmd> --provider P --endpoint E <flags> <extra>`.
fn args(
    cmd: &str,
    sb: &TestSandbox,
    provider: &str,
    flags: &[&str],
    extra: &[&str],
) -> Vec<String> {
    let endpoint = sb.endpoint(provider);
    [cmd, "--provider", provider, "--endpoint", &endpoint]
        .iter()
        .chain(flags)
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn json_lines(b: &[u8]) -> Vec<Value> {
    text(b)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// Upload `names` (each its own content) with `hoist upload`, in its own state dir.
fn upload(sb: &TestSandbox, provider: &str, flags: &[&str], dir: &Path, names: &[&str]) {
    let src = dir.join(format!("src-{provider}-{}", names.len()));
    std::fs::create_dir_all(&src).unwrap();
    for n in names {
        std::fs::write(src.join(n), format!("content of {n}").repeat(40)).unwrap();
    }
    let state = tempfile::tempdir().unwrap();
    let src = src.to_string_lossy().into_owned();
    let out = run(hoist(state.path()).args(args("upload", sb, provider, flags, &[&src])));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

fn names(lines: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = lines
        .iter()
        .map(|l| l["name"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_fills_the_cache_searches_and_answers_offline() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    for &(provider, flags) in PROVIDERS {
        upload(
            &sb,
            provider,
            flags,
            dir.path(),
            &["alpha-1.jpg", "beta.jpg", "Alpha-2.jpg"],
        );
        let out = run(hoist(state.path()).args(args("ls", &sb, provider, flags, &["--json"])));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(json_lines(&out.stdout).len(), 3, "{provider}");
        // Search: FLORA's server, the cache elsewhere; same answer.
        let q = ["--query", "ALPHA", "--json"];
        let out = run(hoist(state.path()).args(args("ls", &sb, provider, flags, &q)));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(
            names(&json_lines(&out.stdout)),
            ["Alpha-2.jpg", "alpha-1.jpg"],
            "{provider}"
        );
        let out =
            run(hoist(state.path()).args(args("ls", &sb, provider, flags, &["--limit", "2"])));
        assert_eq!(text(&out.stdout).lines().count(), 2, "{provider}");
    }
    let TestSandbox {
        sandbox,
        data: _data,
    } = sb;
    let base = sandbox.base_url();
    sandbox.shutdown().await;
    for &(provider, flags) in PROVIDERS {
        let endpoint = format!(
            "{base}{}",
            hoist_testkit::DIALECTS
                .iter()
                .find(|d| d.0 == provider)
                .unwrap()
                .1
        );
        let cmd = |extra: &[&str]| -> Vec<String> {
            ["ls", "--provider", provider, "--endpoint", &endpoint]
                .iter()
                .chain(flags)
                .chain(extra)
                .map(|s| s.to_string())
                .collect()
        };
        let out = run(hoist(state.path()).args(cmd(&["--cached", "--json"])));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(json_lines(&out.stdout).len(), 3, "{provider}");
        let q = ["--cached", "--query", "beta", "--sort", "name", "--json"];
        let out = run(hoist(state.path()).args(cmd(&q)));
        assert_eq!(names(&json_lines(&out.stdout)), ["beta.jpg"], "{provider}");
        // Plain `ls` offline: the cache, and when it was last updated.
        let out = run(hoist(state.path()).args(cmd(&[])));
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(
            err.contains("offline") && err.contains("last updated"),
            "{err}"
        );
        assert_eq!(text(&out.stdout).lines().count(), 3, "{provider}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_saves_exact_originals_under_safe_names_and_resumes() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    for (round, &(provider, flags)) in PROVIDERS.iter().enumerate() {
        upload(&sb, provider, flags, dir.path(), &["one.jpg"]);
        let out = run(hoist(state.path()).args(args("ls", &sb, provider, flags, &["--json"])));
        let id = json_lines(&out.stdout)[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let dest = dir.path().join(format!("got-{provider}"));
        let dest_s = dest.to_string_lossy().into_owned();
        sb.set_faults("drop_download=1").await;
        let get = |extra: &[&str]| {
            let mut e = vec!["--out", &dest_s, "--json"];
            e.extend_from_slice(extra);
            run(hoist(state.path()).args(args("get", &sb, provider, flags, &e)))
        };
        let out = get(&[&id]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let line = &json_lines(&out.stdout)[0];
        assert_eq!(line["status"], "saved");
        let saved = dest.join("one.jpg");
        let src = dir.path().join(format!("src-{provider}-1")).join("one.jpg");
        assert_eq!(sha256_file(&saved), sha256_file(&src), "{provider}");
        // The connection was cut halfway and the rest asked for with a Range.
        let faults = &sb.stats().await["faults"];
        assert_eq!(faults["drop_download"], round + 1, "{faults}");
        assert!(
            faults["download_range"].as_u64() > Some(round as u64),
            "{faults}"
        );
        sb.set_faults("").await;
        // Never over a file without being told; rename when told.
        let out = get(&[&id]);
        assert_eq!(out.status.code(), Some(1));
        assert!(json_lines(&out.stdout)[0]["error"]
            .as_str()
            .unwrap()
            .contains("already exists"));
        let out = get(&["--overwrite", "rename", &id]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(dest.join("one (1).jpg").exists());
        // An unknown asset fails alone; usage errors exit 2.
        let out = get(&["no-such-asset"]);
        assert_eq!(out.status.code(), Some(1));
        let out = run(hoist(state.path()).args(args("get", &sb, provider, flags, &[&id])));
        assert_eq!(out.status.code(), Some(2), "no --out");
    }
    // Hostile remote names (a device name, a newline) become safe local ones.
    let (provider, flags) = PROVIDERS[0];
    upload(&sb, provider, flags, dir.path(), &["CON", "new\nline.jpg"]);
    let out = run(hoist(state.path()).args(args("ls", &sb, provider, flags, &["--json"])));
    let lines = json_lines(&out.stdout);
    let ids: Vec<&str> = lines
        .iter()
        .filter(|l| l["name"] == "CON" || l["name"] == "new\nline.jpg")
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{lines:?}");
    let dest = dir.path().join("hostile");
    let mut extra = vec!["--out", dest.to_str().unwrap()];
    extra.extend(ids.iter().copied());
    let out = run(hoist(state.path()).args(args("get", &sb, provider, flags, &extra)));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut got: Vec<String> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    assert_eq!(got, ["_CON", "new_line.jpg"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_on_flora_and_a_clear_refusal_elsewhere() {
    let sb = TestSandbox::start("").await;
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (provider, flags) = PROVIDERS[0];
    upload(&sb, provider, flags, dir.path(), &["a.jpg"]);
    let out = run(hoist(state.path()).args(args("ls", &sb, provider, flags, &["--json"])));
    let id = json_lines(&out.stdout)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let extra = ["--project", "prj_cli", &id];
    let out = run(hoist(state.path()).args(args("attach", &sb, provider, flags, &extra)));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed: Value = reqwest::Client::new()
        .get(format!("{}/assets", sb.endpoint("flora")))
        .query(&[("workspace_id", "ws_cli"), ("project_id", "prj_cli")])
        .bearer_auth("k")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["assets"][0]["asset_id"], id.as_str());
    for &(provider, flags) in &PROVIDERS[1..] {
        let extra = ["--project", "prj_cli", "some-id"];
        let out = run(hoist(state.path()).args(args("attach", &sb, provider, flags, &extra)));
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("not offered by this provider"),
            "{}",
            text(&out.stderr)
        );
    }
}
