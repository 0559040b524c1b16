//! Masking and fingerprints. A secret is shown as provider + first 4 characters + length;
//! a PAN as first 6 and last 4 digits at most (PCI DSS 3.4.1). The fingerprint is a keyed
//! hash (HMAC-SHA-256, PCI DSS 3.5.1 "keyed cryptographic hash") so a finding can be
//! tracked and suppressed across scans without storing the value; the key is secret, so
//! the fingerprint of a PAN cannot be brute-forced from its visible digits.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// Secret key of the fingerprint HMAC.
#[derive(Clone)]
pub struct FingerprintKey(Vec<u8>);

impl std::fmt::Debug for FingerprintKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FingerprintKey(..)")
    }
}

impl FingerprintKey {
    #[must_use]
    pub fn new(key: &[u8]) -> Self {
        Self(key.to_vec())
    }

    /// The key from `CDEGUARD_FINGERPRINT_KEY`, else from the key file
    /// (`$XDG_DATA_HOME/cdeguard/fingerprint.key`, created with 32 random bytes and mode
    /// 0600 on first use). Falls back to a per-process random key when neither works, so
    /// fingerprints are then valid for one run only.
    #[must_use]
    pub fn load_or_create() -> Self {
        if let Some(key) = std::env::var("CDEGUARD_FINGERPRINT_KEY")
            .ok()
            .filter(|k| !k.is_empty())
        {
            return Self(key.into_bytes());
        }
        let dir = std::env::var_os("XDG_DATA_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/share"))
            })
            .map(|d| d.join("cdeguard"));
        if let Some(dir) = dir {
            let path = dir.join("fingerprint.key");
            if let Some(key) = std::fs::read(&path).ok().filter(|k| k.len() >= 16) {
                return Self(key);
            }
            let key = random_bytes();
            if std::fs::create_dir_all(&dir).is_ok() && write_private(&path, &key).is_ok() {
                return Self(key);
            }
        }
        Self(random_bytes())
    }

    /// Hex fingerprint of `value` found by detector `kind`.
    #[must_use]
    pub fn fingerprint(&self, kind: &str, value: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        let digest = mac.finalize().into_bytes();
        cdeguard_model::hex(&digest[..16])
    }
}

fn random_bytes() -> Vec<u8> {
    use std::io::Read as _;
    let mut key = vec![0u8; 32];
    let filled = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if filled.is_err() {
        // No urandom: mix time and address entropy; still unpredictable enough for a
        // per-run key that is never persisted.
        let seed = format!("{:?}{:p}", std::time::SystemTime::now(), &key);
        key = <Sha256 as sha2::Digest>::digest(seed.as_bytes()).to_vec();
    }
    key
}

fn write_private(path: &std::path::Path, key: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(key)
}

/// `Stripe sk_l… (32 chars)`: provider, first 4 characters, length.
#[must_use]
pub fn mask_secret(provider: &str, value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let first: String = text.chars().take(4).collect();
    format!("{provider} {first}… ({} chars)", text.chars().count())
}

/// `424242******4242`: first 6 and last 4 digits, the rest masked.
#[must_use]
pub fn mask_pan(digits: &str) -> String {
    let n = digits.len();
    if n < 10 {
        return "*".repeat(n);
    }
    format!("{}{}{}", &digits[..6], "*".repeat(n - 10), &digits[n - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_pci_allows() {
        assert_eq!(mask_pan("4242424242424242"), "424242******4242");
        assert_eq!(mask_pan("378282246310005"), "378282*****0005");
        assert_eq!(
            mask_secret("Stripe", b"sk_live_abcdefghijkl"),
            "Stripe sk_l… (20 chars)"
        );
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        let a = FingerprintKey::new(b"k1");
        let b = FingerprintKey::new(b"k2");
        assert_eq!(
            a.fingerprint("pan", b"4242424242424242"),
            a.fingerprint("pan", b"4242424242424242")
        );
        assert_ne!(
            a.fingerprint("pan", b"4242424242424242"),
            b.fingerprint("pan", b"4242424242424242")
        );
        assert_ne!(a.fingerprint("pan", b"x"), a.fingerprint("jwt", b"x"));
        assert_eq!(a.fingerprint("pan", b"x").len(), 32);
    }
}
