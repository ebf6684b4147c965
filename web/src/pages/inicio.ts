export const inicio = async (main: HTMLElement) => {
	main.innerHTML = "<h1>Rifas activas</h1>";
};
