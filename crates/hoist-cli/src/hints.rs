//! What the CLI adds to a failure: the flag or variable that fixes it. The
//! engine's messages never name flags (the desktop shows them too); the CLI
//! words its own hints from the failure's kind.

use hoist_core::reason::FailReason;

/// The command-line fix for `reason`, if one flag or variable is the fix.
pub fn hint(reason: &FailReason) -> Option<String> {
    Some(match reason {
        FailReason::WrongDialect { .. } | FailReason::RedirectRefused => {
            "check --provider and --endpoint".into()
        }
        FailReason::Auth { .. } => "check the key (--api-key, HOIST_API_KEY or --account)".into(),
        FailReason::MissingKey => {
            "pass the account's key with --api-key or HOIST_API_KEY, or save it with the app".into()
        }
        FailReason::Misconfigured { field } => match field.as_str() {
            "workspace" | "folder" | "project" | "org" | "website" | "endpoint" => {
                format!("check --{field}")
            }
            _ => return None,
        },
        _ => return None,
    })
}

/// `message` followed by the hint for `reason`, unless the message already
/// ends with it.
pub fn with_hint(message: &str, reason: Option<&FailReason>) -> String {
    match reason.and_then(hint) {
        Some(h) if !message.contains(&h) => format!("{message}; {h}"),
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_come_from_the_kind() {
        let dialect = FailReason::WrongDialect {
            expected: "FLORA".into(),
        };
        assert_eq!(
            with_hint("x answered HTML", Some(&dialect)),
            "x answered HTML; check --provider and --endpoint"
        );
        let folder = FailReason::Misconfigured {
            field: "folder".into(),
        };
        assert_eq!(
            with_hint("bad folder", Some(&folder)),
            "bad folder; check --folder"
        );
        assert_eq!(with_hint("gone", Some(&FailReason::FileGone)), "gone");
        assert_eq!(with_hint("plain", None), "plain");
    }
}
