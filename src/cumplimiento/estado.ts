/**
 * A rifa's compliance as stored in D1 and as the API shows it: its authorization, guarantee and
 * prizes, what the checklist still asks for, and its emission (computed while the rifa is being
 * prepared, the fixed figures once it opened).
 */
import { asc, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	categorias,
	type PremioEspecieRow,
	premiosEspecie,
	type RifaCumplimientoRow,
	type RifaRow,
	rifasCumplimiento,
} from "../db/schema";
import { faltantes } from "./checklist";
import type { CumplimientoConfig } from "./config";
import { calcularEmision, type Emision } from "./emision";
import type { Faltante } from "./tipos";

export interface Requisitos {
	fila: RifaCumplimientoRow | null;
	/** By posición. */
	premios: PremioEspecieRow[];
	/** The category's price of a boleta, centavos. */
	valorBoleta: number;
}

export const cargarRequisitos = async (
	db: Database,
	rifaId: string,
	categoriaId: string,
): Promise<Requisitos> => {
	const [filas, premios, cats] = await db.batch([
		db.select().from(rifasCumplimiento).where(eq(rifasCumplimiento.rifaId, rifaId)),
		db
			.select()
			.from(premiosEspecie)
			.where(eq(premiosEspecie.rifaId, rifaId))
			.orderBy(asc(premiosEspecie.posicion)),
		db
			.select({ valorBoleta: categorias.valorBoleta })
			.from(categorias)
			.where(eq(categorias.id, categoriaId)),
	]);
	return { fila: filas[0] ?? null, premios, valorBoleta: cats[0]?.valorBoleta ?? 0 };
};

export const checklistDe = (
	rifa: Pick<RifaRow, "fechaSorteo" | "numeroGanadores">,
	req: Requisitos,
	config: CumplimientoConfig,
	now: Date,
): Faltante[] =>
	faltantes(
		{
			rifa,
			valorBoleta: req.valorBoleta,
			autorizacion: req.fila?.autorizacion ?? null,
			garantia: req.fila?.garantia ?? null,
			premios: req.premios.map((p) => ({
				posicion: p.posicion,
				soporte:
					p.soporteTipo && p.soporteSha256
						? { tipo: p.soporteTipo, sha256: p.soporteSha256 }
						: null,
			})),
		},
		config,
		now,
	);

export type EmisionVista = Emision & { fijada: boolean; fijada_en: string | null };

/** The figures fixed at the opening, or, until then, those the rifa would have now. */
export const emisionDe = (
	rifa: Pick<RifaRow, "totalBoletas">,
	req: Requisitos,
	config: CumplimientoConfig,
): EmisionVista => {
	const f = req.fila;
	if (f?.fijadoEn && f.valorEmision !== null && f.derechos !== null && f.administracion !== null) {
		return {
			total_boletas: rifa.totalBoletas,
			valor_boleta: Math.round(f.valorEmision / rifa.totalBoletas),
			valor_emision: f.valorEmision,
			derechos: f.derechos,
			administracion: f.administracion,
			fijada: true,
			fijada_en: f.fijadoEn,
		};
	}
	return {
		...calcularEmision({ totalBoletas: rifa.totalBoletas, valorBoleta: req.valorBoleta }, config),
		fijada: false,
		fijada_en: null,
	};
};

export type ArchivoNombre = "soporte" | `foto-${number}`;

export const archivoUrl = (rifaId: string, premioId: string, nombre: ArchivoNombre) =>
	`/api/v1/rifas/${rifaId}/premios/${premioId}/archivos/${nombre}`;

export const toPremioDto = (p: PremioEspecieRow) => ({
	id: p.id,
	rifa_id: p.rifaId,
	posicion: p.posicion,
	descripcion: p.descripcion,
	valor_comercial: p.valorComercial,
	fotos: p.fotos.map((_, i) => archivoUrl(p.rifaId, p.id, `foto-${i + 1}`)),
	soporte_propiedad:
		p.soporteTipo && p.soporteSha256
			? {
					tipo: p.soporteTipo,
					sha256: p.soporteSha256,
					archivo: archivoUrl(p.rifaId, p.id, "soporte"),
				}
			: null,
	creado_en: p.creadoEn,
});

export const vistaCumplimiento = (
	rifa: RifaRow,
	req: Requisitos,
	config: CumplimientoConfig,
	now: Date,
) => {
	const lista = checklistDe(rifa, req, config, now);
	return {
		rifa_id: rifa.id,
		modo: config.modo,
		completa: lista.length === 0,
		faltantes: lista,
		emision: emisionDe(rifa, req, config),
		autorizacion: req.fila?.autorizacion ?? null,
		garantia: req.fila?.garantia ?? null,
		premios: req.premios.map(toPremioDto),
	};
};
