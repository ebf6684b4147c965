import type { TipoCuentaTransferencia } from "../../src/db/schema/cuentas-transferencia";
import { api, el, fechaColombia, type Usuario } from "./api";
import { type Aviso, aviso, limpiar, mostrarError, textoDe } from "./avisos";
import { campo } from "./campos";
import {
	type CuentaTransferencia,
	datosCuenta,
	TIPOS_CUENTA_TRANSFERENCIA,
} from "./cuenta-transferencia";
import type { Operador } from "./pages/vendedores";

/** `GET/PUT /operadores/{id}/cuenta-transferencia`: the account, with when it last changed. */
type CuentaOperador = CuentaTransferencia & { operador_id: string; actualizado_en: string };

const sinSeparadores = (v: string) => v.replace(/[\s.-]/g, "");

/** The account's fields, filled with the current one; each of the API's refusals under its own. */
const formularioCuenta = () => {
	const banco = el("input", { name: "banco", autocomplete: "off", maxlength: "60" });
	const tipo = el(
		"select",
		{ name: "tipo_cuenta" },
		...Object.entries(TIPOS_CUENTA_TRANSFERENCIA).map(([v, t]) => el("option", { value: v }, t)),
	);
	const numero = el("input", {
		name: "numero",
		inputmode: "numeric",
		autocomplete: "off",
		maxlength: "30",
	});
	const titular = el("input", { name: "titular", autocomplete: "off", maxlength: "100" });
	const documento = el("input", {
		name: "documento_titular",
		autocomplete: "off",
		maxlength: "24",
	});
	const llave = el("input", { name: "llave_breb", autocomplete: "off", maxlength: "100" });
	for (const c of [banco, numero, titular]) c.setAttribute("aria-required", "true");
	const guardar = el("button", { type: "submit", class: "comprar" }, "Guardar la cuenta");
	const avisos: Record<string, Aviso> = {
		banco: aviso(banco),
		tipo_cuenta: aviso(tipo),
		numero: aviso(numero),
		titular: aviso(titular),
		documento_titular: aviso(documento),
		llave_breb: aviso(llave),
	};
	const general = aviso(guardar);
	const form = el(
		"form",
		{ class: "formulario", "aria-label": "Cuenta para transferencias", novalidate: true },
		campo("Banco o billetera", banco, "Por ejemplo Bancolombia, Davivienda, Nequi."),
		avisos.banco?.nodo,
		campo("Tipo de cuenta", tipo),
		avisos.tipo_cuenta?.nodo,
		campo("Número de cuenta", numero, "De 6 a 20 dígitos; en Nequi o Daviplata, el celular."),
		avisos.numero?.nodo,
		campo("Titular", titular, "Como aparece en el banco: el comprador lo verá al transferir."),
		avisos.titular?.nodo,
		campo("Documento del titular (opcional)", documento, "Cédula o NIT."),
		avisos.documento_titular?.nodo,
		campo(
			"Llave Bre-B (opcional)",
			llave,
			"De esta misma cuenta: un celular, una cédula, un correo o un alias que empieza por @.",
		),
		avisos.llave_breb?.nodo,
		guardar,
		general.nodo,
	);
	return {
		form,
		guardar,
		avisos,
		general,
		llenar: (c: CuentaTransferencia | null) => {
			banco.value = c?.banco ?? "";
			tipo.value = c?.tipo_cuenta ?? "ahorros";
			numero.value = c?.numero ?? "";
			titular.value = c?.titular ?? "";
			documento.value = c?.documento_titular ?? "";
			llave.value = c?.llave_breb ?? "";
		},
		/** The body of the PUT, or null after showing under its field what is missing. */
		datos: (): Record<string, string> | null => {
			limpiar(general, ...Object.values(avisos));
			const faltan: [HTMLElement, Aviso | undefined, string][] = [];
			if (banco.value.trim().length < 2)
				faltan.push([banco, avisos.banco, "Escriba el banco o la billetera."]);
			if (!/^\d{6,20}$/.test(sinSeparadores(numero.value)))
				faltan.push([numero, avisos.numero, "Escriba el número: de 6 a 20 dígitos."]);
			if (titular.value.trim().length < 3)
				faltan.push([titular, avisos.titular, "Escriba el titular (al menos 3 letras)."]);
			for (const [, a, texto] of faltan) a?.mostrar(texto);
			if (faltan.length) {
				faltan[0]?.[0].focus();
				return null;
			}
			return {
				banco: banco.value.trim(),
				tipo_cuenta: tipo.value as TipoCuentaTransferencia,
				numero: numero.value.trim(),
				titular: titular.value.trim(),
				...(documento.value.trim() ? { documento_titular: documento.value.trim() } : {}),
				...(llave.value.trim() ? { llave_breb: llave.value.trim() } : {}),
			};
		},
	};
};

/**
 * "Cuenta para transferencias" on the operador's page of proofs: where its rifas' buyers transfer
 * (`GET /operadores/{id}/cuenta-transferencia`), or that there is none and its rifas take no
 * transfers; **Cambiar la cuenta** (or the form at once, without one) sets it with
 * `PUT /operadores/{id}/cuenta-transferencia`. An admin first chooses the operador (`operadores`).
 * `cargar` answers whether the operador shown has an account.
 */
export const seccionCuentaTransferencia = (me: Usuario, operadores: Operador[] | null = null) => {
	const f = formularioCuenta();
	const actual = el("div", { "aria-live": "polite", "data-cuenta-actual": "" });
	const hecho = el("p", { role: "status", class: "aviso" });
	const cambiar = el(
		"button",
		{ type: "button", "aria-expanded": "false", "aria-controls": "cuenta-form" },
		"Cambiar la cuenta",
	);
	f.form.id = "cuenta-form";
	const mostrarForm = (si: boolean) => {
		f.form.hidden = !si;
		cambiar.setAttribute("aria-expanded", String(si));
	};
	cambiar.addEventListener("click", () => {
		const abrir = f.form.hidden === true;
		mostrarForm(abrir);
		if (abrir) f.form.querySelector("input")?.focus();
	});
	const eleccion = operadores
		? el(
				"select",
				{ name: "operador" },
				el("option", { value: "" }, operadores.length ? "Elija el operador" : "No hay operadores"),
				...operadores.map((o) => el("option", { value: o.id }, `${o.nombre} (${o.email})`)),
			)
		: null;
	const operadorId = () => (eleccion ? eleccion.value : me.id);
	const pintar = (c: CuentaOperador | null) => {
		f.llenar(c);
		cambiar.hidden = c === null;
		mostrarForm(c === null);
		actual.replaceChildren(
			...(c
				? [
						el(
							"p",
							{},
							eleccion
								? "Los compradores de las rifas de este operador transfieren a:"
								: "Sus compradores transfieren a:",
						),
						datosCuenta(c),
						el("p", { class: "nota" }, `Actualizada el ${fechaColombia(c.actualizado_en)}.`),
					]
				: [
						el(
							"p",
							{ class: "error", "data-sin-cuenta": "" },
							eleccion
								? "Este operador aún no tiene cuenta para transferencias: sus rifas no aceptan pagos por transferencia hasta que se registre."
								: "Aún no tiene cuenta para transferencias: sus rifas no aceptan pagos por transferencia hasta que la registre.",
						),
					]),
		);
	};
	const cargar = async (): Promise<boolean> => {
		hecho.textContent = "";
		if (!operadorId()) {
			actual.replaceChildren();
			cambiar.hidden = true;
			mostrarForm(false);
			return false;
		}
		try {
			const r = await api<{ cuenta: CuentaOperador | null }>(
				`/operadores/${operadorId()}/cuenta-transferencia`,
			);
			pintar(r.cuenta);
			return r.cuenta !== null;
		} catch (err) {
			actual.replaceChildren(
				el("p", { role: "alert", class: "error" }, `No se pudo leer la cuenta: ${textoDe(err)}`),
			);
			return false;
		}
	};
	eleccion?.addEventListener("change", () => void cargar());
	f.form.addEventListener("submit", async (e) => {
		e.preventDefault();
		hecho.textContent = "";
		const body = f.datos();
		if (!body) return;
		f.guardar.disabled = true;
		try {
			const r = await api<{ cuenta: CuentaOperador }>(
				`/operadores/${operadorId()}/cuenta-transferencia`,
				{ method: "PUT", body },
			);
			pintar(r.cuenta);
			hecho.textContent =
				"Cuenta guardada: las rifas de este operador la muestran a quien paga por transferencia.";
		} catch (err) {
			mostrarError(err, { general: f.general, campos: f.avisos });
		} finally {
			f.guardar.disabled = false;
		}
	});
	const seccion = el(
		"section",
		{ class: "cuenta-seccion", "aria-labelledby": "cuenta-titulo" },
		el("h2", { id: "cuenta-titulo" }, "Cuenta para transferencias"),
		el(
			"p",
			{ class: "nota" },
			"Quien paga una rifa por transferencia ve esta cuenta y el valor exacto. Apruebe un comprobante solo después de ver la transferencia en ella.",
		),
		...(eleccion ? [campo("Operador", eleccion)] : []),
		actual,
		cambiar,
		f.form,
		hecho,
	);
	return { seccion, cargar };
};
