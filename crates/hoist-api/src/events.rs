//! The one event stream a front end follows ([`Hoist::events`]), and the
//! background work that feeds it: the queue's versioned updates, batch
//! notices, the engine's takeover, the watched folders' line and download
//! progress. The desktop shell forwards each to the window, the tray or the
//! OS; nothing here knows about windows.

use crate::dto::EngineStatus;
use crate::library_actions::DownloadProgress;
use crate::notify::{BatchTally, Notice};
use crate::queue_feed::{next_batch, QueueUpdate};
use crate::sync::follow_sandbox;
use crate::{settings, Hoist};
use hoist_core::engine::EngineRole;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How often the stored folder list is compared with what runs (so `hoist
/// sync pause` in a terminal takes effect here) and the folders' line sent.
const RECONCILE_EVERY: Duration = Duration::from_secs(2);
/// The tray's status line is refreshed at least this often while busy.
const STATUS_EVERY: Duration = Duration::from_secs(1);

/// What happened, for the front end to show.
#[derive(Clone, Debug)]
pub enum ApiEvent {
    /// One frame of queue changes for the window.
    Queue(Box<QueueUpdate>),
    /// A batch of uploads ended (sent only when the person wants notifications).
    BatchEnded(Notice),
    /// The process working the queue changed (this one took over).
    Engine(EngineStatus),
    /// The one-line status (tray) may read differently now.
    StatusChanged,
    /// A library download moved on.
    Download(DownloadProgress),
}

/// The sending half of the stream. Unbounded: events are small, few per
/// frame, and the one consumer only forwards them, so none is ever dropped.
pub(crate) struct EventSender {
    tx: mpsc::UnboundedSender<ApiEvent>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<ApiEvent>>>,
}

impl Default for EventSender {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        EventSender {
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }
}

impl EventSender {
    pub(crate) fn sender(&self) -> mpsc::UnboundedSender<ApiEvent> {
        self.tx.clone()
    }
}

impl Hoist {
    /// The event stream, once (a second call gets None): start the
    /// background work and follow what it reports. Call inside a Tokio
    /// runtime.
    pub fn events(&self) -> Option<mpsc::UnboundedReceiver<ApiEvent>> {
        let rx = self
            .events
            .rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()?;
        self.spawn_queue_feed();
        self.spawn_takeover_watch();
        self.spawn_folders();
        Some(rx)
    }

    /// One [`QueueUpdate`] per frame of engine events, and a notice when a
    /// batch ends.
    fn spawn_queue_feed(&self) {
        let mut rx = self.engine.subscribe();
        let engine = self.engine.clone();
        let feed = self.feed.clone();
        let settings = self.settings.clone();
        let tx = self.events.sender();
        let sandbox_endpoint = self.sandbox_endpoint().map(str::to_string);
        tokio::spawn(async move {
            let mut last_status = Instant::now();
            let mut frame_start = Instant::now();
            let mut tally = BatchTally::default();
            while let Some(batch) = next_batch(
                &mut rx,
                frame_start,
                &feed,
                &mut tally,
                sandbox_endpoint.as_deref(),
            )
            .await
            {
                if settings::notifications_on(&settings) {
                    for notice in &batch.notices {
                        tracing::info!(title = %notice.title, body = %notice.body, "batch finished");
                        let _ = tx.send(ApiEvent::BatchEnded(notice.clone()));
                    }
                }
                let settled = batch.settled();
                let update = batch.into_update(&feed, &engine).await;
                frame_start = Instant::now();
                if tx.send(ApiEvent::Queue(Box::new(update))).is_err() {
                    break;
                }
                if settled || last_status.elapsed() >= STATUS_EVERY {
                    last_status = Instant::now();
                    let _ = tx.send(ApiEvent::StatusChanged);
                }
            }
        });
    }

    /// Tell the front end when this process takes over the queue.
    fn spawn_takeover_watch(&self) {
        let mut roles = self.engine.watch_role();
        let tx = self.events.sender();
        tokio::spawn(async move {
            while roles.changed().await.is_ok() {
                let engine_owner = match &*roles.borrow_and_update() {
                    EngineRole::Following { pid } => Some(pid.clone()),
                    EngineRole::Leading => None,
                };
                let leading = engine_owner.is_none();
                let _ = tx.send(ApiEvent::Engine(EngineStatus { engine_owner }));
                let _ = tx.send(ApiEvent::StatusChanged);
                if leading {
                    break;
                }
            }
        });
    }

    /// Run every remembered folder and keep them in step with the stored
    /// list, for as long as the process runs.
    fn spawn_folders(&self) {
        let syncer = self.syncer.clone();
        let sandbox = self.sandbox_destination.clone();
        let line = self.folders_line.clone();
        let tx = self.events.sender();
        tokio::spawn(async move {
            // The in-process sandbox may listen on another port than last time:
            // its folders follow it (the account is the same).
            if let Err(e) = follow_sandbox(&syncer, &sandbox).await {
                tracing::warn!(error = %e, "could not update the sandbox's watched folders");
            }
            loop {
                // While another Hoist works the queue (`hoist sync` from the
                // systemd unit, say), it runs the folders: two watchers of one
                // folder would only do the work twice. This process takes
                // over the folders when it takes over the queue.
                if crate::follower::owner(syncer.engine()).is_some() {
                    syncer.shutdown().await;
                } else if let Err(e) = syncer.reconcile().await {
                    tracing::warn!(error = %e, "watched folders: could not read the stored list");
                }
                let now = syncer.summary().await.ok().and_then(|s| s.line());
                let changed = {
                    let mut l = line.lock().unwrap_or_else(|p| p.into_inner());
                    let changed = *l != now;
                    *l = now;
                    changed
                };
                if changed && tx.send(ApiEvent::StatusChanged).is_err() {
                    break;
                }
                tokio::time::sleep(RECONCILE_EVERY).await;
            }
        });
    }

    /// The one-line status for the tray: who works the queue, how many
    /// files are on their way, and the watched folders (they keep going
    /// with the window closed, so the tray says so).
    pub fn status_line(&self) -> String {
        let status = match crate::follower::owner(&self.engine) {
            Some(pid) => format!("Read-only: another Hoist (pid {pid}) is working"),
            None => status_text(self.engine.active_count(), self.engine.is_paused_all()),
        };
        let folders = self
            .folders_line
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match folders {
            Some(line) => format!("{status} · {line}"),
            None => status,
        }
    }

    /// Whether every upload is paused (the tray's Pause/Resume item).
    pub fn is_paused_all(&self) -> bool {
        self.engine.is_paused_all()
    }
}

/// The tray's one-line status.
pub fn status_text(active: usize, paused_all: bool) -> String {
    match (paused_all, active) {
        (true, _) => "Paused".to_string(),
        (false, 0) => "Idle: nothing to upload".to_string(),
        (false, 1) => "Uploading 1 file".to_string(),
        (false, n) => format!("Uploading {n} files"),
    }
}
