// The one list of the window's commands. `lib.rs` registers them from it,
// `build.rs` includes this file to make their permissions, and the bindings
// test writes it into `ui/src/lib/bindings.ts` (COMMANDS) and checks the
// window's capability grants exactly these. Add a command here and nowhere
// else by hand. (Plain `macro_rules!`, so build.rs can `include!` it.)
macro_rules! command_list {
    ($then:ident) => {
        $then![
            app_info,
            queue_summary,
            queue_slice,
            thumbnail,
            get_settings,
            save_settings,
            add_paths,
            pause,
            resume,
            cancel,
            retry,
            clear_finished,
            list_accounts,
            provider_specs,
            save_account,
            remove_account,
            select_account,
            library_thumbnail,
            library_slice,
            library_refresh,
            library_asset,
            library_download,
            library_attach,
            library_open_link,
            library_reveal_local,
            library_locate_job,
            library_search,
            bench_report,
            about,
            diagnostics,
            open_logs_folder,
            watched_folders,
            watch_folder,
            edit_watched_folder,
            pause_watched_folder,
            resume_watched_folder,
            remove_watched_folder
        ]
    };
}
