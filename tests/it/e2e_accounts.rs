//! End to end: the account round (sign up, confirm the address from the mail,
//! log in, log out, reset the password from the mail, log in with the new one)
//! over real HTTP against gunicorn with production settings, as a browser
//! behind an HTTPS proxy does it: forms with their CSRF tokens, an `Origin`
//! header, cookies that must be `Secure`, and `X-Forwarded-Proto: https`.
//! The site's mail goes to files (`EMAIL_URL=filemail:///...`), where the test
//! reads the links.

use std::path::Path;

use crate::support::browser::{self, Browser};
use crate::support::e2e::{gunicorn, mail_to_files, run, Env, Project};

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
    let (mail_dir, email_url) = mail_to_files(&project);
    let (_server, port) = gunicorn(&env, &[("WEB_CONCURRENCY", "1"), ("EMAIL_URL", &email_url)]);
    let mut browser = Browser::new(port, HOST);

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
    log_in(&mut browser, FIRST_PASSWORD);
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
    log_in(&mut browser, NEW_PASSWORD);

    // The old password no longer works.
    browser.submit_form_on("/", "/accounts/logout/", &[]);
    let refused = browser.submit(
        "/accounts/login/",
        &[("login", EMAIL), ("password", FIRST_PASSWORD)],
    );
    assert_eq!(refused.status, 200, "{refused:?}");
    assert!(!browser.logged_in_as(EMAIL));
}

/// The path of the last https:// link to the site in the mail that contains
/// `marker`: production settings make the links absolute and https://.
fn last_link(mail_dir: &Path, marker: &str) -> String {
    browser::last_link(mail_dir, &format!("https://{HOST}"), marker)
}

fn log_in(browser: &mut Browser, password: &str) {
    let done = browser.log_in(EMAIL, password);
    assert_eq!(done.location(), "/", "{done:?}");
    assert!(browser.logged_in_as(EMAIL));
}
