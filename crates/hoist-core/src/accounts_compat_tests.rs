//! accounts.json as earlier versions wrote it still loads; a destination
//! that does not fit its provider's spec is never saved.

use super::*;
use crate::model::ProviderKind;
use crate::provider::spec::{FOLDER, ORG, WEBSITE, WORKSPACE};

/// A file written by the version before destinations had `fields`.
const TODAYS_FILE: &str = r#"{
  "accounts": [
    {"id": "acc_1", "label": "Studio", "destination":
      {"provider": "flora", "endpoint": "https://app.flora.ai/api/v1", "workspace": "ws_1", "project": "prj_2"}},
    {"id": "acc_2", "label": "Runflow", "destination":
      {"provider": "runflow", "endpoint": "https://api.runflow.io",
       "folder": "0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e", "org": "6f1c2a7e-3b8d-4c59-9a12-0d4e5f6a7b8c"}},
    {"id": "acc_3", "label": "Site", "destination":
      {"provider": "segmentflow", "endpoint": "https://api.segmentflow.ai", "website": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}}
  ]
}"#;

#[test]
fn an_accounts_file_of_earlier_versions_loads_with_its_fields_and_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("accounts.json"), TODAYS_FILE).expect("write");
    let store = AccountStore::new(dir.path());
    let all = store.list().expect("loads");
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].destination.field(WORKSPACE), Some("ws_1"));
    assert_eq!(all[0].destination.field("project"), Some("prj_2"));
    assert_eq!(
        all[1].destination.field(FOLDER),
        Some("0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e")
    );
    assert_eq!(
        all[1].destination.field(ORG),
        Some("6f1c2a7e-3b8d-4c59-9a12-0d4e5f6a7b8c")
    );
    assert_eq!(
        all[2].destination.field(WEBSITE),
        Some("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")
    );
    // The destination key (queue scope, ad-hoc identity) is the one the old
    // code computed from the flat struct.
    assert_eq!(
        all[0].destination.key(),
        r#"{"provider":"flora","endpoint":"https://app.flora.ai/api/v1","workspace":"ws_1","project":"prj_2"}"#
    );
    // Saving again rewrites it in the new form, which loads the same.
    store.upsert(all[2].clone()).expect("resave");
    assert_eq!(store.list().expect("loads"), all);
}

#[test]
fn a_destination_that_does_not_fit_its_spec_is_never_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = AccountStore::new(dir.path());
    let bad = [
        (
            ProviderKind::Runflow,
            FOLDER,
            "inbox",
            "the Runflow folder 'inbox' is not valid",
        ),
        (
            ProviderKind::Flora,
            WORKSPACE,
            "studio",
            "the FLORA workspace 'studio' is not valid",
        ),
        (
            ProviderKind::Segmentflow,
            WEBSITE,
            "shop",
            "the Segmentflow website 'shop' is not valid",
        ),
    ];
    for (kind, field, value, message) in bad {
        let d = Destination::new(kind, kind.default_endpoint()).with(field, value);
        let e = store.upsert(Account::new("x", d)).expect_err("refused");
        assert!(e.to_string().starts_with(message), "{e}");
        assert!(
            matches!(&e, AccountError::Invalid(f) if f.field() == field),
            "{e:?}"
        );
    }
    assert!(store.list().expect("list").is_empty());
    assert!(
        !dir.path().join("accounts.json").exists(),
        "nothing written"
    );
}
