//! What the owner of a project must do outside its files when an upgrade
//! crosses a release: a setting a deployment needs, a database to adjust.
//! `upgrade` and `diff` print the notes of every release between the
//! project's base and this quickscale, so nobody learns them from a failed
//! deploy. Written at release time, beside the CHANGELOG section.

use crate::text::parse_version;

/// One thing to do outside the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note {
    /// One sentence or two, with the command to run where there is one.
    pub text: &'static str,
    /// The starter file the note is about, if it is about one: a project
    /// whose owner deleted that file (and keeps it deleted) has nothing to do.
    pub about: Option<&'static str>,
}

/// `(version, notes)`, oldest first.
pub const NOTES: &[(&str, &[Note])] = &[(
    "0.2.0",
    &[
        Note {
            text: "Production now requires DJANGO_ADMIN_URL (the admin's path, e.g. \
                   `staff-7f3a/`): set it on every server before you deploy, or the site refuses \
                   to start.",
            about: None,
        },
        Note {
            text: "docker compose now reads POSTGRES_PASSWORD from .env, but a database volume \
                   made before keeps the password `app`: run `docker compose up -d db && docker \
                   compose exec db psql -U app -d app -c \"ALTER USER app PASSWORD \
                   '$(sed -n 's/^POSTGRES_PASSWORD=//p' .env)'\"`, or `docker compose down -v` if \
                   the local data can go.",
            about: Some("docker-compose.yml"),
        },
        Note {
            text: "Sign-up and log-in now go through django-allauth with the email address \
                   confirmed by mail: existing users get a confirmation mail at their first \
                   log-in, so make sure production can send mail (EMAIL_URL).",
            about: None,
        },
    ],
), (
    "0.3.0",
    &[
        Note {
            text: "Production now refuses to start without DATABASE_URL, EMAIL_URL and \
                   DJANGO_DEFAULT_FROM_EMAIL, with DJANGO_ADMIN_URL=admin/, or with `*` in \
                   DJANGO_ALLOWED_HOSTS: set them on every server before you deploy.",
            about: None,
        },
        Note {
            text: "Run `python manage.py migrate` before the site serves: it creates the \
                   `django_cache` table the log-in limits count in, and the two-factor tables.",
            about: None,
        },
        Note {
            text: "Behind a proxy or load balancer, set DJANGO_TRUSTED_PROXY_COUNT (or \
                   DJANGO_TRUSTED_CLIENT_IP_HEADER), or every visitor shares one log-in limit.",
            about: None,
        },
        Note {
            text: "Staff must set up two-factor log-in at /accounts/2fa/ before the admin lets \
                   them in (DJANGO_ADMIN_REQUIRES_MFA=False relaxes that for now), and they log \
                   in to the admin with their email address, confirmed by mail.",
            about: None,
        },
        Note {
            text: "Set DJANGO_SITE_URL where the first of DJANGO_ALLOWED_HOSTS is not the address \
                   mails should link to; inline scripts and styles in your own templates are now \
                   blocked by the Content-Security-Policy.",
            about: None,
        },
        Note {
            text: "Where you set TIME_ZONE or LANGUAGE_CODE in the settings, set DJANGO_TIME_ZONE \
                   and DJANGO_LANGUAGE_CODE instead on every server; the tests now hold coverage \
                   at 100% (`fail_under` in pyproject.toml).",
            about: None,
        },
    ],
)];

/// The notes of every release after `from` (the project's base version) up to
/// and including `to` (this quickscale), oldest first, less those about a file
/// the owner deleted (`deleted(path)`). An unknown `from` (no manifest, or
/// not a version) crosses nothing: without a base there is no telling which
/// releases the project already took.
pub fn crossed(
    from: Option<&str>,
    to: &str,
    deleted: impl Fn(&str) -> bool,
) -> Vec<(&'static str, Vec<&'static str>)> {
    let (Some(from), Some(to)) = (from.and_then(parse_version), parse_version(to)) else {
        return Vec::new();
    };
    NOTES
        .iter()
        .filter(|(version, _)| parse_version(version).is_some_and(|v| from < v && v <= to))
        .map(|(version, notes)| {
            let kept = notes
                .iter()
                .filter(|note| !note.about.is_some_and(&deleted))
                .map(|note| note.text)
                .collect();
            (*version, kept)
        })
        .filter(|(_, notes): &(&str, Vec<&str>)| !notes.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_those_of_the_releases_crossed() {
        let versions = |from: Option<&str>, to: &str| -> Vec<&str> {
            crossed(from, to, |_| false)
                .into_iter()
                .map(|(v, _)| v)
                .collect()
        };
        assert_eq!(versions(Some("0.1.0"), "0.2.0"), ["0.2.0"]);
        assert_eq!(versions(Some("0.1.0"), "0.9.0"), ["0.2.0", "0.3.0"]);
        assert_eq!(versions(Some("0.2.0"), "0.3.0"), ["0.3.0"]);
        assert!(
            versions(Some("0.2.0"), "0.2.0").is_empty(),
            "not the base's own"
        );
        assert!(
            versions(Some("0.1.0"), "0.1.5").is_empty(),
            "not a later one"
        );
        assert!(versions(None, "0.2.0").is_empty());
        assert!(versions(Some("garbage"), "0.2.0").is_empty());
    }

    #[test]
    fn notes_are_in_version_order_and_well_formed() {
        let parsed: Vec<_> = NOTES
            .iter()
            .map(|(v, _)| parse_version(v).unwrap())
            .collect();
        assert!(parsed.windows(2).all(|w| w[0] < w[1]));
        for (_, notes) in NOTES {
            assert!(!notes.is_empty());
            assert!(notes
                .iter()
                .all(|n| n.text.ends_with('.') && !n.text.contains('\n')));
        }
    }

    #[test]
    fn a_note_about_a_file_the_owner_deleted_is_left_out() {
        let all = crossed(Some("0.1.0"), "0.2.0", |_| false);
        let without_compose = crossed(Some("0.1.0"), "0.2.0", |p| p == "docker-compose.yml");
        assert_eq!(all[0].1.len(), 3);
        assert_eq!(without_compose[0].1.len(), 2);
        assert!(without_compose[0]
            .1
            .iter()
            .all(|n| !n.contains("docker compose")));
    }
}
