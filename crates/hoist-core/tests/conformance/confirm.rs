//! Each adapter against the real sandbox: the confirm answers become typed outcomes.

use hoist_core::provider::{ConfirmOutcome, Reservation, UploadMethod};
use hoist_core::ProviderKind;
use hoist_testkit::TestSandbox;

use crate::support::{adapter, jpeg, ready, send_bytes};

/// Each adapter reads the vendor's confirm answers into the same typed
/// outcomes (the worker matches on them, never on statuses or codes):
/// no bytes yet, ready, confirmed already, unknown upload.
#[tokio::test]
async fn confirm_answers_become_typed_outcomes_for_every_provider() {
    let sb = TestSandbox::start("").await;
    for kind in ProviderKind::ALL {
        let p = adapter(&sb, kind);
        let spec = jpeg("a.jpg", 4);
        let r = p.reserve(&spec, &format!("res-{kind}")).await.unwrap();
        // FLORA hands out a form (file last); the others a presigned PUT.
        let method = match kind {
            ProviderKind::Flora => UploadMethod::MultipartPost,
            ProviderKind::Runflow | ProviderKind::Segmentflow => UploadMethod::Put,
        };
        assert_eq!(r.target.method, method, "{kind}");
        let early = p.confirm(&r, &spec, &format!("c1-{kind}")).await;
        assert!(
            matches!(early, Ok(ConfirmOutcome::BytesMissing(_))),
            "{kind}: {early:?}"
        );
        assert!(send_bytes(&r, b"abcd").await < 300, "{kind}: upload");
        let a = ready(p.confirm(&r, &spec, &format!("c2-{kind}")).await);
        let again = p.confirm(&r, &spec, &format!("c3-{kind}")).await;
        assert!(
            matches!(again, Ok(ConfirmOutcome::AlreadyDone(_))),
            "{kind}: {again:?}"
        );
        let gone = Reservation {
            remote_id: match kind {
                ProviderKind::Flora => "asset_0000000000000000".into(),
                ProviderKind::Runflow => "00000000-0000-4000-8000-0000000000ff".into(),
                ProviderKind::Segmentflow => "organizations/x/assets/none/a.jpg".into(),
            },
            ..r.clone()
        };
        let unknown = p.confirm(&gone, &spec, &format!("c4-{kind}")).await;
        assert!(
            matches!(unknown, Ok(ConfirmOutcome::Forgotten(_))),
            "{kind}: {unknown:?}"
        );
        assert!(!a.id.is_empty());
    }
}
