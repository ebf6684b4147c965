// Optional secrets: the features that use them stay off until they are set (`wrangler secret put`).
interface OptionalSecrets {
	/** The signing secret before the last rotation; tokens it signed verify until they expire. */
	JWT_PREVIOUS_SECRET?: string;
	STRIPE_SECRET_KEY?: string;
	STRIPE_WEBHOOK_SECRET?: string;
	/** Stripe's publishable key (pk_...), public by design: the pages need it for card payments. */
	STRIPE_PUBLISHABLE_KEY?: string;
	/** A local stand-in for api.stripe.com (such as stripe-mock); honoured in development only. */
	STRIPE_API_URL?: string;
	/** Shared secret of `POST /webhooks/loteria`; the endpoint answers 404 until it is set. */
	LOTERIA_WEBHOOK_SECRET?: string;
	/** Base URL of the public results API; defaults to https://api-resultadosloterias.com. */
	RESULTS_API_URL?: string;
	/** Errors go to Sentry when set; without it nothing is sent. */
	SENTRY_DSN?: string;
	/** Bearer token for `GET /metrics`; the endpoint answers 404 until it is set. */
	METRICS_TOKEN?: string;
	/** The receipt signing key, a private Ed25519 JWK (JSON) with its `kid`; receipts are off without it. */
	RECIBOS_CLAVE_PRIVADA?: string;
	/** Public JWKs retired by rotations (JSON array or JWKS), still published in the JWKS. */
	RECIBOS_CLAVES_ANTERIORES?: string;
	/** Email goes through Resend's HTTP API when set, instead of the `EMAIL` binding. */
	RESEND_API_KEY?: string;
	/** WhatsApp Cloud API access token and sender phone number id; WhatsApp is off without both. */
	WHATSAPP_TOKEN?: string;
	WHATSAPP_PHONE_ID?: string;
	/** Sends per second to the email and WhatsApp providers (default: each provider's own limit). */
	NOTIFICACIONES_POR_SEGUNDO?: string;
}

interface Env extends OptionalSecrets {}

declare namespace Cloudflare {
	interface Env extends OptionalSecrets {}
}
