//! Where files go: a provider, its API base and the provider's own fields
//! (FLORA's workspace, Runflow's folder…), checked by the provider's
//! [`crate::provider::spec::ProviderSpec`].

use crate::model::ProviderKind;
use crate::provider::spec::{FOLDER, ORG, PROJECT, WEBSITE, WORKSPACE};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// The fields every destination had before they became data, in the order
/// they were serialized then. [`Destination::key`] keeps that order so keys
/// written by earlier versions (queue scopes, ad-hoc identities) still match.
const LEGACY_ORDER: [&str; 5] = [WORKSPACE, FOLDER, PROJECT, ORG, WEBSITE];

/// Where files go. The API key is not part of it: keys live in the keychain
/// or the environment.
///
/// Serialized as `{"provider", "endpoint", "fields": {…}}`; the flat form of
/// earlier versions (`{"provider", "endpoint", "workspace": …}`), found in
/// saved accounts and queue rows, still reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Destination {
    pub provider: ProviderKind,
    pub endpoint: String,
    /// The provider's fields by name ([`crate::provider::spec`] lists them).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// Both serialized forms: `fields`, or the flat fields of earlier versions.
#[derive(Deserialize)]
struct Wire {
    provider: ProviderKind,
    endpoint: String,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    workspace: Option<String>,
    #[serde(default)]
    folder: Option<String>,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    website: Option<String>,
}

impl<'de> Deserialize<'de> for Destination {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(deserializer)?;
        let mut fields = w.fields;
        let legacy = [
            (WORKSPACE, w.workspace),
            (FOLDER, w.folder),
            (PROJECT, w.project),
            (ORG, w.org),
            (WEBSITE, w.website),
        ];
        for (name, value) in legacy {
            if let Some(v) = value {
                fields.entry(name.to_string()).or_insert(v);
            }
        }
        Ok(Destination {
            provider: w.provider,
            endpoint: w.endpoint,
            fields,
        })
    }
}

impl Destination {
    pub fn new(provider: ProviderKind, endpoint: impl Into<String>) -> Self {
        Destination {
            provider,
            endpoint: endpoint.into(),
            fields: BTreeMap::new(),
        }
    }

    /// The same destination with field `name` set (builder style).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// Set field `name`.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.fields.insert(name.to_string(), value.into());
    }

    /// The value of field `name`, if set.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// A stable text key: equal destinations share concurrency slots and
    /// dedupe. It is the flat JSON of earlier versions (provider, endpoint,
    /// then the fields in their old order, any newer ones after, by name), so
    /// queue rows and ad-hoc identities written before keep matching.
    pub fn key(&self) -> String {
        let mut m = serde_json::Map::new();
        m.insert("provider".into(), self.provider.as_str().into());
        m.insert("endpoint".into(), self.endpoint.clone().into());
        for name in LEGACY_ORDER {
            if let Some(v) = self.fields.get(name) {
                m.insert(name.into(), v.clone().into());
            }
        }
        for (name, v) in &self.fields {
            if !LEGACY_ORDER.contains(&name.as_str()) {
                m.insert(name.clone(), v.clone().into());
            }
        }
        serde_json::Value::Object(m).to_string()
    }

    /// A short label for people: "flora ws_123 @ 127.0.0.1:8787".
    pub fn label(&self) -> String {
        let host = url::Url::parse(&self.endpoint)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| {
                    format!(
                        "{h}{}",
                        u.port().map(|p| format!(":{p}")).unwrap_or_default()
                    )
                })
            })
            .unwrap_or_else(|| self.endpoint.clone());
        let place = [WORKSPACE, FOLDER, ORG, WEBSITE]
            .into_iter()
            .find_map(|f| self.field(f));
        match place {
            Some(p) => format!("{} {p} @ {host}", self.provider),
            None => format!("{} @ {host}", self.provider),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_key_differs_by_place() {
        let a = Destination::new(ProviderKind::Flora, "http://x");
        let b = a.clone().with(WORKSPACE, "ws_1");
        assert_ne!(a.key(), b.key());
        assert_eq!(b.label(), "flora ws_1 @ x");
    }

    /// Queue rows and accounts.json written by earlier versions carry the
    /// flat form; they must load with the same fields and the same key.
    #[test]
    fn the_flat_form_of_earlier_versions_still_loads_with_the_same_key() {
        let old = r#"{"provider":"runflow","endpoint":"https://api.runflow.io","folder":"3c90c3cc-0d44-4b50-8888-8dd25736052a","org":"00000000-0000-4000-8000-000000000001"}"#;
        let d: Destination = serde_json::from_str(old).expect("old form loads");
        assert_eq!(d.provider, ProviderKind::Runflow);
        assert_eq!(
            d.field(FOLDER),
            Some("3c90c3cc-0d44-4b50-8888-8dd25736052a")
        );
        assert_eq!(d.field(ORG), Some("00000000-0000-4000-8000-000000000001"));
        // The key is exactly what the old code computed (serde of the flat
        // struct), so dedupe records and ad-hoc identities keep matching.
        assert_eq!(d.key(), old);
        let flora = r#"{"provider":"flora","endpoint":"http://127.0.0.1:1/flora/api/v1","workspace":"ws_1","folder":"f","project":"prj_2"}"#;
        let d: Destination = serde_json::from_str(flora).expect("old form loads");
        assert_eq!(d.key(), flora);
    }

    #[test]
    fn the_new_form_round_trips_and_names_its_fields() {
        let d = Destination::new(ProviderKind::Segmentflow, "https://api.segmentflow.ai")
            .with(WEBSITE, "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");
        let text = serde_json::to_string(&d).expect("json");
        assert_eq!(
            text,
            r#"{"provider":"segmentflow","endpoint":"https://api.segmentflow.ai","fields":{"website":"9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}}"#
        );
        assert_eq!(serde_json::from_str::<Destination>(&text).expect("back"), d);
        let bare = Destination::new(ProviderKind::Flora, "http://x");
        let text = serde_json::to_string(&bare).expect("json");
        assert_eq!(text, r#"{"provider":"flora","endpoint":"http://x"}"#);
        assert_eq!(
            serde_json::from_str::<Destination>(&text).expect("back"),
            bare
        );
    }
}
