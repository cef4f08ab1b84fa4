//! Where the two APIs live on a server, from the URL a user gives.

use super::super::BackendError;

/// The legacy endpoint and the REST base of one server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `scheme://host[:port]/api/` (the path as given when it has one).
    pub legacy: String,
    /// `scheme://host[:port]/api/v2`.
    pub rest: String,
    /// `host[:port]` exactly as the URL names it: what signatures cover.
    pub signed_host: String,
    /// The legacy endpoint's path, as signed.
    pub path: String,
    /// `scheme://host[:port]/debarchive/v1beta1`: Landscape 26.04's
    /// repository service, beside the APIs.
    pub debarchive: String,
}

impl Endpoints {
    pub fn parse(url: &str) -> Result<Endpoints, BackendError> {
        let url = url.trim();
        let (scheme, rest) = url
            .split_once("://")
            .filter(|(s, _)| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
            .ok_or_else(|| {
                BackendError::Setup(format!("URL must start with http:// or https://: {url}"))
            })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.is_empty() {
            return Err(BackendError::Setup(format!("URL names no host: {url}")));
        }
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = if path.is_empty() || path == "/" {
            "/api/".to_owned()
        } else {
            path.to_owned()
        };
        let origin = format!("{}://{authority}", scheme.to_ascii_lowercase());
        // The REST API's own URL (`/api/v2/`, as Landscape's REST docs give
        // it) names the same server: the legacy endpoint is its parent.
        let path = match path.trim_end_matches('/').strip_suffix("/v2") {
            Some(parent) => format!("{parent}/"),
            None => path,
        };
        // REST v2 sits beside the legacy endpoint: `/api/` → `/api/v2`.
        let rest_base = format!("{origin}{}/v2", path.trim_end_matches('/'));
        let prefix = path
            .trim_end_matches('/')
            .strip_suffix("/api")
            .unwrap_or("");
        Ok(Endpoints {
            debarchive: format!("{origin}{prefix}/debarchive/v1beta1"),
            legacy: format!("{origin}{path}"),
            rest: rest_base,
            signed_host: authority.to_owned(),
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_client_uri() {
        let e = Endpoints::parse("https://landscape.example.com/api/").unwrap();
        assert_eq!(e.legacy, "https://landscape.example.com/api/");
        assert_eq!(e.rest, "https://landscape.example.com/api/v2");
        assert_eq!(e.signed_host, "landscape.example.com");
        assert_eq!(e.path, "/api/");
        assert_eq!(
            e.debarchive,
            "https://landscape.example.com/debarchive/v1beta1"
        );
    }

    #[test]
    fn bare_host_with_port() {
        let e = Endpoints::parse("http://127.0.0.1:9091").unwrap();
        assert_eq!(e.legacy, "http://127.0.0.1:9091/api/");
        assert_eq!(e.rest, "http://127.0.0.1:9091/api/v2");
        assert_eq!(e.signed_host, "127.0.0.1:9091");
    }

    #[test]
    fn path_without_slash_is_signed_as_given() {
        let e = Endpoints::parse("https://h/api").unwrap();
        assert_eq!(e.path, "/api");
        assert_eq!(e.rest, "https://h/api/v2");
    }

    #[test]
    fn the_rest_apis_own_url_names_the_same_server() {
        for url in ["https://h/api/v2/", "https://h/api/v2"] {
            let e = Endpoints::parse(url).unwrap();
            assert_eq!(e.rest, "https://h/api/v2", "{url}");
            assert_eq!(e.legacy, "https://h/api/", "{url}");
            assert_eq!(e.path, "/api/", "{url}");
        }
    }

    #[test]
    fn rejects_other_schemes() {
        assert!(Endpoints::parse("ftp://h/api/").is_err());
        assert!(Endpoints::parse("https:///api/").is_err());
    }
}
