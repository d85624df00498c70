//! Video (MP4, MOV, WebM, MKV, AVI...): one frame from the first seconds, via the `ffprobe`
//! and `ffmpeg` programs (Debian `ffmpeg`), out of process with a deadline (see
//! [`crate::process`]). ffmpeg applies the rotation matrix of phone videos itself and
//! scales the frame to about twice the thumbnail size before handing it over as PPM.

use std::ffi::OsStr;
use std::path::Path;

use image::DynamicImage;

use super::Decoded;
use crate::error::ThumbError;
use crate::meta::CaptureMeta;
use crate::process::{parse_ppm, path_arg, run};

/// The frame is taken at this time (seconds) when the video is long enough, to skip black
/// fade-ins; short clips use a third of their length.
const SEEK_SECONDS: f64 = 1.0;

#[derive(Default)]
struct Probe {
    width: u32,
    height: u32,
    rotation: i64,
    duration: f64,
    created: Option<String>,
    camera: Option<String>,
}

fn probe(path: &Path) -> Result<Probe, ThumbError> {
    let p = path_arg(path);
    let out = run(
        "ffprobe",
        &[
            OsStr::new("-v"),
            OsStr::new("error"),
            OsStr::new("-select_streams"),
            OsStr::new("v:0"),
            OsStr::new("-show_entries"),
            OsStr::new("stream=width,height:stream_tags=rotate:stream_side_data=rotation:format=duration:format_tags"),
            OsStr::new("-of"),
            OsStr::new("json"),
            &p,
        ],
    )?;
    let v: serde_json::Value = serde_json::from_slice(&out)
        .map_err(|e| ThumbError::decode("video", format!("ffprobe output: {e}")))?;
    let stream = v["streams"]
        .get(0)
        .ok_or_else(|| ThumbError::decode("video", "no video stream"))?;
    let num = |x: &serde_json::Value| {
        x.as_f64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
    };
    let mut rotation = num(&stream["tags"]["rotate"]).unwrap_or(0.0) as i64;
    if let Some(sd) = stream["side_data_list"].as_array() {
        for s in sd {
            if let Some(r) = num(&s["rotation"]) {
                rotation = r as i64;
            }
        }
    }
    let tags = &v["format"]["tags"];
    let tag = |k: &str| {
        tags[k]
            .as_str()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let camera = crate::meta::camera_name(
        tag("com.apple.quicktime.make").or(tag("make")),
        tag("com.apple.quicktime.model").or(tag("model")),
    );
    Ok(Probe {
        width: num(&stream["width"]).unwrap_or(0.0) as u32,
        height: num(&stream["height"]).unwrap_or(0.0) as u32,
        rotation,
        duration: num(&v["format"]["duration"]).unwrap_or(0.0),
        created: tag("com.apple.quicktime.creationdate")
            .or(tag("creation_time"))
            .map(|s| s.chars().take(19).collect()),
        camera,
    })
}

fn frame_at(path: &Path, seconds: f64, edge: u32) -> Result<Option<image::RgbImage>, ThumbError> {
    let seek = format!("{seconds:.3}");
    // Fit in edge x edge without enlarging small videos.
    let scale = format!(
        "scale=min(iw\\,{edge}):min(ih\\,{edge}):force_original_aspect_ratio=decrease:flags=bilinear"
    );
    let p = path_arg(path);
    let out = run(
        "ffmpeg",
        &[
            OsStr::new("-nostdin"),
            OsStr::new("-v"),
            OsStr::new("error"),
            OsStr::new("-ss"),
            OsStr::new(&seek),
            OsStr::new("-i"),
            &p,
            OsStr::new("-map"),
            OsStr::new("0:v:0"),
            OsStr::new("-frames:v"),
            OsStr::new("1"),
            OsStr::new("-vf"),
            OsStr::new(&scale),
            OsStr::new("-f"),
            OsStr::new("image2pipe"),
            OsStr::new("-c:v"),
            OsStr::new("ppm"),
            OsStr::new("-"),
        ],
    )?;
    if out.is_empty() {
        return Ok(None);
    }
    parse_ppm(&out)
        .map(Some)
        .ok_or_else(|| ThumbError::decode("video", "ffmpeg returned an unreadable frame"))
}

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let info = probe(path)?;
    let at = if info.duration > 2.0 * SEEK_SECONDS {
        SEEK_SECONDS
    } else {
        (info.duration / 3.0).max(0.0)
    };
    let edge = target.saturating_mul(2).max(16);
    let frame = match frame_at(path, at, edge)? {
        Some(f) => f,
        None => frame_at(path, 0.0, edge)?
            .ok_or_else(|| ThumbError::decode("video", "no decodable frame"))?,
    };
    let quarter = (info.rotation.rem_euclid(360) / 90) % 2 == 1;
    let (sw, sh) = if quarter {
        (info.height, info.width)
    } else {
        (info.width, info.height)
    };
    Ok(Decoded {
        image: DynamicImage::ImageRgb8(frame),
        source_width: sw,
        source_height: sh,
        meta: CaptureMeta {
            taken_at: info.created,
            camera: info.camera,
            orientation: 1,
        },
        apply_orientation: 1,
        source: None,
    })
}
