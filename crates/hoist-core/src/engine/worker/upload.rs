//! Reserving, renewing and sending the bytes.

use super::{api_halt, Halt, Job};
use crate::engine::hashing;
use crate::engine::pacing::RETRIES_IN_PLACE;
use crate::error::ApiError;
use crate::model::JobState;
use crate::provider::{Lookup, Provider, Reservation, StorageVerdict};
use crate::queue::{now_millis, Changes};
use crate::reason::{FailReason, Failure};
use crate::scan::io_reason;
use crate::transfer::{self, TransferError, Upload};

/// Renewals in a row before an upload counts as a failed attempt.
const MAX_RENEWALS: u32 = 3;
/// Validity a stored signed URL must have left before we start sending; a URL
/// received during this attempt is used as long as it has not expired.
const EXPIRY_MARGIN_MS: i64 = 5_000;

impl Job {
    pub(super) async fn reserve(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        // Durable: after a power cut the key (and with it the intent to
        // reserve) is still there, so the request is replayed, not new.
        let key = match self.row.step_key.clone() {
            // The claim moved the job here with this key, durably.
            Some(k) if std::mem::take(&mut self.key_with_claim) => k,
            _ => self.step_key(JobState::Reserving, true).await?,
        };
        let asked_at = now_millis();
        let reservation = match provider.reserve(&self.spec(), &key).await {
            Ok(r) => r,
            Err(e) => return Err(self.step_error("reserving the upload", e).await),
        };
        self.store_reservation(reservation, asked_at, JobState::Uploading)
            .await
    }

    /// Durable: once bytes go out (and surely once a confirmation does), a
    /// power cut must not make us forget this reservation and ask again.
    async fn store_reservation(
        &mut self,
        r: Reservation,
        asked_at: i64,
        to: JobState,
    ) -> Result<(), Halt> {
        self.fresh_reservation = true;
        let mut changes = self.clear_key();
        changes.reservation = Some(Some(r.clone()));
        changes.uploaded = Some(false);
        changes.confirm_sent = Some(false);
        changes.reserved_at = Some(Some(asked_at));
        changes.durable = true;
        self.row.reservation = Some(r);
        self.row.uploaded = false;
        self.row.confirm_sent = false;
        self.row.reserved_at = Some(asked_at);
        self.advance(to, changes).await
    }

    /// Forget a reservation the server no longer knows; the next attempt
    /// starts afresh. Callers have proof that no asset came from it.
    pub(super) async fn drop_reservation(&mut self) -> Result<(), Halt> {
        let state = self.state;
        self.advance(
            state,
            Changes {
                reservation: Some(None),
                uploaded: Some(false),
                confirm_sent: Some(false),
                reserved_at: Some(None),
                step_key: Some(None),
                durable: true,
                ..Default::default()
            },
        )
        .await?;
        self.row.reservation = None;
        self.row.uploaded = false;
        self.row.confirm_sent = false;
        self.row.reserved_at = None;
        self.row.step_key = None;
        Ok(())
    }

    /// A definitive (non-retryable) answer means the server processed the
    /// request: the next attempt needs a new key, so forget this one.
    pub(super) async fn step_error(&mut self, step: &str, e: ApiError) -> Halt {
        if !e.retryable {
            let changes = self.clear_key();
            let state = self.state;
            if let Err(h) = self.advance(state, changes).await {
                return h;
            }
        }
        api_halt(step, e)
    }

    /// Fresh upload instructions. `Ok(true)` when the asset turned out ready.
    async fn renew(&mut self, provider: &dyn Provider) -> Result<bool, Halt> {
        let Some(old) = self.row.reservation.clone() else {
            return Ok(false);
        };
        if provider.renew_is_new_reservation() && self.row.confirm_sent && !self.looked_absent {
            // A confirmation went out for the old reservation: a new one is
            // a second asset unless the first provably is none.
            match self.find(provider).await? {
                Lookup::Found(a) if a.status == "ready" => {
                    self.deliver(provider, a).await?;
                    return Ok(true);
                }
                Lookup::Ambiguous(why) => return Err(self.doubt(&why)),
                Lookup::Found(_) | Lookup::Absent => self.looked_absent = true,
            }
        }
        let state = self.state;
        let key = self.step_key(state, true).await?;
        let asked_at = now_millis();
        match provider.renew(&old, &self.spec(), &key).await {
            Ok(r) => {
                self.store_reservation(r, asked_at, state).await?;
                Ok(false)
            }
            Err(e) if e.status == 404 => {
                self.forgotten(
                    provider,
                    "renewing the upload URL",
                    e,
                    self.row.confirm_sent,
                )
                .await?;
                Ok(false)
            }
            Err(e) if e.status == 409 => {
                // Not renewable: maybe it already completed in an earlier run.
                let changes = self.clear_key();
                self.advance(state, changes).await?;
                match self.find(provider).await? {
                    Lookup::Found(a) if a.status == "ready" => {
                        self.deliver(provider, a).await?;
                        Ok(true)
                    }
                    Lookup::Found(a)
                        if a.upload_expires_at_ms.is_some_and(|t| t > now_millis()) =>
                    {
                        // The server renewed in an earlier attempt whose answer
                        // was lost: its URL is unknown to us. Wait until it
                        // lapses, then renew again; waiting is not a failure.
                        let wait_ms = a.upload_expires_at_ms.unwrap_or(0) - now_millis() + 250;
                        Err(Halt::Retry {
                            failure: Failure::new(
                                FailReason::UrlExpired,
                                "waiting for the server's previous upload URL to lapse before renewing",
                            ),
                            retry_after: Some(wait_ms as f64 / 1000.0),
                            counts: false,
                        })
                    }
                    _ => Err(Halt::retry(
                        FailReason::UrlExpired,
                        format!("the signed upload URL expired and could not be renewed ({e})"),
                    )),
                }
            }
            Err(e) => Err(self.step_error("renewing the upload URL", e).await),
        }
    }

    pub(super) async fn upload(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        let mut renewals = 0;
        let mut refused = 0;
        let pacer = self
            .inner
            .pacer(&self.row.dest_key, self.row.destination.provider);
        let sent_hash: String;
        // The reservation was just stored, moving the job to `uploading`:
        // that write already checked that nobody paused or cancelled it.
        let mut checked = self.fresh_reservation && self.state == JobState::Uploading;
        loop {
            let margin = if renewals == 0 && !self.fresh_reservation {
                EXPIRY_MARGIN_MS
            } else {
                0
            };
            let expired = self
                .row
                .reservation
                .as_ref()
                .is_some_and(|r| r.target.expired(now_millis(), margin));
            if expired {
                if renewals >= MAX_RENEWALS {
                    return Err(Halt::retry(
                        FailReason::UrlExpired,
                        "the signed upload URL expired again before it could be used",
                    ));
                }
                renewals += 1;
                if self.renew(provider).await? {
                    return Err(Halt::Done);
                }
            }
            if !std::mem::take(&mut checked) {
                self.advance(JobState::Uploading, Changes::default())
                    .await?;
            }
            let Some(reservation) = self.row.reservation.clone() else {
                return Err(Halt::fail(
                    FailReason::Internal,
                    "internal error: no reservation to upload to",
                ));
            };
            // A 429 from this destination (API or storage) holds every
            // transfer to it too, not only the calls.
            pacer.unpaused().await;
            let epoch = pacer.epoch();
            let result = transfer::send(
                &self.inner.storage_client,
                Upload {
                    target: &reservation.target,
                    path: &self.row.path,
                    file_name: &self.row.name,
                    content_type: &self.row.content_type,
                    expected: self.row.identity(),
                    expected_hash: self.row.hash.as_deref(),
                    progress: self.progress.clone(),
                    limiter: self.inner.limiter.clone(),
                },
            )
            .await;
            let result = match result {
                // Sent by its sample: the file must still have that sample,
                // or the bytes sent (and their hash) are another version.
                Ok(digest) if self.row.hash.is_none() => self.same_sample().await.map(|()| digest),
                other => other,
            };
            match result {
                Ok(digest) => {
                    sent_hash = digest;
                    break;
                }
                Err(TransferError::Changed) => {
                    // Never confirm a torn file: hash again and resend.
                    self.advance(
                        JobState::Uploading,
                        Changes {
                            hash: Some(None),
                            sample: Some(None),
                            uploaded: Some(false),
                            ..Default::default()
                        },
                    )
                    .await?;
                    return Err(Halt::retry(
                        FailReason::FileChanged,
                        TransferError::Changed.to_string(),
                    ));
                }
                Err(TransferError::Read { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    return Err(Halt::fail(
                        FailReason::FileGone,
                        "the file was moved or deleted while it was being uploaded",
                    ))
                }
                Err(TransferError::Read { source, .. }) => {
                    return Err(Halt::fail(
                        FailReason::FileUnreadable,
                        format!("cannot read the file: {}", io_reason(&source)),
                    ))
                }
                Err(TransferError::Network(e)) => return Err(api_halt("sending the bytes", e)),
                Err(TransferError::Status {
                    status: 429,
                    retry_after_secs,
                    ..
                }) if refused + 1 < RETRIES_IN_PLACE => {
                    // Storage asks us to slow down: the whole destination
                    // pauses, and this transfer goes again after the pause
                    // (nothing was stored; the signed URL is checked again).
                    refused += 1;
                    pacer.transfer_refused(epoch, retry_after_secs);
                    tracing::info!(job = self.row.id, refused, "storage answered 429; pausing");
                }
                Err(TransferError::Status {
                    status,
                    body,
                    retry_after_secs,
                }) => {
                    if status == 429 {
                        pacer.transfer_refused(epoch, retry_after_secs);
                    }
                    match provider.storage_verdict(status) {
                        StorageVerdict::Expired if renewals < MAX_RENEWALS => {
                            renewals += 1;
                            tracing::info!(
                                job = self.row.id,
                                status,
                                "storage refused the signed URL; renewing"
                            );
                            if self.renew(provider).await? {
                                return Err(Halt::Done);
                            }
                        }
                        StorageVerdict::Retry | StorageVerdict::Expired => {
                            return Err(Halt::Retry {
                                failure: Failure::new(
                                    storage_reason(status),
                                    format!("storage answered HTTP {status}: {body}"),
                                ),
                                retry_after: retry_after_secs,
                                counts: true,
                            })
                        }
                        StorageVerdict::Fatal => {
                            return Err(Halt::fail(
                                storage_reason(status),
                                format!("storage refused the file with HTTP {status}: {body}"),
                            ))
                        }
                    }
                }
            }
        }
        self.row.uploaded = true;
        // A big file sent by its sample learns its full hash here, in the
        // same step as `uploaded` (a crash before it costs a resend).
        // Recorded with the confirmation's intent (`confirm_intent`, the
        // next write, durable), not in a write of its own.
        let hash = self.row.hash.is_none().then_some(sent_hash);
        self.carry(Changes {
            uploaded: Some(true),
            hash: hash.clone().map(Some),
            ..Default::default()
        });
        if hash.is_some() {
            self.row.hash = hash;
        }
        Ok(())
    }

    /// After a big file went out by its sample: is its sample unchanged?
    /// (The transfer already checked its identity; this also catches a
    /// rewrite that kept size and times.)
    async fn same_sample(&self) -> Result<(), TransferError> {
        let path = self.row.path.clone();
        let now = tokio::task::spawn_blocking(move || hashing::sample_file(&path)).await;
        match now {
            Ok(Ok((sample, identity)))
                if Some(&sample) == self.row.sample.as_ref() && identity == self.row.identity() =>
            {
                Ok(())
            }
            _ => Err(TransferError::Changed),
        }
    }
}

/// The kind of a storage refusal: the storage host is not the API, so a 401
/// or 403 there is no verdict on the API key.
fn storage_reason(status: u16) -> FailReason {
    match status {
        429 => FailReason::RateLimited,
        s if s >= 500 => FailReason::ServerError { status: s },
        s => FailReason::Rejected {
            status: s,
            code: None,
        },
    }
}
