import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import {
	type CuentaTransferenciaRow,
	cuentasTransferencia,
	TIPOS_CUENTA_TRANSFERENCIA,
	users,
} from "../db/schema";
import { ApiError, forbidden, notFound, t } from "../lib/errors";
import { nowIso } from "../lib/time";
import type { AuthUser } from "../lib/types";
import { auditInsert } from "./audit";

/**
 * The bank account an operador's buyers transfer to: set by the operador (or an admin), shown on
 * each of its rifas, and required for a purchase by `transferencia` there.
 */

const sinSeparadores = (v: string) => v.replace(/[\s.-]/g, "");

/**
 * A Bre-B key as the buyer types it in its bank's app (Banco de la República's llaves): a mobile
 * (10 digits from 3, `+57` optional), an ID number or merchant code (digits), an email, or an
 * alphanumeric alias (`@` and letters or digits). Null when it is none of them.
 */
export const normalizarLlaveBreb = (raw: string): string | null => {
	const v = raw.trim();
	const digitos = sinSeparadores(v).replace(/^\+57(?=3\d{9}$)/, "");
	if (/^\d{5,20}$/.test(digitos)) return digitos;
	if (/^@[0-9A-Za-z._-]{3,30}$/.test(v)) return v;
	const correo = v.toLowerCase();
	return z.email().safeParse(correo).success && correo.length <= 100 ? correo : null;
};

export const CuentaTransferenciaBody = z
	.strictObject({
		banco: z.string().trim().min(2).max(60).openapi({ example: "Bancolombia" }),
		tipo_cuenta: z.enum(TIPOS_CUENTA_TRANSFERENCIA).openapi({
			description: "`deposito_electronico`: Nequi, Daviplata y similares",
		}),
		numero: z
			.string()
			.trim()
			.transform(sinSeparadores)
			.pipe(z.string().regex(/^\d{6,20}$/, "Entre 6 y 20 dígitos"))
			.openapi({ example: "00123456789" }),
		titular: z.string().trim().min(3).max(100).openapi({ example: "Rifas del Valle S.A.S." }),
		documento_titular: z
			.string()
			.trim()
			.transform((v) => v.replace(/[\s.]/g, ""))
			.pipe(z.string().regex(/^[0-9A-Za-z-]{3,20}$/, "Entre 3 y 20 letras, dígitos o guiones"))
			.optional()
			.openapi({
				example: "900123456-7",
				description: "Cédula o NIT (puntos y espacios se quitan)",
			}),
		llave_breb: z
			.string()
			.max(100)
			.transform((v, ctx) => {
				const llave = normalizarLlaveBreb(v);
				if (llave === null) {
					ctx.addIssue({
						code: "custom",
						message:
							"Llave Bre-B: un celular (3XXXXXXXXX), una cédula o código de comercio (dígitos), un correo o un alias (@ y letras o dígitos)",
					});
					return z.NEVER;
				}
				return llave;
			})
			.optional()
			.openapi({ example: "@rifasdelvalle", description: "Una llave Bre-B de la misma cuenta" }),
	})
	.openapi("CuentaTransferenciaRegistro", {
		example: {
			banco: "Bancolombia",
			tipo_cuenta: "ahorros",
			numero: "00123456789",
			titular: "Rifas del Valle S.A.S.",
			documento_titular: "900123456-7",
			llave_breb: "@rifasdelvalle",
		},
	});

/** What a buyer sees on a rifa: where to transfer. */
export const CuentaTransferenciaSchema = z
	.object({
		banco: z.string(),
		tipo_cuenta: z.enum(TIPOS_CUENTA_TRANSFERENCIA),
		numero: z.string(),
		titular: z.string(),
		documento_titular: z.string().nullable(),
		llave_breb: z.string().nullable(),
	})
	.openapi("CuentaTransferencia", {
		example: {
			banco: "Bancolombia",
			tipo_cuenta: "ahorros",
			numero: "00123456789",
			titular: "Rifas del Valle S.A.S.",
			documento_titular: "900123456-7",
			llave_breb: "@rifasdelvalle",
		},
	});

export const CuentaOperadorSchema = CuentaTransferenciaSchema.extend({
	operador_id: z.uuid(),
	actualizado_en: z.string(),
}).openapi("CuentaTransferenciaOperador", {
	example: {
		banco: "Nequi",
		tipo_cuenta: "deposito_electronico",
		numero: "3001122334",
		titular: "Rifas del Valle S.A.S.",
		documento_titular: null,
		llave_breb: "3001122334",
		operador_id: "0be7a7a0-0000-4000-8000-000000000001",
		actualizado_en: "2026-12-01T15:00:00.000Z",
	},
});

export const toCuentaTransferencia = (
	c: CuentaTransferenciaRow,
): z.infer<typeof CuentaTransferenciaSchema> => ({
	banco: c.banco,
	tipo_cuenta: c.tipoCuenta,
	numero: c.numero,
	titular: c.titular,
	documento_titular: c.documentoTitular,
	llave_breb: c.llaveBreb,
});

const toCuentaOperador = (c: CuentaTransferenciaRow): z.infer<typeof CuentaOperadorSchema> => ({
	...toCuentaTransferencia(c),
	operador_id: c.operadorId,
	actualizado_en: c.actualizadoEn,
});

export const cuentaDe = async (db: Database, operadorId: string | null) => {
	if (!operadorId) return null;
	const row = await db.query.cuentasTransferencia.findFirst({
		where: eq(cuentasTransferencia.operadorId, operadorId),
	});
	return row ?? null;
};

/** The operador itself or an admin; the account belongs to someone who makes rifas. */
const autorizado = async (db: Database, me: AuthUser, operadorId: string) => {
	if (me.rol !== "admin" && me.id !== operadorId)
		throw forbidden(
			t(
				"Solo el operador mismo o un admin manejan su cuenta para transferencias.",
				"Only the operador itself or an admin handle its transfer account.",
			),
		);
	const dueno = await db.query.users.findFirst({
		columns: { rol: true },
		where: eq(users.id, operadorId),
	});
	if (dueno?.rol !== "operador" && dueno?.rol !== "admin")
		throw notFound(t("El operador", "The operador"));
};

export const verCuenta = async (db: Database, me: AuthUser, operadorId: string) => {
	await autorizado(db, me, operadorId);
	const row = await cuentaDe(db, operadorId);
	return { cuenta: row ? toCuentaOperador(row) : null };
};

export const fijarCuenta = async (
	db: Database,
	me: AuthUser,
	operadorId: string,
	datos: z.infer<typeof CuentaTransferenciaBody>,
	requestId: string,
) => {
	await autorizado(db, me, operadorId);
	const antes = await cuentaDe(db, operadorId);
	const ahora = nowIso();
	const valores = {
		banco: datos.banco,
		tipoCuenta: datos.tipo_cuenta,
		numero: datos.numero,
		titular: datos.titular,
		documentoTitular: datos.documento_titular ?? null,
		llaveBreb: datos.llave_breb ?? null,
		actualizadoPor: me.id,
		actualizadoEn: ahora,
	};
	const [, [row]] = await db.batch([
		auditInsert(db, {
			actorId: me.id,
			action: "cuenta_transferencia.fijada",
			entity: "user",
			entityId: operadorId,
			before: antes ? toCuentaTransferencia(antes) : null,
			after: {
				banco: datos.banco,
				tipo_cuenta: datos.tipo_cuenta,
				numero: datos.numero,
				titular: datos.titular,
				documento_titular: datos.documento_titular ?? null,
				llave_breb: datos.llave_breb ?? null,
			},
			requestId,
		}),
		db
			.insert(cuentasTransferencia)
			.values({ operadorId, ...valores, creadoEn: ahora })
			.onConflictDoUpdate({ target: cuentasTransferencia.operadorId, set: valores })
			.returning(),
	]);
	if (!row) throw new Error("the transfer account was not written");
	return { cuenta: toCuentaOperador(row) };
};

/** A purchase by transfer needs somewhere to transfer to: the rifa's operador's account. */
export const exigirCuentaTransferencia = async (db: Database, operadorId: string | null) => {
	if (!(await cuentaDe(db, operadorId)))
		throw new ApiError(
			"VALIDATION_FAILED",
			t(
				"El operador de esta rifa no tiene cuenta para transferencias.",
				"This rifa's operador has no account for transfers.",
			),
			{ errors: [{ path: "payment_method", message: "Sin cuenta para transferencias" }] },
		);
};
