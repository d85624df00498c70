//! `hoist thumb FILE... --out DIR [--size 256] [--json]`: thumbnails through the same pool the
//! desktop app uses (one worker per core), written as `DIR/<file name>.jpg` (or `.png` for
//! images with transparency). Files that cannot be previewed get a type icon and count as
//! failures: exit 0 when every file previewed, 1 otherwise (reasons on stderr), 2 for usage.
//! A picture from a fallback source (e.g. a RAW's small thumbnail when its large preview is
//! damaged) counts as previewed; `--json` reports it as status "fallback" with its "source".

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hoist_thumbs::{ThumbPool, SIZE_RANGE};

/// Arguments of `hoist thumb`.
#[derive(clap::Args, Debug)]
pub struct ThumbArgs {
    /// Files to make thumbnails of.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Folder to write thumbnails into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Longest edge of each thumbnail, in pixels.
    #[arg(long, default_value_t = 256)]
    size: u32,
    /// Print one JSON object per file on stdout.
    #[arg(long)]
    json: bool,
}

/// `DIR/<file name>` unique among this run's outputs (`name-1`, `name-2`... on clashes).
fn output_stem(out: &Path, file: &Path, taken: &mut HashSet<String>) -> PathBuf {
    let base = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "thumbnail".into());
    let mut name = base.clone();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    out.join(name)
}

/// `ok`: the file's own picture; `fallback`: a real picture from another source of the file
/// (named in "source", e.g. its EXIF thumbnail); `icon`: no picture ("error" says why).
fn status(info: &hoist_thumbs::ThumbInfo) -> &'static str {
    match (&info.fallback, &info.fallback_source) {
        (Some(_), _) => "icon",
        (None, Some(_)) => "fallback",
        (None, None) => "ok",
    }
}

/// Runs `hoist thumb`; returns the process exit code.
pub async fn run(args: ThumbArgs) -> anyhow::Result<i32> {
    if !SIZE_RANGE.contains(&args.size) {
        eprintln!(
            "hoist thumb: --size must be between {} and {}",
            SIZE_RANGE.start(),
            SIZE_RANGE.end()
        );
        return Ok(2);
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", args.out.display()))?;
    let pool = Arc::new(ThumbPool::new(ThumbPool::default_workers()));
    let mut taken = HashSet::new();
    let stems: Vec<PathBuf> = args
        .files
        .iter()
        .map(|file| output_stem(&args.out, file, &mut taken))
        .collect();
    // Queue the biggest files first (longest jobs first keeps every worker busy to the end);
    // results are still reported in command-line order.
    let mut order: Vec<usize> = (0..args.files.len()).collect();
    order.sort_by_key(|&i| {
        std::cmp::Reverse(
            std::fs::metadata(&args.files[i])
                .map(|m| m.len())
                .unwrap_or(0),
        )
    });
    let mut handles: Vec<Option<tokio::task::JoinHandle<_>>> =
        (0..args.files.len()).map(|_| None).collect();
    for i in order {
        let (pool, file, size) = (pool.clone(), args.files[i].clone(), args.size);
        let stem = stems[i].clone();
        handles[i] = Some(tokio::spawn(async move {
            (file.clone(), pool.export(file, size, stem).await)
        }));
    }
    let tasks = handles.into_iter().flatten();
    let mut failed = 0;
    for task in tasks {
        let (file, result) = task.await?;
        match result {
            Ok(info) => {
                if let Some(reason) = &info.fallback {
                    failed += 1;
                    eprintln!(
                        "hoist thumb: {}: {reason} (wrote a type icon)",
                        file.display()
                    );
                }
                if args.json {
                    let line = serde_json::json!({
                        "path": file,
                        "thumbnail": info.path,
                        "width": info.width,
                        "height": info.height,
                        "source_width": info.source_width,
                        "source_height": info.source_height,
                        "format": info.format,
                        "taken_at": info.taken_at,
                        "camera": info.camera,
                        "orientation": info.orientation,
                        "status": status(&info),
                        "source": info.fallback_source,
                        "error": info.fallback,
                    });
                    println!("{line}");
                } else {
                    println!(
                        "{} -> {} ({}x{}, {})",
                        file.display(),
                        info.path.display(),
                        info.width,
                        info.height,
                        info.format.name()
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("hoist thumb: {}: {e}", file.display());
                if args.json {
                    let line = serde_json::json!({
                        "path": file, "status": "failed", "error": e.to_string(),
                    });
                    println!("{line}");
                }
            }
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_status_names_the_kind_of_result() {
        let mut info = hoist_thumbs::ThumbInfo {
            path: PathBuf::from("/o/x.jpg"),
            width: 1,
            height: 1,
            source_width: 1,
            source_height: 1,
            format: hoist_thumbs::SourceFormat::Raw,
            taken_at: None,
            camera: None,
            orientation: 1,
            fallback: None,
            fallback_source: None,
        };
        assert_eq!(status(&info), "ok");
        info.fallback_source = Some("EXIF thumbnail".into());
        assert_eq!(status(&info), "fallback");
        info.fallback = Some("cannot decode raw: damaged data".into());
        assert_eq!(status(&info), "icon");
    }

    #[test]
    fn output_names_do_not_clash() {
        let mut taken = HashSet::new();
        let out = Path::new("/o");
        assert_eq!(
            output_stem(out, Path::new("a/x.jpg"), &mut taken),
            Path::new("/o/x.jpg")
        );
        assert_eq!(
            output_stem(out, Path::new("b/x.jpg"), &mut taken),
            Path::new("/o/x.jpg-1")
        );
    }
}
