//! The providers' specs as the window's account form reads them: the one
//! table in `hoist_core::provider::spec`, converted into generated TS types
//! (the form keeps no provider table of its own).

use hoist_core::provider::spec::{self, AuthScheme, FieldSpec, ProviderSpec};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One destination field of a provider, as the form renders and checks it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FieldSpecView {
    /// Key in an account's `fields`: "workspace", "folder"…
    pub name: String,
    pub label: String,
    pub required: bool,
    /// A regular expression every valid value matches (JavaScript syntax).
    pub pattern: Option<String>,
    /// Completes "<provider> <label> ids …": "start with ws_", "are UUIDs".
    pub rule: Option<String>,
    /// A valid value, for messages.
    pub example: Option<String>,
    pub placeholder: String,
    pub hint: Option<String>,
}

/// A provider, as the account form needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProviderSpecView {
    /// "flora", "runflow", "segmentflow".
    pub id: String,
    pub label: String,
    /// The API base the vendor documents; used when the endpoint is empty.
    pub default_endpoint: String,
    pub key_placeholder: String,
    /// How the key is sent, in words ("Authorization: Bearer", "x-api-key").
    pub auth: String,
    pub fields: Vec<FieldSpecView>,
    /// Largest file accepted, when the vendor documents one.
    #[ts(type = "number | null")]
    pub max_bytes: Option<u64>,
    /// The only content types accepted, when the vendor keeps a list.
    pub content_types: Option<Vec<String>>,
    /// The vendor searches names itself (FLORA); elsewhere the cache does.
    pub server_search: bool,
    /// Assets can be attached to a project (FLORA).
    pub attach: bool,
}

fn field(f: &FieldSpec) -> FieldSpecView {
    FieldSpecView {
        name: f.name.into(),
        label: f.label.into(),
        required: f.required,
        pattern: f.pattern.map(Into::into),
        rule: f.rule.map(Into::into),
        example: f.example.map(Into::into),
        placeholder: f.placeholder.into(),
        hint: f.hint.map(Into::into),
    }
}

fn view(s: &ProviderSpec) -> ProviderSpecView {
    ProviderSpecView {
        id: s.id.as_str().into(),
        label: s.label.into(),
        default_endpoint: s.default_endpoint.into(),
        key_placeholder: s.key_placeholder.into(),
        auth: match &s.auth {
            AuthScheme::Bearer => "Authorization: Bearer".into(),
            AuthScheme::Header { name } => (*name).into(),
        },
        fields: s.fields.iter().map(field).collect(),
        max_bytes: s.limits.max_bytes,
        content_types: s
            .limits
            .content_types
            .as_ref()
            .map(|t| t.iter().map(|c| c.to_string()).collect()),
        server_search: s.library.search,
        attach: s.library.attach,
    }
}

/// Every provider, in the order the form offers them.
pub fn all() -> Vec<ProviderSpecView> {
    spec::all().iter().map(view).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The exact JSON `provider_specs` sends the window (GitButler-style).
    #[test]
    fn the_specs_reach_the_window_as_this_exact_json() {
        let uuid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
        let ex = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
        let want = json!([
            {"id": "flora", "label": "FLORA", "defaultEndpoint": "https://app.flora.ai/api/v1",
             "keyPlaceholder": "sk_live_… or sk_test_…", "auth": "Authorization: Bearer",
             "fields": [
                {"name": "workspace", "label": "Workspace", "required": true, "pattern": "^ws_\\S+$",
                 "rule": "start with ws_", "example": "ws_123", "placeholder": "ws_…", "hint": null},
                {"name": "folder", "label": "Folder", "required": false, "pattern": null, "rule": null,
                 "example": null, "placeholder": "Optional", "hint": null},
                {"name": "project", "label": "Project", "required": false, "pattern": "^prj_\\S+$",
                 "rule": "start with prj_", "example": "prj_123", "placeholder": "prj_… (optional)",
                 "hint": "Uploads are attached to it when ready."}
             ],
             "maxBytes": null, "contentTypes": null, "serverSearch": true, "attach": true},
            {"id": "runflow", "label": "Runflow", "defaultEndpoint": "https://api.runflow.io",
             "keyPlaceholder": "Runflow API key", "auth": "Authorization: Bearer",
             "fields": [
                {"name": "org", "label": "Organization", "required": false, "pattern": uuid,
                 "rule": "are UUIDs", "example": ex, "placeholder": "Organization id (optional)",
                 "hint": "Sent as X-Organization-Id."},
                {"name": "folder", "label": "Folder", "required": false, "pattern": uuid,
                 "rule": "are UUIDs", "example": ex, "placeholder": "Folder id (optional)", "hint": null}
             ],
             "maxBytes": 52428800, "contentTypes": null, "serverSearch": false, "attach": false},
            {"id": "segmentflow", "label": "Segmentflow", "defaultEndpoint": "https://api.segmentflow.ai",
             "keyPlaceholder": "sk_live_… with the assets:write scope", "auth": "x-api-key",
             "fields": [
                {"name": "website", "label": "Website", "required": false, "pattern": uuid,
                 "rule": "are UUIDs", "example": ex, "placeholder": "Website id (optional)", "hint": null}
             ],
             "maxBytes": 20971520,
             "contentTypes": ["image/jpeg", "image/png", "text/csv", "application/vnd.ms-excel", "application/pdf"],
             "serverSearch": false, "attach": false}
        ]);
        assert_eq!(serde_json::to_value(all()).expect("json"), want);
    }

    /// The UI's tests render the form from this file, so they see what
    /// Rust sends; refreshed with the bindings.
    #[test]
    fn the_ui_test_fixture_is_what_rust_sends() {
        let json = serde_json::to_string_pretty(&all()).expect("json") + "\n";
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/providerSpecs.fixture.json");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&file, &json).expect("write fixture");
        }
        let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            on_disk == json,
            "ui/src/lib/providerSpecs.fixture.json is stale: run `UPDATE_BINDINGS=1 cargo test -p hoist-api the_ui_test_fixture`"
        );
    }
}
