import { type Abono, abonar, anularAbonoConCredito } from "./abonos";
import {
	abonoCobrado,
	type DecisionAbono,
	decidirAbono,
	iniciarAbonoEnLinea,
	type ResultadoAbono,
} from "./abonos-en-linea";
import type { RoomTx } from "./room.types";

/** What the API asks of a plan after its first abono (the room's one RPC for them). */
export type OperacionAbono =
	| { tipo: "abonar"; transaccionId: string; clave: string; abono: Abono; vendedorId?: string }
	| {
			tipo: "iniciar_en_linea";
			transaccionId: string;
			clave: string;
			referencia: string;
			monto: number;
			medio: string;
	  }
	| { tipo: "cobrado"; referencia: string; resultado: Parameters<typeof abonoCobrado>[2] }
	| { tipo: "decidir"; decision: DecisionAbono }
	| { tipo: "anular_credito"; abonoId: string };

export interface ResultadosAbono {
	abonar: ReturnType<typeof abonar>;
	iniciar_en_linea: ReturnType<typeof iniciarAbonoEnLinea>;
	cobrado: ReturnType<typeof abonoCobrado>;
	decidir: ResultadoAbono;
	anular_credito: ReturnType<typeof anularAbonoConCredito>;
}

export type ResultadoOperacion = ResultadosAbono[keyof ResultadosAbono];

export const operarAbono = (tx: RoomTx, op: OperacionAbono, now: number): ResultadoOperacion => {
	switch (op.tipo) {
		case "abonar":
			return abonar(tx, op.transaccionId, op.clave, op.abono, op.vendedorId, now);
		case "iniciar_en_linea":
			return iniciarAbonoEnLinea(
				tx,
				op.transaccionId,
				op.clave,
				op.referencia,
				op.monto,
				op.medio,
				now,
			);
		case "cobrado":
			return abonoCobrado(tx.sql, op.referencia, op.resultado);
		case "decidir":
			return decidirAbono(tx, op.decision, now);
		case "anular_credito":
			return anularAbonoConCredito(tx.sql, op.abonoId);
	}
};
