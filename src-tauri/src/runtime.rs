//! The async runtime Tauri and the application share, sized to the work.
//!
//! Tauri's default runtime starts one worker thread per core. The app's async
//! work is waiting: HTTP to the providers, IPC with the window, timers.
//! What costs CPU runs elsewhere: SQLite commits, scans and file hashing on
//! tokio's blocking pool (threads made on demand, gone after 10 s idle),
//! thumbnails on their own pool (made on the first thumbnail), WebKit in its
//! own processes. Two workers keep an upload's TLS and inline hashing off
//! the window's IPC on a many-core machine, without one idle thread per core.

/// Async worker threads at most (fewer on a single-core machine).
const MAX_WORKERS: usize = 2;

fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, MAX_WORKERS)
}

/// Build the runtime and hand it to Tauri. Call before anything uses
/// `tauri::async_runtime`; keep the returned runtime alive until exit.
pub(crate) fn install() -> std::io::Result<tokio::runtime::Runtime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .thread_name("hoist-async")
        .enable_all()
        .build()?;
    tauri::async_runtime::set(runtime.handle().clone());
    Ok(runtime)
}
