//! [`Request`]: one API call described as data (method, path, query, body, whether it needs the
//! session), built by the screens and sent by the runner through [`super::Api::send`].
//!
//! Describing calls as data keeps screens free of HTTP and lets the App decide *when* a call
//! goes out: while the client is locked, calls wait and are sent after the unlock with the new
//! token (the App puts the session's token in at dispatch, never the screen). Bodies are
//! serialised once, straight from borrowed fields, into a buffer that is wiped when dropped, so
//! a password is never copied into a `serde_json::Value` or a `String` on the way; the copy
//! handed to reqwest is wiped when reqwest drops it (`api::Api::send`).

use serde::Serialize;
use serde::ser::SerializeMap;
use zeroize::Zeroizing;

use super::{MAX_REPORT_BYTES, MAX_RESPONSE_BYTES};

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One call to the API.
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path under `/api/v1`, e.g. `/incidents`.
    pub path: String,
    /// Query pairs (encoded when sent).
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, wiped on drop.
    pub body: Option<Zeroizing<Vec<u8>>>,
    /// The call is made with the session's bearer token (added by the App at dispatch).
    pub session: bool,
    /// The most the reply may weigh, in bytes ([`MAX_RESPONSE_BYTES`] unless [`Request::report`]).
    pub max_bytes: usize,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the body (passwords, codes) nor the query (a cursor, a search for a name).
        f.write_str(&self.line())
    }
}

/// The fields of a small JSON object, written without copying them (see the module doc). A
/// `None` value leaves the field out.
struct Fields<'a>(&'a [(&'a str, Option<&'a str>)]);

impl Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let present: Vec<_> = self.0.iter().filter_map(|(k, v)| v.map(|v| (*k, v))).collect();
        let mut map = serializer.serialize_map(Some(present.len()))?;
        for (k, v) in present {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            session: false,
            max_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Request {
        Request::new(Method::Get, path)
    }

    /// `POST path` with the body `{}`.
    pub fn post(path: impl Into<String>) -> Request {
        Request::new(Method::Post, path).fields(&[])
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Request {
        Request::new(Method::Put, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Request {
        Request::new(Method::Delete, path)
    }

    /// Sent with the session's token.
    pub fn session(mut self) -> Request {
        self.session = true;
        self
    }

    /// A report, whose reply may weigh up to [`MAX_REPORT_BYTES`]: a trust's table of 100,000
    /// individuals is about 6 MB.
    pub fn report(mut self) -> Request {
        self.max_bytes = MAX_REPORT_BYTES;
        self
    }

    /// Add a query pair.
    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Request {
        self.query.push((key, value.into()));
        self
    }

    /// The body: a JSON object of string fields (`None` fields left out).
    pub fn fields(mut self, fields: &[(&str, Option<&str>)]) -> Request {
        self.body = serde_json::to_vec(&Fields(fields)).ok().map(Zeroizing::new);
        self
    }

    /// The body: any serialisable value (records, not secrets: use [`Request::fields`] for
    /// those).
    pub fn json(mut self, body: &impl Serialize) -> Request {
        self.body = serde_json::to_vec(body).ok().map(Zeroizing::new);
        self
    }

    /// `METHOD /path`, as tests and `Debug` name a call.
    pub fn line(&self) -> String {
        format!("{} {}", self.method.name(), self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_written_as_one_object_and_debug_shows_only_the_line() {
        let r =
            Request::post("/auth/login").fields(&[("email", Some("a@b")), ("x", None), ("password", Some("pw\"1"))]);
        assert_eq!(
            String::from_utf8(r.body.as_ref().unwrap().to_vec()).unwrap(),
            r#"{"email":"a@b","password":"pw\"1"}"#
        );
        assert_eq!(format!("{r:?}"), "POST /auth/login");
        assert_eq!(
            Request::post("/auth/logout").body.as_deref().map(|b| b.as_slice()),
            Some(&b"{}"[..])
        );
        let q = Request::get("/incidents").query("since", "x").session();
        assert!(q.session && q.body.is_none() && q.query == [("since", "x".to_string())]);
    }
}
