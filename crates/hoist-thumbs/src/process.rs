//! Running an external helper (ffmpeg, ffprobe, pdftoppm) with a deadline. Out-of-process on
//! purpose: a crafted video or PDF can crash or hang the parser, and then only the helper dies
//! (it is killed at the deadline) while the worker thread reports a clean error.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::ThumbError;

/// How long a helper may run before it is killed.
pub(crate) const TOOL_TIMEOUT: Duration = Duration::from_secs(20);
/// Helpers' stdout beyond this is an error (a thumbnail frame is well under 2 MB).
const MAX_OUTPUT: u64 = 64 << 20;

/// Runs `program args...`, returns stdout on success.
pub(crate) fn run(program: &'static str, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, ThumbError> {
    let tool_err = |reason: String| ThumbError::Tool {
        tool: program,
        reason,
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                tool_err("not installed (see scripts/apt-packages.txt)".into())
            } else {
                tool_err(e.to_string())
            }
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout {
            let _ = s.take(MAX_OUTPUT + 1).read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr {
            let _ = s.take(64 << 10).read_to_end(&mut buf);
        }
        buf
    });
    let deadline = Instant::now() + TOOL_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(tool_err(format!("timed out after {:?}", TOOL_TIMEOUT)));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(tool_err(e.to_string())),
        }
    };
    let out = out_thread.join().unwrap_or_default();
    let err = err_thread.join().unwrap_or_default();
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let msg = msg
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(tool_err(format!("{status}: {}", msg.trim())));
    }
    if out.len() as u64 > MAX_OUTPUT {
        return Err(tool_err("output too large".into()));
    }
    Ok(out)
}

/// Parses a binary PPM (P6, maxval 255) as produced by ffmpeg and pdftoppm.
pub(crate) fn parse_ppm(data: &[u8]) -> Option<image::RgbImage> {
    let mut fields = Vec::with_capacity(4);
    let mut i = 0;
    while fields.len() < 4 {
        while i < data.len() && data[i].is_ascii_whitespace() {
            i += 1;
        }
        if data.get(i) == Some(&b'#') {
            while i < data.len() && data[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while i < data.len() && !data[i].is_ascii_whitespace() {
            i += 1;
        }
        if start == i {
            return None;
        }
        fields.push(std::str::from_utf8(&data[start..i]).ok()?);
    }
    if fields[0] != "P6" || fields[3] != "255" {
        return None;
    }
    let w: u32 = fields[1].parse().ok()?;
    let h: u32 = fields[2].parse().ok()?;
    let pixels = data.get(i + 1..)?;
    let len = (w as usize).checked_mul(h as usize)?.checked_mul(3)?;
    image::RgbImage::from_raw(w, h, pixels.get(..len)?.to_vec())
}

/// `path` as an argument, protected from being read as an option.
pub(crate) fn path_arg(path: &Path) -> std::ffi::OsString {
    if path.is_absolute() {
        path.as_os_str().to_owned()
    } else {
        Path::new(".").join(path).into_os_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppm_roundtrip_and_garbage() {
        let mut d = b"P6\n# c\n2 1\n255\n".to_vec();
        d.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        let img = parse_ppm(&d).expect("valid ppm");
        assert_eq!(img.dimensions(), (2, 1));
        assert_eq!(img.as_raw(), &[1, 2, 3, 4, 5, 6]);
        assert!(parse_ppm(b"P6\n2 1\n255\n\x01").is_none());
        assert!(parse_ppm(b"nonsense").is_none());
    }

    #[test]
    fn missing_tool_is_a_clean_error() {
        let err = run("hoist-no-such-tool", &[]).err().map(|e| e.to_string());
        // `run` takes a &'static str; the program does not exist.
        assert!(err.is_some_and(|e| e.contains("not installed")));
    }
}
