// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use hoist_app::launch::{parse, Launch, USAGE};

fn main() {
    // Before any thread starts: it sets an environment variable.
    hoist_app::webkit::prefer_shared_memory_renderer();
    match parse(std::env::args_os().skip(1)) {
        Launch::Version => println!("Hoist {}", env!("CARGO_PKG_VERSION")),
        Launch::Help => print!("{USAGE}"),
        Launch::Open => hoist_app::run(),
    }
}
