//! End to end: the generated site under attack, over real HTTP against gunicorn
//! with three workers and production settings on PostgreSQL, behind a simulated
//! HTTPS proxy that appends the client's address to `X-Forwarded-For`
//! (`DJANGO_TRUSTED_PROXY_COUNT=1`).
//!
//! - Log-in limits hold across workers: 30 wrong passwords for one account, each
//!   from another address, and exactly the configured 5 are checked.
//! - The limit per client counts the client, not the proxy: an attacker who fails
//!   from one address (whatever it writes into X-Forwarded-For itself) is stopped
//!   after 10, and a real user from another address still logs in. Without
//!   the setting, the header is ignored: all 13 claimed addresses count as one.
//! - The admin has no door of its own: it sends visitors to the site's log-in,
//!   and staff reach it only after setting up two-factor log-in, as README.md
//!   tells the first superuser to; the next log-in asks for the second factor.
//! - Every page type (home, log-in, sign-up, the MFA pages, the admin) carries the
//!   Content-Security-Policy and Permissions-Policy headers and has no inline
//!   script or style that the policy would block; every static file it names
//!   loads. (Checked in the HTML, not in a browser.)
//! - Account links carry their token past gunicorn's access log, redacted.
//! - Mail names the site by its name and DJANGO_SITE_URL, not the request's host.
//! - A failing health check is logged and not mailed to the admins.

use std::fs;
use std::path::Path;

use crate::support::browser::{self, mail, Browser};
use crate::support::e2e::{
    free_port, get, production, run, Env, Postgres, Project, Response, Server, TEST_ADMIN_URL,
};

const HOST: &str = "example.com";
/// Where the site says it lives: mail links must use it, not the request's host.
const SITE_URL: &str = "https://www.example.com";
const PASSWORD: &str = "correct-horse-battery-staple-1";
const STAFF: &str = "boss@example.com";
/// The limits the starter configures (ACCOUNT_RATE_LIMITS in base.py).
const PER_ACCOUNT: usize = 5;
const PER_CLIENT: usize = 10;

const NOT_CORRECT: &str = "The email address and/or password you specified are not correct.";
const TOO_MANY: &str = "Too many failed login attempts. Try again later.";

#[test]
fn production_holds_under_attack_behind_a_proxy() {
    let project = Project::generate("guarded");
    let env = Env::uv_sync(&project, "3.13");
    let postgres = Postgres::start();
    let database = postgres.url();
    // Production's own migrate: it creates the cache table too.
    run(production(env.manage(&["migrate", "--noinput"])).env("DATABASE_URL", &database));
    run(env
        .manage(&["collectstatic", "--noinput"])
        .env("DJANGO_SETTINGS_MODULE", "config.settings.base"));
    run(production(env.manage(&[
        "shell",
        "--command",
        &format!(
            "from django.core.cache import cache; cache.set('k', 1); \
             from django.db import connection; \
             assert 'django_cache' in connection.introspection.table_names(); \
             from allauth.account.models import EmailAddress; \
             from django.contrib.auth import get_user_model; \
             [EmailAddress.objects.create(user=get_user_model().objects.create_user(\
             e.split('@')[0], e, '{PASSWORD}'), email=e, verified=True, primary=True) \
             for e in ('ada@example.com', 'victim@example.com')]"
        ),
    ]))
    .env("DATABASE_URL", &database));
    // The first superuser, made the way README.md says.
    run(production(env.manage(&["createsuperuser", "--noinput"]))
        .env("DATABASE_URL", &database)
        .env("DJANGO_SUPERUSER_USERNAME", "boss")
        .env("DJANGO_SUPERUSER_EMAIL", STAFF)
        .env("DJANGO_SUPERUSER_PASSWORD", PASSWORD));

    let mail_dir = project.dir.join("sent-mail");
    fs::create_dir(&mail_dir).unwrap();
    let email_url = format!("filemail:///{}", mail_dir.display());
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server::start(
        &env,
        // The worker's pid in each access line, to see that all three served.
        &[
            "gunicorn",
            "--access-logformat",
            "pid=%(p)s \"%(r)s\" %(s)s",
        ],
        &[
            ("GUNICORN_BIND", &bind),
            ("WEB_CONCURRENCY", "3"),
            ("DATABASE_URL", &database),
            ("EMAIL_URL", &email_url),
            ("DJANGO_ALLOWED_HOSTS", "example.com,www.example.com"),
            ("DJANGO_SITE_URL", SITE_URL),
            ("DJANGO_TRUSTED_PROXY_COUNT", "1"),
            ("DJANGO_ADMINS", "ops@example.com"),
        ],
    );
    server.wait_for(port);

    account_limit_holds_across_workers(port, &server.log);
    client_limit_counts_clients_not_the_proxy(port);
    let pages = admin_needs_the_sites_login_and_a_second_factor(&env, port, &mail_dir);
    for (path, page) in &pages {
        headers_and_html_obey_the_policy(port, path, page);
    }
    account_mail_names_the_site_and_keeps_tokens_out_of_the_log(port, &mail_dir, &server.log);
    forwarded_for_is_ignored_unless_a_proxy_is_trusted(&env, &database, &email_url);

    // The database goes away: probes fail, the log says why, nobody is mailed.
    let mails_before = fs::read_dir(&mail_dir).unwrap().count();
    drop(postgres);
    let probe = get(port, "/healthz/", "10.0.0.1", &[]);
    assert_eq!(probe.status, 503, "{probe:?}");
    let log = server.log.clone();
    drop(server);
    let log = fs::read_to_string(log).unwrap();
    assert!(log.contains("Health check failed"), "{log}");
    assert_eq!(fs::read_dir(&mail_dir).unwrap().count(), mails_before);
}

/// 30 wrong passwords for one account, each from another client address so that
/// only the account's own limit applies, spread over the workers.
fn account_limit_holds_across_workers(port: u16, log: &Path) {
    let mut checked = 0;
    let mut refused = 0;
    for i in 0..30 {
        let mut client = Browser::behind_proxy(port, HOST, &format!("203.0.113.{}", i + 1));
        let answer = client.submit(
            "/accounts/login/",
            &[("login", "victim@example.com"), ("password", "wrong-guess")],
        );
        assert_eq!(answer.status, 200, "{answer:?}");
        match (
            answer.body.contains(NOT_CORRECT),
            answer.body.contains(TOO_MANY),
        ) {
            (true, false) => checked += 1,
            (false, true) => refused += 1,
            _ => panic!("neither checked nor refused: {answer:?}"),
        }
    }
    assert_eq!((checked, refused), (PER_ACCOUNT, 30 - PER_ACCOUNT));
    // The counter was shared: more than one worker answered those log-ins.
    let log = fs::read_to_string(log).unwrap();
    let mut pids: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("POST /accounts/login/"))
        .filter_map(|line| line.split("pid=").nth(1)?.split(' ').next())
        .collect();
    pids.sort();
    pids.dedup();
    assert!(
        pids.len() > 1,
        "one worker served every log-in: {pids:?}\n{log}"
    );
}

fn client_limit_counts_clients_not_the_proxy(port: u16) {
    // The attacker writes an X-Forwarded-For of its own each time; the proxy
    // appends the address it really came from, and only that one counts.
    let mut checked = 0;
    for i in 0..PER_CLIENT + 5 {
        let spoofed = format!("10.0.{i}.1, 198.51.100.66");
        let mut attacker = Browser::behind_proxy(port, HOST, &spoofed);
        let answer = attacker.submit(
            "/accounts/login/",
            &[
                ("login", &format!("nobody{i}@example.com")),
                ("password", "wrong-guess"),
            ],
        );
        if answer.body.contains(NOT_CORRECT) {
            checked += 1;
        } else {
            assert!(answer.body.contains(TOO_MANY), "{answer:?}");
        }
    }
    assert_eq!(checked, PER_CLIENT);
    // Everybody else is still welcome...
    let mut ada = Browser::behind_proxy(port, HOST, "192.0.2.7");
    let done = ada.log_in("ada@example.com", PASSWORD);
    assert_eq!(done.location(), "/", "{done:?}");
    assert!(ada.logged_in_as("ada@example.com"));
    // ... and the attacker's address stays refused, even with a right password.
    let mut attacker = Browser::behind_proxy(port, HOST, "198.51.100.66");
    let answer = attacker.submit(
        "/accounts/login/",
        &[("login", "ada@example.com"), ("password", PASSWORD)],
    );
    assert!(answer.body.contains(TOO_MANY), "{answer:?}");
}

/// The same site without DJANGO_TRUSTED_PROXY_COUNT: X-Forwarded-For is
/// anybody's to write, so it is ignored and every request counts as coming from
/// the connection's address, whatever the header claims.
fn forwarded_for_is_ignored_unless_a_proxy_is_trusted(
    env: &Env<'_>,
    database: &str,
    email_url: &str,
) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server::start(
        env,
        &["gunicorn"],
        &[
            ("GUNICORN_BIND", &bind),
            ("WEB_CONCURRENCY", "1"),
            ("DATABASE_URL", database),
            ("EMAIL_URL", email_url),
        ],
    );
    server.wait_for(port);
    let mut checked = 0;
    for i in 0..PER_CLIENT + 3 {
        let mut client = Browser::behind_proxy(port, HOST, &format!("192.0.2.{}", 100 + i));
        let answer = client.submit(
            "/accounts/login/",
            &[
                ("login", &format!("someone{i}@example.com")),
                ("password", "wrong-guess"),
            ],
        );
        if answer.body.contains(NOT_CORRECT) {
            checked += 1;
        } else {
            assert!(answer.body.contains(TOO_MANY), "{answer:?}");
        }
    }
    assert_eq!(checked, PER_CLIENT);
}

/// Follows README.md's first-superuser steps; returns the pages seen on the way,
/// for the policy checks.
fn admin_needs_the_sites_login_and_a_second_factor(
    env: &Env<'_>,
    port: u16,
    mail_dir: &Path,
) -> Vec<(String, Response)> {
    let admin = format!("/{TEST_ADMIN_URL}");
    let mut pages = Vec::new();
    let mut boss = Browser::behind_proxy(port, HOST, "192.0.2.50");
    let mut visit = |browser: &mut Browser, path: &str| -> Response {
        let page = browser.get(path);
        pages.push((path.to_owned(), page.clone()));
        page
    };

    // Nobody sees the admin's path on a public page.
    for path in ["/", "/accounts/login/", "/accounts/signup/"] {
        let page = visit(&mut boss, path);
        assert_eq!(page.status, 200, "{page:?}");
        assert!(
            !page.body.contains(TEST_ADMIN_URL),
            "{path} shows the admin"
        );
    }
    // The admin's own log-in page sends visitors to the site's.
    let to_login = boss.get(&format!("{admin}login/"));
    assert_eq!(to_login.status, 302, "{to_login:?}");
    assert!(
        to_login.location().starts_with("/accounts/login/?next="),
        "{to_login:?}"
    );

    // The superuser's address is confirmed by mail first, then they are in.
    let first = boss.log_in(STAFF, PASSWORD);
    assert_eq!(first.location(), "/accounts/confirm-email/", "{first:?}");
    let confirm = browser::last_link(mail_dir, SITE_URL, "/accounts/confirm-email/");
    let confirmed = boss.submit(&confirm, &[]);
    assert_eq!(confirmed.status, 302, "{confirmed:?}");

    // Staff without a second factor are sent to set one up.
    let refused = boss.get(&admin);
    assert_eq!(refused.location(), "/accounts/2fa/", "{refused:?}");
    visit(&mut boss, "/accounts/2fa/");
    let activate = "/accounts/2fa/totp/activate/";
    let mut page = boss.get(activate);
    if page.status == 302 {
        // allauth asks for the password again before a change of this kind.
        let again = page.location().to_owned();
        visit(&mut boss, &again);
        boss.submit(&again, &[("password", PASSWORD)]);
        page = visit(&mut boss, activate);
    }
    assert_eq!(page.status, 200, "{page:?}");
    let secret = between(&page.body, "data:image/svg+xml", r#"alt=""#, '"');
    let done = boss.post_form(&page, activate, &[("code", &totp(env, &secret))]);
    assert_eq!(done.status, 302, "{done:?}");
    let codes = visit(&mut boss, "/accounts/2fa/recovery-codes/");
    assert_eq!(codes.status, 200, "{codes:?}");
    let recovery = recovery_code(&codes.body);

    // Now the admin opens, and its pages obey the policy too.
    for path in [admin.clone(), format!("{admin}users/user/")] {
        let page = visit(&mut boss, &path);
        assert_eq!(page.status, 200, "{path}: {page:?}");
    }
    let home = boss.get("/");
    assert!(home.body.contains(&admin), "staff see the admin link");

    // The next log-in asks for the second factor; a recovery code will do.
    boss.submit_form_on("/", "/accounts/logout/", &[]);
    let stage = boss.log_in(STAFF, PASSWORD);
    assert_eq!(stage.location(), "/accounts/2fa/authenticate/", "{stage:?}");
    visit(&mut boss, "/accounts/2fa/authenticate/");
    let done = boss.submit("/accounts/2fa/authenticate/", &[("code", &recovery)]);
    assert_eq!(done.location(), "/", "{done:?}");
    assert_eq!(boss.get(&admin).status, 200);
    pages
}

fn headers_and_html_obey_the_policy(port: u16, path: &str, page: &Response) {
    let policy = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy: {page:?}"));
    assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
    assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{path}: {policy}"
    );
    let features = page.header("permissions-policy").unwrap_or_default();
    assert!(features.contains("camera=()"), "{path}: {page:?}");

    // What the policy would block: inline scripts (JSON data blocks are not
    // run), inline styles, event-handler attributes and javascript: links.
    for tag in page.body.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let name = tag.split_whitespace().next().unwrap_or_default();
        if name == "script" {
            assert!(
                tag.contains(" src=") || tag.contains("application/json"),
                "{path} has an inline <{tag}>"
            );
        }
        assert_ne!(name, "style", "{path} has an inline <style>");
        for attribute in tag.split_whitespace().skip(1) {
            let attribute = attribute.split('=').next().unwrap_or_default();
            assert!(
                attribute != "style"
                    && !(attribute.starts_with("on")
                        && attribute.len() > 2
                        && attribute.bytes().all(|b| b.is_ascii_lowercase())),
                "{path} has <{tag}>"
            );
        }
        assert!(!tag.contains("javascript:"), "{path} has <{tag}>");
        // Scripts and styles the page loads come from the site, and exist.
        for attribute in [" src=\"", " href=\""] {
            if let Some(url) = tag
                .split(attribute)
                .nth(1)
                .and_then(|r| r.split('"').next())
            {
                if url.starts_with("/static/") {
                    let file = get(port, url, HOST, &[("X-Forwarded-Proto", "https")]);
                    assert_eq!(file.status, 200, "{path} names {url}: {file:?}");
                }
            }
        }
    }
}

fn account_mail_names_the_site_and_keeps_tokens_out_of_the_log(
    port: u16,
    mail_dir: &Path,
    log: &Path,
) {
    let mut ada = Browser::behind_proxy(port, HOST, "192.0.2.8");
    let sent = ada.submit("/accounts/password/reset/", &[("email", "ada@example.com")]);
    assert_eq!(sent.status, 302, "{sent:?}");
    let all = mail(mail_dir);
    let reset_mail = &all[all.rfind("Subject:").unwrap()..];
    assert!(reset_mail.contains("Subject: [guarded] "), "{reset_mail}");
    assert!(reset_mail.contains("Hello from guarded!"), "{reset_mail}");
    let link = browser::last_link(mail_dir, SITE_URL, "/accounts/password/reset/key/");
    let moved = ada.get(&link);
    assert_eq!(moved.status, 302, "{moved:?}");

    let key = link.trim_start_matches("/accounts/password/reset/key/");
    let key = key.trim_end_matches('/');
    let confirm = browser::last_link(mail_dir, SITE_URL, "/accounts/confirm-email/");
    let confirm_key = confirm
        .trim_start_matches("/accounts/confirm-email/")
        .trim_end_matches('/');
    assert!(key.len() > 10 && confirm_key.len() > 10, "{link} {confirm}");
    let log = fs::read_to_string(log).unwrap();
    for secret in [key, confirm_key] {
        assert!(!log.contains(secret), "a token in the log:\n{log}");
    }
    assert!(
        log.contains("GET /accounts/password/reset/key/[redacted]/"),
        "{log}"
    );
    assert!(
        log.contains("POST /accounts/confirm-email/[redacted]/"),
        "{log}"
    );
}

/// The text after `anchor`, then `start`, up to `end`.
fn between(text: &str, anchor: &str, start: &str, end: char) -> String {
    let rest = &text[text
        .find(anchor)
        .unwrap_or_else(|| panic!("no {anchor}:\n{text}"))..];
    let rest = &rest[rest.find(start).unwrap() + start.len()..];
    rest[..rest.find(end).unwrap()].to_owned()
}

/// The current TOTP code for a base32 `secret` (RFC 6238: SHA-1, 30 s, 6 digits),
/// computed by the project's Python with nothing but the standard library.
fn totp(env: &Env<'_>, secret: &str) -> String {
    let code = run(env.tool("python").args([
        "-c",
        "import base64, hmac, struct, sys, time\n\
         key = base64.b32decode(sys.argv[1] + '=' * (-len(sys.argv[1]) % 8))\n\
         mac = hmac.digest(key, struct.pack('>Q', int(time.time()) // 30), 'sha1')\n\
         at = mac[-1] & 15\n\
         print('%06d' % ((struct.unpack('>I', mac[at:at + 4])[0] & 0x7fffffff) % 10**6))",
        secret,
    ]));
    code.trim().to_owned()
}

/// One of the recovery codes the page lists.
fn recovery_code(body: &str) -> String {
    body.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|word| word.len() == 8 && word.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no recovery code on the page:\n{body}"))
        .to_owned()
}
