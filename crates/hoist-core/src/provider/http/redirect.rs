//! Which redirects Hoist follows.
//!
//! reqwest drops `Authorization` and cookies on a cross-host redirect, but not
//! other credential headers such as Segmentflow's `x-api-key`, and it follows
//! https -> http. So:
//!
//! * API calls follow a redirect only within the endpoint's own origin
//!   (same scheme, host and port): a credential never reaches another host.
//! * Storage transfers and preview downloads (which carry no credentials) may
//!   move to another host, but never from https to http, and never to a
//!   plain-http host that is not loopback.
//!
//! A refused redirect ends the request with [`RefusedRedirect`], which
//! [`super::network_error`] turns into a clear, non-retryable error naming
//! both hosts.

use reqwest::redirect::{Attempt, Policy};
use url::Url;

/// More hops than this is a loop, whatever the hosts.
const MAX_HOPS: usize = 10;

/// Why a redirect was not followed; carried as the source of reqwest's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{from} redirected to {to}, which Hoist does not follow: {why}")]
pub struct RefusedRedirect {
    /// `scheme://host:port` that answered with the redirect.
    pub from: String,
    /// `scheme://host:port` it pointed to.
    pub to: String,
    pub why: &'static str,
}

/// `scheme://host[:port]` of a URL, for messages and comparisons.
pub(crate) fn origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

fn refuse(from: &Url, to: &Url, why: &'static str) -> RefusedRedirect {
    RefusedRedirect {
        from: origin(from),
        to: origin(to),
        why,
    }
}

/// The API rule: only within the origin of the request that was sent first.
pub fn judge_api_redirect(first: &Url, next: &Url) -> Result<(), RefusedRedirect> {
    if same_origin(first, next) {
        Ok(())
    } else {
        Err(refuse(
            first,
            next,
            "an API call only follows redirects within its own endpoint, so the API key never \
             reaches another host",
        ))
    }
}

/// The storage rule: any host, but no https -> http downgrade and no plain
/// http to a non-loopback host.
pub fn judge_storage_redirect(previous: &Url, next: &Url) -> Result<(), RefusedRedirect> {
    match (previous.scheme(), next.scheme()) {
        ("https", "https") => Ok(()),
        ("https", _) => Err(refuse(
            previous,
            next,
            "it would downgrade an https transfer to plain http",
        )),
        ("http", "https") => Ok(()),
        ("http", "http") if super::is_loopback_host(next) => Ok(()),
        ("http", "http") => Err(refuse(
            previous,
            next,
            "plain http is allowed only for loopback hosts",
        )),
        _ => Err(refuse(previous, next, "it is not an http(s) URL")),
    }
}

fn decide(
    attempt: Attempt,
    judge: fn(&Url, &Url) -> Result<(), RefusedRedirect>,
    first: bool,
) -> reqwest::redirect::Action {
    let previous = attempt.previous();
    let from = if first {
        previous.first()
    } else {
        previous.last()
    };
    let Some(from) = from.cloned() else {
        return attempt.stop();
    };
    if previous.len() > MAX_HOPS {
        return attempt.error("too many redirects");
    }
    match judge(&from, attempt.url()) {
        Ok(()) => attempt.follow(),
        Err(refused) => attempt.error(refused),
    }
}

/// The redirect policy of the API client.
pub fn api_policy() -> Policy {
    Policy::custom(|attempt| decide(attempt, judge_api_redirect, true))
}

/// The redirect policy of the storage client (uploads and previews).
pub fn storage_policy() -> Policy {
    Policy::custom(|attempt| decide(attempt, judge_storage_redirect, false))
}

/// The refused redirect behind a reqwest error, if that is what it is.
pub fn refused_redirect(err: &reqwest::Error) -> Option<&RefusedRedirect> {
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<RefusedRedirect>() {
            return Some(r);
        }
        source = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    #[test]
    fn api_redirects_stay_on_the_endpoints_origin() {
        let api = u("https://api.segmentflow.example/api/v1/assets");
        assert!(judge_api_redirect(&api, &u("https://api.segmentflow.example/v2/assets")).is_ok());
        assert!(judge_api_redirect(&api, &u("https://API.segmentflow.example:443/x")).is_ok());
        for other in [
            "https://evil.example/api/v1/assets",
            "https://api.segmentflow.example:8443/x",
            "http://api.segmentflow.example/x",
            "http://127.0.0.1:9/x",
        ] {
            let e = judge_api_redirect(&api, &u(other)).unwrap_err();
            assert_eq!(e.from, "https://api.segmentflow.example");
            assert!(e.to.contains(u(other).host_str().unwrap()), "{e}");
        }
        let local = u("http://127.0.0.1:8787/x");
        let e = judge_api_redirect(&local, &u("http://127.0.0.1:8788/x")).unwrap_err();
        assert_eq!(
            (e.from.as_str(), e.to.as_str()),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8788")
        );
    }

    #[test]
    fn storage_redirects_never_downgrade() {
        let s3 = u("https://bucket.s3.example/key?sig=1");
        assert!(judge_storage_redirect(&s3, &u("https://bucket.s3.eu.example/key")).is_ok());
        let e = judge_storage_redirect(&s3, &u("http://bucket.s3.example/key")).unwrap_err();
        assert!(e.to_string().contains("downgrade"), "{e}");
        assert!(judge_storage_redirect(&s3, &u("http://127.0.0.1:9/key")).is_err());
        let local = u("http://127.0.0.1:9/key");
        assert!(judge_storage_redirect(&local, &u("http://localhost:10/key")).is_ok());
        assert!(judge_storage_redirect(&local, &u("https://cdn.example/key")).is_ok());
        assert!(judge_storage_redirect(&local, &u("http://cdn.example/key")).is_err());
        assert!(judge_storage_redirect(&s3, &u("file:///etc/passwd")).is_err());
    }
}
