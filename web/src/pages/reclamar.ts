import { api, el, guardarSesion } from "../api";
import { type Aviso, aviso, limpiar, mostrarError } from "../avisos";
import { campo } from "../campos";

/**
 * `/reclamar`: a buyer who bought in person, without an account (the seller registered it by its
 * phone), claims that account: a code goes by SMS to the phone, and with it the buyer gives the
 * account an email and a password. Signed in, it lands on /mis-boletas, where its tickets are.
 */
export const reclamar = async (main: HTMLElement): Promise<void> => {
	const telefono = el("input", {
		name: "telefono",
		type: "tel",
		inputmode: "tel",
		autocomplete: "tel-national",
		maxlength: "32",
		"aria-required": "true",
	});
	const pedir = el("button", { type: "submit", class: "comprar" }, "Enviarme el código");
	const avisoTelefono = aviso(telefono);
	const avisoPedir = aviso(pedir);
	const pedido = el(
		"form",
		{ class: "reclamo formulario", "aria-label": "Pedir el código", novalidate: true },
		el("h2", {}, "1. Su celular"),
		campo(
			"Celular",
			telefono,
			"El que dio al comprar: 10 dígitos (300 123 4567) o con +57. Le enviaremos un código por SMS.",
		),
		avisoTelefono.nodo,
		pedir,
		avisoPedir.nodo,
	);

	const codigo = el("input", {
		name: "codigo",
		inputmode: "numeric",
		autocomplete: "one-time-code",
		maxlength: "6",
	});
	const email = el("input", { name: "email", type: "email", autocomplete: "username" });
	const password = el("input", {
		name: "password",
		type: "password",
		autocomplete: "new-password",
		minlength: "8",
	});
	for (const c of [codigo, email, password]) c.setAttribute("aria-required", "true");
	const confirmar = el("button", { type: "submit", class: "comprar" }, "Reclamar mi cuenta");
	const avisos: Record<"codigo" | "email" | "password" | "general", Aviso> = {
		codigo: aviso(codigo),
		email: aviso(email),
		password: aviso(password),
		general: aviso(confirmar),
	};
	const enviado = el("p", { role: "status" });
	const confirmacion = el(
		"form",
		{ class: "reclamo formulario", "aria-label": "Reclamar la cuenta", novalidate: true },
		el("h2", {}, "2. El código y sus datos"),
		enviado,
		campo("Código recibido por SMS", codigo, "Seis dígitos; vale 10 minutos."),
		avisos.codigo.nodo,
		campo("Correo", email, "Con él entrará de ahora en adelante."),
		avisos.email.nodo,
		campo("Contraseña nueva", password, "Al menos 8 caracteres."),
		avisos.password.nodo,
		confirmar,
		avisos.general.nodo,
	);
	confirmacion.hidden = true;

	let ocupado = false;
	let telefonoPedido = "";
	pedido.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado) return;
		limpiar(avisoTelefono, avisoPedir);
		if (!telefono.value.trim()) {
			avisoTelefono.mostrar("Escriba su celular.");
			telefono.focus();
			return;
		}
		ocupado = true;
		pedir.disabled = true;
		try {
			await api("/auth/reclamo", { method: "POST", body: { telefono: telefono.value.trim() } });
			telefonoPedido = telefono.value.trim();
			pedir.textContent = "Enviar otro código";
			enviado.textContent = `Si ${telefonoPedido} tiene una cuenta por reclamar, le llegó un SMS con el código.`;
			confirmacion.hidden = false;
			codigo.focus();
		} catch (err) {
			mostrarError(err, { general: avisoPedir, campos: { telefono: avisoTelefono } });
		} finally {
			ocupado = false;
			pedir.disabled = false;
		}
	});

	confirmacion.addEventListener("submit", async (e) => {
		e.preventDefault();
		if (ocupado) return;
		limpiar(...Object.values(avisos));
		const faltan: [HTMLElement, Aviso, string][] = [];
		if (!/^\d{6}$/.test(codigo.value.trim()))
			faltan.push([codigo, avisos.codigo, "Escriba los seis dígitos del código."]);
		if (!email.value.trim()) faltan.push([email, avisos.email, "Escriba su correo."]);
		if (password.value.length < 8)
			faltan.push([password, avisos.password, "La contraseña tiene al menos 8 caracteres."]);
		for (const [, a, texto] of faltan) a.mostrar(texto);
		if (faltan.length) return faltan[0]?.[0].focus();
		ocupado = true;
		confirmar.disabled = true;
		try {
			const r = await api<{ access_token: string }>("/auth/reclamo/confirmacion", {
				method: "POST",
				body: {
					telefono: telefonoPedido,
					codigo: codigo.value.trim(),
					email: email.value.trim(),
					password: password.value,
				},
			});
			guardarSesion(r.access_token);
			location.assign("/mis-boletas");
		} catch (err) {
			mostrarError(err, {
				general: avisos.general,
				campos: { codigo: avisos.codigo, email: avisos.email, password: avisos.password },
				// A wrong or expired code says so next to the code; a taken email, next to the email.
				lugar: (x) =>
					x.status === 422 && !x.errores.length
						? avisos.codigo
						: x.status === 409
							? avisos.email
							: undefined,
			});
			confirmar.disabled = false;
			ocupado = false;
		}
	});

	main.replaceChildren(
		el("h1", {}, "Reclamar su cuenta"),
		el(
			"p",
			{},
			"Si compró a un vendedor en persona, su boleta ya está a su nombre, guardada con su celular. Reclame la cuenta para entrar, ver sus boletas y verificar sus recibos.",
		),
		pedido,
		confirmacion,
		el("p", {}, "¿Ya tiene contraseña? ", el("a", { href: "/mis-boletas" }, "Entre aquí")),
	);
};
