use super::*;
use hoist_core::sync::WatchedFolder;
use hoist_core::{Destination, JobTarget, ProviderKind};

fn status(state: FolderState, paused: bool, account: &str) -> FolderStatus {
    FolderStatus {
        folder: WatchedFolder {
            id: 7,
            path: PathBuf::from("/srv/Renders"),
            target: JobTarget::new(
                account,
                Destination::new(ProviderKind::Flora, "https://api.flora.example/v1"),
            ),
            ignores: vec!["*.log".into()],
            stable_ms: 2500,
            paused,
        },
        status: state,
        synced: 12,
        pending: 3,
        problems: vec!["cannot read /srv/Renders/locked".into()],
    }
}

#[test]
fn views_carry_state_words_counts_and_actions() {
    let labels = HashMap::from([("acc_1".to_string(), "Studio FLORA".to_string())]);
    let v = folder_view(
        &status(
            FolderState::Scanning {
                done: 120,
                total: 4000,
            },
            false,
            "acc_1",
        ),
        &labels,
    );
    assert_eq!(v.name, "Renders");
    assert_eq!(v.destination, "Studio FLORA");
    assert_eq!(v.state, FolderStateView::Scanning);
    assert_eq!(v.state_text, "scanning 120 of 4000");
    assert_eq!((v.scan_done, v.scan_total), (Some(120), Some(4000)));
    assert_eq!((v.synced, v.pending), (12, 3));
    assert_eq!(v.stable_secs, 2.5);
    assert!(v.can_pause && !v.can_resume);
    assert_eq!(v.problems.len(), 1);

    let p = folder_view(&status(FolderState::Paused, true, "acc_gone"), &labels);
    assert_eq!(p.state, FolderStateView::Paused);
    assert!(!p.can_pause && p.can_resume);
    assert_eq!((p.scan_done, p.scan_total), (None, None));
    // An account that is gone still names where the files went.
    assert_eq!(p.destination, "flora @ api.flora.example");

    let e = folder_view(
        &status(
            FolderState::Error {
                reason: "permission denied".into(),
            },
            false,
            "acc_1",
        ),
        &labels,
    );
    assert_eq!(e.state, FolderStateView::Error);
    assert_eq!(e.state_text, "error: permission denied");
    let m = folder_view(&status(FolderState::Missing, false, "acc_1"), &labels);
    assert_eq!(m.state_text, "missing (waiting for it to come back)");
}

#[test]
fn stability_windows_are_checked_and_globs_trimmed() {
    assert_eq!(stable_ms(3.0).expect("ok"), 3000);
    assert_eq!(stable_ms(0.25).expect("ok"), 250);
    for bad in [-1.0, f64::NAN, f64::INFINITY, 3601.0] {
        let e = stable_ms(bad).expect_err("refused");
        assert_eq!(e.code, "invalid");
    }
    assert_eq!(
        clean_globs(vec![
            " *.log ".into(),
            "".into(),
            "  ".into(),
            "drafts/".into()
        ]),
        vec!["*.log".to_string(), "drafts/".to_string()]
    );
}
