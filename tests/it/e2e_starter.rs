//! End to end: generate a project with the real binary, install it from the
//! package index, and run everything its owner and CI would, for real.
//!
//! - uv (`uv sync --locked`) on Python 3.11 and on 3.13, each with every check:
//!   `manage.py check`, the deploy check and the start-up refusals under production
//!   settings, migrations, the project's pytest with its coverage bar on SQLite and
//!   on a PostgreSQL server started here, ruff, runserver and gunicorn answering
//!   real HTTP requests;
//! - plain pip (`pip install -e '.[dev]'`) in another virtualenv;
//! - the linters for the Dockerfile, workflow, compose file, pre-commit and YAML;
//! - `.env.example` lists every variable the settings read.
//!
//! Tools come from `scripts/setup-test-tools`; a missing one fails the test with
//! that command. Downloads are cached under target/e2e-cache, so a second run
//! spends its time running the checks, not fetching packages.

use std::collections::BTreeSet;
use std::fs;

use crate::support::e2e::{
    fails, free_port, get, production, python, run, tool, tool_on_path, tools, Env, Postgres,
    Project, Server, TEST_ADMIN_URL,
};
use crate::support::{quickscale, repo_root};
use xshell::Shell;

// ---------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------

#[test]
fn uv_on_python_3_11_passes_every_check() {
    every_check("my-app", "3.11");
}

#[test]
fn uv_on_python_3_13_passes_every_check() {
    every_check("acme", "3.13");
}

#[test]
fn pip_install_with_dev_extra_works() {
    let project = Project::generate("pip_demo_with_a_long_name");
    let venv = project.dir.join(".venv");
    run(project.cmd(python("3.11")).args(["-m", "venv"]).arg(&venv));
    run(project
        .cmd(venv.join("bin/pip"))
        .args(["install", "--quiet", "-e", ".[dev]"]));
    let env = Env {
        bin: venv.join("bin"),
        project: &project,
    };
    env.django_checks();
    env.migrate_and_test(None);
    env.first_steps();
    env.ruff();
    env.installed_modules_are_refused_as_names();
}

#[test]
fn linters_accept_the_generated_files() {
    let project = Project::generate("lint-me");
    let venv = tools().join("venv/bin");

    run(project.cmd(tool(venv.join("hadolint"))).arg("Dockerfile"));
    let workflow = ".github/workflows/ci.yml";
    crate::support::tools::lint_workflows(&project.dir, &[workflow]);
    run(project.cmd(tool(venv.join("check-jsonschema"))).args([
        "--builtin-schema",
        "vendor.dependabot",
        ".github/dependabot.yml",
    ]));
    // Every action is pinned to a commit, with the version in a comment.
    let ci = fs::read_to_string(project.dir.join(workflow)).unwrap();
    for line in ci.lines().filter(|line| line.contains("uses:")) {
        let pinned = line
            .split_once('@')
            .map(|(_, rest)| rest.split_once(" # v"))
            .and_then(|found| found)
            .is_some_and(|(sha, _)| sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(
            pinned,
            "not pinned to a commit SHA with a version comment: {line}"
        );
    }
    // compose takes the database password init wrote into .env, and publishes the
    // development server on this machine only.
    let compose = || {
        project
            .cmd(tool_on_path("docker-compose"))
            .args(["--file", "docker-compose.yml", "config"])
    };
    let config = run(compose());
    let dotenv = fs::read_to_string(project.dir.join(".env")).unwrap();
    let password = dotenv
        .lines()
        .find_map(|line| line.strip_prefix("POSTGRES_PASSWORD="))
        .expect("init writes POSTGRES_PASSWORD into .env");
    assert_eq!(config.matches(password).count(), 3, "{config}");
    assert!(config.contains("127.0.0.1"), "{config}");
    let without: String = dotenv
        .lines()
        .filter(|line| !line.starts_with("POSTGRES_PASSWORD="))
        .map(|line| format!("{line}\n"))
        .collect();
    fs::write(project.dir.join(".env"), without).unwrap();
    let err = fails(compose());
    assert!(err.contains("Set POSTGRES_PASSWORD in .env"), "{err}");
    fs::write(project.dir.join(".env"), &dotenv).unwrap();
    run(project
        .cmd(tool(venv.join("pre-commit")))
        .args(["validate-config", ".pre-commit-config.yaml"]));
    run(project
        .cmd(tool(venv.join("yamllint")))
        .args(["--strict", "."]));
}

#[test]
fn env_example_lists_every_variable_the_settings_read() {
    let starter = repo_root().join("starter");
    let mut sources = vec![starter.join("gunicorn.conf.py")];
    for entry in fs::read_dir(starter.join("config/settings")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "py") {
            sources.push(path);
        }
    }
    let mut read = BTreeSet::new();
    for source in &sources {
        read.extend(env_reads(&fs::read_to_string(source).unwrap()));
    }
    // docker compose reads .env too, for the ${NAME...} in its file.
    let compose = fs::read_to_string(starter.join("docker-compose.yml")).unwrap();
    for (_, rest) in compose
        .match_indices("${")
        .map(|(at, _)| compose.split_at(at + 2))
    {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            read.insert(name);
        }
    }
    assert!(read.contains("POSTGRES_PASSWORD"), "{read:?}");
    for expected in ["DJANGO_SECRET_KEY", "DATABASE_URL", "GUNICORN_BIND", "PORT"] {
        assert!(
            read.contains(expected),
            "the parser finds {expected}: {read:?}"
        );
    }

    let example = fs::read_to_string(starter.join(".env.example")).unwrap();
    let listed: BTreeSet<String> = example
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim().to_owned()))
        .collect();
    let missing: Vec<_> = read.difference(&listed).collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    let stale: Vec<_> = listed.difference(&read).collect();
    assert!(
        stale.is_empty(),
        ".env.example lists {stale:?}, which nothing reads"
    );

    // And every variable init writes into .env is one of them.
    let tmp = tempfile::tempdir().unwrap();
    assert!(quickscale(tmp.path(), &["init", "envs"]).status.success());
    let dotenv = fs::read_to_string(tmp.path().join("envs/.env")).unwrap();
    for line in dotenv.lines().filter(|line| !line.starts_with('#')) {
        let (name, value) = line.split_once('=').unwrap();
        assert!(listed.contains(name), ".env.example lacks {name}");
        assert!(value.len() >= 50, "{name} is a long random value: {line}");
    }
}

#[test]
fn env_reads_finds_every_form_of_lookup_and_nothing_else() {
    let source = r#"
A = env("ONE")
B = env.list(
    "TWO", default=[]
)
C = os.environ.get('THREE', "8000")
D = os.environ["FOUR"]
G = f"{os.environ.get('FIVE', '0.0.0.0')}:{os.getenv('SIX')}"
# env("NOT_IN_A_COMMENT")
F = some_dict("NOT_AN_ENV_READ")
H = "env('NOT_IN_A_STRING')"
@IF(teams)@I = env("SEVEN")
@BEGIN(teams)@
J = env.int("EIGHT")
@END(teams)@
"#;
    let found: Vec<_> = env_reads(source).into_iter().collect();
    assert_eq!(
        found,
        ["EIGHT", "FIVE", "FOUR", "ONE", "SEVEN", "SIX", "THREE", "TWO"]
    );
}

// ---------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------

fn every_check(name: &str, python_version: &str) {
    let project = Project::generate(name);
    let env = Env::uv_sync(&project, python_version);

    env.django_checks();
    env.ruff();
    env.ruff_leaves_markdown_alone();
    env.installed_modules_are_refused_as_names();
    // SQLite first: the servers below then run on a migrated database.
    env.migrate_and_test(None);
    env.first_steps();
    env.runserver_answers();
    env.gunicorn_serves_production();
    let postgres = Postgres::start();
    env.migrate_and_test(Some(&postgres.url()));
}

// The checks that only this module makes; support::e2e has the shared ones.
impl<'a> Env<'a> {
    /// A project package named like anything installed in its environment
    /// would shadow it, so `quickscale init` must refuse every such name: the
    /// list comes from the real, locked environment, not from our own list.
    fn installed_modules_are_refused_as_names(&self) {
        let names = run(self.tool("python").args([
            "-c",
            "import importlib.metadata as m; print(' '.join(sorted(m.packages_distributions())))",
        ]));
        let names: Vec<&str> = names.split_whitespace().collect();
        assert!(names.contains(&"django"), "{names:?}");
        let scratch = tempfile::tempdir().unwrap();
        let accepted: Vec<&str> = names
            .iter()
            .copied()
            .filter(|name| {
                // A directory per name, so one accepted name cannot hide the next.
                let dir = format!("probe-{name}");
                // Refused for any reason will do: `_yaml` is already refused
                // for its leading underscore before the shadowing check.
                let output = quickscale(scratch.path(), &["init", &dir, "--name", name]);
                output.status.code() != Some(2)
            })
            .collect();
        assert!(
            accepted.is_empty(),
            "quickscale init accepts installed module names {accepted:?}"
        );
    }

    /// Ruff can format the Python blocks of Markdown files; the project tells it
    /// not to, so README.md keeps its examples as written. pre-commit's hook and
    /// editors hand ruff the files with `--force-exclude`, as here.
    fn ruff_leaves_markdown_alone(&self) {
        let readme = self.project.dir.join("README.md");
        let before = fs::read(&readme).unwrap();
        assert!(
            String::from_utf8_lossy(&before).contains("```python"),
            "README.md has Python examples"
        );
        run(self
            .tool("ruff")
            .args(["format", "--force-exclude", "README.md"]));
        assert_eq!(fs::read(&readme).unwrap(), before, "ruff rewrote README.md");

        // A block ruff would rewrite, were it not for the project's setting.
        let notes = self.project.dir.join("notes.md");
        fs::write(&notes, "# Notes\n\n```python\nx = {  'a':1 }\n```\n").unwrap();
        run(self
            .tool("ruff")
            .args(["format", "--force-exclude", "--check", "notes.md"]));
        let err = fails(
            self.tool("ruff")
                .args(["format", "--isolated", "--check", "notes.md"]),
        );
        assert!(
            err.contains("Would reformat") || err.contains("would be reformatted"),
            "{err}"
        );
        fs::remove_file(&notes).unwrap();
    }

    fn django_checks(&self) {
        // Local settings with nothing but the .env that init wrote.
        let out = run(self.manage(&["check"]));
        assert!(out.contains("no issues"), "{out}");

        let out = run(production(self.manage(&[
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ])));
        assert!(out.contains("System check identified no issues"), "{out}");

        // Production refuses to start rather than run insecurely, and says why. The
        // project's .env holds a key, which production must not read.
        assert!(self.project.dir.join(".env").is_file());
        let err = fails(production(self.manage(&["check"])).env_remove("DJANGO_SECRET_KEY"));
        assert!(
            err.contains("ImproperlyConfigured: Set the DJANGO_SECRET_KEY"),
            "{err}"
        );
        let err = fails(production(self.manage(&["check"])).env("DJANGO_ALLOWED_HOSTS", ""));
        assert!(
            err.contains("ImproperlyConfigured: Set the DJANGO_ALLOWED_HOSTS"),
            "{err}"
        );
        let err = fails(production(self.manage(&["check"])).env_remove("DJANGO_ADMIN_URL"));
        assert!(
            err.contains("ImproperlyConfigured: Set the DJANGO_ADMIN_URL"),
            "{err}"
        );
        // What a first deploy gets wrong: each refused in one line naming it.
        for (name, value) in [
            ("DATABASE_URL", None),
            ("EMAIL_URL", None),
            ("DJANGO_DEFAULT_FROM_EMAIL", None),
            ("DJANGO_ADMIN_URL", Some("admin/")),
            ("DJANGO_ALLOWED_HOSTS", Some("example.com,*")),
        ] {
            let cmd = production(self.manage(&["check"]));
            let cmd = match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
            let err = fails(cmd);
            let line = format!("ImproperlyConfigured: Set the {name} environment variable");
            let refusal: Vec<&str> = err.lines().filter(|l| l.contains(&line)).collect();
            assert_eq!(refusal.len(), 1, "{name}={value:?}:\n{err}");
        }

        // Only settings Django knows, plus the project's own: a setting Django has
        // removed would be listed as unknown (diffsettings marks those `###`), and
        // a deprecated one fails the command through its warning.
        // django-allauth's ACCOUNT_* settings are checked against allauth's own list.
        let own = [
            "ADMIN_URL",
            "APPS_DIR",
            "BASE_DIR",
            // Read by Django's file-based mail backend, which global_settings omits.
            "EMAIL_FILE_PATH",
            "LOG_LEVEL",
            "ROOT_URLCONF",
            "SETTINGS_MODULE",
            "SITE_NAME",
            "SITE_URL",
            "ADMIN_REQUIRES_MFA",
            "PERMISSIONS_POLICY",
            // django-csp's one setting.
            "CONTENT_SECURITY_POLICY",
            "WHITENOISE_AUTOREFRESH",
        ];
        let allauth = run(self.tool("python").args([
            "-c",
            "from allauth.account.app_settings import AppSettings as A; print(' '.join(dir(A)))",
        ]));
        let allauth: Vec<&str> = allauth.split_whitespace().collect();
        // allauth's MFA_* and ALLAUTH_* settings, against their own lists too.
        let mfa = run(self.tool("python").args([
            "-c",
            "from allauth.mfa.app_settings import AppSettings as A; print(' '.join(dir(A)))",
        ]));
        let mfa: Vec<&str> = mfa.split_whitespace().collect();
        let core = run(self.tool("python").args([
            "-c",
            "from allauth.app_settings import AppSettings as A; print(' '.join(dir(A)))",
        ]));
        let core: Vec<&str> = core.split_whitespace().collect();
        let known = |name: &str| {
            own.contains(&name)
                || name
                    .strip_prefix("ACCOUNT_")
                    .is_some_and(|rest| allauth.contains(&rest))
                || name
                    .strip_prefix("MFA_")
                    .is_some_and(|rest| mfa.contains(&rest))
                || name
                    .strip_prefix("ALLAUTH_")
                    .is_some_and(|rest| core.contains(&rest))
        };
        for module in ["local", "test", "production"] {
            let out = run(production(self.tool("python").args([
                "-W",
                "error::DeprecationWarning",
                "-W",
                "error::PendingDeprecationWarning",
                "manage.py",
                "diffsettings",
            ]))
            .env(
                "DJANGO_SETTINGS_MODULE",
                format!("config.settings.{module}"),
            ));
            for line in out.lines().filter(|line| line.ends_with("###")) {
                let name = line.split(' ').next().unwrap();
                assert!(known(name), "{module}.py sets unknown {line}");
            }
        }

        let out = run(self.manage(&["makemigrations", "--check", "--dry-run"]));
        assert!(out.contains("No changes detected"), "{out}");
    }

    /// The steps `init` prints beyond migrate and the tests, which work the
    /// same in the uv and the pip virtualenv: a repository for pre-commit's
    /// hooks, and an admin account.
    fn first_steps(&self) {
        run(self
            .project
            .cmd(tool_on_path("git"))
            .args(["init", "--quiet"]));
        run(self.tool("pre-commit").arg("install"));
        assert!(self.project.dir.join(".git/hooks/pre-commit").is_file());
        run(self
            .manage(&["createsuperuser", "--noinput"])
            .env("DJANGO_SUPERUSER_USERNAME", "admin")
            .env("DJANGO_SUPERUSER_EMAIL", "admin@example.com")
            .env("DJANGO_SUPERUSER_PASSWORD", "a-long-and-unusual-passphrase"));
    }

    fn runserver_answers(&self) {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        // --noreload: the autoreloader would run the server in a child process
        // that outlives the one we stop.
        let server = Server::start(
            self,
            &["python", "manage.py", "runserver", "--noreload", &addr],
            &[],
        );
        let log_name = server.log.file_name().unwrap().to_owned();
        server.wait_for(port);
        let home = get(port, "/", "127.0.0.1", &[]);
        assert_eq!(home.status, 200, "{home:?}");
        let health = get(port, "/healthz/", "127.0.0.1", &[]);
        assert_eq!(health.status, 200, "{health:?}");
        assert!(health.body.contains(r#""database": "ok""#), "{health:?}");
        let unknown_host = get(port, "/", "attacker.example", &[]);
        assert_eq!(unknown_host.status, 400, "{unknown_host:?}");

        // Each request is logged once, and a request for an unknown host is one
        // warning line, not an error with a traceback.
        drop(server);
        let log = fs::read_to_string(self.project.dir.join(log_name)).unwrap();
        let home_lines = log.matches(r#""GET / HTTP/1.1" 200"#).count();
        assert_eq!(home_lines, 1, "{log}");
        let host_lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("attacker.example"))
            .collect();
        assert_eq!(host_lines.len(), 1, "{log}");
        assert!(host_lines[0].contains("WARNING"), "{log}");
        assert!(!log.contains("Traceback"), "{log}");
    }

    fn gunicorn_serves_production(&self) {
        // As the Dockerfile does: base settings, which need no secret.
        run(self
            .manage(&["collectstatic", "--noinput"])
            .env("DJANGO_SETTINGS_MODULE", "config.settings.base"));
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let server = Server::start(
            self,
            &["gunicorn"],
            &[("GUNICORN_BIND", &bind), ("WEB_CONCURRENCY", "1")],
        );
        server.wait_for(port);
        let log = server.log.clone();
        let https = [("X-Forwarded-Proto", "https")];

        // The health check answers probes by IP over plain HTTP.
        let health = get(port, "/healthz/", &format!("127.0.0.1:{port}"), &[]);
        assert_eq!(health.status, 200, "{health:?}");
        assert!(health.body.contains(r#""status": "ok""#), "{health:?}");

        // Everything else goes to HTTPS.
        let plain = get(port, "/", "example.com", &[]);
        assert_eq!(plain.status, 301, "{plain:?}");
        assert_eq!(plain.header("location"), Some("https://example.com/"));

        let home = get(port, "/", "example.com", &https);
        assert_eq!(home.status, 200, "{home:?}");
        // A first deploy's HSTS: an hour, this host only, no preload.
        let hsts = home.header("strict-transport-security").unwrap_or_default();
        assert_eq!(hsts, "max-age=3600", "{home:?}");

        // The admin is at the path production was given, and not at /admin/.
        let admin = get(port, &format!("/{TEST_ADMIN_URL}"), "example.com", &https);
        assert_eq!(admin.status, 302, "{admin:?}");
        let to = admin.header("location").unwrap_or_default();
        assert!(
            to.starts_with(&format!("/{TEST_ADMIN_URL}login/")),
            "{admin:?}"
        );
        let old_admin = get(port, "/admin/", "example.com", &https);
        assert_eq!(old_admin.status, 404, "{old_admin:?}");

        // /favicon.ico leads to the hashed static file.
        let favicon = get(port, "/favicon.ico", "example.com", &https);
        assert_eq!(favicon.status, 302, "{favicon:?}");
        let icon = favicon.header("location").unwrap_or_default().to_owned();
        assert!(icon.starts_with("/static/favicon."), "{favicon:?}");
        assert_eq!(get(port, &icon, "example.com", &https).status, 200);

        // The page links the stylesheet by its content-hashed name, which WhiteNoise
        // serves with a cache lifetime of years.
        let start = home
            .body
            .find("/static/css/site.")
            .expect("stylesheet link");
        let css = &home.body[start..];
        let css = &css[..css.find('"').unwrap()];
        let hash = css
            .trim_start_matches("/static/css/site.")
            .trim_end_matches(".css");
        assert!(
            hash.len() == 12 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "hashed name: {css}"
        );
        let static_file = get(port, css, "example.com", &https);
        assert_eq!(static_file.status, 200, "{static_file:?}");
        let cache = static_file.header("cache-control").unwrap_or_default();
        assert!(
            cache.contains("max-age=315360000") && cache.contains("immutable"),
            "{static_file:?}"
        );
        assert!(static_file.body.contains(".site-name"), "{static_file:?}");

        // Structured logging: gunicorn's own lines, access log included, are JSON.
        drop(server);
        let log = fs::read_to_string(&log).unwrap();
        let mut access_lines = 0;
        for line in log.lines().filter(|line| !line.trim().is_empty()) {
            let entry: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not a JSON log line ({err}): {line}"));
            if entry["logger"] == "gunicorn.access" {
                access_lines += 1;
            }
        }
        assert!(access_lines >= 4, "access log lines in:\n{log}");
    }
}

// ---------------------------------------------------------------------------------
// Which environment variables does Python source read?
// ---------------------------------------------------------------------------------

/// Finds environment reads with Python's own parser, so strings, comments and
/// f-strings cannot fool it: the first argument of `env(...)`, `env.<cast>(...)`,
/// `os.environ.get(...)`, `os.getenv(...)` and `os.environ[...]`.
const ENV_READS_PY: &str = r#"
import ast, re, sys

def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return base and base + "." + node.attr
    return None

def is_env_call(name):
    if name in ("env", "os.environ.get", "os.getenv"):
        return True
    return name.startswith("env.") and name.count(".") == 1

def without_conditions(source):
    # A starter file as a project with every module has it: a module's
    # @BEGIN(x)@ and @END(x)@ lines out, its @IF(x)@ prefixes off.
    kept = []
    for line in source.splitlines():
        if re.match(r"@(BEGIN|END)\(", line):
            continue
        kept.append(re.sub(r"^@IF\([^)]*\)@", "", line))
    return "\n".join(kept)

names = set()
for node in ast.walk(ast.parse(without_conditions(sys.stdin.read()))):
    key = None
    if isinstance(node, ast.Call) and node.args and is_env_call(dotted(node.func) or ""):
        key = node.args[0]
    elif isinstance(node, ast.Subscript) and dotted(node.value) == "os.environ":
        key = node.slice
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        names.add(key.value)
print("\n".join(sorted(names)))
"#;

fn env_reads(source: &str) -> BTreeSet<String> {
    let sh = Shell::new().unwrap();
    let out = run(sh
        .cmd(python("3.11"))
        .args(["-c", ENV_READS_PY])
        .stdin(source));
    out.lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}
