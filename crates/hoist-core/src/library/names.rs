//! Local file names from remote asset names. A name comes from a server, so
//! it may try to climb out of the chosen folder (`../../x`), name a device
//! on Windows (`CON`, `com1.txt`), or carry control characters and
//! newlines that garble a terminal or a script reading a listing.

/// Windows device names, reserved with any extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Longest name kept, in bytes (most file systems allow 255).
const MAX_BYTES: usize = 200;

/// A name safe to create inside a folder on every desktop OS: only the last
/// path component of `remote`; no control, bidi or Windows-forbidden
/// characters; no leading or trailing dots and spaces; not a reserved
/// device name; at most 200 bytes (keeping the extension). An empty result
/// falls back to `fallback` (the asset id) made safe the same way.
pub fn safe_file_name(remote: &str, fallback: &str) -> String {
    let name = clean(remote);
    if !name.is_empty() {
        return name;
    }
    let name = clean(fallback);
    if name.is_empty() {
        "asset".to_string()
    } else {
        name
    }
}

fn clean(remote: &str) -> String {
    // Both separators, whatever this OS uses: a name is a name, not a path.
    let last = remote.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = last
        .chars()
        .filter_map(|c| match c {
            c if c.is_control() => Some('_'),
            // Bidi overrides and isolates can disguise an extension.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => None,
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => Some('_'),
            c => Some(c),
        })
        .collect();
    s = s
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    if s.is_empty() {
        return s;
    }
    let stem = s.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        s.insert(0, '_');
    }
    truncate(s)
}

/// Cut to [`MAX_BYTES`] on a character boundary, keeping a short extension.
fn truncate(s: String) -> String {
    if s.len() <= MAX_BYTES {
        return s;
    }
    let ext = s
        .rfind('.')
        .map(|i| &s[i..])
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut cut = MAX_BYTES - ext.len();
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", &s[..cut])
}

/// `name (n).ext`: the n-th alternative to a taken name.
pub fn numbered(name: &str, n: u32) -> String {
    match name.rfind('.').filter(|&i| i > 0) {
        Some(i) => format!("{} ({n}){}", &name[..i], &name[i..]),
        None => format!("{name} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_become_plain_names() {
        assert_eq!(safe_file_name("../../x", "id"), "x");
        assert_eq!(safe_file_name("..\\..\\evil.exe", "id"), "evil.exe");
        assert_eq!(safe_file_name("/etc/passwd", "id"), "passwd");
        assert_eq!(safe_file_name("CON", "id"), "_CON");
        assert_eq!(safe_file_name("com1.txt", "id"), "_com1.txt");
        assert_eq!(safe_file_name("a\nb.png", "id"), "a_b.png");
        assert_eq!(safe_file_name("x\r\n\u{1b}[31m.jpg", "id"), "x___[31m.jpg");
        assert_eq!(safe_file_name("photo\u{202e}gpj.exe", "id"), "photogpj.exe");
        assert_eq!(safe_file_name("..", "asset_1"), "asset_1");
        assert_eq!(safe_file_name("", "../asset_2"), "asset_2");
        assert_eq!(safe_file_name(" .hidden. ", "id"), "hidden");
        assert_eq!(safe_file_name("a:b?.png", "id"), "a_b_.png");
        let long = format!("{}.jpeg", "é".repeat(300));
        let cut = safe_file_name(&long, "id");
        assert!(cut.len() <= MAX_BYTES && cut.ends_with(".jpeg"));
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("a.png", 1), "a (1).png");
        assert_eq!(numbered("README", 2), "README (2)");
        assert_eq!(numbered(".env", 1), ".env (1)");
    }
}
