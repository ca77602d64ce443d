//! End to end with the billing module: projects made `--with billing` and
//! `--with teams,billing`, installed for real, each passing every gate a fresh
//! project passes (checks, the deploy check with production settings, no
//! missing migration, migrate and the project's tests with the coverage floor
//! on SQLite and on PostgreSQL, ruff); production refusing to start without
//! Stripe's keys; and over real HTTP against gunicorn with production settings,
//! the pricing page and the webhook refusing forged events.
//!
//! Not run here: Stripe itself. The project's own tests answer Stripe's API in
//! its documented shapes and sign webhooks as Stripe does; the real service, the
//! Stripe CLI's `stripe listen` and Checkout's pages need the network and an
//! account (docs/modules.md says how to try them).

use crate::support::e2e::{
    fails, gunicorn, passes_every_gate, production, request, run, Env, Project,
};

const HOST: &str = "example.com";

#[test]
fn billing_alone_passes_every_gate_and_refuses_forged_webhooks() {
    let project = Project::generate_with("shop", &["billing"]);
    assert!(project.dir.join("shop/billing/webhooks.py").is_file());
    let env = passes_every_gate(&project, true);
    refuses_to_start_without_stripe(&env);
    http_round(&env, "/billing/");
}

#[test]
fn teams_and_billing_pass_every_gate_and_refuse_forged_webhooks() {
    let project = Project::generate_with("agency", &["teams", "billing"]);
    let env = passes_every_gate(&project, true);
    env.test_settings_need_no_migration();
    http_round(&env, "/billing/t/acme/");
}

/// Each Stripe variable production needs, missing, stops the start-up with one
/// line naming it.
fn refuses_to_start_without_stripe(env: &Env<'_>) {
    for name in ["STRIPE_LIVE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] {
        let printed = fails(production(env.manage(&["check"])).env(name, ""));
        let last = printed.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.starts_with(&format!(
                "django.core.exceptions.ImproperlyConfigured: Set the {name} environment"
            )),
            "{printed}"
        );
    }
}

/// Over HTTP, against gunicorn with production settings on the SQLite file that
/// passes_every_gate migrated.
fn http_round(env: &Env<'_>, payer_pages: &str) {
    run(env
        .manage(&["collectstatic", "--noinput"])
        .env("DJANGO_SETTINGS_MODULE", "config.settings.base"));
    let (_server, port) = gunicorn(env, &[]);
    let https = [("X-Forwarded-Proto", "https")];

    let pricing = request(port, "GET", "/billing/pricing/", HOST, &https, "");
    assert_eq!(pricing.status, 200, "{pricing:?}");
    assert!(
        pricing.body.contains("No plans are on offer yet."),
        "{}",
        pricing.body
    );
    assert!(pricing.body.contains(r#"href="/billing/pricing/""#));
    // Stripe's hosted pages are where the site's forms continue.
    let csp = pricing
        .header("Content-Security-Policy")
        .unwrap_or_default();
    assert!(
        csp.contains("form-action 'self' https://checkout.stripe.com https://billing.stripe.com"),
        "{csp}"
    );
    // The payer's pages are for logged-in users.
    let home = request(port, "GET", payer_pages, HOST, &https, "");
    assert_eq!(home.status, 302, "{home:?}");

    // A forged event: no signature, then a wrong one. Both refused; the second,
    // which claims to be Stripe's, logged.
    let event =
        r#"{"id": "evt_forged", "object": "event", "type": "customer.subscription.deleted"}"#;
    for signature in [None, Some("t=1700000000,v1=00ff")] {
        let mut headers = vec![
            ("X-Forwarded-Proto", "https"),
            ("Content-Type", "application/json"),
        ];
        if let Some(signature) = signature {
            headers.push(("Stripe-Signature", signature));
        }
        let answer = request(port, "POST", "/billing/webhook/", HOST, &headers, event);
        assert_eq!(answer.status, 400, "{answer:?}");
    }
    let logged = run(production(env.manage(&[
        "shell",
        "--verbosity",
        "0",
        "--command",
        "from djstripe.models import Event, WebhookEventTrigger as T; \
         print(T.objects.count(), T.objects.filter(valid=True).count(), Event.objects.count())",
    ])));
    // Only the request that claimed to be Stripe's is kept.
    assert_eq!(logged.trim(), "1 0 0", "{logged}");
}
