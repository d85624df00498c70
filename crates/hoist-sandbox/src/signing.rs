//! HMAC-SHA256 signatures for the sandbox's own storage URLs and forms.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies with a per-data-dir secret (persisted, so URLs survive restarts).
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Self {
        Signer { key }
    }

    fn mac(&self, parts: &[&str]) -> HmacSha256 {
        // new_from_slice accepts keys of any length for HMAC.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable_mac(),
        };
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\n");
        }
        mac
    }

    /// Lower-case hex HMAC-SHA256 of the parts joined by newlines.
    pub fn sign(&self, parts: &[&str]) -> String {
        hex::encode(self.mac(parts).finalize().into_bytes())
    }

    /// Constant-time check of a hex signature.
    pub fn verify(&self, parts: &[&str], signature_hex: &str) -> bool {
        match hex::decode(signature_hex) {
            Ok(sig) => self.mac(parts).verify_slice(&sig).is_ok(),
            Err(_) => false,
        }
    }
}

#[cold]
fn unreachable_mac() -> ! {
    // HMAC takes keys of any size; this cannot happen.
    panic!("HMAC rejected its key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let s = Signer::new(b"secret".to_vec());
        let sig = s.sign(&["a", "b"]);
        assert!(s.verify(&["a", "b"], &sig));
        assert!(!s.verify(&["a", "c"], &sig));
        assert!(!s.verify(&["a", "b"], "zz"));
        assert!(!Signer::new(b"other".to_vec()).verify(&["a", "b"], &sig));
    }
}
