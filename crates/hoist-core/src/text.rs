//! Text that came from a server, made safe to show.
//!
//! Asset names, error messages and body excerpts are chosen by whoever runs
//! the server. Printed raw, an escape sequence in them can move the cursor,
//! clear the screen, set the window title or plant a hyperlink (OSC 8), and a
//! bidi override can make `exe.png` read as `gnp.exe`. [`printable`] is the one
//! place that removes all of that; the CLI and error messages use it.

/// `s` without control characters: whole ESC and C1 sequences (CSI, OSC, DCS,
/// ...) are dropped, other C0 and C1 characters and DEL are dropped, line
/// breaks and tabs become spaces, and bidi embedding, override and isolate
/// characters (U+202A–U+202E, U+2066–U+2069) are dropped. Everything else,
/// including non-Latin text and emoji, is kept.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.peek().copied() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    skip_string(&mut chars);
                }
                // Two-character escapes (ESC c, ESC 7, ESC ( B ...): drop the
                // next character too; a lone trailing ESC is just dropped.
                Some(n) if (' '..='~').contains(&n) => {
                    chars.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' => out.push(' '),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Characters that are never shown as they are.
fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Skip a CSI sequence's parameter and intermediate bytes and its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !(' '..='?').contains(&c) {
            // Not a well-formed sequence: stop; the rest is judged normally.
            return;
        }
    }
}

/// Skip an OSC/DCS/SOS/PM/APC payload up to its terminator (BEL, ESC \ or
/// ST), or to the end when it has none (a terminal would swallow it too).
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(printable("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(printable("a\u{1b}[2J\u{1b}[Hb"), "ab");
        // OSC 8 hyperlink and OSC 0 window title, BEL- and ST-terminated.
        assert_eq!(
            printable("\u{1b}]8;;https://evil.example\u{7}click\u{1b}]8;;\u{7}"),
            "click"
        );
        assert_eq!(printable("\u{1b}]0;pwned\u{1b}\\ok"), "ok");
        assert_eq!(printable("x\u{1b}]0;unterminated"), "x");
        // C1 forms: CSI as U+009B, OSC as U+009D.
        assert_eq!(printable("\u{9b}31mred"), "red");
        assert_eq!(printable("\u{9d}0;t\u{9c}ok"), "ok");
        assert_eq!(printable("a\u{1b}cb"), "ab");
        assert_eq!(printable("end\u{1b}"), "end");
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_text_is_kept() {
        assert_eq!(printable("a\u{0}b\u{7}c\u{7f}d\u{85}e"), "abcde");
        assert_eq!(printable("line1\nline2\r\tx"), "line1 line2  x");
        assert_eq!(printable("photo\u{202e}gnp.exe"), "photognp.exe");
        assert_eq!(printable("\u{2066}a\u{2069}"), "a");
        assert_eq!(printable("Café 写真 📷"), "Café 写真 📷");
        for out in [printable("\u{1b}[1;31;Xoops"), printable("\u{1b}[\u{1b}]x")] {
            assert!(!out.chars().any(is_unsafe), "{out:?}");
        }
    }
}
