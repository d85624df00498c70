//! The queue's tests that need the crate's insides, by topic, with the
//! fixtures they share (a FLORA destination, scanned files, a fresh queue).

mod enqueue;
mod group;
mod lifecycle;
mod reopen;
mod runnable_reads;
mod sample;
mod tally;

use super::*;
use crate::model::ProviderKind;
use crate::model::{Destination, JobTarget};
use crate::provider::Reservation;
use crate::provider::{UploadMethod, UploadTarget};
use crate::scan::ScannedFile;

fn flora() -> Destination {
    let mut d = Destination::new(ProviderKind::Flora, "http://127.0.0.1:1/flora/api/v1");
    d.set("workspace", "ws_1");
    d
}

fn dest() -> JobTarget {
    JobTarget::new("acc_test", flora())
}

fn file(name: &str, size: u64) -> ScannedFile {
    ScannedFile {
        path: PathBuf::from(format!("/data/{name}")),
        size,
        mtime_ns: 7,
        ctime_ns: 7,
        inode: 1,
    }
}

fn ct(_: &Path) -> String {
    "image/png".into()
}

async fn queue() -> (tempfile::TempDir, Queue) {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::open(dir.path()).unwrap();
    (dir, q)
}
