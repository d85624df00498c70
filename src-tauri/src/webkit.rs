//! WebKitGTK tuned for what Hoist's window is: a list and a few forms, not a
//! browser.
//!
//! * The cache model is "document viewer": no page cache for back/forward
//!   navigation (there is none) and the smallest memory caches. Thumbnails
//!   come from disk through the asset protocol, so a large in-memory
//!   resource cache buys nothing.
//! * The DMA-BUF renderer is off unless the person asks for it. On this
//!   machine kind it costs about 80 MB in the web process (PSS 187 MB with
//!   it, 107 MB without, `bench/desktop.sh`) for a window that scrolls one
//!   list. Set `WEBKIT_DISABLE_DMABUF_RENDERER=0` to have it back (for
//!   example on a GPU where it composites faster).
//!
//! Why the end-to-end tests stalled with it off: only WebKitWebDriver's
//! screenshot command hangs (title, script, element and animation-frame
//! commands all answer at once); WebKit's snapshot waits for a
//! DMA-BUF-backed frame that the shared-memory path never produces under
//! Xvfb. The tests therefore capture the window from the X server instead
//! (`tests/e2e/harness.mjs`), which shows exactly what a person sees.

/// The environment variable WebKitGTK reads at start-up.
pub const DMABUF_ENV: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Call first thing in `main`, before any thread starts (it sets an
/// environment variable, which is only sound while the process has one thread).
pub fn prefer_shared_memory_renderer() {
    if std::env::var_os(DMABUF_ENV).is_none() {
        std::env::set_var(DMABUF_ENV, "1");
    }
}

/// Set the window's cache model (Linux only; elsewhere there is no WebKitGTK).
pub fn tune(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    {
        let result = window.with_webview(|wv| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = wv.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not tune the web view");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
