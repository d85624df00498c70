//! Confirming, recovering lost confirmations, attaching, finishing.
//!
//! The rule for providers whose renewal is a new reservation (Runflow,
//! Segmentflow): once a confirmation went out for a reservation, nothing
//! reserves again without proof that no asset came from it. Proof is what
//! [`Provider::find`] calls absence (each adapter documents its evidence).
//! When the server's answers contradict each other, or several assets could
//! be ours, the job stops in doubt for a person instead of guessing.

use super::{api_halt, Halt, Job};
use crate::error::ApiError;
use crate::model::{JobState, RemoteAsset};
use crate::provider::{ConfirmOutcome, Lookup, Provider};
use crate::queue::Changes;
use crate::reason::{FailReason, Failure};

impl Job {
    /// The reason a job stops in doubt, naming the file and what to do.
    pub(super) fn doubt(&self, why: &str) -> Halt {
        Halt::Doubt(Failure::new(
            FailReason::InDoubt,
            format!(
                "could not tell whether '{}' was uploaded: {why}; check the library, then retry \
                 (which sends it again) or cancel",
                self.row.name
            ),
        ))
    }

    /// Look for the asset of the stored reservation.
    pub(super) async fn find(&mut self, provider: &dyn Provider) -> Result<Lookup, Halt> {
        let Some(r) = self.row.reservation.clone() else {
            return Ok(Lookup::Absent);
        };
        let since = self
            .row
            .reserved_at
            .unwrap_or(self.row.created_at.saturating_mul(1000));
        provider
            .find(&r, &self.spec(), since)
            .await
            .map_err(|e| api_halt("looking for the uploaded asset", e))
    }

    /// A confirmation went out earlier and its answer was never recorded.
    pub(super) async fn look_up_lost_confirm(
        &mut self,
        provider: &dyn Provider,
    ) -> Result<(), Halt> {
        match self.find(provider).await? {
            Lookup::Found(a) if a.status == "ready" => self.deliver(provider, a).await,
            Lookup::Ambiguous(why) => Err(self.doubt(&why)),
            Lookup::Absent => {
                self.looked_absent = true;
                Ok(())
            }
            // Not ready yet (FLORA): confirming again is what completes it.
            Lookup::Found(_) => Ok(()),
        }
    }

    /// Store the key and the fact that a confirmation goes out, durably,
    /// before it does: after any crash we know to look before resending.
    async fn confirm_intent(&mut self) -> Result<String, Halt> {
        let (key, new_seq) = match self.row.step_key.clone() {
            Some(k) => (k, None),
            None => {
                let seq = self.row.key_seq + 1;
                (format!("hoist-{}-{seq}", self.row.uuid), Some(seq))
            }
        };
        if self.row.confirm_sent && new_seq.is_none() {
            self.advance(JobState::Confirming, Changes::default())
                .await?;
            return Ok(key);
        }
        let mut changes = Changes {
            confirm_sent: Some(true),
            durable: true,
            ..Default::default()
        };
        if let Some(seq) = new_seq {
            changes.step_key = Some(Some(key.clone()));
            changes.key_seq = Some(seq);
        }
        self.advance(JobState::Confirming, changes).await?;
        self.row.confirm_sent = true;
        self.row.step_key = Some(key.clone());
        if let Some(seq) = new_seq {
            self.row.key_seq = seq;
        }
        Ok(key)
    }

    pub(super) async fn confirm(&mut self, provider: &dyn Provider) -> Result<(), Halt> {
        let Some(reservation) = self.row.reservation.clone() else {
            return Err(Halt::fail(
                FailReason::Internal,
                "internal error: nothing to confirm",
            ));
        };
        let sent_before = self.row.confirm_sent;
        let key = self.confirm_intent().await?;
        let (e, already_done) = match provider.confirm(&reservation, &self.spec(), &key).await {
            Ok(ConfirmOutcome::Ready(asset)) => return self.deliver(provider, asset).await,
            Ok(ConfirmOutcome::Forgotten(e)) => {
                return self
                    .forgotten(provider, "confirming the upload", e, sent_before)
                    .await
            }
            Ok(ConfirmOutcome::BytesMissing(e)) => {
                let mut changes = self.clear_key();
                changes.uploaded = Some(false);
                self.row.uploaded = false;
                self.advance(JobState::Confirming, changes).await?;
                return Err(Halt::retry(
                    FailReason::NotReady,
                    format!("the server does not have the bytes yet ({e}); sending them again"),
                ));
            }
            Ok(ConfirmOutcome::AlreadyDone(e)) => (e, true),
            Ok(ConfirmOutcome::NotYet(e)) => (e, false),
            Err(e) => return Err(self.step_error("confirming the upload", e).await),
        };
        // Already complete (an earlier answer was lost), still processing, or
        // busy. Ask the server which.
        let changes = self.clear_key();
        self.advance(JobState::Confirming, changes).await?;
        match self.find(provider).await? {
            Lookup::Found(a) if a.status == "ready" => self.deliver(provider, a).await,
            Lookup::Ambiguous(why) => Err(self.doubt(&why)),
            _ if !provider.renew_is_new_reservation() => {
                // FLORA: the asset keeps its id whatever happens, so sending
                // the bytes again can never make a second one.
                self.advance(
                    JobState::Confirming,
                    Changes {
                        uploaded: Some(false),
                        ..Default::default()
                    },
                )
                .await?;
                self.row.uploaded = false;
                Err(Halt::retry(
                    FailReason::NotReady,
                    format!("the server did not accept the upload yet ({e}); sending it again"),
                ))
            }
            _ if already_done => Err(self.doubt(&format!(
                "the server says upload {} was already confirmed ({e}), but no asset for it \
                 can be found",
                reservation.remote_id
            ))),
            // Busy: keep the reservation; the next attempt looks first.
            _ => Err(Halt::Retry {
                failure: Failure::new(
                    FailReason::NotReady,
                    format!("the server did not take the confirmation yet ({e})"),
                ),
                retry_after: e.retry_after_secs,
                counts: true,
            }),
        }
    }

    /// The server no longer knows the reservation (`step` answered 404).
    /// Start afresh, unless a confirmation went out before and nothing
    /// proves that no asset came from it.
    pub(super) async fn forgotten(
        &mut self,
        provider: &dyn Provider,
        step: &str,
        e: ApiError,
        confirm_sent_before: bool,
    ) -> Result<(), Halt> {
        if confirm_sent_before && !self.looked_absent {
            match self.find(provider).await? {
                Lookup::Found(a) if a.status == "ready" => return self.deliver(provider, a).await,
                Lookup::Absent => {}
                Lookup::Found(a) => {
                    return Err(self.doubt(&format!(
                        "{step} answered {e}, yet asset {} exists ({})",
                        a.id, a.status
                    )))
                }
                Lookup::Ambiguous(why) => return Err(self.doubt(&why)),
            }
        }
        let old = self
            .row
            .reservation
            .as_ref()
            .map(|r| r.remote_id.clone())
            .unwrap_or_default();
        self.drop_reservation().await?;
        Err(Halt::retry(
            FailReason::NotReady,
            format!(
                "{step}: the server no longer knows upload {old} ({e}); starting a fresh upload"
            ),
        ))
    }

    /// The asset is ready: attach it where the destination says, then finish.
    pub(super) async fn deliver(
        &mut self,
        provider: &dyn Provider,
        asset: RemoteAsset,
    ) -> Result<(), Halt> {
        if provider.attach_target().is_none() {
            return self.finish(asset.id, asset.url).await;
        }
        // Record the asset first: a failed attach then leaves a visible,
        // retryable "uploaded, not attached" job, never a silent skip.
        let mut changes = self.clear_key();
        changes.asset = Some((asset.id.clone(), asset.url.clone()));
        changes.attach_pending = Some(true);
        let state = self.state;
        self.advance(state, changes).await?;
        self.row.asset_id = Some(asset.id.clone());
        self.row.url = asset.url.clone();
        self.row.attach_pending = true;
        self.attach(provider, asset.id, asset.url).await
    }

    pub(super) async fn attach(
        &mut self,
        provider: &dyn Provider,
        asset_id: String,
        url: Option<String>,
    ) -> Result<(), Halt> {
        let project = provider.attach_target().unwrap_or_default();
        let key = self.step_key(JobState::Confirming, false).await?;
        match provider.attach(&asset_id, &key).await {
            Ok(()) => self.finish(asset_id, url).await,
            Err(e) => {
                let retryable = e.retryable;
                let halt = self.step_error("attaching", e.clone()).await;
                if !matches!(halt, Halt::Retry { .. } | Halt::Fail(_)) {
                    return Err(halt);
                }
                let mut failure = Failure::api("attaching", &e);
                failure.message = format!(
                    "uploaded as {asset_id}, but attaching it to project {project} failed: {e}"
                );
                Err(if retryable {
                    Halt::Retry {
                        failure,
                        retry_after: e.retry_after_secs,
                        counts: true,
                    }
                } else {
                    failure.message.push_str("; retry attaches it");
                    Halt::Fail(failure)
                })
            }
        }
    }

    async fn finish(&mut self, asset_id: String, url: Option<String>) -> Result<(), Halt> {
        let moved = self
            .inner
            .queue
            .finish_ready(self.row.id, self.state, asset_id, url)
            .await?;
        if moved {
            self.state = JobState::Ready;
            Err(Halt::Done)
        } else {
            Err(Halt::Stopped)
        }
    }
}
