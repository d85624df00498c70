//! A `multipart/form-data` envelope built around a streamed file, so the
//! exact length is known up front and the file part comes last (S3 POST
//! policies and most signed-form stores require that).

use bytes::Bytes;

pub struct Envelope {
    pub head: Bytes,
    pub tail: Bytes,
    pub content_type: String,
}

impl Envelope {
    pub fn new(
        fields: &[(String, String)],
        file_field: &str,
        file_name: &str,
        content_type: &str,
    ) -> Envelope {
        let boundary = format!("hoist-{}", uuid::Uuid::new_v4().simple());
        let mut head = String::new();
        for (name, value) in fields {
            head.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{value}\r\n",
                escape(name)
            ));
        }
        head.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            escape(file_field),
            escape(file_name),
            content_type.replace(['\r', '\n'], "")
        ));
        Envelope {
            head: Bytes::from(head),
            tail: Bytes::from(format!("\r\n--{boundary}--\r\n")),
            content_type: format!("multipart/form-data; boundary={boundary}"),
        }
    }

    /// Total body length for a file of `file_size` bytes.
    pub fn len(&self, file_size: u64) -> u64 {
        self.head.len() as u64 + file_size + self.tail.len() as u64
    }
}

/// Escape a name for a quoted header parameter the way browsers do (WHATWG):
/// quotes and line breaks are percent-encoded; other UTF-8 passes through.
fn escape(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_order_and_file_last() {
        let fields = vec![
            ("b".to_string(), "2".to_string()),
            ("a".to_string(), "1".to_string()),
        ];
        let e = Envelope::new(&fields, "file", "x.png", "image/png");
        let head = String::from_utf8(e.head.to_vec()).unwrap();
        let b = head.find("name=\"b\"").unwrap();
        let a = head.find("name=\"a\"").unwrap();
        let f = head.find("name=\"file\"; filename=\"x.png\"").unwrap();
        assert!(b < a && a < f);
        assert!(head.ends_with("Content-Type: image/png\r\n\r\n"));
        assert_eq!(e.len(10), e.head.len() as u64 + 10 + e.tail.len() as u64);
        let boundary = e.content_type.split("boundary=").nth(1).unwrap();
        assert_eq!(e.tail, Bytes::from(format!("\r\n--{boundary}--\r\n")));
    }

    #[test]
    fn hostile_names_cannot_break_the_envelope() {
        let e = Envelope::new(&[], "file", "evil\"\r\nX-Injected: 1\n.png", "a\r\nb");
        let head = String::from_utf8(e.head.to_vec()).unwrap();
        assert!(head.contains("filename=\"evil%22%0D%0AX-Injected: 1%0A.png\""));
        assert!(!head.contains("\r\nX-Injected"));
        assert!(head.contains("Content-Type: ab\r\n"));
    }
}
