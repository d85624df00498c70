//! Tauri build step: app permissions for Hoist's commands, and a built UI for
//! `generate_context!` even on a fresh clone where `npm run build` has not run.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_jobs",
    "get_jobs",
    "thumbnail",
    "get_settings",
    "save_settings",
    "add_paths",
    "pause",
    "resume",
    "cancel",
    "retry",
    "clear_finished",
    "list_accounts",
    "save_account",
    "remove_account",
    "select_account",
    "library",
    "library_thumbnail",
    "bench_report",
    "about",
    "diagnostics",
    "open_logs_folder",
];

fn main() {
    ensure_ui_dist();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}

/// `generate_context!` embeds `../ui/dist`. When it is missing (fresh clone,
/// `cargo clippy` before `npm run build`), build the UI if npm can, else write
/// a page that says how to build it, so the workspace still compiles.
fn ensure_ui_dist() {
    let ui = std::path::Path::new("../ui");
    let dist = ui.join("dist");
    println!("cargo:rerun-if-changed=../ui/dist/index.html");
    if dist.join("index.html").exists() {
        return;
    }
    if ui.join("node_modules").exists() {
        let built = std::process::Command::new("npm")
            .args(["run", "build", "--silent"])
            .current_dir(ui)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if built && dist.join("index.html").exists() {
            return;
        }
    }
    println!(
        "cargo:warning=ui/dist is missing; embedding a placeholder (run `npm run build` in ui/)"
    );
    let _ = std::fs::create_dir_all(&dist);
    let _ = std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Hoist</title><p>The UI was not built: run <code>npm ci &amp;&amp; npm run build</code> in ui/, then build again.</p>",
    );
}
