//! End to end: a project made with `init --with teams`, installed for real.
//! Its own tests on SQLite and on PostgreSQL (100% coverage with the module),
//! the deploy check, no missing migration, ruff; then the teams round over
//! real HTTP against gunicorn with production settings, as a browser behind an
//! HTTPS proxy does it (e2e_accounts has the same set-up): A signs up and gets a
//! team of their own, invites B by mail; B opens the mailed link logged out,
//! signs up through allauth, confirms, and is a member of A's team, and of no
//! other; B gets a 404 from A's team that B is not in and a 403 from the admin
//! pages of the team B is a member of, until A makes B an admin.

use std::fs;
use std::path::Path;

use crate::support::browser::{self, Browser};
use crate::support::e2e::{gunicorn, mail_to_files, production, run, Env, Postgres, Project};

const HOST: &str = "example.com";
const PASSWORD: &str = "correct-horse-battery-staple-1";
const A: &str = "ada@example.com";
const B: &str = "b@example.com";

#[test]
fn teams_module_installs_tests_and_serves_invitations_over_https() {
    let project = Project::generate_with("teams-demo", &["teams"]);
    assert!(project.dir.join("teams_demo/teams/models.py").is_file());
    let env = Env::uv_sync(&project, "3.13");

    let out = run(env.manage(&["check"]));
    assert!(out.contains("no issues"), "{out}");
    let out = run(production(env.manage(&[
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ])));
    assert!(out.contains("System check identified no issues"), "{out}");
    // The module's migrations are complete, and so are those of the example
    // app that only the test settings install.
    run(env.manage(&["makemigrations", "--check", "--dry-run"]));
    env.test_settings_need_no_migration();
    env.ruff();
    env.migrate_and_test(None);
    {
        let postgres = Postgres::start();
        env.migrate_and_test(Some(&postgres.url()));
    }

    http_round(&project, &env);
}

fn http_round(project: &Project, env: &Env<'_>) {
    run(env
        .manage(&["collectstatic", "--noinput"])
        .env("DJANGO_SETTINGS_MODULE", "config.settings.base"));
    let (mail_dir, email_url) = mail_to_files(project);
    // Two workers: the invitation made in one is accepted in the other.
    let (server, port) = gunicorn(env, &[("WEB_CONCURRENCY", "2"), ("EMAIL_URL", &email_url)]);

    // A signs up with no invitation: a team of their own once confirmed.
    let mut a = Browser::new(port, HOST);
    sign_up_and_confirm(&mut a, "/accounts/signup/", A, &mail_dir);
    let teams = a.get("/t/");
    assert_eq!(teams.status, 200, "{teams:?}");
    assert!(
        teams
            .body
            .contains(r#"<a href="/t/adas-team/">ada&#x27;s team</a> (Owner)"#),
        "{}",
        teams.body
    );
    let home = a.get("/t/adas-team/");
    assert_eq!(home.status, 200, "{home:?}");
    assert!(
        home.body.contains("You are owner of this team."),
        "{}",
        home.body
    );
    // The switcher in the header names the current team.
    assert!(
        home.body.contains("<summary>ada&#x27;s team</summary>"),
        "{}",
        home.body
    );

    // A invites B, and creates a second team that B is never invited to.
    let sent = a.submit(
        "/t/adas-team/invitations/",
        &[("email", B), ("role", "member")],
    );
    assert_eq!(sent.location(), "/t/adas-team/invitations/", "{sent:?}");
    let pending = a.get("/t/adas-team/invitations/");
    assert!(
        pending.body.contains("<td>b@example.com</td>"),
        "{}",
        pending.body
    );
    let invitation = last_link(&mail_dir, "/t/invitations/");
    let token = invitation.trim_end_matches('/').rsplit('/').next().unwrap();
    assert!(token.len() >= 43, "{invitation}");
    let created = a.submit("/t/", &[("name", "Secret Lab")]);
    assert_eq!(created.location(), "/t/secret-lab/", "{created:?}");

    // B, logged out, opens the link: the invitation, and a sign-up with the
    // address filled in.
    let mut b = Browser::new(port, HOST);
    let shown = b.get(&invitation);
    assert_eq!(shown.status, 200, "{shown:?}");
    assert!(
        shown
            .body
            .contains("to join <strong>ada&#x27;s team</strong> as member"),
        "{}",
        shown.body
    );
    let signup = "/accounts/signup/?email=b%40example.com";
    assert!(
        shown.body.contains(&format!(r#"href="{signup}""#)),
        "{}",
        shown.body
    );
    assert!(b.get(signup).body.contains(r#"value="b@example.com""#));
    sign_up_and_confirm(&mut b, signup, B, &mail_dir);

    // B is a member of A's team, and has no team of their own.
    let joined = b.get("/t/adas-team/");
    assert_eq!(joined.status, 200, "{joined:?}");
    assert!(
        joined.body.contains("You are member of this team."),
        "{}",
        joined.body
    );
    let teams = b.get("/t/");
    assert!(
        teams.body.contains(r#"<a href="/t/adas-team/">"#),
        "{}",
        teams.body
    );
    assert_eq!(teams.body.matches("(Owner)").count(), 0, "{}", teams.body);
    assert_eq!(teams.body.matches("(Member)").count(), 1, "{}", teams.body);
    // The link is used up.
    let again = b.get(&invitation);
    assert!(
        again
            .body
            .contains("This invitation has been used already."),
        "{}",
        again.body
    );

    // A's other team: a 404 for B, as for a team that does not exist.
    for path in [
        "/t/secret-lab/",
        "/t/secret-lab/members/",
        "/t/secret-lab/settings/",
        "/t/no-such-team/",
    ] {
        assert_eq!(b.get(path).status, 404, "{path}");
    }
    // A member is refused the admin pages of their own team.
    for path in ["/t/adas-team/invitations/", "/t/adas-team/settings/"] {
        assert_eq!(b.get(path).status, 403, "{path}");
    }

    // A makes B an admin from the members page; then B may rename the team,
    // and its URL stays.
    let members = a.get("/t/adas-team/members/");
    let row = members
        .body
        .split("<tr>")
        .find(|row| row.contains("&lt;b@example.com&gt;"))
        .unwrap_or_else(|| panic!("no row for B:\n{}", members.body));
    let action = row
        .split("action=\"")
        .map(|rest| rest.split('"').next().unwrap())
        .find(|action| action.ends_with("/role/"))
        .unwrap()
        .to_owned();
    let changed = a.post_form(&members, &action, &[("role", "admin")]);
    assert_eq!(changed.location(), "/t/adas-team/members/", "{changed:?}");
    let renamed = b.submit("/t/adas-team/settings/", &[("name", "Ada & B")]);
    assert_eq!(renamed.location(), "/t/adas-team/settings/", "{renamed:?}");
    assert!(a.get("/t/adas-team/").body.contains("<h1>Ada &amp; B</h1>"));

    // The token never reaches the access log.
    let log = fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains(token), "the token is in the log:\n{log}");
    assert!(log.contains("/t/invitations/[redacted]/"), "{log}");
}

fn sign_up_and_confirm(browser: &mut Browser, signup: &str, email: &str, mail_dir: &Path) {
    let done = browser.submit(
        signup,
        &[
            ("email", email),
            ("password1", PASSWORD),
            ("password2", PASSWORD),
        ],
    );
    assert_eq!(done.location(), "/accounts/confirm-email/", "{done:?}");
    let confirm = browser::last_link_to(
        mail_dir,
        &format!("https://{HOST}"),
        email,
        "/accounts/confirm-email/",
    );
    let done = browser.submit(&confirm, &[]);
    assert_eq!(done.location(), "/", "{done:?}");
    assert!(browser.logged_in_as(email));
}

/// The path of the last https:// link to the site in the mail that contains
/// `marker`: production settings make the links absolute and https://.
fn last_link(mail_dir: &Path, marker: &str) -> String {
    browser::last_link(mail_dir, &format!("https://{HOST}"), marker)
}
