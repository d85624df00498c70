//! What the conformance tests share: the key, a JPEG file spec, the canned
//! vendor server (on `hoist_testkit::hostile`), adapters for the real sandbox
//! and sending bytes the way a reservation says.

use hoist_core::provider::{
    for_destination, ConfirmOutcome, FileSpec, Provider, Reservation, UploadMethod,
};
use hoist_core::{Destination, ProviderKind};
use hoist_testkit::hostile::{self, HostileServer, Reply};
use hoist_testkit::multipart::form_with_file;
use hoist_testkit::TestSandbox;
use serde_json::Value;

use crate::common::destination;

pub const KEY: &str = "sk_test_conformance";

/// The id in the examples of Runflow's reference pages (used for ids of every kind).
pub const RUNFLOW_ID: &str = "3c90c3cc-0d44-4b50-8888-8dd25736052a";

/// The asset of a confirmation that must have come out ready.
pub fn ready(outcome: Result<ConfirmOutcome, hoist_core::ApiError>) -> hoist_core::RemoteAsset {
    match outcome {
        Ok(ConfirmOutcome::Ready(a)) => a,
        other => panic!("not ready: {other:?}"),
    }
}

pub fn jpeg(name: &str, size: u64) -> FileSpec {
    FileSpec {
        name: name.into(),
        size,
        content_type: "image/jpeg".into(),
    }
}

/// One request the canned server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The path and query, without the API's base path.
    pub target: String,
    headers: Vec<(String, String)>,
    /// The body as JSON (`Null` when it was not).
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback server answering from a table of `("METHOD /path?query-prefix",
/// status, extra headers, body)`; the first matching prefix wins. Records
/// every request.
pub struct Canned {
    pub base: String,
    api_path: String,
    server: HostileServer,
}

/// `("METHOD /path?query-prefix", status, extra header lines ("Name: value\r\n"), JSON body)`.
pub type Route = (&'static str, u16, &'static str, String);

pub async fn canned(api_path: &str, routes: Vec<Route>) -> Canned {
    let table = routes
        .into_iter()
        .map(|(prefix, status, extra, body)| {
            let reply = extra
                .split("\r\n")
                .filter_map(|l| l.split_once(':'))
                .fold(Reply::json_text(status, body), |r, (k, v)| {
                    r.with_header(k.trim(), v.trim())
                });
            (prefix, reply)
        })
        .collect();
    let server = HostileServer::start(hostile::routes(api_path, table)).await;
    Canned {
        base: format!("{}{api_path}", server.url()),
        api_path: api_path.to_string(),
        server,
    }
}

impl Canned {
    pub fn provider(
        &self,
        kind: ProviderKind,
        tweak: impl FnOnce(&mut Destination),
    ) -> Box<dyn Provider> {
        let mut d = Destination::new(kind, self.base.clone());
        tweak(&mut d);
        for_destination(&d, KEY, reqwest::Client::new()).unwrap()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.server
            .requests()
            .into_iter()
            .map(|r| Seen {
                target: r
                    .path
                    .strip_prefix(&self.api_path)
                    .unwrap_or(&r.path)
                    .to_string(),
                body: r.json(),
                method: r.method,
                headers: r.headers,
            })
            .collect()
    }
}

pub fn adapter(sb: &TestSandbox, kind: ProviderKind) -> Box<dyn Provider> {
    for_destination(&destination(sb, kind), KEY, reqwest::Client::new()).unwrap()
}

/// Send the bytes of `r` the way its target says (a PUT, or FLORA's
/// multipart form with the file last).
pub async fn send_bytes(r: &Reservation, bytes: &[u8]) -> u16 {
    let http = reqwest::Client::new();
    let req = match r.target.method {
        UploadMethod::Put => {
            let mut req = http.put(&r.target.url).body(bytes.to_vec());
            for (k, v) in &r.target.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            req
        }
        UploadMethod::MultipartPost => {
            let (content_type, body) = form_with_file(
                &r.target.form_fields,
                &r.target.file_field,
                "a.jpg",
                "image/jpeg",
                bytes,
            );
            http.post(&r.target.url)
                .header("Content-Type", content_type)
                .body(body)
        }
    };
    req.send().await.expect("upload").status().as_u16()
}
