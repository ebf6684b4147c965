import { forbidden, notFound, t } from "../../lib/errors";
import type { AppRouteHandler, AuthUser } from "../../lib/types";
import {
	bancosPremios,
	confirmarCuenta,
	registrarCuenta,
	verCuenta,
} from "../../payouts/cuentas-cobro";
import type { bancos, confirmar, registrar, ver } from "./cobro.routes";
import { toCuentaDto } from "./cobro.schemas";

/** Only the winner says where their money goes; an admin may look. */
const soloElMismo = (me: AuthUser, id: string) => {
	if (me.id !== id)
		throw forbidden(
			t(
				"Solo el ganador registra dónde se le pagan sus premios.",
				"Only the winner registers where their prizes are paid.",
			),
		);
};

export const registrarHandler: AppRouteHandler<typeof registrar> = async (c) => {
	const { id } = c.req.valid("param");
	soloElMismo(c.var.user, id);
	const cuenta = await registrarCuenta(c.env, c.var.db, id, c.req.valid("json"), {
		id: c.var.user.id,
		requestId: c.var.requestId,
	});
	return c.json(toCuentaDto(cuenta), 200);
};

export const confirmarHandler: AppRouteHandler<typeof confirmar> = async (c) => {
	const { id } = c.req.valid("param");
	soloElMismo(c.var.user, id);
	const { cuenta, premiosEnCola } = await confirmarCuenta(c.env, c.var.db, id, {
		id: c.var.user.id,
		requestId: c.var.requestId,
	});
	return c.json({ ...toCuentaDto(cuenta), premios_en_cola: premiosEnCola }, 200);
};

export const verHandler: AppRouteHandler<typeof ver> = async (c) => {
	const { id } = c.req.valid("param");
	const me = c.var.user;
	if (me.rol !== "admin" && me.id !== id)
		throw forbidden(
			t(
				"Solo puede ver su propio destino de pago.",
				"You can only see your own payout destination.",
			),
		);
	const cuenta = await verCuenta(c.var.db, id);
	if (!cuenta) throw notFound(t("El destino de pago", "The payout destination"));
	return c.json(toCuentaDto(cuenta), 200);
};

export const bancosHandler: AppRouteHandler<typeof bancos> = async (c) => {
	const lista = await bancosPremios(c.env);
	return c.json(
		{
			bancos: lista.map((b) => ({
				id: b.id,
				nombre: b.nombre,
				codigo: b.codigo,
				deposito_electronico: b.depositoElectronico,
			})),
		},
		200,
	);
};
