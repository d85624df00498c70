//! Helpers for integration tests: start the real sandbox on loopback, make
//! fixture files, and read the sandbox's introspection routes to check what
//! actually arrived. Nothing here fakes a server or a result, except
//! [`hostile`]: a deliberately misbehaving server for the hostile-server suite
//! (and a table of canned vendor answers, see [`hostile::routes`]).

pub mod hostile;
pub mod moto;
pub mod multipart;

use rand::{Rng, RngCore, SeedableRng};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use hoist_sandbox::{FaultSpec, Sandbox, SandboxConfig};

/// The three dialects, as the `--provider` names and sandbox mount points.
pub const DIALECTS: [(&str, &str); 3] = [
    ("flora", "/flora/api/v1"),
    ("runflow", "/runflow"),
    ("segmentflow", "/segmentflow"),
];

/// A sandbox on a free loopback port with its own data dir.
pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub data: tempfile::TempDir,
}

impl TestSandbox {
    pub async fn start(faults: &str) -> TestSandbox {
        Self::start_with(faults, |_| {}).await
    }

    /// Like [`TestSandbox::start`], letting `tweak` change the config (e.g.
    /// S3 storage) before the server starts.
    pub async fn start_with(faults: &str, tweak: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
        let data = tempfile::tempdir().expect("temp dir");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let mut config = SandboxConfig::new(data.path());
        config.faults = faults.parse().expect("fault spec");
        tweak(&mut config);
        let sandbox = Sandbox::start(listener, config)
            .await
            .expect("sandbox starts");
        TestSandbox { sandbox, data }
    }

    pub fn base(&self) -> String {
        self.sandbox.base_url()
    }

    /// The API base for a dialect (`flora`, `runflow`, `segmentflow`).
    pub fn endpoint(&self, dialect: &str) -> String {
        let path = DIALECTS
            .iter()
            .find(|(d, _)| *d == dialect)
            .map(|(_, p)| *p)
            .expect("known dialect");
        format!("{}{path}", self.base())
    }

    pub async fn set_faults(&self, spec: &str) {
        self.sandbox.set_faults(spec.parse().expect("fault spec"));
    }

    /// Every asset the sandbox holds, of every dialect (including Runflow and
    /// Segmentflow upload reservations that were never confirmed; see
    /// [`SandboxAsset::is_vendor_asset`]).
    pub async fn assets(&self) -> Vec<SandboxAsset> {
        assets_at(&self.base()).await
    }

    /// Every storage upload request the sandbox received.
    pub async fn uploads(&self) -> Vec<UploadRecord> {
        get_json(&format!("{}/_sandbox/uploads", self.base())).await
    }

    /// Every distinct API credential this sandbox was presented, by dialect
    /// (`flora`, `runflow`, `segmentflow`).
    pub async fn credentials_seen(
        &self,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        get_json(&format!("{}/_sandbox/credentials", self.base())).await
    }

    pub async fn stats(&self) -> serde_json::Value {
        get_json(&format!("{}/_sandbox/stats", self.base())).await
    }
}

/// Every asset of the sandbox at `base` (`http://127.0.0.1:PORT`), e.g. one
/// run as a separate `hoist sandbox` process.
pub async fn assets_at(base: &str) -> Vec<SandboxAsset> {
    get_json(&format!("{base}/_sandbox/assets")).await
}

/// Every storage upload the sandbox at `base` received.
pub async fn uploads_at(base: &str) -> Vec<UploadRecord> {
    get_json(&format!("{base}/_sandbox/uploads")).await
}

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> T {
    reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: bad JSON: {e}"))
}

#[derive(Debug, Clone, Deserialize)]
pub struct SandboxAsset {
    pub dialect: String,
    pub id: String,
    pub status: String,
    pub name: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub content_type: Option<String>,
}

impl SandboxAsset {
    /// Whether the vendor itself would show this as an asset. A FLORA asset
    /// exists from its reservation on (`pending_upload`); Runflow and
    /// Segmentflow create the record only on confirmation, so an unconfirmed
    /// upload reservation (abandoned on renewal or by a crash before it was
    /// stored) is no asset and no duplicate: the sandbox merely remembers it.
    pub fn is_vendor_asset(&self) -> bool {
        self.dialect == "flora" || self.status != "pending_upload"
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct UploadRecord {
    pub dialect: String,
    pub asset_id: Option<String>,
    pub authorization_header_present: bool,
    pub x_api_key_present: bool,
    pub bytes: u64,
    pub outcome: String,
}

/// A fixture file and the SHA-256 of its content.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn sha256_file(path: &Path) -> String {
    sha256_hex(&std::fs::read(path).expect("read fixture"))
}

/// Every file below `dir` whose bytes contain `needle` (e.g. a secret that
/// must never be written to disk).
pub fn files_containing(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_containing(&p, needle));
        } else if std::fs::read(&p)
            .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            .unwrap_or(false)
        {
            out.push(p);
        }
    }
    out
}

/// `n` files of random content and size in `sizes` (bytes), named
/// `<folder>-NNNN.jpg` (unique across folders; a type every provider accepts),
/// reproducible from `seed`.
pub fn random_files(
    dir: &Path,
    n: usize,
    sizes: std::ops::Range<usize>,
    seed: u64,
) -> Vec<Fixture> {
    std::fs::create_dir_all(dir).expect("fixture dir");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let prefix = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (0..n)
        .map(|i| {
            let size = rng.gen_range(sizes.clone());
            let mut data = vec![0u8; size];
            rng.fill_bytes(&mut data);
            let path = dir.join(format!("{prefix}-{i:04}.jpg"));
            std::fs::write(&path, &data).expect("write fixture");
            Fixture {
                path,
                sha256: sha256_hex(&data),
                size: size as u64,
            }
        })
        .collect()
}

/// Check that every fixture arrived exactly once, ready, with identical bytes,
/// and that nothing else (no orphaned reservation) is in the sandbox. Runflow
/// and Segmentflow reservations that were never confirmed are not assets
/// ([`SandboxAsset::is_vendor_asset`]) and are not counted.
/// Returns a description of every problem; empty means all good.
pub fn exactly_once_problems(fixtures: &[Fixture], assets: &[SandboxAsset]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_name: HashMap<String, Vec<&SandboxAsset>> = HashMap::new();
    for a in assets.iter().filter(|a| a.is_vendor_asset()) {
        by_name
            .entry(a.name.clone().unwrap_or_default())
            .or_default()
            .push(a);
    }
    for f in fixtures {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match by_name.remove(&name).as_deref() {
            None | Some([]) => problems.push(format!("{name}: missing")),
            Some([a]) => {
                if a.status != "ready" {
                    problems.push(format!("{name}: status {}", a.status));
                }
                if a.sha256.as_deref() != Some(f.sha256.as_str()) {
                    problems.push(format!(
                        "{name}: bytes differ (sandbox {:?}, file {})",
                        a.sha256, f.sha256
                    ));
                }
            }
            Some(many) => problems.push(format!(
                "{name}: {} assets ({:?})",
                many.len(),
                many.iter().map(|a| (&a.id, &a.status)).collect::<Vec<_>>()
            )),
        }
    }
    for (name, extra) in by_name {
        problems.push(format!("unexpected asset(s) for {name:?}: {}", extra.len()));
    }
    problems
}
