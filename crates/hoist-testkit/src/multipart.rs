//! `multipart/form-data` bodies built by hand, byte for byte, so a test
//! controls the order of the parts (FLORA's storage wants every issued field
//! first and the file last) and can send what a form library would refuse to
//! (a field after the file, no file at all).

/// One part of a form.
pub enum Part {
    Text(String, String),
    /// field name, file name, content type, bytes
    File(String, String, String, Vec<u8>),
}

pub const BOUNDARY: &str = "----hoist-sandbox-test-boundary-7MA4YWxkTrZu0gW";

/// The `Content-Type` header value and the body of a form made of `parts`, in order.
pub fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                );
            }
            Part::File(name, file_name, ct, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {ct}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
        }
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A form upload: every `fields` entry as a text part, in order, then the
/// file under `file_field`, last.
pub fn form_with_file(
    fields: &[(String, String)],
    file_field: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let frame = FileFrame::new(fields, file_field, file_name, content_type);
    let mut body = frame.head;
    body.extend_from_slice(bytes);
    body.extend_from_slice(&frame.tail);
    (frame.content_type, body)
}

/// What goes around the file of a form upload, for a test that streams the
/// file's bytes itself: the form is `head`, the bytes, then `tail`.
pub struct FileFrame {
    /// The `Content-Type` header value.
    pub content_type: String,
    /// Every field as a text part, then the file part's headers.
    pub head: Vec<u8>,
    /// The end of the file part and of the form.
    pub tail: Vec<u8>,
}

impl FileFrame {
    pub fn new(
        fields: &[(String, String)],
        file_field: &str,
        file_name: &str,
        content_type: &str,
    ) -> FileFrame {
        let mut parts: Vec<Part> = fields
            .iter()
            .map(|(k, v)| Part::Text(k.clone(), v.clone()))
            .collect();
        parts.push(Part::File(
            file_field.into(),
            file_name.into(),
            content_type.into(),
            Vec::new(),
        ));
        let (content_type, mut head) = multipart(&parts);
        // An empty file part ends with "\r\n--BOUNDARY--\r\n": that is the tail.
        let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
        head.truncate(head.len() - tail.len());
        FileFrame {
            content_type,
            head,
            tail,
        }
    }
}
