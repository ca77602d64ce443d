//! End to end: the account round (sign up, confirm the address from the mail,
//! log in, log out, reset the password from the mail, log in with the new one)
//! over real HTTP against gunicorn with production settings, as a browser
//! behind an HTTPS proxy does it: forms with their CSRF tokens, an `Origin`
//! header, cookies that must be `Secure`, and `X-Forwarded-Proto: https`.
//! The site's mail goes to files (`EMAIL_URL=filemail:///...`), where the test
//! reads the links.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::e2e::{free_port, request, run, Env, Project, Response, Server};

const HOST: &str = "example.com";
const EMAIL: &str = "ada@example.com";
const FIRST_PASSWORD: &str = "correct-horse-battery-staple-1";
const NEW_PASSWORD: &str = "a-new-and-unusual-passphrase-2";

#[test]
fn sign_up_confirm_log_in_log_out_and_reset_over_https() {
    let project = Project::generate("accounts-demo");
    let env = Env::uv_sync(&project, "3.13");
    run(env.manage(&["migrate", "--noinput"]));
    // As the Dockerfile does: base settings, which need no secret.
    run(env
        .manage(&["collectstatic", "--noinput"])
        .env("DJANGO_SETTINGS_MODULE", "config.settings.base"));
    let mail_dir = project.dir.join("sent-mail");
    // Four slashes: an absolute path (filemail:///sent-mail is relative).
    let email_url = format!("filemail:///{}", mail_dir.display());
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server::start(
        &env,
        &["gunicorn"],
        &[
            ("GUNICORN_BIND", &bind),
            ("WEB_CONCURRENCY", "1"),
            ("EMAIL_URL", &email_url),
        ],
    );
    server.wait_for(port);
    let mut browser = Browser::new(port);

    // Sign up: no session yet, a confirmation link by mail instead.
    let done = browser.submit(
        "/accounts/signup/",
        &[
            ("email", EMAIL),
            ("password1", FIRST_PASSWORD),
            ("password2", FIRST_PASSWORD),
        ],
    );
    assert_eq!(done.location(), "/accounts/confirm-email/", "{done:?}");
    assert!(!browser.logged_in_as(EMAIL));
    let confirm = last_link(&mail_dir, "/accounts/confirm-email/");

    // Confirming logs in, in the browser that signed up.
    let done = browser.submit(&confirm, &[]);
    assert_eq!(done.location(), "/", "{done:?}");
    assert!(browser.logged_in_as(EMAIL));
    browser.assert_cookies_are_secure(&["csrftoken", "sessionid"]);

    // Log out with the layout's POST button.
    let done = browser.submit_form_on("/", "/accounts/logout/", &[]);
    assert_eq!(done.location(), "/", "{done:?}");
    assert!(!browser.logged_in_as(EMAIL));

    // Log in by email address.
    browser.log_in(FIRST_PASSWORD);
    browser.submit_form_on("/", "/accounts/logout/", &[]);

    // Forgotten password: a reset link by mail, then a new password.
    let done = browser.submit("/accounts/password/reset/", &[("email", EMAIL)]);
    assert_eq!(
        done.location(),
        "/accounts/password/reset/done/",
        "{done:?}"
    );
    let reset = last_link(&mail_dir, "/accounts/password/reset/key/");
    // allauth moves the key from the URL into the session before the form.
    let moved = browser.get(&reset);
    assert_eq!(moved.status, 302, "{moved:?}");
    let done = browser.submit(
        moved.location(),
        &[("password1", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
    );
    assert_eq!(
        done.location(),
        "/accounts/password/reset/key/done/",
        "{done:?}"
    );
    browser.log_in(NEW_PASSWORD);

    // The old password no longer works.
    browser.submit_form_on("/", "/accounts/logout/", &[]);
    let refused = browser.submit(
        "/accounts/login/",
        &[("login", EMAIL), ("password", FIRST_PASSWORD)],
    );
    assert_eq!(refused.status, 200, "{refused:?}");
    assert!(!browser.logged_in_as(EMAIL));
}

/// The path of the last link in the mail sent so far that contains `marker`;
/// links are absolute and https://, as production settings make them.
fn last_link(mail_dir: &Path, marker: &str) -> String {
    let mut files: Vec<PathBuf> = fs::read_dir(mail_dir)
        .unwrap_or_else(|err| panic!("no mail in {}: {err}", mail_dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let mail: String = files
        .iter()
        .map(|file| fs::read_to_string(file).unwrap())
        .collect();
    let prefix = format!("https://{HOST}");
    mail.split_whitespace()
        .rfind(|word| word.starts_with(&prefix) && word.contains(marker))
        .unwrap_or_else(|| panic!("no {prefix}...{marker} link in the mail:\n{mail}"))
        [prefix.len()..]
        .to_owned()
}

impl Response {
    fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }
}

/// Just enough of a browser behind an HTTPS proxy: cookies, forms with their
/// CSRF token, and the headers the proxy and the browser add.
struct Browser {
    port: u16,
    cookies: BTreeMap<String, String>,
    /// The attributes each cookie was last set with, e.g. "Secure; HttpOnly".
    attributes: BTreeMap<String, String>,
}

impl Browser {
    fn new(port: u16) -> Browser {
        Browser {
            port,
            cookies: BTreeMap::new(),
            attributes: BTreeMap::new(),
        }
    }

    fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, "")
    }

    /// Loads the form at `path` and submits it with `fields`.
    fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.submit_form_on(path, path, fields)
    }

    /// Loads `page`, takes the CSRF token of its form, and posts `fields` to
    /// `action`, as a click on that form's button does.
    fn submit_form_on(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let form = self.get(page);
        assert_eq!(form.status, 200, "GET {page}: {form:?}");
        let marker = r#"name="csrfmiddlewaretoken" value=""#;
        let start = form
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF token on {page}:\n{}", form.body))
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

    fn log_in(&mut self, password: &str) {
        let done = self.submit(
            "/accounts/login/",
            &[("login", EMAIL), ("password", password)],
        );
        assert_eq!(done.location(), "/", "{done:?}");
        assert!(self.logged_in_as(EMAIL));
    }

    /// Whether the layout shows `email` as the logged-in user.
    fn logged_in_as(&mut self, email: &str) -> bool {
        let home = self.get("/");
        assert_eq!(home.status, 200, "{home:?}");
        home.body.contains(email) && home.body.contains("Log out")
    }

    fn assert_cookies_are_secure(&self, names: &[&str]) {
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

    fn send(&mut self, method: &str, path: &str, body: &str) -> Response {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let cookie = cookie.join("; ");
        let origin = format!("https://{HOST}");
        let referer = format!("{origin}{path}");
        let mut headers = vec![("X-Forwarded-Proto", "https")];
        if !cookie.is_empty() {
            headers.push(("Cookie", &cookie));
        }
        if method == "POST" {
            headers.push(("Origin", &origin));
            headers.push(("Referer", &referer));
        }
        let response = request(self.port, method, path, HOST, &headers, body);
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

/// application/x-www-form-urlencoded, for the ASCII values these tests send.
fn form_encode(value: &str) -> String {
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
