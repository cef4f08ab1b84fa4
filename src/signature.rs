//! Version 2 signatures of Landscape's legacy API (HMAC-SHA256).
//!
//! Shared by the HTTP client (which signs) and `serve` (which verifies), so
//! both sides compute the string to sign with the very same code.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;

/// RFC 3986: everything but the unreserved `A-Z a-z 0-9 - _ . ~` is encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The signature itself is sent with `/` kept, as the official client does.
const SIGNATURE_VALUE: &AsciiSet = &RFC3986.remove(b'/');

pub const SIGNATURE_METHOD: &str = "HmacSHA256";
pub const SIGNATURE_VERSION: &str = "2";
/// Timestamps in signed requests: UTC, to the second.
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Percent-encodes one key or value as RFC 3986 (`%20` for a space).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Every parameter except `signature`, encoded, sorted by encoded key, joined.
pub fn canonical_params<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_ref() != "signature")
        .map(|(k, v)| (encode(k.as_ref()), encode(v.as_ref())))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// What a request is signed against: the method, the `Host` as addressed
/// (with `:port` only when the URL named one) and the URL's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTarget<'a> {
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
}

impl SignedTarget<'_> {
    pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(&self, params: &[(K, V)]) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.method.to_ascii_uppercase(),
            self.host,
            self.path,
            canonical_params(params)
        )
    }

    /// The base64 signature of `params` under `secret`.
    pub fn sign<K: AsRef<str>, V: AsRef<str>>(&self, secret: &str, params: &[(K, V)]) -> String {
        BASE64.encode(self.mac(secret, params).finalize().into_bytes())
    }

    /// The form body (or query string) to send: the canonical parameters
    /// followed by `signature=`.
    pub fn signed_body<K: AsRef<str>, V: AsRef<str>>(
        &self,
        secret: &str,
        params: &[(K, V)],
    ) -> String {
        let signature = self.sign(secret, params);
        let joined = canonical_params(params);
        let signature = utf8_percent_encode(&signature, SIGNATURE_VALUE);
        if joined.is_empty() {
            format!("signature={signature}")
        } else {
            format!("{joined}&signature={signature}")
        }
    }

    /// Checks `signature` (base64, already percent-decoded) in constant time.
    pub fn verify<K: AsRef<str>, V: AsRef<str>>(
        &self,
        secret: &str,
        params: &[(K, V)],
        signature: &str,
    ) -> bool {
        let Ok(given) = BASE64.decode(signature.trim()) else {
            return false;
        };
        self.mac(secret, params).verify_slice(&given).is_ok()
    }

    fn mac<K: AsRef<str>, V: AsRef<str>>(&self, secret: &str, params: &[(K, V)]) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .expect("HMAC-SHA256 accepts any key length");
        mac.update(self.string_to_sign(params).as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_rfc3986() {
        assert_eq!(encode("a b:c@d/e~f"), "a%20b%3Ac%40d%2Fe~f");
        assert_eq!(encode("café"), "caf%C3%A9");
    }

    #[test]
    fn sorts_by_encoded_key_as_text() {
        let p = [("name.2", "b"), ("name.10", "c"), ("name.1", "a")];
        assert_eq!(canonical_params(&p), "name.1=a&name.10=c&name.2=b");
    }

    #[test]
    fn verify_rejects_garbage_without_panicking() {
        let t = SignedTarget {
            method: "POST",
            host: "h",
            path: "/api/",
        };
        let p = [("action", "GetActivities")];
        let good = t.sign("s", &p);
        assert!(t.verify("s", &p, &good));
        assert!(!t.verify("other", &p, &good));
        assert!(!t.verify("s", &p, "%%%not base64"));
        assert!(!t.verify("s", &p, ""));
    }
}
