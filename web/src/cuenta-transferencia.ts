import type { TipoCuentaTransferencia } from "../../src/db/schema/cuentas-transferencia";
import { el } from "./api";

/** Where a rifa's buyers transfer to: `cuenta_transferencia` of `GET /rifas/{id}`. */
export interface CuentaTransferencia {
	banco: string;
	tipo_cuenta: TipoCuentaTransferencia;
	numero: string;
	titular: string;
	documento_titular: string | null;
	llave_breb: string | null;
}

export const TIPOS_CUENTA_TRANSFERENCIA: Record<TipoCuentaTransferencia, string> = {
	ahorros: "Ahorros",
	corriente: "Corriente",
	deposito_electronico: "Depósito electrónico (Nequi, Daviplata)",
};

/**
 * The account as a buyer copies it into its bank's app: bank, type, number, holder (and its
 * document), and the Bre-B key when there is one.
 */
export const datosCuenta = (c: CuentaTransferencia) =>
	el(
		"dl",
		{ class: "cuenta-transferencia", "data-cuenta": "" },
		el("dt", {}, "Banco"),
		el("dd", { "data-banco": "" }, c.banco),
		el("dt", {}, "Tipo de cuenta"),
		el("dd", { "data-tipo": c.tipo_cuenta }, TIPOS_CUENTA_TRANSFERENCIA[c.tipo_cuenta]),
		el("dt", {}, "Número"),
		el("dd", { "data-numero": "" }, c.numero),
		el("dt", {}, "Titular"),
		el("dd", { "data-titular": "" }, c.titular),
		...(c.documento_titular
			? [el("dt", {}, "Documento del titular"), el("dd", {}, c.documento_titular)]
			: []),
		...(c.llave_breb
			? [el("dt", {}, "Llave Bre-B"), el("dd", { "data-llave": "" }, c.llave_breb)]
			: []),
	);
