//! A 200 MB upload streams through the sandbox without growing its memory.

mod common;

use bytes::Bytes;
use common::*;
use futures::stream;
use sha2::{Digest, Sha256};

const CHUNK: usize = 1024 * 1024;
const CHUNKS: usize = 200;

#[tokio::test]
async fn large_upload_streams_to_disk() {
    let e = env().await;
    let r = e.flora_reserve("big.bin", "application/octet-stream").await;
    let id = r["asset_id"].as_str().unwrap().to_string();

    let frame = FileFrame::new(
        &form_fields(&r),
        "file",
        "big.bin",
        "application/octet-stream",
    );
    let chunk = Bytes::from(pattern(CHUNK, 9));
    let mut h = Sha256::new();
    for _ in 0..CHUNKS {
        h.update(&chunk);
    }
    let expected = hex::encode(h.finalize());

    let parts = std::iter::once(Bytes::from(frame.head))
        .chain(std::iter::repeat_n(chunk, CHUNKS))
        .chain(std::iter::once(Bytes::from(frame.tail)))
        .map(Ok::<_, std::io::Error>);
    let body = reqwest::Body::wrap_stream(stream::iter(parts));

    let before = vm_hwm_kib();
    let resp = e
        .http
        .post(upload_url(&r))
        .header("content-type", frame.content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let after = vm_hwm_kib();
    let growth_mib = (after.saturating_sub(before)) / 1024;
    assert!(
        growth_mib < 48,
        "peak RSS grew by {growth_mib} MiB during a 200 MiB upload"
    );

    assert_eq!(e.flora_complete(&id).await.status(), 200);
    let a = e.admin_asset(&id).await;
    assert_eq!(a["size"], (CHUNK * CHUNKS) as u64);
    assert_eq!(a["sha256"], expected.as_str());
}
