//! What the end-to-end tests share: a generated project and a virtualenv with it
//! installed, commands run in them, servers and a throwaway PostgreSQL stopped on
//! drop, the tools from `scripts/setup-test-tools`, and HTTP/1.1 by hand.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

pub use super::tools::{command_ok, python, tool, tool_on_path, tools, uv, SETUP};
use super::{repo_root, Generated, Scrubbed};
use xshell::{Cmd, Shell};

/// Strong enough for production's start-up check; used by nothing but these tests.
pub const TEST_SECRET_KEY: &str = "e2e-only-Jq8vT2mX7pL4rZ9wK1nB6yH3cF5jD0sAgE7uR2iO9wN4tK1mP8q";

/// The admin's path under production settings, which require one.
pub const TEST_ADMIN_URL: &str = "staff-e2e/";

/// The variables production settings need, as a server or the deploy check gets them.
pub const PRODUCTION_VARS: &[(&str, &str)] = &[
    ("DJANGO_SETTINGS_MODULE", "config.settings.production"),
    ("DJANGO_SECRET_KEY", TEST_SECRET_KEY),
    ("DJANGO_ALLOWED_HOSTS", "example.com"),
    ("DJANGO_ADMIN_URL", TEST_ADMIN_URL),
    // Production refuses to start without a database and mail. The project's
    // own SQLite file (relative to the project directory, where every command
    // runs), which the tests migrate first; mail printed, unless a test sends it
    // to files.
    ("DATABASE_URL", "sqlite:///db.sqlite3"),
    ("EMAIL_URL", "consolemail://"),
    ("DJANGO_DEFAULT_FROM_EMAIL", "noreply@example.com"),
    // With the billing module: Stripe's live key and the webhook's secret, in
    // Stripe's forms (other projects do not read them).
    (
        "STRIPE_LIVE_SECRET_KEY",
        "sk_live_e2e0123456789abcdefghijkl",
    ),
    ("STRIPE_WEBHOOK_SECRET", "whsec_e2e0123456789abcdef"),
];

/// A generated project in a directory of its own, removed when the test ends, and
/// a shell to run commands in it.
pub struct Project {
    pub sh: Shell,
    pub dir: PathBuf,
    _generated: Generated,
}

impl Project {
    pub fn generate(name: &str) -> Project {
        Project::generate_by(Path::new(super::BIN), name, &[])
    }

    /// `init name --with MODULE` for each of `modules`, by `binary`.
    pub fn generate_by(binary: &Path, name: &str, modules: &[&str]) -> Project {
        let generated = Generated::by_with(binary, name, modules);
        Project {
            sh: shell_in(&generated.root),
            dir: generated.root.clone(),
            _generated: generated,
        }
    }

    /// `init name --with MODULE` for each of `modules`.
    pub fn generate_with(name: &str, modules: &[&str]) -> Project {
        Project::generate_by(Path::new(super::BIN), name, modules)
    }

    /// A project exactly as quickscale 0.1.0 wrote it (support/starters.rs).
    /// The project `name` as quickscale `version` wrote it (see
    /// [`super::starters::project_made_by`]).
    pub fn made_by(name: &str, version: &str) -> Project {
        let tmp = tempfile::Builder::new()
            .prefix("quickscale-test-")
            .tempdir()
            .unwrap();
        let root = super::starters::project_made_by(tmp.path(), name, version);
        Project {
            sh: shell_in(&root),
            dir: root.clone(),
            _generated: Generated { root, tmp },
        }
    }

    pub fn made_by_0_1_0(name: &str) -> Project {
        let tmp = tempfile::Builder::new()
            .prefix("quickscale-test-")
            .tempdir()
            .unwrap();
        let root = super::starters::project_0_1_0(tmp.path(), name);
        Project {
            sh: shell_in(&root),
            dir: root.clone(),
            _generated: Generated { root, tmp },
        }
    }

    /// `program` in the project directory, without the caller's virtualenv or
    /// Django variables.
    pub fn cmd(&self, program: impl AsRef<Path>) -> Cmd<'_> {
        self.sh.cmd(program).scrubbed()
    }
}

pub fn shell_in(dir: &Path) -> Shell {
    let sh = Shell::new().unwrap();
    sh.change_dir(dir);
    let cache = repo_root().join("target/e2e-cache");
    sh.set_var("UV_CACHE_DIR", cache.join("uv"));
    // uv must use the interpreters we name; it cannot download any here anyway.
    sh.set_var("UV_PYTHON_DOWNLOADS", "never");
    // The system's certificate store, as pip uses: uv's built-in roots fail behind
    // a TLS-inspecting proxy such as these machines have.
    sh.set_var("UV_SYSTEM_CERTS", "1");
    sh.set_var("PIP_CACHE_DIR", cache.join("pip"));
    sh.set_var("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    sh
}

/// A virtualenv with the project installed, and the commands run in it.
pub struct Env<'a> {
    pub bin: PathBuf,
    pub project: &'a Project,
}

impl<'a> Env<'a> {
    /// `uv sync --locked` on CPython `python_version`, into the project's .venv.
    pub fn uv_sync(project: &'a Project, python_version: &str) -> Env<'a> {
        run(project
            .cmd(uv())
            .args(["sync", "--locked", "--python"])
            .arg(python(python_version)));
        Env {
            bin: project.dir.join(".venv/bin"),
            project,
        }
    }

    pub fn tool(&self, name: &str) -> Cmd<'a> {
        self.project.cmd(self.bin.join(name))
    }

    pub fn manage(&self, args: &[&str]) -> Cmd<'a> {
        self.tool("python").arg("manage.py").args(args)
    }

    /// migrate, then the project's own tests with its coverage floor, on SQLite
    /// (`None`) or on the database at `database_url`.
    pub fn migrate_and_test(&self, database_url: Option<&str>) {
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
        // The command the project's README and CI give: it fails when coverage is
        // under the floor (fail_under in pyproject.toml).
        let out = run(with_db(self.tool("pytest").args([
            "--cov",
            "-q",
            "-p",
            "no:cacheprovider",
        ])));
        assert!(out.contains(" passed"), "{out}");
        assert!(out.contains("Required test coverage of"), "{out}");
    }

    /// No migration missing under the test settings either, which install
    /// apps of their own (the teams module's example app).
    pub fn test_settings_need_no_migration(&self) {
        run(self.manage(&[
            "makemigrations",
            "--check",
            "--dry-run",
            "--settings",
            "config.settings.test",
        ]));
    }

    pub fn ruff(&self) {
        run(self.tool("ruff").args(["check", "."]));
        run(self.tool("ruff").args(["format", "--check", "."]));
    }
}

/// What a fresh project passes, in its .venv made by `uv sync --locked` on
/// Python 3.11: Django's checks at warning level, the deploy check with
/// production settings, no missing migration, migrate and the tests with the
/// coverage floor on SQLite (and on a PostgreSQL started here when asked), ruff.
pub fn passes_every_gate(project: &Project, postgres: bool) -> Env<'_> {
    let env = Env::uv_sync(project, "3.11");
    run(env.manage(&["check", "--fail-level", "WARNING"]));
    let deploy = run(production(env.manage(&[
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    ])));
    assert!(
        deploy.contains("System check identified no issues"),
        "{deploy}"
    );
    run(env.manage(&["makemigrations", "--check", "--dry-run"]));
    env.migrate_and_test(None);
    if postgres {
        let server = Postgres::start();
        env.migrate_and_test(Some(&server.url()));
    }
    env.ruff();
    env
}

pub fn production(cmd: Cmd<'_>) -> Cmd<'_> {
    cmd.envs(PRODUCTION_VARS.iter().copied())
}

/// Runs a command to success and returns stdout and stderr; on failure, panics
/// with the command line and everything it printed.
pub fn run(cmd: Cmd<'_>) -> String {
    let (ok, shown, text) = output(cmd);
    assert!(ok, "`{shown}` failed:\n{text}");
    text
}

/// Runs a command that must fail and returns what it printed.
pub fn fails(cmd: Cmd<'_>) -> String {
    let (ok, shown, text) = output(cmd);
    assert!(!ok, "`{shown}` should have failed:\n{text}");
    text
}

pub fn output(cmd: Cmd<'_>) -> (bool, String, String) {
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
// Tools and interpreters
// ---------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------
// Processes: servers and PostgreSQL, stopped when the test ends, pass or fail
// ---------------------------------------------------------------------------------

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server started from the virtualenv, stopped (SIGTERM, then SIGKILL) on drop.
pub struct Server {
    child: Child,
    name: String,
    pub log: PathBuf,
}

impl Server {
    pub fn start(env: &Env<'_>, argv: &[&str], vars: &[(&str, &str)]) -> Server {
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
        command.scrubbed();
        if argv[0] == "gunicorn" {
            command.envs(PRODUCTION_VARS.iter().copied());
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
    pub fn wait_for(&self, port: u16) {
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

/// Gunicorn with production settings on a free port, with `vars` as well
/// (WEB_CONCURRENCY, EMAIL_URL, ...), listening when this returns.
pub fn gunicorn(env: &Env<'_>, vars: &[(&str, &str)]) -> (Server, u16) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut all = vec![("GUNICORN_BIND", bind.as_str())];
    all.extend_from_slice(vars);
    let server = Server::start(env, &["gunicorn"], &all);
    server.wait_for(port);
    (server, port)
}

/// Where the site's mail goes as files (`EMAIL_URL=filemail:///...`), and that
/// URL: four slashes, an absolute path (filemail:///sent-mail is relative).
pub fn mail_to_files(project: &Project) -> (PathBuf, String) {
    let dir = project.dir.join("sent-mail");
    let url = format!("filemail:///{}", dir.display());
    (dir, url)
}

/// A throwaway PostgreSQL server from Debian's binaries, on a free port, run as
/// the `postgres` user when we are root (PostgreSQL refuses to run as root).
/// Stopped and deleted on drop, so a failing test leaves no server behind.
pub struct Postgres {
    pub bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl Postgres {
    pub fn start() -> Postgres {
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

    pub fn url(&self) -> String {
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
pub fn postgres_bin() -> PathBuf {
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

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

pub fn get(port: u16, path: &str, host: &str, headers: &[(&str, &str)]) -> Response {
    request(port, "GET", path, host, headers, "")
}

/// One request on a fresh connection; a non-empty `body` is sent as a form
/// unless `headers` give its Content-Type.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    host: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let typed = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("Content-Type"));
    if !body.is_empty() {
        if !typed {
            request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        }
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

pub fn parse_response(raw: &[u8]) -> Response {
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

pub fn dechunk(mut rest: &[u8]) -> Vec<u8> {
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
