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
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::tools::{command_ok, lint_workflows, python, tool, tool_on_path, tools, SETUP};
use crate::support::{quickscale, repo_root};
use xshell::{Cmd, Shell};

/// Variables of the developer's shell that would change what the project does.
const FOREIGN_VARS: &[&str] = &[
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "UV_PROJECT_ENVIRONMENT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
];

/// Strong enough for production's start-up check; used by nothing but these tests.
const TEST_SECRET_KEY: &str = "e2e-only-Jq8vT2mX7pL4rZ9wK1nB6yH3cF5jD0sAgE7uR2iO9wN4tK1mP8q";

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
    let project = Project::generate("pip_demo");
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
    env.ruff();
    env.installed_modules_are_refused_as_names();
}

#[test]
fn linters_accept_the_generated_files() {
    let project = Project::generate("lint-me");
    let venv = tools().join("venv/bin");

    run(project.cmd(tool(venv.join("hadolint"))).arg("Dockerfile"));
    lint_workflows(&project.dir, &[".github/workflows/ci.yml"]);
    run(project.cmd(tool_on_path("docker-compose")).args([
        "--file",
        "docker-compose.yml",
        "config",
        "--quiet",
    ]));
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
"#;
    let found: Vec<_> = env_reads(source).into_iter().collect();
    assert_eq!(found, ["FIVE", "FOUR", "ONE", "SIX", "THREE", "TWO"]);
}

// ---------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------

fn every_check(name: &str, python_version: &str) {
    let project = Project::generate(name);
    run(project
        .cmd(tool(tools().join("venv/bin/uv")))
        .args(["sync", "--locked", "--python"])
        .arg(python(python_version)));
    let env = Env {
        bin: project.dir.join(".venv/bin"),
        project: &project,
    };

    env.django_checks();
    env.ruff();
    env.installed_modules_are_refused_as_names();
    // SQLite first: the servers below then run on a migrated database.
    env.migrate_and_test(None);
    env.runserver_answers();
    env.gunicorn_serves_production();
    let postgres = Postgres::start();
    env.migrate_and_test(Some(&postgres.url()));
}

/// A generated project in a directory of its own, removed when the test ends, and
/// a shell to run commands in it.
struct Project {
    sh: Shell,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Project {
    fn generate(name: &str) -> Project {
        let tmp = tempfile::Builder::new()
            .prefix("qs-e2e-")
            .tempdir()
            .unwrap();
        let output = quickscale(tmp.path(), &["init", name]);
        assert!(
            output.status.success(),
            "quickscale init {name}: {output:?}"
        );
        let dir = tmp.path().join(name);
        Project {
            sh: shell_in(&dir),
            dir,
            _tmp: tmp,
        }
    }

    /// `program` in the project directory, without the caller's virtualenv or
    /// Django variables.
    fn cmd(&self, program: impl AsRef<Path>) -> Cmd<'_> {
        let mut cmd = self.sh.cmd(program);
        for var in FOREIGN_VARS {
            cmd = cmd.env_remove(var);
        }
        cmd
    }
}

fn shell_in(dir: &Path) -> Shell {
    let sh = Shell::new().unwrap();
    sh.change_dir(dir);
    let cache = repo_root().join("target/e2e-cache");
    sh.set_var("UV_CACHE_DIR", cache.join("uv"));
    // uv must use the interpreters we name; it cannot download any here anyway.
    sh.set_var("UV_PYTHON_DOWNLOADS", "never");
    // The system's certificate store, as pip uses: uv's built-in roots fail behind
    // a TLS-inspecting proxy such as these machines have.
    sh.set_var("UV_NATIVE_TLS", "1");
    sh.set_var("PIP_CACHE_DIR", cache.join("pip"));
    sh.set_var("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    sh
}

/// A virtualenv with the project installed, and the commands run in it.
struct Env<'a> {
    bin: PathBuf,
    project: &'a Project,
}

impl<'a> Env<'a> {
    fn tool(&self, name: &str) -> Cmd<'a> {
        self.project.cmd(self.bin.join(name))
    }

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
                let output = quickscale(scratch.path(), &["init", &dir, "--name", name]);
                output.status.code() != Some(2)
                    || !crate::support::stderr(&output).contains("shadow")
            })
            .collect();
        assert!(
            accepted.is_empty(),
            "quickscale init accepts installed module names {accepted:?}"
        );
    }

    fn manage(&self, args: &[&str]) -> Cmd<'a> {
        self.tool("python").arg("manage.py").args(args)
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

        // Only settings Django knows, plus the project's own: a setting Django has
        // removed would be listed as unknown (diffsettings marks those `###`), and
        // a deprecated one fails the command through its warning.
        let own = [
            "ADMIN_URL",
            "APPS_DIR",
            "BASE_DIR",
            "LOG_LEVEL",
            "ROOT_URLCONF",
            "SETTINGS_MODULE",
            "WHITENOISE_AUTOREFRESH",
        ];
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
                assert!(own.contains(&name), "{module}.py sets unknown {line}");
            }
        }

        let out = run(self.manage(&["makemigrations", "--check", "--dry-run"]));
        assert!(out.contains("No changes detected"), "{out}");
    }

    /// migrate, then the project's own tests with its coverage bar, on SQLite
    /// (`None`) or on the database at `database_url`.
    fn migrate_and_test(&self, database_url: Option<&str>) {
        let with_db = |cmd: Cmd<'a>| -> Cmd<'a> {
            match database_url {
                Some(url) => cmd.env("DATABASE_URL", url),
                None => cmd,
            }
        };
        run(with_db(self.manage(&["migrate", "--noinput"])));
        if database_url.is_some() {
            let vendor = run(with_db(self.manage(&[
                "shell",
                "--verbosity",
                "0",
                "--command",
                "from django.db import connection; print(connection.vendor)",
            ])));
            assert_eq!(vendor.trim(), "postgresql");
        }
        let out = run(with_db(self.tool("coverage").args([
            "run",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
        ])));
        assert!(out.contains(" passed"), "{out}");
        // `coverage report` fails when the total is under fail_under.
        run(self.tool("coverage").arg("report"));
    }

    fn ruff(&self) {
        run(self.tool("ruff").args(["check", "."]));
        run(self.tool("ruff").args(["format", "--check", "."]));
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
        server.wait_for(port);
        let home = get(port, "/", "127.0.0.1", &[]);
        assert_eq!(home.status, 200, "{home:?}");
        let health = get(port, "/healthz/", "127.0.0.1", &[]);
        assert_eq!(health.status, 200, "{health:?}");
        assert!(health.body.contains(r#""database": "ok""#), "{health:?}");
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
        let hsts = home.header("strict-transport-security").unwrap_or_default();
        assert!(hsts.contains("max-age=31536000"), "{home:?}");

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

fn production(cmd: Cmd<'_>) -> Cmd<'_> {
    cmd.env("DJANGO_SETTINGS_MODULE", "config.settings.production")
        .env("DJANGO_SECRET_KEY", TEST_SECRET_KEY)
        .env("DJANGO_ALLOWED_HOSTS", "example.com")
}

/// Runs a command to success and returns stdout and stderr; on failure, panics
/// with the command line and everything it printed.
fn run(cmd: Cmd<'_>) -> String {
    let (ok, shown, text) = output(cmd);
    assert!(ok, "`{shown}` failed:\n{text}");
    text
}

/// Runs a command that must fail and returns what it printed.
fn fails(cmd: Cmd<'_>) -> String {
    let (ok, shown, text) = output(cmd);
    assert!(!ok, "`{shown}` should have failed:\n{text}");
    text
}

fn output(cmd: Cmd<'_>) -> (bool, String, String) {
    let shown = cmd.to_string();
    let started = Instant::now();
    let out = cmd
        .quiet()
        .ignore_status()
        .output()
        .unwrap_or_else(|err| panic!("`{shown}` did not start: {err}"));
    eprintln!("{:>6.1}s  {shown}", started.elapsed().as_secs_f64());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), shown, text)
}

// ---------------------------------------------------------------------------------
// Processes: servers and PostgreSQL, stopped when the test ends, pass or fail
// ---------------------------------------------------------------------------------

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server started from the virtualenv, stopped (SIGTERM, then SIGKILL) on drop.
struct Server {
    child: Child,
    name: String,
    log: PathBuf,
}

impl Server {
    fn start(env: &Env<'_>, argv: &[&str], vars: &[(&str, &str)]) -> Server {
        let log = env.project.dir.join(format!(
            "{}.log",
            argv.join("-").replace(['/', ':', '.'], "_")
        ));
        let log_file = fs::File::create(&log).unwrap();
        let mut command = Command::new(env.bin.join(argv[0]));
        command
            .args(&argv[1..])
            .current_dir(&env.project.dir)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file);
        for var in FOREIGN_VARS {
            command.env_remove(var);
        }
        if argv[0] == "gunicorn" {
            command
                .env("DJANGO_SETTINGS_MODULE", "config.settings.production")
                .env("DJANGO_SECRET_KEY", TEST_SECRET_KEY)
                .env("DJANGO_ALLOWED_HOSTS", "example.com");
        }
        command.envs(vars.iter().copied());
        let child = command
            .spawn()
            .unwrap_or_else(|err| panic!("{argv:?} did not start: {err}"));
        Server {
            child,
            name: argv.join(" "),
            log,
        }
    }

    /// Waits, up to a minute, until the server accepts connections on `port`.
    fn wait_for(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            sleep(Duration::from_millis(100));
        }
        panic!(
            "{} did not listen on port {port} within a minute; its log:\n{}",
            self.name,
            fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway PostgreSQL server from Debian's binaries, on a free port, run as
/// the `postgres` user when we are root (PostgreSQL refuses to run as root).
/// Stopped and deleted on drop, so a failing test leaves no server behind.
struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl Postgres {
    fn start() -> Postgres {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("qs-e2e-pg-")
            .tempdir()
            .unwrap();
        // The server's user must reach its data directory inside this one.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let data = dir.path().join("data");
        fs::create_dir(&data).unwrap();
        let as_postgres = crate::support::is_root();
        if as_postgres {
            command_ok(Command::new("chown").args(["postgres:postgres"]).arg(&data));
        }
        let server = Postgres {
            bin,
            data,
            port: free_port(),
            as_postgres,
            _dir: dir,
        };
        let data = server.data.to_str().unwrap();
        command_ok(&mut server.pg(
            "initdb",
            &[
                "--pgdata",
                data,
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-sync",
            ],
        ));
        // fsync off: this data is thrown away, and the tests run faster without it.
        let options = format!(
            "-p {} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off",
            server.port
        );
        let log = format!("{data}/server.log");
        command_ok(&mut server.pg(
            "pg_ctl",
            &[
                "--pgdata",
                data,
                "--log",
                &log,
                "--options",
                &options,
                "--wait",
                "--timeout",
                "60",
                "start",
            ],
        ));
        server
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command.args(args).current_dir("/");
        command
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap().to_owned();
        let _ = self
            .pg(
                "pg_ctl",
                &["--pgdata", &data, "--mode", "immediate", "--wait", "stop"],
            )
            .output();
    }
}

/// Debian's PostgreSQL binaries, the newest installed version.
fn postgres_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!("PostgreSQL's initdb is missing: run `{SETUP}`, which installs Debian's postgresql")
    })
}

// ---------------------------------------------------------------------------------
// HTTP/1.1 by hand: enough for status, headers and a small body
// ---------------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

fn get(port: u16, path: &str, host: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size line");
        let size_text = String::from_utf8_lossy(&rest[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("hex chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[end + 2..end + 2 + size]);
        rest = &rest[end + 2 + size + 2..];
    }
}

#[test]
fn parses_plain_and_chunked_responses() {
    let plain = parse_response(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/\r\n\r\n");
    assert_eq!(plain.status, 301);
    assert_eq!(plain.header("location"), Some("https://x/"));
    let chunked = parse_response(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.body, "{\"a\": 1}");
}

// ---------------------------------------------------------------------------------
// Which environment variables does Python source read?
// ---------------------------------------------------------------------------------

/// Finds environment reads with Python's own parser, so strings, comments and
/// f-strings cannot fool it: the first argument of `env(...)`, `env.<cast>(...)`,
/// `os.environ.get(...)`, `os.getenv(...)` and `os.environ[...]`.
const ENV_READS_PY: &str = r#"
import ast, sys

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

names = set()
for node in ast.walk(ast.parse(sys.stdin.read())):
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
