/**
 * What a rifa still lacks to open for sale in `colombia` mode. Pure: the rifa, its category's
 * price, its authorization, guarantee and prizes, the settings and `now` in; the list of what is
 * missing out, each named by the field of the cumplimiento view it concerns, in Spanish. An empty
 * list means the rifa may open. The rules behind each item are in docs/cumplimiento.md.
 */
import { diasEntre, fechaColombia } from "../domain/calendario";
import type { CumplimientoConfig } from "./config";
import type { Autorizacion, Faltante, Garantia, PremioRequisito } from "./tipos";

export interface ChecklistInput {
	rifa: { fechaSorteo: string; numeroGanadores: number };
	/** The category's price of a boleta, centavos: one fixed price for the whole emission. */
	valorBoleta: number;
	autorizacion: Autorizacion | null;
	garantia: Garantia | null;
	/** In the order the cumplimiento view lists them (by posición): `premios[i]` is the i-th. */
	premios: readonly PremioRequisito[];
}

const autorizacionFaltantes = (
	a: Autorizacion | null,
	sorteo: string,
	hoy: string,
	dias: number,
): Faltante[] => {
	if (!a) {
		return [
			{
				campo: "autorizacion",
				mensaje:
					"Falta la autorización de la autoridad competente (autoridad, número, fecha, vigencia y fecha de solicitud).",
			},
		];
	}
	const out: Faltante[] = [];
	if (a.fecha > hoy) {
		out.push({
			campo: "autorizacion.fecha",
			mensaje: `La autorización rige desde el ${a.fecha}; hoy (${hoy}) aún no está vigente.`,
		});
	}
	if (a.vigencia_hasta < sorteo) {
		out.push({
			campo: "autorizacion",
			mensaje: `La autorización vence el ${a.vigencia_hasta}, antes del sorteo del ${sorteo}.`,
		});
	}
	const antelacion = diasEntre(a.fecha_solicitud, sorteo);
	if (antelacion < dias) {
		out.push({
			campo: "autorizacion.fecha_solicitud",
			mensaje: `La solicitud se presentó el ${a.fecha_solicitud}, ${antelacion} días antes del sorteo del ${sorteo}; deben ser al menos ${dias} días calendario.`,
		});
	}
	return out;
};

const premiosFaltantes = (
	premios: readonly PremioRequisito[],
	numeroGanadores: number,
): Faltante[] => {
	if (premios.length === 0) {
		return [{ campo: "premios", mensaje: "La rifa no tiene premios en especie registrados." }];
	}
	const out: Faltante[] = [];
	const posiciones = new Set(premios.map((p) => p.posicion));
	for (let p = 1; p <= numeroGanadores; p++) {
		if (!posiciones.has(p)) {
			out.push({
				campo: "premios",
				mensaje: `Falta el premio de la posición ${p}: la rifa tiene ${numeroGanadores} ganador(es).`,
			});
		}
	}
	premios.forEach((premio, i) => {
		if (premio.posicion > numeroGanadores) {
			out.push({
				campo: `premios[${i}].posicion`,
				mensaje: `La posición ${premio.posicion} no existe: la rifa tiene ${numeroGanadores} ganador(es).`,
			});
		}
		if (!premio.soporte) {
			out.push({
				campo: `premios[${i}].soporte_propiedad`,
				mensaje: `Falta el soporte de propiedad del premio de la posición ${premio.posicion} (factura, avalúo u otro documento que pruebe la plena propiedad).`,
			});
		}
	});
	return out;
};

const garantiaFaltantes = (g: Garantia | null, sorteo: string): Faltante[] => {
	if (!g) {
		return [
			{
				campo: "garantia",
				mensaje:
					"Falta la garantía de cumplimiento (aseguradora, número de póliza, valor y vigencia).",
			},
		];
	}
	if (g.vigencia_hasta < sorteo) {
		return [
			{
				campo: "garantia",
				mensaje: `La garantía vence el ${g.vigencia_hasta}, antes del sorteo del ${sorteo}.`,
			},
		];
	}
	return [];
};

export const faltantes = (
	input: ChecklistInput,
	config: Pick<CumplimientoConfig, "diasAnticipacionSolicitud">,
	now: Date,
): Faltante[] => {
	// The draw's date as the authority reads it: the Colombian calendar day of the instant.
	const sorteo = fechaColombia(new Date(input.rifa.fechaSorteo));
	const hoy = fechaColombia(now);
	const precio: Faltante[] =
		input.valorBoleta > 0
			? []
			: [
					{
						campo: "emision.valor_boleta",
						mensaje: "Las boletas deben venderse a un precio fijo mayor que cero.",
					},
				];
	return [
		...autorizacionFaltantes(input.autorizacion, sorteo, hoy, config.diasAnticipacionSolicitud),
		...premiosFaltantes(input.premios, input.rifa.numeroGanadores),
		...garantiaFaltantes(input.garantia, sorteo),
		...precio,
	];
};
