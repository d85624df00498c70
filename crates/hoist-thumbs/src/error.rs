//! The crate's error type.

use std::path::PathBuf;

/// Why a thumbnail could not be made.
///
/// Decoding errors ([`ThumbError::Decode`], [`ThumbError::Unsupported`], [`ThumbError::TooLarge`])
/// are turned into a type icon by [`crate::ThumbPool`]; the others are reported to the caller.
#[derive(Debug, thiserror::Error)]
pub enum ThumbError {
    /// The source or an output file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is of a kind we do not render (the reason names what was detected).
    #[error("unsupported file: {0}")]
    Unsupported(String),
    /// The file claims a supported format but is damaged or truncated.
    #[error("cannot decode {format}: {reason}")]
    Decode {
        /// Detected format name.
        format: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// The image would need more memory than the configured limit.
    #[error("image too large: {width}x{height}")]
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
    /// An external helper (ffmpeg, pdftoppm) is missing, failed or timed out.
    #[error("{tool}: {reason}")]
    Tool {
        /// Program name.
        tool: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// The worker pool has shut down.
    #[error("thumbnail pool is shut down")]
    PoolClosed,
}

impl ThumbError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn decode(format: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::Decode {
            format,
            reason: reason.to_string(),
        }
    }

    /// True when the source could not be decoded (damaged, unsupported, too large, helper
    /// failure): such files get a type icon instead of a thumbnail.
    pub fn is_content_error(&self) -> bool {
        matches!(
            self,
            Self::Unsupported(_) | Self::Decode { .. } | Self::TooLarge { .. } | Self::Tool { .. }
        )
    }
}
