//! Big files claimed by their sample (schema 7): an identical twin waits, a
//! delivered record that may hold the content asks for the full hash, and
//! the record keeps the sample and size.

use super::*;

fn by_sample(sample: &str, size: u64) -> ContentKey {
    ContentKey {
        hash: None,
        sample: Some(sample.into()),
        size,
        big: true,
    }
}

async fn set_sample(q: &Queue, id: JobId, sample: &str) {
    assert!(q
        .advance(
            id,
            &[JobState::Queued],
            JobState::Queued,
            Changes {
                sample: Some(Some(sample.into())),
                ..Default::default()
            },
        )
        .await
        .unwrap());
}

#[tokio::test]
async fn a_sample_claim_waits_for_its_twin_then_asks_for_the_full_hash() {
    let (_d, q) = queue().await;
    let jobs = q
        .enqueue("b", &dest(), vec![file("a", 100), file("b", 100)], ct)
        .await
        .unwrap();
    let (a, b) = (jobs[0].id, jobs[1].id);
    set_sample(&q, a, "s").await;
    set_sample(&q, b, "s").await;
    let scope = dest().scope();
    let claim = q
        .claim_content(a, JobState::Queued, scope.clone(), by_sample("s", 100))
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    let claim = q
        .claim_content(b, JobState::Queued, scope.clone(), by_sample("s", 100))
        .await
        .unwrap();
    assert_eq!(
        claim,
        Claim::WaitFor {
            job: a,
            paused: false
        }
    );
    // A's full hash arrives with its bytes, then it is ready.
    assert!(q
        .advance(
            a,
            &[JobState::Reserving],
            JobState::Reserving,
            Changes {
                hash: Some(Some("h1".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap());
    assert!(q
        .finish_ready(a, JobState::Reserving, "asset_a".into(), None)
        .await
        .unwrap());
    let (sample, size): (Option<String>, Option<i64>) = q
        .call(|c| {
            c.query_row(
                "SELECT sample, size FROM uploaded_content WHERE hash='h1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .await
        .unwrap();
    assert_eq!((sample.as_deref(), size), (Some("s"), Some(100)));
    // The same sample was delivered: only the full hash can tell.
    let claim = q
        .claim_content(b, JobState::Queued, scope.clone(), by_sample("s", 100))
        .await
        .unwrap();
    assert_eq!(claim, Claim::HashFirst);
    // Other content after all: B sends.
    let full = ContentKey {
        hash: Some("h2".into()),
        ..by_sample("s", 100)
    };
    let claim = q
        .claim_content(b, JobState::Queued, scope.clone(), full)
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    // And the same content is delivered.
    let c = q
        .enqueue("b", &dest(), vec![file("c", 100)], ct)
        .await
        .unwrap()[0]
        .id;
    let same = ContentKey {
        hash: Some("h1".into()),
        ..by_sample("s", 100)
    };
    let claim = q
        .claim_content(c, JobState::Queued, scope, same)
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Delivered { ref asset_id, .. } if asset_id == "asset_a"));
}

#[tokio::test]
async fn records_without_a_sample_ask_for_the_full_hash_only_when_they_may_match() {
    let (_d, q) = queue().await;
    let id = q
        .enqueue("b", &dest(), vec![file("big", 100)], ct)
        .await
        .unwrap()[0]
        .id;
    let scope = dest().scope();
    // A small file's record: another size cannot be the same content.
    let s = scope.clone();
    q.call(move |c| {
        c.execute(
            "INSERT INTO uploaded_content (dest_key, hash, asset_id, at, size) VALUES (?1, 'small', 'x', 1, 50)",
            [s],
        )
    })
    .await
    .unwrap();
    let claim = q
        .claim_content(id, JobState::Queued, scope.clone(), by_sample("s", 100))
        .await
        .unwrap();
    assert_eq!(claim, Claim::Claimed);
    assert!(q
        .advance(
            id,
            &[JobState::Reserving],
            JobState::Queued,
            Changes::default()
        )
        .await
        .unwrap());
    // The same size, no sample: it may be this content.
    let claim = q
        .claim_content(id, JobState::Queued, scope.clone(), by_sample("s", 50))
        .await
        .unwrap();
    assert_eq!(claim, Claim::HashFirst);
    // A record written before samples (no size either) may be anything.
    let s = scope.clone();
    q.call(move |c| {
        c.execute(
            "INSERT INTO uploaded_content (dest_key, hash, asset_id, at) VALUES (?1, 'old', 'y', 1)",
            [s],
        )
    })
    .await
    .unwrap();
    let claim = q
        .claim_content(id, JobState::Queued, scope, by_sample("s", 100))
        .await
        .unwrap();
    assert_eq!(claim, Claim::HashFirst);
}
