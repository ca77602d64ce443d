//! Project names: where they come from and which ones are refused.
//!
//! A name must become a Python package that imports cleanly and shadows
//! nothing the project imports. Every check runs before anything is written.

use std::path::{Component, Path};

use crate::error::{Error, Result};

/// The three spellings the starter uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectNames {
    /// As given: `My-App`.
    pub(crate) project: String,
    /// Python package: `my_app`.
    pub(crate) package: String,
    /// Distribution and container name: `my-app`.
    pub(crate) slug: String,
}

/// Python's hard keywords: none can name a package.
const KEYWORDS: &[&str] = &[
    "false", "none", "true", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Import names of what a generated project installs (its dependencies, their
/// dependencies, the dev tools and the `redis` extra, as in starter/uv.lock)
/// plus the packaging tools every virtualenv has: a package with one of these
/// names would shadow it. The end-to-end test checks this against a real installed environment.
#[rustfmt::skip]
const DEPENDENCY_MODULES: &[&str] = &[
    "_argon2_cffi_bindings", "_cffi_backend", "_distutils_hack", "_pytest", "_yaml", "allauth",
    "argon2", "asgiref", "cffi", "cfgv", "coverage", "cryptography", "csp", "dateutil", "distlib",
    "django", "environ", "factory", "faker", "fido2", "filelock", "gunicorn", "hatchling",
    "identify", "iniconfig", "nodeenv", "packaging", "pip", "pkg_resources", "platformdirs",
    "pluggy", "pre_commit", "psycopg", "psycopg_binary", "psycopg_pool", "py", "pycparser",
    "pygments", "pytest", "pytest_cov", "pytest_django", "python_discovery", "qrcode", "redis",
    "ruff", "setuptools", "six", "sqlparse", "time_machine", "typing_extensions", "tzdata", "uv",
    "virtualenv", "wheel", "whitenoise", "yaml",
];

/// Python standard library modules (`sys.stdlib_module_names` of 3.11 and 3.13,
/// plus `test`, the regression-test package that list leaves out).
#[rustfmt::skip]
const STDLIB_MODULES: &[&str] = &[
    "__future__", "_abc", "_aix_support", "_android_support", "_ast", "_asyncio", "_bisect",
    "_blake2", "_bootsubprocess", "_bz2", "_codecs", "_codecs_cn", "_codecs_hk", "_codecs_iso2022",
    "_codecs_jp", "_codecs_kr", "_codecs_tw", "_collections", "_collections_abc", "_colorize",
    "_compat_pickle", "_compression", "_contextvars", "_crypt", "_csv", "_ctypes", "_curses",
    "_curses_panel", "_datetime", "_dbm", "_decimal", "_elementtree", "_frozen_importlib",
    "_frozen_importlib_external", "_functools", "_gdbm", "_hashlib", "_heapq", "_imp",
    "_interpchannels", "_interpqueues", "_interpreters", "_io", "_ios_support", "_json", "_locale",
    "_lsprof", "_lzma", "_markupbase", "_md5", "_msi", "_multibytecodec", "_multiprocessing",
    "_opcode", "_opcode_metadata", "_operator", "_osx_support", "_overlapped", "_pickle",
    "_posixshmem", "_posixsubprocess", "_py_abc", "_pydatetime", "_pydecimal", "_pyio", "_pylong",
    "_pyrepl", "_queue", "_random", "_scproxy", "_sha1", "_sha2", "_sha256", "_sha3", "_sha512",
    "_signal", "_sitebuiltins", "_socket", "_sqlite3", "_sre", "_ssl", "_stat", "_statistics",
    "_string", "_strptime", "_struct", "_suggestions", "_symtable", "_sysconfig", "_thread",
    "_threading_local", "_tkinter", "_tokenize", "_tracemalloc", "_typing", "_uuid", "_warnings",
    "_weakref", "_weakrefset", "_winapi", "_wmi", "_zoneinfo", "abc", "aifc", "antigravity",
    "argparse", "array", "ast", "asynchat", "asyncio", "asyncore", "atexit", "audioop", "base64",
    "bdb", "binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi", "cgitb", "chunk",
    "cmath", "cmd", "code", "codecs", "codeop", "collections", "colorsys", "compileall",
    "concurrent", "configparser", "contextlib", "contextvars", "copy", "copyreg", "crypt", "csv",
    "ctypes", "curses", "dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils",
    "doctest", "email", "encodings", "ensurepip", "enum", "errno", "faulthandler", "fcntl",
    "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools", "gc", "genericpath",
    "getopt", "getpass", "gettext", "glob", "graphlib", "grp", "gzip", "hashlib", "heapq", "hmac",
    "html", "http", "idlelib", "imaplib", "imghdr", "imp", "importlib", "inspect", "io",
    "ipaddress", "itertools", "json", "keyword", "lib2to3", "linecache", "locale", "logging",
    "lzma", "mailbox", "mailcap", "marshal", "math", "mimetypes", "mmap", "modulefinder", "msilib",
    "msvcrt", "multiprocessing", "netrc", "nis", "nntplib", "nt", "ntpath", "nturl2path", "numbers",
    "opcode", "operator", "optparse", "os", "ossaudiodev", "pathlib", "pdb", "pickle",
    "pickletools", "pipes", "pkgutil", "platform", "plistlib", "poplib", "posix", "posixpath",
    "pprint", "profile", "pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data",
    "pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib", "resource", "rlcompleter",
    "runpy", "sched", "secrets", "select", "selectors", "shelve", "shlex", "shutil", "signal",
    "site", "smtpd", "smtplib", "sndhdr", "socket", "socketserver", "spwd", "sqlite3",
    "sre_compile", "sre_constants", "sre_parse", "ssl", "stat", "statistics", "string",
    "stringprep", "struct", "subprocess", "sunau", "symtable", "sys", "sysconfig", "syslog",
    "tabnanny", "tarfile", "telnetlib", "tempfile", "termios", "test", "textwrap", "this",
    "threading", "time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace", "traceback",
    "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing", "unicodedata", "unittest",
    "urllib", "uu", "uuid", "venv", "warnings", "wave", "weakref", "webbrowser", "winreg",
    "winsound", "wsgiref", "xdrlib", "xml", "xmlrpc", "zipapp", "zipfile", "zipimport", "zlib",
    "zoneinfo",
];

/// The project name a path implies: its last component, or the current
/// directory's name for `.`.
#[allow(
    clippy::disallowed_methods,
    reason = "`.` names the current directory, whose name only the file system knows"
)]
pub(crate) fn name_from_path(path: &Path) -> Result<String> {
    match path.components().next_back() {
        None => Err(Error::new(
            "the project path is empty; give a directory such as `quickscale init mysite`",
        )),
        Some(Component::Normal(name)) => name.to_str().map(str::to_owned).ok_or_else(|| {
            Error::new(format!(
                "the project directory '{}' is not valid UTF-8; use an ASCII name such as 'mysite'",
                path.display()
            ))
        }),
        Some(Component::CurDir) => {
            let here = std::fs::canonicalize(path).map_err(|e| Error::io("resolve", path, &e))?;
            match here.file_name().and_then(|n| n.to_str()) {
                Some(name) => Ok(name.to_owned()),
                None => Err(Error::new(format!(
                    "'{}' has no usable directory name; pass --name",
                    here.display()
                ))),
            }
        }
        Some(Component::ParentDir) => Err(Error::new(format!(
            "'{}' ends in '..', which names no new directory; give the project's own directory, e.g. '../mysite'",
            path.display()
        ))),
        Some(Component::RootDir | Component::Prefix(_)) => Err(Error::new(format!(
            "'{}' is not a project directory; give a new directory such as 'mysite'",
            path.display()
        ))),
    }
}

/// Validates `name` and derives the package and slug spellings.
///
/// `project_top_level` lists the generated project's own top-level modules
/// (`config`, `manage`, ...), which the package must not shadow either.
pub fn project_names(name: &str, project_top_level: &[String]) -> Result<ProjectNames> {
    if name.is_empty() {
        return Err(Error::new(
            "the project name is empty; give a directory such as `quickscale init mysite` or pass --name mysite",
        ));
    }
    if !name.is_ascii() {
        return Err(Error::new(format!(
            "project name '{name}' is not ASCII; use letters a-z, digits, '_' or '-', e.g. 'mysite'"
        )));
    }
    if name.starts_with('-') {
        return Err(Error::new(format!(
            "project name '{name}' starts with '-', which reads as an option and cannot begin a \
             package or distribution name; use a name such as '{}'",
            suggestion(name)
        )));
    }
    let package = name.replace('-', "_").to_ascii_lowercase();
    if let Some(bad) = package
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Err(Error::new(format!(
            "project name '{name}' cannot become a Python package: it contains {bad:?}; \
             use only letters, digits, '_' or '-', e.g. '{}'",
            suggestion(name)
        )));
    }
    if package.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(Error::new(format!(
            "project name '{name}' starts with a digit, which a Python package cannot; try 'site{package}'"
        )));
    }
    if package.chars().all(|c| c == '_') {
        return Err(Error::new(format!(
            "project name '{name}' has no letters; use a name such as 'mysite'"
        )));
    }
    if package.len() > 4 && package.starts_with("__") && package.ends_with("__") {
        return Err(Error::new(format!(
            "project name '{name}' is a dunder name, which Python reserves for its own modules \
             and files; use a name such as '{}'",
            suggestion(name)
        )));
    }
    // The slug is the distribution name in pyproject.toml, which PEP 508 makes
    // begin and end with a letter or digit: `app_` would give `app-`, which uv
    // and pip refuse. Refused rather than trimmed, so that the directory, the
    // package and the distribution keep the one spelling the user typed.
    if package.starts_with('_') || package.ends_with('_') {
        return Err(Error::new(format!(
            "project name '{name}' begins or ends with '_' or '-', which a Python distribution \
             name cannot (PEP 508); try '{}'",
            suggestion(name)
        )));
    }
    let clash = if KEYWORDS.contains(&package.as_str()) {
        Some("is a Python keyword")
    } else if STDLIB_MODULES.contains(&package.as_str()) {
        Some("would shadow the Python standard library module of that name")
    } else if DEPENDENCY_MODULES.contains(&package.as_str()) {
        Some("would shadow a package the project depends on")
    } else if project_top_level.contains(&package) {
        Some("would clash with the project's own top-level module of that name")
    } else {
        None
    };
    if let Some(reason) = clash {
        return Err(Error::new(format!(
            "project name '{name}' {reason}; choose another, e.g. '{package}_site', or pass --name"
        )));
    }
    Ok(ProjectNames {
        project: name.to_owned(),
        slug: package.replace('_', "-"),
        package,
    })
}

/// A cleaned-up spelling to offer when a name has stray characters.
fn suggestion(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_matches('_');
    if trimmed.is_empty() || trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        "mysite".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str) -> Result<ProjectNames> {
        project_names(name, &["config".to_owned(), "manage".to_owned()])
    }

    #[test]
    fn derives_package_and_slug() {
        let names = check("my-app").unwrap();
        assert_eq!(
            (
                names.project.as_str(),
                names.package.as_str(),
                names.slug.as_str()
            ),
            ("my-app", "my_app", "my-app")
        );
        let names = check("Acme_Site").unwrap();
        assert_eq!(
            (names.package.as_str(), names.slug.as_str()),
            ("acme_site", "acme-site")
        );
    }

    #[test]
    fn refuses_bad_names_with_a_reason() {
        for (name, expected) in [
            ("", "empty"),
            ("1app", "starts with a digit"),
            ("class", "Python keyword"),
            ("Class", "Python keyword"),
            ("django", "depends on"),
            ("test", "standard library"),
            ("os", "standard library"),
            ("typing", "standard library"),
            ("site", "standard library"),
            ("config", "own top-level"),
            ("my app", "contains ' '"),
            ("a/b", "contains '/'"),
            ("ünï", "not ASCII"),
            ("--", "starts with '-'"),
            ("__", "no letters"),
            ("-foo", "starts with '-'"),
            ("-x", "starts with '-'"),
            ("__init__", "dunder"),
            ("__main__", "dunder"),
            ("__pycache__", "dunder"),
            ("app_", "PEP 508"),
            ("app__", "PEP 508"),
            ("app-", "PEP 508"),
            ("_app", "PEP 508"),
            ("My-", "PEP 508"),
            ("a\nb", "contains '\\n'"),
        ] {
            let err = check(name).unwrap_err();
            assert!(
                err.message().contains(expected),
                "{name:?}: {}",
                err.message()
            );
            assert!(!err.message().contains('\n'), "one line: {}", err.message());
        }
    }

    #[test]
    fn refusals_suggest_a_cleaned_up_name() {
        for (name, suggested) in [
            ("-Foo", "'foo'"),
            ("my app!", "'my_app'"),
            ("app_", "'app'"),
            ("_My-", "'my'"),
            ("--", "'mysite'"),
            ("-1x", "'mysite'"),
            ("__init__", "'init'"),
        ] {
            let message = check(name).unwrap_err().message().to_owned();
            assert!(
                message.contains(&format!("such as {suggested}"))
                    || message.contains(&format!("e.g. {suggested}"))
                    || message.contains(&format!("try {suggested}")),
                "{name:?}: {message}"
            );
        }
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "`.` is checked against the real current directory"
    )]
    fn names_come_from_the_last_path_component() {
        assert_eq!(name_from_path(Path::new("clients/acme")).unwrap(), "acme");
        assert_eq!(name_from_path(Path::new("acme/")).unwrap(), "acme");
        assert!(name_from_path(Path::new(".."))
            .unwrap_err()
            .message()
            .contains("'..'"));
        assert!(name_from_path(Path::new(""))
            .unwrap_err()
            .message()
            .contains("empty"));
        let here = std::env::current_dir().unwrap();
        let expected = here.file_name().unwrap().to_str().unwrap();
        assert_eq!(name_from_path(Path::new(".")).unwrap(), expected);
    }
}
