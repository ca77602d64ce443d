//! Just enough of a browser behind an HTTPS proxy, for the end-to-end tests that
//! drive the generated site's pages: cookies, forms with their CSRF token, the
//! headers the proxy and the browser add, and the links in the site's mail.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::e2e::{request, Response};

impl Response {
    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }
}

/// One browser: its own cookies, and, when `client_ip` is set, the address the
/// proxy in front of the site saw it connect from (appended to X-Forwarded-For).
pub struct Browser {
    port: u16,
    pub host: String,
    /// What the proxy writes into X-Forwarded-For for this browser, e.g.
    /// "203.0.113.7", or "10.9.9.9, 203.0.113.7" when the client sent its own.
    pub forwarded_for: Option<String>,
    cookies: BTreeMap<String, String>,
    /// The attributes each cookie was last set with, e.g. "Secure; HttpOnly".
    attributes: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(port: u16, host: &str) -> Browser {
        Browser {
            port,
            host: host.to_owned(),
            forwarded_for: None,
            cookies: BTreeMap::new(),
            attributes: BTreeMap::new(),
        }
    }

    /// A browser at `client_ip`, as the proxy reports it.
    pub fn behind_proxy(port: u16, host: &str, client_ip: &str) -> Browser {
        let mut browser = Browser::new(port, host);
        browser.forwarded_for = Some(client_ip.to_owned());
        browser
    }

    pub fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, "")
    }

    /// Loads the form at `path` and submits it with `fields`.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.submit_form_on(path, path, fields)
    }

    /// Loads `page`, takes the CSRF token of its form, and posts `fields` to
    /// `action`, as a click on that form's button does.
    pub fn submit_form_on(
        &mut self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let form = self.get(page);
        assert_eq!(form.status, 200, "GET {page}: {form:?}");
        self.post_form(&form, action, fields)
    }

    /// Posts `fields` to `action` with the CSRF token of the `form` page already
    /// loaded, for a form that changes on every load (a new secret each time).
    pub fn post_form(
        &mut self,
        form: &Response,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let marker = r#"name="csrfmiddlewaretoken" value=""#;
        let start = form
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF token for {action}:\n{}", form.body))
            + marker.len();
        let token = form.body[start..].split('"').next().unwrap().to_owned();
        let mut body = format!("csrfmiddlewaretoken={token}");
        for (name, value) in fields {
            body.push_str(&format!("&{name}={}", form_encode(value)));
        }
        let response = self.send("POST", action, &body);
        assert!(
            response.status == 302 || response.status == 200,
            "POST {action}: {response:?}"
        );
        response
    }

    /// Logs in with the site's form; panics unless it lands on `then`.
    pub fn log_in(&mut self, email: &str, password: &str) -> Response {
        let done = self.submit(
            "/accounts/login/",
            &[("login", email), ("password", password)],
        );
        assert_eq!(done.status, 302, "log in as {email}: {done:?}");
        done
    }

    /// Whether the layout shows `email` as the logged-in user.
    pub fn logged_in_as(&mut self, email: &str) -> bool {
        let home = self.get("/");
        assert_eq!(home.status, 200, "{home:?}");
        home.body.contains(email) && home.body.contains("Log out")
    }

    pub fn assert_cookies_are_secure(&self, names: &[&str]) {
        for name in names {
            let attributes = self
                .attributes
                .get(*name)
                .unwrap_or_else(|| panic!("no {name} cookie: {:?}", self.attributes));
            let secure = attributes
                .split(';')
                .any(|part| part.trim().eq_ignore_ascii_case("secure"));
            assert!(secure, "{name} cookie without Secure: {attributes}");
        }
    }

    pub fn send(&mut self, method: &str, path: &str, body: &str) -> Response {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let cookie = cookie.join("; ");
        let origin = format!("https://{}", self.host);
        let referer = format!("{origin}{path}");
        let mut headers = vec![("X-Forwarded-Proto", "https")];
        if let Some(forwarded_for) = &self.forwarded_for {
            headers.push(("X-Forwarded-For", forwarded_for));
        }
        if !cookie.is_empty() {
            headers.push(("Cookie", &cookie));
        }
        if method == "POST" {
            headers.push(("Origin", &origin));
            headers.push(("Referer", &referer));
        }
        let response = request(self.port, method, path, &self.host, &headers, body);
        for (name, value) in &response.headers {
            if !name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (cookie_name, cookie_value) = pair.split_once('=').unwrap();
            let cookie_value = cookie_value.trim_matches('"');
            if cookie_value.is_empty() {
                self.cookies.remove(cookie_name);
            } else {
                self.cookies
                    .insert(cookie_name.to_owned(), cookie_value.to_owned());
            }
            self.attributes
                .insert(cookie_name.to_owned(), attributes.to_owned());
        }
        response
    }
}

/// Every message the site has written into `mail_dir` (EMAIL_URL=filemail:///...),
/// oldest first. Django's file backend names a file by the second and the id()
/// of the connection object, so within one second names do not sort by time:
/// the modification time orders the files, the name only breaks ties. A file
/// holds one or more messages, each followed by a line of 79 dashes.
pub fn messages(mail_dir: &Path) -> Vec<String> {
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = fs::read_dir(mail_dir)
        .unwrap_or_else(|err| panic!("no mail in {}: {err}", mail_dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (fs::metadata(&path).unwrap().modified().unwrap(), path)
        })
        .collect();
    files.sort();
    let separator = format!("\n{}\n", "-".repeat(79));
    files
        .iter()
        .flat_map(|(_, file)| {
            let text = fs::read_to_string(file).unwrap();
            text.split(&separator)
                .filter(|message| !message.trim().is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every mail the site has written into `mail_dir`, oldest first, as one text.
pub fn mail(mail_dir: &Path) -> String {
    messages(mail_dir).concat()
}

/// The path of the last link in the mail sent so far that starts with
/// `site_url` and contains `marker`.
pub fn last_link(mail_dir: &Path, site_url: &str, marker: &str) -> String {
    link_in(&mail(mail_dir), site_url, marker)
}

/// As `last_link`, among the messages addressed to `recipient` only: where
/// several people sign up, the newest mail need not be this one's.
pub fn last_link_to(mail_dir: &Path, site_url: &str, recipient: &str, marker: &str) -> String {
    let to = format!("\nTo: {recipient}\n");
    let theirs: String = messages(mail_dir)
        .into_iter()
        .filter(|message| message.contains(&to))
        .collect();
    link_in(&theirs, site_url, marker)
}

fn link_in(mail: &str, site_url: &str, marker: &str) -> String {
    mail.split_whitespace()
        .rfind(|word| word.starts_with(site_url) && word.contains(marker))
        .unwrap_or_else(|| panic!("no {site_url}...{marker} link in the mail:\n{mail}"))
        [site_url.len()..]
        .to_owned()
}

/// application/x-www-form-urlencoded, for the ASCII values these tests send.
pub fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
