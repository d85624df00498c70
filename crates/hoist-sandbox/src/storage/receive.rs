//! The storage upload handlers: FLORA's multipart form POST and the presigned PUT of
//! Runflow and Segmentflow. Each checks the signed target issued by the parent module,
//! streams the body into the blob store and logs the attempt for `/_sandbox/uploads`.

use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::{check_expiry, check_row_expiry, flora_canonical, lookup, put_parts};
use crate::error::{Dialect, StorageError};
use crate::faults::{abort_connection, OneShot};
use crate::state::{AppState, Shared, UploadRecord};
use crate::store;

/// Form fields the FLORA storage endpoint requires (besides the file).
const FLORA_REQUIRED: [&str; 4] = ["key", "token", "expire", "signature"];
/// Largest accepted non-file form field.
const MAX_FIELD: usize = 64 * 1024;
/// How much of the body a `drop` fault reads before cutting the connection.
const DROP_AFTER: u64 = 64 * 1024;

/// Bookkeeping for `/_sandbox/uploads`.
struct Attempt {
    rec: UploadRecord,
}

impl Attempt {
    fn new(d: Dialect, id: &str, method: &str, headers: &HeaderMap) -> Self {
        Attempt {
            rec: UploadRecord {
                dialect: d,
                asset_id: Some(id.to_string()),
                method: method.to_string(),
                authorization_header_present: headers.contains_key(header::AUTHORIZATION),
                x_api_key_present: headers.contains_key("x-api-key"),
                bytes: 0,
                outcome: String::new(),
            },
        }
    }

    fn finish(mut self, st: &AppState, outcome: &str, resp: Response) -> Response {
        self.rec.outcome = outcome.to_string();
        st.log_upload(self.rec);
        resp
    }

    fn fail(self, st: &AppState, e: StorageError) -> Response {
        let outcome = format!("rejected {}: {}", e.status.as_u16(), e.code);
        self.finish(st, &outcome, e.into_response())
    }

    /// The `storage_429` fault: 429 `SlowDown` with `Retry-After: 1`, as a
    /// storage host under load answers. The body was read (so the client
    /// sees the answer, not a reset); nothing is stored.
    fn slow_down(self, st: &AppState) -> Response {
        let e = StorageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "SlowDown",
            "please reduce your request rate",
        );
        let mut resp = e.into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        self.finish(st, "rejected 429: SlowDown", resp)
    }

    /// Logs the drop and cuts the connection without a response.
    fn drop_connection(mut self, st: &AppState) -> ! {
        self.rec.outcome = "dropped".to_string();
        st.log_upload(self.rec);
        abort_connection()
    }
}

async fn read_small_field(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<String, StorageError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| StorageError::bad_request(format!("malformed multipart body: {e}")))?
    {
        if buf.len() + chunk.len() > MAX_FIELD {
            return Err(StorageError::bad_request("form field larger than 64 KiB"));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| StorageError::bad_request("form field is not UTF-8"))
}

/// `POST /storage/flora/{asset_id}`.
pub async fn flora_upload(
    State(st): State<Shared>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let d = Dialect::Flora;
    let mut att = Attempt::new(d, &id, "POST", req.headers());
    let row = match lookup(&st, d, &id).await {
        Ok(r) => r,
        Err(e) => return att.fail(&st, e),
    };
    let mut mp = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => {
            return att.fail(
                &st,
                StorageError::bad_request(format!("expected a multipart/form-data body: {e}")),
            )
        }
    };

    let mut fields = BTreeMap::new();
    let mut file = loop {
        let mut field =
            match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => return att.fail(
                    &st,
                    StorageError::bad_request(
                        "the form has no `file` field (the file must be sent last, under `file`)",
                    ),
                ),
                Err(e) => {
                    return att.fail(
                        &st,
                        StorageError::bad_request(format!("malformed multipart body: {e}")),
                    )
                }
            };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            break field;
        }
        if name.is_empty() || fields.len() >= 64 {
            return att.fail(
                &st,
                StorageError::bad_request("unnamed or too many form fields"),
            );
        }
        let value = match read_small_field(&mut field).await {
            Ok(v) => v,
            Err(e) => return att.fail(&st, e),
        };
        if fields.insert(name.clone(), value).is_some() {
            return att.fail(
                &st,
                StorageError::bad_request(format!("form field `{name}` sent twice")),
            );
        }
    };
    let missing: Vec<&str> = FLORA_REQUIRED
        .iter()
        .copied()
        .filter(|k| !fields.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return att.fail(
            &st,
            StorageError::bad_request(format!(
                "form field(s) {} missing before the file: send every issued form field first, \
                 the `file` field last",
                missing.join(", ")
            )),
        );
    }
    let canon = flora_canonical(&id, &fields);
    let refs: Vec<&str> = canon.iter().map(String::as_str).collect();
    let sig = fields
        .get("signature")
        .map(String::as_str)
        .unwrap_or_default();
    if !st.signer.verify(&refs, sig) {
        return att.fail(
            &st,
            StorageError::denied(
                "SignatureDoesNotMatch",
                "the form fields do not match their signature (a field was changed, added or \
                 left out, or the form belongs to another asset)",
            ),
        );
    }
    if let Err(e) = check_expiry(fields.get("expire").map(String::as_str).unwrap_or_default())
        .and_then(|()| check_row_expiry(&row))
    {
        return att.fail(&st, e);
    }
    if fields.get("token") != row.token.as_ref() {
        return att.fail(
            &st,
            StorageError::denied(
                "AccessDenied",
                "this upload form was superseded by a newer reservation (POST /retry)",
            ),
        );
    }
    let upload_ct = file.content_type().map(str::to_string);

    if st.faults.once(OneShot::Storage429) {
        while let Ok(Some(c)) = file.chunk().await {
            att.rec.bytes += c.len() as u64;
        }
        return att.slow_down(&st);
    }
    if st.faults.drop_upload() {
        while att.rec.bytes < DROP_AFTER {
            match file.chunk().await {
                Ok(Some(c)) => att.rec.bytes += c.len() as u64,
                _ => break,
            }
        }
        att.drop_connection(&st);
    }

    let mut w = match st.blobs.writer(d, &id).await {
        Ok(w) => w,
        Err(e) => return att.fail(&st, StorageError::internal(e)),
    };
    loop {
        match file.chunk().await {
            Ok(Some(c)) => {
                if let Err(e) = w.write(&c).await {
                    return att.fail(&st, StorageError::internal(e));
                }
                att.rec.bytes = w.written();
            }
            Ok(None) => break,
            Err(e) => {
                return att.fail(
                    &st,
                    StorageError::bad_request(format!("upload body ended early: {e}")),
                )
            }
        }
    }
    drop(file);
    match mp.next_field().await {
        Ok(None) => {}
        Ok(Some(f)) => {
            let name = f.name().unwrap_or_default().to_string();
            return att.fail(
                &st,
                StorageError::bad_request(format!(
                    "the `file` field must be the last field of the form (found `{name}` after it)"
                )),
            );
        }
        Err(e) => {
            return att.fail(
                &st,
                StorageError::bad_request(format!("malformed multipart body: {e}")),
            )
        }
    }
    let size = match w.commit().await {
        Ok(n) => n,
        Err(e) => return att.fail(&st, StorageError::internal(e)),
    };
    let key = id.clone();
    if let Err(e) = st
        .store
        .run(move |c| store::set_uploaded(c, d, &key, size as i64, upload_ct.as_deref()))
        .await
    {
        return att.fail(&st, StorageError::internal(e));
    }
    att.finish(&st, "stored", StatusCode::NO_CONTENT.into_response())
}

/// `PUT /storage/{dialect}/{id}` (Runflow, Segmentflow).
pub async fn put_upload(
    State(st): State<Shared>,
    Path((dialect, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let d = match Dialect::parse(&dialect) {
        Some(d @ (Dialect::Runflow | Dialect::Segmentflow)) => d,
        _ => return StorageError::not_found("no such bucket").into_response(),
    };
    let mut att = Attempt::new(d, &id, "PUT", &headers);
    let row = match lookup(&st, d, &id).await {
        Ok(r) => r,
        Err(e) => return att.fail(&st, e),
    };
    let (Some(expires), Some(sig)) = (q.get("X-Sandbox-Expires"), q.get("X-Sandbox-Signature"))
    else {
        return att.fail(
            &st,
            StorageError::denied(
                "AccessDenied",
                "missing X-Sandbox-Expires/X-Sandbox-Signature",
            ),
        );
    };
    let declared = row.content_type.clone().unwrap_or_default();
    let sent = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_string();
    if !st.signer.verify(&put_parts(&row, &declared, expires), sig) {
        return att.fail(
            &st,
            StorageError::denied(
                "SignatureDoesNotMatch",
                "the request signature does not match (the URL was altered)",
            ),
        );
    }
    if sent != declared {
        return att.fail(
            &st,
            StorageError::denied(
                "SignatureDoesNotMatch",
                format!(
                    "Content-Type `{sent}` does not match the signed content type `{declared}`"
                ),
            ),
        );
    }
    if let Err(e) = check_expiry(expires).and_then(|()| check_row_expiry(&row)) {
        return att.fail(&st, e);
    }
    let mut stream = body.into_data_stream();
    if st.faults.once(OneShot::Storage429) {
        while let Some(Ok(c)) = stream.next().await {
            att.rec.bytes += c.len() as u64;
        }
        return att.slow_down(&st);
    }
    if st.faults.drop_upload() {
        while att.rec.bytes < DROP_AFTER {
            match stream.next().await {
                Some(Ok(c)) => att.rec.bytes += c.len() as u64,
                _ => break,
            }
        }
        att.drop_connection(&st);
    }
    let mut w = match st.blobs.writer(d, &id).await {
        Ok(w) => w,
        Err(e) => return att.fail(&st, StorageError::internal(e)),
    };
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                if let Err(e) = w.write(&c).await {
                    return att.fail(&st, StorageError::internal(e));
                }
                att.rec.bytes = w.written();
            }
            Err(e) => {
                return att.fail(
                    &st,
                    StorageError::bad_request(format!("upload body ended early: {e}")),
                )
            }
        }
    }
    let size = match w.commit().await {
        Ok(n) => n,
        Err(e) => return att.fail(&st, StorageError::internal(e)),
    };
    let key = id.clone();
    let ct = Some(sent);
    if let Err(e) = st
        .store
        .run(move |c| store::set_uploaded(c, d, &key, size as i64, ct.as_deref()))
        .await
    {
        return att.fail(&st, StorageError::internal(e));
    }
    let etag = format!("\"{}\"", uuid::Uuid::new_v4().simple());
    let mut resp = StatusCode::OK.into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    att.finish(&st, "stored", resp)
}
