//! Every vector of the reference file: our signer reproduces the body byte
//! for byte, our verifier accepts it, and rejects it with any byte of the
//! signature changed.

use landscape_tui::signature::SignedTarget;
use percent_encoding::percent_decode_str;
use serde_json::Value;

struct Vector {
    note: String,
    method: String,
    host: String,
    path: String,
    secret: String,
    /// The parameters as sent, decoded, in the order sent (signature last).
    params: Vec<(String, String)>,
    /// The body (POST) or query string (GET) as sent.
    sent: String,
}

fn vectors() -> Vec<Vector> {
    let path = format!(
        "{}/tests/fixtures/legacy-signature-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let all: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.iter()
        .map(|v| {
            let method = v["method"].as_str().unwrap().to_string();
            let url = v["request_url"]
                .as_str()
                .or(v["uri"].as_str())
                .unwrap()
                .to_string();
            let (base, query) = url.split_once('?').unwrap_or((&url, ""));
            let sent = match v["post_body"].as_str() {
                Some(body) => body.to_string(),
                None => query.to_string(),
            };
            let after_scheme = base.split_once("://").unwrap().1;
            let path = after_scheme
                .find('/')
                .map(|i| &after_scheme[i..])
                .unwrap_or("/");
            let params = sent
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    let dec = |s: &str| percent_decode_str(s).decode_utf8().unwrap().into_owned();
                    (dec(k), dec(v))
                })
                .collect();
            Vector {
                note: v["note"].as_str().unwrap_or_default().to_string(),
                method,
                host: v["host_header"].as_str().unwrap().to_string(),
                path: path.to_string(),
                secret: v["secret_key"].as_str().unwrap().to_string(),
                params,
                sent,
            }
        })
        .collect()
}

fn target(v: &Vector) -> SignedTarget<'_> {
    SignedTarget {
        method: &v.method,
        host: &v.host,
        path: &v.path,
    }
}

fn unsigned(v: &Vector) -> Vec<(String, String)> {
    v.params
        .iter()
        .filter(|(k, _)| k != "signature")
        .cloned()
        .collect()
}

fn signature(v: &Vector) -> String {
    v.params
        .iter()
        .find(|(k, _)| k == "signature")
        .unwrap()
        .1
        .clone()
}

#[test]
fn there_are_eleven_vectors() {
    assert_eq!(vectors().len(), 11);
}

#[test]
fn signer_reproduces_every_body_byte_for_byte() {
    for v in vectors() {
        let body = target(&v).signed_body(&v.secret, &unsigned(&v));
        assert_eq!(body, v.sent, "{}", v.note);
    }
}

#[test]
fn verifier_accepts_every_vector() {
    for v in vectors() {
        assert!(
            target(&v).verify(&v.secret, &unsigned(&v), &signature(&v)),
            "{}",
            v.note
        );
    }
}

#[test]
fn verifier_rejects_any_changed_byte_of_the_signature() {
    for v in vectors() {
        let sig = signature(&v);
        for i in 0..sig.len() {
            let mut bytes = sig.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            if changed == sig {
                continue;
            }
            assert!(
                !target(&v).verify(&v.secret, &unsigned(&v), &changed),
                "{}: byte {i} changed still verified",
                v.note
            );
        }
    }
}

#[test]
fn verifier_rejects_a_changed_parameter_host_or_secret() {
    for v in vectors() {
        let sig = signature(&v);
        let mut params = unsigned(&v);
        params.push(("extra".into(), "1".into()));
        assert!(!target(&v).verify(&v.secret, &params, &sig), "{}", v.note);
        let other_host = SignedTarget {
            host: "evil.example.com",
            ..target(&v)
        };
        assert!(!other_host.verify(&v.secret, &unsigned(&v), &sig));
        assert!(!target(&v).verify("wrong", &unsigned(&v), &sig));
    }
}
