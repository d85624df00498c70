//! Helpers shared by the integration tests: a running sandbox, a client, multipart bodies.
#![allow(dead_code)]

use hoist_sandbox::{Sandbox, SandboxConfig};
use hoist_testkit::TestSandbox;
use reqwest::{Client, Response};
use serde_json::{json, Value};
use tempfile::TempDir;

// Not every test file uses every helper.
#[allow(unused_imports)]
pub use hoist_testkit::multipart::{form_with_file, multipart, FileFrame, Part};
#[allow(unused_imports)]
pub use hoist_testkit::sha256_hex;

pub const KEY: &str = "sk_test_sandbox";

pub struct Env {
    pub sb: Sandbox,
    pub dir: TempDir,
    pub http: Client,
    pub base: String,
}

impl Env {
    pub fn flora(&self, path: &str) -> String {
        format!("{}/flora/api/v1{path}", self.base)
    }

    pub fn runflow(&self, path: &str) -> String {
        format!("{}/runflow{path}", self.base)
    }

    pub fn segmentflow(&self, path: &str) -> String {
        format!("{}/segmentflow{path}", self.base)
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}/_sandbox{path}", self.base)
    }

    pub async fn admin_json(&self, path: &str) -> Value {
        self.http
            .get(self.admin(path))
            .send()
            .await
            .expect("admin request")
            .json()
            .await
            .expect("admin json")
    }

    pub async fn set_faults(&self, spec: &str) {
        let r = self
            .http
            .put(self.admin("/faults"))
            .body(spec.to_string())
            .send()
            .await
            .expect("set faults");
        assert_eq!(r.status(), 200, "faults `{spec}` rejected");
    }

    /// The admin record of one asset.
    pub async fn admin_asset(&self, id: &str) -> Value {
        let all = self.admin_json("/assets").await;
        all.as_array()
            .expect("array")
            .iter()
            .find(|a| a["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    }

    pub async fn flora_reserve(&self, name: &str, ct: &str) -> Value {
        let r = self
            .http
            .post(self.flora("/assets"))
            .bearer_auth(KEY)
            .json(&json!({"source": "signed-url", "workspace_id": "ws_test", "file_name": name, "content_type": ct}))
            .send()
            .await
            .expect("reserve");
        assert_eq!(r.status(), 201);
        r.json().await.expect("reserve json")
    }

    /// Uploads `bytes` with the issued form, fields first, file last.
    pub async fn flora_upload(&self, reserved: &Value, bytes: &[u8]) -> Response {
        let (ct, body) = form_with_file(
            &form_fields(reserved),
            "file",
            "f.bin",
            "application/octet-stream",
            bytes,
        );
        self.http
            .post(upload_url(reserved))
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("storage request")
    }

    pub async fn post_form(&self, url: String, parts: Vec<Part>) -> Response {
        let (ct, body) = multipart(&parts);
        self.http
            .post(url)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .expect("storage request")
    }

    pub async fn flora_complete(&self, id: &str) -> Response {
        self.http
            .post(self.flora(&format!("/assets/{id}/complete")))
            .bearer_auth(KEY)
            .send()
            .await
            .expect("complete")
    }

    /// Reserve + upload + complete; returns the asset id.
    pub async fn flora_full(&self, name: &str, ct: &str, bytes: &[u8]) -> String {
        let r = self.flora_reserve(name, ct).await;
        let up = self.flora_upload(&r, bytes).await;
        assert_eq!(up.status(), 204, "{}", up.text().await.unwrap_or_default());
        let id = r["asset_id"].as_str().expect("id").to_string();
        let c = self.flora_complete(&id).await;
        assert_eq!(c.status(), 200);
        id
    }
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    Sandbox::start(listener, config).await.expect("start")
}

pub async fn env_with(faults: &str, api_key: Option<&str>) -> Env {
    let TestSandbox { sandbox, data } = TestSandbox::start_with(faults, |c| {
        c.api_key = api_key.map(str::to_string);
    })
    .await;
    let base = sandbox.base_url();
    Env {
        sb: sandbox,
        dir: data,
        http: Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client"),
        base,
    }
}

pub async fn env() -> Env {
    env_with("", None).await
}

pub fn form_fields(reserved: &Value) -> Vec<(String, String)> {
    reserved["upload"]["form_fields"]
        .as_object()
        .expect("form_fields")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string field").to_string()))
        .collect()
}

pub fn upload_url(reserved: &Value) -> String {
    reserved["upload"]["url"]
        .as_str()
        .expect("upload.url")
        .to_string()
}

/// Deterministic pseudo-random bytes.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u64).wrapping_mul(2654435761) >> 7) as u8 ^ seed)
        .collect()
}

/// Peak resident set size of this process in KiB.
pub fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// Whether `v` is an ISO 8601 (RFC 3339) timestamp string.
pub fn is_iso(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

pub fn flora_error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}
