/** The data model, one module per area; the rest of the code imports it from here. */
export * from "./audit";
export * from "./catalogo";
export * from "./comprobantes";
export * from "./creditos";
export * from "./cuentas-cobro";
export * from "./cuentas-transferencia";
export * from "./cumplimiento";
export * from "./notificaciones";
export * from "./reclamos";
export * from "./reembolsos";
export * from "./resultados";
export * from "./rifas";
export * from "./users";
export * from "./ventas";
