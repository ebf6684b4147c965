/**
 * What the legal mode records about a rifa, as stored (JSON in `rifas_cumplimiento`) and shown.
 * Dates are Colombian calendar dates, `YYYY-MM-DD`: authorizations and policies are dated by day.
 */

/** The authority's authorization of the rifa. */
export interface Autorizacion {
	/** Who authorized it: Coljuegos, a departmental body, a municipality, the Lotería de Bogotá… */
	autoridad: string;
	/** The act's number (resolución, oficio). */
	numero: string;
	/** Date of the act: from it the authorization is in force. */
	fecha: string;
	/** Last day it is in force; the draw must fall on or before it. */
	vigencia_hasta: string;
	/** Date the request was filed; the draw must be at least DIAS_ANTICIPACION_SOLICITUD days after. */
	fecha_solicitud: string;
}

/** The compliance guarantee (póliza de cumplimiento) taken with an insurer. */
export interface Garantia {
	aseguradora: string;
	numero: string;
	/** Insured value, centavos. */
	valor: number;
	/** Last day it covers; the draw must fall on or before it. */
	vigencia_hasta: string;
}

/** Documents that prove the operador owns a prize outright (R8 in docs/cumplimiento.md). */
export const SOPORTE_TIPOS = [
	"factura",
	"avaluo",
	"certificado_tradicion",
	"tarjeta_propiedad",
	"escritura",
	"otro",
] as const;
export type SoporteTipo = (typeof SOPORTE_TIPOS)[number];

/** A prize as the checklist needs it. */
export interface PremioRequisito {
	posicion: number;
	soporte: { tipo: SoporteTipo; sha256: string } | null;
}

/** One thing that keeps a rifa from opening in `colombia` mode. */
export interface Faltante {
	/** What is missing, as a path of the cumplimiento view: `autorizacion`, `premios[2].soporte_propiedad`. */
	campo: string;
	mensaje: string;
}
