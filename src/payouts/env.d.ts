// Prizes paid through Wompi's payouts API (`PAYOUTS_PROVIDER=wompi`); off until the key pair is set.
interface PayoutSecrets {
	/** Pagos a Terceros API key and principal user id (Dashboard → Desarrollo → Programadores). */
	WOMPI_PAYOUTS_API_KEY?: string;
	WOMPI_PAYOUTS_USER_PRINCIPAL_ID?: string;
	/** Secret of the payouts events (`POST /webhooks/wompi-pagos` answers 404 until it is set). */
	WOMPI_PAYOUTS_EVENTS_SECRET?: string;
	/** The origin account (a var); without it, the first ACTIVE account of `GET /v1/accounts`. */
	WOMPI_PAYOUTS_ACCOUNT_ID?: string;
	/** A local stand-in for the payouts API; honoured in development with pub_test_ keys only. */
	WOMPI_PAYOUTS_API_URL?: string;
}

interface Env extends PayoutSecrets {}

declare namespace Cloudflare {
	interface Env extends PayoutSecrets {}
}
