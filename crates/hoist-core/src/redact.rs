//! Secrets out of anything a person may send us: log files and the desktop's
//! "Copy diagnostics". Signed storage URLs carry their credentials in the
//! query string (S3's `X-Amz-Signature`, Azure's `sig=`, GCS tokens), and
//! errors from `reqwest` quote the URL they failed on; API keys travel in
//! `Authorization` and `x-api-key` headers and start with `sk_`.
//!
//! [`redact`] removes them from free text; [`RedactingWriter`] applies it to
//! every line a logger writes, so no log line has to remember to.

use regex::Regex;
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::LazyLock;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rules = [
        // Every URL's query string: a signed URL is a credential, and no
        // query string of ours is worth the risk of keeping one.
        // (A `)` ends it: errors quote URLs in parentheses, and no signature
        // or token holds one.)
        (
            r#"(?i)(\b[a-z][a-z0-9+.-]*://[^\s"'<>?#]*)\?[^\s"'<>#)]*"#,
            "${1}?[redacted]",
        ),
        // Credential parameters outside a URL (a form body, a quoted query).
        (
            r#"(?i)\b(x-amz-signature|x-amz-credential|x-amz-security-token|signature|sig|token|access_token|api_key|apikey|key)=[^\s&"'<>]+"#,
            "${1}=[redacted]",
        ),
        // Header values, in `Name: value` or JSON/debug `"name": "value"` form.
        (
            r#"(?i)\b(authorization|x-api-key|proxy-authorization|cookie)("?\s*[:=]\s*"?)(?:bearer\s+|basic\s+)?[^\s",}]+"#,
            "${1}${2}[redacted]",
        ),
        (r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+", "Bearer [redacted]"),
        // Provider keys (FLORA, Segmentflow): sk_live_…, sk_test_…, sk_….
        (r"\bsk_[A-Za-z0-9_-]{4,}", "sk_[redacted]"),
    ];
    rules
        .into_iter()
        .map(|(re, with)| (Regex::new(re).expect("redaction patterns are valid"), with))
        .collect()
});

/// `text` with signed-URL query strings, credential parameters, credential
/// header values and API keys replaced by `[redacted]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (re, with) in RULES.iter() {
        if let Cow::Owned(s) = re.replace_all(&out, *with) {
            out = Cow::Owned(s);
        }
    }
    out
}

/// A writer that redacts each line before passing it on. Lines are buffered
/// until their newline so a secret split across two `write` calls is still
/// seen whole.
pub struct RedactingWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            line: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let rest = self.line.split_off(upto);
        let text = String::from_utf8_lossy(&self.line);
        self.inner.write_all(redact(&text).as_bytes())?;
        self.line = rest;
        Ok(())
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(buf);
        while let Some(nl) = self.line.iter().position(|&b| b == b'\n') {
            self.emit(nl + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            let len = self.line.len();
            self.emit(len)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_urls_lose_their_query_string() {
        let err = "error sending request for url (https://bucket.s3.amazonaws.com/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=deadbeef): timed out";
        let out = redact(err);
        assert_eq!(
            out,
            "error sending request for url (https://bucket.s3.amazonaws.com/a.jpg?[redacted]): timed out"
        );
        let azure = "PUT https://acct.blob.core.windows.net/c/x?sv=2024&sig=abc%3D&se=1 failed";
        assert_eq!(
            redact(azure),
            "PUT https://acct.blob.core.windows.net/c/x?[redacted] failed"
        );
    }

    #[test]
    fn keys_tokens_and_headers() {
        assert_eq!(
            redact("key sk_live_abc123XYZ used"),
            "key sk_[redacted] used"
        );
        assert_eq!(
            redact("Authorization: Bearer sk_test_1234567"),
            "Authorization: [redacted]"
        );
        assert_eq!(
            redact(r#"{"x-api-key": "abc-def"}"#),
            r#"{"x-api-key": "[redacted]"}"#
        );
        assert_eq!(
            redact("body token=abc&sig=xyz"),
            "body token=[redacted]&sig=[redacted]"
        );
        assert_eq!(redact("sent Bearer abc.def"), "sent Bearer [redacted]");
        let plain = "job 3 ready: http://127.0.0.1:8787/flora/api/v1/assets/ast_1";
        assert!(matches!(redact(plain), Cow::Borrowed(_)), "{plain}");
    }

    #[test]
    fn the_writer_redacts_secrets_split_across_writes() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out);
            w.write_all(b"url https://h/x?X-Amz-Sig").unwrap();
            w.write_all(b"nature=abc ok\nnext sk_live_").unwrap();
            w.write_all(b"9999\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "url https://h/x?[redacted] ok\nnext sk_[redacted]\n"
        );
    }
}
