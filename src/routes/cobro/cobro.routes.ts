import { createRoute } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/auth.middleware";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { publicReadRateLimit } from "../../lib/rate-limit";
import {
	BancosPremiosSchema,
	CuentaCobroBody,
	CuentaCobroSchema,
	CuentaConfirmadaSchema,
} from "./cobro.schemas";

const tags = ["users"];

export const registrar = createRoute({
	method: "put",
	path: "/users/{id}/cuenta-cobro",
	operationId: "putCuentaCobro",
	tags,
	summary: "Registrar dónde se le pagan los premios (el ganador mismo)",
	description:
		"Una llave Bre-B (cédula, celular, correo o alias) o una cuenta bancaria; un destino por usuario, que reemplaza al anterior. La llave se resuelve ya con Wompi y la respuesta trae el `titular` (enmascarado por Wompi) y la `entidad` para que el ganador verifique que es suya; la cuenta bancaria se devuelve tal cual. Queda `por_confirmar`: no se paga hasta `POST …/cuenta-cobro/confirmar`. Llave no registrada, inactiva o mal formada, o banco desconocido: 422; Wompi no responde: 502; un pago de premio en curso a este usuario: 409 (podrá cambiarlo cuando termine).",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam, body: jsonBody(CuentaCobroBody) },
	responses: {
		200: jsonContent(CuentaCobroSchema, "Destino registrado, por confirmar"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422, 502),
		...defaultErrorResponses,
	},
});

export const confirmar = createRoute({
	method: "post",
	path: "/users/{id}/cuenta-cobro/confirmar",
	operationId: "confirmCuentaCobro",
	tags,
	summary: "Confirmar el destino de los premios (el ganador mismo)",
	description:
		"El ganador confirma el destino que vio (titular y entidad). Desde entonces sus premios se pagan ahí, y cada premio suyo aún pendiente se envía ya a la cola de pagos (`premios_en_cola`). Confirmar otra vez no cambia nada. 404 si no ha registrado un destino; 409 si cambió o tiene un pago en curso.",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(CuentaConfirmadaSchema, "Destino confirmado"),
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});

export const ver = createRoute({
	method: "get",
	path: "/users/{id}/cuenta-cobro",
	operationId: "getCuentaCobro",
	tags,
	summary: "Ver dónde se le pagan los premios (el ganador mismo, o admin)",
	security: BEARER,
	middleware: [requireAuth],
	request: { params: IdParam },
	responses: {
		200: jsonContent(CuentaCobroSchema, "Destino de los premios"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const bancos = createRoute({
	method: "get",
	path: "/pagos/bancos-premios",
	operationId: "getPrizeBanks",
	tags,
	summary: "Bancos a los que se puede pagar un premio (público)",
	description:
		"Los bancos del API de pagos a terceros de Wompi (`GET /v1/banks`), para registrar una cuenta bancaria como destino de los premios. 404 mientras no esté configurado; 502 si Wompi no responde.",
	middleware: [publicReadRateLimit],
	responses: {
		200: jsonContent(BancosPremiosSchema, "Bancos"),
		...errorResponses(404, 429, 502),
		...defaultErrorResponses,
	},
});
