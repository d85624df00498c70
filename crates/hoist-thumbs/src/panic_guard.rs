//! Decoder panics: caught by `catch_unwind` in [`crate::render`], and logged as one line
//! instead of Rust's default "thread panicked at ... note: run with RUST_BACKTRACE" text on
//! stderr. The hook is chained: panics outside a decoder still reach the previous hook.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static IN_DECODER: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

fn install() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_DECODER.with(|f| f.get()) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                tracing::warn!(at = %at, "decoder panicked: {}", message(info.payload()));
            } else {
                previous(info);
            }
        }));
    });
}

/// The panic's text, when it is a string.
pub(crate) fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `work`, turning a panic into `Err(message)` without printing to stderr.
pub(crate) fn run<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    install();
    let was = IN_DECODER.with(|f| f.replace(true));
    let r = catch_unwind(AssertUnwindSafe(work));
    IN_DECODER.with(|f| f.set(was));
    r.map_err(|p| message(p.as_ref()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn panics_become_errors() {
        let r: Result<(), String> = super::run(|| panic!("boom {}", 7));
        assert_eq!(r, Err("boom 7".to_string()));
        assert_eq!(super::run(|| 3), Ok(3));
    }
}
