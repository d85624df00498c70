//! The in-process sandbox behind the "Local sandbox" account, started on
//! first use.
//!
//! Its port is bound at launch (cheap, and it keeps the address stable: jobs
//! queued for it last time and `Hoist::start` both need the URL), but the
//! server itself (its SQLite store, blob folder and routes) starts only when
//! the first connection arrives. The waiter watches the listening socket for
//! readability without accepting, so that first connection stays in the
//! kernel's backlog and is then served by the sandbox like any other. A
//! person who uploads to a real account never pays for the sandbox.

use hoist_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use tokio::sync::{oneshot, Mutex};

/// Where the sandbox is in its life.
enum Slot {
    /// Bound, nobody has connected yet.
    Waiting,
    Running(Sandbox),
    /// Shut down, or it failed to start (the listener is closed then).
    Stopped,
}

/// The local sandbox, kept in Tauri's state until the app exits.
pub struct LocalSandbox {
    base_url: String,
    slot: Arc<Mutex<Slot>>,
    /// Tells the waiter to give up (at shutdown, before anyone connected).
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

impl LocalSandbox {
    /// Serve `config` on `listener` once someone connects to it. Must be
    /// called inside a tokio runtime (the waiter is a task on it).
    pub fn on_first_use(
        listener: tokio::net::TcpListener,
        config: SandboxConfig,
    ) -> std::io::Result<LocalSandbox> {
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let slot = Arc::new(Mutex::new(Slot::Waiting));
        let (stop_tx, stop_rx) = oneshot::channel();
        let waiter_slot = slot.clone();
        tokio::spawn(async move {
            let listener = tokio::select! {
                l = first_connection(listener) => l,
                _ = stop_rx => return,
            };
            let mut slot = waiter_slot.lock().await;
            // Shut down while the first connection was arriving.
            if !matches!(*slot, Slot::Waiting) {
                return;
            }
            let listener = match listener {
                Ok(l) => l,
                Err(e) => {
                    tracing::error!(error = %e, "local sandbox: cannot watch its port");
                    *slot = Slot::Stopped;
                    return;
                }
            };
            match Sandbox::start(listener, config).await {
                Ok(sb) => {
                    tracing::info!(base_url = %sb.base_url(), "local sandbox started on first use");
                    *slot = Slot::Running(sb);
                }
                Err(e) => {
                    tracing::error!(error = %e, "local sandbox could not start");
                    *slot = Slot::Stopped;
                }
            }
        });
        Ok(LocalSandbox {
            base_url,
            slot,
            stop: std::sync::Mutex::new(Some(stop_tx)),
        })
    }

    /// `http://127.0.0.1:PORT`, valid before the server starts.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Whether the server has started (someone used the Local sandbox).
    #[cfg(test)]
    pub async fn started(&self) -> bool {
        matches!(*self.slot.lock().await, Slot::Running(_))
    }

    /// Stop the waiter, or the server if it started. Safe to call twice.
    pub async fn shutdown(&self) {
        if let Some(stop) = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = stop.send(());
        }
        // Taken under the lock, so a start in progress finishes first and
        // is then shut down; a waiter that wakes later finds Stopped.
        let previous = std::mem::replace(&mut *self.slot.lock().await, Slot::Stopped);
        if let Slot::Running(sb) = previous {
            sb.shutdown().await;
        }
    }
}

/// Wait until a connection is pending on `listener`, without accepting it,
/// and hand the listener back.
#[cfg(unix)]
async fn first_connection(
    listener: tokio::net::TcpListener,
) -> std::io::Result<tokio::net::TcpListener> {
    use tokio::io::{unix::AsyncFd, Interest};
    // A listening socket is readable when its accept queue is not empty.
    // SAFETY: the std listener owns its descriptor, which stays open and
    // the same until `into_inner` hands the listener back.
    let fd = unsafe { AsyncFd::register_with_interest(listener.into_std()?, Interest::READABLE)? };
    drop(fd.readable().await?);
    tokio::net::TcpListener::from_std(fd.into_inner())
}

/// Without a portable way to watch a listening socket, start at once.
#[cfg(not(unix))]
async fn first_connection(
    listener: tokio::net::TcpListener,
) -> std::io::Result<tokio::net::TcpListener> {
    Ok(listener)
}
