//! Bench mode (`HOIST_BENCH=1`, used by `bench/desktop.sh`): the window
//! reports when its first queue render is on screen; the app prints that,
//! idles, prints the memory of itself and its WebKit processes, and quits.

use std::time::Duration;

/// How long the app idles before its memory is read.
const IDLE_BEFORE_MEMORY: Duration = Duration::from_secs(5);

/// Memory (KiB) of `root` and every process below it: (resident, proportional).
/// Resident sizes double-count the WebKit libraries the processes share;
/// proportional set size (PSS) splits shared pages between their users.
#[cfg(target_os = "linux")]
pub fn process_tree_memory_kb(root: u32) -> (u64, u64) {
    let tree = process_tree(root);
    (
        tree.iter().map(|p| rss_kb(*p)).sum(),
        tree.iter().map(|p| pss_kb(*p)).sum(),
    )
}

#[cfg(not(target_os = "linux"))]
pub fn process_tree_memory_kb(_root: u32) -> (u64, u64) {
    (0, 0)
}

#[cfg(target_os = "linux")]
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent_of(pid) {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

#[cfg(target_os = "linux")]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(target_os = "linux")]
fn field_kb(file: &str, field: &str) -> u64 {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
fn rss_kb(pid: u32) -> u64 {
    field_kb(&format!("/proc/{pid}/status"), "VmRSS:")
}

#[cfg(target_os = "linux")]
fn pss_kb(pid: u32) -> u64 {
    field_kb(&format!("/proc/{pid}/smaps_rollup"), "Pss:")
}

/// Print the first-render figures now, the idle memory a little later, then quit.
/// `first_render_ms` counts from the page's start, `list_render_ms` from the
/// window's request for the queue.
pub fn report(app: tauri::AppHandle, rows: u32, first_render_ms: f64, list_render_ms: f64) {
    println!(
        "HOIST_BENCH interactive rows={rows} first_render_ms={first_render_ms:.1} list_render_ms={list_render_ms:.1}"
    );
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(IDLE_BEFORE_MEMORY).await;
        let (rss, pss) = process_tree_memory_kb(std::process::id());
        println!("HOIST_BENCH idle_rss_kb={rss} idle_pss_kb={pss}");
        app.exit(0);
    });
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The root's share of `parts`: what the tree would be without children.
    fn rss_of_root_only(child_rss: &[u64], parts: u64) -> u64 {
        parts.saturating_sub(child_rss.iter().sum())
    }

    #[test]
    fn a_process_tree_counts_its_children() {
        // A quiet tree of its own (a shell and two sleeping children): the
        // test process's own memory moves while other tests run beside it.
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .spawn()
            .expect("spawn sh");
        let root = shell.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut tree = process_tree(root);
        while tree.len() < 3 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            tree = process_tree(root);
        }
        let children: Vec<u32> = tree.iter().copied().filter(|p| *p != root).collect();
        let (total, pss) = process_tree_memory_kb(root);
        let parts: u64 = tree.iter().map(|p| rss_kb(*p)).sum();
        let child_rss: Vec<u64> = children.iter().map(|c| rss_kb(*c)).collect();
        let _ = std::process::Command::new("kill")
            .args(children.iter().map(u32::to_string))
            .status();
        let _ = shell.kill();
        let _ = shell.wait();
        assert_eq!(children.len(), 2, "the shell's two children: {tree:?}");
        // Each child has resident memory of its own, so it shows in the sum.
        assert!(child_rss.iter().all(|kb| *kb > 0), "{child_rss:?}");
        // Sleeping processes hold still: the tree is the sum of its parts.
        assert!(
            total.abs_diff(parts) <= 64,
            "tree {total} KiB vs parts {parts} KiB"
        );
        assert!(total > rss_of_root_only(&child_rss, parts));
        assert!(pss > 0 && pss <= total, "{pss} vs {total}");
    }
}
