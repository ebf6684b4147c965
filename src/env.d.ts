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
	/** Wompi's public key (pub_test_… or pub_prod_…, a var: it is public); its prefix picks the environment. */
	WOMPI_PUBLIC_KEY?: string;
	/** Wompi's private key, events secret and integrity secret; Wompi is off without key and integrity. */
	WOMPI_PRIVATE_KEY?: string;
	WOMPI_EVENTS_SECRET?: string;
	WOMPI_INTEGRITY_SECRET?: string;
	/** A local stand-in for Wompi's API (…/v1); honoured in development with pub_test_ keys only. */
	WOMPI_API_URL?: string;
	/** Hours a cash payment at a corresponsal holds its numbers (default 24), never past fecha_fin. */
	WOMPI_HORAS_EFECTIVO?: string;
	/** Hours after which a manual refund still pending is alerted (default 48). */
	HORAS_ALERTA_REEMBOLSO?: string;
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
	/** Twilio's Account SID and Auth Token; SMS is off without both and a sender. */
	TWILIO_ACCOUNT_SID?: string;
	TWILIO_AUTH_TOKEN?: string;
	/** The SMS sender: a Messaging Service (MG…, preferred when both are set) or a number in E.164. */
	TWILIO_MESSAGING_SERVICE_SID?: string;
	TWILIO_FROM?: string;
	/** Sends per second to each notification provider (default: each provider's own limit). */
	NOTIFICACIONES_POR_SEGUNDO?: string;
}

/**
 * The legal mode's numbers (src/cumplimiento/config.ts, docs/cumplimiento.md): each has a default,
 * so a deployment sets only the ones it changes. MODO_LEGAL itself is a var in wrangler.jsonc.
 */
interface OptionalSettings {
	/** Calendar days from the authorization request to the draw, at least (default 45). */
	DIAS_ANTICIPACION_SOLICITUD?: string;
	/** Derechos de explotación, basis points of the whole emission (default 1400 = 14 %). */
	DERECHOS_BPS?: string;
	/** Administration costs, basis points of the derechos (default 100 = 1 % of them). */
	ADMINISTRACION_BPS?: string;
	/** Non-cancelled rifas an operador may have drawing in one calendar month (default 2). */
	MAX_RIFAS_MES?: string;
}

interface Env extends OptionalSecrets, OptionalSettings {}

declare namespace Cloudflare {
	interface Env extends OptionalSecrets, OptionalSettings {}
}
