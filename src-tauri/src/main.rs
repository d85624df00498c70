// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use hoist_app::launch::{parse, Launch, USAGE};

fn main() {
    match parse(std::env::args_os().skip(1)) {
        Launch::Version => println!("Hoist {}", env!("CARGO_PKG_VERSION")),
        Launch::Help => print!("{USAGE}"),
        Launch::Open => {
            prefer_shared_memory_rendering();
            hoist_app::run()
        }
    }
}

/// WebKitGTK's DMA-BUF renderer keeps GPU-style compositing buffers in the
/// web process: about 80 MB more for a window that shows a list, and the
/// cause of blank windows on some drivers. Shared-memory rendering is plenty
/// for Hoist. Set the variable yourself (to 0) to keep the DMA-BUF path.
fn prefer_shared_memory_rendering() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // Single-threaded here: nothing else reads the environment yet.
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}
