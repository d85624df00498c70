//! Keys per account: where the engine gets an account's key, the adapters
//! built with it, and what happens to jobs whose key this process lacks.
//! A key is handed only to its own account's jobs, and only ever reaches
//! that account's API host (see `provider::http`).

use super::Inner;
use crate::error::{ApiError, CoreError};
use crate::model::{Destination, JobTarget};
use crate::provider::{self, Provider};
use crate::queue::{JobRow, Queue};
use std::collections::HashSet;
use std::sync::Arc;

/// Where API keys come from (keychain, environment, a flag). A key is asked
/// for by account identity and handed only to that account's jobs: a key
/// given for one destination never reaches another account's server.
pub trait Credentials: Send + Sync {
    /// The key of `account`, which points at `destination`.
    fn api_key(&self, account: &str, destination: &Destination) -> Option<String>;

    /// For jobs queued before accounts had identities: the account that
    /// takes them over, if one clearly owns `destination`.
    fn adopt_legacy(&self, _destination: &Destination) -> Option<String> {
        None
    }
}

impl Inner {
    pub(super) fn without_key_lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.without_key.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The adapter for an account's destination, built once with that
    /// account's key and no other.
    pub(crate) fn provider(&self, target: &JobTarget) -> Result<Arc<dyn Provider>, ApiError> {
        let scope = target.scope();
        if let Some(p) = self.cached_provider(&scope) {
            return Ok(p);
        }
        let api_key = self
            .credentials
            .api_key(&target.account, &target.destination)
            .ok_or_else(|| ApiError::local("missing_api_key", missing_key_reason(target)))?;
        let raw: Arc<dyn Provider> =
            provider::for_destination(&target.destination, &api_key, self.api_client.clone())?
                .into();
        // Every API call of the scope shares its limit and its pauses.
        let pacer = self.pacer(&scope, target.destination.provider);
        let p: Arc<dyn Provider> = Arc::new(super::pacing::paced::Paced::new(raw, pacer));
        self.providers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(scope, p.clone());
        Ok(p)
    }

    fn cached_provider(&self, scope: &str) -> Option<Arc<dyn Provider>> {
        self.providers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(scope)
            .cloned()
    }

    /// Whether this process can work `row` (it has the account's key). A
    /// job it cannot work waits, with the reason on the row, for a process
    /// that can; it never borrows another account's key.
    pub(super) async fn can_work(self: &Arc<Self>, row: &JobRow) -> bool {
        if self.without_key_lock().contains(&row.account) {
            return false;
        }
        if self.cached_provider(&row.dest_key).is_some() {
            return true;
        }
        let target = row.target();
        let me = self.clone();
        // The keychain is a blocking D-Bus call.
        let built = tokio::task::spawn_blocking(move || me.provider(&target)).await;
        match built {
            Ok(Ok(_)) => true,
            Ok(Err(e)) if e.code.as_deref() == Some("missing_api_key") => {
                self.without_key_lock().insert(row.account.clone());
                tracing::info!(account = %row.account, "no key here for this account; its jobs wait");
                match self
                    .queue
                    .note_missing_key(row.account.clone(), e.message)
                    .await
                {
                    Ok(ids) => {
                        for id in ids {
                            self.emit_job(id).await;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "could not record the missing key"),
                }
                false
            }
            // Anything else (a bad endpoint) fails the job in its worker,
            // with the reason.
            Ok(Err(_)) => true,
            Err(e) => {
                tracing::error!(error = %e, "key lookup crashed");
                false
            }
        }
    }
}

/// Why a job waits without a key, in words for a person (recorded on the
/// job's row, so front ends can tell a job that waits for its key).
pub fn missing_key_reason(target: &JobTarget) -> String {
    let label = target.destination.label();
    let account = target.account.as_str();
    if account.starts_with(crate::accounts::ADHOC_PREFIX) {
        format!(
            "waiting for its API key: {label} was given a key by the command that queued it, \
             and this Hoist does not have it; run that command again with the same key"
        )
    } else if account == crate::accounts::LEGACY_ACCOUNT {
        format!(
            "waiting for an API key: queued for {label} by an earlier Hoist, and no single \
             saved account points there; add the account in Hoist or upload the files again"
        )
    } else {
        format!(
            "waiting for an API key: the account for {label} has no key stored, or was \
             removed or pointed elsewhere; add its key in Hoist's Accounts"
        )
    }
}

/// Jobs from before accounts had identities go to the account that clearly
/// owns their destination; the rest wait, with a reason, rather than borrow
/// a key that may belong to another account.
pub(super) async fn adopt_legacy_jobs(
    queue: &Queue,
    credentials: &dyn Credentials,
) -> Result<(), CoreError> {
    for (scope, destination) in queue.legacy_destinations().await? {
        if let Some(account) = credentials.adopt_legacy(&destination) {
            let n = queue
                .adopt(scope, JobTarget::new(account, destination))
                .await?;
            tracing::info!(
                jobs = n,
                "jobs from an earlier Hoist adopted by their account"
            );
        }
    }
    Ok(())
}
