//! What each vendor is, as data: its name and documented API base, how a key
//! is sent, the fields that say where files go (with their formats), its size
//! and type limits, whether it takes idempotency keys and how an expired
//! upload is renewed.
//!
//! One table drives the HTTP client (auth and tenant headers), the adapters'
//! preflight, account saving in the app, the CLI's destination flags and the
//! account form in the window (sent as JSON; see `src-tauri`'s
//! `provider_specs`). Adding a provider means one adapter module plus one
//! entry here.

use crate::model::{Destination, ProviderKind};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Destination field names (the keys of [`Destination::fields`]).
pub const WORKSPACE: &str = "workspace";
pub const FOLDER: &str = "folder";
pub const PROJECT: &str = "project";
pub const ORG: &str = "org";
pub const WEBSITE: &str = "website";

/// A hyphenated UUID, the only form the vendors' validators accept (the
/// sandbox refuses braces, URNs and the 32-digit form too).
const UUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
/// The example UUID of the Runflow and Segmentflow reference pages.
const UUID_EXAMPLE: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

/// How the API key goes with each API request (never to storage URLs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuthScheme {
    /// `Authorization: Bearer KEY`.
    Bearer,
    /// The key alone in a header of its own (Segmentflow's `x-api-key`).
    Header { name: &'static str },
}

/// How an upload whose signed URL expired gets fresh instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Renewal {
    /// The vendor re-signs the same asset (FLORA `/retry`): renewing can
    /// never make a second asset.
    SameAsset,
    /// A new reservation with a new id: if the first was confirmed after
    /// all, renewing makes a second asset, so the worker looks first.
    NewReservation,
}

/// One field of a destination, such as FLORA's workspace.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    /// Key in [`Destination::fields`]; also the form input's name.
    pub name: &'static str,
    /// "Workspace": what people call it.
    pub label: &'static str,
    pub required: bool,
    /// What every valid value matches (a regex both Rust and JavaScript read).
    pub pattern: Option<&'static str>,
    /// The rule in words, completing "<vendor> <label> ids …": "start with ws_".
    pub rule: Option<&'static str>,
    /// A valid value, for messages and placeholders.
    pub example: Option<&'static str>,
    pub placeholder: &'static str,
    /// A line under the input.
    pub hint: Option<&'static str>,
    /// Sent as this request header on every API call (Runflow's org).
    pub header: Option<&'static str>,
    #[serde(skip)]
    regex: Option<Regex>,
}

/// What the vendor accepts, checked before any request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Largest file in bytes, when documented.
    pub max_bytes: Option<u64>,
    /// Longest file name in characters, when documented.
    pub max_name_chars: Option<u32>,
    /// The only content types accepted, when the vendor keeps a list.
    pub content_types: Option<Vec<&'static str>>,
    /// The list in words ("JPEG, PNG, …"), for messages.
    pub content_types_label: Option<&'static str>,
}

/// One vendor, as data.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    pub id: ProviderKind,
    pub label: &'static str,
    /// The API base the vendor documents.
    pub default_endpoint: &'static str,
    /// Where the local sandbox serves this dialect.
    pub sandbox_path: &'static str,
    pub auth: AuthScheme,
    pub key_placeholder: &'static str,
    pub fields: Vec<FieldSpec>,
    pub limits: Limits,
    /// The vendor dedupes mutations sent with an `Idempotency-Key` header.
    pub idempotency_keys: bool,
    pub renewal: Renewal,
    /// What the library may ask of this vendor beyond list and get.
    pub library: LibraryOps,
    /// How much of the vendor Hoist uses at once (not sent to the window).
    #[serde(skip)]
    pub concurrency: Concurrency,
}

/// Ceilings of the engine's adaptive concurrency for one vendor (see
/// `engine::pacing`). The number of files in flight grows and shrinks
/// between 1 and `files`; API calls in flight never pass `api_calls`, so
/// transfers to storage may overlap while the vendor's API sees few calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Concurrency {
    /// API calls (reserve, confirm, look-ups) in flight at once, at most.
    pub api_calls: usize,
    /// Files in flight at once, at most.
    pub files: usize,
}

/// The library operations a vendor offers (list and get: all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryOps {
    /// Server-side search over names (FLORA `GET /assets?query=`); the
    /// others are searched in the local cache.
    pub search: bool,
    /// Attaching an asset to a project (FLORA).
    pub attach: bool,
    /// Lifetime of the asset URLs the vendor signs (Runflow: 900 s), for URLs
    /// whose expiry cannot be read from the URL itself; `None`: not signed.
    pub signed_url_ttl_secs: Option<u64>,
}

/// Why a destination does not fit its provider. Every variant names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("{provider} needs a {label}: {provider} {label} ids {rule}, like {example}")]
    Missing {
        provider: &'static str,
        field: &'static str,
        label: String,
        rule: &'static str,
        example: &'static str,
    },
    #[error("the {provider} {label} '{value}' is not valid: {provider} {label} ids {rule}, like {example}")]
    Invalid {
        provider: &'static str,
        field: &'static str,
        label: String,
        value: String,
        rule: &'static str,
        example: &'static str,
    },
    #[error("{provider} has no '{field}' setting (it takes {takes})")]
    Unknown {
        provider: &'static str,
        field: String,
        takes: String,
    },
}

impl FieldError {
    /// The destination field at fault (`folder`, `workspace`…).
    pub fn field(&self) -> &str {
        match self {
            FieldError::Missing { field, .. } | FieldError::Invalid { field, .. } => field,
            FieldError::Unknown { field, .. } => field,
        }
    }

    /// A stable code: `missing_folder`, `invalid_workspace`, `unknown_field`.
    pub fn code(&self) -> String {
        match self {
            FieldError::Missing { field, .. } => format!("missing_{field}"),
            FieldError::Invalid { field, .. } => format!("invalid_{field}"),
            FieldError::Unknown { .. } => "unknown_field".to_string(),
        }
    }
}

impl FieldSpec {
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: &'static str,
        label: &'static str,
        required: bool,
        pattern: Option<(&'static str, &'static str, &'static str)>,
        placeholder: &'static str,
        hint: Option<&'static str>,
        header: Option<&'static str>,
    ) -> Self {
        // The patterns are constants of this file; the spec tests compile
        // each one, so a typo fails the build's tests, not a user's save.
        let regex = pattern.and_then(|(p, _, _)| Regex::new(p).ok());
        FieldSpec {
            name,
            label,
            required,
            pattern: pattern.map(|p| p.0),
            rule: pattern.map(|p| p.1),
            example: pattern.map(|p| p.2),
            placeholder,
            hint,
            header,
            regex,
        }
    }

    /// Whether `value` (already trimmed) has the field's format. A field
    /// without a pattern (FLORA's folder) takes any text.
    pub fn accepts(&self, value: &str) -> bool {
        !value.is_empty() && self.regex.as_ref().is_none_or(|r| r.is_match(value))
    }
}

static SPECS: LazyLock<Vec<ProviderSpec>> = LazyLock::new(|| {
    vec![
        ProviderSpec {
            id: ProviderKind::Flora,
            label: "FLORA",
            default_endpoint: "https://app.flora.ai/api/v1",
            sandbox_path: "/flora/api/v1",
            auth: AuthScheme::Bearer,
            key_placeholder: "sk_live_… or sk_test_…",
            fields: vec![
                FieldSpec::new(
                    WORKSPACE,
                    "Workspace",
                    true,
                    Some((r"^ws_\S+$", "start with ws_", "ws_123")),
                    "ws_…",
                    None,
                    None,
                ),
                FieldSpec::new(FOLDER, "Folder", false, None, "Optional", None, None),
                FieldSpec::new(
                    PROJECT,
                    "Project",
                    false,
                    Some((r"^prj_\S+$", "start with prj_", "prj_123")),
                    "prj_… (optional)",
                    Some("Uploads are attached to it when ready."),
                    None,
                ),
            ],
            // FLORA documents no size limit or type list for signed uploads.
            limits: Limits {
                max_bytes: None,
                max_name_chars: None,
                content_types: None,
                content_types_label: None,
            },
            idempotency_keys: true,
            renewal: Renewal::SameAsset,
            library: LibraryOps {
                search: true,
                attach: true,
                signed_url_ttl_secs: None,
            },
            // "Bulk uploads at about 4 concurrent" is FLORA's guidance for
            // its API; the storage host (ImageKit) is another service.
            concurrency: Concurrency {
                api_calls: 4,
                files: 32,
            },
        },
        ProviderSpec {
            id: ProviderKind::Runflow,
            label: "Runflow",
            default_endpoint: "https://api.runflow.io",
            sandbox_path: "/runflow",
            auth: AuthScheme::Bearer,
            key_placeholder: "Runflow API key",
            fields: vec![
                FieldSpec::new(
                    ORG,
                    "Organization",
                    false,
                    Some((UUID, "are UUIDs", UUID_EXAMPLE)),
                    "Organization id (optional)",
                    Some("Sent as X-Organization-Id."),
                    Some("x-organization-id"),
                ),
                FieldSpec::new(
                    FOLDER,
                    "Folder",
                    false,
                    Some((UUID, "are UUIDs", UUID_EXAMPLE)),
                    "Folder id (optional)",
                    None,
                    None,
                ),
            ],
            limits: Limits {
                max_bytes: Some(52_428_800),
                max_name_chars: Some(500),
                content_types: None,
                content_types_label: None,
            },
            // "Mutations are not idempotent": the worker's own records are
            // the only safeguard (see engine::worker::confirm).
            idempotency_keys: false,
            renewal: Renewal::NewReservation,
            // `url` is a presigned GET that lapses after 900 s.
            library: LibraryOps {
                search: false,
                attach: false,
                signed_url_ttl_secs: Some(900),
            },
            // Limits are per org with no published numbers: a guess the
            // 429s (answered by halving, the whole org paused for the
            // Retry-After) correct downwards. 32 calls in flight is what a
            // 50 ms link needs for about 300 files a second (two calls a
            // file); 16 held it to 136 (bench/RESULTS.md, "link").
            concurrency: Concurrency {
                api_calls: 32,
                files: 64,
            },
        },
        ProviderSpec {
            id: ProviderKind::Segmentflow,
            label: "Segmentflow",
            default_endpoint: "https://api.segmentflow.ai",
            sandbox_path: "/segmentflow",
            auth: AuthScheme::Header { name: "x-api-key" },
            key_placeholder: "sk_live_… with the assets:write scope",
            fields: vec![FieldSpec::new(
                WEBSITE,
                "Website",
                false,
                Some((UUID, "are UUIDs", UUID_EXAMPLE)),
                "Website id (optional)",
                None,
                None,
            )],
            limits: Limits {
                max_bytes: Some(20_971_520),
                max_name_chars: None,
                content_types: Some(vec![
                    "image/jpeg",
                    "image/png",
                    "text/csv",
                    "application/vnd.ms-excel",
                    "application/pdf",
                ]),
                content_types_label: Some("JPEG, PNG, CSV, Excel (.xls) and PDF files"),
            },
            idempotency_keys: true,
            renewal: Renewal::NewReservation,
            library: LibraryOps {
                search: false,
                attach: false,
                signed_url_ttl_secs: None,
            },
            // No limits are documented: as Runflow.
            concurrency: Concurrency {
                api_calls: 32,
                files: 64,
            },
        },
    ]
});

/// Every provider's spec, in the order the form offers them.
pub fn all() -> &'static [ProviderSpec] {
    &SPECS
}

/// The spec of one provider.
pub fn spec(kind: ProviderKind) -> &'static ProviderSpec {
    // SPECS has one entry per ProviderKind (a test checks it); the index
    // fallback only keeps this total.
    SPECS.iter().find(|s| s.id == kind).unwrap_or(&SPECS[0])
}

impl ProviderSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Check a destination made from new input (a form, flags): no field the
    /// provider does not take, and [`ProviderSpec::check_fields`].
    pub fn check(&self, destination: &Destination) -> Result<(), FieldError> {
        for name in destination.fields.keys() {
            if self.field(name).is_none() {
                return Err(FieldError::Unknown {
                    provider: self.label,
                    field: name.clone(),
                    takes: self
                        .fields
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        self.check_fields(destination)
    }

    /// The provider's own fields: required ones present, every value in its
    /// format. Fields it does not take are ignored here: earlier versions
    /// kept them (a `--workspace` given with Runflow), and queued jobs of
    /// such destinations must still run.
    pub fn check_fields(&self, destination: &Destination) -> Result<(), FieldError> {
        for f in &self.fields {
            let rule = f.rule.unwrap_or("are any text");
            let example = f.example.unwrap_or("inbox");
            match destination.field(f.name) {
                None if f.required => {
                    return Err(FieldError::Missing {
                        provider: self.label,
                        field: f.name,
                        label: f.label.to_lowercase(),
                        rule,
                        example,
                    })
                }
                Some(v) if !f.accepts(v) => {
                    return Err(FieldError::Invalid {
                        provider: self.label,
                        field: f.name,
                        label: f.label.to_lowercase(),
                        // Shown in messages: printable, and short enough to read.
                        value: crate::text::printable(v).chars().take(80).collect(),
                        rule,
                        example,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A checked destination from form or flag values: values are trimmed,
    /// empty ones dropped.
    pub fn destination<K, V>(
        &self,
        endpoint: impl Into<String>,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Destination, FieldError>
    where
        K: Into<String>,
        V: AsRef<str>,
    {
        let mut d = Destination::new(self.id, endpoint);
        for (k, v) in fields {
            let v = v.as_ref().trim();
            if !v.is_empty() {
                d.fields.insert(k.into(), v.to_string());
            }
        }
        self.check(&d)?;
        Ok(d)
    }
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
