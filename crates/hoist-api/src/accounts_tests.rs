//! Tests of the desktop accounts: real keychain (Secret Service), real sandboxes.

use super::*;
use hoist_core::accounts::Keychain;
use hoist_testkit::TestSandbox;

/// The real OS keychain, in a namespace of this test run's own.
fn test_keychain() -> Arc<dyn SecretStore> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Arc::new(Keychain::with_service(format!(
        "app.hoist.test.shell.{}.{nanos}",
        std::process::id()
    )))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_is_kept_only_when_its_key_opens_it_and_files_then_go_there() {
    let remote = TestSandbox::start_with("", |c| c.api_key = Some("sk_right_key_42".into())).await;
    let state = tempfile::tempdir().expect("tempdir");
    let secrets = test_keychain();
    let shell = crate::test_support::boot(state.path().to_path_buf(), false, secrets.clone())
        .await
        .expect("boot");
    let mut form = AccountInput {
        id: None,
        label: "Studio".into(),
        provider: "flora".into(),
        endpoint: remote.endpoint("flora"),
        fields: [("workspace".to_string(), "ws_studio".to_string())].into(),
        api_key: Some("sk_wrong".into()),
    };
    let err = save(&shell, form.clone()).await.expect_err("wrong key");
    assert_eq!(err.code, "auth", "{err:?}");
    assert!(shell.accounts.list().expect("list").is_empty());

    form.api_key = Some("sk_right_key_42".into());
    let view = save(&shell, form).await.expect("saved");
    let acc = view
        .accounts
        .iter()
        .find(|a| !a.built_in)
        .expect("the new account")
        .clone();
    assert!(acc.has_key);
    assert_eq!(view.selected, acc.id, "a new account is selected");
    assert_eq!(
        secrets.get(&acc.id).expect("keychain").as_deref(),
        Some("sk_right_key_42")
    );
    assert!(
        hoist_testkit::files_containing(state.path(), "sk_right_key_42").is_empty(),
        "the key must live only in the keychain"
    );

    // Files now go to the account's server, with its key.
    let files = tempfile::tempdir().expect("tempdir");
    let shot = files.path().join("shot.jpg");
    std::fs::write(&shot, b"pixels").expect("write");
    shell
        .add_paths(std::slice::from_ref(&shot))
        .await
        .expect("add");
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        shell.engine.run_until_settled(),
    )
    .await
    .expect("settles")
    .expect("engine");
    let assets = remote.assets().await;
    assert_eq!(assets.len(), 1, "{assets:#?}");

    // Removal waits for queued files, then takes the key with it.
    shell.engine.pause(None).await.expect("pause");
    let later = files.path().join("later.jpg");
    std::fs::write(&later, b"more pixels").expect("write");
    shell
        .add_paths(std::slice::from_ref(&later))
        .await
        .expect("add");
    let err = remove(&shell, &acc.id).await.expect_err("in use");
    assert_eq!(err.code, "in_use", "{err:?}");
    shell.engine.cancel(None).await.expect("cancel");
    let view = remove(&shell, &acc.id).await.expect("removed");
    assert_eq!(view.accounts.len(), 1);
    assert_eq!(view.selected, SANDBOX_ACCOUNT_ID);
    assert_eq!(secrets.get(&acc.id).expect("keychain"), None);
    shell.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_selected_account_survives_a_restart() {
    let remote = TestSandbox::start("").await;
    let state = tempfile::tempdir().expect("tempdir");
    let secrets = test_keychain();
    let shell = crate::test_support::boot(state.path().to_path_buf(), false, secrets.clone())
        .await
        .expect("boot");
    let mut form = input("segmentflow");
    form.fields.clear();
    form.label = "Site".into();
    form.endpoint = remote.endpoint("segmentflow");
    form.api_key = Some("sf_key".into());
    let id = save(&shell, form).await.expect("saved").selected;
    shell.engine.shutdown().await;
    drop(shell);
    let again = crate::test_support::boot(state.path().to_path_buf(), false, secrets.clone())
        .await
        .expect("boot again");
    assert_eq!(again.selected().account_id, id);
    assert_eq!(again.selected().label, "Site");
    secrets.delete(&id).expect("clean up");
    again.engine.shutdown().await;
}

/// Two accounts of each provider, on two servers with different keys, and
/// files queued for both from the app: each server sees only its own key,
/// and each account's library shows only its own files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_of_each_provider_each_get_only_their_own_key_and_files() {
    let (key_a, key_b) = ("sk_shell_account_a", "sk_shell_account_b");
    let a = TestSandbox::start_with("", |c| c.api_key = Some(key_a.into())).await;
    let b = TestSandbox::start_with("", |c| c.api_key = Some(key_b.into())).await;
    let state = tempfile::tempdir().expect("tempdir");
    let secrets = test_keychain();
    let shell = crate::test_support::boot(state.path().to_path_buf(), false, secrets.clone())
        .await
        .expect("boot");
    let files = tempfile::tempdir().expect("tempdir");
    let mut expected: Vec<(String, &TestSandbox, String)> = Vec::new();
    for provider in ["flora", "runflow", "segmentflow"] {
        for (sb, key, tag) in [(&a, key_a, "a"), (&b, key_b, "b")] {
            let mut form = input(provider);
            form.label = format!("{provider} {tag}");
            form.endpoint = sb.endpoint(provider);
            form.fields.clear();
            if provider == "flora" {
                form.fields.insert("workspace".into(), "ws_shared".into());
            }
            form.api_key = Some(key.into());
            let id = save(&shell, form).await.expect("saved").selected;
            // The new account is selected: files dropped now go to it.
            let name = format!("{provider}-{tag}.jpg");
            let path = files.path().join(&name);
            std::fs::write(&path, format!("bytes of {name}")).expect("write");
            shell
                .add_paths(std::slice::from_ref(&path))
                .await
                .expect("add");
            expected.push((id, sb, name));
        }
    }
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        shell.engine.run_until_settled(),
    )
    .await
    .expect("settles")
    .expect("engine");
    let jobs = shell
        .engine
        .jobs(hoist_core::JobFilter::default())
        .await
        .expect("jobs");
    assert!(
        jobs.iter().all(|j| j.state == hoist_core::JobState::Ready),
        "{jobs:#?}"
    );
    for (sb, key) in [(&a, key_a), (&b, key_b)] {
        let seen: std::collections::BTreeSet<String> = sb
            .credentials_seen()
            .await
            .into_values()
            .flatten()
            .collect();
        assert_eq!(seen, std::collections::BTreeSet::from([key.to_string()]));
    }
    for (id, sb, name) in &expected {
        // An account's library is its provider's listing on that server,
        // refreshed with this account's key: only its own file.
        // The cached library: refreshed with this account's key, sliced locally.
        let r = crate::library_cache::refresh(&shell, id, 5)
            .await
            .expect("refresh");
        assert!(
            r.done && !r.offline && r.last_complete_ms.is_some(),
            "{r:?}"
        );
        let cached = crate::library_cache::slice(&shell, id, Default::default())
            .await
            .expect("slice");
        let names: Vec<_> = cached.items.iter().map(|i| i.item.name.clone()).collect();
        assert_eq!(names, vec![name.clone()], "cached library of {id}");
        assert!(sb
            .assets()
            .await
            .iter()
            .any(|x| x.name.as_deref() == Some(name.as_str())));
    }
    for (id, _, _) in &expected {
        secrets.delete(id).expect("clean up");
    }
    shell.engine.shutdown().await;
}

fn input(provider: &str) -> AccountInput {
    AccountInput {
        id: None,
        label: String::new(),
        provider: provider.into(),
        endpoint: String::new(),
        fields: [
            ("folder", "  "),
            ("org", " 3c90c3cc-0d44-4b50-8888-8dd25736052a "),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .into(),
        api_key: None,
    }
}

#[test]
fn the_form_becomes_a_destination_with_provider_fields_only() {
    let d = destination_from(&input("runflow")).expect("runflow");
    assert_eq!(d.endpoint, "https://api.runflow.io");
    assert_eq!(d.field("org"), Some("3c90c3cc-0d44-4b50-8888-8dd25736052a"));
    assert_eq!(d.field("folder"), None, "blank fields are dropped");
    let mut f = input("flora");
    f.fields.remove("org");
    let err = destination_from(&f).expect_err("workspace required");
    assert_eq!(
        err.message,
        "FLORA needs a workspace: FLORA workspace ids start with ws_, like ws_123."
    );
    f.fields.insert("workspace".into(), "ws_9".into());
    let d = destination_from(&f).expect("flora");
    assert_eq!(d.field("workspace"), Some("ws_9"));
    // A field FLORA does not take is refused by name, not kept silently.
    f.fields.insert("org".into(), "x".into());
    let err = destination_from(&f).expect_err("not a FLORA field");
    assert_eq!(
        err.message,
        "FLORA has no 'org' setting (it takes workspace, folder, project)."
    );
}

/// Fields in the wrong format are refused at save, naming the field, before
/// the key is tried or anything is stored (the endpoint is a listener that
/// must see no connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_an_account_with_a_bad_field_is_refused_naming_the_field() {
    let state = tempfile::tempdir().expect("tempdir");
    let secrets = test_keychain();
    let shell = crate::test_support::boot(state.path().to_path_buf(), false, secrets.clone())
        .await
        .expect("boot");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let cases = [
        ("runflow", "folder", "inbox", "The Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs, like 3c90c3cc-0d44-4b50-8888-8dd25736052a."),
        ("runflow", "org", "org_1", "The Runflow organization 'org_1' is not valid: Runflow organization ids are UUIDs, like 3c90c3cc-0d44-4b50-8888-8dd25736052a."),
        ("flora", "workspace", "studio", "The FLORA workspace 'studio' is not valid: FLORA workspace ids start with ws_, like ws_123."),
        ("segmentflow", "website", "shop", "The Segmentflow website 'shop' is not valid: Segmentflow website ids are UUIDs, like 3c90c3cc-0d44-4b50-8888-8dd25736052a."),
    ];
    for (provider, field, value, message) in cases {
        let mut form = input(provider);
        form.label = format!("bad {provider}");
        form.endpoint = endpoint.clone();
        form.fields = [(field.to_string(), value.to_string())].into();
        form.api_key = Some("sk_any".into());
        let err = save(&shell, form).await.expect_err("refused");
        assert_eq!(
            (err.code.as_str(), err.message.as_str()),
            ("invalid", message)
        );
    }
    assert!(shell.accounts.list().expect("list").is_empty());
    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "no key check before the fields are valid"
    );
    shell.engine.shutdown().await;
}

#[test]
fn bad_addresses_and_providers_are_refused_in_words() {
    let mut i = input("segmentflow");
    i.endpoint = "http://assets.example.com".into();
    assert_eq!(
        destination_from(&i).expect_err("plain http").code,
        "invalid"
    );
    i.endpoint = "not a url".into();
    assert!(destination_from(&i)
        .expect_err("garbage")
        .message
        .contains("web address"));
    assert!(destination_from(&input("dropbox")).is_err());
}

#[test]
fn refused_keys_and_dead_endpoints_get_distinct_codes() {
    let d = Destination::new(ProviderKind::Flora, "https://app.flora.ai/api/v1");
    let mut e = ApiError::network("connection refused");
    assert_eq!(access_error(&d, &e).code, "unreachable");
    e.status = 401;
    e.message = "invalid api key".into();
    let err = access_error(&d, &e);
    assert_eq!(err.code, "auth");
    assert!(err.message.contains("refused the key"), "{err:?}");
}
