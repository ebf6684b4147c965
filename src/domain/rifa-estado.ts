import { RIFA_ESTADOS, type RifaEstado } from "../db/schema";

/**
 * The rifa lifecycle. `resuelta` is reached only by settlement, never by a client request, so it
 * appears as a target of no manual transition.
 */
const MANUAL_TRANSITIONS: Record<RifaEstado, readonly RifaEstado[]> = {
	pendiente: ["activa", "cancelada"],
	activa: ["cerrada", "cancelada"],
	cerrada: ["cancelada"],
	resuelta: [],
	cancelada: [],
};

export const canTransition = (from: RifaEstado, to: RifaEstado) =>
	MANUAL_TRANSITIONS[from].includes(to);

export const allowedTransitions = (from: RifaEstado) => MANUAL_TRANSITIONS[from];

export const isTerminal = (estado: RifaEstado) => estado === "resuelta" || estado === "cancelada";

/** A rifa in one of these still depends on its category's money and its loteria's calendar. */
export const ESTADOS_NO_TERMINALES = RIFA_ESTADOS.filter((e) => !isTerminal(e));

/** Fields that define what a buyer paid for: frozen once any number is held or sold. */
export const STRUCTURAL_FIELDS = [
	"categoria_id",
	"loteria_id",
	"total_boletas",
	"numero_ganadores",
	"reglas",
	"fecha_sorteo",
	"premio_garantizado",
] as const;
