//! The placeholder parser: splits starter text into literal runs and
//! `@NAME@` variables. No proc_macro types here, so it has plain unit tests.
//!
//! Only `@` + an upper-case identifier + `@` is a placeholder. Everything else
//! starter files are full of (Django `{{ }}`, GitHub `${{ }}`, TOML `[[ ]]`,
//! `${VAR:-x}`, Python `{}` and `%`, decorators, e-mail addresses) is literal.

/// A piece of parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// Index into the `known` names given to [`parse`].
    Var(usize),
    /// What follows, up to the matching [`Piece::End`], is rendered only when
    /// the condition holds (see `condition`).
    /// The marker's own text is kept, to give the source back exactly.
    When(crate::condition::Cond, String),
    End(String),
}

/// Where and why parsing failed; `line` and `col` are 1-based, `col` counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Splits `text` into pieces, checking every placeholder against `known`
/// (names like `PROJECT_NAME`).
///
/// Errors: a well-formed placeholder whose name is unknown (a typo), a known
/// name in the wrong case (`@project_name@`), a known name without its closing
/// `@` (`@PROJECT_NAME`).
pub fn parse(text: &str, known: &[&str]) -> Result<Vec<Piece>, ParseError> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'@' {
            i += 1;
            continue;
        }
        let ident_end = i
            + 1
            + bytes[i + 1..]
                .iter()
                .take_while(|b| is_ident_byte(**b))
                .count();
        let ident = &text[i + 1..ident_end];
        let closed = bytes.get(ident_end) == Some(&b'@');
        match classify(ident, closed, known) {
            Found::Literal => {
                i += 1;
                continue;
            }
            Found::Var(index) => {
                if literal_start < i {
                    pieces.push(Piece::Lit(text[literal_start..i].to_owned()));
                }
                pieces.push(Piece::Var(index));
                i = ident_end + 1;
                literal_start = i;
            }
            Found::Error(message) => {
                let (line, col) = position(text, i);
                return Err(ParseError { line, col, message });
            }
        }
    }
    if literal_start < bytes.len() {
        pieces.push(Piece::Lit(text[literal_start..].to_owned()));
    }
    Ok(pieces)
}

/// Finds the first well-formed placeholder with a known name in binary
/// content, which could never be substituted and so is a mistake.
pub fn find_in_binary(bytes: &[u8], known: &[&str]) -> Option<ParseError> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'@' {
            let end = i
                + 1
                + bytes[i + 1..]
                    .iter()
                    .take_while(|b| is_ident_byte(**b))
                    .count();
            if bytes.get(end) == Some(&b'@') {
                if let Ok(name) = std::str::from_utf8(&bytes[i + 1..end]) {
                    if known.contains(&name) {
                        let line = 1 + bytes[..i].iter().filter(|b| **b == b'\n').count();
                        let line_start = bytes[..i]
                            .iter()
                            .rposition(|b| *b == b'\n')
                            .map_or(0, |p| p + 1);
                        return Some(ParseError {
                            line,
                            col: i - line_start + 1,
                            message: format!(
                                "placeholder @{name}@ in a binary file is never substituted; \
                                 remove it or make the file text"
                            ),
                        });
                    }
                }
            }
        }
        i += 1;
    }
    None
}

/// True when the content is to be embedded verbatim: not UTF-8, or holding NUL.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0) || std::str::from_utf8(bytes).is_err()
}

/// `ProjectName` -> `PROJECT_NAME`: the placeholder spelling of a variant.
pub fn screaming_snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (index, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() && index > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

enum Found {
    Literal,
    Var(usize),
    Error(String),
}

fn classify(ident: &str, closed: bool, known: &[&str]) -> Found {
    if ident.is_empty() {
        return Found::Literal;
    }
    let exact = known.iter().position(|k| *k == ident);
    let well_formed = ident.as_bytes()[0].is_ascii_uppercase()
        && ident
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    match (closed, exact) {
        (true, Some(index)) => Found::Var(index),
        (true, None) if well_formed => Found::Error(format!(
            "unknown placeholder @{ident}@; known placeholders: {}",
            list(known)
        )),
        (true, None) => match known.iter().find(|k| k.eq_ignore_ascii_case(ident)) {
            Some(k) => Found::Error(format!(
                "malformed placeholder @{ident}@: placeholders are upper-case, write @{k}@"
            )),
            None => Found::Literal,
        },
        (false, Some(_)) => Found::Error(format!(
            "malformed placeholder @{ident}: add the closing @ (write @{ident}@)"
        )),
        (false, None) => Found::Literal,
    }
}

fn list(known: &[&str]) -> String {
    known
        .iter()
        .map(|k| format!("@{k}@"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn position(text: &str, byte_offset: usize) -> (usize, usize) {
    let before = &text[..byte_offset];
    let line = 1 + before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, 1 + before[line_start..].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["PROJECT_NAME", "PACKAGE_NAME"];

    fn lit(s: &str) -> Piece {
        Piece::Lit(s.to_owned())
    }

    fn passes_through(text: &str) {
        assert_eq!(
            parse(text, KNOWN),
            Ok(vec![lit(text)]),
            "{text:?} must stay literal"
        );
    }

    #[test]
    fn substitutes_known_placeholders() {
        assert_eq!(
            parse(
                "name = \"@PROJECT_NAME@\"\nimport @PACKAGE_NAME@.users",
                KNOWN
            )
            .unwrap(),
            vec![
                lit("name = \""),
                Piece::Var(0),
                lit("\"\nimport "),
                Piece::Var(1),
                lit(".users")
            ]
        );
        assert_eq!(parse("@PACKAGE_NAME@", KNOWN).unwrap(), vec![Piece::Var(1)]);
        assert_eq!(
            parse("@PROJECT_NAME@@PACKAGE_NAME@", KNOWN).unwrap(),
            vec![Piece::Var(0), Piece::Var(1)]
        );
        assert_eq!(parse("", KNOWN).unwrap(), vec![]);
    }

    #[test]
    fn django_templates_pass_through() {
        passes_through(
            "{% extends \"base.html\" %}{% block title %}{{ title|default:\"x\" }}{% endblock %}",
        );
        passes_through("{# comment #}{{ request.user.email }}");
    }

    #[test]
    fn github_expressions_pass_through() {
        passes_through(
            "python-version: ${{ matrix.python-version }}\nif: ${{ github.event_name == 'push' }}",
        );
    }

    #[test]
    fn toml_array_tables_pass_through() {
        passes_through("[[package]]\nname = \"django\"\n[[tool.mypy.overrides]]\n");
    }

    #[test]
    fn shell_and_compose_variables_pass_through() {
        passes_through(
            "image: postgres:${POSTGRES_VERSION:-16}\nexec \"$@\"\necho ${HOME} $@ $* \"${@}\"",
        );
    }

    #[test]
    fn python_formatting_passes_through() {
        passes_through(
            "f\"{name!r:>10}\" + \"%s and %(key)d\" % args + \"{}\".format(x) + \"{{literal}}\"",
        );
    }

    #[test]
    fn decorators_emails_and_matmul_pass_through() {
        passes_through("@admin.register(User)\n@pytest.fixture\nDEFAULT_FROM_EMAIL = \"webmaster@example.com\"\nc = a @ b\n");
        passes_through("@@ -1,3 +1,4 @@ and @media (max-width: 600px) and user@Example.com");
        passes_through("trailing @");
    }

    #[test]
    fn rejects_unknown_placeholder_with_position() {
        let err = parse("line one\n  x = @PROJET_NAME@\n", KNOWN).unwrap_err();
        assert_eq!((err.line, err.col), (2, 7));
        assert!(
            err.message.contains("unknown placeholder @PROJET_NAME@"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("@PROJECT_NAME@"),
            "lists the known names: {}",
            err.message
        );
    }

    #[test]
    fn rejects_wrong_case_and_unclosed_known_names() {
        let err = parse("@project_name@", KNOWN).unwrap_err();
        assert_eq!((err.line, err.col), (1, 1));
        assert!(
            err.message.contains("write @PROJECT_NAME@"),
            "{}",
            err.message
        );
        let err = parse("ü @PACKAGE_NAME.users", KNOWN).unwrap_err();
        assert_eq!(
            (err.line, err.col),
            (1, 3),
            "columns count characters, not bytes"
        );
        assert!(err.message.contains("add the closing @"), "{}", err.message);
    }

    #[test]
    fn finds_placeholders_in_binary_content() {
        let bytes = b"\x00\x01\n\xff@PACKAGE_NAME@";
        let err = find_in_binary(bytes, KNOWN).unwrap();
        assert_eq!((err.line, err.col), (2, 2));
        assert!(find_in_binary(b"\x00@OTHER@\xff", KNOWN).is_none());
        assert!(is_binary(b"a\x00b"));
        assert!(is_binary(b"\xff\xfe"));
        assert!(!is_binary("ünï".as_bytes()));
    }

    #[test]
    fn variant_names_become_placeholder_names() {
        assert_eq!(screaming_snake("ProjectName"), "PROJECT_NAME");
        assert_eq!(screaming_snake("Slug"), "SLUG");
    }
}
