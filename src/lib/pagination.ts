export interface Page {
	page: number;
	per_page: number;
}

export const offsetOf = ({ page, per_page }: Page) => (page - 1) * per_page;

export const pageOf = <T>(items: T[], total: number, { page, per_page }: Page) => ({
	items,
	total,
	page,
	per_page,
});
