use super::*;
use serde_json::json;

const GOOD_UUID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

#[test]
fn there_is_one_spec_per_provider_and_every_pattern_compiles() {
    for kind in ProviderKind::ALL {
        assert_eq!(spec(kind).id, kind);
    }
    assert_eq!(all().len(), ProviderKind::ALL.len());
    for s in all() {
        for f in &s.fields {
            assert_eq!(
                f.pattern.is_some(),
                f.regex.is_some(),
                "{}: {:?}",
                f.name,
                f.pattern
            );
        }
    }
}

/// Every patterned field, with values it must take and values it must refuse.
#[test]
fn every_patterned_field_takes_good_values_and_refuses_bad_ones_naming_the_field() {
    let cases: [(ProviderKind, &str, &[&str], &[&str]); 5] = [
        (
            ProviderKind::Flora,
            WORKSPACE,
            &["ws_1", "ws_abc_DEF"],
            &["123", "ws_", "prj_1", "ws_ 1", "WS_1"],
        ),
        (
            ProviderKind::Flora,
            PROJECT,
            &["prj_1"],
            &["proj_1", "p1", "prj_"],
        ),
        (
            ProviderKind::Runflow,
            FOLDER,
            &[GOOD_UUID, "3C90C3CC-0D44-4B50-8888-8DD25736052A"],
            &[
                "inbox",
                "3c90c3cc0d444b5088888dd25736052a",
                "{3c90c3cc-0d44-4b50-8888-8dd25736052a}",
                "3c90c3cc-0d44-4b50-8888-8dd25736052",
            ],
        ),
        (
            ProviderKind::Runflow,
            ORG,
            &[GOOD_UUID],
            &["org-1", "org_1"],
        ),
        (
            ProviderKind::Segmentflow,
            WEBSITE,
            &[GOOD_UUID],
            &["shop", "urn:uuid:3c90c3cc-0d44-4b50-8888-8dd25736052a"],
        ),
    ];
    for (kind, field, good, bad) in cases {
        let s = spec(kind);
        // FLORA always needs its workspace; give it one unless it is the field under test.
        let base = |v: &str| {
            let mut d = Destination::new(kind, s.default_endpoint);
            if kind == ProviderKind::Flora && field != WORKSPACE {
                d.set(WORKSPACE, "ws_1");
            }
            d.with(field, v)
        };
        for v in good {
            assert_eq!(s.check(&base(v)), Ok(()), "{kind} {field} {v}");
        }
        for v in bad {
            let e = s.check(&base(v)).expect_err(v);
            assert_eq!(e.field(), field, "{e}");
            assert_eq!(e.code(), format!("invalid_{field}"));
            let label = s.field(field).expect("field").label.to_lowercase();
            assert!(
                e.to_string().contains(&format!("{} {label}", s.label)),
                "{e}"
            );
            assert!(e.to_string().contains(v.trim()), "{e}");
        }
    }
}

#[test]
fn messages_name_the_field_and_the_rule() {
    let e = spec(ProviderKind::Runflow)
        .destination("https://api.runflow.io", [(FOLDER, "inbox")])
        .expect_err("not a UUID");
    assert_eq!(
        e.to_string(),
        "the Runflow folder 'inbox' is not valid: Runflow folder ids are UUIDs, like 3c90c3cc-0d44-4b50-8888-8dd25736052a"
    );
    let e = spec(ProviderKind::Flora)
        .destination("https://app.flora.ai/api/v1", [(FOLDER, "f")])
        .expect_err("no workspace");
    assert_eq!(
        e.to_string(),
        "FLORA needs a workspace: FLORA workspace ids start with ws_, like ws_123"
    );
    assert_eq!(e.code(), "missing_workspace");
    let e = spec(ProviderKind::Segmentflow)
        .destination("https://api.segmentflow.ai", [(WORKSPACE, "ws_1")])
        .expect_err("not a Segmentflow field");
    assert_eq!(
        e.to_string(),
        "Segmentflow has no 'workspace' setting (it takes website)"
    );
    assert_eq!(e.field(), WORKSPACE);
}

#[test]
fn a_field_without_a_pattern_takes_any_text_and_stray_fields_do_not_stop_queued_jobs() {
    let flora = spec(ProviderKind::Flora);
    let d = Destination::new(ProviderKind::Flora, flora.default_endpoint)
        .with(WORKSPACE, "ws_1")
        .with(FOLDER, "My Shoots");
    assert_eq!(flora.check(&d), Ok(()));
    // Earlier versions kept a `--workspace` given with Runflow: new input is
    // refused, but a queued destination that has one still passes preflight.
    let stray =
        Destination::new(ProviderKind::Runflow, "https://api.runflow.io").with(WORKSPACE, "ws_1");
    let runflow = spec(ProviderKind::Runflow);
    assert_eq!(
        runflow.check(&stray).map_err(|e| e.code()),
        Err("unknown_field".into())
    );
    assert_eq!(runflow.check_fields(&stray), Ok(()));
}

#[test]
fn destination_trims_and_drops_blank_values() {
    let d = spec(ProviderKind::Runflow)
        .destination(
            "https://api.runflow.io",
            [(ORG, " "), (FOLDER, format!(" {GOOD_UUID}\n").as_str())],
        )
        .expect("valid");
    assert_eq!(d.field(ORG), None);
    assert_eq!(d.field(FOLDER), Some(GOOD_UUID));
}

/// The exact JSON the window's account form is built from.
#[test]
fn specs_serialize_to_the_exact_json_the_ui_reads() {
    let uuid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
    let got = serde_json::to_value(all()).expect("json");
    let want = json!([
        {
            "id": "flora", "label": "FLORA", "defaultEndpoint": "https://app.flora.ai/api/v1",
            "sandboxPath": "/flora/api/v1", "auth": {"kind": "bearer"},
            "keyPlaceholder": "sk_live_… or sk_test_…",
            "fields": [
                {"name": "workspace", "label": "Workspace", "required": true, "pattern": "^ws_\\S+$",
                 "rule": "start with ws_", "example": "ws_123", "placeholder": "ws_…", "hint": null, "header": null},
                {"name": "folder", "label": "Folder", "required": false, "pattern": null, "rule": null,
                 "example": null, "placeholder": "Optional", "hint": null, "header": null},
                {"name": "project", "label": "Project", "required": false, "pattern": "^prj_\\S+$",
                 "rule": "start with prj_", "example": "prj_123", "placeholder": "prj_… (optional)",
                 "hint": "Uploads are attached to it when ready.", "header": null}
            ],
            "limits": {"maxBytes": null, "maxNameChars": null, "contentTypes": null, "contentTypesLabel": null},
            "idempotencyKeys": true, "renewal": "same_asset",
            "library": {"search": true, "attach": true, "signedUrlTtlSecs": null}
        },
        {
            "id": "runflow", "label": "Runflow", "defaultEndpoint": "https://api.runflow.io",
            "sandboxPath": "/runflow", "auth": {"kind": "bearer"}, "keyPlaceholder": "Runflow API key",
            "fields": [
                {"name": "org", "label": "Organization", "required": false, "pattern": uuid, "rule": "are UUIDs",
                 "example": GOOD_UUID, "placeholder": "Organization id (optional)",
                 "hint": "Sent as X-Organization-Id.", "header": "x-organization-id"},
                {"name": "folder", "label": "Folder", "required": false, "pattern": uuid, "rule": "are UUIDs",
                 "example": GOOD_UUID, "placeholder": "Folder id (optional)", "hint": null, "header": null}
            ],
            "limits": {"maxBytes": 52428800, "maxNameChars": 500, "contentTypes": null, "contentTypesLabel": null},
            "idempotencyKeys": false, "renewal": "new_reservation",
            "library": {"search": false, "attach": false, "signedUrlTtlSecs": 900}
        },
        {
            "id": "segmentflow", "label": "Segmentflow", "defaultEndpoint": "https://api.segmentflow.ai",
            "sandboxPath": "/segmentflow", "auth": {"kind": "header", "name": "x-api-key"},
            "keyPlaceholder": "sk_live_… with the assets:write scope",
            "fields": [
                {"name": "website", "label": "Website", "required": false, "pattern": uuid, "rule": "are UUIDs",
                 "example": GOOD_UUID, "placeholder": "Website id (optional)", "hint": null, "header": null}
            ],
            "limits": {"maxBytes": 20971520, "maxNameChars": null,
                "contentTypes": ["image/jpeg", "image/png", "text/csv", "application/vnd.ms-excel", "application/pdf"],
                "contentTypesLabel": "JPEG, PNG, CSV, Excel (.xls) and PDF files"},
            "idempotencyKeys": true, "renewal": "new_reservation",
            "library": {"search": false, "attach": false, "signedUrlTtlSecs": null}
        }
    ]);
    assert_eq!(got, want);
}

/// The HTTP client builds these with `HeaderName::from_static`, which
/// accepts only valid lowercase names.
#[test]
fn header_names_in_the_specs_are_valid_lowercase_names() {
    for s in all() {
        let mut names: Vec<&str> = s.fields.iter().filter_map(|f| f.header).collect();
        if let AuthScheme::Header { name } = &s.auth {
            names.push(name);
        }
        for n in names {
            assert!(
                reqwest::header::HeaderName::from_bytes(n.as_bytes()).is_ok(),
                "{n}"
            );
            assert_eq!(n, n.to_ascii_lowercase());
        }
    }
}
